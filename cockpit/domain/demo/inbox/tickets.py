"""Customer tickets as producers sent them (the desk's played day is in desk.py)."""

from __future__ import annotations

from datetime import timedelta

from cockpit.domain.demo.common import customer_info, customer_sender, issue_link
from cockpit.domain.demo.inbox.builder import HIGH, LOW, READ, RESOLVED, TKT, URGENT, Builder
from cockpit.domain.models import ARCHIVED


def tickets(b: Builder) -> None:
    """Customer tickets."""
    add, ago, iso, now, me = b.add, b.ago, b.iso, b.now, b.me
    kestrel = customer_info("Kestrel Logistics", "ap@kestrel-logistics.example.com", "business",
                        "acct-1187")
    add(TKT, "T-58231", "Invoices show the wrong VAT rate since Monday",
        customer_sender("acct-1187", "Kestrel Logistics"), ago(hours=9, minutes=30), """
Hello,

since Monday all our invoices show **19% VAT** instead of **21%**. Our accountant needs
corrected invoices before the quarter closes on Friday.

Invoices affected so far: INV-20850, INV-20861, INV-20877.

Regards, Petra Novak, Accounts Payable
""", payload={
            "customer": kestrel, "channel": "email", "ticket_no": "T-58231",
            "sla_due_at": iso(now - timedelta(hours=1, minutes=30)), "crew": "support",
            **issue_link("ENG-1445"),
        }, priority=URGENT, tags=["vat", "sla-breached"])

    add(TKT, "T-58240", "Can't log in after password reset",
        customer_sender("acct-2290", "Harbor & Pine Dental"), ago(minutes=40), """
I reset my password twice and the login page still says *"invalid credentials"*.
We have patients arriving at 9 and cannot see the schedule!
""", payload={
            "customer": customer_info("Harbor & Pine Dental", "office@harborpine.example.com",
                                  "starter", "acct-2290"),
            "channel": "chat", "ticket_no": "T-58240",
            "sla_due_at": iso(now + timedelta(minutes=40)), "crew": "support",
        }, priority=HIGH, assignee_id=me)

    add(TKT, "T-58207", "Export API returns 429 on every request",
        customer_sender("acct-1042", "Lumen Analytics"), ago(hours=14), """
Our nightly job calls `GET /v2/exports` once an hour and has received `429 Too Many Requests`
since yesterday. We are well under the documented limit.
""", payload={
            "customer": customer_info("Lumen Analytics", "data-team@lumen.example.com",
                                  "enterprise", "acct-1042"),
            "channel": "email", "ticket_no": "T-58207",
            "sla_due_at": iso(now + timedelta(hours=5)), "crew": "support",
            **issue_link("ENG-1436"),
        }, state=READ, assignee_id="dev")

    add(TKT, "T-58199", "Please cancel our subscription at the end of the period",
        customer_sender("acct-3051", "Brightleaf Studio"), ago(days=1, hours=3), """
We are closing the studio at the end of the year. Please cancel at period end and send
a final invoice. Thanks for everything!
""", payload={
            "customer": customer_info("Brightleaf Studio", "hello@brightleaf.example.com",
                                  "starter", "acct-3051"),
            "channel": "email", "ticket_no": "T-58199",
            "sla_due_at": iso(now + timedelta(days=1)), "crew": "billing",
        }, priority=LOW, state=READ)

    add(TKT, "T-58244", "Feature request: single sign-on via SAML",
        customer_sender("acct-0871", "Oakridge Public Library"), ago(hours=2, minutes=30), """
Our IT department requires SAML SSO for all staff tools from January.
Is this on your roadmap, and which plan includes it?
""", payload={
            "customer": customer_info("Oakridge Public Library", "it@oakridge-library.example.com",
                                  "business", "acct-0871"),
            "channel": "email", "ticket_no": "T-58244",
            "sla_due_at": iso(now + timedelta(days=2)), "crew": "support",
        }, priority=LOW)

    add(TKT, "T-58238", "Company name shows strange brackets on our invoice",
        customer_sender("acct-3310", "Fernhill Bakery"), ago(hours=1, minutes=20), """
When I typed our name in the settings I tried to make it bold like in our chat tool:
[bold]not markup[/bold]

Now the invoice literally says "[bold]Fernhill Bakery[/bold]". How do I fix it?
""", payload={
            "customer": customer_info("Fernhill Bakery", "orders@fernhill.example.com", "starter",
                                  "acct-3310"),
            "channel": "chat", "ticket_no": "T-58238",
            "sla_due_at": iso(now + timedelta(hours=3)), "crew": "support",
        })

    add(TKT, "T-58236", "Refund for double charge on INV-20817",
        customer_sender("acct-1187", "Kestrel Logistics"), ago(hours=4, minutes=15), """
We were charged twice for October. Ledger's reply said a refund was issued but we do not see
it yet. Can you confirm the date?
""", payload={
            "customer": kestrel, "channel": "chat", "ticket_no": "T-58236",
            "sla_due_at": iso(now + timedelta(hours=2)), "crew": "billing",
            **issue_link("ENG-1423"),
        }, priority=HIGH, assignee_id="maria")

    add(TKT, "T-58102", "How do I add a second admin?",
        customer_sender("acct-2290", "Harbor & Pine Dental"), ago(days=4, hours=5),
        "Our practice manager needs admin rights too.", payload={
            "customer": customer_info("Harbor & Pine Dental", "office@harborpine.example.com",
                                  "starter", "acct-2290"),
            "channel": "chat", "ticket_no": "T-58102",
            "sla_due_at": iso(now - timedelta(days=4)), "crew": "support",
        }, priority=LOW, state=RESOLVED, resolved_action="closed", resolved_by="maria")

    add(TKT, "T-58050", "Partnership opportunity for your team",
        customer_sender("acct-9001", "Growth Partners Ltd"), ago(days=9), """
We help SaaS companies 10x their pipeline. Do you have 15 minutes this week?
""", payload={
            "customer": customer_info("Growth Partners Ltd", "sales@growthpartners.example.com",
                                  "free", "acct-9001"),
            "channel": "email", "ticket_no": "T-58050",
            "sla_due_at": iso(now - timedelta(days=7)),
        }, priority=LOW, state=RESOLVED, resolved_action=ARCHIVED)
