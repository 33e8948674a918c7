"""Synthetic items, for load and scrolling tests: any number, varied, the same for the same
arguments."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from cockpit.domain.demo.common import (
    ATLAS,
    CHAT,
    CREW_BILLING,
    CREW_DATA,
    CREW_PLATFORM,
    CREW_SUPPORT,
    HOOKS,
    JUNO,
    KEEPER,
    LEDGER,
    SCOUT,
    SYNTHETIC_PREFIX,
    SYS_BUDGET,
    SYS_COCKPIT,
    SYS_SCHEDULER,
    SYS_TRACKER,
    TEAMMATES,
    TRACKER,
    DemoItem,
    make_sender,
)
from cockpit.domain.models import ARCHIVED, ItemIn, Kind, Priority, SenderType

_SERVICES = ("billing-api", "search-indexer", "auth-gateway", "ledger-db", "notifications",
             "edge-proxy", "export-worker", "web-app", "tax-service", "media-resizer")
_ENVS = ("staging", "prod", "prod-eu", "prod-us")
_CREWS = ("billing", "platform", "support", "data", "growth")
_ISSUES = tuple(f"ENG-{n}" for n in range(1380, 1480, 3))
_AGENTS = (ATLAS, JUNO, KEEPER, SCOUT, LEDGER,
           make_sender(SenderType.AGENT, "agent:mira", "Mira"),
           make_sender(SenderType.AGENT, "agent:otto", "Otto"))
_CREW_SENDERS = (CREW_BILLING, CREW_PLATFORM, CREW_SUPPORT, CREW_DATA,
                 make_sender(SenderType.CREW, "crew:growth", "Growth crew"))
_SYSTEMS = (SYS_COCKPIT, SYS_TRACKER, SYS_SCHEDULER, SYS_BUDGET)
# (routine, step names)
_ROUTINES = (
    ("release-train", ("build", "test", "canary", "prod-approval", "rollout", "verify")),
    ("schema-migrations", ("plan", "four-eyes-approval", "apply", "verify", "cleanup")),
    ("weekly-refund-batch", ("collect", "dedupe", "finance-confirmation", "pay")),
    ("monthly-retention-purge", ("snapshot", "confirm-delete", "delete")),
    ("flag-rollout", ("rollout-5", "rollout-25", "rollout-50", "rollout-100")),
    ("nightly-billing-sync", ("fetch-usage", "apply-usage", "reconcile", "publish")),
    ("hourly-warehouse-load", ("extract", "copy", "transform", "swap")),
    ("cert-rotation", ("issue", "validate", "swap-certificate", "verify")),
    ("customer-export", ("query", "render", "upload", "notify")),
    ("nightly-backup-verify", ("restore", "checksum", "sample", "report")),
)
_PIPELINE_SENDERS = tuple(make_sender(SenderType.PIPELINE, f"pipeline:{r}", r)
                          for r, _ in _ROUTINES)
_ERRORS = (
    "psycopg.errors.DeadlockDetected: deadlock detected",
    "TimeoutError: step exceeded 900s",
    "ConnectError: [Errno 111] Connection refused",
    "KeyError: 'billing_address'",
    "MemoryError: worker exceeded 2048 MiB",
    "HTTPStatusError: 503 Service Unavailable from tax-service",
    "IntegrityError: duplicate key value violates unique constraint \"invoices_number_key\"",
    "ValueError: unexpected currency 'XXX' in row 1882",
    "verify: sha256 mismatch on shard 3",
    "OSError: [Errno 28] No space left on device",
)
_ESC_TYPES = ("CREDENTIAL", "PERMISSION", "PROPOSAL", "ADVISORY", "HIRE", "BUDGET")
_PERMS = (("repo:write", "infra-terraform"), ("db:read", "ledger-db-replica"),
          ("queue:purge", "notifications-dlq"), ("bucket:write", "exports"),
          ("role:assume", "deploy-bot"))
_SKILLS = ("invoice-lookup", "vat-rules-eu", "refund-policy", "log-triage", "sql-review",
           "incident-summary", "handoff-to-human", "terraform-plan", "churn-analysis")
_HIRE_NAMES = ("Quill", "Pike", "Wren", "Tamsin", "Orrin", "Sable", "Vesper", "Rook")
_CHATS = ("#incidents", "#deploys", "#support-escalations", "#billing", "#data-eng", "#random")
_MSG_SUBJECTS = ("opened", "commented on", "closed", "moved to In Review", "was assigned")
_FYI = ("Maintenance window scheduled", "Weekly cost report is ready",
        "On-call handover completed", "Dependency audit finished", "Quarterly access review due",
        "New runbook published", "Status page updated", "Backup verification passed")
_COMPANIES = ("Kestrel Logistics", "Lumen Analytics", "Brightleaf Studio", "Fernhill Bakery",
              "Harbor & Pine Dental", "Oakridge Public Library", "Bluefin Travel",
              "Cedar & Stone Legal", "Marlow Fitness", "Quayside Books", "Tidewater Clinics",
              "Ironwood Builders", "Silverline Tutors", "Northgate Vets", "Copperleaf Cafe")
_PLANS = ("free", "starter", "business", "enterprise")
_TICKET_SUBJECTS = ("Invoice shows the wrong VAT rate", "Can't log in after password reset",
                    "Export API returns 429", "Please cancel our subscription",
                    "Charged twice this month", "How do I add another admin?",
                    "Feature request: SAML single sign-on", "Webhook deliveries are delayed",
                    "CSV export is missing columns", "Change the billing email address",
                    "Card declined but money was taken", "Dark mode for the dashboard?")
_UNKNOWN_KINDS = ("deploy_notice", "cost_alert", "security_scan")
_KINDS = (Kind.WAITPOINT.value, Kind.ESCALATION.value, Kind.FAILED_RUN.value,
          Kind.MESSAGE.value, Kind.TICKET.value) + _UNKNOWN_KINDS
_KIND_WEIGHTS = (14, 12, 18, 30, 21, 2, 2, 1)
_PRIORITIES = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
_PRIORITY_WEIGHTS = (20, 50, 22, 8)
_KIND_CUM = tuple(accumulate(_KIND_WEIGHTS))
_PRIORITY_CUM = tuple(accumulate(_PRIORITY_WEIGHTS))
_ROLES = ("member", "manager", "admin")
_SPAN_SECONDS = 30 * 86400  # synthetic items spread over the last 30 days, mostly recent


def synthetic_items(count: int, now: datetime, user_id: str, seed: int = 7) -> Iterator[DemoItem]:
    """Lazily yield exactly `count` varied items, the same ones for the same arguments.

    Source ids are `syn-<kind>-<n>` with `n` counting from 0, so they are unique within a run
    and never collide with the hand-written set (none of which starts with `syn-`).
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    rng = random.Random(seed)
    rand, choice, randint = rng.random, rng.choice, rng.randint
    people = (user_id, *(t for t in TEAMMATES if t != user_id))

    for n in range(count):
        kind = _KINDS[bisect(_KIND_CUM, rand() * _KIND_CUM[-1])]
        priority = _PRIORITIES[bisect(_PRIORITY_CUM, rand() * _PRIORITY_CUM[-1])]
        created_at = now - timedelta(seconds=int(_SPAN_SECONDS * rand() ** 2.5))
        crew = choice(_CREWS)
        issue = choice(_ISSUES) if rand() < 0.45 else None
        blocking = False
        tags: list[str] = []

        if kind == "waitpoint":
            r = randint(0, len(_ROUTINES) - 1)
            routine, steps = _ROUTINES[r]
            sender = _PIPELINE_SENDERS[r]
            si = randint(0, len(steps) - 1)
            service = choice(_SERVICES)
            env = choice(_ENVS)
            version = f"v{randint(0, 5)}.{randint(0, 30)}.{randint(0, 9)}"
            run_id = f"run-{100000 + n}"
            title = f"Approve {steps[si]} of {service} {version} to {env}"
            payload: dict[str, Any] = {
                "pipeline": f"{routine}-{service}", "routine": routine, "run_id": run_id,
                "step": steps[si], "step_index": si + 1, "step_count": len(steps),
                "timeout_at": (created_at + timedelta(minutes=randint(10, 2880))).isoformat(),
            }
            if rand() < 0.1:
                payload["second_approver_required"] = True
            if rand() < 0.2:
                payload["callback_url"] = f"{HOOKS}/{routine}/{run_id}"
            blocking = rand() < 0.35
            body = (f"## {service} {version} -> {env}\n\nRun `{run_id}` is paused at step "
                    f"**{steps[si]}** ({si + 1}/{len(steps)}).\n\n- checks: green\n"
                    f"- changes: {randint(1, 40)} commits\n")
        elif kind == "escalation":
            sender = choice(_AGENTS)
            etype = choice(_ESC_TYPES)
            if etype == "CREDENTIAL":
                service = choice(_SERVICES)
                title = f"{sender.name} needs a read-only token for {service}"
                payload = {"type": "CREDENTIAL", "agent": sender.id,
                           "secret_name": f"{service.upper().replace('-', '_')}_TOKEN",
                           "scope": "read", "environment": choice(_ENVS)}
                body = (f"{sender.name} needs a **read-only** token for `{service}`. Store it in "
                        f"the vault, not here, then approve.\n")
                blocking = rand() < 0.5
            elif etype == "PERMISSION":
                perm, resource = choice(_PERMS)
                title = f"{sender.name} asks for {perm} on {resource}"
                payload = {"type": "PERMISSION", "agent": sender.id, "permission": perm,
                           "resource": resource, "reason": f"needed for task #{randint(100, 999)}"}
                body = f"{sender.name} asks for `{perm}` on `{resource}` for 24 hours.\n"
            elif etype in ("PROPOSAL", "ADVISORY"):
                service = choice(_SERVICES)
                action = choice(("scale down", "restart", "roll back", "purge cache of"))
                proposed = f"{action} {service} in {choice(_ENVS)}"
                if etype == "PROPOSAL":
                    sender = KEEPER
                    title = f"Keeper proposes: {proposed}"
                    payload = {"evaluator": "keeper", "proposed_action": proposed,
                               "risk_score": round(rand() * 10, 1),
                               "rationale": "reviewed against the last 30 days of incidents"}
                    body = f"Keeper reviewed a proposal to **{proposed}**.\n"
                else:
                    sender = SYS_COCKPIT
                    title = "Evaluator unavailable, proposal not reviewed"
                    payload = {"advisory": True, "evaluator": "keeper",
                               "proposed_action": proposed, "reason": "evaluator timeout"}
                    body = f"The proposal to **{proposed}** went ahead unreviewed.\n"
            elif etype == "HIRE":
                sender = choice(_CREW_SENDERS)
                name = choice(_HIRE_NAMES)
                skills = rng.sample(_SKILLS, 3)
                title = f"Hire request: {name}, a {crew} agent"
                payload = {"type": "HIRE", "agent_name": name, "role": f"{crew} assistant",
                           "requested_by": sender.id, "skills": skills}
                body = (f"## Hire request\n\n- **name:** {name}\n"
                        f"- **skills:** {', '.join(skills)}\n")
            else:  # BUDGET
                amount = randint(60, 900)
                title = f"{sender.name} wants to spend USD {amount} above its limit"
                payload = {"type": "BUDGET", "agent": sender.id, "amount": f"{amount}.00",
                           "limit": "50.00", "currency": "USD", "reason": "goodwill credit"}
                body = f"Amount **USD {amount}**; limit USD 50.\n"
        elif kind == "failed_run":
            r = randint(0, len(_ROUTINES) - 1)
            routine, steps = _ROUTINES[r]
            sender = _PIPELINE_SENDERS[r]
            run_id = f"run-{100000 + n}"
            attempt = randint(1, 3)
            error = choice(_ERRORS)
            title = f"{routine} failed at {choice(steps)} (attempt {attempt})"
            payload = {"pipeline": routine, "routine": routine, "run_id": run_id,
                       "attempt": attempt, "error": error,
                       "inputs": {"date": (created_at - timedelta(days=1)).date().isoformat(),
                                  "batch_size": choice((100, 250, 500, 1000)),
                                  "dry_run": rand() < 0.1}}
            body = f"Run `{run_id}` failed:\n\n```\n{error}\n```\n"
        elif kind == "message":
            roll = rand()
            if roll < 0.4:
                key = issue or choice(_ISSUES)
                issue = key
                sender = choice((SYS_TRACKER, *_AGENTS))
                title = f"{sender.name} {choice(_MSG_SUBJECTS)} {key}"
                payload = {"url": f"{TRACKER}/{key}"}
                body = f"**{key}**: {choice(_SERVICES)} needs attention.\n"
            elif roll < 0.7:
                chat = choice(_CHATS)
                thread = f"th-{10000 + n}"
                sender = choice(_AGENTS + _CREW_SENDERS)
                title = f"Reply in {chat} from {sender.name}"
                payload = {"chat": chat, "thread_id": thread,
                           "url": f"{CHAT}/c/{chat.lstrip('#')}/{thread}"}
                body = f"**{sender.name}:** see the thread for details on `{choice(_SERVICES)}`.\n"
            else:
                sender = choice(_SYSTEMS)
                title = choice(_FYI)
                payload = {}
                body = "Nothing to do; for your information.\n"
                tags = ["fyi"]
        elif kind == "ticket":
            company = choice(_COMPANIES)
            account = f"acct-{randint(1000, 9999)}"
            slug = company.split()[0].lower()
            sender = make_sender(SenderType.CUSTOMER, f"customer:{account}", company)
            ticket_no = f"T-{70000 + n}"
            title = choice(_TICKET_SUBJECTS)
            payload = {"customer": {"name": company, "email": f"support@{slug}.example.com",
                                    "plan": choice(_PLANS), "account_id": account},
                       "channel": "chat" if rand() < 0.35 else "email", "ticket_no": ticket_no,
                       "sla_due_at": (created_at + timedelta(hours=randint(1, 48))).isoformat()}
            body = f"Hello,\n\n{title.lower()}. Can you help?\n\n{company}\n"
        else:  # a kind Cockpit does not know
            sender = choice(_SYSTEMS + _PIPELINE_SENDERS)
            service = choice(_SERVICES)
            if kind == "deploy_notice":
                title = f"{service} deployed to {choice(_ENVS)}"
                payload = {"service": service, "duration_s": randint(30, 900)}
            elif kind == "cost_alert":
                pct = randint(70, 140)
                title = f"{service} spend at {pct}% of monthly budget"
                payload = {"account": service, "percent": pct}
            else:
                title = f"Security scan of {service}: {randint(0, 5)} findings"
                payload = {"target": service, "scanner": "weekly-scan"}
            body = "Generated notification.\n"

        if sender.type == SenderType.PIPELINE and "routine" not in payload:
            payload["routine"] = sender.name
        if kind != "ticket" or rand() < 0.5:
            payload["crew"] = crew
        if issue is not None:
            payload["issue"] = issue

        roll = rand()
        target_user = target_role = None
        if roll < 0.07:
            target_user = user_id
        elif roll < 0.10:
            target_user = choice(people)
        elif roll < 0.20:
            target_role = choice(_ROLES)
        assignee = choice(people) if rand() < 0.2 else None

        roll = rand()
        if roll < 0.60:
            state, action, by = "unread", None, None
        elif roll < 0.85:
            state, action, by = "read", None, None
        else:
            state, by = "resolved", choice(people)
            action = _synthetic_outcome(kind, payload, rand())

        item = ItemIn(
            kind=kind, source_id=f"{SYNTHETIC_PREFIX}{kind}-{n}", title=title, body_md=body,
            sender=sender, target_user_id=target_user, target_role=target_role,
            priority=priority, blocking=blocking, payload=payload, tags=tags,
            assignee_id=assignee, created_at=created_at,
        )
        yield DemoItem(item, state, action, by)


def _synthetic_outcome(kind: str, payload: dict[str, Any], roll: float) -> str:
    """A plausible resolved_action for a resolved synthetic item."""
    if kind == "waitpoint":
        return "approved" if roll < 0.8 else "denied"
    if kind == "escalation" and not payload.get("advisory"):
        return "approved" if roll < 0.7 else "rejected"
    if kind == "failed_run":
        return "retried" if roll < 0.5 else ("cancelled" if roll < 0.7 else ARCHIVED)
    if kind == "ticket":
        return "closed" if roll < 0.7 else ARCHIVED
    return ARCHIVED if roll < 0.8 else "resolved"
