"""Plain records passed in and out of the storage API (no ORM objects leave `storage`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from miner.lang.sequence import SequenceRecord  # noqa: F401  (re-exported: storage's API)

StoreOutcome = Literal["new", "replaced", "kept"]


@dataclass
class RefreshStats:
    """What one refresh did: records seen, sequences added, changed and left as they were."""

    seen: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportStats:
    """What one corpus import did; `broken` is filled by the importer (files skipped with a reason)."""

    seen: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    broken: list[str] = field(default_factory=list)


@dataclass
class Hit:
    """A verified program the miner found for a sequence."""

    a_number: int
    code: str
    strategy: str
    model_version: int | None = None
    beam_rank: int | None = None
    cpu_seconds: float = 0.0
    terms_verified: int = 0
    owner: str | None = None  # the miner that found it (lease owner name)


@dataclass
class DiscoveredRow:
    """A mined program with its sequence's name and terms (empty when the sequence is not known yet)."""

    a_number: int
    name: str
    terms: list[int]
    code: str
    found_at: datetime
    model_version: int | None
    strategy: str | None
    beam_rank: int | None
    cpu_seconds: float | None
    terms_verified: int | None
    length: int


@dataclass
class Attempt:
    """One mining attempt on one sequence by one strategy."""

    a_number: int
    strategy: str
    model_version: int | None
    candidates: int
    valid: int
    best_prefix: int
    cpu_seconds: float
    outcome: Literal["hit", "miss", "error"]
    started_at: datetime


@dataclass
class StrategyStats:
    """Totals of the attempts of one strategy."""

    attempts: int = 0
    candidates: int = 0
    valid: int = 0
    hits: int = 0
    cpu_seconds: float = 0.0


@dataclass
class ModelVersionRow:
    """A registered model."""

    id: int
    path: str
    preset: str
    train_pairs: int
    metrics: dict[str, Any]
    promoted: bool
    created_at: datetime


@dataclass
class JobRunRow:
    """One run of a job; `finished_at`/`outcome` are None while it runs."""

    id: int
    job: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    message: str


@dataclass
class MinerRow:
    """A process's last heartbeat."""

    owner: str
    started_at: datetime
    last_seen: datetime
    state: dict[str, Any]


@dataclass
class Summary:
    """Counts for `status`: sequences known, with terms, with a program, lacking one, mined, leased."""

    sequences: int
    with_terms: int
    with_program: int
    lacking: int
    corpus_programs: int
    mined_programs: int
    leased: int
    last_refresh: datetime | None
