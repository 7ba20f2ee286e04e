"""Plain records passed in and out of the storage API (no ORM objects leave `storage`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from miner.lang.sequence import SequenceRecord  # noqa: F401  (re-exported: storage's API)

StoreOutcome = Literal["new", "replaced", "kept"]
AttemptOutcome = Literal["hit", "miss", "error"]


@dataclass
class RefreshStats:
    """What one refresh did: records seen, sequences added, changed and left as they were."""

    seen: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    # Of the changed: stored sequences whose name, offset or terms (other than an extension) changed.
    names_changed: int = 0
    offsets_changed: int = 0
    terms_rewritten: int = 0
    terms_extended: int = 0
    # Stored sequences with terms that the files no longer hold (kept as they are).
    missing: int = 0
    stored: int = 0

    def suspicious(self, share: float) -> str | None:
        """Why these changes look like a broken upstream file rather than OEIS edits (None: they don't):
        more than `share` of the stored sequences lose their terms or get another name, offset or terms."""
        limit = max(share * self.stored, REFRESH_CHANGE_FLOOR)
        for label, count in (("names", self.names_changed), ("offsets", self.offsets_changed),
                             ("terms", self.terms_rewritten), ("missing", self.missing)):
            if count > limit:
                what = "no longer in the files" if label == "missing" else f"with other {label}"
                return (f"{count} of {self.stored} stored sequences {what} (more than {share:.1%}); "
                        "not applied (`loda-miner fetch --accept-changes` applies it)")
        return None


# A refresh of a small database may change this many sequences whatever the share.
REFRESH_CHANGE_FLOOR = 20


class RefreshRejected(Exception):
    """A refresh that would change too much of the stored data; nothing of it was stored."""

    def __init__(self, message: str, stats: RefreshStats) -> None:
        super().__init__(message)
        self.stats = stats


@dataclass
class ImportStats:
    """What one corpus import did; `broken` is filled by the importer (files skipped with a reason)."""

    seen: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    broken: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Since:
    """What changed in the database after a time: sequences added or changed, mined programs withdrawn,
    and the sequences with a program stored after it (new, or replacing one); with the corpus programs now
    (an import adds and changes them, and none is ever deleted)."""

    sequences_changed: int
    superseded: int
    found_after: frozenset[int]
    corpus_programs: int


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
    status: str = "verified"  # 'verified' (checked on a b-file) or 'provisional' (known terms only)
    bfile_checked: bool = False


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
    status: str = "verified"
    bfile_checked: bool = False


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
    outcome: AttemptOutcome
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
    trial: str | None = None  # 'running', 'won' or 'lost' (see `storage.runs.end_trial`)


@dataclass(frozen=True)
class TrialSide:
    """One model's mining since a trial began: programs stored and CPU seconds of its attempts."""

    version: int | None
    hits: int = 0
    cpu_seconds: float = 0.0

    @property
    def hits_per_cpu_hour(self) -> float | None:
        return round(self.hits * 3600 / self.cpu_seconds, 3) if self.cpu_seconds > 0 else None


@dataclass(frozen=True)
class TrialState:
    """The running trial: the model on trial, the promoted one it mines beside, and both sides' yield."""

    model: ModelVersionRow
    current: ModelVersionRow | None
    candidate: TrialSide
    against: TrialSide


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
