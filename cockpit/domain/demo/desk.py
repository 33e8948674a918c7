"""The demo's support desk: customers (one VIP), a day and a half of tickets with their
conversations (customer messages, public replies, internal notes, closes, CSAT, a reopening),
the tickets still open now in every SLA state, waiting tickets, and shared macros and views.

Pure data: times are minutes before `now`; a seeder plays each step through the server's own
services, so the timeline, the journal, SLA, routing and the events are all real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cockpit.domain.demo.common import HOOKS

SOURCE_PREFIX = "desk-"  # every desk ticket's source id starts with this
CHANNEL = "support-channel"  # the service account that reports what customers do
CUSTOMER_ACTIONS = ("customer_message", "csat")  # done by the channel, not by an agent


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happens to a ticket, `after` minutes after it was created; agent steps
    are done by whoever holds the ticket then."""

    after: int
    action: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoTicket:
    key: str
    minutes_ago: int
    queue: str
    customer: dict[str, Any]
    title: str
    body: str
    priority: str = "normal"
    skills: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def source_id(self) -> str:
        return SOURCE_PREFIX + self.key

    def payload(self) -> dict[str, Any]:
        return {"customer": self.customer, "queue": self.queue, "skills": list(self.skills),
                "channel": "email", "callback_url": f"{HOOKS}/desk/{self.key}"}


def _customer(account: str, name: str, company: str, email: str, *, vip: bool = False,
              plan: str = "business") -> dict[str, Any]:
    return {"id": account, "name": name, "email": email, "vip": vip, "company": company,
            "plan": plan}


CUSTOMERS = (
    _customer("acct-1042", "Sofia Lindqvist", "Lumen Analytics", "sofia@lumen.example.com",
              vip=True, plan="enterprise"),
    _customer("acct-1187", "Petra Novak", "Kestrel Logistics",
              "ap@kestrel-logistics.example.com"),
    _customer("acct-2290", "Amir Haddad", "Harbor & Pine Dental",
              "office@harborpine.example.com", plan="starter"),
    _customer("acct-3310", "Tom Okafor", "Fernhill Bakery", "orders@fernhill.example.com",
              plan="starter"),
    _customer("acct-0871", "Grace Liu", "Oakridge Public Library",
              "it@oakridge-library.example.com"),
    _customer("acct-3051", "Mateo Ruiz", "Brightleaf Studio", "hello@brightleaf.example.com",
              plan="starter"),
)
VIP = CUSTOMERS[0]

