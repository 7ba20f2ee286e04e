"""Mining bookkeeping: leasing sequences to miners, recording attempts, per-strategy totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Engine, Select, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from storage.db import chunked, is_sqlite, rowcount, session_scope, upsert
from storage.records import Attempt, Since, StrategyStats
from storage.schema import Attempt as AttemptRow
from storage.schema import AttemptDay, Effort, FailedCandidate, Lease, Program, Sequence, SupersededProgram, utcnow
from storage.sequences import lacking_condition, minable_condition, program_count

log = structlog.get_logger(__name__)


def claim(engine: Engine, owner: str, n: int, lease_seconds: float) -> list[int]:
    """Lease up to `n` sequences lacking a program to `owner`, best first, and return their A-numbers.

    Priority: never tried, then least CPU spent, then tried longest ago; last, sequences whose only program
    is a provisional hit (checked on known terms only), least CPU first. A sequence under a live lease
    (anyone's, including `owner`'s own) is never returned; an expired lease is taken over. Call
    `release(engine, owner)` at start-up to drop what a previous run of the same owner still holds.
    SQLite serialises claimers with BEGIN IMMEDIATE; PostgreSQL uses FOR UPDATE SKIP LOCKED, and the
    conditional upsert below makes a double lease impossible on both.

    Contract: at most `n`, never a sequence under someone else's live lease. Fewer than `n` only when
    fewer are free and not being claimed right now by a concurrent transaction (whose rows
    SKIP LOCKED passes over).
    """
    if n <= 0:
        return []
    now = utcnow()
    expires = now + timedelta(seconds=lease_seconds)
    live_lease = select(Lease.a_number).where(Lease.a_number == Sequence.a_number, Lease.expires_at > now)
    tried = select(Effort.a_number).where(Effort.a_number == Sequence.a_number)
    # Two ordered index walks that stop after n rows, instead of sorting every lacking sequence.
    never_tried = (
        select(Sequence.a_number)
        .where(lacking_condition(), ~tried.exists(), ~live_lease.exists())
        .order_by(Sequence.a_number)
    )
    least_effort = (
        select(Sequence.a_number)
        .join(Effort, Effort.a_number == Sequence.a_number)
        .where(lacking_condition(), ~live_lease.exists())
        .order_by(Effort.cpu_seconds, Effort.last_attempt_at, Effort.a_number)
    )
    provisional_only = (
        select(Sequence.a_number)
        .join(Effort, Effort.a_number == Sequence.a_number)
        .where(Sequence.terms != "", ~live_lease.exists(),
               select(Program.a_number).where(Program.a_number == Sequence.a_number,
                                              Program.origin == "mined", Program.status == "provisional").exists(),
               ~select(Program.a_number).where(Program.a_number == Sequence.a_number,
                                               Program.origin == "corpus").exists())
        .order_by(Effort.cpu_seconds, Effort.last_attempt_at, Effort.a_number)
    )
    claimed: list[int] = []
    candidates: list[int] = []
    with session_scope(engine) as session:
        # On PostgreSQL (READ COMMITTED) a candidate can be lost: our SELECT's snapshot predates a
        # concurrent claimer's commit, whose row lock is gone by the time we reach the row, so we lock
        # a sequence it has just leased and the upsert below refuses it. A new statement sees that
        # lease, so we ask again for the shortfall. Every lost round needs another claimer's commit
        # in between, so this ends; the cap only bounds the work under a storm of claimers.
        for _ in range(CLAIM_ROUNDS):
            fresh = _candidates(session, (never_tried, least_effort, provisional_only), n - len(claimed))
            got = _lease(session, fresh, owner, expires, now)
            candidates += fresh
            claimed += got
            if len(claimed) >= n or len(got) == len(fresh):
                break
    rank = {a: i for i, a in enumerate(candidates)}
    claimed.sort(key=rank.__getitem__)
    log.debug("claimed", owner=owner, wanted=n, got=len(claimed))
    return claimed


# Rounds of select-and-lease per claim (see the loop in `claim`).
CLAIM_ROUNDS = 16


def _candidates(session: Session, queries: Iterable[Select[int]], n: int) -> list[int]:
    """Up to `n` free sequences from `queries` in turn, locked (PostgreSQL: rows others lock are skipped)."""
    found: list[int] = []
    for query in queries:
        if len(found) >= n:
            break
        query = query.limit(n - len(found))
        if not is_sqlite(session):
            query = query.with_for_update(of=Sequence, skip_locked=True)
        found += session.scalars(query)
    return found


def _lease(session: Session, a_numbers: list[int], owner: str, expires: datetime, now: datetime) -> list[int]:
    """Lease `a_numbers` to `owner` where no live lease exists; returns those leased."""
    leased: list[int] = []
    for chunk in chunked(a_numbers, 1000):
        stmt = upsert(session, Lease.__table__).values(
            [{"a_number": a, "owner": owner, "expires_at": expires} for a in chunk]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["a_number"],
            set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
            where=Lease.__table__.c.expires_at <= now,
        ).returning(Lease.__table__.c.a_number)
        leased.extend(session.scalars(stmt))
    return leased


def extend_leases(engine: Engine, owner: str, a_numbers: Iterable[int], lease_seconds: float) -> int:
    """Push back the expiry of `owner`'s leases on `a_numbers`; returns how many it still held."""
    expires = utcnow() + timedelta(seconds=lease_seconds)
    total = 0
    with session_scope(engine) as session:
        for chunk in chunked(a_numbers, 1000):
            total += rowcount(session.execute(
                update(Lease)
                .where(Lease.owner == owner, Lease.a_number.in_(chunk))
                .values(expires_at=expires)
                .execution_options(synchronize_session=False)
            ))
    return total


