"""Program queries: importing the corpus, storing the miner's hits, listing what was discovered."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

import structlog
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from miner.lang.anumber import format_a_number
from miner.lang.parser import split_lines
from storage.db import chunked, session_scope, upsert
from storage.records import DiscoveredRow, Hit, ImportStats, StoreOutcome
from storage.schema import Program, Sequence, SupersededProgram, utcnow
from storage.sequences import parse_terms, terms_text

log = structlog.get_logger(__name__)

CHUNK = 2000


def program_length(code: str) -> int:
    """Number of operations in LODA source: lines left after removing comments, blanks and directives."""
    count = 0
    for line in split_lines(code):  # as the parser reads it: a U+2028 in a comment ends no line
        body = line.split(";", 1)[0].strip()
        if body and not body.startswith("#"):
            count += 1
    return count


def import_corpus_programs(engine: Engine, items: Iterable[tuple[int, str]]) -> ImportStats:
    """Store (a_number, code) pairs as origin='corpus' in one transaction; unchanged code is not rewritten.

    Idempotent: re-importing the same corpus changes nothing. Programs missing from `items` are kept.
    `items` is read and compared first (read-only), so the write lock is held only for the changes;
    if it raises, nothing is stored.
    """
    stats = ImportStats()
    now = utcnow()
    changes: list[dict[str, Any]] = []
    with session_scope(engine, readonly=True) as session:
        for chunk in chunked(items, CHUNK):
            stats.seen += len(chunk)
            fresh = dict(chunk)
            stored = dict(
                session.execute(
                    select(Program.a_number, Program.code).where(
                        Program.origin == "corpus", Program.a_number.in_(list(fresh))
                    )
                ).all()
            )
            for a_number, code in fresh.items():
                old = stored.get(a_number)
                if old == code:
                    continue
                stats.changed += old is not None
                stats.added += old is None
                changes.append({"a_number": a_number, "origin": "corpus", "code": code,
                                "length": program_length(code), "found_at": now})
    stats.unchanged = stats.seen - stats.added - stats.changed
    with session_scope(engine) as session:
        table = Program.__table__
        for chunk in chunked(changes, CHUNK):
            stmt = upsert(session, table).values()
            stmt = stmt.on_conflict_do_update(
                index_elements=["a_number", "origin"],
                set_={c: stmt.excluded[c] for c in ("code", "length", "found_at")},
            )
            session.execute(stmt, chunk)
    log.info("corpus_imported", seen=stats.seen, added=stats.added, changed=stats.changed)
    return stats


def store_hit(target: Engine | Session, hit: Hit) -> StoreOutcome:
    """Store a checked mined program: 'new' the first time, 'replaced' if it was verified on a b-file and
    the stored one only provisional, or shorter at the same status; else 'kept' (so repeating a call
    changes nothing). A provisional program never replaces a verified one. Safe against concurrent miners.

    Pass an Engine for its own transaction, or a Session to join the caller's.
    """
    if isinstance(target, Session):
        return _store_hit(target, hit)
    with session_scope(target) as session:
        return _store_hit(session, hit)


def _store_hit(session: Session, hit: Hit) -> StoreOutcome:
    length = program_length(hit.code)
    values = {
        "code": hit.code,
        "length": length,
        "found_at": utcnow(),
        "model_version": hit.model_version,
        "strategy": hit.strategy,
        "beam_rank": hit.beam_rank,
        "cpu_seconds": hit.cpu_seconds,
        "terms_verified": hit.terms_verified,
        "owner": hit.owner,
        "status": hit.status,
        "bfile_checked": hit.bfile_checked,
        "verified_at": None,
    }
    table = Program.__table__
    stmt = upsert(session, table).values(a_number=hit.a_number, origin="mined", **values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["a_number", "origin"]).returning(table.c.id)
    if session.execute(stmt).first() is not None:
        outcome: StoreOutcome = "new"
    else:
        current = session.execute(
            select(Program.id, Program.length, Program.status)
            .where(Program.a_number == hit.a_number, Program.origin == "mined")
            .with_for_update()
        ).one()
        rank = {"verified": 0, "provisional": 1}
        better = (rank.get(hit.status, 1), length) < (rank.get(current.status, 1), current.length)
        if better:
            session.execute(update(Program).where(Program.id == current.id).values(**values))
            outcome = "replaced"
        else:
            outcome = "kept"
    log.info("hit_stored", seq=format_a_number(hit.a_number), strategy=hit.strategy, length=length,
             status=hit.status, outcome=outcome)
    return outcome


def hits_to_reverify(session: Session) -> list[tuple[int, str, list[int], int]]:
    """(A-number, code, terms, offset) of the mined programs whose sequence changed after their last check."""
    checked = func.coalesce(Program.verified_at, Program.found_at)
    query = (
        select(Program.a_number, Program.code, Sequence.terms, Sequence.offset)
        .join(Sequence, Sequence.a_number == Program.a_number)
        .where(Program.origin == "mined", Sequence.changed_at > checked)
        .order_by(Program.a_number)
    )
    return [(a, code, parse_terms(terms), offset) for a, code, terms, offset in session.execute(query)]


def mark_verified(session: Session, a_number: int, terms_verified: int, bfile_checked: bool | None = None) -> None:
    """Record that the mined program of `a_number` still reproduces its sequence's terms; checked on a
    b-file (`bfile_checked`) it becomes 'verified'."""
    values: dict[str, Any] = {"verified_at": utcnow(), "terms_verified": terms_verified}
    if bfile_checked:
        values.update(status="verified", bfile_checked=True)
    session.execute(update(Program).where(Program.a_number == a_number, Program.origin == "mined")
                    .values(**values))


def supersede_hit(session: Session, a_number: int, reason: str, old_terms: Iterable[int] = (),
                  old_offset: int = 0) -> bool:
    """Move a mined program that no longer fits its sequence to `superseded_programs`, keeping its code,
    the reason and the terms it was verified on; the sequence is lacking again. Nothing is deleted."""
    row = session.execute(select(Program).where(Program.a_number == a_number, Program.origin == "mined")
                          .with_for_update()).scalar_one_or_none()
    if row is None:
        return False
    session.add(SupersededProgram(
        a_number=a_number, code=row.code, length=row.length, strategy=row.strategy,
        model_version=row.model_version, cpu_seconds=row.cpu_seconds, terms_verified=row.terms_verified,
        bfile_checked=bool(row.bfile_checked), found_at=row.found_at, superseded_at=utcnow(), reason=reason,
        old_terms=terms_text(old_terms), old_offset=old_offset))
    session.execute(delete(Program).where(Program.id == row.id))
    log.warning("hit_superseded", seq=format_a_number(a_number), reason=reason)
    return True


def mined_hit(session: Session, a_number: int) -> tuple[str, str, str] | None:
    """(code, strategy, status) of the mined program of `a_number`, or None."""
    row = session.execute(select(Program.code, Program.strategy, Program.status)
                          .where(Program.a_number == a_number, Program.origin == "mined")).first()
    return None if row is None else (row.code, row.strategy or "", row.status)


def provisional_hits(session: Session, limit: int | None = None) -> list[tuple[int, str, list[int], int]]:
    """(A-number, code, terms, offset) of the mined programs verified on known terms only, oldest check first."""
    checked = func.coalesce(Program.verified_at, Program.found_at)
    query = (
        select(Program.a_number, Program.code, Sequence.terms, Sequence.offset)
        .join(Sequence, Sequence.a_number == Program.a_number)
        .where(Program.origin == "mined", Program.status == "provisional")
        .order_by(checked, Program.a_number)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(a, code, parse_terms(terms), offset) for a, code, terms, offset in session.execute(query)]


def superseded(session: Session) -> list[tuple[int, str, str, str]]:
    """(A-number, code, reason, old terms) of every superseded program, oldest first."""
    query = select(SupersededProgram.a_number, SupersededProgram.code, SupersededProgram.reason,
                   SupersededProgram.old_terms).order_by(SupersededProgram.id)
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def discovered(session: Session, since: datetime | None = None,
               status: str | None = None) -> list[DiscoveredRow]:
    """The mined programs (found at or after `since`, naive = UTC; only `status`, if given), oldest first."""
    query = (
        select(Program, Sequence.name, Sequence.terms)
        .outerjoin(Sequence, Sequence.a_number == Program.a_number)
        .where(Program.origin == "mined")
        .order_by(Program.found_at, Program.a_number)
    )
    if since is not None:
        query = query.where(Program.found_at >= since)
    if status is not None:
        query = query.where(Program.status == status)
    rows = []
    for program, name, terms in session.execute(query):
        rows.append(
            DiscoveredRow(
                a_number=program.a_number,
                name=name or "",
                terms=parse_terms(terms or ""),
                code=program.code,
                found_at=program.found_at,
                model_version=program.model_version,
                strategy=program.strategy,
                beam_rank=program.beam_rank,
                cpu_seconds=program.cpu_seconds,
                terms_verified=program.terms_verified,
                length=program.length,
                status=program.status,
                bfile_checked=bool(program.bfile_checked),
            )
        )
    return rows


def program_codes(
    session: Session, a_numbers: Iterable[int] | None = None, origin: str | None = None
) -> dict[int, str]:
    """Code of one program per sequence (the shortest of corpus/mined, or only `origin`'s), for all or
    the given A-numbers. This is what `seq $x,N` calls resolve against.
    """
    query = select(Program.a_number, Program.code).order_by(Program.length.desc(), Program.id)
    if origin is not None:
        query = query.where(Program.origin == origin)
    if a_numbers is None:
        return dict(session.execute(query).all())
    codes: dict[int, str] = {}
    for chunk in chunked(set(a_numbers), CHUNK):
        codes.update(session.execute(query.where(Program.a_number.in_(chunk))).all())
    return codes


def program_files(session: Session) -> dict[int, str]:
    """One program per sequence (the shortest, as `program_codes`) as the text of its loda-programs file:
    `; A000045: name` and `; terms` from `sequences` when known, then the code. The database as a corpus."""
    query = (
        select(Program.a_number, Program.code, Sequence.name, Sequence.terms)
        .outerjoin(Sequence, Sequence.a_number == Program.a_number)
        .order_by(Program.length.desc(), Program.id)
    )
    files: dict[int, str] = {}
    for a_number, code, name, terms in session.execute(query):
        head = f"; {format_a_number(a_number)}: {name}\n" if name else ""
        files[a_number] = head + (f"; {terms}\n" if terms else "") + ("\n" if head or terms else "") + code
    return files
