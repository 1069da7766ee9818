"""Counselor decisions, upload attempts, and the receipt number as a searchable column.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seeker_no", sa.String(14), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("valid_until", sa.DateTime, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_decisions_seeker", "decisions", ["seeker_no", "id"])
    op.create_table(
        "upload_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("seeker_no", sa.String(14), nullable=True),
        sa.Column("receipt_no", sa.String(14), nullable=True),
        sa.Column("report_id", sa.String(36), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("reason_code", sa.String(32), nullable=False),
    )
    op.create_index("ix_upload_attempts_at", "upload_attempts", ["at", "id"])
    op.create_index("ix_upload_attempts_seeker", "upload_attempts", ["seeker_no", "at"])
    op.create_index("ix_upload_attempts_receipt", "upload_attempts", ["receipt_no"])
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("receipt_no", sa.String(14), nullable=True))
    # Reports stored before this migration: the number is inside the signed receipt.
    conn = op.get_bind()
    reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("receipt", sa.Text),
                       sa.column("receipt_no", sa.String))
    rows = conn.execute(sa.select(reports.c.id, reports.c.receipt)).all()
    for rid, receipt in rows:
        try:
            number = json.loads(receipt).get("receipt_no")
        except (ValueError, AttributeError):
            number = None
        if isinstance(number, str) and len(number) <= 14:
            conn.execute(reports.update().where(reports.c.id == rid).values(receipt_no=number))
    op.create_index("ix_reports_receipt_no", "reports", ["receipt_no"])


def downgrade() -> None:
    op.drop_index("ix_reports_receipt_no", "reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("receipt_no")
    op.drop_table("upload_attempts")
    op.drop_table("decisions")
