"""a ticket's timeline: customer messages, replies, internal notes and every change

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa
import cockpit.store.types
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'timeline',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
                  nullable=False),
        sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('author', sa.String(length=200), nullable=False),
        sa.Column('body_md', sa.Text(), nullable=False, server_default=''),
        sa.Column('internal', sa.Boolean(), nullable=False, server_default='0'),
        sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                 'postgresql'), nullable=False),
        sa.Column('at', cockpit.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_timeline_item', 'timeline', ['item_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_timeline_item', 'timeline')
    op.drop_table('timeline')
