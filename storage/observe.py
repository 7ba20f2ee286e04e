"""Read-only queries behind the Prometheus metrics and the web dashboard (pure queries, no writes).

Everything is read from the database, so every miner of a fleet reports the same numbers. Attempt
totals come from `attempt_days` (a few rows per day), hits from `ix_programs_origin_found_at`; nothing
here aggregates the `attempts` table itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from miner.lang.anumber import parse_a_number
from storage.records import JobRunRow
from storage.schema import AttemptDay, Effort, JobRun, Lease, Program, Refresh, Sequence
from storage.sequences import lacking_condition, parse_terms
from storage.submissions import Submission

# A hit without a submission row for its code is "unsubmitted"; otherwise its submission's status.
HIT_STATUSES = ("unsubmitted", "queued", "sent", "failed", "superseded")


@dataclass
class AttemptTotals:
    """Totals of the attempts of one strategy: how many, how many hit or failed, candidates, CPU."""

    strategy: str
    attempts: int
    hits: int
    errors: int
    candidates: int
    cpu_seconds: float


@dataclass
class Counts:
    """The dashboard's headline counts (the subset of `storage.summary` it shows, without its extra scans)."""

    sequences: int
    lacking: int
    mined_programs: int
    last_refresh: datetime | None


@dataclass
class DayEffort:
    """One UTC day of mining: attempts, candidates, CPU seconds and attempts that ended in a hit."""

    day: str
    attempts: int
    candidates: int
    cpu_seconds: float
    hits: int


@dataclass
class ProgramView:
    """A mined program as the dashboard lists it."""

    a_number: int
    name: str
    terms: list[int]
    code: str
    found_at: datetime
    strategy: str | None
    model_version: int | None
    status: str
    length: int
    terms_verified: int | None
    cpu_seconds: float | None


@dataclass
class SearchResult:
    """A sequence found by A-number or name words, with what the miner knows about it."""

    a_number: int
    name: str
    state: str  # "mined", "corpus", "lacking" or "no terms"
    mined_code: str | None
    attempts: int
    cpu_seconds: float
    last_attempt_at: datetime | None
    leased_by: str | None


def day_of(column: Any) -> Any:
    """The UTC day ('YYYY-MM-DD') of a timestamp column, on SQLite (text) and PostgreSQL alike."""
    return func.substr(cast(column, String(32)), 1, 10)


def _status_column() -> Any:
    return func.coalesce(Submission.status, "unsubmitted")


def _submission_join() -> Any:
    # The queue copies a program's code, so equal code means this very program was queued.
    return and_(Submission.a_number == Program.a_number, Submission.code == Program.code)


def counts(session: Session) -> Counts:
    """Sequences known, lacking a program, solved by the miner, and when the last refresh was applied."""
    def count(q: Any) -> int:
        return int(session.scalar(q) or 0)

    return Counts(
        sequences=count(select(func.count()).select_from(Sequence)),
        lacking=count(select(func.count()).select_from(Sequence).where(lacking_condition())),
        mined_programs=count(select(func.count()).select_from(Program).where(Program.origin == "mined")),
        last_refresh=session.scalar(select(func.max(Refresh.finished_at))),
    )


def hits_by_strategy_status(session: Session) -> dict[tuple[str, str], int]:
    """Mined programs stored, per (strategy, submission status)."""
    # The same expression objects in SELECT and GROUP BY (PostgreSQL compares their bound parameters).
    status, strategy = _status_column(), func.coalesce(Program.strategy, "unknown")
    rows = session.execute(
        select(strategy, status, func.count())
        .select_from(Program)
        .outerjoin(Submission, _submission_join())
        .where(Program.origin == "mined")
        .group_by(strategy, status)
    )
    return {(str(s), str(st)): int(n) for s, st, n in rows}


def attempt_totals(session: Session) -> list[AttemptTotals]:
    """Attempts by outcome, candidates and CPU seconds per strategy, from the daily totals."""
    rows = session.execute(
        select(AttemptDay.strategy, func.sum(AttemptDay.attempts), func.sum(AttemptDay.hits),
               func.sum(AttemptDay.errors), func.sum(AttemptDay.candidates), func.sum(AttemptDay.cpu_seconds))
        .group_by(AttemptDay.strategy)
        .order_by(AttemptDay.strategy)
    )
    return [AttemptTotals(str(s), int(n), int(h), int(e), int(c), float(cpu)) for s, n, h, e, c, cpu in rows]


def model_yield(session: Session) -> dict[int, tuple[int, int, float]]:
    """(attempts, hits, CPU seconds) per registered model version: the attempts that ran with it."""
    rows = session.execute(
        select(AttemptDay.model_version, func.sum(AttemptDay.attempts), func.sum(AttemptDay.hits),
               func.sum(AttemptDay.cpu_seconds))
        .where(AttemptDay.model_version != 0)
        .group_by(AttemptDay.model_version)
    )
    return {int(m): (int(n), int(h), float(cpu)) for m, n, h, cpu in rows}


