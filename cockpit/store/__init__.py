"""The store: SQLAlchemy Core tables and Alembic migrations on SQLite (default) or PostgreSQL."""

from cockpit.store.db import default_db_url, in_transaction, open_engine

__all__ = ["default_db_url", "in_transaction", "open_engine"]
