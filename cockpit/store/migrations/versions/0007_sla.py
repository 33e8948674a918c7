"""SLA policies per priority, and each ticket's targets

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
import cockpit.store.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

Time = cockpit.store.types.UTCDateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'sla_policies',
        sa.Column('priority', sa.String(length=8), nullable=False),
        sa.Column('first_response', sa.Integer(), nullable=False),
        sa.Column('next_response', sa.Integer(), nullable=False),
        sa.Column('resolution', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('priority'),
    )
    op.create_table(
        'sla_targets',
        sa.Column('item_id', Id, nullable=False),
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('start_at', Time, nullable=False),
        sa.Column('due_at', Time, nullable=False),
        sa.Column('warn_at', Time, nullable=False),
        sa.Column('met_at', Time, nullable=True),
        sa.Column('raised', sa.String(length=16), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'target'),
    )
    op.create_index('ix_sla_targets_pending', 'sla_targets', ['met_at', 'warn_at'])


def downgrade() -> None:
    op.drop_index('ix_sla_targets_pending', 'sla_targets')
    op.drop_table('sla_targets')
    op.drop_table('sla_policies')
