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
and this migration fills them from the rows already there; an update of anything else (a
title, a payload but its SLA report) leaves them be. SQLite's fire per row and keep one row
per key (one writer at a time). PostgreSQL's fire per statement, so a bulk statement adds to
each key once, not once per row; they add to a row of the key no other transaction holds
(SKIP LOCKED), or to a new one: concurrent writers never wait on, or deadlock over, a
counter, a key has at most a row per writer that ever held one at once, and a count is
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
    if dialect == "sqlite":  # one row per key, found by its unique index
        _run(f"CREATE UNIQUE INDEX uq_item_counts_key ON item_counts ({_sqlite_unique(KEY)})")
        _run("CREATE UNIQUE INDEX uq_overdue_counts_key ON overdue_counts "
             f"({_sqlite_unique((*KEY, 'day'))})")
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
    in it)."""
    match = " AND ".join(f"{k} IS {v}" for k, v in values.items())
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
    new_day = {**new, "day": _DAY["sqlite"].format(row="new")}
    old_day = {**old, "day": _DAY["sqlite"].format(row="old")}
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
            {_sqlite_add("overdue_counts", new_day)}
        END""",
        f"""CREATE TRIGGER overdue_counts_delete AFTER DELETE ON items_overdue BEGIN
            {_sqlite_take("overdue_counts", old_day)}
        END""",
        f"""CREATE TRIGGER overdue_counts_update AFTER UPDATE ON items_overdue BEGIN
            {_sqlite_take("overdue_counts", old_day)}
            {_sqlite_add("overdue_counts", new_day)}
        END""",
    ]


# -- PostgreSQL: statement triggers, a row per key and concurrent writer ------------------

_PG_TYPES = {"kind": "varchar", "state": "varchar", "priority": "varchar",
             "assignee_id": "varchar", "target_user_id": "varchar", "target_role": "varchar",
             "day": "date"}
_PG_FUNCTIONS = ("counts_mark", "counts_due", "item_counts_add", "overdue_counts_add",
                 "items_counted", "items_overdue_counted", "sla_targets_counted",
                 "items_overdue_sync", "item_counts_clear", "overdue_counts_clear")
_TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows"}


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


def _pg_added(table: str, key: dict[str, str]) -> dict[str, str]:
    """The statement's changes added to `table`, once per key (`key`: each key column's
    expression over a transition table `{rows}`)."""
    def rows(table_name: str, n: str) -> str:
        values = ", ".join(f"{v.format(rows=table_name)} AS {k}" for k, v in key.items())
        return f"SELECT {values}, {n} AS n FROM {table_name}"

    cols = ", ".join(key)
    changes = {"INSERT": rows("new_rows", "1"), "DELETE": rows("old_rows", "-1"),
               "UPDATE": f"{rows('new_rows', '1')} UNION ALL {rows('old_rows', '-1')}"}
    return {op: f"""PERFORM {table}_add({cols}, n) FROM (
            SELECT {cols}, sum(n) AS n FROM ({found}) changes
            GROUP BY {cols} HAVING sum(n) <> 0) delta;""" for op, found in changes.items()}


def _pg_statement(name: str, flag: str, insert: str, update: str, delete: str) -> str:
    """A statement trigger's function. An UPDATE's runs only when a row trigger flagged a
    change it cares about (`flag`): a statement trigger's queries over its transition
    tables are planned on every run, which every other UPDATE would pay for. Each branch
    reads only the transition tables its operation has."""
    return _pg_function(f"{name}()", f"""
        IF TG_OP = 'INSERT' THEN {insert}
        ELSIF TG_OP = 'UPDATE' THEN
            IF counts_due('{flag}') THEN {update} END IF;
        ELSE {delete}
        END IF;
        RETURN NULL;""")


