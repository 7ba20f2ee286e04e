"""The outbound submission queue (storage/submissions.py), added by the daemon helper.

Revision ID: 0002_submissions
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002_submissions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_number", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("a_number", "code_hash", name="uq_submissions_a_number_code_hash"),
    )
    op.create_index("ix_submissions_status_next_try_at", "submissions", ["status", "next_try_at"], unique=False)
    op.create_index("ix_submissions_sent_at", "submissions", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_submissions_sent_at", table_name="submissions")
    op.drop_index("ix_submissions_status_next_try_at", table_name="submissions")
    op.drop_table("submissions")
