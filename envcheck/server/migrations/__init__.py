"""Alembic migrations of the intake service's store (run by `envcheck-server init` and `upgrade`)."""
