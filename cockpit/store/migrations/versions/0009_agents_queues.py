"""the floor: agents, aux codes (with the defaults), the status interval log, queues, why
waiting tickets wait, the clocks reports read; indexes for routing (waiting tickets) and
reports (timeline by type)

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa
import cockpit.store.types
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

Time = cockpit.store.types.UTCDateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
WAITING = "kind = 'ticket' AND assignee_id IS NULL AND state IN ('unread', 'read')"
DEFAULT_AUX_CODES = (("Break", "away"), ("Lunch", "away"), ("Training", "away"),
                     ("Meeting", "away"), ("Technical Issue", "away"), ("Wrap-up", "busy"))


def upgrade() -> None:
    op.create_table(
        'agents',
        sa.Column('user_id', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('aux_code', sa.String(length=64), nullable=True),
        sa.Column('status_since', Time, nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False, server_default='5'),
        sa.Column('skills', Json, nullable=False),
        sa.Column('queues', Json, nullable=False),
        sa.Column('bot', sa.Boolean(), nullable=False, server_default='0'),
        sa.Column('last_assigned_at', Time, nullable=True),
        sa.Column('last_seen_at', Time, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )
    aux = op.create_table(
        'aux_codes',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )
    op.bulk_insert(aux, [{'code': code, 'status': status, 'position': n}
                         for n, (code, status) in enumerate(DEFAULT_AUX_CODES)])
    op.create_table(
        'agent_status_log',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        sa.Column('agent_id', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('aux_code', sa.String(length=64), nullable=True),
        sa.Column('started_at', Time, nullable=False),
        sa.Column('ended_at', Time, nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.user_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_agent_status_log_agent', 'agent_status_log', ['agent_id', 'started_at'])
    op.create_index('ix_agent_status_log_started', 'agent_status_log', ['started_at'])
    op.create_index('uq_agent_status_log_open', 'agent_status_log', ['agent_id'], unique=True,
                    sqlite_where=sa.text('ended_at IS NULL'),
                    postgresql_where=sa.text('ended_at IS NULL'))
    op.create_table(
        'queues',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('skills', Json, nullable=False),
        sa.Column('skill_timeout_s', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', Time, nullable=False),
        sa.Column('updated_at', Time, nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'ticket_waits',
        sa.Column('item_id', Id, nullable=False),
        sa.Column('queue', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('at', Time, nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id'),
    )
    op.create_table(
        'clock_cursor',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('last_id', sa.BigInteger(), nullable=False),
        sa.Column('gap_id', sa.BigInteger(), nullable=True),
        sa.Column('gap_since', Time, nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'clock_state',
        sa.Column('item_id', Id, nullable=False),
        sa.Column('session', sa.Integer(), nullable=False),
        sa.Column('session_start', Time, nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('waiting_since', Time, nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id'),
    )
    op.create_table(
        'clock_samples',
        sa.Column('id', Id, autoincrement=True, nullable=False),
        sa.Column('item_id', Id, nullable=False),
        sa.Column('measure', sa.String(length=16), nullable=False),
        sa.Column('at', Time, nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('author', sa.String(length=200), nullable=False),
        sa.Column('session', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_clock_samples_measure_at', 'clock_samples', ['measure', 'at'])
    op.create_index('ix_clock_samples_item', 'clock_samples', ['item_id'])
    op.create_index('ix_items_waiting_tickets', 'items', ['created_at', 'id'],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.create_index('ix_timeline_type_at', 'timeline', ['type', 'at'])


def downgrade() -> None:
    op.drop_index('ix_timeline_type_at', 'timeline')
    op.drop_index('ix_items_waiting_tickets', 'items')
    op.drop_index('ix_clock_samples_item', 'clock_samples')
    op.drop_index('ix_clock_samples_measure_at', 'clock_samples')
    op.drop_table('clock_samples')
    op.drop_table('clock_state')
    op.drop_table('clock_cursor')
    op.drop_table('ticket_waits')
    op.drop_table('queues')
    op.drop_index('uq_agent_status_log_open', 'agent_status_log')
    op.drop_index('ix_agent_status_log_started', 'agent_status_log')
    op.drop_index('ix_agent_status_log_agent', 'agent_status_log')
    op.drop_table('agent_status_log')
    op.drop_table('aux_codes')
    op.drop_table('agents')