def release(engine: Engine, owner: str, a_numbers: Iterable[int] | None = None) -> int:
    """Drop `owner`'s leases (all of them, or those on `a_numbers`); returns how many were dropped."""
    with session_scope(engine) as session:
        if a_numbers is None:
            return rowcount(session.execute(delete(Lease).where(Lease.owner == owner)))
        total = 0
        for chunk in chunked(a_numbers, 1000):
            total += rowcount(session.execute(
                delete(Lease).where(Lease.owner == owner, Lease.a_number.in_(chunk))
            ))
        return total


def record_attempt(session: Session, attempt: Attempt) -> None:
    """Store one attempt and add it to its sequence's running totals (used by `claim`'s priority)."""
    record_attempts(session, [attempt])


def record_attempts(session: Session, attempts: Iterable[Attempt]) -> None:
    """Store attempts, adding each to its sequence's and its day's running totals: one statement per
    sequence and per (day, strategy, model version), not three per attempt (a batch of the first pass
    records a few hundred)."""
    attempts = list(attempts)
    for attempt in attempts:
        if attempt.outcome not in ("hit", "miss", "error"):
            raise ValueError(f"attempt outcome must be hit, miss or error, not {attempt.outcome!r}")
    if not attempts:
        return
    session.execute(insert(AttemptRow), [
        dict(a_number=a.a_number, strategy=a.strategy, model_version=a.model_version, candidates=a.candidates,
             valid=a.valid, best_prefix=a.best_prefix, cpu_seconds=a.cpu_seconds, outcome=a.outcome,
             started_at=a.started_at) for a in attempts])
    efforts: dict[int, tuple[int, float, datetime]] = {}
    for a in attempts:
        count, cpu, last = efforts.get(a.a_number, (0, 0.0, a.started_at))
        efforts[a.a_number] = (count + 1, cpu + a.cpu_seconds, max(last, a.started_at))
    table = Effort.__table__
    for a_number, (count, cpu, last) in efforts.items():
        stmt = upsert(session, table).values(a_number=a_number, attempts=count, cpu_seconds=cpu,
                                             last_attempt_at=last)
        session.execute(stmt.on_conflict_do_update(index_elements=["a_number"], set_={
            "attempts": table.c.attempts + stmt.excluded.attempts,
            "cpu_seconds": table.c.cpu_seconds + stmt.excluded.cpu_seconds,
            "last_attempt_at": stmt.excluded.last_attempt_at,
        }))
    _add_to_days(session, attempts)
    session.flush()


DAY_TOTALS = ("attempts", "candidates", "valid", "hits", "errors", "cpu_seconds")


def _add_to_days(session: Session, attempts: list[Attempt]) -> None:
    """Add the attempts to their days' running totals (`attempt_days`)."""
    totals: dict[tuple[str, str, int], list[float]] = {}
    for a in attempts:
        started = a.started_at
        day = (started.astimezone(UTC) if started.tzinfo else started).date().isoformat()
        row = totals.setdefault((day, a.strategy, a.model_version or 0), [0, 0, 0, 0, 0, 0.0])
        for i, value in enumerate((1, a.candidates, a.valid, int(a.outcome == "hit"), int(a.outcome == "error"),
                                   a.cpu_seconds)):
            row[i] += value
    table = AttemptDay.__table__
    for (day, strategy, version), row in totals.items():
        stmt = upsert(session, table).values(day=day, strategy=strategy, model_version=version,
                                             **{c: (v if c == "cpu_seconds" else int(v)) for c, v in zip(DAY_TOTALS, row)})
        session.execute(stmt.on_conflict_do_update(index_elements=["day", "strategy", "model_version"],
                                                   set_={c: table.c[c] + stmt.excluded[c] for c in DAY_TOTALS}))


