"""Agents, aux codes, the status interval log and queues, in the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from cockpit.domain.agents import CAPACITY_DEFAULT, DEFAULT_AUX_CODES, OFFLINE
from cockpit.domain.models import Kind, State
from cockpit.domain.roles import Role
from cockpit.store.tables import (
    agent_status_log,
    agents,
    aux_codes,
    items,
    queues,
    users,
)

a = agents.c
log = agent_status_log.c
OPEN_STATES = (State.UNREAD.value, State.READ.value)
# Who takes tickets: people who may act on them (a viewer decides nothing; a service account
# is a producer).
WORKING_ROLES = (Role.MEMBER.value, Role.MANAGER.value, Role.ADMIN.value, Role.OWNER.value)
# Who the roster lists: every person.
PEOPLE_ROLES = (Role.VIEWER.value, *WORKING_ROLES)


def _insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def defaults(user_id: str, since: datetime) -> dict[str, Any]:
    """An agent nobody has set up yet."""
    return {"user_id": user_id, "status": OFFLINE, "aux_code": None, "status_since": since,
            "capacity": CAPACITY_DEFAULT, "skills": {}, "queues": [], "bot": False,
            "last_assigned_at": None, "last_seen_at": None}


# -- aux codes -------------------------------------------------------------------------------

def aux_code_list(conn: Connection) -> list[tuple[str, str]]:
    """(code, status) in picker order; the defaults while none are stored."""
    found = [(r.code, r.status) for r in
             conn.execute(select(aux_codes).order_by(aux_codes.c.position, aux_codes.c.code))]
    return found or list(DEFAULT_AUX_CODES)


def _store_defaults(conn: Connection) -> None:
    if conn.execute(select(func.count()).select_from(aux_codes)).scalar():
        return
    conn.execute(_insert(conn)(aux_codes).on_conflict_do_nothing(),
                 [{"code": c, "status": s, "position": n}
                  for n, (c, s) in enumerate(DEFAULT_AUX_CODES)])


def set_aux_code(conn: Connection, code: str, status: str) -> None:
    _store_defaults(conn)
    position = conn.execute(select(func.coalesce(func.max(aux_codes.c.position), -1) + 1)
                            ).scalar()
    stmt = _insert(conn)(aux_codes).values(code=code, status=status, position=position)
    conn.execute(stmt.on_conflict_do_update(index_elements=["code"], set_={"status": status}))


def remove_aux_code(conn: Connection, code: str) -> bool:
    _store_defaults(conn)
    return (conn.execute(delete(aux_codes).where(aux_codes.c.code == code)).rowcount or 0) > 0


# -- agents ----------------------------------------------------------------------------------

def loads(conn: Connection, agent_ids: Sequence[str] | None = None) -> dict[str, int]:
    """Open tickets assigned, per agent."""
    query = (select(items.c.assignee_id, func.count())
             .where(items.c.kind == Kind.TICKET.value, items.c.state.in_(OPEN_STATES),
                    items.c.assignee_id.is_not(None))
             .group_by(items.c.assignee_id))
    if agent_ids is not None:
        if not agent_ids:
            return {}
        query = query.where(items.c.assignee_id.in_(list(agent_ids)))
    return {k: int(n) for k, n in conn.execute(query)}


def load_of(conn: Connection, agent_id: str, *, excluding: int | None = None) -> int:
    query = select(func.count()).where(items.c.kind == Kind.TICKET.value,
                                       items.c.state.in_(OPEN_STATES),
                                       items.c.assignee_id == agent_id)
    if excluding is not None:
        query = query.where(items.c.id != excluding)
    return int(conn.execute(query).scalar() or 0)


def roster(conn: Connection, *, roles: Sequence[str] = PEOPLE_ROLES,
           user_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every active person as an agent (defaults for those not set up yet), by id, with
    their role and load."""
    query = (select(users.c.id, users.c.role, users.c.created_at, agents)
             .select_from(users.outerjoin(agents, a.user_id == users.c.id))
             .where(users.c.status == "active", users.c.role.in_(list(roles)))
             .order_by(users.c.id))
    if user_ids is not None:
        query = query.where(users.c.id.in_(list(user_ids)))
    found = []
    for row in conn.execute(query):
        m = row._mapping
        agent = defaults(m["id"], m["created_at"]) if m["user_id"] is None else \
            {col.key: m[col.key] for col in agents.c}
        agent.update(id=m["id"], role=m["role"])
        found.append(agent)
    counted = loads(conn, [f["id"] for f in found]) if user_ids is not None else loads(conn)
    for agent in found:
        agent["load"] = counted.get(agent["id"], 0)
    return found


