"""indexes that answer a window of any sort, and a view's folders, from one index range per
state: (state, sort keys) for each sort, and a covering index for the folder counts

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The same expression as cockpit.store.query.PRIORITY_RANK_SQL, so the priority sort uses it.
_RANK = ("(CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 "
         "ELSE 0 END)")


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_items_state_priority ON items (state, {_RANK}, created_at, id)")
    op.create_index('ix_items_state_due', 'items', ['state', 'due_at', 'created_at', 'id'])
    # Folder counts read every row of a view: this index holds what visibility and the
    # column group-bys need, so they are counted without touching the table.
    op.create_index('ix_items_folders', 'items',
                    ['state', 'kind', 'priority', 'sender_type', 'target_user_id',
                     'target_role', 'assignee_id', 'sender_id', 'sender_name'])


def downgrade() -> None:
    op.drop_index('ix_items_folders', 'items')
    op.drop_index('ix_items_state_due', 'items')
    op.drop_index('ix_items_state_priority', 'items')
