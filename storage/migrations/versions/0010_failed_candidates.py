"""Sweep candidates that got a known term wrong, so a miner's start does not check them again.

Revision ID: 0010_failed_candidates
Revises: 0009_model_trial
Create Date: 2026-12-06 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_failed_candidates"
down_revision = "0009_model_trial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_candidates",
        sa.Column("a_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("a_number", "digest"),
    )


def downgrade() -> None:
    op.drop_table("failed_candidates")
