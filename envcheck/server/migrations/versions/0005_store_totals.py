"""store_totals: the number of stored reports and their bytes, one row kept exact in the same transaction as
every insert, trim and purge (the storage bound then holds across every service process); backfilled here
from the reports already stored.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_totals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("reports", sa.BigInteger, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
    )
    # length() of a BLOB (SQLite) or bytea (PostgreSQL) is its size in bytes
    op.execute("INSERT INTO store_totals (id, reports, bytes) "
               "SELECT 1, count(*), coalesce(sum(length(body)), 0) FROM reports")


def downgrade() -> None:
    op.drop_table("store_totals")
