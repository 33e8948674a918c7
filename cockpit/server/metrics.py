"""Prometheus metrics of one server process, in a registry of its own (one per app, so several
apps in one process, as in the tests, never share a time series).

Measured as things happen: request latency by route template and status, events dispatched by
the hub and the time each took to fan out. Read at scrape time, from the app's state and one
small query each: websocket clients, the outbox's backlog, each routing queue's depth and
oldest wait, and the database pool. A scrape while the app is still starting reports what it
can; a database that does not answer shows as `cockpit_store_up 0`, never as a failed scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import Engine, func, select, true

from cockpit.store.routing import waiting_counts
from cockpit.store.tables import outbox

log = logging.getLogger("cockpit.metrics")

# Seconds: from a cached read (a millisecond) to a slow bulk action or report (tens of seconds).
REQUEST_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
FANOUT_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)
# A client may send any method token: the others share one label, so no client can make series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ServerMetrics:
    """The registry `GET /metrics` (or the metrics port) serves, and the measures fed to it.

    `state` is the app's state: the engine and the hub appear on it when the app has started.
    """

    def __init__(self, state: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "cockpit_http_request_duration_seconds",
            "HTTP requests by method, route template and status, and how long they took.",
            ["method", "route", "status"], buckets=REQUEST_BUCKETS, registry=self.registry)
        self.events = Counter(
            "cockpit_events_dispatched", "Events the hub queued for this process's clients "
            "(rate() gives events per second).", registry=self.registry)
        self.fanout = Histogram(
            "cockpit_event_fanout_seconds", "Time to cut one event per audience and queue it "
            "for every websocket client of this process.", buckets=FANOUT_BUCKETS,
            registry=self.registry)
        self.registry.register(_ScrapeTime(state))

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).observe(seconds)

    def dispatched(self, seconds: float) -> None:
        self.events.inc()
        self.fanout.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _ScrapeTime:
    """The figures read when Prometheus asks, not kept up to date in between."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        hub = getattr(self.state, "hub", None)
        if hub is not None:
            yield _gauge("cockpit_websocket_clients", "Websocket clients connected to this "
                         "process.", len(hub.subscribers))
        engine: Engine | None = getattr(self.state, "engine", None)
        if engine is None:
            return
        yield from _pool(engine)
        try:
            figures = _store_figures(engine, datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - a scrape reports the database as down
            log.warning("reading metrics from the database failed (%s)",
                        exc.__class__.__name__)
            yield _gauge("cockpit_store_up", "Whether the database answered this scrape.", 0)
            return
        yield _gauge("cockpit_store_up", "Whether the database answered this scrape.", 1)
        yield from figures


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _pool(engine: Engine) -> Iterator[Metric]:
    """What the engine's connection pool holds; a pool without counts (SQLite's in-memory
    one) reports none."""
    pool = engine.pool
    for name, method, documentation in (
            ("cockpit_db_pool_size", "size", "Connections the pool keeps open."),
            ("cockpit_db_pool_checked_out", "checkedout", "Connections in use now."),
            ("cockpit_db_pool_overflow", "overflow",
             "Connections past the pool size (negative: room left before it is full).")):
        count = getattr(pool, method, None)
        if callable(count):
            yield _gauge(name, documentation, count())


def _store_figures(engine: Engine, now: datetime) -> list[Metric]:
    """The outbox backlog and the routing queues, in one short read."""
    with engine.connect() as conn:
        pending, oldest = conn.execute(
            select(func.count(), func.min(outbox.c.created_at))
            .where(outbox.c.delivered_at.is_(None))).one()
        queues = waiting_counts(conn, true())
    depth = GaugeMetricFamily("cockpit_routing_queue_depth", "Open unassigned tickets waiting "
                              "in each routing queue.", labels=["queue"])
    wait = GaugeMetricFamily("cockpit_routing_queue_oldest_wait_seconds", "How long the "
                             "oldest waiting ticket of each routing queue has waited.",
                             labels=["queue"])
    for row in queues:
        depth.add_metric([str(row["queue"])], row["waiting"])
        wait.add_metric([str(row["queue"])], _age(row["oldest"], now))
    return [
        _gauge("cockpit_outbox_pending", "Outbound webhooks not yet delivered.", pending),
        _gauge("cockpit_outbox_oldest_pending_age_seconds", "Age of the oldest undelivered "
               "webhook (0 when none waits).", _age(oldest, now)),
        depth, wait]


def _age(since: datetime | None, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0
