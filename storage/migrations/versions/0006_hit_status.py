"""Hit status: mined programs are 'verified' (checked on a b-file) or 'provisional' (known terms only);
programs that no longer fit move to `superseded_programs` instead of being deleted. The
`discovered_programs` view gains status, terms_verified, bfile_checked, length and cpu_seconds.

Revision ID: 0006
Revises: 0005_program_verified_at
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_program_verified_at"
branch_labels = None
depends_on = None

# Frozen copies of storage.schema.DISCOVERED_VIEW_SQL as of this revision and the one before.
_NUMBER = ("CASE WHEN p.a_number < 1000000 "
           "THEN 'A' || SUBSTR(CAST(1000000 + p.a_number AS VARCHAR(20)), 2) "
           "ELSE 'A' || CAST(p.a_number AS VARCHAR(20)) END")
OLD_VIEW_SQL = (
    f"CREATE VIEW discovered_programs AS SELECT {_NUMBER} AS a_number, "
    "COALESCE(s.name, '') AS name, p.code AS code, p.found_at AS found_at, "
    "p.model_version AS model_version, p.strategy AS strategy "
    "FROM programs p LEFT JOIN sequences s ON s.a_number = p.a_number "
    "WHERE p.origin = 'mined'"
)
VIEW_SQL = (
    f"CREATE VIEW discovered_programs AS "
    f"SELECT {_NUMBER} AS a_number, COALESCE(s.name, '') AS name, p.code AS code, "
    "p.found_at AS found_at, p.model_version AS model_version, p.strategy AS strategy, "
    "p.status AS status, p.terms_verified AS terms_verified, p.bfile_checked AS bfile_checked, "
    "p.length AS length, p.cpu_seconds AS cpu_seconds "
    "FROM programs p LEFT JOIN sequences s ON s.a_number = p.a_number "
    "WHERE p.origin = 'mined' "
    "UNION ALL "
    f"SELECT {_NUMBER} AS a_number, COALESCE(s.name, '') AS name, p.code AS code, "
    "p.found_at AS found_at, p.model_version AS model_version, p.strategy AS strategy, "
    "'superseded' AS status, p.terms_verified AS terms_verified, p.bfile_checked AS bfile_checked, "
    "p.length AS length, p.cpu_seconds AS cpu_seconds "
    "FROM superseded_programs p LEFT JOIN sequences s ON s.a_number = p.a_number"
)


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS discovered_programs")
    # Hits stored before this revision passed the deep check of their time: they stay exported.
    op.add_column("programs", sa.Column("status", sa.String(length=16), nullable=False,
                                        server_default="verified"))
    op.add_column("programs", sa.Column("bfile_checked", sa.Boolean(), nullable=False,
                                        server_default=sa.text("false")))
    op.create_table(
        "superseded_programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_number", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=True),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("cpu_seconds", sa.Float(), nullable=True),
        sa.Column("terms_verified", sa.Integer(), nullable=True),
        sa.Column("bfile_checked", sa.Boolean(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("old_terms", sa.Text(), nullable=False),
        sa.Column("old_offset", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_superseded_programs_a_number", "superseded_programs", ["a_number"])
    op.execute(VIEW_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS discovered_programs")
    op.drop_index("ix_superseded_programs_a_number", table_name="superseded_programs")
    op.drop_table("superseded_programs")
    op.drop_column("programs", "bfile_checked")
    op.drop_column("programs", "status")
    op.execute(OLD_VIEW_SQL)
