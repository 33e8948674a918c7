"""The floor service: agents and their statuses, aux codes, queues, live metrics, reports
and the floor's sweep (agents gone quiet, skill timeouts). Shared by the HTTP routes (and,
later, the CLI working on a local database).

An agent's status change closes the open interval of the status log and opens the next in the
same transaction as the change itself. Whatever frees capacity or widens who may take a ticket
(available again, more capacity, a new skill or queue, a changed queue) runs a routing pass in
that transaction too, so waiting tickets move at once.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from cockpit.domain.agents import (
    AUX_STATUSES,
    AVAILABLE,
    MAX_QUEUES,
    OFFLINE,
    STATUSES,
    AgentError,
    check_capacity,
    check_name,
    check_names,
    check_skills,
    shown_status,
    status_change,
)
from cockpit.domain.reports import BY, MEASURES, REPORTS
from cockpit.domain.roles import Principal, Role
from cockpit.domain.routing import DEFAULT_SKILL_TIMEOUT_S, SKILL_TIMEOUT_MAX_S
from cockpit.server import journal, reports, routing
from cockpit.server.errors import BadRequest, Forbidden, NotFound
from cockpit.store import agents as stored
from cockpit.store import clocks, in_transaction
from cockpit.store import reports as report_store
from cockpit.store import routing as waiting
from cockpit.store.inbox import visible_to

log = logging.getLogger("cockpit.floor")
Clock = Callable[[], datetime]
MANAGER_FIELDS = ("capacity", "skills", "queues", "bot")
SELF_FIELDS = ("status", "aux_code")
# An agent whose app has been disconnected this long goes offline (0: never).
OFFLINE_AFTER_ENV = "COCKPIT_AGENT_OFFLINE_AFTER"
OFFLINE_AFTER_DEFAULT = 300.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def offline_after() -> float:
    try:
        return max(0.0, float(os.environ.get(OFFLINE_AFTER_ENV, OFFLINE_AFTER_DEFAULT)))
    except ValueError:
        return OFFLINE_AFTER_DEFAULT


def agent_out(row: dict[str, Any]) -> dict[str, Any]:
    """An agent as GET /agents shows them."""
    return {"id": row["id"], "name": row["id"], "role": row["role"],
            "status": shown_status(row["status"], row["load"], row["capacity"]),
            "stated_status": row["status"], "aux_code": row["aux_code"],
            "status_since": row["status_since"], "active": row["load"],
            "capacity": row["capacity"], "skills": dict(row["skills"] or {}),
            "queues": list(row["queues"] or []), "bot": bool(row["bot"]),
            "last_assigned_at": row["last_assigned_at"]}


def _not_service(user: Principal) -> None:
    if user.role == Role.SERVICE:
        raise Forbidden("service accounts are producers: they have no floor")


class Floor:
    def __init__(self, engine: Engine, *, notify: Callable[[], None] = lambda: None,
                 clock: Clock = utcnow) -> None:
        self.engine = engine
        self.notify = notify
        self.clock = clock

    # -- agents ----------------------------------------------------------------------------

    def agents(self, user: Principal, *, status: str | None = None,
               queue: str | None = None) -> list[dict[str, Any]]:
        _not_service(user)
        with self.engine.connect() as conn:
            found = [agent_out(r) for r in stored.roster(conn)]
        return [a for a in found if (status is None or a["status"] == status)
                and (queue is None or queue in a["queues"])]

    def agent(self, user: Principal, agent_id: str) -> dict[str, Any]:
        _not_service(user)
        with self.engine.connect() as conn:
            found = stored.roster(conn, user_ids=[agent_id])
        if not found:
            raise NotFound(f"no agent {agent_id!r}")
        return agent_out(found[0])

    def patch_agent(self, user: Principal, agent_id: str, fields: dict[str, Any],
                    origin: str = "api") -> dict[str, Any]:
        """Self: status and aux code. Managers and above: anyone's status, and capacity,
        skills, queues and bot."""
        _not_service(user)
        manager = user.ranks_at_least(Role.MANAGER)
        for name in fields:
            if name in MANAGER_FIELDS and not manager:
                raise Forbidden(f"{name}: only managers and above set an agent's {name}")
            if name in SELF_FIELDS and agent_id != user.id and not manager:
                raise Forbidden(f"{name}: you set your own {name}; managers set others'")

        def work(conn) -> None:
            if not stored.roster(conn, user_ids=[agent_id]):
                raise NotFound(f"no agent {agent_id!r}")
            row = stored.ensure(conn, agent_id, self.clock())
            # Read once the row is ours, and never before the interval it closes: concurrent
            # changes follow one another in the log, without gap or overlap.
            now = max(self.clock(), row["status_since"])
            changes, widened = self._changes(conn, row, fields)
            if "status" in changes:
                stored.set_status(conn, agent_id, changes.pop("status"),
                                  changes.pop("aux_code"), now)
            stored.change(conn, agent_id, **changes)
            journal.record(conn, actor=user.id, origin=origin, action="agent.update",
                           item_id=None, params={"agent_id": agent_id, **fields})
            if widened:
                after = stored.get(conn, agent_id) or row
                routing.route(conn, now, queues=set(after["queues"] or ()))

        try:
            in_transaction(self.engine, work)
        except AgentError as exc:
            raise BadRequest(str(exc)) from exc
        self.notify()
        return self.agent(user, agent_id)

    @staticmethod
    def _changes(conn, row: dict[str, Any], fields: dict[str, Any]) -> tuple[dict, bool]:
        """The agent's new columns, and whether they widen who may take tickets."""
        changes: dict[str, Any] = {}
        widened = False
        if "status" in fields or "aux_code" in fields:
            codes = dict(stored.aux_code_list(conn))
            status, aux = status_change(fields.get("status"), fields.get("aux_code"), codes,
                                        (row["status"], row["aux_code"]))
            if (status, aux) != (row["status"], row["aux_code"]):
                changes.update(status=status, aux_code=aux)
                widened |= status == AVAILABLE
        if "capacity" in fields:
            changes["capacity"] = check_capacity(fields["capacity"])
            widened |= changes["capacity"] > row["capacity"]
        if "skills" in fields:
            skills = check_skills(fields["skills"])
            before = row["skills"] or {}
            widened |= any(level > before.get(name, 0) for name, level in skills.items())
            changes["skills"] = skills
        if "queues" in fields:
            queues = check_names(fields["queues"], "queues", MAX_QUEUES)
            unknown = [q for q in queues if q not in stored.queue_names(conn)]
            if unknown:
                raise AgentError("queues", f"no queue named {unknown[0]!r} (POST /queues "
                                 "makes one)")
            widened |= bool(set(queues) - set(row["queues"] or ()))
            changes["queues"] = queues
        if "bot" in fields:
            if not isinstance(fields["bot"], bool):
                raise AgentError("bot", "true or false")
            changes["bot"] = fields["bot"]
        return changes, widened

    # -- aux codes -------------------------------------------------------------------------

    def aux_codes(self, user: Principal) -> list[dict[str, str]]:
        _not_service(user)
        with self.engine.connect() as conn:
            return [{"code": c, "status": s} for c, s in stored.aux_code_list(conn)]

    def put_aux_code(self, user: Principal, code: str, status: str,
                     origin: str = "api") -> list[dict[str, str]]:
        if not user.ranks_at_least(Role.MANAGER):
            raise Forbidden("only managers and above configure aux codes")
        try:
            code = check_name(code, "code")
        except AgentError as exc:
            raise BadRequest(str(exc)) from exc
        if status not in AUX_STATUSES:
            raise BadRequest(f"status: an aux code explains {' or '.join(AUX_STATUSES)}")
        with self.engine.begin() as conn:
            stored.set_aux_code(conn, code, status)
            journal.record(conn, actor=user.id, origin=origin, action="aux_code.set",
                           item_id=None, params={"code": code, "status": status})
        return self.aux_codes(user)

    def remove_aux_code(self, user: Principal, code: str, origin: str = "api") -> None:
        if not user.ranks_at_least(Role.MANAGER):
            raise Forbidden("only managers and above configure aux codes")
        with self.engine.begin() as conn:
            if not stored.remove_aux_code(conn, code):
                raise NotFound(f"no aux code {code!r}")
            journal.record(conn, actor=user.id, origin=origin, action="aux_code.remove",
                           item_id=None, params={"code": code})

    # -- queues ----------------------------------------------------------------------------

    def queues(self, user: Principal) -> list[dict[str, Any]]:
        _not_service(user)
        with self.engine.connect() as conn:
            found = stored.queue_list(conn)
            team = stored.roster(conn)
        return [{"name": q["name"], "skills": list(q["skills"] or []),
                 "skill_timeout_s": q["skill_timeout_s"],
                 "agents": [a["id"] for a in team if q["name"] in (a["queues"] or [])]}
                for q in found]

    def put_queue(self, user: Principal, name: str, skills: Any,
                  skill_timeout_s: Any = None, origin: str = "api") -> tuple[dict, bool]:
        """Create a queue, or change one (its skills, its timeout); answers it and whether it
        is new. A change routes its waiting tickets again at once."""
        if not user.ranks_at_least(Role.MANAGER):
            raise Forbidden("only managers and above create or change queues")
        try:
            name = check_name(name, "name")
            skills = check_names(skills or [], "skills", MAX_QUEUES)
        except AgentError as exc:
            raise BadRequest(str(exc)) from exc
        timeout = DEFAULT_SKILL_TIMEOUT_S if skill_timeout_s is None else skill_timeout_s
        if isinstance(timeout, bool) or not isinstance(timeout, int) \
                or not 0 <= timeout <= SKILL_TIMEOUT_MAX_S:
            raise BadRequest(f"skill_timeout_s: whole seconds from 0 to {SKILL_TIMEOUT_MAX_S}")
        now = self.clock()

        def work(conn) -> bool:
            created = stored.put_queue(conn, name, skills, timeout, user.id, now)
            journal.record(conn, actor=user.id, origin=origin,
                           action="queue.create" if created else "queue.update", item_id=None,
                           params={"name": name, "skills": skills, "skill_timeout_s": timeout})
            routing.route(conn, now, queues={name})
            return created

        created = in_transaction(self.engine, work)
        self.notify()
        return next(q for q in self.queues(user) if q["name"] == name), created

    # -- live metrics ----------------------------------------------------------------------

    def live(self, user: Principal) -> dict[str, Any]:
        """The floor now: waiting and the oldest wait per queue, agents by status, load and
        capacity per agent, and today's handled, median first response and CSAT (today: since
        midnight UTC), over the tickets `user` may see."""
        _not_service(user)
        now = self.clock()
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        catch_up(self.engine, now)
        with self.engine.connect() as conn:
            report_store.roomy(conn)
            counts = {r["queue"]: r for r in waiting.waiting_counts(conn, visible_to(user))}
            configured = {q["name"] for q in stored.queue_list(conn)}
            team = [agent_out(r) for r in stored.roster(conn)]
            figures = reports.today(conn, user, midnight, now + timedelta(microseconds=1))
        queues = []
        for name in sorted(configured | set(counts)):
            found = counts.get(name)
            members = [a for a in team if name in a["queues"]]
            queues.append({
                "name": name, "waiting": found["waiting"] if found else 0,
                "oldest_wait_s": _age(found["oldest"], now) if found else None,
                "agents": len(members),
                "available": sum(1 for a in members if a["status"] == AVAILABLE)})
        by_status = Counter(a["status"] for a in team)
        oldest = [q["oldest_wait_s"] for q in queues if q["oldest_wait_s"] is not None]
        return {
            "at": now,
            "waiting": sum(q["waiting"] for q in queues),
            "oldest_wait_s": max(oldest) if oldest else None,
            "queues": queues,
            "agents_by_status": {s: by_status.get(s, 0) for s in STATUSES},
            "agents": [{k: a[k] for k in ("id", "status", "aux_code", "status_since",
                                          "active", "capacity")} for a in team],
            "handled_today": figures["handled"],
            "first_response_median_s": figures["first_response_median_s"],
            "csat_today": figures["csat"],
        }

    # -- reports ---------------------------------------------------------------------------

    def report(self, user: Principal, name: str, start: str | None, end: str | None,
               by: str | None) -> dict[str, Any]:
        _not_service(user)
        if name not in REPORTS:
            raise NotFound(f"name: no report {name!r}; one of {', '.join(REPORTS)}")
        if by is not None and by not in BY:
            raise BadRequest(f"by: one of {', '.join(BY)}")
        now = self.clock()
        until = parse_time(end, "to", end_of_day=True) if end else now
        since = parse_time(start, "from") if start else until - timedelta(days=7)
        if since >= until:
            raise BadRequest("to: must come after from")
        if name in MEASURES:
            catch_up(self.engine, now)
        with self.engine.connect() as conn:
            report_store.roomy(conn)
            report_store.roomy(conn)
            return reports.report(conn, user, name, since, until, by, now)

    # -- the sweep and presence --------------------------------------------------------------

    def seen(self, user_ids: Iterable[str]) -> None:
        """These users' apps are connected (to this process)."""
        ids = sorted(set(user_ids))
        if ids:
            with self.engine.begin() as conn:
                stored.seen(conn, ids, self.clock())

    def sweep(self, now: datetime | None = None) -> bool:
        """Agents whose app went quiet go offline; every queue is routed (skill requirements
        time out). True when anything changed."""
        return sweep(self.engine, now or self.clock())


