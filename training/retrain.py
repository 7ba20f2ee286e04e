"""Retraining on the miner's hits: fine-tune the current model, evaluate, register; a model not worse on
validation goes on trial against the current one (`training.registry`)."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    import threading


log = structlog.get_logger(__name__)

FINETUNE_PREFIX = "finetune-"
# A run folder with no model yet is another retraining at work unless it has been untouched this long
# (its checkpoints rename folders in it every few minutes).
STALE_RUN_SECONDS = 24 * 3600


def retrain(engine, corpus, cfg: dict[str, Any], since=None, matcher=None,
            stop_event: threading.Event | None = None) -> tuple[int, str] | None:
    """Fine-tune the promoted (else configured/bundled) model on hits found since `since`.

    Returns (model id, outcome) as `training.registry.register`, or None when there are no usable hits. Runs go to
    `<runs_dir>/finetune-<time>`; the corpus replay sample keeps the model from forgetting. A model
    trained with `matched_neighbours` needs the `matcher` (`training.data.Matcher`) it was trained with.
    Once `stop_event` is set it raises `training.train.TrainingStopped` at the next safe point.
    """
    from storage.db import session_scope
    from storage.programs import discovered
    from storage.runs import model_on_trial, promoted_model
    from training.data import build_dataset, hit_pairs
    from training.evaluate import evaluate_folder
    from training.model import load, resolve_model_dir
    from training.registry import register
    from training.train import TrainingStopped, TrainSettings, finetune

    def check_stop(before: str) -> None:
        if stop_event is not None and stop_event.is_set():
            raise TrainingStopped(f"retraining stopped before {before}; nothing was registered")

    tc = cfg["train"]
    with session_scope(engine, readonly=True) as session:
        rows = discovered(session, since)
        current = promoted_model(session)
    base_dir = resolve_model_dir(current.path if current else tc["model_dir"] or None)
    if not rows:  # before loading the model and the corpus pairs: they take a minute to prepare
        log.info("retrain_skipped", reason="no hits", rows=0)
        return None
    meta = load(base_dir).meta
    num_terms = int(meta.get("num_terms", tc["num_terms"]))
    neighbours = int(meta.get("neighbours", tc["neighbours"]))
    similar_names = int(meta.get("similar_names", 0))
    matcher = matcher if meta.get("matched_neighbours") else None
    tags = bool(meta.get("number_tags"))  # the prompt format is the model's, not the config's
    fraction = float(meta.get("valid_fraction", tc["valid_fraction"]))
    replay_size = max(1, int(len(rows) * tc["finetune_replay_ratio"])) * 4
    # A prompt's neighbours come from the whole train split, so a model that shows them needs the full
    # index; only the replay sample gets pairs (without neighbours, `limit` alone keeps it small).
    data = build_dataset(corpus, num_terms=num_terms, neighbours=neighbours, valid_fraction=fraction,
                         similar_names=similar_names, limit=0 if neighbours or similar_names else replay_size,
                         train_sample=replay_size,
                         seed=random.randrange(1 << 30), workers=int(tc["threads"]), matcher=matcher,
                         number_tags=tags, readers=dict(cfg["mine"]["budget"]) if tc["reader_pairs"] else None,
                         search_settings=cfg["search"])
    hits = hit_pairs(rows, fraction, num_terms=num_terms, index=data.index, neighbours=neighbours,
                     similar_names=similar_names, corpus=corpus, matcher=matcher, known=data.known,
                     number_tags=tags)
    if not hits:
        log.info("retrain_skipped", reason="no usable hits", rows=len(rows))
        return None
    check_stop("fine-tuning")
    runs_dir = Path(tc["runs_dir"] or Path(cfg["paths"]["data_dir"]) / "runs").expanduser()
    out = runs_dir / f"{FINETUNE_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}"
    settings = TrainSettings.from_config(tc, preset=str(meta.get("preset", tc["preset"])))
    model_dir = finetune(base_dir, out, hits, data.train, settings,
                         replay_ratio=tc["finetune_replay_ratio"], steps=tc["finetune_steps"],
                         epochs=tc["finetune_epochs"], stop_event=stop_event)
    check_stop("evaluating the fine-tuned model")
    k, limit = tc["eval_k"], tc["eval_limit"]
    metrics = evaluate_folder(model_dir, corpus, k=k, limit=limit, valid=data.valid, threads=tc["threads"])
    registered = register(engine, str(model_dir), settings.preset, len(hits), metrics,
                          evaluate_current=lambda path: evaluate_folder(path, corpus, k=k, limit=limit,
                                                                        valid=data.valid, threads=tc["threads"]),
                          baseline=str(tc["model_dir"]), trial=float(tc["trial_cpu_hours"]) > 0)
    with session_scope(engine, readonly=True) as session:
        in_use = {Path(m.path) for m in (promoted_model(session), model_on_trial(session)) if m is not None}
    prune_runs(runs_dir, in_use, keep=int(tc["keep_finetune_runs"]))
    return registered


def prune_runs(runs_dir: Path, in_use: set[Path], keep: int) -> list[Path]:
    """Delete the fine-tuning runs in `runs_dir` beyond the `keep` newest, except those holding a model
    in `in_use`, and the checkpoints of the rest (a retraining round never resumes); the folders deleted.

    A daemon retrains every day for months: each round's folder (model, optimizer state, pairs) would
    otherwise stay on disk for good. Registered models also live in the database (`model_files`).
    """
    if not runs_dir.is_dir():
        return []
    runs = sorted((p for p in runs_dir.iterdir() if p.is_dir() and p.name.startswith(FINETUNE_PREFIX)),
                  key=lambda p: p.name, reverse=True)
    used = {p.resolve() for p in in_use}
    deleted = []
    finished = 0
    for run in runs:
        if not (run / "model").is_dir():
            if time.time() - run.stat().st_mtime > STALE_RUN_SECONDS:
                shutil.rmtree(run, ignore_errors=True)
                deleted.append(run)
            continue
        finished += 1
        if finished > keep and (run / "model").resolve() not in used:
            shutil.rmtree(run, ignore_errors=True)
            deleted.append(run)
            continue
        for checkpoint in ("checkpoint", "checkpoint.old", "checkpoint.tmp"):
            shutil.rmtree(run / checkpoint, ignore_errors=True)
    if deleted:
        log.info("runs_pruned", deleted=len(deleted), kept=len(runs) - len(deleted), folder=str(runs_dir))
    return deleted