def tried_pairs(session: Session, strategies: Iterable[str], since: Mapping[str, datetime] | None = None,
                unlocked: Mapping[int, datetime] | None = None) -> set[tuple[int, str]]:
    """The (A-number, strategy) pairs that have at least one attempt, for the given strategies; for a
    strategy in `since`, only attempts started at or after its time count, and for a sequence in `unlocked`
    (one its name cites gained a program then), only attempts started at or after its time."""
    since = since or {}
    unlocked = unlocked or {}
    names = list(strategies)
    clauses: list[ColumnElement[bool]] = [AttemptRow.strategy.in_([s for s in names if s not in since])]
    clauses += [and_(AttemptRow.strategy == s, AttemptRow.started_at >= t) for s, t in since.items() if s in names]
    rows = session.execute(select(AttemptRow.a_number, AttemptRow.strategy, func.max(AttemptRow.started_at))
                           .where(or_(*clauses)).group_by(AttemptRow.a_number, AttemptRow.strategy))
    # max() and min() keep the column's type, so UTCDateTime returns aware datetimes here too.
    return {(int(a), str(s)) for a, s, last in rows if int(a) not in unlocked or last >= unlocked[int(a)]}


def first_found(session: Session, a_numbers: Iterable[int]) -> dict[int, datetime]:
    """When each of the sequences first had a stored program (its oldest row's `found_at`), for those with one."""
    out: dict[int, datetime] = {}
    for part in chunked(sorted(set(a_numbers)), 5000):
        rows = session.execute(select(Program.a_number, func.min(Program.found_at))
                               .where(Program.a_number.in_(part)).group_by(Program.a_number))
        out.update({int(a): t for a, t in rows})
    return out


def changed_since(session: Session, when: datetime) -> Since:
    """What changed after `when` (`Since`): whether work done on the database as it was then still holds."""
    def count(query: Select) -> int:
        return int(session.scalar(query) or 0)

    found = session.scalars(select(Program.a_number).where(Program.found_at > when).distinct())
    return Since(count(select(func.count()).select_from(Sequence).where(Sequence.changed_at > when)),
                 count(select(func.count()).select_from(SupersededProgram).where(SupersededProgram.superseded_at > when)),
                 frozenset(int(a) for a in found),
                 program_count(session, "corpus"))


def strategy_stats(session: Session) -> dict[str, StrategyStats]:
    """Attempts, candidates, valid programs, hits and CPU seconds per strategy (from `attempt_days`)."""
    rows = session.execute(
        select(
            AttemptDay.strategy,
            func.sum(AttemptDay.attempts),
            func.sum(AttemptDay.candidates),
            func.sum(AttemptDay.valid),
            func.sum(AttemptDay.hits),
            func.sum(AttemptDay.cpu_seconds),
        ).group_by(AttemptDay.strategy)
    )
    return {
        strategy: StrategyStats(int(n), int(cands), int(valid), int(hits), float(cpu))
        for strategy, n, cands, valid, hits, cpu in rows
    }


def lease(engine: Engine, owner: str, a_numbers: Iterable[int], n: int, lease_seconds: float) -> list[int]:
    """Lease to `owner` the first `n` of `a_numbers` (in their order) that lack a program (or have only a
    provisional one) and are not under a live lease; returns those leased, in that order. The caller's order is its priority."""
    if n <= 0:
        return []
    now = utcnow()
    expires = now + timedelta(seconds=lease_seconds)
    wanted = list(dict.fromkeys(a_numbers))
    leased: list[int] = []
    with session_scope(engine) as session:
        # In slices a few times `n`: most preferred sequences are free, so one slice usually does.
        step = max(4 * n, 64)
        for start in range(0, len(wanted), step):
            chunk = wanted[start:start + step]
            free = set(session.scalars(
                select(Sequence.a_number).where(Sequence.a_number.in_(chunk), minable_condition(),
                                                ~select(Lease.a_number).where(
                                                    Lease.a_number == Sequence.a_number,
                                                    Lease.expires_at > now).exists())))
            pick = [a for a in chunk if a in free][:n - len(leased)]
            got = set(_lease(session, pick, owner, expires, now))
            leased += [a for a in pick if a in got]
            if len(leased) >= n:
                break
    return leased


def attempt_rounds(session: Session, strategies: Iterable[str]) -> dict[tuple[int, str, int | None], int]:
    """Attempts per (A-number, strategy, model version) of the given strategies: how many rounds of a
    strategy a sequence has had (a model strategy's rounds count per model version)."""
    rows = session.execute(
        select(AttemptRow.a_number, AttemptRow.strategy, AttemptRow.model_version, func.count())
        .where(AttemptRow.strategy.in_(list(strategies)))
        .group_by(AttemptRow.a_number, AttemptRow.strategy, AttemptRow.model_version)
    )
    return {(int(a), str(s), None if v is None else int(v)): int(n) for a, s, v, n in rows}


def failed_candidates(session: Session) -> dict[int, set[int]]:
    """The digests of the sweep candidates that got a known term wrong, by A-number."""
    out: dict[int, set[int]] = {}
    for a, digest in session.execute(select(FailedCandidate.a_number, FailedCandidate.digest)):
        out.setdefault(a, set()).add(digest)
    return out


def record_failed(session: Session, failures: Iterable[tuple[int, int]]) -> None:
    """Remember (A-number, digest) pairs of sweep candidates that got a known term wrong; each pair once."""
    for part in chunked(({"a_number": a, "digest": d} for a, d in sorted(set(failures))), 500):
        session.execute(upsert(session, FailedCandidate.__table__).values(part).on_conflict_do_nothing())

