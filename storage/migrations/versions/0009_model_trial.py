"""A model's trial: a model that passed validation mines beside the promoted one until its hits per
CPU-hour decide whether it replaces it.

Revision ID: 0009_model_trial
Revises: 0008_model_files
Create Date: 2026-12-02 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_model_trial"
down_revision = "0008_model_files"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch copy: the `model_yield` view reads model_versions, and SQLite's table
# copy would break it (SQLite has ADD and DROP COLUMN since 3.35).
def upgrade() -> None:
    op.add_column("model_versions", sa.Column("trial", sa.String(8), nullable=True))


def downgrade() -> None:
    op.drop_column("model_versions", "trial")
