"""Alembic environment: runs on the connection `cockpit.store.db.upgrade` hands over."""

from alembic import context

from cockpit.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic revision --autogenerate` during development
    from cockpit.store.db import open_engine

    with open_engine(migrate=False).connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
