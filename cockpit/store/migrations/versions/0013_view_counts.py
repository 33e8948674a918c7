"""counts of saved views kept by the database: items per combination of the columns views
and visibility filter on, and when each item turns overdue, counted per day and hour

- `item_counts`: how many items hold each (kind, state, priority, assignee_id,
  target_user_id, target_role). A view whose terms read only those columns is counted by
  summing a few hundred rows instead of reading every item.
- `items_overdue`: when each item turns overdue as `sla:at_risk,breached` reads it (the
  earliest warning of its pending SLA targets; for an item without SLA targets whose producer
  reports it at risk or breached, 1970), with the item's key columns.
- `overdue_counts`: items_overdue counted per key and UTC day, and again per key and hour, so
  the overdue view is a sum over the days before today and today's hours before this one,
  and an index range of this hour's rows.

Triggers keep all three in step with items and sla_targets in the writer's own transaction,
and this migration fills them from the rows already there; an update of anything else (a
title, a payload but its SLA report) leaves them be. SQLite's keep one row per key (one
writer at a time). PostgreSQL's stage each change in the session and settle them when the
transaction commits, once per key, in a row of the key no other transaction holds (SKIP
LOCKED) or a new one: concurrent writers never wait on, or deadlock over, a counter, a key
has at most a row per writer that ever held one at once, and a count is always a sum.

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
# The start of the UTC day and hour an item turns overdue in, by span.
_SPANS = {
    "day": {"sqlite": "date({row}.overdue_at) || ' 00:00:00.000000'",
            "postgresql": "date_trunc('day', {row}.overdue_at, 'UTC')"},
    "hour": {"sqlite": "strftime('%Y-%m-%d %H:00:00.000000', {row}.overdue_at)",
             "postgresql": "date_trunc('hour', {row}.overdue_at, 'UTC')"},
}


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
    # this hour's rows are counted from this index alone
    op.create_index('ix_items_overdue_at', 'items_overdue', ['overdue_at', *KEY])
    op.create_table(
        'overdue_counts',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        *_key_columns(),
        sa.Column('span', sa.String(length=4), nullable=False),  # day, hour
        sa.Column('start', Time, nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_overdue_counts_start', 'overdue_counts', ['span', 'start'])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # no write may slip in between the fill and the triggers
        _run("LOCK TABLE items, sla_targets IN SHARE ROW EXCLUSIVE MODE")
    _run(f"INSERT INTO items_overdue (item_id, {_cols()}, overdue_at) "
         f"SELECT * FROM ({_wanted(dialect, 'true')}) w WHERE w.overdue_at IS NOT NULL")
    _run(f"INSERT INTO item_counts ({_cols()}, n) "
         f"SELECT {_cols()}, count(*) FROM items GROUP BY {_cols()}")
    for span, starts in _SPANS.items():
        start = starts[dialect].format(row="o")
        _run(f"INSERT INTO overdue_counts ({_cols()}, span, start, n) "
             f"SELECT {_cols('o.')}, '{span}', {start}, count(*) FROM items_overdue o "
             f"GROUP BY {_cols('o.')}, {start}")
    if dialect == "sqlite":  # one row per key, found by its unique index
        _run(f"CREATE UNIQUE INDEX uq_item_counts_key ON item_counts ({_sqlite_unique(KEY)})")
        _run("CREATE UNIQUE INDEX uq_overdue_counts_key ON overdue_counts "
             f"({_sqlite_unique((*KEY, 'span', 'start'))})")
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


# -- SQLite: row triggers, one row per key -------------------------------------------------

# A key as SQLite's unique indexes of the counts hold it: NULL as a blob, which no text
# equals, so a key with NULLs has one row too (a unique index takes NULLs as distinct).
_NULLABLE = ("assignee_id", "target_user_id", "target_role")


def _sqlite_unique(key: tuple[str, ...]) -> str:
    return ", ".join(f"ifnull({k}, x'00')" if k in _NULLABLE else k for k in key)


def _sqlite_add(table: str, values: dict[str, str]) -> str:
    """One more in the row whose key columns hold `values` (SQL expressions)."""
    return (f"INSERT INTO {table} ({', '.join(values)}, n) "
            f"VALUES ({', '.join(values.values())}, 1) "
            f"ON CONFLICT ({_sqlite_unique(tuple(values))}) DO UPDATE SET n = n + 1;")


def _sqlite_take(table: str, values: dict[str, str]) -> str:
    """One less in the row whose key columns hold `values` (it exists: the item was counted
    in it), found by the unique index: the same expressions, compared with =."""
    match = " AND ".join(f"ifnull({k}, x'00') = ifnull({v}, x'00')" if k in _NULLABLE
                         else f"{k} = {v}" for k, v in values.items())
    return f"UPDATE {table} SET n = n - 1 WHERE {match};"


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


def _differs(columns) -> str:
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)


def _sqlite_triggers() -> list[str]:
    new = {k: f"new.{k}" for k in KEY}
    old = {k: f"old.{k}" for k in KEY}
    def spans(row: str) -> list[dict[str, str]]:
        values = {k: f"{row}.{k}" for k in KEY}
        return [{**values, "span": f"'{span}'", "start": starts["sqlite"].format(row=row)}
                for span, starts in _SPANS.items()]

    def added(row: str) -> str:
        return "\n".join(_sqlite_add("overdue_counts", v) for v in spans(row))

    def taken(row: str) -> str:
        return "\n".join(_sqlite_take("overdue_counts", v) for v in spans(row))

    reported = _REPORTED["sqlite"]
    key_changed = _differs(KEY)
    return [
        f"""CREATE TRIGGER item_counts_insert AFTER INSERT ON items BEGIN
            {_sqlite_add("item_counts", new)}
        END""",
        f"""CREATE TRIGGER item_counts_delete AFTER DELETE ON items BEGIN
            {_sqlite_take("item_counts", old)}
        END""",
        f"""CREATE TRIGGER item_counts_update AFTER UPDATE OF {_cols()} ON items
        WHEN {key_changed} BEGIN
            {_sqlite_take("item_counts", old)}
            {_sqlite_add("item_counts", new)}
        END""",
        # a new item has no SLA targets yet: only its producer's report can make it overdue
        f"""CREATE TRIGGER items_overdue_item_insert AFTER INSERT ON items
        WHEN {reported.format(row="new")} IN {OVERDUE_STATES} BEGIN
            {_sqlite_sync("new.id")}
        END""",
        f"""CREATE TRIGGER items_overdue_item_key AFTER UPDATE OF {_cols()} ON items
        WHEN {key_changed} BEGIN
            UPDATE items_overdue SET {", ".join(f"{k} = new.{k}" for k in KEY)}
            WHERE item_id = new.id;
        END""",
        f"""CREATE TRIGGER items_overdue_item_report AFTER UPDATE OF payload ON items
        WHEN {reported.format(row="old")} IS NOT {reported.format(row="new")} BEGIN
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
            {added("new")}
        END""",
        f"""CREATE TRIGGER overdue_counts_delete AFTER DELETE ON items_overdue BEGIN
            {taken("old")}
        END""",
        f"""CREATE TRIGGER overdue_counts_update AFTER UPDATE ON items_overdue BEGIN
            {taken("old")}
            {added("new")}
        END""",
    ]


# -- PostgreSQL: changes settled once per transaction, a row per key and concurrent writer --

_PG_TYPES = {"kind": "varchar", "state": "varchar", "priority": "varchar",
             "assignee_id": "varchar", "target_user_id": "varchar", "target_role": "varchar",
             "span": "varchar", "start": "timestamptz"}
_PG_FUNCTIONS = ("counts_stage", "counts_settle", "item_counts_add", "overdue_counts_add",
                 "item_counts_track", "overdue_counts_track", "items_overdue_sync",
                 "items_overdue_key", "items_overdue_report", "items_overdue_new_targets",
                 "items_overdue_targets", "item_counts_clear", "overdue_counts_clear")
_STAGED = "pg_temp.counts_staged"
_STAGED_KEY = (*KEY, "span", "start")


def _pg_function(name: str, body: str, returns: str = "trigger") -> str:
    return (f"CREATE FUNCTION {name} RETURNS {returns} LANGUAGE plpgsql "
            f"AS $body$ BEGIN {body} END $body$")


def _pg_add(table: str, key: tuple[str, ...]) -> str:
    """`{table}_add(key..., n)`: add `n` to a row of the key that no other transaction
    holds, or to a new row when every one is held; so writers never wait on, or deadlock
    over, a counter, and a key has at most a row per writer that ever held one at once."""
    params = ", ".join(f"p_{k} {_PG_TYPES[k]}" for k in key)
    match = " AND ".join(f"{k} = p_{k}" if k not in _NULLABLE else
                         f"{k} IS NOT DISTINCT FROM p_{k}" for k in key)
    return _pg_function(f"{table}_add({params}, p_n bigint)", f"""
        UPDATE {table} SET n = n + p_n WHERE id = (
            SELECT id FROM {table} WHERE {match} LIMIT 1 FOR UPDATE SKIP LOCKED);
        IF NOT FOUND THEN
            INSERT INTO {table} ({", ".join(key)}, n)
            VALUES ({", ".join(f"p_{k}" for k in key)}, p_n);
        END IF;""", returns="void")


def _pg_stage() -> str:
    """`counts_stage(counter, key..., span, start, n)`: note a change in this session's staging table
    (made on first use; emptied at commit), settled by `counts_settle` when the transaction
    commits: a counter row is then written once per transaction, not once per row changed (a
    transaction cannot prune the versions it leaves itself, so a bulk change of 30,000 rows
    under one key grew a table of 50 rows to megabytes)."""
    params = ", ".join(f"p_{k} {_PG_TYPES[k]}" for k in _STAGED_KEY)
    return _pg_function(f"counts_stage(p_counter text, {params}, p_n integer)", f"""
        IF to_regclass('{_STAGED}') IS NULL THEN
            CREATE TEMP TABLE counts_staged (counter text, {", ".join(
                f"{k} {_PG_TYPES[k]}" for k in _STAGED_KEY)}, n integer)
                ON COMMIT DELETE ROWS;
            CREATE CONSTRAINT TRIGGER counts_settle AFTER INSERT ON {_STAGED}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION counts_settle();
        END IF;
        INSERT INTO {_STAGED} VALUES (p_counter, {", ".join(
            f"p_{k}" for k in _STAGED_KEY)}, p_n);
        PERFORM set_config('cockpit.counts_staged', 'on', true);""", returns="void")


def _pg_settle() -> str:
    """The staged changes added to the counters, once per key (the first of the deferred
    events does it; the others find nothing staged)."""
    cols = _cols()
    return _pg_function("counts_settle()", f"""
        IF current_setting('cockpit.counts_staged', true) IS DISTINCT FROM 'on' THEN
            RETURN NULL;
        END IF;
        PERFORM set_config('cockpit.counts_staged', '', true);
        PERFORM item_counts_add({cols}, sum(n)) FROM {_STAGED} WHERE counter = 'items'
            GROUP BY {cols} HAVING sum(n) <> 0;
        PERFORM overdue_counts_add({cols}, span, start, sum(n)) FROM {_STAGED}
            WHERE counter = 'overdue' GROUP BY {cols}, span, start HAVING sum(n) <> 0;
        DELETE FROM {_STAGED};
        RETURN NULL;""")


def _pg_track(counter: str) -> str:
    """A row trigger's function staging its row's move from OLD's key to NEW's (an overdue
    item's in both spans)."""
    def stage(row: str, n: str) -> str:
        key = ", ".join(f"{row}.{k}" for k in KEY)
        if counter == "items":
            return f"PERFORM counts_stage('items', {key}, NULL, NULL, {n});"
        return " ".join(f"PERFORM counts_stage('overdue', {key}, '{span}', "
                        f"{starts['postgresql'].format(row=row)}, {n});"
                        for span, starts in _SPANS.items())

    table = "item_counts" if counter == "items" else "overdue_counts"
    return _pg_function(f"{table}_track()", f"""
        IF TG_OP IN ('UPDATE', 'DELETE') THEN {stage("OLD", "-1")} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {stage("NEW", "1")} END IF;
        RETURN NULL;""")


def _pg_trigger(name: str, event: str, table: str, function: str,
                when: str | None = None) -> str:
    """A row trigger; `when`: the rows it fires for."""
    condition = f" WHEN ({when})" if when else ""
    return (f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION {function}()")


def _pg_row_differs(columns) -> str:
    return (f"({', '.join(f'OLD.{c}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'NEW.{c}' for c in columns)})")


def _postgres_triggers() -> list[str]:
    cols = _cols()
    reported = _REPORTED["postgresql"]
    stored = ", ".join(f"items_overdue.{c}" for c in ("overdue_at", *KEY))
    excluded = ", ".join(f"EXCLUDED.{c}" for c in ("overdue_at", *KEY))
    key_changed = _pg_row_differs(KEY)
    return [
        _pg_add("item_counts", KEY),
        _pg_add("overdue_counts", _STAGED_KEY),
        _pg_settle(),
        _pg_stage(),
        _pg_track("items"),
        _pg_track("overdue"),
        # items_overdue made to hold what `_wanted` says of the items `ids`
        _pg_function("items_overdue_sync(ids bigint[])", f"""
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
                WHERE ({stored}) IS DISTINCT FROM ({excluded});""", returns="void"),
        _pg_function("items_overdue_key()", f"""
            UPDATE items_overdue SET {", ".join(f"{k} = NEW.{k}" for k in KEY)}
            WHERE item_id = NEW.id;
            RETURN NULL;"""),
        _pg_function("items_overdue_report()",
                     "PERFORM items_overdue_sync(ARRAY[NEW.id]); RETURN NULL;"),
        # a statement's new targets at once (a seed inserts thousands in one statement)
        _pg_function("items_overdue_new_targets()", """
            PERFORM items_overdue_sync(array_agg(DISTINCT item_id)) FROM new_rows;
            RETURN NULL;"""),
        _pg_function("items_overdue_targets()", """
            IF TG_OP = 'DELETE' THEN
                PERFORM items_overdue_sync(ARRAY[OLD.item_id]);
            ELSE
                PERFORM items_overdue_sync(ARRAY[OLD.item_id, NEW.item_id]);
            END IF;
            RETURN NULL;"""),
        _pg_function("item_counts_clear()", "DELETE FROM item_counts; RETURN NULL;"),
        _pg_function("overdue_counts_clear()", "DELETE FROM overdue_counts; RETURN NULL;"),
        _pg_trigger("item_counts_track", "INSERT OR DELETE", "items", "item_counts_track"),
        _pg_trigger("item_counts_track_update", f"UPDATE OF {cols}", "items",
                    "item_counts_track", when=key_changed),
        _pg_trigger("items_overdue_key", f"UPDATE OF {cols}", "items", "items_overdue_key",
                    when=key_changed),
        # a new item has no SLA targets yet: only its producer's report can make it overdue;
        # a deleted one loses its row by the foreign key's cascade
        _pg_trigger("items_overdue_report", "INSERT", "items", "items_overdue_report",
                    when=f"{reported.format(row='NEW')} IN {OVERDUE_STATES}"),
        _pg_trigger("items_overdue_report_update", "UPDATE OF payload", "items",
                    "items_overdue_report", when=f"{reported.format(row='OLD')} "
                    f"IS DISTINCT FROM {reported.format(row='NEW')}"),
        ("CREATE TRIGGER items_overdue_new_targets AFTER INSERT ON sla_targets "
         "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
         "EXECUTE FUNCTION items_overdue_new_targets()"),
        _pg_trigger("items_overdue_targets", "DELETE", "sla_targets", "items_overdue_targets"),
        _pg_trigger("items_overdue_targets_update", "UPDATE OF item_id, warn_at, met_at",
                    "sla_targets", "items_overdue_targets",
                    when=_pg_row_differs(("item_id", "warn_at", "met_at"))),
        _pg_trigger("overdue_counts_track", "INSERT OR DELETE", "items_overdue",
                    "overdue_counts_track"),
        _pg_trigger("overdue_counts_track_update", "UPDATE", "items_overdue",
                    "overdue_counts_track", when=_pg_row_differs(("overdue_at", *KEY))),
        ("CREATE TRIGGER item_counts_clear AFTER TRUNCATE ON items "
         "FOR EACH STATEMENT EXECUTE FUNCTION item_counts_clear()"),
        ("CREATE TRIGGER overdue_counts_clear AFTER TRUNCATE ON items_overdue "
         "FOR EACH STATEMENT EXECUTE FUNCTION overdue_counts_clear()"),
    ]
