"""a due time per item, and indexes for the query language's common terms and sorts

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
import cockpit.store.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The same expression as cockpit.store.query.PRIORITY_RANK, so sorting by priority uses it.
_RANK = ("(CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 "
         "ELSE 0 END)")


def upgrade() -> None:
    with op.batch_alter_table('items') as batch:
        batch.add_column(sa.Column('due_at', cockpit.store.types.UTCDateTime(timezone=True),
                                   nullable=True))
    op.create_index('ix_items_kind_created', 'items', ['kind', 'created_at', 'id'])
    op.create_index('ix_items_assignee', 'items', ['assignee_id'])
    op.create_index('ix_items_due', 'items', ['due_at', 'id'])
    op.execute(f"CREATE INDEX ix_items_priority_created ON items ({_RANK}, created_at, id)")


def downgrade() -> None:
    op.drop_index('ix_items_priority_created', 'items')
    op.drop_index('ix_items_due', 'items')
    op.drop_index('ix_items_assignee', 'items')
    op.drop_index('ix_items_kind_created', 'items')
    with op.batch_alter_table('items') as batch:
        batch.drop_column('due_at')