def get(conn: Connection, user_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = select(agents).where(a.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def ensure(conn: Connection, user_id: str, now: datetime) -> dict[str, Any]:
    """The agent's row, locked for the rest of the transaction; made (offline, with its open
    interval) the first time."""
    stmt = (_insert(conn)(agents).values(**defaults(user_id, now)).on_conflict_do_nothing()
            .returning(a.user_id))
    if conn.execute(stmt).first() is not None:
        conn.execute(insert(agent_status_log).values(agent_id=user_id, status=OFFLINE,
                                                     aux_code=None, started_at=now))
    found = get(conn, user_id, for_update=True)
    assert found is not None
    return found


def set_status(conn: Connection, user_id: str, status: str, aux_code: str | None,
               now: datetime) -> None:
    """Close the open interval and open the next one, and change the agent's status, in the
    caller's transaction (the agent's row already locked by `ensure`)."""
    conn.execute(update(agent_status_log).where(log.agent_id == user_id, log.ended_at.is_(None))
                 .values(ended_at=now))
    conn.execute(insert(agent_status_log).values(agent_id=user_id, status=status,
                                                 aux_code=aux_code, started_at=now))
    conn.execute(update(agents).where(a.user_id == user_id)
                 .values(status=status, aux_code=aux_code, status_since=now))


def change(conn: Connection, user_id: str, **values: Any) -> None:
    if values:
        conn.execute(update(agents).where(a.user_id == user_id).values(**values))


def lock(conn: Connection, user_ids: Sequence[str], *, skip_locked: bool) -> list[str]:
    """Lock these agents' rows in id order; with `skip_locked`, those another transaction
    holds are left out (answers the ones locked)."""
    if not user_ids:
        return []
    query = (select(a.user_id).where(a.user_id.in_(sorted(set(user_ids))))
             .order_by(a.user_id).with_for_update(skip_locked=skip_locked))
    return list(conn.execute(query).scalars())


def seen(conn: Connection, user_ids: Sequence[str], now: datetime) -> None:
    """These agents' apps are connected."""
    if user_ids:
        conn.execute(update(agents).where(a.user_id.in_(list(user_ids)))
                     .values(last_seen_at=now))


def gone_quiet(conn: Connection, before: datetime) -> list[str]:
    """Agents not offline whose app was last seen before `before`."""
    query = select(a.user_id).where(a.status != OFFLINE, a.last_seen_at.is_not(None),
                                    a.last_seen_at < before).order_by(a.user_id)
    return list(conn.execute(query).scalars())


# -- queues ----------------------------------------------------------------------------------

def queue_list(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(queues).order_by(queues.c.name))]


def queue_names(conn: Connection) -> set[str]:
    return set(conn.execute(select(queues.c.name)).scalars())


def put_queue(conn: Connection, name: str, skills: list[str], skill_timeout_s: int,
              actor: str, now: datetime) -> bool:
    """Create or change a queue; True when it is new."""
    stmt = _insert(conn)(queues).values(name=name, skills=skills,
                                        skill_timeout_s=skill_timeout_s, created_by=actor,
                                        created_at=now, updated_at=now)
    existed = conn.execute(select(queues.c.name).where(queues.c.name == name)
                           .with_for_update()).first() is not None
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={
        "skills": skills, "skill_timeout_s": skill_timeout_s, "updated_at": now}))
    return not existed


def working(conn: Connection) -> list[dict[str, Any]]:
    """The agents routing may give tickets to (set up, active, members and above), with
    their loads."""
    query = (select(agents).join(users, users.c.id == a.user_id)
             .where(users.c.status == "active", users.c.role.in_(WORKING_ROLES)))
    found = [dict(r._mapping) for r in conn.execute(query)]
    counted = loads(conn, [f["user_id"] for f in found])
    for agent in found:
        agent["load"] = counted.get(agent["user_id"], 0)
    return found
