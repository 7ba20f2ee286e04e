"""The files of promoted models, so that every miner of a fleet loads the promoted model from the
shared database instead of a folder only the miner that trained it can see.

Revision ID: 0008_model_files
Revises: 0005_program_verified_at
Create Date: 2026-12-02 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_model_files"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_files",
        sa.Column("model_id", sa.Integer(), sa.ForeignKey("model_versions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("model_files")