def catch_up(engine: Engine, now: datetime, *, batches: int | None = None) -> None:
    """Read what the timeline gained into the clocks reports read (all of it, or at most
    `batches` batches)."""
    done = 0
    while in_transaction(engine, lambda conn: clocks.catch_up(conn, now)):
        done += 1
        if batches is not None and done >= batches:
            return


def sweep(engine: Engine, now: datetime) -> bool:
    catch_up(engine, now, batches=5)
    changed = False
    quiet = offline_after()
    if quiet:
        def offline(conn) -> list[str]:
            gone = []
            for agent_id in stored.gone_quiet(conn, now - timedelta(seconds=quiet)):
                row = stored.ensure(conn, agent_id, now)
                if row["status"] == OFFLINE or row["last_seen_at"] is None \
                        or row["last_seen_at"] >= now - timedelta(seconds=quiet):
                    continue
                stored.set_status(conn, agent_id, OFFLINE, None, max(now, row["status_since"]))
                stored.change(conn, agent_id, last_seen_at=None)
                journal.record(conn, actor="system", origin="system", action="agent.offline",
                               item_id=None, params={"agent_id": agent_id},
                               detail=f"the app was disconnected for over {quiet:g} s")
                gone.append(agent_id)
            return gone

        changed |= bool(in_transaction(engine, offline))
    decisions = in_transaction(engine, lambda conn: routing.route(conn, now))
    return changed or any(d.agent_id for d in decisions)


def _age(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds()))


def parse_time(value: str, field: str, *, end_of_day: bool = False) -> datetime:
    """A date (YYYY-MM-DD: its start, or with `end_of_day` the start of the next day) or an
    ISO time (UTC unless it says otherwise)."""
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).replace(tzinfo=UTC)
            return day + timedelta(days=1) if end_of_day else day
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{field}: a date (YYYY-MM-DD) or an ISO time") from exc
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
