"""The hand-written inbox: about fifty items of every kind, as a team would have left them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cockpit.domain.demo.common import (
    ATLAS,
    CHAT,
    CREW_PLATFORM,
    CREW_SUPPORT,
    HOOKS,
    JUNO,
    KEEPER,
    LEDGER,
    P_BACKUP,
    P_BILLING_SYNC,
    P_CERTS,
    P_COST,
    P_DEPLOY,
    P_EXPORT,
    P_INVOICES,
    P_REFUNDS,
    P_RETENTION,
    P_SEARCH,
    P_WAREHOUSE,
    SCOUT,
    SYS_BUDGET,
    SYS_COCKPIT,
    SYS_SCHEDULER,
    SYS_TRACKER,
    DemoItem,
    customer_info,
    customer_sender,
    issue_link,
)
from cockpit.domain.models import ARCHIVED, ItemIn, Kind, Priority, SenderIn, State

def demo_items(now: datetime, user_id: str) -> list[DemoItem]:
    """A realistic inbox for a small platform/support team, as `user_id` would find it.

    About fifty items across every kind; created over the last ten days (mostly the last two);
    some personal to `user_id`, some for a role, most for everyone. Roughly 60% unread, 25% read
    and 15% resolved. Source ids are stable, so seeding twice inserts nothing new (personal items
    carry the user's id in their source id, so a second demo user gets their own).
    """
    me = user_id
    out: list[DemoItem] = []

    def ago(**delta: float) -> datetime:
        return now - timedelta(**delta)

    def iso(when: datetime) -> str:
        return when.isoformat()

    def add(kind: str, source_id: str, title: str, sender: SenderIn, created_at: datetime,
            body_md: str = "", *, payload: dict[str, Any] | None = None,
            priority: Priority = Priority.NORMAL, blocking: bool = False,
            target_user_id: str | None = None, target_role: str | None = None,
            tags: list[str] | None = None, assignee_id: str | None = None,
            state: State = State.UNREAD, resolved_action: str | None = None,
            resolved_by: str | None = None) -> None:
        if target_user_id is not None:
            source_id = f"{source_id}-{target_user_id}"
        item = ItemIn(
            kind=kind, source_id=source_id, title=title, body_md=body_md.strip() + "\n",
            sender=sender, target_user_id=target_user_id, target_role=target_role,
            priority=priority, blocking=blocking, payload=payload or {}, tags=tags or [],
            assignee_id=assignee_id, created_at=created_at,
        )
        if state == State.RESOLVED:
            resolved_by = resolved_by or me
        out.append(DemoItem(item, state.value, resolved_action, resolved_by))

    WP, ESC, RUN, MSG, TKT = (Kind.WAITPOINT.value, Kind.ESCALATION.value, Kind.FAILED_RUN.value,
                              Kind.MESSAGE.value, Kind.TICKET.value)
    READ, RESOLVED = State.READ, State.RESOLVED
    LOW, HIGH, URGENT = Priority.LOW, Priority.HIGH, Priority.URGENT

    # ---- a welcome note, the first thing a newcomer reads ---------------------------------
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

    # ---- waitpoints: pipelines paused at a named step -------------------------------------
    add(WP, "wp-deploy-billing-api-2.14-prod", "Approve deploy of billing-api v2.14 to prod",
        P_DEPLOY, ago(minutes=18), """
## billing-api v2.14.0 -> prod

Canary on `prod-eu-1` has run for **30 min** with no regressions.

- error rate: `0.04%` (baseline `0.05%`)
- p95 latency: `212 ms` (baseline `220 ms`)
- migrations: none

Changes: ENG-1423 (sync batching), ENG-1431 (ledger index).
""", payload={
            "pipeline": "deploy-billing-api", "routine": "release-train", "run_id": "run-20931",
            "step": "prod-approval", "step_index": 4, "step_count": 6,
            "timeout_at": iso(now + timedelta(minutes=42)),
            "callback_url": f"{HOOKS}/deploy/run-20931", "service": "billing-api",
            "version": "v2.14.0", "environment": "prod", "crew": "billing", **issue_link("ENG-1423"),
        }, priority=HIGH, blocking=True, tags=["deploy", "prod"])

    add(WP, "wp-ledger-db-migration-0147", "Approve schema migration 0147 on ledger-db (prod)",
        P_DEPLOY, ago(minutes=35), """
## Migration `0147_add_invoice_lines_idx`

Adds a concurrent index on `invoice_lines(account_id, created_at)`.

- estimated build time: **~11 min**, no table lock
- rollback: `DROP INDEX CONCURRENTLY invoice_lines_account_created_idx`

This step needs **two approvers** (four-eyes rule for prod schema changes).
""", payload={
            "pipeline": "ledger-db-migrate", "routine": "schema-migrations", "run_id": "run-20944",
            "step": "four-eyes-approval", "step_index": 2, "step_count": 5,
            "timeout_at": iso(now + timedelta(minutes=20)), "second_approver_required": True,
            "callback_url": f"{HOOKS}/migrations/run-20944", "crew": "platform",
            **issue_link("ENG-1431"),
        }, priority=URGENT, blocking=True, target_role="manager", tags=["prod", "database"])

    add(WP, "wp-refund-batch-w46", "Confirm refund batch of 37 payouts (EUR 4,812.50)",
        P_REFUNDS, ago(hours=3, minutes=10), """
## Weekly refund batch

| | |
|---|---|
| payouts | 37 |
| total | EUR 4,812.50 |
| largest | EUR 640.00 (`acct-2290`) |

Two payouts were flagged by Ledger as possible duplicates and are **held back**.
""", payload={
            "pipeline": "weekly-refund-batch", "routine": "weekly-refund-batch",
            "run_id": "run-20871", "step": "finance-confirmation", "step_index": 3,
            "step_count": 4, "timeout_at": iso(now + timedelta(hours=6)), "crew": "billing",
            "payout_count": 37, "total": "4812.50", "currency": "EUR",
        }, priority=HIGH, target_user_id=me, state=READ)

    add(WP, "wp-status-page-dns-cutover", "Approve DNS cutover for status page", P_DEPLOY,
        ago(hours=5), """
## status page DNS cutover

Point `status.example.com` at the new static host. TTL was lowered to `60s` yesterday.

The approval window **has passed**; the run keeps waiting until someone decides.
""", payload={
            "pipeline": "status-page-migrate", "routine": "status-page-migrate",
            "run_id": "run-20790", "step": "dns-cutover", "step_index": 5, "step_count": 7,
            "timeout_at": iso(now - timedelta(hours=2)), "crew": "platform",
            **issue_link("ENG-1409"),
        }, priority=HIGH, tags=["dns"])

    add(WP, "wp-retention-purge-2024", "Approve data retention purge (412k rows > 400 days)",
        P_RETENTION, ago(hours=9), """
## Monthly retention purge

Deletes **412,337** rows older than 400 days from `events_raw` and `audit_archive`.

- a snapshot `snap-retention-pre` was taken at the start of the run
- deleted rows cannot be restored after the snapshot expires (7 days)
""", payload={
            "pipeline": "retention-purge", "routine": "monthly-retention-purge",
            "run_id": "run-20702", "step": "confirm-delete", "step_index": 2, "step_count": 3,
            "timeout_at": iso(now + timedelta(days=1)), "crew": "data", "row_count": 412337,
        }, target_role="admin", tags=["data", "compliance"])

    add(WP, "wp-flag-new-checkout-25", "Roll out flag `new-checkout` to 25% of traffic",
        P_DEPLOY, ago(hours=1, minutes=5), """
Stage 2 of 4 of the `new-checkout` rollout. At 5% for 24h: conversion **+1.8%**, no new errors.
""", payload={
            "pipeline": "flag-rollout", "routine": "flag-rollout", "run_id": "run-20920",
            "step": "rollout-25", "step_index": 2, "step_count": 4,
            "timeout_at": iso(now + timedelta(hours=3)), "flag": "new-checkout",
            "crew": "platform", **issue_link("ENG-1440"),
        }, assignee_id="dev")

    add(WP, "wp-deploy-search-indexer-0.9.3-staging",
        "Approve deploy of search-indexer v0.9.3 to staging", P_DEPLOY, ago(days=2, hours=4),
        "Staging deploy of search-indexer; smoke tests green.", payload={
            "pipeline": "deploy-search-indexer", "routine": "release-train",
            "run_id": "run-20511", "step": "staging-approval", "step_index": 2,
            "step_count": 6, "timeout_at": iso(now - timedelta(days=2)), "crew": "data",
        }, state=RESOLVED, resolved_action="approved", resolved_by="maria")

    add(WP, "wp-cert-rotation-edge-proxy", "Approve cert rotation on edge-proxy", P_CERTS,
        ago(days=4, hours=2), """
Rotate the wildcard certificate on `edge-proxy` outside the maintenance window.
Denied: wait for Saturday's window.
""", payload={
            "pipeline": "cert-rotation", "routine": "cert-rotation", "run_id": "run-20214",
            "step": "swap-certificate", "step_index": 3, "step_count": 4,
            "timeout_at": iso(now - timedelta(days=3)), "crew": "platform",
            **issue_link("ENG-1409"),
        }, priority=HIGH, state=RESOLVED, resolved_action="denied")

    # ---- escalations ----------------------------------------------------------------------
    add(ESC, "esc-atlas-credential-ledger-export",
        "Atlas needs a read-only token for the ledger export API", ATLAS, ago(minutes=50), """
## Credential needed

Atlas is moving the nightly ledger export off the legacy cron host and needs a
**read-only API token** for the ledger export service in **staging**.

- scope: `exports:read` (nothing else)
- lifetime: 90 days
- where: store it in the vault at `ops/atlas/ledger-export`, then approve

Do **not** paste the token into this inbox or into chat.
""", payload={
            "type": "CREDENTIAL", "agent": "agent:atlas", "secret_name": "LEDGER_EXPORT_TOKEN",
            "scope": "exports:read", "environment": "staging",
            "vault_path": "ops/atlas/ledger-export", "crew": "platform", **issue_link("ENG-1438"),
        }, priority=HIGH, blocking=True, target_user_id=me, tags=["credential"])

    add(ESC, "esc-scout-permission-infra-terraform",
        "Scout asks for write access to `infra-terraform`", SCOUT, ago(hours=2, minutes=20), """
Scout prepared the fix for ENG-1440 (502s on the checkout path) but cannot open the pull
request: it has `read` on `infra-terraform` and needs `write` for one branch.
""", payload={
            "type": "PERMISSION", "agent": "agent:scout",
            "reason": "open a pull request raising proxy_read_timeout from 30s to 60s",
            "permission": "repo:write", "resource": "infra-terraform", "duration": "24h",
            "crew": "platform", **issue_link("ENG-1440"),
        }, target_role="manager")

    add(ESC, "esc-keeper-gpu-pool-scale-down",
        "Keeper proposes: scale GPU pool gpu-batch-2 down to 0", KEEPER, ago(hours=1, minutes=40),
        """
## Proposal from Scout, reviewed by Keeper

`gpu-batch-2` has been idle for **6 days** and costs about **USD 310/day**.

### Risk

- two scheduled training jobs reference this pool (`weekly-embeddings`, `churn-model`)
- scale-up takes ~25 min, so the next run would start late

Keeper rates this **7.5 / 10** and wants a person to decide.
""", payload={
            "evaluator": "keeper", "proposed_by": "agent:scout",
            "proposed_action": "scale node pool gpu-batch-2 from 4 to 0 nodes",
            "risk_score": 7.5,
            "rationale": "saves about USD 310/day, but two scheduled jobs use the pool and "
                         "scale-up is slow",
            "crew": "data", **issue_link("ENG-1417"),
        }, priority=HIGH)

    add(ESC, "esc-keeper-sandbox-key-rotation",
        "Keeper proposes: rotate stale keys for 3 sandbox integrations", KEEPER,
        ago(hours=20), """
Three sandbox integrations use keys older than 180 days. Rotation is low risk: sandbox only,
and the owners were notified on ENG-1402.
""", payload={
            "evaluator": "keeper", "proposed_by": "agent:atlas",
            "proposed_action": "rotate API keys for sandbox integrations sb-07, sb-11, sb-19",
            "risk_score": 2.0,
            "rationale": "sandbox only; owners notified; old keys stay valid for 24h",
            "crew": "platform", **issue_link("ENG-1402"),
        }, priority=LOW, state=READ)

    add(ESC, "esc-advisory-keeper-unavailable",
        "Evaluator unavailable, proposal not reviewed", SYS_COCKPIT, ago(hours=4), """
Keeper did not answer within **30 s**, so this proposal from Ledger went ahead **unreviewed**
(it was below the auto-approve limit):

> void duplicate invoice draft `INV-D-7731`

Nothing to decide here. Archive it once you have had a look.
""", payload={
            "advisory": True, "evaluator": "keeper", "proposed_by": "agent:ledger",
            "proposed_action": "void duplicate invoice draft INV-D-7731",
            "reason": "evaluator timeout after 30s", "crew": "billing",
        }, tags=["advisory"])

    add(ESC, "esc-hire-quill-tier1-billing",
        "Hire request: Quill, a tier-1 billing support agent", CREW_SUPPORT, ago(hours=7), """
## Hire request

The support crew answers about **140 billing questions a week**; most are invoice copies and
VAT questions. Juno proposes a dedicated agent.

- **name:** Quill
- **role:** tier-1 support (billing)
- **skills:** `invoice-lookup`, `vat-rules-eu`, `refund-policy`, `handoff-to-human`
- **budget:** up to 2,000 tasks/month
""", payload={
            "type": "HIRE", "agent_name": "Quill", "role": "tier-1 support (billing)",
            "requested_by": "agent:juno",
            "skills": ["invoice-lookup", "vat-rules-eu", "refund-policy", "handoff-to-human"],
            "crew": "support",
        }, target_role="manager", tags=["hiring"])

    add(ESC, "esc-ledger-void-inv-20817", "Ledger asks to void duplicate invoice INV-20817",
        LEDGER, ago(days=3, hours=1), """
Kestrel Logistics was charged twice for October (INV-20816 and INV-20817).
Ledger wants to void `INV-20817` and refund the card.
""", payload={
            "type": "APPROVAL", "agent": "agent:ledger", "reason": "duplicate charge",
            "amount": "1290.00", "currency": "EUR", "crew": "billing", **issue_link("ENG-1423"),
        }, priority=HIGH, state=RESOLVED, resolved_action="approved", resolved_by="maria")

    add(ESC, "esc-juno-goodwill-credit-limit",
        "Juno wants to grant a goodwill credit above its limit", JUNO, ago(hours=26), """
Harbor & Pine Dental lost two days of bookings during the ENG-1440 outage.
Juno suggests a **USD 150** credit; its own limit is USD 50.
""", payload={
            "type": "BUDGET", "agent": "agent:juno", "reason": "credit above agent limit",
            "amount": "150.00", "limit": "50.00", "currency": "USD", "crew": "support",
            **issue_link("ENG-1440"),
        }, state=READ, assignee_id=me)

    # ---- failed runs ----------------------------------------------------------------------
    yesterday = (now - timedelta(days=1)).date().isoformat()
    add(RUN, "run-88213", "nightly-billing-sync failed after 3 attempts", P_BILLING_SYNC,
        ago(hours=6, minutes=12), """
## nightly-billing-sync, run `run-88213`

Failed on step `apply-usage` for the **largest 12 accounts**; the rest synced.

Likely the same deadlock as ENG-1423. Retry runs only the failed accounts.
""", payload={
            "pipeline": "nightly-billing-sync", "routine": "nightly-billing-sync",
            "run_id": "run-88213", "attempt": 3,
            "inputs": {"date": yesterday, "accounts": "all", "batch_size": 500,
                       "dry_run": False},
            "error": "psycopg.errors.DeadlockDetected: deadlock detected\n"
                     "DETAIL:  Process 4121 waits for ShareLock on transaction 99812; "
                     "blocked by process 4187.\n"
                     "CONTEXT:  while updating tuple (1203,7) in relation \"usage_totals\"",
            "crew": "billing", **issue_link("ENG-1423"),
        }, priority=HIGH, tags=["billing"])

    add(RUN, "run-77410", "warehouse-load timed out loading events_raw", P_WAREHOUSE,
        ago(hours=4, minutes=30), """
The `COPY` into `events_raw` ran past its 900 s limit. Yesterday's file was **3.4x** the usual
size (a retry storm in the mobile client).
""", payload={
            "pipeline": "warehouse-load", "routine": "hourly-warehouse-load",
            "run_id": "run-77410", "attempt": 1,
            "inputs": {"table": "events_raw", "partition": yesterday,
                       "source": "s3://landing.example.com/events/", "max_seconds": 900},
            "error": "TimeoutError: COPY events_raw exceeded 900s (rows loaded: 18,220,114)",
            "crew": "data",
        })

    add(RUN, "run-55102", "cert-rotation failed: ACME challenge for status.example.com",
        P_CERTS, ago(hours=2, minutes=45), """
The HTTP-01 challenge got a `404` because the status page DNS still points at the old host
(see the waitpoint for the DNS cutover, ENG-1409). The current certificate expires in **5 days**.
""", payload={
            "pipeline": "cert-rotation", "routine": "cert-rotation", "run_id": "run-55102",
            "attempt": 2,
            "inputs": {"domains": ["status.example.com"], "issuer": "acme-staging",
                       "key_type": "ecdsa-p256"},
            "error": "acme: error 403 urn:ietf:params:acme:error:unauthorized\n"
                     "Invalid response from http://status.example.com/.well-known/"
                     "acme-challenge/…: 404",
            "crew": "platform", **issue_link("ENG-1409"),
        }, priority=URGENT, blocking=True, tags=["tls"])

    add(RUN, "run-66031", "customer-export failed for acct-1042", P_EXPORT, ago(hours=11), """
Export for **Lumen Analytics** crashed on accounts without a billing address.
Fix in review on ENG-1436.
""", payload={
            "pipeline": "customer-export", "routine": "customer-export", "run_id": "run-66031",
            "attempt": 1,
            "inputs": {"account_id": "acct-1042", "format": "csv", "include": ["invoices",
                                                                              "usage"]},
            "error": "Traceback (most recent call last):\n"
                     "  File \"export/rows.py\", line 88, in invoice_row\n"
                     "    addr = account[\"billing_address\"]\n"
                     "KeyError: 'billing_address'",
            "crew": "support", **issue_link("ENG-1436"),
        }, state=READ, assignee_id="dev")

    add(RUN, "run-91877", "backup-verify: checksum mismatch on shard 7/12", P_BACKUP,
        ago(hours=13), """
Restore test of last night's `ledger-db` backup failed on **shard 7 of 12**.
The other 11 shards restored and matched.
""", payload={
            "pipeline": "backup-verify", "routine": "nightly-backup-verify",
            "run_id": "run-91877", "attempt": 1,
            "inputs": {"database": "ledger-db", "backup_id": "bk-2291", "shards": 12,
                       "sample_rows": 10000},
            "error": "verify: shard 7 sha256 mismatch (expected 9f2c…e1, got 41ab…7d)",
            "crew": "platform",
        }, priority=HIGH, assignee_id=me)

    add(RUN, "run-40219", "search-reindex failed: index lock held", P_SEARCH,
        ago(days=1, hours=8), "A previous run still held the index lock; retried after it ended.",
        payload={
            "pipeline": "search-reindex", "routine": "search-reindex", "run_id": "run-40219",
            "attempt": 1, "inputs": {"index": "articles-v7", "full": False},
            "error": "IndexLockedError: lock 'articles-v7' held by run-40211", "crew": "data",
        }, state=RESOLVED, resolved_action="retried")

    add(RUN, "run-38002", "invoice-pdf-render failed for 4 invoices", P_INVOICES,
        ago(days=2, hours=3), "Four invoices use a font the renderer does not ship.", payload={
            "pipeline": "invoice-pdf-render", "routine": "invoice-pdf-render",
            "run_id": "run-38002", "attempt": 2,
            "inputs": {"invoice_ids": ["INV-20790", "INV-20791", "INV-20794", "INV-20802"],
                       "template": "eu-v3"},
            "error": "RenderError: font 'Inter Display' not found (template eu-v3)",
            "crew": "billing",
        }, priority=LOW, state=READ)

    add(RUN, "run-30114", "dependency-audit failed: registry unreachable", ATLAS,
        ago(days=5), "Transient network error; cancelled, the next weekly run passed.", payload={
            "pipeline": "dependency-audit", "routine": "weekly-dependency-audit",
            "run_id": "run-30114", "attempt": 1, "inputs": {"repos": 14, "severity": "high"},
            "error": "ConnectError: [Errno 101] Network is unreachable", "crew": "platform",
        }, priority=LOW, state=RESOLVED, resolved_action="cancelled")

    # ---- messages: issues, chat replies, FYI ----------------------------------------------
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

    # ---- customer tickets -----------------------------------------------------------------
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

    # ---- kinds Cockpit does not know: shown as generic notifications ----------------------
    add("deploy_notice", "deploy-billing-api-2.13.2-prod", "billing-api v2.13.2 deployed to prod",
        P_DEPLOY, ago(days=1, hours=1), """
Deployed by the release train in **6m 12s**. No rollbacks.
""", payload={
            "service": "billing-api", "version": "v2.13.2", "environment": "prod",
            "duration_s": 372, "routine": "release-train", "crew": "billing",
        }, tags=["deploy"], priority=LOW, state=READ)

    add("cost_alert", "cost-warehouse-2024-11", "Data warehouse spend at 92% of monthly budget",
        SYS_BUDGET, ago(hours=3), """
| | USD |
|---|---|
| budget | 12,000 |
| spent | 11,040 |
| forecast | 13,900 |

Main driver: the `warehouse-load` retries on `events_raw`.
""", payload={
            "budget_usd": 12000, "spent_usd": 11040, "forecast_usd": 13900,
            "account": "data-warehouse", "crew": "data", **issue_link("ENG-1417"),
        }, priority=HIGH, tags=["cost"], target_role="manager")

    return out


