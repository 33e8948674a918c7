"""The view counts of a bulk update on SQLite, settled once instead of by a trigger per row.

SQLite runs its triggers per row: item_counts and items_overdue cost ~150 us per changed
item, so marking 52k items read took 7-10 s. For a bulk whose changes touch the counted
columns, `counted_in_bulk` holds a row in counts_deferred for the length of the update (the
triggers on the items' key columns skip while it is there, migration 0016), counts the items'
keys before and after, and applies the difference: a GROUP BY over the changed ids twice and
a statement per key that moved. All of it in the caller's transaction, so no other
connection ever sees the row or a count half-applied. PostgreSQL's statement triggers settle
a bulk once already: there it does nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text, update

from cockpit.store.tables import COUNTED_KEY, counts_deferred, items, items_overdue

BULK = 200  # fewer rows than this: the triggers' own cost is small
CHUNK = 5_000  # ids per statement: under every driver's bound-parameter limit
_NULLABLE = ("assignee_id", "target_user_id", "target_role")  # as migration 0013 keys them

# One more or less in a key's row, the row found by the unique index of migration 0013 (the
# same expressions: a NULL held as a blob, which no text equals).
_UNIQUE = ", ".join(f"ifnull({k}, x'00')" if k in _NULLABLE else k for k in COUNTED_KEY)
_ADD = text(f"INSERT INTO item_counts ({', '.join(COUNTED_KEY)}, n) "
            f"VALUES ({', '.join(':' + k for k in COUNTED_KEY)}, :n) "
            f"ON CONFLICT ({_UNIQUE}) DO UPDATE SET n = n + excluded.n")
_TAKE = text("UPDATE item_counts SET n = n - :n WHERE " + " AND ".join(
    f"ifnull({k}, x'00') = ifnull(:{k}, x'00')" if k in _NULLABLE else f"{k} = :{k}"
    for k in COUNTED_KEY))


@contextmanager
def counted_in_bulk(conn: Connection, ids: Sequence[int],
                    changes: dict[str, Any]) -> Iterator[None]:
    """Around an update of `changes` on the items `ids`: their counts settled once."""
    if conn.dialect.name != "sqlite" or len(ids) < BULK \
            or not set(changes) & set(COUNTED_KEY):
        yield
        return
    before = _keys(conn, ids)
    conn.execute(insert(counts_deferred).values(bulk=1))
    try:
        yield
        _settle(conn, before, _keys(conn, ids))
        _rekey_overdue(conn, ids)
    finally:
        conn.execute(delete(counts_deferred))


def _keys(conn: Connection, ids: Sequence[int]) -> Counter[tuple]:
    """How many of the items `ids` hold each key."""
    columns = [items.c[k] for k in COUNTED_KEY]
    counted: Counter[tuple] = Counter()
    for start in range(0, len(ids), CHUNK):
        query = (select(*columns, func.count()).where(items.c.id.in_(ids[start:start + CHUNK]))
                 .group_by(*columns))
        for *key, n in conn.execute(query):
            counted[tuple(key)] += n
    return counted


def _settle(conn: Connection, before: Counter[tuple], after: Counter[tuple]) -> None:
    moved = {key: after[key] - before[key] for key in before.keys() | after.keys()}
    added = [{**dict(zip(COUNTED_KEY, key, strict=True)), "n": n}
             for key, n in moved.items() if n > 0]
    taken = [{**dict(zip(COUNTED_KEY, key, strict=True)), "n": -n}
             for key, n in moved.items() if n < 0]
    if taken:
        conn.execute(_TAKE, taken)
    if added:
        conn.execute(_ADD, added)


def _rekey_overdue(conn: Connection, ids: Sequence[int]) -> None:
    """What the skipped trigger did for an overdue item: its row takes the item's new key
    columns (its own triggers then move it between the overdue counts): one UPDATE each, by
    primary key, for those whose key moved, as the trigger made."""
    stored = [items_overdue.c[k] for k in COUNTED_KEY]
    current = [items.c[k] for k in COUNTED_KEY]
    width = len(COUNTED_KEY)
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(select(items_overdue.c.item_id, *stored, *current)
                            .join(items, items.c.id == items_overdue.c.item_id)
                            .where(items_overdue.c.item_id.in_(ids[start:start + CHUNK])))
        for item_id, *keys in rows:
            was, now = keys[:width], keys[width:]
            if was != now:
                conn.execute(update(items_overdue).where(items_overdue.c.item_id == item_id)
                             .values(dict(zip(COUNTED_KEY, now, strict=True))))
