"""indexes of the support desk's reads: a ticket's pending SLA targets by item, and tickets
by customer

`sla:` (and the overdue view) asks, for each ticket, whether one of its own targets is past
its warning or due time: without ix_sla_targets_item_pending SQLite answered that from
ix_sla_targets_pending (every pending target, per ticket: quadratic; 1 s for 2,000 tickets).
The customer card and `customer:` find a customer's tickets by payload.customer.id, in the
same text as cockpit.store.query.customer_id_sql.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


_CUSTOMER_ID = {
    "postgresql": "CAST((payload #>> '{customer,id}') AS VARCHAR)",
    "sqlite": """CAST(json_extract(payload, '$."customer"."id"') AS VARCHAR)""",
}


def upgrade() -> None:
    op.create_index('ix_sla_targets_item_pending', 'sla_targets',
                    ['item_id', 'met_at', 'warn_at', 'due_at'])
    expression = _CUSTOMER_ID[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_items_customer ON items (({expression}))")


def downgrade() -> None:
    op.drop_index('ix_items_customer', 'items')
    op.drop_index('ix_sla_targets_item_pending', 'sla_targets')
