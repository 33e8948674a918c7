"""counts of saved views kept by the database: items per combination of the columns views
and visibility filter on, and when each item turns overdue, counted per day

- `item_counts`: how many items hold each (kind, state, priority, assignee_id,
  target_user_id, target_role). A view whose terms read only those columns is counted by
  summing a few hundred rows instead of reading every item.
- `items_overdue`: when each item turns overdue as `sla:at_risk,breached` reads it (the
  earliest warning of its pending SLA targets; for an item without SLA targets whose producer
  reports it at risk or breached, 1970), with the item's key columns.
- `overdue_counts`: items_overdue counted per key and UTC day, so the overdue view is the sum
  of the days before today plus an index range of today's rows.

Triggers keep all three in step with items and sla_targets in the writer's own transaction,
and this migration fills them from the rows already there. SQLite (one writer at a time)
adds to one row per key. PostgreSQL triggers run once per statement over its transition
tables: each adds its change as a new row per key and folds into it the rows of that key no
other transaction holds (SKIP LOCKED), so concurrent writers never wait on, or deadlock over,
a counter row; a key may hold a row per concurrent writer for a while, and a count is
always a sum.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import cockpit.store.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

Time = cockpit.store.types.UTCDateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

KEY = ("kind", "state", "priority", "assignee_id", "target_user_id", "target_role")
OVERDUE_STATES = "('at_risk', 'breached')"

# What a producer reports of an item's SLA, in the query language's terms
# (cockpit.store.query.payload_field("sla")).
_REPORTED = {
    "sqlite": """nullif(trim(CAST(json_extract({row}.payload, '$."sla"."status"') AS VARCHAR)), '')""",
    "postgresql": "nullif(trim(CAST({row}.payload #>> '{{sla,status}}' AS VARCHAR)), '')",
}
# Before every `now`: an untracked item its producer reports at risk or breached is overdue.
_ALWAYS = {"sqlite": "'1970-01-01 00:00:00.000000'",
           "postgresql": "TIMESTAMPTZ '1970-01-01 00:00:00+00'"}
_DAY = {"sqlite": "date({row}.overdue_at)",
        "postgresql": "CAST(({row}.overdue_at AT TIME ZONE 'UTC') AS DATE)"}


def _key_columns() -> list[sa.Column]:
    return [sa.Column('kind', sa.String(length=64), nullable=False),
            sa.Column('state', sa.String(length=16), nullable=False),
            sa.Column('priority', sa.String(length=8), nullable=False),
            sa.Column('assignee_id', sa.String(length=200), nullable=True),
            sa.Column('target_user_id', sa.String(length=200), nullable=True),
            sa.Column('target_role', sa.String(length=20), nullable=True)]


def _cols(prefix: str = "") -> str:
    return ", ".join(prefix + k for k in KEY)


def _wanted(dialect: str, where: str) -> str:
    """The items of `where` (a condition on items `i`), each with its key columns and when it
    turns overdue (NULL: never, as things stand)."""
    reported = _REPORTED[dialect].format(row="i")
    return f"""SELECT i.id AS item_id, {_cols("i.")}, CASE
        WHEN EXISTS (SELECT 1 FROM sla_targets t WHERE t.item_id = i.id)
        THEN (SELECT min(t.warn_at) FROM sla_targets t
              WHERE t.item_id = i.id AND t.met_at IS NULL)
        WHEN {reported} IN {OVERDUE_STATES} THEN {_ALWAYS[dialect]}
        END AS overdue_at
        FROM items i WHERE {where}"""


def upgrade() -> None:
    op.create_table(
        'item_counts',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        *_key_columns(),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_item_counts_key', 'item_counts', list(KEY))
    op.create_table(
        'items_overdue',
        sa.Column('item_id', Id, nullable=False),
        sa.Column('overdue_at', Time, nullable=False),
        *_key_columns(),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id'),
    )
    # today's rows are counted from this index alone
    op.create_index('ix_items_overdue_at', 'items_overdue', ['overdue_at', *KEY])
    op.create_table(
        'overdue_counts',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        *_key_columns(),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_overdue_counts_key', 'overdue_counts', [*KEY, 'day'])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # no write may slip in between the fill and the triggers
        _run("LOCK TABLE items, sla_targets IN SHARE ROW EXCLUSIVE MODE")
    _run(f"INSERT INTO items_overdue (item_id, {_cols()}, overdue_at) "
               f"SELECT * FROM ({_wanted(dialect, 'true')}) w WHERE w.overdue_at IS NOT NULL")
    _run(f"INSERT INTO item_counts ({_cols()}, n) "
               f"SELECT {_cols()}, count(*) FROM items GROUP BY {_cols()}")
    day = _DAY[dialect].format(row="o")
    _run(f"INSERT INTO overdue_counts ({_cols()}, day, n) "
               f"SELECT {_cols('o.')}, {day}, count(*) FROM items_overdue o "
               f"GROUP BY {_cols('o.')}, {day}")
    for statement in (_postgres_triggers() if dialect == "postgresql" else _sqlite_triggers()):
        _run(statement)


def _run(sql: str) -> None:
    """Straight to the driver: the SQL holds colons (times) that text() would take for
    parameters."""
    op.get_bind().exec_driver_sql(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for function in _PG_FUNCTIONS:  # with the triggers that run them
            _run(f"DROP FUNCTION {function} CASCADE")
    else:
        for statement in _sqlite_triggers():
            _run("DROP TRIGGER " + statement.split()[2])
    op.drop_table('overdue_counts')
    op.drop_table('items_overdue')
    op.drop_table('item_counts')


# -- SQLite: row triggers, one row per key ------------------------------------------------------

def _sqlite_add(table: str, values: dict[str, str], n: str) -> str:
    """Add `n` to the row of `table` whose key columns hold `values` (SQL expressions); NULL
    keys compare with IS, so they need no unique index."""
    match = " AND ".join(f"{k} IS {v}" for k, v in values.items())
    return (f"INSERT INTO {table} ({', '.join(values)}, n) "
            f"SELECT {', '.join(values.values())}, 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {match});\n"
            f"UPDATE {table} SET n = n + ({n}) WHERE {match};")


def _sqlite_sync(item: str) -> str:
    """items_overdue made to hold what `_wanted` says of the item `item` (an SQL expression)."""
    wanted = _wanted("sqlite", f"i.id = {item}")
    stored = ", ".join(f"items_overdue.{c}" for c in ("overdue_at", *KEY))
    excluded = ", ".join(f"excluded.{c}" for c in ("overdue_at", *KEY))
    return f"""DELETE FROM items_overdue WHERE item_id = {item}
        AND (SELECT w.overdue_at FROM ({wanted}) w) IS NULL;
    INSERT INTO items_overdue (item_id, {_cols()}, overdue_at)
        SELECT * FROM ({wanted}) w WHERE w.overdue_at IS NOT NULL
        ON CONFLICT (item_id) DO UPDATE SET
            {", ".join(f"{c} = excluded.{c}" for c in ("overdue_at", *KEY))}
        WHERE ({stored}) IS NOT ({excluded});"""


def _differs(columns, old: str = "old", new: str = "new") -> str:
    return " OR ".join(f"{old}.{c} IS NOT {new}.{c}" for c in columns)


def _sqlite_triggers() -> list[str]:
    new = {k: f"new.{k}" for k in KEY}
    old = {k: f"old.{k}" for k in KEY}
    new_day = {**new, "day": _DAY["sqlite"].format(row="new")}
    old_day = {**old, "day": _DAY["sqlite"].format(row="old")}
    reported = _REPORTED["sqlite"]
    key_changed = _differs(KEY)
    return [
        f"""CREATE TRIGGER item_counts_insert AFTER INSERT ON items BEGIN
            {_sqlite_add("item_counts", new, "1")}
        END""",
        f"""CREATE TRIGGER item_counts_delete AFTER DELETE ON items BEGIN
            {_sqlite_add("item_counts", old, "-1")}
        END""",
        f"""CREATE TRIGGER item_counts_update AFTER UPDATE OF {_cols()} ON items
        WHEN {key_changed} BEGIN
            {_sqlite_add("item_counts", old, "-1")}
            {_sqlite_add("item_counts", new, "1")}
        END""",
        # a new item has no SLA targets yet: only its producer's report can make it overdue
        f"""CREATE TRIGGER items_overdue_item_insert AFTER INSERT ON items
        WHEN {reported.format(row="new")} IN {OVERDUE_STATES} BEGIN
            {_sqlite_sync("new.id")}
        END""",
        f"""CREATE TRIGGER items_overdue_item_update AFTER UPDATE OF {_cols()}, payload ON items
        WHEN {key_changed}
            OR {reported.format(row="old")} IS NOT {reported.format(row="new")} BEGIN
            {_sqlite_sync("new.id")}
        END""",
        # (an item's deletion removes its items_overdue row by the foreign key's cascade)
        f"""CREATE TRIGGER items_overdue_target_insert AFTER INSERT ON sla_targets BEGIN
            {_sqlite_sync("new.item_id")}
        END""",
        f"""CREATE TRIGGER items_overdue_target_delete AFTER DELETE ON sla_targets BEGIN
            {_sqlite_sync("old.item_id")}
        END""",
        f"""CREATE TRIGGER items_overdue_target_update
        AFTER UPDATE OF item_id, warn_at, met_at ON sla_targets
        WHEN {_differs(("item_id", "warn_at", "met_at"))} BEGIN
            {_sqlite_sync("old.item_id")}
            {_sqlite_sync("new.item_id")}
        END""",
        f"""CREATE TRIGGER overdue_counts_insert AFTER INSERT ON items_overdue BEGIN
            {_sqlite_add("overdue_counts", new_day, "1")}
        END""",
        f"""CREATE TRIGGER overdue_counts_delete AFTER DELETE ON items_overdue BEGIN
            {_sqlite_add("overdue_counts", old_day, "-1")}
        END""",
        f"""CREATE TRIGGER overdue_counts_update AFTER UPDATE ON items_overdue BEGIN
            {_sqlite_add("overdue_counts", old_day, "-1")}
            {_sqlite_add("overdue_counts", new_day, "1")}
        END""",
    ]


# -- PostgreSQL: statement triggers over transition tables, a row per key and writer ---------

def _pg_fold(table: str, key: tuple[str, ...], delta: str) -> str:
    """Add `delta` (rows of `key` columns and `n`) to `table`: one new row per key with its
    sum, folding in the key's rows no other transaction holds (they are deleted here; the
    rows another writer holds are skipped, never waited for)."""
    cols = ", ".join(key)
    match = " AND ".join(f"c.{k} IS NOT DISTINCT FROM d.{k}" for k in key)
    return f"""WITH delta AS (
            SELECT {cols}, sum(n) AS n FROM ({delta}) changes
            GROUP BY {cols} HAVING sum(n) <> 0),
        taken AS (
            DELETE FROM {table} WHERE id IN (
                SELECT c.id FROM {table} c JOIN delta d ON {match}
                FOR UPDATE OF c SKIP LOCKED)
            RETURNING {cols}, n)
        INSERT INTO {table} ({cols}, n)
        SELECT {cols}, sum(n) FROM (SELECT * FROM delta UNION ALL SELECT * FROM taken) merged
        GROUP BY {cols} HAVING sum(n) <> 0;"""


def _pg_by_operation(insert: str, update: str, delete: str) -> str:
    """A statement trigger's body: each branch reads only the transition tables its operation
    has (PL/pgSQL plans a statement when it first runs it)."""
    return f"""BEGIN
        IF TG_OP = 'INSERT' THEN {insert}
        ELSIF TG_OP = 'UPDATE' THEN {update}
        ELSE {delete}
        END IF;
        RETURN NULL;
    END"""


def _pg_function(name: str, body: str, returns: str = "trigger") -> str:
    return f"CREATE FUNCTION {name} RETURNS {returns} LANGUAGE plpgsql AS $body$ {body} $body$"


# (trigger, table, function, operations): each statement trigger and what it runs
_PG_TRIGGERS = (
    ("item_counts_track", "items", "item_counts_track", ("INSERT", "UPDATE", "DELETE")),
    ("items_overdue_from_items", "items", "items_overdue_from_items", ("INSERT", "UPDATE")),
    ("items_overdue_from_targets", "sla_targets", "items_overdue_from_targets",
     ("INSERT", "UPDATE", "DELETE")),
    ("overdue_counts_track", "items_overdue", "overdue_counts_track",
     ("INSERT", "UPDATE", "DELETE")),
)
_PG_FUNCTIONS = ("item_counts_track()", "items_overdue_from_items()",
                 "items_overdue_from_targets()", "overdue_counts_track()",
                 "items_overdue_sync(bigint[])", "item_counts_clear()", "overdue_counts_clear()")
_TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows"}


def _pg_create_triggers() -> list[str]:
    """One trigger per operation (a trigger with transition tables has only one), then the
    ones that empty the counts when their table is truncated."""
    made = [f"CREATE TRIGGER {name}_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {_TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for name, table, function, events in _PG_TRIGGERS for event in events]
    return [*made,
            ("CREATE TRIGGER item_counts_clear AFTER TRUNCATE ON items "
             "FOR EACH STATEMENT EXECUTE FUNCTION item_counts_clear()"),
            ("CREATE TRIGGER overdue_counts_clear AFTER TRUNCATE ON items_overdue "
             "FOR EACH STATEMENT EXECUTE FUNCTION overdue_counts_clear()")]


def _postgres_triggers() -> list[str]:
    cols = _cols()
    day_key = (*KEY, "day")
    new_day = _DAY["postgresql"].format(row="new_rows")
    old_day = _DAY["postgresql"].format(row="old_rows")
    plus, minus = f"SELECT {cols}, 1 AS n FROM new_rows", f"SELECT {cols}, -1 AS n FROM old_rows"
    day_plus = f"SELECT {cols}, {new_day} AS day, 1 AS n FROM new_rows"
    day_minus = f"SELECT {cols}, {old_day} AS day, -1 AS n FROM old_rows"
    reported = _REPORTED["postgresql"]
    stored = ", ".join(f"items_overdue.{c}" for c in ("overdue_at", *KEY))
    excluded = ", ".join(f"EXCLUDED.{c}" for c in ("overdue_at", *KEY))
    changed_targets = ("SELECT item_id, target, warn_at, met_at FROM {a} "
                       "EXCEPT SELECT item_id, target, warn_at, met_at FROM {b}")
    return [
        _pg_function("item_counts_track()", _pg_by_operation(
            _pg_fold("item_counts", KEY, plus),
            _pg_fold("item_counts", KEY, f"{plus} UNION ALL {minus}"),
            _pg_fold("item_counts", KEY, minus))),
        _pg_function("overdue_counts_track()", _pg_by_operation(
            _pg_fold("overdue_counts", day_key, day_plus),
            _pg_fold("overdue_counts", day_key, f"{day_plus} UNION ALL {day_minus}"),
            _pg_fold("overdue_counts", day_key, day_minus))),
        # items_overdue made to hold what `_wanted` says of the items `ids`
        _pg_function("items_overdue_sync(ids bigint[])", f"""BEGIN
            IF ids IS NULL THEN RETURN; END IF;
            -- Two writers changing one item's targets without holding the item would each
            -- see only their own change: take the items (in id order, as every writer
            -- does), so the second reads the first's committed targets. The app's writers
            -- already hold them.
            PERFORM 1 FROM items WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
            DELETE FROM items_overdue o WHERE o.item_id = ANY(ids) AND NOT EXISTS (
                SELECT 1 FROM ({_wanted("postgresql", "i.id = o.item_id")}) w
                WHERE w.overdue_at IS NOT NULL);
            INSERT INTO items_overdue (item_id, {cols}, overdue_at)
                SELECT * FROM ({_wanted("postgresql", "i.id = ANY(ids)")}) w
                WHERE w.overdue_at IS NOT NULL
                ON CONFLICT (item_id) DO UPDATE SET
                    {", ".join(f"{c} = EXCLUDED.{c}" for c in ("overdue_at", *KEY))}
                WHERE ({stored}) IS DISTINCT FROM ({excluded});
        END""", returns="void"),
        # a new item has no SLA targets yet: only its producer's report can make it overdue;
        # a deleted one loses its row by the foreign key's cascade
        _pg_function("items_overdue_from_items()", _pg_by_operation(
            f"""PERFORM items_overdue_sync(array_agg(id)) FROM new_rows
                WHERE {reported.format(row="new_rows")} IN {OVERDUE_STATES};""",
            f"""PERFORM items_overdue_sync(array_agg(n.id))
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE ({_cols("n.")}) IS DISTINCT FROM ({_cols("o.")})
                   OR {reported.format(row="n")} IS DISTINCT FROM {reported.format(row="o")};""",
            "NULL;")),
        _pg_function("items_overdue_from_targets()", _pg_by_operation(
            "PERFORM items_overdue_sync(array_agg(item_id)) FROM new_rows;",
            f"""PERFORM items_overdue_sync(array_agg(item_id)) FROM (
                {changed_targets.format(a="new_rows", b="old_rows")} UNION ALL
                {changed_targets.format(a="old_rows", b="new_rows")}) changed;""",
            "PERFORM items_overdue_sync(array_agg(item_id)) FROM old_rows;")),
        _pg_function("item_counts_clear()", "BEGIN DELETE FROM item_counts; RETURN NULL; END"),
        _pg_function("overdue_counts_clear()",
                     "BEGIN DELETE FROM overdue_counts; RETURN NULL; END"),
        *_pg_create_triggers(),
    ]