# (title, what the customer wrote, the first reply, an internal note, the customer's answer)
_STORIES: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "general": (
        ("Can't log in after a password reset",
         "I reset my password twice and the login page still says *invalid credentials*.",
         "Hi, I cleared the lockout on your account: please sign in again with the new "
         "password.", "Lockout from 5 failed attempts; cleared in the admin console.",
         "That worked, thank you!"),
        ("How do I add a second admin?", "Our office manager needs admin rights too.",
         "You can invite them under Settings → Team and pick the Admin role.",
         "Starter plan allows two admins: fine.", "Done, thanks."),
        ("CSV export has no date column", "The export we download every Monday lost its "
         "date column this week.", "Thanks for flagging it: the column is back in today's "
         "release; please export again.", "Known regression ENG-1431, fixed in 2.13.2.",
         "Confirmed, the dates are there."),
        ("Change the email on our account", "Please move our account to a new address: "
         "admin@ instead of office@.", "Done: the account now uses the new address, and we "
         "sent a confirmation there.", "Verified by a call-back to the number on file.",
         "Got the confirmation."),
    ),
    "billing": (
        ("Charged twice for November", "Our card shows two charges for November.",
         "I'm sorry about that: the second charge is refunded and shows in 3-5 days.",
         "Ledger: duplicate capture from the retry on 11-01; refund R-8841 issued.",
         "Thanks, we see it pending."),
        ("Invoice shows the wrong VAT rate", "Our invoices show 19% VAT instead of 21%.",
         "You're right: corrected invoices are attached, with 21% VAT.",
         "tax-rules update of Monday; ENG-1445 covers the fix.", "Perfect, forwarded to "
         "our accountant."),
        ("Refund for unused seats", "We removed 4 seats mid-month; can we get the "
         "difference back?", "Yes: the pro-rated amount is credited to your next invoice.",
         "Credit note CN-311 for 4 seats × 12 days.", "Great, thanks."),
        ("Cancel at the end of the period", "Please cancel our plan at period end and send "
         "a final invoice.", "Done: the plan ends on the 31st and the final invoice follows "
         "then.", "Offered a pause instead; declined.", "Thank you for everything!"),
    ),
    "technical": (
        ("Export API returns 429 on every call", "Our hourly job gets *429 Too Many "
         "Requests* though we're far under the limit.", "We found a stale rate-limit bucket "
         "for your key and reset it; calls go through again.",
         "Bucket keyed by the old org id after the migration: ENG-1436.",
         "Our job ran fine overnight."),
        ("Webhook deliveries fail with 401", "Since yesterday every webhook to us fails "
         "with 401.", "Your endpoint rejects our new signing header; the docs show the "
         "X-Signature-256 format to accept.", "Their proxy strips unknown headers.",
         "Updated the proxy: deliveries are green."),
        ("SSO login loops back to the start page", "Staff who sign in with SSO land on the "
         "start page again, forever.", "The IdP sends a clock 6 minutes ahead; we widened "
         "the allowed skew while you fix the server time.", "SAML NotBefore rejected; "
         "skew 360 s.", "Our IT fixed NTP, thanks."),
        ("500 from /v2/reports for one workspace", "Every call to /v2/reports answers 500 "
         "for our main workspace.", "A report with an empty filter broke the query; it is "
         "fixed and your calls answer again.", "Null filter in saved report 77; hotfix "
         "deployed.", "Yes, all good now."),
    ),
}
RATINGS = (5, 4, 5, 3, 5, 2, 4, 5, 1, 4, 5, 4)


