"""Alembic environment: the connection comes from envcheck.server.migrate (no alembic.ini)."""

from alembic import context

from envcheck.server.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
