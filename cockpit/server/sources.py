"""Source records: waitpoints, escalations, runs and hires. The inbox row is their projection.

Ingesting a waitpoint, an escalation (unless advisory) or a failed run creates its record in the
same transaction as the row; decisions change the record and the row together.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from cockpit.domain.models import Kind
from cockpit.domain.roles import ROLE_RANK, Role
from cockpit.domain.rules import is_decision, payload_time
from cockpit.store.tables import (
    dismissed_proposals,
    escalations,
    hires,
    pipelines,
    runs,
    users,
    waitpoints,
)

HIRE = "HIRE"


def _int(value: Any) -> int | None:
    """A small whole number from a payload, or None (step indexes and counts fit in 32 bits)."""
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
        return None
    return value


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _text(value: Any, limit: int = 200) -> str | None:
    """Payload text for a source column, cut to the column's size."""
    return str(value)[:limit] if value is not None else None


def proposal_fingerprint(payload: dict[str, Any]) -> str | None:
    """Identifies a proposal across sweeps: its evaluator and what it proposes."""
    action = payload.get("proposed_action")
    if not action:
        return None
    raw = f"{payload.get('evaluator') or ''}\x00{action}".encode()
    return hashlib.sha256(raw).hexdigest()


def was_dismissed(conn: Connection, payload: dict[str, Any]) -> bool:
    fingerprint = proposal_fingerprint(payload)
    if fingerprint is None:
        return False
    query = select(dismissed_proposals.c.fingerprint).where(
        dismissed_proposals.c.fingerprint == fingerprint)
    return conn.execute(query).first() is not None


def source_records(row: dict[str, Any], now: datetime) -> list[tuple[Table, dict[str, Any]]]:
    """The source rows (table, values) behind a new inbox row; empty for kinds without one."""
    kind, payload, item_id = row["kind"], row["payload"] or {}, row["id"]
    if kind == Kind.WAITPOINT:
        return [(waitpoints, {
            "item_id": item_id, "pipeline": _text(payload.get("pipeline")),
            "run_id": _text(payload.get("run_id")), "step": _text(payload.get("step")),
            "step_index": _int(payload.get("step_index")),
            "step_count": _int(payload.get("step_count")),
            "timeout_at": payload_time(payload.get("timeout_at")),
            "second_approver_required": bool(payload.get("second_approver_required")),
            "approvals": [], "status": "waiting"})]
    if kind == Kind.ESCALATION and is_decision(kind, payload):
        records: list[tuple[Table, dict[str, Any]]] = [(escalations, {
            "item_id": item_id, "type": _text(payload.get("type"), 64),
            "reason": _text(payload.get("reason"), 20_000), "status": "open",
            "evaluator": _text(payload.get("evaluator")),
            "proposed_action": _text(payload.get("proposed_action"), 20_000),
            "risk_score": _float(payload.get("risk_score")),
            "rationale": _text(payload.get("rationale"), 20_000)})]
        if payload.get("type") == HIRE:
            agent_id = str(payload.get("agent_id") or payload.get("agent_name")
                           or f"agent-{item_id}")[:200]
            role = payload.get("role") if payload.get("role") in ROLE_RANK else Role.MEMBER.value
            records.append((hires, {"item_id": item_id, "agent_id": agent_id, "role": role,
                                    "status": "pending"}))
        return records
    if kind == Kind.FAILED_RUN:
        inputs = payload.get("inputs")
        return [(runs, {
            "run_ref": _text(payload.get("run_id")) or row["source_id"][:200],
            "pipeline": _text(payload.get("pipeline")) or "", "status": "failed",
            "inputs": inputs if isinstance(inputs, dict) else {}, "item_id": item_id,
            "created_at": now, "updated_at": now})]
    return []


def insert_sources(conn: Connection, records: list[tuple[Table, dict[str, Any]]]) -> None:
    """Insert source rows, one statement per table; a hire also gets its pending account."""
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for table, values in records:
        by_table.setdefault(table, []).append(values)
    for table, rows in by_table.items():
        conn.execute(insert(table), rows)
    for hire in by_table.get(hires, []):
        if conn.execute(select(users.c.id).where(users.c.id == hire["agent_id"])).first() is None:
            conn.execute(insert(users).values(id=hire["agent_id"], role=hire["role"],
                                              status="pending", created_at=datetime.now(UTC)))


def create_source(conn: Connection, row: dict[str, Any], now: datetime) -> None:
    """Create the source record behind a new inbox row."""
    insert_sources(conn, source_records(row, now))


# A source record is open (undecided) while its status is this; only then may a producer's
# upsert refresh it. Its decision and identity columns are never a producer's to change.
_OPEN_STATUS = {waitpoints: "waiting", escalations: "open", runs: "failed", hires: "pending"}
_KEPT_COLUMNS = frozenset({"item_id", "status", "approvals", "decided_by", "decided_at",
                           "run_ref", "agent_id", "created_at"})


def refresh_source(conn: Connection, row: dict[str, Any], now: datetime) -> None:
    """After a producer's upsert: bring an open source record up to date with what it sent.

    A decided record stays exactly as it was decided (no upsert reopens or re-decides), and a
    record that does not exist yet is created.
    """
    for table, values in source_records(row, now):
        mine = table.c.item_id == row["id"]
        if conn.execute(select(table.c.id).where(mine)).first() is None:
            insert_sources(conn, [(table, values)])
            continue
        fresh = {k: v for k, v in values.items() if k not in _KEPT_COLUMNS}
        if table is runs:
            fresh["updated_at"] = now
        conn.execute(update(table).where(mine, table.c.status == _OPEN_STATUS[table])
                     .values(**fresh))


def waitpoint_of(conn: Connection, item_id: int) -> dict[str, Any] | None:
    found = conn.execute(select(waitpoints).where(waitpoints.c.item_id == item_id)).first()
    return dict(found._mapping) if found else None


def escalation_of(conn: Connection, item_id: int) -> dict[str, Any] | None:
    found = conn.execute(select(escalations).where(escalations.c.item_id == item_id)).first()
    return dict(found._mapping) if found else None


def hire_of(conn: Connection, item_id: int) -> dict[str, Any] | None:
    found = conn.execute(select(hires).where(hires.c.item_id == item_id)).first()
    return dict(found._mapping) if found else None


def run_for_item(conn: Connection, item_id: int) -> dict[str, Any] | None:
    found = conn.execute(select(runs).where(runs.c.item_id == item_id)
                         .order_by(runs.c.id.desc())).first()
    return dict(found._mapping) if found else None


def register_pipeline(conn: Connection, slug: str, name: str, now: datetime) -> None:
    if conn.execute(select(pipelines.c.slug).where(pipelines.c.slug == slug)).first() is None:
        conn.execute(insert(pipelines).values(slug=slug, name=name, created_at=now))
