"""SQLite: a bulk update counts the view counts once, not a trigger run per row

SQLite's triggers run per row: a state change cost ~150 us per item in item_counts and
items_overdue (two to seven statements each), and marking 52k items read took 7-10 s where
the UPDATE alone takes well under one. While `counts_deferred` holds a row, the two triggers
an item's key columns fire are skipped; cockpit.store.bulk_counts inserts that row inside the
bulk's own transaction, counts the changed items' keys before and after, and applies the
difference at once (and deletes the row before the transaction ends: no other connection
ever sees it). PostgreSQL's statement triggers already settle a bulk once; the table is
created there too, and stays empty.

Revision ID: 0016
Revises: 0015
"""

import importlib

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_COUNTS = importlib.import_module("cockpit.store.migrations.versions.0013_view_counts")
_GUARD = "NOT EXISTS (SELECT 1 FROM counts_deferred)"


def _triggers(guard: str) -> list[str]:
    key = _COUNTS.KEY
    changed = _COUNTS._differs(key)
    when = f"({changed}) AND {guard}" if guard else changed
    new = {k: f"new.{k}" for k in key}
    old = {k: f"old.{k}" for k in key}
    return [
        "DROP TRIGGER item_counts_update",
        f"""CREATE TRIGGER item_counts_update AFTER UPDATE OF {_COUNTS._cols()} ON items
        WHEN {when} BEGIN
            {_COUNTS._sqlite_take("item_counts", old)}
            {_COUNTS._sqlite_add("item_counts", new)}
        END""",
        "DROP TRIGGER items_overdue_item_key",
        f"""CREATE TRIGGER items_overdue_item_key AFTER UPDATE OF {_COUNTS._cols()} ON items
        WHEN {when} BEGIN
            UPDATE items_overdue SET {", ".join(f"{k} = new.{k}" for k in key)}
            WHERE item_id = new.id;
        END""",
    ]


def upgrade() -> None:
    op.create_table('counts_deferred', sa.Column('bulk', sa.Integer(), nullable=False))
    if op.get_bind().dialect.name == "sqlite":
        for statement in _triggers(_GUARD):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _triggers(""):
            op.execute(statement)
    op.drop_table('counts_deferred')
