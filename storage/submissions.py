"""The outbound queue of submissions to the LODA API: one row per (sequence, program), sent at most once.

(Added by the daemon helper, with migration 0002_submissions.) A program is identified by the SHA-256
of its code, so the same program is never queued or sent twice, across restarts and across a fleet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import rowcount, upsert
from storage.schema import Base, Program, UTCDateTime

STATUSES = ("queued", "sent", "failed", "superseded")


class Submission(Base):
    """A mined program waiting for, or done with, its POST to the LODA API."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(Text)
    code_hash: Mapped[str] = mapped_column(String(64))
    # 'add' for a sequence we never submitted, 'update' when it replaces our earlier submission.
    mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("a_number", "code_hash", name="uq_submissions_a_number_code_hash"),
        Index("ix_submissions_status_next_try_at", "status", "next_try_at"),
        Index("ix_submissions_sent_at", "sent_at"),
    )


@dataclass
class QueuedSubmission:
    """A submission due to be sent."""

    id: int
    a_number: int
    code: str
    mode: str
    attempts: int


def code_hash(code: str) -> str:
    """The identity of a program: SHA-256 of its code with trailing blanks and blank lines dropped."""
    lines = [line.rstrip() for line in code.strip().splitlines()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def enqueue_new(session: Session, now: datetime) -> int:
    """Queue every verified mined program not queued before (provisional ones wait for their b-file check);
    an older unsent program of the same sequence is superseded. Returns how many were queued."""
    known = {(a, h) for a, h in session.execute(select(Submission.a_number, Submission.code_hash))}
    submitted = set(session.scalars(select(Submission.a_number).where(Submission.status == "sent")))
    rows = []
    for a_number, code in session.execute(select(Program.a_number, Program.code)
                                          .where(Program.origin == "mined", Program.status == "verified")):
        digest = code_hash(code)
        if (a_number, digest) in known:
            continue
        rows.append({
            "a_number": a_number, "code": code, "code_hash": digest,
            "mode": "update" if a_number in submitted else "add", "status": "queued", "attempts": 0,
            "queued_at": now, "next_try_at": now, "last_error": "",
        })
    if not rows:
        return 0
    session.execute(
        update(Submission)
        .where(Submission.status == "queued", Submission.a_number.in_([r["a_number"] for r in rows]))
        .values(status="superseded")
    )
    # ON CONFLICT DO NOTHING: another miner of the fleet may queue the same program at the same time.
    return rowcount(session.execute(upsert(session, Submission.__table__).values(rows).on_conflict_do_nothing()))


def due(session: Session, now: datetime, limit: int) -> list[QueuedSubmission]:
    """Queued submissions whose next try is due, oldest first."""
    query = (
        select(Submission)
        .where(Submission.status == "queued", Submission.next_try_at <= now)
        .order_by(Submission.next_try_at, Submission.id)
        .limit(limit)
    )
    return [QueuedSubmission(s.id, s.a_number, s.code, s.mode, s.attempts) for s in session.scalars(query)]


def sent_since(session: Session, since: datetime) -> int:
    """How many submissions were sent since `since` (the rate limit's window)."""
    return int(session.scalar(select(func.count()).select_from(Submission).where(Submission.sent_at >= since)) or 0)


def mark_sent(session: Session, submission_id: int, now: datetime) -> None:
    """Record a successful POST."""
    session.execute(
        update(Submission).where(Submission.id == submission_id)
        .values(status="sent", sent_at=now, attempts=Submission.attempts + 1, last_error="")
    )


def mark_retry(session: Session, submission_id: int, next_try_at: datetime, error: str) -> None:
    """Record a failed POST that will be tried again at `next_try_at`."""
    session.execute(
        update(Submission).where(Submission.id == submission_id)
        .values(attempts=Submission.attempts + 1, next_try_at=next_try_at, last_error=error[:1000])
    )


def mark_failed(session: Session, submission_id: int, error: str) -> None:
    """Give up on a submission (rejected by the server, or out of attempts)."""
    session.execute(
        update(Submission).where(Submission.id == submission_id)
        .values(status="failed", attempts=Submission.attempts + 1, last_error=error[:1000])
    )


def counts(session: Session) -> dict[str, int]:
    """Number of submissions per status."""
    rows = session.execute(select(Submission.status, func.count()).group_by(Submission.status))
    return {status: int(n) for status, n in rows}
