"""Record which miner stored each program, so `loda-miner status` can show hits per miner of the fleet.

Revision ID: 0004_program_owner
Revises: 0003
Create Date: 2026-11-25 17:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_program_owner"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: corpus programs and hits stored before this revision have no owner.
    op.add_column("programs", sa.Column("owner", sa.String(length=128), nullable=True))


def downgrade() -> None:
    # SQLite >= 3.35 drops a column in place (the discovered_programs view does not use it).
    op.drop_column("programs", "owner")
