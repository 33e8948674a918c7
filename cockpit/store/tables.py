"""SQLAlchemy Core tables. Alembic migrations (migrations/versions) create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from cockpit.domain.grouping import FOLDER_KEY_MAX
from cockpit.store.types import UTCDateTime

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")
Json = JSON().with_variant(JSONB, "postgresql")
Time = UTCDateTime()

users = Table(
    "users",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("created_at", Time, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", String(200), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Time, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("source_id", String(256), nullable=False),
    Column("state", String(16), nullable=False),
    Column("resolved_action", String(64)),
    Column("title", String(200), nullable=False),
    Column("body_md", Text, nullable=False, server_default=""),
    Column("sender_type", String(16), nullable=False),
    Column("sender_id", String(200), nullable=False),
    Column("sender_name", String(200), nullable=False),
    Column("target_user_id", String(200)),
    Column("target_role", String(20)),
    Column("priority", String(8), nullable=False),
    Column("blocking", Boolean, nullable=False, server_default="0"),
    Column("payload", Json, nullable=False),
    Column("tags", Json, nullable=False),
    Column("assignee_id", String(200)),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    Column("read_at", Time),
    Column("resolved_at", Time),
    Column("resolved_by", String(200)),
    # The account that ingested the item (only it, an admin or the owner may upsert it) and
    # the tags it gave: an upsert replaces those and keeps the tags people added.
    Column("created_by", String(200)),
    Column("producer_tags", Json),
    # When the item falls due (a waitpoint's timeout, a producer's due_at), for `due:` and
    # the `due` sort; derived from the payload at ingest.
    Column("due_at", Time),
    # The payload's folder keys and advisory flag (cockpit.store.inbox.folder_columns), kept
    # at every write of the payload: folders are counted from indexes and paged by columns,
    # not by the JSON of every row.
    Column("routine", String(FOLDER_KEY_MAX)),
    Column("issue", String(FOLDER_KEY_MAX)),
    Column("crew", String(FOLDER_KEY_MAX)),
    Column("advisory", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("kind", "source_id", name="uq_items_kind_source"),
    Index("ix_items_state_created", "state", "created_at", "id"),
    Index("ix_items_created", "created_at", "id"),
    Index("ix_items_target_user", "target_user_id"),
    Index("ix_items_kind_created", "kind", "created_at", "id"),
    Index("ix_items_assignee", "assignee_id"),
    Index("ix_items_due", "due_at", "id"),
    # The payload's folders of one state, and who may see them: their counts read this
    # index alone (and the other group-bys ix_items_folders, migrations 0010 and 0014).
    Index("ix_items_payload_folders", "state", "routine", "issue", "crew", "target_user_id",
          "target_role"),
    sqlite_autoincrement=True,
)

# Every change, in the order it happened. `seq` only grows, so a client resumes from the last seq
# it saw and every server process sharing the database tails the same log.
events = Table(
    "events",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=True),
    Column("type", String(64), nullable=False),
    Column("data", Json, nullable=False),
    Column("created_at", Time, nullable=False),
    sqlite_autoincrement=True,
)

# -- sources: where decisions live; the inbox row is their projection --------------------------

waitpoints = Table(
    "waitpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("pipeline", String(200)),
    Column("run_id", String(200)),
    Column("step", String(200)),
    Column("step_index", Integer),
    Column("step_count", Integer),
    Column("timeout_at", Time),
    Column("second_approver_required", Boolean, nullable=False, server_default="0"),
    Column("approvals", Json, nullable=False),
    Column("status", String(20), nullable=False),  # waiting, approved, denied, timed_out
    Column("decided_by", String(200)),
    Column("decided_at", Time),
    Index("ix_waitpoints_status_timeout", "status", "timeout_at"),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("type", String(64)),
    Column("reason", Text),
    Column("status", String(20), nullable=False),  # open, approved, rejected
    Column("evaluator", String(200)),
    Column("proposed_action", Text),
    Column("risk_score", Float),
    Column("rationale", Text),
    Column("decided_by", String(200)),
    Column("decided_at", Time),
)

# A rejected proposal, remembered so the same one is not raised again.
dismissed_proposals = Table(
    "dismissed_proposals",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("evaluator", String(200)),
    Column("proposed_action", Text),
    Column("dismissed_by", String(200), nullable=False),
    Column("dismissed_at", Time, nullable=False),
)

pipelines = Table(
    "pipelines",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", Time, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_ref", String(200), nullable=False, unique=True),
    Column("pipeline", String(200), nullable=False),
    Column("inputs", Json, nullable=False),
    Column("status", String(20), nullable=False),  # failed, queued, retried, cancelled
    Column("retry_of", String(200)),
    Column("item_id", Id, ForeignKey("items.id", ondelete="SET NULL")),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
)

hires = Table(
    "hires",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("agent_id", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("status", String(20), nullable=False),  # pending, approved, rejected
    Column("decided_by", String(200)),
    Column("decided_at", Time),
)

# -- the audit journal and the outbound webhook outbox -----------------------------------------

audit = Table(
    "audit",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Time, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("origin", String(16), nullable=False),  # tui, cli, api, bulk, system
    Column("action", String(64), nullable=False),
    Column("item_id", Id),
    Column("params", Json, nullable=False),
    Column("result", String(16), nullable=False),  # ok, skipped, conflict, forbidden, failed
    Column("detail", Text),
    Column("latency_ms", Float),
    Index("ix_audit_item", "item_id"),
    Index("ix_audit_actor_at", "actor", "at"),
    sqlite_autoincrement=True,
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id),
    Column("url", Text, nullable=False),
    Column("body", Text, nullable=False),  # the exact bytes signed and sent
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Time, nullable=False),
    Column("delivered_at", Time),
    Column("last_error", Text),
    Column("created_at", Time, nullable=False),
    Index("ix_outbox_due", "delivered_at", "next_attempt_at"),
)

# -- the support desk --------------------------------------------------------------------------

# A ticket's conversation and history, oldest first. Internal notes live here, never in the
# payload a producer writes, so no producer can forge or wipe one and no outbound path sees one.
timeline = Table(
    "timeline",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    # customer_message, reply, note, assign, transfer, status, priority, tag, csat, sla
    Column("type", String(32), nullable=False),
    Column("author", String(200), nullable=False),
    Column("body_md", Text, nullable=False, server_default=""),
    Column("internal", Boolean, nullable=False, server_default="0"),
    Column("data", Json, nullable=False),
    Column("at", Time, nullable=False),
    Index("ix_timeline_item", "item_id", "id"),
    sqlite_autoincrement=True,
)

# Saved views: a query by name, personal (owner) or shared with a role and those above it.
views = Table(
    "views",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("query", Text, nullable=False),
    Column("scope", String(16), nullable=False),  # personal, role
    Column("owner", String(200)),
    Column("role", String(20)),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Time, nullable=False),
    UniqueConstraint("name", "scope", "owner", "role", name="uq_views_name"),
    sqlite_autoincrement=True,
)

# Minutes to each SLA target, per priority (absent: the defaults in cockpit.domain.sla).
sla_policies = Table(
    "sla_policies",
    metadata,
    Column("priority", String(8), primary_key=True),
    Column("first_response", Integer, nullable=False),
    Column("next_response", Integer, nullable=False),
    Column("resolution", Integer, nullable=False),
)

# A ticket's SLA targets: when each started, falls due, turns at risk, and was met; `raised`
# remembers which alarm (at_risk, breached) was already sent.
sla_targets = Table(
    "sla_targets",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("target", String(16), primary_key=True),
    Column("start_at", Time, nullable=False),
    Column("due_at", Time, nullable=False),
    Column("warn_at", Time, nullable=False),
    Column("met_at", Time),
    Column("raised", String(16), nullable=False, server_default=""),
    Index("ix_sla_targets_pending", "met_at", "warn_at"),
    Index("ix_sla_targets_item_pending", "item_id", "met_at", "warn_at", "due_at"),
    Index("ix_sla_targets_alarms", "met_at", "raised", "warn_at"),
)

# Macros: ticket actions run in order, personal (owner) or shared with a role and above.
macros = Table(
    "macros",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("scope", String(16), nullable=False),  # personal, role
    Column("owner", String(200)),
    Column("role", String(20)),
    Column("actions", Json, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Time, nullable=False),
    UniqueConstraint("name", "scope", "owner", "role", name="uq_macros_name"),
    sqlite_autoincrement=True,
)

# -- the floor: agents, aux codes, the status interval log, queues (issue 11) -------------------

from sqlalchemy import text  # noqa: E402  (kept with the tables that use it)

# Every user can be an agent; a row exists once they state a status or a manager sets them up
# (until then: offline, the default capacity, no skills, no queues).
agents = Table(
    "agents",
    metadata,
    Column("user_id", String(200), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16), nullable=False),  # available, busy, away, offline (stated)
    Column("aux_code", String(64)),
    Column("status_since", Time, nullable=False),
    Column("capacity", Integer, nullable=False, server_default="5"),
    Column("skills", Json, nullable=False),  # {name: proficiency 1-5}
    Column("queues", Json, nullable=False),  # [queue name]
    Column("bot", Boolean, nullable=False, server_default="0"),  # replies do not count as human
    Column("last_assigned_at", Time),
    Column("last_seen_at", Time),  # the app connected; cleared when the agent goes offline
)

# The codes an agent gives for being away or busy, in the order pickers show them.
aux_codes = Table(
    "aux_codes",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # away or busy
    Column("position", Integer, nullable=False),
)

# Time in each status: exactly one open interval (ended_at NULL) per agent, changed in the
# same transaction as the status itself.
agent_status_log = Table(
    "agent_status_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agent_id", String(200), ForeignKey("agents.user_id", ondelete="CASCADE"),
           nullable=False),
    Column("status", String(16), nullable=False),
    Column("aux_code", String(64)),
    Column("started_at", Time, nullable=False),
    Column("ended_at", Time),
    Index("ix_agent_status_log_agent", "agent_id", "started_at"),
    Index("ix_agent_status_log_started", "started_at"),
    Index("uq_agent_status_log_open", "agent_id", unique=True,
          sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    sqlite_autoincrement=True,
)

queues = Table(
    "queues",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("skills", Json, nullable=False),  # [skill name] every ticket of it needs
    Column("skill_timeout_s", Integer, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
)

# Why a waiting ticket waits, as last journalled: a new reason is journalled once, not on
# every routing pass.
ticket_waits = Table(
    "ticket_waits",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("queue", String(200), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("at", Time, nullable=False),
)

# Open unassigned tickets: what routing reads on every pass.
Index("ix_items_waiting_tickets", items.c.created_at, items.c.id,
      sqlite_where=text("kind = 'ticket' AND assignee_id IS NULL AND state IN ('unread', 'read')"),
      postgresql_where=text(
          "kind = 'ticket' AND assignee_id IS NULL AND state IN ('unread', 'read')"))
# Reports and live metrics read the timeline by type over a period.
Index("ix_timeline_type_at", timeline.c.type, timeline.c.at)

# Reports read the clocks (first response, next response, resolution) from samples taken as
# the timeline grows: `clock_cursor` says how far the timeline has been read, `clock_state`
# where each ticket's clocks stand, `clock_samples` what they measured.
clock_cursor = Table(
    "clock_cursor",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("last_id", BigInteger, nullable=False),  # every timeline id up to it is read
    Column("gap_id", BigInteger),  # a missing id waited for (a transaction still running)
    Column("gap_since", Time),
)

clock_state = Table(
    "clock_state",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("session", Integer, nullable=False),
    Column("session_start", Time, nullable=False),
    Column("answered", Boolean, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("waiting_since", Time),
)

clock_samples = Table(
    "clock_samples",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("measure", String(16), nullable=False),  # first_response, response, resolution
    Column("at", Time, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("author", String(200), nullable=False),
    Column("session", Integer, nullable=False),
    Index("ix_clock_samples_measure_at", "measure", "at"),
    Index("ix_clock_samples_item", "item_id"),
    sqlite_autoincrement=True,
)

# -- counts of saved views, kept by the database's own triggers (migration 0013) ---------------

# The columns visibility and the built-in views filter on: a view whose terms read only these
# is counted from item_counts, a sum over a few hundred rows.
COUNTED_KEY = ("kind", "state", "priority", "assignee_id", "target_user_id", "target_role")


def _counted_key() -> list[Column]:
    return [Column(name, items.c[name].type, nullable=items.c[name].nullable)
            for name in COUNTED_KEY]


# How many items hold each combination of COUNTED_KEY. On PostgreSQL a combination has a row
# per writer that held one at the same time as another (writers never wait on a counter): a
# count is always a sum.
item_counts = Table(
    "item_counts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    *_counted_key(),
    Column("n", BigInteger, nullable=False),
    Index("ix_item_counts_key", *COUNTED_KEY),
)

# A row while a bulk update on SQLite keeps item_counts and items_overdue itself, inside its
# own transaction (cockpit.store.bulk_counts): the per-row triggers skip the changed items.
counts_deferred = Table(
    "counts_deferred",
    metadata,
    Column("bulk", Integer, nullable=False),
)

# When each item turns overdue as `sla:at_risk,breached` reads it: the earliest warning of
# its pending SLA targets, or (no targets, its producer reports it at risk or breached)
# 1970. No row: it is not overdue at any time, as things stand.
items_overdue = Table(
    "items_overdue",
    metadata,
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("overdue_at", Time, nullable=False),
    *_counted_key(),
    Index("ix_items_overdue_at", "overdue_at", *COUNTED_KEY),  # this hour's count reads it alone
)

# items_overdue counted per COUNTED_KEY and UTC day of overdue_at, and again per hour (`span`
# day or hour, from `start`): the days before today and today's hours before this one are
# summed from here, this hour's rows counted from items_overdue.
overdue_counts = Table(
    "overdue_counts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    *_counted_key(),
    Column("span", String(4), nullable=False),
    Column("start", Time, nullable=False),
    Column("n", BigInteger, nullable=False),
    Index("ix_overdue_counts_start", "span", "start"),
)
