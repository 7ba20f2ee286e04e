"""Database housekeeping for the daemon: expired leases, old job runs, ANALYZE and VACUUM.

(Added by the daemon helper: small writes that only the housekeeping job performs.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, text

from storage.db import rowcount, session_scope
from storage.schema import JobRun, Lease


def drop_expired_leases(engine: Engine, now: datetime) -> int:
    """Delete leases that expired before `now`; returns how many (they were free already)."""
    with session_scope(engine) as session:
        return rowcount(session.execute(delete(Lease).where(Lease.expires_at <= now)))


def prune_job_runs(engine: Engine, before: datetime) -> int:
    """Delete job runs that started before `before` (unfinished ones that old died with their miner)."""
    with session_scope(engine) as session:
        return rowcount(session.execute(delete(JobRun).where(JobRun.started_at < before)))


def _autocommit(engine: Engine, statement: str) -> None:
    if engine.dialect.name == "sqlite":
        # Straight to the driver: our BEGIN IMMEDIATE hook must not wrap VACUUM in a transaction.
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None  # None only once a connection is invalidated, not on a fresh checkout
            driver.execute(statement)
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(statement))


def analyze(engine: Engine) -> None:
    """Refresh the planner statistics (SQLite: PRAGMA optimize; PostgreSQL: ANALYZE)."""
    _autocommit(engine, "PRAGMA optimize" if engine.dialect.name == "sqlite" else "ANALYZE")


def vacuum(engine: Engine) -> None:
    """Reclaim free space (VACUUM cannot run inside a transaction)."""
    _autocommit(engine, "VACUUM")
