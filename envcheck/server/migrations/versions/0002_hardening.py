"""Hardening: enrolment codes, replayed reports, how a device key came to be trusted, rate counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seeker_no", sa.String(14), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("used_at", sa.DateTime, nullable=True),
        sa.Column("key_id", sa.String(16), nullable=True),
    )
    op.create_index("ix_enrolments_seeker", "enrolments", ["seeker_no"])
    op.create_table(
        "rate_counters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bucket", sa.String(120), nullable=False),
        sa.Column("window_start", sa.DateTime, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
    )
    op.create_index("ux_rate_counters_bucket_window", "rate_counters", ["bucket", "window_start"], unique=True)
    op.create_index("ix_rate_counters_window", "rate_counters", ["window_start"])
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("replayed", sa.Boolean, nullable=False, server_default=sa.false()))
    with op.batch_alter_table("device_keys") as batch:
        # "enrolment", "counselor:<name>", or "legacy" for keys pinned by the old first-key rule
        batch.add_column(sa.Column("pinned_via", sa.String(80), nullable=True))
    op.execute("UPDATE device_keys SET pinned_via = 'legacy' WHERE pinned")
    op.create_index("ix_login_failures_name_at", "login_failures", ["name", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_name_at", "login_failures")
    with op.batch_alter_table("device_keys") as batch:
        batch.drop_column("pinned_via")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("replayed")
    op.drop_table("rate_counters")
    op.drop_table("enrolments")
