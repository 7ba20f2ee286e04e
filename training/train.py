"""The training loop, in plain PyTorch: read it top to bottom.

AdamW, linear warmup then cosine decay, gradient clipping, dynamic padding over length-sorted
chunks, bf16 autocast on a GPU, a checkpoint every few minutes that a killed run resumes from
(model, optimizer, scheduler, step, RNG states and data position), a progress bar on a terminal
and structlog events. A run folder holds `pairs/` (the exact data), `checkpoint/` and `model/`.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import structlog

from training.data import load_pairs, save_pairs
from training.pairs import PLACEHOLDER, PLACEHOLDER_KINDS, Pair
from training.tokenizer import PAD_ID, encode_compact, load_tokenizer, single_token, train_tokenizer, with_words

if TYPE_CHECKING:
    import threading


log = structlog.get_logger(__name__)

STATE_FILE = "state.pt"


# `[train]` keys whose setting has another name here (the config says which steps and which seed).
CONFIG_KEYS = {"train_steps": "max_steps", "train_seed": "seed"}


@dataclass
class TrainSettings:
    """Everything that shapes a run (the `[train]` config section)."""

    preset: str = "small"
    batch_size: int = 32
    lr: float = 1e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 500
    max_steps: int = 40_000
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    checkpoint_minutes: float = 5.0
    checkpoint_steps: int = 0
    threads: int = 1
    vocab_size: int = 4000
    max_source_len: int = 192
    max_target_len: int = 128
    curriculum: bool = True
    init_from: str = ""
    seed: int = 0
    log_every: int = 50

    @classmethod
    def from_config(cls, section: dict[str, Any], **overrides: Any) -> "TrainSettings":
        """Settings from `cfg["train"]` (unknown keys ignored), then explicit overrides."""
        names = set(cls.__dataclass_fields__)
        section = {CONFIG_KEYS.get(k, k): v for k, v in section.items()}
        values = {k: v for k, v in section.items() if k in names}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def lr_factor(step: int, warmup: int, total: int, floor: float) -> float:
    """Linear warmup to 1, then cosine decay to `floor` at `total` steps."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def epoch_batches(pairs: Sequence[Pair], lengths: Sequence[int], batch_size: int, seed: int,
                  epoch: int, curriculum: bool) -> list[list[int]]:
    """The batches (lists of pair indices) of one epoch, a pure function of (seed, epoch).

    Chunks of 64 batches are sorted by source length so padding stays small; with `curriculum`,
    epoch 0 goes from short to long programs (shuffled within each length band).
    """
    rng = random.Random(seed * 1_000_003 + epoch)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    if curriculum and epoch == 0:
        order.sort(key=lambda i: min(pairs[i].length // 4, 8))
    chunk = batch_size * 64
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        group = [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
        rng.shuffle(group)
        batches.extend(group)
    return batches


def _pad(rows: Sequence[Sequence[int]], value: int):
    import torch

    width = max(len(r) for r in rows)
    return torch.tensor([list(r) + [value] * (width - len(r)) for r in rows], dtype=torch.long)


class _Progress:
    """Steps, loss and ETA: a bar on a terminal, else a log line every half minute (miner.core.progress)."""

    def __init__(self, total: int, start: int) -> None:
        from miner.core.progress import Progress

        self.shown = Progress("train", total, unit="step", initial=start)

    def update(self, step: int, loss: float) -> None:
        self.shown.update(step - self.shown.done, loss=f"{loss:.3f}")

    def close(self) -> None:
        self.shown.close()


def prepare_run(out_dir: str | Path, train_pairs: Sequence[Pair], valid_pairs: Sequence[Pair],
                settings: TrainSettings, tokenizer=None):
    """Store the run's pairs and tokenizer in `out_dir` (a fresh run); returns the tokenizer."""
    out = Path(out_dir)
    save_pairs(train_pairs, out / "pairs" / "train.jsonl")
    save_pairs(valid_pairs, out / "pairs" / "valid.jsonl")
    if tokenizer is None:
        texts = (t for p in train_pairs for t in (p.source, p.target))
        tokenizer = train_tokenizer(texts, settings.vocab_size)
    tokenizer.save(str(out / "pairs" / "tokenizer.json"))
    return tokenizer


def _save_checkpoint(out: Path, model, tokenizer, optimizer, scheduler, step: int, epoch: int,
                     batch_in_epoch: int, settings: TrainSettings, meta: dict[str, Any],
                     seconds: float) -> None:
    import torch

    from training.model import save

    tmp = out / "checkpoint.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    save(model, tokenizer, tmp, {**meta, "step": step, "train_seconds": round(seconds, 1)})
    torch.save({
        "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
        "step": step, "epoch": epoch, "batch": batch_in_epoch, "settings": asdict(settings),
        "seconds": seconds,
        "rng_python": random.getstate(), "rng_torch": torch.get_rng_state(),
    }, tmp / STATE_FILE)
    _fsync_tree(tmp)
    final = out / "checkpoint"
    old = out / "checkpoint.old"
    # The previous checkpoint stays whole as checkpoint.old until the next swap: at every moment one
    # of the two is complete, and a resume falls back to it (`_resume_from`).
    if final.exists():
        if old.exists():
            shutil.rmtree(old)
        final.rename(old)
    tmp.rename(final)
    _fsync_dir(out)
    log.info("checkpoint", step=step, epoch=epoch, path=str(final))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Flush a folder's files to disk before it is renamed into place."""
    for file in folder.iterdir():
        if file.is_file():
            with open(file, "rb+") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _resume_from(out: Path) -> tuple[Any, Any]:
    """(loaded model, training state) of the newest checkpoint that loads: `checkpoint`, else
    `checkpoint.old` (a run killed during a swap, or a damaged file). The state is loaded with
    `weights_only=True`: plain data and tensors only, never code."""
    import torch

    from training.model import load as load_model

    errors = []
    for ckpt in (out / "checkpoint", out / "checkpoint.old"):
        if not (ckpt / STATE_FILE).is_file():
            errors.append(f"{ckpt}: no {STATE_FILE}")
            continue
        try:
            state = torch.load(ckpt / STATE_FILE, map_location="cpu", weights_only=True)
            loaded = load_model(ckpt)
        except Exception as exc:  # noqa: BLE001 - any damage: try the previous checkpoint
            errors.append(f"{ckpt}: {type(exc).__name__}: {exc}")
            log.warning("checkpoint_unusable", path=str(ckpt), error=str(exc)[:300])
            continue
        if errors:
            log.warning("checkpoint_fallback", path=str(ckpt), step=state.get("step"))
        return loaded, state
    raise FileNotFoundError(f"{out}: no checkpoint to resume from ({'; '.join(errors)})")


def new_placeholders(tokenizer, pairs: list[Pair]) -> set[str]:
    """The placeholders of the pairs whose kind (N, R, K...) the tokenizer has no whole token for:
    those of a newer prompt format. A known kind's rare words (R6) keep the pieces the model learned."""
    known = {kind for kind in PLACEHOLDER_KINDS if any(single_token(tokenizer, f"{kind}{d}") for d in range(1, 10))}
    return {w for p in pairs for w in f"{p.source} {p.target}".split() if PLACEHOLDER.fullmatch(w) and w[0] not in known}


class TrainingStopped(Exception):
    """Training stopped on request before max_steps, after saving a checkpoint to resume from."""


def train(out_dir: str | Path, settings: TrainSettings, *, resume: bool = False,
          train_pairs: Sequence[Pair] | None = None, valid_pairs: Sequence[Pair] = (),
          init_model_dir: str | Path | None = None, meta: dict[str, Any] | None = None,
          stop_event: threading.Event | None = None) -> Path:
    """Train until `settings.max_steps`; returns the saved model folder (`out_dir/model`).

    A fresh run needs `train_pairs` (and trains a tokenizer on them unless `init_model_dir` names
    a model to continue from, whose tokenizer is kept). `resume=True` continues from
    `out_dir/checkpoint` with the data stored in `out_dir/pairs`. Once `stop_event` (a
    threading.Event) is set, the step in progress ends, a checkpoint is saved and `TrainingStopped` raised.
    """
    import torch

    from training.model import build_model, count_parameters, save, set_threads
    from training.model import load as load_model

    out = Path(out_dir)
    set_threads(max(1, settings.threads))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    state = None
    if resume:
        loaded, state = _resume_from(out)
        model, tokenizer = loaded.model, loaded.tokenizer
        meta = {k: v for k, v in loaded.meta.items() if k not in ("step", "train_seconds")}
    else:
        if train_pairs is None:
            raise ValueError("a fresh run needs training pairs")
        if init_model_dir:
            base = load_model(init_model_dir)
            model, tokenizer = base.model, base.tokenizer
            grown = with_words(tokenizer, new_placeholders(tokenizer, [*train_pairs, *valid_pairs]))
            if grown is not tokenizer:
                log.info("vocabulary_grown", old=tokenizer.get_vocab_size(), new=grown.get_vocab_size())
                tokenizer = grown
                model.resize_token_embeddings(tokenizer.get_vocab_size())
            # The earlier stages stay in the metadata, so a model card can tell the whole history.
            stage = {k: base.meta[k] for k in ("command", "step", "train_seconds", "train_pairs") if k in base.meta}
            history = [*base.meta.get("stages", []), stage]
            meta = {**{k: v for k, v in base.meta.items() if k not in ("command", "metrics", "throughput")},
                    **(meta or {}), "continued_from": str(base.path), "stages": history}
        else:
            tokenizer = None
        tokenizer = prepare_run(out, train_pairs, valid_pairs, settings, tokenizer)
        train_pairs = None  # reloaded from the run folder below, as a resumed run does
        if not init_model_dir:
            model = build_model(settings.preset, tokenizer.get_vocab_size(), settings.init_from)
        meta = {**(meta or {}), "preset": settings.preset, "max_source_len": settings.max_source_len,
                "max_target_len": settings.max_target_len}
    pairs = load_pairs(out / "pairs" / "train.jsonl")
    if not pairs:
        raise ValueError(f"{out}/pairs/train.jsonl: no training pairs")
    meta["train_pairs"] = len(pairs)
    model.to(device)
    model.train()

    sources = encode_compact(tokenizer, [p.source for p in pairs], settings.max_source_len)
    targets = encode_compact(tokenizer, [p.target for p in pairs], settings.max_target_len)
    lengths = [len(s) + len(t) for s, t in zip(sources, targets)]

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([
        {"params": decay, "weight_decay": settings.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=settings.lr, betas=(0.9, 0.98))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(
        s, settings.warmup_steps, settings.max_steps, settings.min_lr_ratio))

    step, epoch, batch_in_epoch, seconds_before = 0, 0, 0, 0.0
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, epoch, batch_in_epoch = state["step"], state["epoch"], state["batch"]
        seconds_before = float(state.get("seconds", 0.0))
        random.setstate(state["rng_python"])
        torch.set_rng_state(state["rng_torch"])
        log.info("resumed", step=step, epoch=epoch, batch=batch_in_epoch)
    else:
        random.seed(settings.seed)
        torch.manual_seed(settings.seed)
    log.info("train_start", preset=settings.preset, params=count_parameters(model), pairs=len(pairs),
             step=step, max_steps=settings.max_steps, device=device, threads=settings.threads)

    autocast = (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if device == "cuda"
                else torch.autocast(device_type="cpu", enabled=False))
    progress = _Progress(settings.max_steps, step)
    last_ckpt = run_start = time.monotonic()
    run_examples = run_tokens = 0
    t_log, examples, tokens, loss_sum, loss_n = time.monotonic(), 0, 0, 0.0, 0
    batches = epoch_batches(pairs, lengths, settings.batch_size, settings.seed, epoch, settings.curriculum)
    while step < settings.max_steps:
        if batch_in_epoch >= len(batches):
            epoch, batch_in_epoch = epoch + 1, 0
            batches = epoch_batches(pairs, lengths, settings.batch_size, settings.seed, epoch,
                                    settings.curriculum)
        idx = batches[batch_in_epoch]
        input_ids = _pad([sources[i] for i in idx], PAD_ID).to(device)
        labels = _pad([targets[i] for i in idx], -100).to(device)
        with autocast:
            loss = model(input_ids=input_ids, attention_mask=(input_ids != PAD_ID).long(),
                         labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimizer.step()
        scheduler.step()
        step += 1
        batch_in_epoch += 1
        examples += len(idx)
        batch_tokens = int((input_ids != PAD_ID).sum()) + int((labels != -100).sum())
        tokens += batch_tokens
        run_examples += len(idx)
        run_tokens += batch_tokens
        value = loss.item()
        loss_sum, loss_n = loss_sum + value, loss_n + 1
        progress.update(step, value)
        if step % settings.log_every == 0 or step == settings.max_steps:
            elapsed = max(1e-9, time.monotonic() - t_log)
            log.info("train_step", step=step, epoch=epoch, loss=round(loss_sum / loss_n, 4),
                     lr=f"{scheduler.get_last_lr()[0]:.2e}", examples_per_s=round(examples / elapsed, 1),
                     tokens_per_s=round(tokens / elapsed))
            t_log, examples, tokens, loss_sum, loss_n = time.monotonic(), 0, 0, 0.0, 0
        due_steps = settings.checkpoint_steps and step % settings.checkpoint_steps == 0
        due_time = time.monotonic() - last_ckpt >= settings.checkpoint_minutes * 60
        stopping = stop_event is not None and stop_event.is_set()
        if (due_steps or due_time or stopping) and step < settings.max_steps:
            _save_checkpoint(out, model, tokenizer, optimizer, scheduler, step, epoch, batch_in_epoch,
                             settings, meta, seconds_before + time.monotonic() - run_start)
            last_ckpt = time.monotonic()
        if stopping and step < settings.max_steps:
            progress.close()
            log.info("train_stopped", step=step, max_steps=settings.max_steps, checkpoint=str(out / "checkpoint"))
            raise TrainingStopped(f"training stopped at step {step} of {settings.max_steps}; the checkpoint in "
                                  f"{out / 'checkpoint'} resumes it (train --resume --out {out})")
    progress.close()
    seconds = max(1e-9, time.monotonic() - run_start)
    meta["throughput"] = {"examples_per_s": round(run_examples / seconds, 2),
                          "tokens_per_s": round(run_tokens / seconds, 1), "seconds": round(seconds, 1),
                          "threads": settings.threads, "device": device}
    total_seconds = seconds_before + seconds
    _save_checkpoint(out, model, tokenizer, optimizer, scheduler, step, epoch, batch_in_epoch,
                     settings, meta, total_seconds)
    model_dir = save(model.cpu(), tokenizer, out / "model",
                     {**meta, "step": step, "epochs": epoch, "train_seconds": round(total_seconds, 1)})
    log.info("train_done", step=step, path=str(model_dir))
    return model_dir


def finetune(model_dir: str | Path, out_dir: str | Path, hits: Sequence[Pair], replay: Sequence[Pair],
             settings: TrainSettings, replay_ratio: float = 3.0, steps: int = 500, epochs: float = 0.0,
             stop_event: threading.Event | None = None) -> Path:
    """Continue a model on new hits mixed with a replay sample of corpus pairs (minutes, not hours);
    at most `steps` optimizer steps, and at most `epochs` passes over the mix when `epochs` > 0."""
    rng = random.Random(settings.seed)
    sample = rng.sample(list(replay), min(len(replay), int(len(hits) * replay_ratio) or len(replay)))
    pairs = [*hits, *sample]
    if epochs > 0:
        # Fifty hits and 500 steps would show the model each hit dozens of times: it learns them by
        # heart and loses ground elsewhere (a measured point of solve rate).
        steps = max(1, min(steps, math.ceil(epochs * len(pairs) / settings.batch_size)))
    tuned = TrainSettings(**{**asdict(settings), "max_steps": steps, "warmup_steps": min(50, steps),
                             "lr": settings.lr * 0.3, "curriculum": False})
    return train(out_dir, tuned, train_pairs=pairs, init_model_dir=model_dir,
                 meta={"finetune_hits": len(hits), "finetune_replay": len(sample)}, stop_event=stop_event)


def load_run_tokenizer(out_dir: str | Path):
    """The tokenizer a run folder was prepared with."""
    return load_tokenizer(Path(out_dir) / "pairs")