def _pg_triggers_on(table: str, function: str, flag: str, columns: tuple[str, ...],
                    when: str) -> list[str]:
    """The statement triggers of `table` running `function`, and the row trigger flagging an
    UPDATE of `columns` that changes what `when` says."""
    made = [f"CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for event, transitions in _TRANSITIONS.items()]
    flagging = (f"CREATE TRIGGER {function}_flag AFTER UPDATE OF {', '.join(columns)} "
                f"ON {table} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION counts_mark('{flag}')")
    return [*made, flagging]


def _pg_row_differs(columns) -> str:
    return (f"({', '.join(f'OLD.{c}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'NEW.{c}' for c in columns)})")


def _postgres_triggers() -> list[str]:
    cols = _cols()
    reported = _REPORTED["postgresql"]
    stored = ", ".join(f"items_overdue.{c}" for c in ("overdue_at", *KEY))
    excluded = ", ".join(f"EXCLUDED.{c}" for c in ("overdue_at", *KEY))
    counted = _pg_added("item_counts", {k: f"{{rows}}.{k}" for k in KEY})
    overdue = _pg_added("overdue_counts", {**{k: f"{{rows}}.{k}" for k in KEY},
                                           "day": _DAY["postgresql"].format(row="{rows}")})
    changed_targets = ("SELECT item_id, target, warn_at, met_at FROM {a} "
                       "EXCEPT SELECT item_id, target, warn_at, met_at FROM {b}")
    return [
        _pg_function("counts_mark()", "PERFORM set_config(TG_ARGV[0], 'on', true); "
                                      "RETURN NULL;"),
        _pg_function("counts_due(flag text)", """
            IF current_setting(flag, true) IS DISTINCT FROM 'on' THEN RETURN false; END IF;
            PERFORM set_config(flag, '', true);
            RETURN true;""", returns="boolean"),
        _pg_add("item_counts", KEY),
        _pg_add("overdue_counts", (*KEY, "day")),
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
        # A new item has no SLA targets yet: only its producer's report can make it overdue.
        # A deleted one loses its items_overdue row by the foreign key's cascade.
        _pg_statement(
            "items_counted", "cockpit.items_changed",
            insert=f"""{counted["INSERT"]}
                PERFORM items_overdue_sync(array_agg(id)) FROM new_rows
                WHERE {reported.format(row="new_rows")} IN {OVERDUE_STATES};""",
            update=f"""{counted["UPDATE"]}
                UPDATE items_overdue o SET {", ".join(f"{k} = n.{k}" for k in KEY)}
                FROM new_rows n
                WHERE o.item_id = n.id AND ({_cols("o.")}) IS DISTINCT FROM ({_cols("n.")});
                PERFORM items_overdue_sync(array_agg(n.id))
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE {reported.format(row="n")} IS DISTINCT FROM {reported.format(row="o")};""",
            delete=counted["DELETE"]),
        _pg_statement("items_overdue_counted", "cockpit.items_overdue_changed",
                      insert=overdue["INSERT"], update=overdue["UPDATE"],
                      delete=overdue["DELETE"]),
        _pg_statement(
            "sla_targets_counted", "cockpit.sla_targets_changed",
            insert="PERFORM items_overdue_sync(array_agg(DISTINCT item_id)) FROM new_rows;",
            update=f"""PERFORM items_overdue_sync(array_agg(DISTINCT item_id)) FROM (
                {changed_targets.format(a="new_rows", b="old_rows")} UNION ALL
                {changed_targets.format(a="old_rows", b="new_rows")}) changed;""",
            delete="PERFORM items_overdue_sync(array_agg(DISTINCT item_id)) FROM old_rows;"),
        _pg_function("item_counts_clear()", "DELETE FROM item_counts; RETURN NULL;"),
        _pg_function("overdue_counts_clear()", "DELETE FROM overdue_counts; RETURN NULL;"),
        *_pg_triggers_on(
            "items", "items_counted", "cockpit.items_changed", (*KEY, "payload"),
            when=f"{_pg_row_differs(KEY)} OR {reported.format(row='OLD')} "
                 f"IS DISTINCT FROM {reported.format(row='NEW')}"),
        *_pg_triggers_on("items_overdue", "items_overdue_counted",
                         "cockpit.items_overdue_changed", ("overdue_at", *KEY),
                         when=_pg_row_differs(("overdue_at", *KEY))),
        *_pg_triggers_on("sla_targets", "sla_targets_counted", "cockpit.sla_targets_changed",
                         ("item_id", "warn_at", "met_at"),
                         when=_pg_row_differs(("item_id", "warn_at", "met_at"))),
        ("CREATE TRIGGER item_counts_clear AFTER TRUNCATE ON items "
         "FOR EACH STATEMENT EXECUTE FUNCTION item_counts_clear()"),
        ("CREATE TRIGGER overdue_counts_clear AFTER TRUNCATE ON items_overdue "
         "FOR EACH STATEMENT EXECUTE FUNCTION overdue_counts_clear()"),
    ]
