"""The database: schema, migrations and every query (SQLAlchemy; SQLite or PostgreSQL).

Open it with `connect(url)`; run queries inside `session_scope(engine)`. Only plain records
(`storage.records`) leave this package, never ORM objects.
"""

from sqlalchemy import Engine

from storage.db import StorageError, connect, connect_readonly, is_operational_error, missing_sqlite_file, session_scope
from storage.locks import job_lock
from storage.mining import (attempt_rounds, changed_since, claim, extend_leases, failed_candidates, first_found, lease,
                            record_attempt, record_attempts, record_failed, release, strategy_stats, tried_pairs)
from storage.programs import (discovered, hits_to_reverify, import_corpus_programs, mark_verified, mined_hit,
                              program_codes, program_files, program_length, provisional_hits, store_hit, supersede_hit, superseded)
from storage.records import (
    Attempt,
    DiscoveredRow,
    Hit,
    ImportStats,
    JobRunRow,
    MinerRow,
    ModelVersionRow,
    RefreshRejected,
    RefreshStats,
    SequenceRecord,
    Since,
    StoreOutcome,
    StrategyStats,
    Summary,
    TrialSide,
    TrialState,
)
from storage.runs import (
    end_trial,
    heartbeat,
    model_files,
    model_on_trial,
    store_model_files,
    job_finished,
    job_started,
    last_run,
    miners,
    model_versions,
    promote_model,
    promoted_model,
    recent_jobs,
    register_model,
    trial_figures,
    running_trial,
)
from storage.sequences import (apply_refresh, get_sequences, lacking, last_refresh_source, minable, program_count,
                               provisional_only, summary)

# The daemon's additions: outbound submission queue table (so Base.metadata always holds it).
from storage import submissions as submissions  # noqa: E402,F401

__all__ = [
    "Attempt", "DiscoveredRow", "Engine", "Hit", "ImportStats", "JobRunRow", "MinerRow", "ModelVersionRow",
    "RefreshRejected", "RefreshStats", "SequenceRecord", "StorageError", "StoreOutcome", "StrategyStats", "Summary",
    "TrialSide", "TrialState",
    "apply_refresh", "claim", "connect", "connect_readonly", "discovered", "extend_leases", "failed_candidates",
    "get_sequences", "record_failed",
    "is_operational_error", "missing_sqlite_file", "hits_to_reverify", "mark_verified", "mined_hit", "provisional_hits",
    "supersede_hit", "superseded",
    "heartbeat", "import_corpus_programs", "job_lock", "job_finished", "job_started", "lacking", "last_refresh_source",
    "last_run", "miners",
    "minable", "model_versions", "provisional_only", "program_codes", "program_files", "program_length", "promote_model",
    "promoted_model", "recent_jobs", "record_attempt", "record_attempts", "register_model", "release", "session_scope",
    "store_hit", "strategy_stats", "summary", "tried_pairs", "first_found", "changed_since", "Since", "program_count",
    "attempt_rounds", "lease",
    "model_files", "store_model_files", "end_trial", "model_on_trial", "trial_figures", "running_trial",
]