def _history(rng: random.Random) -> list[DemoTicket]:
    """Tickets of yesterday's shift and of today's, answered and mostly closed and rated."""
    found: list[DemoTicket] = []
    queues = ("general", "billing", "technical")
    for n, created in enumerate([*range(25 * 60, 18 * 60, -35), *range(8 * 60, 90, -40)]):
        queue = queues[n % 3]
        title, message, reply, note, answer = _STORIES[queue][n // 3 % 4]
        customer = CUSTOMERS[n % len(CUSTOMERS)]
        first = rng.randint(6, 55)
        steps = [Step(first, "reply", {"body_md": reply})]
        if n % 2 == 0:
            steps.append(Step(first - 3, "note", {"body_md": note}))
        if n % 3 != 2:
            steps += [Step(first + 25, "customer_message", {"body_md": answer}),
                      Step(first + 25 + rng.randint(4, 40), "reply",
                           {"body_md": "Glad it's sorted! Closing this ticket now."})]
        if n % 4 == 1:
            steps.append(Step(first + 2, "tag", {"tags": [queue, "follow-up"]}))
        closes = created > 120 and n % 7 != 3  # a few stay open, answered
        if closes:
            done = first + 90 + rng.randint(0, 120)
            steps += [Step(done, "close", {"reason": "solved"}),
                      Step(done + 20, "csat", {"rating": RATINGS[n % len(RATINGS)]})]
        priority = ("normal", "high", "low", "normal", "urgent")[n % 5]
        found.append(DemoTicket(f"h{n:02d}", created, queue, customer, title, message,
                                priority, ("api",) if queue == "technical" else (),
                                tuple(sorted(steps, key=lambda s: s.after))))
    return found


def _now_open() -> list[DemoTicket]:
    """What the desk holds now: a reopened ticket, the VIP's, and new tickets whose SLA is
    ok, at risk or breached; technical tickets waiting for a free agent."""
    kestrel, harbor, fernhill, oakridge, brightleaf = CUSTOMERS[1:]
    title, message, reply, note, _ = _STORIES["billing"][0]
    return [
        DemoTicket("reopened", 23 * 60, "billing", kestrel, title, message, "normal", (), (
            Step(20, "reply", {"body_md": reply}),
            Step(60, "close", {"reason": "refunded"}),
            Step(80, "csat", {"rating": 4}),
            Step(23 * 60 - 150, "customer_message", {
                "body_md": "The refund still hasn't arrived, five days on."}),
            Step(23 * 60 - 120, "note", {"body_md": "Refund R-8841 bounced: card expired. "
                                                    "Asking for bank details."}),
            Step(23 * 60 - 110, "reply", {"body_md": "The refund bounced off the expired "
                                                     "card: could you send bank details?"}),
        )),
        DemoTicket("vip", 150, "technical", VIP, "Dashboards time out for the whole team",
                   "Since this morning none of our 40 analysts can open a dashboard: every "
                   "one times out after 30 s. **This blocks our board meeting at 4.**",
                   "high", ("api",), (
                       Step(5, "note", {"body_md": "VIP (enterprise): keep Sofia posted "
                                                   "every hour. Paged the data team."}),
                       Step(12, "tag", {"tags": ["vip", "outage"]}),
                       Step(18, "reply", {"body_md": "Hi Sofia, we're on it: a slow query "
                                          "in the dashboards service. Next update within "
                                          "the hour."}),
                       Step(70, "customer_message", {"body_md": "Any news? The meeting is "
                                                                "in two hours."}),
                   )),
        DemoTicket("breached", 40, "general", harbor, "Whole practice locked out",
                   "None of us can sign in and patients are arriving. Please call us!",
                   "urgent"),
        DemoTicket("at-risk", 50, "billing", fernhill, "Card declined on renewal",
                   "Our renewal failed with *card declined* but the card is fine.", "high",
                   (), (Step(8, "note", {"body_md": "Stripe shows a 3-D Secure timeout."}),)),
        DemoTicket("fresh", 12, "general", oakridge, "Does the Business plan include SAML?",
                   "Our IT department needs SAML SSO from January: which plan has it?",
                   "low"),
        DemoTicket("new", 25, "billing", brightleaf, "Need a PO number on our invoices",
                   "Our finance team needs the PO number printed on every invoice."),
        *(DemoTicket(f"waiting-{n}", minutes, "technical", customer, title, message,
                     "normal", ("api",))
          for n, (minutes, customer, (title, message, *_rest)) in enumerate(zip(
              (35, 28, 20, 14, 9), (kestrel, oakridge, harbor, VIP, fernhill),
              (*_STORIES["technical"], _STORIES["technical"][0]), strict=True))),
    ]


def desk_tickets(seed: int = 11) -> list[DemoTicket]:
    """Every demo desk ticket, the same for the same seed."""
    return [*_history(random.Random(seed)), *_now_open()]


MACROS = (
    {"name": "refund-issued", "title": "Refund issued, close", "actions": [
        {"action": "reply", "body_md": "Hi {{ customer.first_name | default('there') }}, "
                                       "we've refunded you: it shows within 3-5 working "
                                       "days.\n\n{{ agent.name }}, Support"},
        {"action": "tag", "tags": ["refund"]},
        {"action": "close", "reason": "refunded"}]},
    {"name": "need-details", "title": "Ask for details", "actions": [
        {"action": "reply", "body_md": "Hi {{ customer.first_name | default('there') }}, "
                                       "thanks for ticket #{{ ticket.id }} (\"{{ ticket.title "
                                       "}}\"). Could you send a screenshot and the time it "
                                       "happened?"},
        {"action": "tag", "tags": ["waiting-on-customer"]}]},
    {"name": "escalate-tech", "title": "Escalate to technical", "actions": [
        {"action": "note", "body_md": "Escalated by {{ agent.name }}: needs an engineer."},
        {"action": "priority", "priority": "high"},
        {"action": "transfer", "queue": "technical"}]},
)

VIEWS = (
    {"name": "vip", "title": "VIP customers", "query": "kind:ticket is:active tag:vip"},
    {"name": "billing_open", "title": "Billing, open", "query":
        "kind:ticket is:active queue:billing"},
    {"name": "waiting", "title": "Waiting for an agent", "query":
        "kind:ticket is:active assignee:none"},
)
