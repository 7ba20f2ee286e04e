"""Initial schema: every table, and the discovered_programs view.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 16:07:53.199765
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Frozen copy of storage.schema.DISCOVERED_VIEW_SQL as of this revision.
DISCOVERED_VIEW_SQL = (
    "CREATE VIEW discovered_programs AS SELECT "
    "CASE WHEN p.a_number < 1000000 "
    "THEN 'A' || SUBSTR(CAST(1000000 + p.a_number AS VARCHAR(20)), 2) "
    "ELSE 'A' || CAST(p.a_number AS VARCHAR(20)) END AS a_number, "
    "COALESCE(s.name, '') AS name, p.code AS code, p.found_at AS found_at, "
    "p.model_version AS model_version, p.strategy AS strategy "
    "FROM programs p LEFT JOIN sequences s ON s.a_number = p.a_number "
    "WHERE p.origin = 'mined'"
)

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('effort',
    sa.Column('a_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('cpu_seconds', sa.Float(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('a_number')
    )
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_job_runs_job'), 'job_runs', ['job'], unique=False)
    op.create_table('leases',
    sa.Column('a_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('owner', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('a_number')
    )
    op.create_index(op.f('ix_leases_owner'), 'leases', ['owner'], unique=False)
    op.create_table('miners',
    sa.Column('owner', sa.String(length=128), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('owner')
    )
    op.create_table('model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('preset', sa.String(length=64), nullable=False),
    sa.Column('train_pairs', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('promoted', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('seen', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sequences',
    sa.Column('a_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('offset', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('a_number')
    )
    op.create_index('ix_sequences_with_terms', 'sequences', ['a_number'], unique=False, sqlite_where=sa.text("terms <> ''"), postgresql_where=sa.text("terms <> ''"))
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('a_number', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.Integer(), nullable=True),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Integer(), nullable=False),
    sa.Column('best_prefix', sa.Integer(), nullable=False),
    sa.Column('cpu_seconds', sa.Float(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("outcome IN ('hit', 'miss', 'error')", name='ck_attempts_outcome'),
    sa.ForeignKeyConstraint(['model_version'], ['model_versions.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_attempts_a_number'), 'attempts', ['a_number'], unique=False)
    op.create_index(op.f('ix_attempts_strategy'), 'attempts', ['strategy'], unique=False)
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('a_number', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('found_at', sa.DateTime(), nullable=False),
    sa.Column('model_version', sa.Integer(), nullable=True),
    sa.Column('strategy', sa.String(length=64), nullable=True),
    sa.Column('beam_rank', sa.Integer(), nullable=True),
    sa.Column('cpu_seconds', sa.Float(), nullable=True),
    sa.Column('terms_verified', sa.Integer(), nullable=True),
    sa.CheckConstraint("origin IN ('corpus', 'mined')", name='ck_programs_origin'),
    sa.ForeignKeyConstraint(['model_version'], ['model_versions.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('a_number', 'origin', name='uq_programs_a_number_origin')
    )
    op.create_index('ix_programs_origin_found_at', 'programs', ['origin', 'found_at'], unique=False)
    op.execute(DISCOVERED_VIEW_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS discovered_programs")
    op.drop_index('ix_programs_origin_found_at', table_name='programs')
    op.drop_table('programs')
    op.drop_index(op.f('ix_attempts_strategy'), table_name='attempts')
    op.drop_index(op.f('ix_attempts_a_number'), table_name='attempts')
    op.drop_table('attempts')
    op.drop_index('ix_sequences_with_terms', table_name='sequences')
    op.drop_table('sequences')
    op.drop_table('refreshes')
    op.drop_table('model_versions')
    op.drop_table('miners')
    op.drop_index(op.f('ix_leases_owner'), table_name='leases')
    op.drop_table('leases')
    op.drop_index(op.f('ix_job_runs_job'), table_name='job_runs')
    op.drop_table('job_runs')
    op.drop_table('effort')
