"""Views for people (hits per day by strategy, yield per model version, the lacking queue with its
priorities), and `attempt_days`: running totals of the attempts per day, strategy and model version, so
the strategy statistics, the dashboard and the metrics need no aggregate over every attempt.

Revision ID: 0007
Revises: 0005_program_verified_at
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copies of the view definitions as of this revision. Portable SQL (SQLite and PostgreSQL):
# the day is the first ten characters of the timestamp as text, A-numbers are built without printf/lpad.
_DAY = "SUBSTR(CAST({col} AS VARCHAR(32)), 1, 10)"
_A_NUMBER = (
    "CASE WHEN {col} < 1000000 THEN 'A' || SUBSTR(CAST(1000000 + {col} AS VARCHAR(20)), 2) "
    "ELSE 'A' || CAST({col} AS VARCHAR(20)) END"
)

HITS_PER_DAY_SQL = (
    "CREATE VIEW hits_per_day AS "
    f"SELECT {_DAY.format(col='p.found_at')} AS day, COALESCE(p.strategy, 'unknown') AS strategy, "
    "COUNT(*) AS hits "
    "FROM programs p WHERE p.origin = 'mined' "
    f"GROUP BY {_DAY.format(col='p.found_at')}, COALESCE(p.strategy, 'unknown')"
)

# The model strategies' attempts by the model version they ran with (NULL: a model that was never
# registered, e.g. the bundled one), with that version's registry row.
MODEL_YIELD_SQL = (
    "CREATE VIEW model_yield AS "
    "SELECT y.model_version AS model_version, m.preset AS preset, m.promoted AS promoted, "
    "m.created_at AS created_at, y.attempts AS attempts, y.candidates AS candidates, "
    "y.cpu_seconds AS cpu_seconds, y.hits AS hits, "
    "CASE WHEN y.cpu_seconds > 0 THEN y.hits * 3600.0 / y.cpu_seconds END AS hits_per_cpu_hour "
    "FROM (SELECT NULLIF(d.model_version, 0) AS model_version, SUM(d.attempts) AS attempts, "
    "SUM(d.candidates) AS candidates, SUM(d.cpu_seconds) AS cpu_seconds, SUM(d.hits) AS hits "
    "FROM attempt_days d WHERE d.strategy IN ('beam', 'sample', 'name_only', 'terms_only') "
    "GROUP BY NULLIF(d.model_version, 0)) y "
    "LEFT JOIN model_versions m ON m.id = y.model_version"
)

# The order `storage.claim` takes: never tried first (by A-number), then least CPU spent, then tried
# longest ago. A sequence under a live lease is being mined and is passed over by other miners.
LACKING_QUEUE_SQL = (
    "CREATE VIEW lacking_queue AS "
    "SELECT ROW_NUMBER() OVER (ORDER BY CASE WHEN e.a_number IS NULL THEN 0 ELSE 1 END, "
    "e.cpu_seconds, e.last_attempt_at, s.a_number) AS priority, "
    f"{_A_NUMBER.format(col='s.a_number')} AS a_number, s.name AS name, "
    "COALESCE(e.attempts, 0) AS attempts, COALESCE(e.cpu_seconds, 0.0) AS cpu_seconds, "
    "e.last_attempt_at AS last_attempt_at, l.owner AS leased_by, l.expires_at AS lease_expires_at "
    "FROM sequences s LEFT JOIN effort e ON e.a_number = s.a_number "
    "LEFT JOIN leases l ON l.a_number = s.a_number "
    "WHERE s.terms <> '' AND NOT EXISTS (SELECT 1 FROM programs p WHERE p.a_number = s.a_number)"
)

VIEWS = {"hits_per_day": HITS_PER_DAY_SQL, "model_yield": MODEL_YIELD_SQL, "lacking_queue": LACKING_QUEUE_SQL}


BACKFILL_SQL = (
    "INSERT INTO attempt_days (day, strategy, model_version, attempts, candidates, valid, hits, errors, "
    "cpu_seconds) "
    f"SELECT {_DAY.format(col='started_at')}, strategy, COALESCE(model_version, 0), COUNT(*), SUM(candidates), "
    "SUM(valid), SUM(CASE WHEN outcome = 'hit' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END), SUM(cpu_seconds) "
    f"FROM attempts GROUP BY {_DAY.format(col='started_at')}, strategy, COALESCE(model_version, 0)"
)


def upgrade() -> None:
    op.create_table(
        "attempt_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("cpu_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "strategy", "model_version"),
    )
    op.execute(BACKFILL_SQL)
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")
    op.drop_table("attempt_days")
