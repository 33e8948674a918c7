"""Waitpoints and escalations: the decisions waiting for a person."""

from __future__ import annotations

from datetime import timedelta

from cockpit.domain.demo.common import (
    ATLAS,
    CREW_SUPPORT,
    HOOKS,
    JUNO,
    KEEPER,
    LEDGER,
    P_CERTS,
    P_DEPLOY,
    P_REFUNDS,
    P_RETENTION,
    SCOUT,
    SYS_COCKPIT,
    issue_link,
)
from cockpit.domain.demo.inbox.builder import ESC, HIGH, LOW, READ, RESOLVED, URGENT, WP, Builder


def waitpoints(b: Builder) -> None:
    """Waitpoints: pipelines paused at a named step."""
    add, ago, iso, now, me = b.add, b.ago, b.iso, b.now, b.me
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
            "version": "v2.14.0", "environment": "prod", "crew": "billing",
            **issue_link("ENG-1423"),
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


def escalations(b: Builder) -> None:
    """Escalations."""
    add, ago, me = b.add, b.ago, b.me
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
