"""The database tables (SQLAlchemy 2 declarative models) and the `discovered_programs` view.

Times are stored as naive UTC and read back as aware UTC datetimes (`UTCDateTime`), so the same
columns work on SQLite and PostgreSQL. A-numbers are stored as integers (45 for A000045).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ORIGINS = ("corpus", "mined")
# How far a mined program was verified: on a b-file, or on the known terms only (neither exported nor
# submitted until a b-file check); superseded ones live in `superseded_programs`.
STATUSES = ("verified", "provisional", "superseded")
OUTCOMES = ("hit", "miss", "error")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp kept as naive UTC in the database and returned as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Sequence(Base):
    """An OEIS sequence as last fetched: name, known terms (comma-separated) and offset."""

    __tablename__ = "sequences"

    a_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text, default="")
    # "1,1,2,3,5": the stripped.gz terms without the outer commas; "" when unknown.
    terms: Mapped[str] = mapped_column(Text, default="")
    offset: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # Keeps the "lacking programs" query off the wide rows: it walks this index only.
        Index(
            "ix_sequences_with_terms",
            "a_number",
            sqlite_where=text("terms <> ''"),
            postgresql_where=text("terms <> ''"),
        ),
    )


class ModelVersion(Base):
    """A trained model: where it is, how it was trained and how it scored."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    preset: Mapped[str] = mapped_column(String(64))
    train_pairs: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    promoted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A model that passed validation mines beside the promoted one until its hits per CPU-hour decide:
    # 'running', then 'won' (promoted) or 'lost'; None for a model that had no trial.
    trial: Mapped[str | None] = mapped_column(String(8), nullable=True)


class ModelFile(Base):
    """A file of a promoted model's folder, so every miner of a fleet can load it from the database."""

    __tablename__ = "model_files"

    model_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Program(Base):
    """A verified program for a sequence: from the corpus, or mined (at most one of each per sequence).

    No foreign key to `sequences`: a program may arrive before its sequence and counts once it does.
    """

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_number: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    model_version: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True
    )
    strategy: Mapped[str | None] = mapped_column(String(64), nullable=True)
    beam_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cpu_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    terms_verified: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The miner (lease owner, `<host>:<pid>`) that stored a mined program; hits per miner in `status`.
    owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # When a mined program was last re-checked against its sequence's terms (None: when it was found).
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # 'verified' (checked on a b-file) or 'provisional' (known terms only); corpus programs: 'verified'.
    status: Mapped[str] = mapped_column(String(16), default="verified", server_default="verified")
    # Whether the terms it was checked on came from a b-file.
    bfile_checked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    __table_args__ = (
        UniqueConstraint("a_number", "origin", name="uq_programs_a_number_origin"),
        CheckConstraint("origin IN ('corpus', 'mined')", name="ck_programs_origin"),
        Index("ix_programs_origin_found_at", "origin", "found_at"),
    )


class SupersededProgram(Base):
    """A mined program that no longer fits its sequence: kept with why and the terms it was checked on."""

    __tablename__ = "superseded_programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_number: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    strategy: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cpu_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    terms_verified: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bfile_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    # The sequence's terms and offset when the program was last verified (what it did reproduce).
    old_terms: Mapped[str] = mapped_column(Text, default="")
    old_offset: Mapped[int] = mapped_column(Integer, default=0)


class Attempt(Base):
    """One mining attempt on one sequence by one strategy."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_number: Mapped[int] = mapped_column(Integer, index=True)
    strategy: Mapped[str] = mapped_column(String(64), index=True)
    model_version: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True
    )
    candidates: Mapped[int] = mapped_column(Integer)
    valid: Mapped[int] = mapped_column(Integer)
    best_prefix: Mapped[int] = mapped_column(Integer)
    cpu_seconds: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("outcome IN ('hit', 'miss', 'error')", name="ck_attempts_outcome"),
    )


class AttemptDay(Base):
    """Running totals of the attempts per UTC day, strategy and model version, kept by `record_attempt`
    in the attempt's transaction: per-strategy statistics (the bandit, `status`), the dashboard and the
    metrics read these few rows instead of aggregating every attempt."""

    __tablename__ = "attempt_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # "2026-12-02" (UTC)
    strategy: Mapped[str] = mapped_column(String(64), primary_key=True)
    # 0 when the attempt ran without a registered model (a primary key column cannot be NULL).
    model_version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    cpu_seconds: Mapped[float] = mapped_column(Float, default=0.0)


class Effort(Base):
    """Running totals of the attempts per sequence, so choosing what to mine next needs no aggregate."""

    __tablename__ = "effort"

    a_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cpu_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # `claim` walks tried sequences in this order and stops after n.
        Index("ix_effort_priority", "cpu_seconds", "last_attempt_at", "a_number"),
    )


class Lease(Base):
    """A sequence being mined by `owner` until `expires_at`; an expired lease is free again."""

    __tablename__ = "leases"

    a_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(String(128), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(Base):
    """One run of a scheduled job (refresh, import, train, export...)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")


class Miner(Base):
    """A running process's liveness: last heartbeat and what it is doing."""

    __tablename__ = "miners"

    owner: Mapped[str] = mapped_column(String(128), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class FailedCandidate(Base):
    """A sweep's candidate that got a known term wrong (digest of its program and the target's terms): a
    miner sweeps every known sequence again at each start, and does not check this one again."""

    __tablename__ = "failed_candidates"

    a_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class Refresh(Base):
    """One applied refresh of the sequence data: when, from where, and what it changed."""

    __tablename__ = "refreshes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(Text)
    seen: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)


# 'A' + six digits, portable across SQLite and PostgreSQL (no printf/lpad); 7+ digits kept as is.
A_NUMBER_TEXT = (
    "CASE WHEN p.a_number < 1000000 "
    "THEN 'A' || SUBSTR(CAST(1000000 + p.a_number AS VARCHAR(20)), 2) "
    "ELSE 'A' || CAST(p.a_number AS VARCHAR(20)) END"
)

DISCOVERED_VIEW = "discovered_programs"
# Every view (created by hand in migrations; see 0007_views for the three beside discovered_programs).
VIEWS = (DISCOVERED_VIEW, "hits_per_day", "model_yield", "lacking_queue")
DISCOVERED_VIEW_SQL = (
    f"CREATE VIEW {DISCOVERED_VIEW} AS "
    f"SELECT {A_NUMBER_TEXT} AS a_number, COALESCE(s.name, '') AS name, p.code AS code, "
    "p.found_at AS found_at, p.model_version AS model_version, p.strategy AS strategy, "
    "p.status AS status, p.terms_verified AS terms_verified, p.bfile_checked AS bfile_checked, "
    "p.length AS length, p.cpu_seconds AS cpu_seconds "
    "FROM programs p LEFT JOIN sequences s ON s.a_number = p.a_number "
    "WHERE p.origin = 'mined' "
    "UNION ALL "
    f"SELECT {A_NUMBER_TEXT} AS a_number, COALESCE(s.name, '') AS name, p.code AS code, "
    "p.found_at AS found_at, p.model_version AS model_version, p.strategy AS strategy, "
    "'superseded' AS status, p.terms_verified AS terms_verified, p.bfile_checked AS bfile_checked, "
    "p.length AS length, p.cpu_seconds AS cpu_seconds "
    "FROM superseded_programs p LEFT JOIN sequences s ON s.a_number = p.a_number"
)
