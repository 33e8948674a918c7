"""folder keys in columns: the payload's routine, issue and crew and its advisory flag, kept
at every write of a payload (cockpit.store.inbox.folder_columns), and indexes that count the
folders of every group-by without reading the table

The routine, issue and crew folders, and an escalation's smart folder, were read from each
row's JSON, so counting them read the whole table. Existing rows are filled here by the same
function the writes use, so old and new rows are in the same folders.

One index for the three payload keys, and advisory added to ix_items_folders (which smart
folders are counted by, in the order kind, priority, sender_type, advisory), rather than an
index per key: each index that starts with the state is one more to update when an item is
read or resolved (an index per key and one per sender cost SQLite twice the time to mark
50k items read), and the three keys' counts are as fast from one index on PostgreSQL.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from cockpit.store.inbox import folder_columns

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_KEYS = ('routine', 'issue', 'crew')
_FOLDERS_0010 = ['state', 'kind', 'priority', 'sender_type', 'target_user_id', 'target_role',
                 'assignee_id', 'sender_id', 'sender_name']
_BATCH = 2_000


def upgrade() -> None:
    for key in _KEYS:
        op.add_column('items', sa.Column(key, sa.String(100)))
    op.add_column('items', sa.Column('advisory', sa.Boolean(), nullable=False,
                                     server_default='0'))
    _fill(op.get_bind())
    # the indexes after the fill, so each is built once rather than kept up row by row
    op.drop_index('ix_items_folders', 'items')
    op.create_index('ix_items_folders', 'items',
                    [*_FOLDERS_0010[:4], 'advisory', *_FOLDERS_0010[4:]])
    op.create_index('ix_items_payload_folders', 'items',
                    ['state', *_KEYS, 'target_user_id', 'target_role'])


def _fill(conn: sa.Connection) -> None:
    """Every row's folder columns from its payload: read in batches, the rows with a value
    staged in a scratch table, then set by one UPDATE ... FROM (both engines have it)."""
    items = sa.table('items', sa.column('id', sa.Integer),
                     sa.column('payload', sa.JSON().with_variant(JSONB, 'postgresql')),
                     *(sa.column(key, sa.String) for key in _KEYS),
                     sa.column('advisory', sa.Boolean))
    staged = sa.Table('folder_fill_0014', sa.MetaData(),
                      sa.Column('ref', sa.BigInteger, primary_key=True),
                      *(sa.Column(key, sa.String(100)) for key in _KEYS),
                      sa.Column('advisory', sa.Boolean, nullable=False))
    staged.create(conn)
    last = 0
    while rows := conn.execute(sa.select(items.c.id, items.c.payload)
                               .where(items.c.id > last).order_by(items.c.id)
                               .limit(_BATCH)).all():
        last = rows[-1].id
        found = [{'ref': ref, **columns} for ref, payload in rows
                 if any((columns := folder_columns(payload)).values())]
        if found:
            conn.execute(staged.insert(), found)
    conn.execute(items.update().where(items.c.id == staged.c.ref)
                 .values(advisory=staged.c.advisory, **{k: staged.c[k] for k in _KEYS}))
    staged.drop(conn)


def downgrade() -> None:
    op.drop_index('ix_items_payload_folders', 'items')
    op.drop_index('ix_items_folders', 'items')
    op.create_index('ix_items_folders', 'items', _FOLDERS_0010)
    for key in ('advisory', *_KEYS):
        op.drop_column('items', key)
