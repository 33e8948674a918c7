"""Many rows of a table, each set to values of its own, in as few statements as the database
allows: what a bulk run writes when every row's new values differ (a ticket's tags, an SLA
target's due time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, column, update, values

PARAMETERS = 30_000  # bound per statement: under every driver's limit


def update_each(conn: Connection, table: Table, keys: Sequence[str],
                rows: Sequence[dict[str, Any]]) -> None:
    """Set each row of `table` matched by the columns `keys` to the other columns of its entry
    in `rows` (every entry names the same columns).

    PostgreSQL: one UPDATE ... FROM (VALUES ...) per many thousand values, so a statement
    trigger runs once for them all. SQLite (triggers there run per row anyway): one UPDATE
    run with every row's parameters."""
    if not rows:
        return
    names = list(rows[0])
    changed = [n for n in names if n not in keys]
    if conn.dialect.name != "postgresql":
        match = [table.c[k] == bindparam(f"key_{k}") for k in keys]
        conn.execute(update(table).where(*match),
                     [{**{f"key_{k}": r[k] for k in keys}, **{n: r[n] for n in changed}}
                      for r in rows])
        return
    per = max(1, PARAMETERS // len(names))
    for start in range(0, len(rows), per):
        given = values(*(column(n, table.c[n].type) for n in names), name="given").data(
            [tuple(r[n] for n in names) for r in rows[start:start + per]])
        conn.execute(update(table).where(*(table.c[k] == given.c[k] for k in keys))
                     .values({n: given.c[n] for n in changed}))
