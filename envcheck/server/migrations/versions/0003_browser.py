"""Browser-check reports: reports.assurance ("desktop" for the checker program, "browser" for the
/check page's measured + self-declared reports built and signed by the service).

Revision ID: 0003
Revises: 0001 (the lead re-chains parallel migrations)
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a column's constraints in place; existing rows are desktop reports.
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("assurance", sa.String(16), nullable=False, server_default="desktop"))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("assurance")