def last_hit_at(session: Session) -> datetime | None:
    """When the newest mined program was stored (an index lookup)."""
    return session.scalar(select(func.max(Program.found_at)).where(Program.origin == "mined"))


def job_outcomes(session: Session) -> dict[tuple[str, str], int]:
    """Job runs kept in `job_runs` per (job, outcome); a run still going counts as 'running'."""
    outcome = func.coalesce(JobRun.outcome, "running")
    rows = session.execute(select(JobRun.job, outcome, func.count()).group_by(JobRun.job, outcome))
    return {(str(j), str(o)): int(n) for j, o, n in rows}


def last_success(session: Session) -> dict[str, datetime]:
    """When each job last finished with outcome 'ok'."""
    rows = session.execute(
        select(JobRun.job, func.max(JobRun.finished_at)).where(JobRun.outcome == "ok").group_by(JobRun.job)
    )
    return {str(j): when for j, when in rows if when is not None}


def hits_per_day(session: Session, since: datetime) -> list[tuple[str, str, int]]:
    """(day, strategy, mined programs stored that day) from `since` on, oldest day first."""
    day = day_of(Program.found_at)
    strategy = func.coalesce(Program.strategy, "unknown")
    rows = session.execute(
        select(day, strategy, func.count())
        .where(Program.origin == "mined", Program.found_at >= since)
        .group_by(day, strategy)
        .order_by(day, strategy)
    )
    return [(str(d), str(s), int(n)) for d, s, n in rows]


def effort_per_day(session: Session, since: datetime) -> list[DayEffort]:
    """Attempts, candidates, CPU seconds and hits per UTC day from `since`'s day on, oldest first."""
    rows = session.execute(
        select(AttemptDay.day, func.sum(AttemptDay.attempts), func.sum(AttemptDay.candidates),
               func.sum(AttemptDay.cpu_seconds), func.sum(AttemptDay.hits))
        .where(AttemptDay.day >= since.astimezone(UTC).date().isoformat())
        .group_by(AttemptDay.day)
        .order_by(AttemptDay.day)
    )
    return [DayEffort(str(d), int(n), int(c), float(cpu), int(h)) for d, n, c, cpu, h in rows]


def latest_programs(session: Session, limit: int = 50) -> list[ProgramView]:
    """The newest mined programs with their sequence and submission status, newest first."""
    query = (
        select(Program, Sequence.name, Sequence.terms, _status_column())
        .outerjoin(Sequence, Sequence.a_number == Program.a_number)
        .outerjoin(Submission, _submission_join())
        .where(Program.origin == "mined")
        .order_by(Program.found_at.desc(), Program.id.desc())
        .limit(limit)
    )
    return [
        ProgramView(p.a_number, name or "", parse_terms(terms or ""), p.code, p.found_at, p.strategy,
                    p.model_version, str(status), p.length, p.terms_verified, p.cpu_seconds)
        for p, name, terms, status in session.execute(query)
    ]


def search(session: Session, text: str, limit: int = 50) -> list[SearchResult]:
    """Sequences whose A-number is `text` (A000045, 45) or whose name has every word of it."""
    words = text.split()
    if not words:
        return []
    try:
        where = Sequence.a_number == parse_a_number(text) if len(words) == 1 else None
    except ValueError:
        where = None
    if where is None:
        # LIKE, not a full-text index: portable, and a few hundred ms even over all of the OEIS.
        where = and_(*(func.lower(Sequence.name).like(f"%{_escape(w.lower())}%", escape="\\") for w in words))
    mined = select(Program.code).where(Program.a_number == Sequence.a_number, Program.origin == "mined")
    corpus = select(Program.id).where(Program.a_number == Sequence.a_number, Program.origin == "corpus")
    query = (
        select(
            Sequence.a_number, Sequence.name, Sequence.terms, mined.scalar_subquery(), corpus.exists(),
            Effort.attempts, Effort.cpu_seconds, Effort.last_attempt_at, Lease.owner,
        )
        .outerjoin(Effort, Effort.a_number == Sequence.a_number)
        .outerjoin(Lease, Lease.a_number == Sequence.a_number)
        .where(where)
        .order_by(Sequence.a_number)
        .limit(limit)
    )
    out = []
    for a, name, terms, code, in_corpus, attempts, cpu, last, owner in session.execute(query):
        state = "mined" if code is not None else "corpus" if in_corpus else "lacking" if terms else "no terms"
        out.append(SearchResult(a, name, state, code, int(attempts or 0), float(cpu or 0.0), last, owner))
    return out


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def recent_job_runs(session: Session, limit: int = 20, errors_only: bool = False,
                    skip_jobs: tuple[str, ...] = ()) -> list[JobRunRow]:
    """The newest job runs (only failed ones with `errors_only`), newest first."""
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if errors_only:
        query = query.where(or_(JobRun.outcome == "error", JobRun.outcome == "failed"))
    if skip_jobs:
        query = query.where(JobRun.job.not_in(skip_jobs))
    return [JobRunRow(r.id, r.job, r.started_at, r.finished_at, r.outcome, r.message or "")
            for r in session.scalars(query)]
