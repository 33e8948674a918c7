"""The floor at size: routing 10,000 queued tickets to 200 agents, one close draining a long
queue, live metrics, and every report over 100,000 tickets.

    .venv/bin/python tests/benchmarks/bench_routing.py [--tickets N] [--report-tickets N]
                                                       [--postgres URL]

Seeds a throwaway SQLite database (or a fresh database on the PostgreSQL server of URL, e.g.
postgresql+psycopg://postgres@127.0.0.1/test). Each figure is printed next to a raw baseline
measured in the same run and their ratio:

- routing: 200 agents of capacity 20 in one queue take the N waiting tickets in passes (a pass
  fills every free slot; between passes the assigned tickets are closed, untimed). Ours decides
  each ticket (priority, SLA due, time queued; proficiency, load, idle time), locks and claims
  it, writes its timeline entry, journal record and event. The raw baseline makes the same
  claims in plain SQL through the driver: one ordered SELECT of waiting ids per pass and one
  conditional UPDATE per agent.
- reports: each report by agent over the whole period, against a plain SQL aggregate over the
  raw rows it stands on (for the clocks: the timeline, which ours read once beforehand into
  samples; that one-off reading is timed too).

Asserts nothing: the goals (reports <= 500 ms) are in issue 11.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from timing import fresh_database, measure, p  # tests/benchmarks/timing.py

AGENTS = 200
CAPACITY = 20
BATCH = 5_000


def line(label: str, ours: float, raw: float | None = None, extra: str = "") -> None:
    text = f"{label:<52} {ours:9.1f} ms"
    if raw is not None:
        text += f"  | raw {raw:8.1f} ms  x{ours / max(raw, 1e-6):5.1f}"
    print(text + (f"  {extra}" if extra else ""), flush=True)


def drop_database(url: str, postgres: str | None) -> None:
    if postgres is None:
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


# -- seeding -----------------------------------------------------------------------------------

def seed_team(engine, now: datetime, *, status: str = "available") -> list[str]:
    from sqlalchemy import insert

    from cockpit.store.tables import agent_status_log, agents, queues, users

    rng = random.Random(7)
    names = [f"agent{n:03d}" for n in range(AGENTS)]
    with engine.begin() as conn:
        conn.execute(insert(users), [{"id": n, "role": "member", "status": "active",
                                      "created_at": now} for n in names])
        conn.execute(insert(queues).values(name="q", skills=[], skill_timeout_s=60,
                                           created_by="bench", created_at=now, updated_at=now))
        conn.execute(insert(agents), [{
            "user_id": n, "status": status, "aux_code": None, "status_since": now,
            "capacity": CAPACITY, "queues": ["q"], "bot": False,
            "skills": {s: rng.randint(1, 5) for s in rng.sample(["fr", "de", "billing", "tech"],
                                                                 2)},
            "last_assigned_at": None, "last_seen_at": None} for n in names])
        conn.execute(insert(agent_status_log), [{
            "agent_id": n, "status": status, "aux_code": None, "started_at": now,
            "ended_at": None} for n in names])
    return names


def ticket_row(n: int, created: datetime, **extra) -> dict:
    priority = ("low", "normal", "normal", "high", "urgent")[n % 5]
    return {"kind": "ticket", "source_id": f"bench-{n}", "state": "unread", "title": f"T{n}",
            "body_md": "Help", "sender_type": "customer", "sender_id": f"c{n % 977}",
            "sender_name": "Customer", "priority": priority, "blocking": False,
            "payload": {"queue": "q", "customer": {"id": f"c{n % 977}", "name": "Customer"}},
            "tags": [("refund", "vip", "bug", "billing")[n % 4]], "created_at": created,
            "updated_at": created, "assignee_id": None, "resolved_action": None,
            "resolved_at": None, "resolved_by": None, **extra}


def seed_waiting(engine, count: int, now: datetime) -> None:
    from sqlalchemy import insert, select

    from cockpit.store.tables import items, sla_targets

    for start in range(0, count, BATCH):
        rows = [ticket_row(n, now - timedelta(seconds=count - n))
                for n in range(start, min(count, start + BATCH))]
        with engine.begin() as conn:
            conn.execute(insert(items), rows)
            made = conn.execute(select(items.c.id, items.c.created_at).where(
                items.c.source_id.in_([r["source_id"] for r in rows]))).all()
            conn.execute(insert(sla_targets), [
                {"item_id": i, "target": "first_response", "start_at": at,
                 "due_at": at + timedelta(minutes=60 + i % 180),
                 "warn_at": at + timedelta(minutes=45), "met_at": None, "raised": ""}
                for i, at in made])


def seed_history(engine, count: int, now: datetime, agents: list[str]) -> tuple[datetime,
                                                                                 datetime]:
    """`count` tickets over 30 days with conversations, closes, reopens, CSAT, SLA targets,
    and 30 days of agents' status intervals; answers the period they span."""
    from sqlalchemy import insert, select

    from cockpit.store.tables import agent_status_log, items, sla_targets, timeline

    rng = random.Random(11)
    start = now - timedelta(days=30)
    span = (now - start).total_seconds()
    for first in range(0, count, BATCH):
        rows, plans = [], {}
        for n in range(first, min(count, first + BATCH)):
            created = start + timedelta(seconds=span * n / count)
            who = agents[n % len(agents)]
            closed = rng.random() < 0.8
            row = ticket_row(1_000_000 + n, created, assignee_id=who)
            if closed:
                row.update(state="resolved", resolved_action="closed",
                           resolved_at=created + timedelta(hours=3), resolved_by=who)
            rows.append(row)
            plans[row["source_id"]] = (created, who, closed)
        with engine.begin() as conn:
            conn.execute(insert(items), rows)
            made = conn.execute(select(items.c.id, items.c.source_id).where(
                items.c.source_id.in_(list(plans)))).all()
            entries, targets = [], []
            for item_id, source_id in made:
                created, who, closed = plans[source_id]
                first_reply = created + timedelta(minutes=rng.randint(1, 240))

                def add(type_: str, at: datetime, author: str, item_id: int = item_id,
                        entries: list = entries, **data) -> None:
                    entries.append({"item_id": item_id, "type": type_, "author": author,
                                    "body_md": "", "internal": type_ == "note", "data": data,
                                    "at": at})

                if rng.random() < 0.2:
                    add("note", created + timedelta(minutes=1), who)
                if rng.random() < 0.9:
                    add("reply", first_reply, who)
                if rng.random() < 0.3:
                    add("customer_message", first_reply + timedelta(minutes=5), "Customer")
                    add("reply", first_reply + timedelta(minutes=40), who)
                if closed:
                    add("status", created + timedelta(hours=3), who, to="closed")
                    if rng.random() < 0.05:
                        add("customer_message", created + timedelta(hours=5), "Customer")
                        add("status", created + timedelta(hours=5), "svc", to="open",
                            by="customer_message")
                        add("reply", created + timedelta(hours=6), who)
                    if rng.random() < 0.4:
                        add("csat", created + timedelta(hours=4), "Customer",
                            rating=rng.randint(1, 5))
                due = created + timedelta(minutes=120)
                targets.append({"item_id": item_id, "target": "first_response",
                                "start_at": created, "due_at": due,
                                "warn_at": created + timedelta(minutes=90),
                                "met_at": first_reply, "raised": ""})
                targets.append({"item_id": item_id, "target": "resolution",
                                "start_at": created, "due_at": created + timedelta(days=1),
                                "warn_at": created + timedelta(hours=18),
                                "met_at": created + timedelta(hours=3) if closed else None,
                                "raised": ""})
            conn.execute(insert(timeline), entries)
            conn.execute(insert(sla_targets), targets)
    intervals = []
    for who in agents:
        at = start
        while at < now:
            stop = at + timedelta(minutes=rng.randint(20, 200))
            status, aux = rng.choice([("available", None), ("available", None),
                                      ("away", "Break"), ("away", "Lunch"),
                                      ("busy", "Wrap-up"), ("offline", None)])
            intervals.append({"agent_id": who, "status": status, "aux_code": aux,
                              "started_at": at, "ended_at": None if stop >= now else stop})
            at = stop
    with engine.begin() as conn:
        conn.execute(agent_status_log.delete())  # the team's seed opened one each: replaced
        for begin in range(0, len(intervals), BATCH):
            conn.execute(insert(agent_status_log), intervals[begin:begin + BATCH])
    return start, now


