"""What every part of the demo shares: `DemoItem`, the senders, links and customers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cockpit.domain.models import SenderIn, SenderType, State

SYNTHETIC_PREFIX = "syn-"  # every synthetic source_id starts with this; hand-written ones never do
TEAMMATES = ("maria", "dev", "sam")

_STATES = frozenset(s.value for s in State)


@dataclass(frozen=True, slots=True)
class DemoItem:
    """One demo item and the state a seeder should leave it in."""

    item: ItemIn
    state: str = State.UNREAD.value  # "unread" | "read" | "resolved"
    resolved_action: str | None = None  # set only when state == "resolved", e.g. "archived"
    resolved_by: str | None = None  # who resolved it (a user id), when resolved

    def __post_init__(self) -> None:
        if self.state not in _STATES:
            raise ValueError(f"unknown state {self.state!r}")
        if (self.state == State.RESOLVED.value) != (self.resolved_action is not None):
            raise ValueError("resolved_action goes with state 'resolved', and only with it")


# --------------------------------------------------------------------------------------------
# Who sends things
# --------------------------------------------------------------------------------------------

def make_sender(type_: SenderType, id_: str, name: str) -> SenderIn:
    return SenderIn(type=type_, id=id_, name=name)


ATLAS = make_sender(SenderType.AGENT, "agent:atlas", "Atlas")  # ops / infrastructure agent
JUNO = make_sender(SenderType.AGENT, "agent:juno", "Juno")  # support triage agent
KEEPER = make_sender(SenderType.AGENT, "agent:keeper", "Keeper")  # evaluator of risky proposals
SCOUT = make_sender(SenderType.AGENT, "agent:scout", "Scout")  # code and research agent
LEDGER = make_sender(SenderType.AGENT, "agent:ledger", "Ledger")  # billing agent

CREW_BILLING = make_sender(SenderType.CREW, "crew:billing", "Billing crew")
CREW_PLATFORM = make_sender(SenderType.CREW, "crew:platform", "Platform crew")
CREW_SUPPORT = make_sender(SenderType.CREW, "crew:support", "Support crew")
CREW_DATA = make_sender(SenderType.CREW, "crew:data", "Data crew")

P_DEPLOY = make_sender(SenderType.PIPELINE, "pipeline:deploy", "deploy")
P_BILLING_SYNC = make_sender(SenderType.PIPELINE, "pipeline:nightly-billing-sync",
                         "nightly-billing-sync")
P_REFUNDS = make_sender(SenderType.PIPELINE, "pipeline:weekly-refund-batch", "weekly-refund-batch")
P_WAREHOUSE = make_sender(SenderType.PIPELINE, "pipeline:warehouse-load", "warehouse-load")
P_CERTS = make_sender(SenderType.PIPELINE, "pipeline:cert-rotation", "cert-rotation")
P_EXPORT = make_sender(SenderType.PIPELINE, "pipeline:customer-export", "customer-export")
P_BACKUP = make_sender(SenderType.PIPELINE, "pipeline:backup-verify", "backup-verify")
P_RETENTION = make_sender(SenderType.PIPELINE, "pipeline:retention-purge", "retention-purge")
P_SEARCH = make_sender(SenderType.PIPELINE, "pipeline:search-reindex", "search-reindex")
P_COST = make_sender(SenderType.PIPELINE, "pipeline:weekly-cost-report", "weekly-cost-report")
P_INVOICES = make_sender(SenderType.PIPELINE, "pipeline:invoice-pdf-render", "invoice-pdf-render")

SYS_COCKPIT = make_sender(SenderType.SYSTEM, "system:cockpit", "Cockpit")
SYS_TRACKER = make_sender(SenderType.SYSTEM, "system:tracker", "Tracker")
SYS_SCHEDULER = make_sender(SenderType.SYSTEM, "system:scheduler", "Scheduler")
SYS_BUDGET = make_sender(SenderType.SYSTEM, "system:budget", "Budget watch")

TRACKER = "https://tracker.example.com"
CHAT = "https://chat.example.com"
WIKI = "https://wiki.example.com"
HOOKS = "http://127.0.0.1:9/hooks"  # loopback discard port: never a real host


def issue_link(key: str) -> dict[str, str]:
    return {"issue": key, "url": f"{TRACKER}/{key}"}


def customer_sender(account_id: str, name: str) -> SenderIn:
    return make_sender(SenderType.CUSTOMER, f"customer:{account_id}", name)


def customer_info(name: str, email: str, plan: str, account_id: str) -> dict[str, Any]:
    """A ticket's customer as DESIGN.md names it ({id, name, email, vip}), with the plan;
    enterprise customers are VIPs."""
    return {"id": account_id, "name": name, "email": email, "vip": plan == "enterprise",
            "plan": plan, "account_id": account_id}


