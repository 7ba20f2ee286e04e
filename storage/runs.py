"""Models, job runs and heartbeats: what the daemon has trained, run and is doing now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from storage.db import session_scope, upsert
from storage.records import JobRunRow, MinerRow, ModelVersionRow, TrialSide, TrialState
from storage.schema import Attempt, JobRun, Miner, ModelFile, ModelVersion, Program, utcnow


def _model_row(m: ModelVersion) -> ModelVersionRow:
    return ModelVersionRow(m.id, m.path, m.preset, m.train_pairs, dict(m.metrics), m.promoted, m.created_at,
                           m.trial)


def register_model(
    session: Session, path: str, preset: str, train_pairs: int, metrics: dict[str, Any], promoted: bool,
    trial: bool = False,
) -> int:
    """Record a trained model and return its id; `promoted=True` also demotes the previous one, and
    `trial=True` starts its trial (ending any other that is running, as lost)."""
    if promoted:
        session.execute(update(ModelVersion).where(ModelVersion.promoted.is_(True)).values(promoted=False))
    if trial:
        running = list(session.scalars(select(ModelVersion.id).where(ModelVersion.trial == "running")))
        session.execute(update(ModelVersion).where(ModelVersion.id.in_(running)).values(trial="lost"))
        session.execute(delete(ModelFile).where(ModelFile.model_id.in_(running)))
    model = ModelVersion(
        path=str(path), preset=preset, train_pairs=train_pairs, metrics=metrics, promoted=promoted,
        created_at=utcnow(), trial="running" if trial else None,
    )
    session.add(model)
    session.flush()
    return model.id


def store_model_files(session: Session, model_id: int, files: dict[str, bytes]) -> None:
    """Keep a model's folder (file name -> bytes) in the database for the other miners of a fleet."""
    for name, data in files.items():
        session.merge(ModelFile(model_id=model_id, name=name, data=data))


def model_files(session: Session, model_id: int) -> dict[str, bytes]:
    """The files stored for a model (empty when none were)."""
    rows = session.execute(select(ModelFile.name, ModelFile.data).where(ModelFile.model_id == model_id))
    return {str(name): bytes(data) for name, data in rows}


def promoted_model(session: Session) -> ModelVersionRow | None:
    """The model the miner should use (the newest promoted one), or None before the first promotion."""
    model = session.scalars(
        select(ModelVersion).where(ModelVersion.promoted.is_(True)).order_by(ModelVersion.id.desc()).limit(1)
    ).first()
    return _model_row(model) if model else None


def promote_model(session: Session, model_id: int) -> None:
    """Make `model_id` the only promoted model; KeyError if there is no such model."""
    if session.get(ModelVersion, model_id) is None:
        raise KeyError(f"no model version {model_id}")
    session.execute(update(ModelVersion).where(ModelVersion.id != model_id).values(promoted=False))
    session.execute(update(ModelVersion).where(ModelVersion.id == model_id).values(promoted=True))


def model_on_trial(session: Session) -> ModelVersionRow | None:
    """The model whose trial is running (mining beside the promoted one), if any."""
    model = session.scalars(
        select(ModelVersion).where(ModelVersion.trial == "running").order_by(ModelVersion.id.desc()).limit(1)
    ).first()
    return _model_row(model) if model else None


def trial_figures(session: Session, versions: list[int], since: datetime) -> dict[int, tuple[int, float]]:
    """(mined programs stored, CPU seconds of attempts) per model version since `since`: the yield of
    each side of a trial."""
    figures = {v: (0, 0.0) for v in versions}
    cpu = session.execute(
        select(Attempt.model_version, func.sum(Attempt.cpu_seconds))
        .where(Attempt.model_version.in_(versions), Attempt.started_at >= since)
        .group_by(Attempt.model_version)
    )
    for v, seconds in cpu:
        if v is not None:
            figures[v] = (0, float(seconds or 0.0))
    hits = session.execute(
        select(Program.model_version, func.count())
        .where(Program.origin == "mined", Program.model_version.in_(versions), Program.found_at >= since)
        .group_by(Program.model_version)
    )
    for v, n in hits:
        if v is not None:
            figures[v] = (int(n), figures[v][1])
    return figures


