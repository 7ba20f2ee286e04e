"""The T5 model: named size presets, building, saving and loading (never from a hub).

A model folder holds `config.json` + `model.safetensors` (transformers), `tokenizer.json` and
`training.json` (preset, source settings, data size, metrics).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.tokenizer import EOS_ID, PAD_ID, load_tokenizer, save_tokenizer

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
META_FILE = "training.json"

# T5Config keyword arguments per preset. `tiny` is for tests; `small` is the CPU default
# (2 cores, about ten CPU-hours); `base`/`large` are for a GPU.
PRESETS: dict[str, dict[str, Any]] = {
    "tiny": dict(d_model=32, d_ff=64, d_kv=16, num_heads=2, num_layers=1, num_decoder_layers=1),
    "small": dict(d_model=192, d_ff=512, d_kv=32, num_heads=6, num_layers=3, num_decoder_layers=3),
    "medium": dict(d_model=256, d_ff=1024, d_kv=32, num_heads=8, num_layers=4, num_decoder_layers=4),
    "base": dict(d_model=512, d_ff=2048, d_kv=64, num_heads=8, num_layers=6, num_decoder_layers=6),
    "large": dict(d_model=768, d_ff=3072, d_kv=64, num_heads=12, num_layers=12, num_decoder_layers=12),
}


@dataclass
class LoadedModel:
    """A model ready to generate: the torch module, its tokenizer and its training metadata."""

    model: Any
    tokenizer: Any
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def _offline() -> None:
    # Nothing is ever fetched from a hub at run time; progress bars of loading/saving are noise in logs.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def build_model(preset: str, vocab_size: int, init_from: str = ""):
    """A fresh T5ForConditionalGeneration of the preset, or one loaded from a local checkpoint folder."""
    _offline()
    from transformers import T5Config, T5ForConditionalGeneration

    if init_from:
        path = Path(init_from).expanduser()
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"[train] init_from: {path} is not a local T5 checkpoint folder "
                                    "(no config.json); hub ids are not downloaded")
        model = T5ForConditionalGeneration.from_pretrained(str(path), local_files_only=True)
        model.resize_token_embeddings(vocab_size)
        model.config.pad_token_id = PAD_ID
        model.config.eos_token_id = EOS_ID
        model.config.decoder_start_token_id = PAD_ID
        return model
    if preset not in PRESETS:
        raise KeyError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    # transformers 5 declares neither as a T5Config field, yet takes both as keyword arguments.
    config = T5Config(  # type: ignore[call-arg]
        vocab_size=vocab_size, pad_token_id=PAD_ID, eos_token_id=EOS_ID, decoder_start_token_id=PAD_ID,
        dropout_rate=0.0, feed_forward_proj="gated-gelu", tie_word_embeddings=True,
        **PRESETS[preset],
    )
    return T5ForConditionalGeneration(config)


def count_parameters(model) -> int:
    """Number of distinct parameters."""
    return sum(p.numel() for p in model.parameters())


def save(model, tokenizer, directory: str | Path, meta: dict[str, Any]) -> Path:
    """Write the model folder (safetensors + config, tokenizer, training.json); returns it."""
    _offline()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    save_tokenizer(tokenizer, out)
    (out / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return out


def resolve_model_dir(model_dir: str | Path | None) -> Path:
    """The folder to load: the given one, or the bundled model when empty."""
    path = Path(model_dir).expanduser() if model_dir else BUNDLED_DIR
    if not (path / "config.json").is_file():
        what = "the bundled model" if not model_dir else "model folder"
        raise FileNotFoundError(f"{path}: {what} has no config.json (train one with `loda-miner train`)")
    return path


def set_threads(threads: int = 0) -> None:
    """Flush denormal floats to zero and use `threads` CPU threads (0: torch's default).

    A trained model's tiny gradients are denormal, which x86 CPUs compute several times slower (a
    training step of the bundled model took 2.5x as long). Worker threads inherit the flush mode
    only from the thread that creates them, so call this before torch's first parallel operation.
    """
    import torch

    torch.set_flush_denormal(True)
    if threads:
        torch.set_num_threads(threads)


def load(model_dir: str | Path | None = None, threads: int = 0) -> LoadedModel:
    """Load a model folder (empty: the bundled model) for generation, in eval mode on the CPU/GPU."""
    _offline()
    import torch
    from transformers import T5ForConditionalGeneration

    set_threads(threads)
    path = resolve_model_dir(model_dir)
    model = T5ForConditionalGeneration.from_pretrained(str(path), local_files_only=True)
    if torch.cuda.is_available():
        # functools.wraps on PreTrainedModel.to hides its binding from type checkers: self looks unbound.
        model = model.to("cuda")  # type: ignore[arg-type]
    model.eval()
    meta_path = path / META_FILE
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    return LoadedModel(model, load_tokenizer(path), meta, path)


BUNDLE_FILES = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", META_FILE)
BUNDLE_LIMIT_BYTES = 40 * 1024 * 1024


def model_card(meta: dict[str, Any]) -> str:
    """A README for a model folder: how it was trained, on what, for how long, and how well it does."""
    metrics = meta.get("metrics", {})
    hours = float(meta.get("train_seconds", 0)) / 3600
    lines = [
        "# loda-miner model", "",
        f"- preset: `{meta.get('preset', '?')}`, {meta.get('step', '?')} optimizer steps "
        f"({meta.get('epochs', '?')} full epochs), {hours:.1f} hours of training",
        f"- command: `{meta.get('command', '?')}`",
        f"- data: {meta.get('train_pairs', '?')} training pairs from the loda-programs corpus "
        f"`{Path(str(meta.get('corpus', '?'))).name}` (Apache-2.0) with OEIS names and terms "
        "(CC BY-SA 4.0); validation: sequences whose A-number hash falls in the "
        f"{float(meta.get('valid_fraction', 0)):.0%} split",
        "- targets (see `training.targets`): " + (", ".join(
            f"{n} {kind}" for kind, n in sorted(meta.get("pair_kinds", {}).items())) or "?"),
        f"- prompt: offset, {meta.get('num_terms', '?')} terms, name, {meta.get('neighbours', 0)} "
        f"retrieved neighbour program(s)" + (", the corpus sweep's matches first" if meta.get("matched_neighbours")
                                             else "") + f", {meta.get('similar_names', 0)} similar-name example(s)"
        + (", the name's numbers tagged" if meta.get("number_tags") else ""),
    ]
    if meta.get("settings"):
        lines.append("- settings: " + ", ".join(f"{k}={v}" for k, v in sorted(meta["settings"].items())))
    if meta.get("continued_from"):
        lines.append(f"- continued from the model in `{meta['continued_from']}` (earlier stages below)")
    for number, stage in enumerate(meta.get("stages", []), 1):
        lines.append(f"- earlier stage {number}: `{stage.get('command', '?')}`, {stage.get('step', '?')} steps, "
                     f"{float(stage.get('train_seconds', 0)) / 3600:.1f} hours, "
                     f"{stage.get('train_pairs', '?')} pairs")
    lines += [
        "",
        "## Metrics (validation split)", "",
        "Measured by `loda-miner evaluate-model --model DIR --save` on a reproducible random sample of the",
        "validation split, their own programs hidden from `seq` calls. solve_rate: a sequence counts when",
        "one of K beam-search candidates reproduces all its known terms; baseline: the retrieval baseline",
        "(neighbour programs under a*x+b) on the same sequences; combined: the model and the baseline;",
        "sweep: the miner's corpus sweep (affine, difference/partial-sum and digit matchers); family: the",
        "miner's rewrites of similar-name programs; readers: the miner's name readers (formulas, 'Numbers k",
        "such that', expansions...; metrics from 2026-12-05 on); retrieval: baseline or any of these searches;",
        "pipeline: model or retrieval; model_only: solved by the model and by none of the others.", "",
    ]
    if metrics:
        lines += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |"
                  for k, v in sorted(metrics.items())]
        lines.insert(len(lines) - len(metrics), "| metric | value |\n|---|---|")
    else:
        lines.append("not evaluated yet (`loda-miner evaluate-model --model DIR`)")
    return "\n".join(lines) + "\n"


def bundle(model_dir: str | Path, dest: str | Path = BUNDLED_DIR) -> Path:
    """Copy a model folder into the package (default training/bundled) with its model card."""
    import shutil

    src = resolve_model_dir(model_dir)
    files = [src / name for name in BUNDLE_FILES if (src / name).is_file()]
    size = sum(f.stat().st_size for f in files)
    if size > BUNDLE_LIMIT_BYTES:
        raise ValueError(f"{src}: {size / 2**20:.1f} MiB is over the 40 MiB limit of a bundled model")
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy2(f, out / f.name)
    meta = json.loads((src / META_FILE).read_text()) if (src / META_FILE).is_file() else {}
    pairs = src.parent / "pairs" / "train.jsonl"
    if "pair_kinds" not in meta and pairs.is_file():  # a model in its run folder: count its targets
        from training.data import load_pairs, pair_kinds

        meta["pair_kinds"] = pair_kinds(load_pairs(pairs))
    card = out / "README.md"
    card.write_text(model_card(meta) + kept_history(card.read_text() if card.is_file() else ""))
    return out


HISTORY_HEADING = "## Experiment history"


def kept_history(card: str) -> str:
    """The hand-written experiment history of a model card (from its heading on), which a new bundle keeps."""
    at = card.find("\n" + HISTORY_HEADING)
    return card[at:] if at >= 0 else ""
