"""saved views: a named query, personal or shared with a role

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa
import cockpit.store.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'views',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True,
                  nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=True),
        sa.Column('role', sa.String(length=20), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', cockpit.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', 'scope', 'owner', 'role', name='uq_views_name'),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table('views')