def running_trial(session: Session) -> TrialState | None:
    """The model trial under way, with what each side has mined since it began; None when none runs."""
    trial = model_on_trial(session)
    if trial is None:
        return None
    current = promoted_model(session)
    sides = [trial.id] + ([current.id] if current is not None else [])
    figures = trial_figures(session, sides, trial.created_at)
    against = TrialSide(current.id, *figures[current.id]) if current is not None else TrialSide(None)
    return TrialState(trial, current, TrialSide(trial.id, *figures[trial.id]), against)


def end_trial(session: Session, model_id: int, won: bool, figures: dict[str, Any]) -> None:
    """Close a model's trial: kept in its metrics (`trial`); the winner becomes the promoted model, the
    loser's files leave the database (its run folder keeps them)."""
    model = session.get(ModelVersion, model_id)
    if model is None:
        raise KeyError(f"no model version {model_id}")
    model.metrics = {**dict(model.metrics), "trial": figures}
    model.trial = "won" if won else "lost"
    if won:
        promote_model(session, model_id)
    else:
        session.execute(delete(ModelFile).where(ModelFile.model_id == model_id))


def model_versions(session: Session) -> list[ModelVersionRow]:
    """Every registered model, oldest first."""
    return [_model_row(m) for m in session.scalars(select(ModelVersion).order_by(ModelVersion.id))]


def job_started(engine: Engine, job: str) -> int:
    """Record the start of a job run (its own transaction); returns the run id for `job_finished`."""
    with session_scope(engine) as session:
        run = JobRun(job=job, started_at=utcnow(), message="")
        session.add(run)
        session.flush()
        return run.id


def job_finished(engine: Engine, run_id: int, outcome: str, message: str = "") -> None:
    """Record how a job run ended ('ok', 'failed', 'skipped'...) with a short message."""
    with session_scope(engine) as session:
        run = session.get(JobRun, run_id)
        if run is None:
            raise KeyError(f"no job run {run_id}")
        run.finished_at = utcnow()
        run.outcome = outcome
        run.message = message


def recent_jobs(session: Session, limit: int = 20) -> list[JobRunRow]:
    """The latest job runs, newest first."""
    runs = session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit))
    return [JobRunRow(r.id, r.job, r.started_at, r.finished_at, r.outcome, r.message) for r in runs]


def last_run(session: Session, job: str, outcome: str | None = None) -> JobRunRow | None:
    """The latest run of `job` (with that `outcome` if given), or None if there is none."""
    query = select(JobRun).where(JobRun.job == job)
    if outcome is not None:
        query = query.where(JobRun.outcome == outcome)
    r = session.scalars(query.order_by(JobRun.id.desc()).limit(1)).first()
    return JobRunRow(r.id, r.job, r.started_at, r.finished_at, r.outcome, r.message) if r else None


def heartbeat(engine: Engine, owner: str, state: dict[str, Any]) -> None:
    """Record that `owner` is alive and what it is doing (a JSON-serialisable dict); read by `status`."""
    now = utcnow()
    table = Miner.__table__
    with session_scope(engine) as session:
        stmt = upsert(session, table).values(owner=owner, started_at=now, last_seen=now, state=state)
        stmt = stmt.on_conflict_do_update(
            index_elements=["owner"],
            set_={"last_seen": stmt.excluded.last_seen, "state": stmt.excluded.state},
        )
        session.execute(stmt)


def miners(session: Session) -> list[MinerRow]:
    """Every process that sent a heartbeat, most recently seen first."""
    rows = session.scalars(select(Miner).order_by(Miner.last_seen.desc()))
    return [MinerRow(m.owner, m.started_at, m.last_seen, dict(m.state)) for m in rows]
