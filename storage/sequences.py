"""Sequence queries: applying a refresh, the sequences lacking programs, lookups and the summary."""

from __future__ import annotations

from typing import Any, Iterable

import structlog
from sqlalchemy import ColumnElement, Engine, exists, func, select, update
from sqlalchemy.orm import Session

from storage.db import chunked, session_scope, upsert
from storage.records import RefreshRejected, RefreshStats, SequenceRecord, Summary
from storage.schema import Lease, Program, Refresh, Sequence, utcnow

log = structlog.get_logger(__name__)

CHUNK = 2000


def terms_text(terms: Iterable[int]) -> str:
    """[1, 1, 2] -> '1,1,2' (how terms are stored)."""
    return ",".join(map(str, terms))


def parse_terms(text: str) -> list[int]:
    """'1,1,2' -> [1, 1, 2]."""
    return [int(t) for t in text.split(",")] if text else []


def apply_refresh(engine: Engine, records: Iterable[SequenceRecord], source: str = "",
                  max_change_share: float | None = None) -> RefreshStats:
    """Store the fetched sequences in one transaction, writing only new or changed rows.

    `records` may be a stream; if it raises (truncated download...), nothing is stored. The stream is
    compared with the database first (read-only), so the write transaction holds the lock only for the
    changes, not while a large file is parsed. Sequences missing from `records` are kept, and so are the
    stored fields a record lacks (`SequenceRecord.missing`). With `max_change_share`, a refresh that
    would give more than that share of the stored sequences another name, offset or terms (extensions
    aside), or that no longer holds them, raises RefreshRejected and stores nothing.
    """
    stats = RefreshStats()
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seen: set[int] = set()
    with session_scope(engine, readonly=True) as session:
        for chunk in chunked(records, CHUNK):
            stats.seen += len(chunk)
            fresh = {
                r.a_number: (r.name, r.terms_text if r.terms_text is not None else terms_text(r.terms), r.offset,
                             r.missing)
                for r in chunk
            }
            seen.update(fresh)
            stored = {
                row.a_number: (row.name, row.terms, row.offset)
                for row in session.execute(
                    select(Sequence.a_number, Sequence.name, Sequence.terms, Sequence.offset).where(
                        Sequence.a_number.in_(list(fresh))
                    )
                )
            }
            for a_number, (name, terms, offset, missing) in fresh.items():
                old = stored.get(a_number)
                if old is not None and missing:
                    name = old[0] if "name" in missing else name
                    terms = old[1] if "terms" in missing else terms
                    offset = old[2] if "offset" in missing else offset
                values = {"a_number": a_number, "name": name, "terms": terms, "offset": offset, "changed_at": now}
                if old is None:
                    inserts.append(values)
                elif old != (name, terms, offset):
                    updates.append(values)
                    stats.names_changed += old[0] != name
                    stats.offsets_changed += old[2] != offset
                    if old[1] != terms:
                        extended = bool(old[1]) and terms.startswith(old[1] + ",")
                        stats.terms_extended += extended
                        stats.terms_rewritten += not extended
        if max_change_share is not None:
            stats.stored = session.scalar(select(func.count()).select_from(Sequence)) or 0
            with_terms = set(session.scalars(select(Sequence.a_number).where(Sequence.terms != "")))
            stats.missing = len(with_terms - seen)
    stats.added, stats.changed = len(inserts), len(updates)
    stats.unchanged = stats.seen - stats.added - stats.changed
    if max_change_share is not None:
        why = stats.suspicious(max_change_share)
        if why is not None:
            log.error("refresh_rejected", source=source, reason=why, names=stats.names_changed,
                      offsets=stats.offsets_changed, terms=stats.terms_rewritten, missing=stats.missing)
            raise RefreshRejected(f"refresh from {source}: {why}", stats)
    with session_scope(engine) as session:
        table = Sequence.__table__
        for chunk in chunked(inserts, CHUNK):
            # Upsert: another refresh may have added the same sequence meanwhile.
            stmt = upsert(session, table).values(added_at=now)
            stmt = stmt.on_conflict_do_update(
                index_elements=["a_number"],
                set_={c: stmt.excluded[c] for c in ("name", "terms", "offset", "changed_at")},
            )
            session.execute(stmt, chunk)
        for chunk in chunked(updates, CHUNK):
            session.execute(update(Sequence), chunk)
        session.add(
            Refresh(finished_at=now, source=source, seen=stats.seen, added=stats.added, changed=stats.changed)
        )
    log.info("refresh_applied", source=source, seen=stats.seen, added=stats.added, changed=stats.changed)
    return stats


