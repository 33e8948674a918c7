"""Failed runs, and kinds Cockpit does not know (shown as generic notifications)."""

from __future__ import annotations

from datetime import timedelta

from cockpit.domain.demo.common import (
    ATLAS,
    P_BACKUP,
    P_BILLING_SYNC,
    P_CERTS,
    P_DEPLOY,
    P_EXPORT,
    P_INVOICES,
    P_SEARCH,
    P_WAREHOUSE,
    SYS_BUDGET,
    issue_link,
)
from cockpit.domain.demo.inbox.builder import HIGH, LOW, READ, RESOLVED, RUN, URGENT, Builder


def failed_runs(b: Builder) -> None:
    """Failed runs."""
    add, ago, now, me = b.add, b.ago, b.now, b.me
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


def unknown_kinds(b: Builder) -> None:
    """Kinds Cockpit does not know: shown as generic notifications."""
    add, ago = b.add, b.ago
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