# -- the runs ----------------------------------------------------------------------------------

def bench_routing(engine, count: int) -> None:
    from sqlalchemy import text

    from cockpit.server import routing
    from cockpit.store import in_transaction

    now = datetime.now(UTC)
    seed_team(engine, now)
    seed_waiting(engine, count, now)
    analyse(engine)

    def close_assigned() -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE items SET state = 'resolved', resolved_action = 'closed' "
                              "WHERE kind = 'ticket' AND assignee_id IS NOT NULL "
                              "AND state <> 'resolved'"))

    # raw: the same claims, in plain SQL
    slots = AGENTS * CAPACITY
    raw_ms, passes = 0.0, 0
    while True:
        started = time.perf_counter()
        with engine.begin() as conn:
            ids = [r[0] for r in conn.execute(text(
                "SELECT id FROM items WHERE kind = 'ticket' AND assignee_id IS NULL "
                "AND state IN ('unread', 'read') ORDER BY (CASE priority WHEN 'urgent' THEN 3 "
                "WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) DESC, created_at, id "
                f"LIMIT {slots}"))]
            for n in range(AGENTS):
                mine = ids[n::AGENTS]
                if mine:
                    conn.execute(text(
                        "UPDATE items SET assignee_id = :a, updated_at = :now WHERE id IN "
                        f"({','.join(str(i) for i in mine)}) AND assignee_id IS NULL"),
                        {"a": f"agent{n:03d}", "now": now})
        raw_ms += (time.perf_counter() - started) * 1000
        if not ids:
            break
        passes += 1
        close_assigned()
    with engine.begin() as conn:  # every ticket back in the queue
        conn.execute(text("UPDATE items SET state = 'unread', resolved_action = NULL, "
                          "assignee_id = NULL WHERE kind = 'ticket'"))

    ours_ms, routed, pass_times = 0.0, 0, []
    while True:
        started = time.perf_counter()
        decisions = in_transaction(engine, lambda conn: routing.route(conn, now))
        elapsed = (time.perf_counter() - started) * 1000
        ours_ms += elapsed
        assigned = sum(1 for d in decisions if d.agent_id)
        pass_times.append((elapsed, assigned, len(decisions) - assigned))
        routed += assigned
        if not assigned:
            break
        close_assigned()
    print(f"routing {count:,} queued tickets to {AGENTS} agents (capacity {CAPACITY}): "
          f"{len(pass_times) - 1} passes", flush=True)
    for n, (elapsed, assigned, waits) in enumerate(pass_times, 1):
        print(f"  pass {n}: {assigned:,} assigned, {waits:,} waits journalled, "
              f"{elapsed:,.0f} ms", flush=True)
    line(f"route {routed:,} tickets (all passes)", ours_ms, raw_ms,
         f"{routed / (ours_ms / 1000):,.0f} tickets/s (raw {count / (raw_ms / 1000):,.0f}/s)")

    # one close draining a long queue: the agent's freed slot is filled in the close itself
    from cockpit.domain.roles import Principal
    from cockpit.server.inbox import Inbox

    with engine.begin() as conn:  # every ticket waiting again
        conn.execute(text("UPDATE items SET state = 'unread', resolved_action = NULL, "
                          "assignee_id = NULL WHERE kind = 'ticket'"))
    in_transaction(engine, lambda conn: routing.route(conn, now))  # fill every slot
    service = Inbox(engine)

    def one_close() -> None:
        with engine.connect() as conn:
            item_id, who = conn.execute(text(
                "SELECT id, assignee_id FROM items WHERE kind = 'ticket' AND state <> "
                "'resolved' AND assignee_id IS NOT NULL ORDER BY id LIMIT 1")).one()
        service.act(Principal(who, "member"), item_id, "close", {})

    def raw_close() -> None:
        with engine.begin() as conn:
            item_id = conn.execute(text(
                "SELECT id FROM items WHERE kind = 'ticket' AND state <> 'resolved' "
                "AND assignee_id IS NOT NULL ORDER BY id LIMIT 1")).scalar()
            conn.execute(text("UPDATE items SET state = 'resolved' WHERE id = :i"),
                         {"i": item_id})
    with engine.connect() as conn:
        waiting = conn.execute(text("SELECT count(*) FROM items WHERE kind = 'ticket' AND "
                                    "assignee_id IS NULL AND state <> 'resolved'")).scalar()
    ours = measure(one_close, 30)
    raw = measure(raw_close, 30)
    line(f"close + drain, {waiting:,} waiting (p50)", statistics.median(ours),
         statistics.median(raw), f"p99 {p(ours, 0.99):.1f} ms")

    from cockpit.server.agents import Floor

    floor = Floor(engine)
    viewer = Principal("agent000", "member")
    live = measure(lambda: floor.live(viewer), 10)

    def raw_live() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*), min(created_at) FROM items WHERE kind = "
                              "'ticket' AND assignee_id IS NULL AND state <> 'resolved'")).all()
            conn.execute(text("SELECT assignee_id, count(*) FROM items WHERE kind = 'ticket' "
                              "AND state <> 'resolved' GROUP BY assignee_id")).all()
    once = statistics.median(live)
    line("GET /metrics/live (p50)", once, statistics.median(measure(raw_live, 10)),
         f"1,000 clients polling once: {once:,.0f} s of server time")


