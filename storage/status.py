"""Read-only queries behind `loda-miner status` and the daemon's scheduling (pure queries, no writes).

They complement `storage.summary`, `storage.miners` and `storage.strategy_stats`; each is an indexed
lookup or a small aggregate, so `status` answers in well under a second while the daemon writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.records import JobRunRow, MinerRow
from storage.schema import Effort, JobRun, Lease, Program, SupersededProgram


@dataclass
class Activity:
    """Sequences attempted at least once, and hits (mined programs) found in the last 24 h and 7 days."""

    attempted: int
    hits_24h: int
    hits_7d: int


@dataclass
class LeaseCounts:
    """Leases held now, expired ones not yet cleaned up (their miner died or stalled), live owners."""

    active: int
    stale: int
    owners: int


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _run_row(r: JobRun) -> JobRunRow:
    return JobRunRow(r.id, r.job, r.started_at, r.finished_at, r.outcome, r.message or "")


def is_alive(miner: MinerRow, now: datetime, alive_seconds: float) -> bool:
    """A miner is alive while its heartbeat is fresh and it has not said it stopped."""
    return (now - miner.last_seen).total_seconds() <= alive_seconds and (miner.state or {}).get("doing") != "stopped"


def activity(session: Session, now: datetime | None = None) -> Activity:
    """How much has been tried and found recently."""
    now = now or _now()
    mined = Program.origin == "mined"

    def hits_since(since: datetime) -> int:
        query = select(func.count()).select_from(Program).where(mined, Program.found_at >= since)
        return int(session.scalar(query) or 0)

    return Activity(
        attempted=int(session.scalar(select(func.count()).select_from(Effort)) or 0),
        hits_24h=hits_since(now - timedelta(hours=24)),
        hits_7d=hits_since(now - timedelta(days=7)),
    )


def hit_statuses(session: Session) -> dict[str, int]:
    """Mined programs per status: verified (on a b-file), provisional (known terms only), superseded."""
    rows = session.execute(select(Program.status, func.count()).where(Program.origin == "mined")
                           .group_by(Program.status)).all()
    counts = {"verified": 0, "provisional": 0, **{status: int(n) for status, n in rows}}
    counts["superseded"] = int(session.scalar(select(func.count()).select_from(SupersededProgram)) or 0)
    return counts


def last_ok_run(session: Session, job: str) -> JobRunRow | None:
    """The latest run of `job` that finished with outcome 'ok'."""
    query = select(JobRun).where(JobRun.job == job, JobRun.outcome == "ok").order_by(JobRun.id.desc()).limit(1)
    row = session.scalars(query).first()
    return _run_row(row) if row is not None else None


def last_runs(session: Session) -> dict[str, JobRunRow]:
    """The latest run of every job that ever ran (running ones have no `finished_at`)."""
    latest = select(func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    rows = session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))
    return {r.job: _run_row(r) for r in rows}


def lease_counts(session: Session, now: datetime | None = None) -> LeaseCounts:
    """Active and stale (expired, not yet dropped) leases, and how many owners hold active ones."""
    now = now or _now()
    live = Lease.expires_at > now
    return LeaseCounts(
        active=int(session.scalar(select(func.count()).select_from(Lease).where(live)) or 0),
        stale=int(session.scalar(select(func.count()).select_from(Lease).where(~live)) or 0),
        owners=int(session.scalar(select(func.count(func.distinct(Lease.owner))).where(live)) or 0),
    )


def hits_per_owner(session: Session) -> dict[str, int]:
    """Mined programs stored per miner (owner name), most first; hits from before owners were recorded
    are left out."""
    rows = session.execute(
        select(Program.owner, func.count())
        .where(Program.origin == "mined", Program.owner.is_not(None))
        .group_by(Program.owner)
        .order_by(func.count().desc(), Program.owner)
    )
    return {str(owner): int(n) for owner, n in rows}


def hits_per_model_version(session: Session) -> dict[int, int]:
    """Mined programs stored per model version (credited to the model whose candidate found them)."""
    rows = session.execute(
        select(Program.model_version, func.count())
        .where(Program.origin == "mined", Program.model_version.is_not(None))
        .group_by(Program.model_version)
    )
    return {int(v): int(n) for v, n in rows if v is not None}

