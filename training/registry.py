"""The model registry: every trained model is recorded with its metrics; promotion only when not worse."""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterable

import structlog

log = structlog.get_logger(__name__)


def validation_key(a_numbers: Iterable[int], k: int) -> str:
    """Identifies a validation set and K, so that only comparable solve rates are compared."""
    text = ",".join(str(a) for a in sorted(a_numbers)) + f"|k={k}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def should_promote(new: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """True when there is no current model or the new solve rate is not worse on the same set."""
    if current is None:
        return True
    if current.get("validation_key") != new.get("validation_key"):
        raise ValueError("solve rates were measured on different validation sets; re-evaluate the current model")
    return float(new.get("solve_rate", 0.0)) >= float(current.get("solve_rate", 0.0))


# Largest file of a model folder kept in the database (a bundled model must stay under 40 MiB in all).
MAX_MODEL_FILE = 64 * 2**20


def model_folder_files(model_dir: str) -> dict[str, bytes]:
    """The files directly in a model folder (weights, config, tokenizer, training.json), not its run's
    checkpoints or pairs."""
    from pathlib import Path

    folder = Path(model_dir).expanduser()
    if not folder.is_dir():
        return {}
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())
            if f.is_file() and f.stat().st_size <= MAX_MODEL_FILE}


def baseline_model(baseline: str) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """The model the miner uses while none is promoted (`[train] model_dir`, empty: the bundled one) as
    (folder, its training.json, its stored metrics), or None when there is no such model folder."""
    import json
    from pathlib import Path

    from training.model import META_FILE, resolve_model_dir

    try:
        folder = resolve_model_dir(baseline or None)
    except (FileNotFoundError, ValueError):
        return None
    if not (Path(folder) / "config.json").is_file():
        return None
    meta_path = Path(folder) / META_FILE
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    return str(folder), meta, dict(meta.get("metrics") or {})


def register(engine, model_dir: str, preset: str, train_pairs: int, metrics: dict[str, Any],
             evaluate_current: Callable[[str], dict[str, Any]] | None = None,
             baseline: str | None = None, trial: bool = False) -> tuple[int, str]:
    """Record the model and decide on it. Returns (id, outcome): "promoted", "trial" or "kept" (worse).

    A model not worse on validation is promoted, or with `trial` and a model in use, goes on trial: it
    mines beside the current one and replaces it only if it mines more hits per CPU-hour (`trial_verdict`).
    When the current model's stored metrics come from another validation set, `evaluate_current`
    (given its path) re-measures it on the new model's set first. While no model is promoted,
    `baseline` (not None) names the model the miner uses instead (`[train] model_dir`, empty: the bundled
    one): it is the one to beat, recorded as a version of its own, so that a quick smoke run never
    replaces a real model. Without a measure of it on the same set nothing is promoted.
    """
    from storage.db import session_scope
    from storage.runs import promoted_model, register_model

    with session_scope(engine) as session:
        current = promoted_model(session)
    base = baseline_model(baseline) if current is None and baseline is not None else None
    if current is not None:  # "" is the bundled model, registered as a baseline earlier
        current_path = current.path or (baseline_model("") or ("",))[0]
    else:
        current_path = base[0] if base else ""
    current_metrics = current.metrics if current is not None else (base[2] if base else None)
    comparable = current_metrics is None or current_metrics.get("validation_key") == metrics.get("validation_key")
    if not comparable and evaluate_current is not None:
        current_metrics = {**evaluate_current(current_path), "validation_key": metrics.get("validation_key")}
        comparable = True
    if not comparable:
        log.warning("promotion_skipped", reason="the current model was measured on another validation set")
    passes = comparable and should_promote(metrics, current_metrics)
    in_use = current is not None or base is not None
    outcome = "kept" if not passes else "trial" if trial and in_use else "promoted"
    with session_scope(engine) as session:
        if base is not None:
            meta = base[1]
            # Recorded under the name the miner loads it by ("" is the bundled model on every machine).
            register_model(session, baseline or "", str(meta.get("preset", "")),
                           int(sum((meta.get("pair_kinds") or {}).values())), current_metrics or {},
                           outcome != "promoted")
        model_id = register_model(session, str(model_dir), preset, train_pairs, metrics, outcome == "promoted",
                                  trial=outcome == "trial")
        if outcome != "kept":  # the other miners of a fleet load it from the database
            from storage.runs import store_model_files

            store_model_files(session, model_id, model_folder_files(model_dir))
    log.info("model_registered", id=model_id, outcome=outcome, solve_rate=metrics.get("solve_rate"),
             current=current_metrics.get("solve_rate") if current_metrics else None,
             baseline=bool(base))
    return model_id, outcome


def trial_verdict(trial: tuple[int, float], current: tuple[int, float], need_seconds: float,
                  expired: bool = False) -> str | None:
    """A trial's verdict from each side's (hits, CPU seconds): None while either has mined less than
    `need_seconds` (unless `expired`); else "won" only for strictly more hits per CPU-second."""
    (trial_hits, trial_cpu), (current_hits, current_cpu) = trial, current
    if min(trial_cpu, current_cpu) < need_seconds and not expired:
        return None
    if trial_cpu <= 0 or trial_hits == 0:
        return "lost"
    if current_cpu <= 0:  # the current model never ran: nothing says the new one is worse
        return "won"
    return "won" if trial_hits / trial_cpu > current_hits / current_cpu else "lost"
