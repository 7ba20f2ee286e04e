"""Remember when each mined program was last verified, so a refresh that changes a sequence's terms
triggers a new check of its program (and only then).

Revision ID: 0005_program_verified_at
Revises: 0004_program_owner
Create Date: 2026-11-25 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_program_verified_at"
down_revision = "0004_program_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: programs stored before this revision count as verified when found.
    op.add_column("programs", sa.Column("verified_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("programs", "verified_at")
