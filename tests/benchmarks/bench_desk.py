"""The support desk at size (issue 10): view counts, the customer card, a macro in bulk.

    .venv/bin/python tests/benchmarks/bench_desk.py [N] [--postgres URL]

Seeds N tickets (default 100,000) into a throwaway database: 5,000 customers, one of them with
1,000 tickets (replies and CSAT ratings on its timeline), a third of the tickets assigned,
SLA targets from the default policy (so some are at risk and some breached). Prints, each
next to its raw baseline from the same run (the statements the call ran, replayed through the
bare driver) and its goal:

- the counts of every built-in view (GET /views, service time, and the request through the app);
- the customer card of the customer with 1,000 tickets (GET /customers/{id});
- a macro over 1,000 selected tickets by one bulk request (and how many events it wrote).

Asserts nothing.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench_query import Statements, report  # tests/benchmarks/bench_query.py
from timing import fresh_database, measure, size_and_database

CUSTOMERS = 5_000
BIG = "cust-big"
BIG_TICKETS = 1_000
MACRO_TICKETS = 1_000
MACRO = {"name": "triage", "title": "Triage", "actions": [
    {"action": "tag", "tags": ["triaged"]},
    {"action": "priority", "priority": "high"},
    {"action": "note", "body_md": "Triaged by {{ agent.name }} for {{ customer.name }}"},
]}


def tickets(count: int, now: datetime, rng: random.Random):
    from cockpit.domain.demo import DemoItem
    from cockpit.domain.models import ItemIn, State

    for n in range(count):
        customer = BIG if n < BIG_TICKETS else f"cust-{rng.randrange(CUSTOMERS)}"
        created = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
        item = ItemIn(kind="ticket", source_id=f"bench-t-{n}", title=f"Ticket {n}: help",
                      body_md="My order has not arrived.", created_at=created,
                      priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
                      sender={"type": "customer", "id": customer, "name": customer.title()},
                      payload={"customer": {"id": customer, "name": customer.title(),
                                            "email": f"{customer}@example.com",
                                            "vip": customer == BIG}})
        state = State.RESOLVED if rng.random() < 0.3 else State.UNREAD
        yield DemoItem(item, state, "closed" if state == State.RESOLVED else None, "alex")


def _first_sweep_seen() -> threading.Event:
    """An event set once the server's first sweep (at start, then every interval) is over."""
    from cockpit.server import sweeper

    done = threading.Event()
    sweep_all = sweeper.sweep_all

    def sweep_and_tell(engine) -> bool:
        try:
            return sweep_all(engine)
        finally:
            done.set()

    sweeper.sweep_all = sweep_and_tell
    return done


def raised(now: datetime, start: datetime, due_at: datetime) -> str:
    """The alarm a running server would have sent already for a target, so that its first
    sweep, at start, is not raising 100k tickets' alarms while the figures are measured."""
    from cockpit.store.sla import warn_at

    return ("breached" if due_at <= now else
            "at_risk" if warn_at(start, due_at) <= now else "")


def dress(engine, now: datetime, rng: random.Random) -> None:
    """Assignees, SLA targets, and the big customer's replies and ratings."""
    from sqlalchemy import insert, select, update

    from cockpit.domain.models import PRIORITY_RANK, Priority
    from cockpit.store.sla import due, warn_at
    from cockpit.store.tables import items, sla_targets, timeline

    minutes = {p: 60 * (4 - PRIORITY_RANK[Priority(p)]) for p in ("low", "normal", "high",
                                                                  "urgent")}
    with engine.begin() as conn:
        rows = conn.execute(select(items.c.id, items.c.priority, items.c.created_at,
                                   items.c.source_id)).all()
        people = ["alex", "mel", "sam", None, None, None]
        for person in set(people) - {None}:
            ids = [r.id for r in rows if people[r.id % len(people)] == person]
            for start in range(0, len(ids), 5_000):
                conn.execute(update(items).where(items.c.id.in_(ids[start:start + 5_000]))
                             .values(assignee_id=person))
        targets = []
        for r in rows:
            for name, factor in (("first_response", 1), ("resolution", 8)):
                due_at = due(r.created_at, minutes[r.priority] * factor)
                targets.append({"item_id": r.id, "target": name, "start_at": r.created_at,
                                "due_at": due_at, "warn_at": warn_at(r.created_at, due_at),
                                "met_at": None, "raised": raised(now, r.created_at, due_at)})
        for start in range(0, len(targets), 10_000):
            conn.execute(insert(sla_targets), targets[start:start + 10_000])
        big = [r for r in rows if r.source_id.startswith("bench-t-")
               and int(r.source_id.rsplit("-", 1)[1]) < BIG_TICKETS]
        entries = []
        for r in big:
            entries.append({"item_id": r.id, "type": "reply", "author": "alex",
                            "body_md": "On it.", "internal": False, "data": {},
                            "at": r.created_at + timedelta(minutes=rng.randrange(5, 600))})
            if rng.random() < 0.4:
                entries.append({"item_id": r.id, "type": "csat", "author": "svc",
                                "body_md": "", "internal": False,
                                "data": {"rating": rng.randint(1, 5)},
                                "at": now - timedelta(days=rng.randrange(40))})
        conn.execute(insert(timeline), entries)


