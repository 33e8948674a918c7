"""full-text search for bare words and quoted phrases (title, body, sender name), indexed:
SQLite an FTS5 table with the trigram tokenizer kept in step by triggers, PostgreSQL pg_trgm
GIN indexes (which its ILIKE '%x%' uses)

Both find a term as a case-insensitive substring, as the unindexed search did; a term of
under three characters has no trigram and is still matched by scanning.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_COLUMNS = ("title", "body_md", "sender_name")
_NEW = ", ".join(f"new.{c}" for c in _COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in _COLUMNS)
_NAMES = ", ".join(_COLUMNS)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in _COLUMNS:
            op.execute(f"CREATE INDEX ix_items_trgm_{column} ON items "
                       f"USING gin ({column} gin_trgm_ops)")
        return
    # An external-content table: the text stays in items, the index alone lives here.
    op.execute(f"CREATE VIRTUAL TABLE items_fts USING fts5({_NAMES}, content='items', "
               "content_rowid='id', tokenize='trigram')")
    op.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    op.execute(f"""CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, {_NAMES}) VALUES (new.id, {_NEW});
    END""")
    op.execute(f"""CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, {_NAMES}) VALUES ('delete', old.id, {_OLD});
    END""")
    op.execute(f"""CREATE TRIGGER items_fts_update AFTER UPDATE OF {_NAMES} ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, {_NAMES}) VALUES ('delete', old.id, {_OLD});
        INSERT INTO items_fts(rowid, {_NAMES}) VALUES (new.id, {_NEW});
    END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in _COLUMNS:
            op.execute(f"DROP INDEX ix_items_trgm_{column}")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER items_fts_{trigger}")
    op.execute("DROP TABLE items_fts")
