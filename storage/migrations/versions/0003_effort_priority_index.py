"""Index effort by claim priority, so `claim` reads tried sequences in order instead of sorting them all.

Revision ID: 0003
Revises: 0002_submissions
Create Date: 2026-11-25 16:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002_submissions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_effort_priority", "effort", ["cpu_seconds", "last_attempt_at", "a_number"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_effort_priority", table_name="effort")