def main(count: int, postgres: str | None) -> None:
    os.environ["COCKPIT_DATA_DIR"] = tempfile.mkdtemp(prefix="cockpit-bench-")
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select, text

    from cockpit.domain.roles import Principal, Role
    from cockpit.server.app import ServerOptions, create_app
    from cockpit.server.seed import seed
    from cockpit.store import open_engine
    from cockpit.store.tables import events
    from cockpit.store.users import add_user, issue_token

    engine = open_engine(fresh_database(postgres))
    now = datetime.now(UTC)
    rng = random.Random(7)
    started = time.perf_counter()
    seed(engine, tickets(count, now, rng), now)
    dress(engine, now, rng)
    with engine.begin() as conn:
        tokens = {}
        for name in ("alex", "mel", "sam"):
            add_user(conn, name, "owner" if name == "alex" else "member")
            tokens[name] = issue_token(conn, name)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    print(f"seeded {count:,} tickets in {time.perf_counter() - started:.1f} s "
          f"({engine.dialect.name}); load average {os.getloadavg()[0]:.2f}", flush=True)
    statements = Statements(engine)
    alex = Principal("alex", Role.OWNER)
    options = ServerOptions(sweep_interval=3600)
    started_sweeping = _first_sweep_seen()
    with TestClient(create_app(options, engine=engine)) as client:
        started_sweeping.wait()  # the server's sweep at start, not while measuring
        gc.freeze()  # as `cockpit serve` does once started (DrainingServer.startup)
        desk = client.app.state.inbox.desk
        headers = {"Authorization": f"Bearer {tokens['alex']}"}

        def views_request() -> None:
            client.get("/api/v1/views", headers=headers).raise_for_status()

        # counts are cached while the event log stands still: time them as after a change
        def fresh_views() -> None:
            client.app.state.inbox._counts_cache.clear()
            desk.views(alex)

        raw = statements.replay(statements.of(fresh_views))
        report("view counts, all built-in views (service)", measure(fresh_views), raw, 20)
        report("GET /views, after a change (request)",
               measure(lambda: (client.app.state.inbox._counts_cache.clear(),
                                views_request())), raw, 20)
        report("GET /views, nothing changed (cached counts)", measure(views_request))

        raw = statements.replay(statements.of(lambda: desk.customer(alex, BIG)))
        report(f"customer card, {BIG_TICKETS:,} tickets (service)",
               measure(lambda: desk.customer(alex, BIG)), raw, 20)
        report("GET /customers/{id} (request)", measure(lambda: client.get(
            f"/api/v1/customers/{BIG}", headers=headers).raise_for_status()), raw, 20)

        response = client.post("/api/v1/macros", headers=headers, json=MACRO)
        response.raise_for_status()
        with engine.connect() as conn:
            chosen = [r[0] for r in conn.execute(text(
                "SELECT id FROM items WHERE kind = 'ticket' AND state = 'unread' "
                f"ORDER BY id LIMIT {MACRO_TICKETS}"))]
            before = conn.execute(select(func.max(events.c.seq))).scalar()
        started = time.perf_counter()
        response = client.post("/api/v1/inbox/bulk", headers=headers, json={
            "ids": chosen, "op": "macro", "params": {"name": "triage"}})
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        result = response.json()
        with engine.connect() as conn:
            written = Counter(conn.execute(select(events.c.type)
                                           .where(events.c.seq > before)).scalars())
        print(f"{'macro over 1,000 selected tickets (request)':<50} {elapsed * 1000:7.0f} ms "
              f"(goal <= 1000 ms: {'met' if elapsed <= 1 else 'MISSED'}); "
              f"{len(result['updated'])} ok, {len(result['skipped'])} skipped; "
              f"events written meanwhile {dict(written)}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main(*size_and_database(sys.argv[1:], 100_000))
