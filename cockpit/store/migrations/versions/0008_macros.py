"""macros: an ordered list of ticket actions, personal or shared with a role

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
import cockpit.store.types
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'macros',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
                  nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=True),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.Column('actions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                    'postgresql'), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', cockpit.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', 'scope', 'owner', 'role', name='uq_macros_name'),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table('macros')