def bench_reports(engine, count: int) -> None:
    from sqlalchemy import text

    from cockpit.domain.roles import Principal
    from cockpit.server.agents import Floor

    now = datetime.now(UTC)
    names = seed_team(engine, now - timedelta(days=31), status="offline")
    started = time.perf_counter()
    start, end = seed_history(engine, count, now, names)
    analyse(engine)
    print(f"seeded {count:,} tickets with their timelines in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    from cockpit.server.agents import catch_up

    with engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM timeline")).scalar()
    started = time.perf_counter()
    catch_up(engine, now)  # what the sweep does as the timeline grows, all at once here
    print(f"clocks: {entries:,} timeline entries read into samples in "
          f"{time.perf_counter() - started:.1f} s (once; then as they come)", flush=True)
    floor = Floor(engine, clock=lambda: now)
    boss = Principal("boss", "owner")
    period = (start.isoformat(), end.isoformat())
    raw_sql = {
        "volume": "SELECT assignee_id, count(*) FROM items WHERE kind = 'ticket' "
                  "AND created_at >= :s AND created_at < :e GROUP BY assignee_id",
        "first_response": "SELECT t.item_id, min(t.at), i.created_at FROM timeline t JOIN items "
                          "i ON i.id = t.item_id WHERE t.type = 'reply' AND t.at >= :s AND "
                          "t.at < :e GROUP BY t.item_id, i.created_at",
        "response": "SELECT item_id, type, author, at FROM timeline WHERE type IN "
                    "('reply', 'customer_message') AND at >= :s AND at < :e "
                    "ORDER BY item_id, id",
        "resolution": "SELECT t.item_id, t.at, i.created_at FROM timeline t JOIN items i ON "
                      "i.id = t.item_id WHERE t.type = 'status' AND t.at >= :s AND t.at < :e",
        "sla": "SELECT target, count(*) FROM sla_targets WHERE met_at <= due_at AND "
               "met_at >= :s AND met_at < :e GROUP BY target",
        "csat": "SELECT item_id, at, data FROM timeline WHERE type = 'csat' AND at >= :s "
                "AND at < :e",
        "aux": "SELECT agent_id, status, aux_code, started_at, ended_at FROM agent_status_log "
               "WHERE started_at < :e AND (ended_at IS NULL OR ended_at > :s)",
    }
    print(f"reports by agent over {count:,} tickets, 30 days:", flush=True)
    for name, sql in raw_sql.items():
        ours = measure(lambda name=name: floor.report(boss, name, *period, "agent"), 5)

        def raw(sql=sql) -> None:
            with engine.connect() as conn:
                conn.execute(text(sql), {"s": start, "e": end}).all()
        got = floor.report(boss, name, *period, "agent")
        line(f"  GET /reports/{name}?by=agent (p50)", statistics.median(ours),
             statistics.median(measure(raw, 5)),
             f"{len(got['rows'])} rows, {len(got['total']['ticket_ids']):,} tickets")


def analyse(engine) -> None:
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def main(tickets: int, report_tickets: int, postgres: str | None) -> None:
    os.environ["COCKPIT_DATA_DIR"] = tempfile.mkdtemp(prefix="cockpit-bench-")
    from cockpit.store import open_engine
    from cockpit.store.users import add_user

    for title, run, size in (("routing", bench_routing, tickets),
                             ("reports", bench_reports, report_tickets)):
        url = fresh_database(postgres)
        engine = open_engine(url)
        if title == "reports":
            with engine.begin() as conn:
                add_user(conn, "boss", "owner")
        print(f"-- {title} ({engine.dialect.name})", flush=True)
        try:
            run(engine, size)
        finally:
            engine.dispose()
            drop_database(url, postgres)


if __name__ == "__main__":
    args = sys.argv[1:]

    def option(name: str, default):
        if name in args:
            at = args.index(name)
            value = args[at + 1]
            del args[at:at + 2]
            return value
        return default

    pg = option("--postgres", None)
    main(int(option("--tickets", 10_000)), int(option("--report-tickets", 100_000)), pg)