def lacking_condition() -> ColumnElement[bool]:
    """WHERE condition on `sequences`: known terms and no program of any origin (index-backed)."""
    has_program = exists().where(Program.a_number == Sequence.a_number)
    return (Sequence.terms != "") & ~has_program


def minable_condition() -> ColumnElement[bool]:
    """WHERE condition on `sequences`: known terms and no program but provisional mined ones (what the
    miner still works on; those with a provisional hit after every lacking one)."""
    settled = exists().where(Program.a_number == Sequence.a_number,
                             ~((Program.origin == "mined") & (Program.status == "provisional")))
    return (Sequence.terms != "") & ~settled


def provisional_only(session: Session) -> set[int]:
    """A-numbers of the minable sequences that have a program: their only programs are provisional."""
    has_program = exists().where(Program.a_number == Sequence.a_number)
    return set(session.scalars(select(Sequence.a_number).where(minable_condition(), has_program)))


def minable(session: Session) -> list[int]:
    """A-numbers (ints, ascending) of the lacking sequences and of those whose only program is provisional."""
    return list(session.scalars(select(Sequence.a_number).where(minable_condition()).order_by(Sequence.a_number)))


def lacking(session: Session, limit: int | None = None) -> list[int]:
    """A-numbers (ints, ascending) of sequences with known terms and no program of any origin."""
    query = select(Sequence.a_number).where(lacking_condition()).order_by(Sequence.a_number)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def get_sequences(session: Session, a_numbers: Iterable[int]) -> dict[int, SequenceRecord]:
    """The stored sequences among `a_numbers` (unknown ones are simply absent)."""
    found: dict[int, SequenceRecord] = {}
    for chunk in chunked(set(a_numbers), CHUNK):
        rows = session.execute(
            select(Sequence.a_number, Sequence.name, Sequence.terms, Sequence.offset).where(
                Sequence.a_number.in_(chunk)
            )
        )
        for row in rows:
            found[row.a_number] = SequenceRecord(row.a_number, row.name, parse_terms(row.terms), row.offset)
    return found


def last_refresh_source(session: Session) -> str | None:
    """Where the latest applied refresh came from (its URLs' origin or "bundled snapshot"); None if none."""
    return session.scalar(select(Refresh.source).order_by(Refresh.id.desc()).limit(1))


def program_count(session: Session, origin: str) -> int:
    """How many programs of an origin ('corpus' or 'mined') are stored."""
    return int(session.scalar(select(func.count()).select_from(Program).where(Program.origin == origin)) or 0)


def summary(session: Session) -> Summary:
    """Counts for `status` (a few indexed COUNTs)."""
    count = lambda q: session.scalar(q) or 0  # noqa: E731
    with_program = count(
        select(func.count()).select_from(Sequence).where(exists().where(Program.a_number == Sequence.a_number))
    )
    return Summary(
        sequences=count(select(func.count()).select_from(Sequence)),
        with_terms=count(select(func.count()).select_from(Sequence).where(Sequence.terms != "")),
        with_program=with_program,
        lacking=count(select(func.count()).select_from(Sequence).where(lacking_condition())),
        corpus_programs=program_count(session, "corpus"),
        mined_programs=program_count(session, "mined"),
        leased=count(select(func.count()).select_from(Lease).where(Lease.expires_at > utcnow())),
        last_refresh=session.scalar(select(func.max(Refresh.finished_at))),
    )
