"""The welcome note and messages: issues, chat replies, FYI."""

from __future__ import annotations

from datetime import timedelta

from cockpit.domain.demo.common import (
    ATLAS,
    CHAT,
    CREW_PLATFORM,
    JUNO,
    P_COST,
    SCOUT,
    SYS_COCKPIT,
    SYS_SCHEDULER,
    SYS_TRACKER,
    issue_link,
)
from cockpit.domain.demo.inbox.builder import HIGH, LOW, MSG, READ, RESOLVED, Builder
from cockpit.domain.models import ARCHIVED


def welcome(b: Builder) -> None:
    """A welcome note, the first thing a newcomer reads."""
    add, ago, me = b.add, b.ago, b.me
    add(MSG, "welcome", "Welcome to Cockpit: your team's triage inbox", SYS_COCKPIT,
        ago(minutes=2), """
## Welcome

Everything that needs a person lands here: **approvals**, **escalations**, **failed runs**,
**notifications** and **customer tickets**.

### Getting around

- `j` / `k` move, `enter` opens an item and marks it read
- `e` archives, `I` / `U` mark read / unread, `z` undoes
- `space` selects rows for bulk work, `/` filters, `?` lists every key

Decisions (approve, deny, retry) always ask before they run.
""", tags=["fyi", "getting-started"], priority=LOW, target_user_id=me)


def messages(b: Builder) -> None:
    """Messages: issues, chat replies, FYI."""
    add, ago, iso, now, me = b.add, b.ago, b.iso, b.now, b.me
    add(MSG, "msg-eng-1423-opened", "Scout opened ENG-1423: billing sync deadlocks", SCOUT,
        ago(hours=5, minutes=50), """
## ENG-1423: nightly billing sync deadlocks on large accounts

Two workers update `usage_totals` for the same account in different orders.

Proposed fix: sort updates by `(account_id, meter)` and batch per account.
""", payload={**issue_link("ENG-1423"), "crew": "billing"}, priority=HIGH)

    add(MSG, "msg-eng-1445-opened", "Juno opened ENG-1445: VAT rate wrong on NL invoices", JUNO,
        ago(hours=8, minutes=50), """
## ENG-1445: invoices for NL customers use 19% VAT

Seen on ticket T-58231 (Kestrel Logistics). Started with Monday's `tax-rules` update.

- affected: at least **3** invoices, likely every NL account since Monday
- workaround: none yet; corrected invoices must be reissued
""", payload={**issue_link("ENG-1445"), "crew": "billing"}, priority=HIGH, assignee_id="maria")

    add(MSG, "msg-eng-1431-comment", "maria commented on ENG-1431", SYS_TRACKER,
        ago(hours=1, minutes=12), """
> Index build on the replica took 9m40s. Good to go from my side once a second approver signs.
""", payload={**issue_link("ENG-1431"), "author": "maria", "crew": "platform"}, state=READ)

    add(MSG, "msg-eng-1409-in-review", "ENG-1409 moved to In Review", SYS_TRACKER,
        ago(hours=8), "**Status page migration**: `Todo` -> `In Review` by dev.",
        payload={**issue_link("ENG-1409"), "from": "Todo", "to": "In Review", "crew": "platform"},
        priority=LOW, state=READ)

    add(MSG, "msg-eng-1436-assigned", "ENG-1436 was assigned to you", SYS_TRACKER,
        ago(hours=10), """
**ENG-1436: customer-export crashes without billing address**

- reported by: Juno (from ticket T-58207)
- affects: Lumen Analytics
""", payload={**issue_link("ENG-1436"), "crew": "support"}, target_user_id=me, assignee_id=me)

    add(MSG, "msg-chat-incidents-502", "Reply in #incidents: root cause of the 502s found",
        CREW_PLATFORM, ago(minutes=25), """
**dev:** it's the proxy read timeout. Checkout calls the tax service, which got slow after
Tuesday's deploy; anything over `30s` becomes a `502`. Scout has a PR ready (ENG-1440).
""", payload={
            "chat": "#incidents", "thread_id": "th-5521",
            "url": f"{CHAT}/c/incidents/th-5521", "issue": "ENG-1440", "crew": "platform",
        }, priority=HIGH)

    add(MSG, "msg-chat-deploys-mention", "Atlas mentioned you in #deploys", ATLAS,
        ago(minutes=12), """
@you billing-api v2.14 canary looks clean. The prod approval is waiting in your inbox;
it times out in about 40 minutes.
""", payload={
            "chat": "#deploys", "thread_id": "th-5530", "url": f"{CHAT}/c/deploys/th-5530",
            "crew": "billing", "issue": "ENG-1423",
        }, target_user_id=me)

    add(MSG, "msg-chat-support-refund-policy",
        "Juno in #support-escalations: refund window is 14 or 30 days?", JUNO,
        ago(hours=3, minutes=40), """
Customers quote **30 days**, the help center says **14**. Which one do I apply?

The current policy is on the wiki: [Refund policy](https://wiki.example.com/policies/refunds).
""", payload={
            "chat": "#support-escalations", "thread_id": "th-5498",
            "url": f"{CHAT}/c/support-escalations/th-5498", "crew": "support",
        }, assignee_id="maria")

    add(MSG, "msg-maintenance-window", "Maintenance window Saturday 02:00-04:00 UTC",
        SYS_SCHEDULER, ago(days=1, hours=2), """
### Planned maintenance

- `ledger-db` minor version upgrade
- `edge-proxy` certificate rotation (postponed from Tuesday)

Expect up to **5 minutes** of read-only mode for billing.
""", payload={"window_start": iso(now + timedelta(days=3)), "crew": "platform"},
        tags=["fyi", "maintenance"], priority=LOW, target_role="member", state=READ)

    add(MSG, "msg-weekly-cost-report", "Weekly cost report is ready", P_COST,
        ago(days=1, hours=6), """
Spend last week: **USD 18,420** (+6% week over week). Biggest mover: `gpu-batch-2`.
""", payload={
            "routine": "weekly-cost-report", "url": "https://reports.example.com/cost/week-46",
            "crew": "data",
        }, tags=["fyi", "cost"], priority=LOW, state=READ)

    add(MSG, "msg-oncall-handover", "On-call handover: maria -> dev", SYS_SCHEDULER,
        ago(days=3, hours=9), """
Open at handover: ENG-1409 (status page), ENG-1417 (GPU pool). Nothing paging.
""", tags=["fyi", "on-call"], priority=LOW, state=RESOLVED, resolved_action=ARCHIVED)

    add(MSG, "msg-scout-dependency-audit", "Scout finished the dependency audit: 0 critical",
        SCOUT, ago(days=6), """
- **0** critical, **2** high (both in dev-only tools), **11** moderate
- report: `audit/2024-w45.md`
""", tags=["fyi"], priority=LOW, state=RESOLVED, resolved_action=ARCHIVED)

    add(MSG, "msg-review-request-maria", "Review requested on ENG-1431 (migration 0147)",
        SYS_TRACKER, ago(hours=2), "dev asked you to review the migration plan.",
        payload={**issue_link("ENG-1431"), "crew": "platform"}, target_user_id="maria"
        if me != "maria" else "dev")

    add(MSG, "msg-release-notes-digest", "Release notes digest: 6 services shipped this week",
        CREW_PLATFORM, ago(days=8), """
1. `billing-api` v2.13.2
2. `search-indexer` v0.9.2
3. `auth-gateway` v4.1.0
4. three internal tools
""", tags=["fyi", "digest"], priority=LOW, state=READ)
