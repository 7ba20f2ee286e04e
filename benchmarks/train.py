"""Training and model figures on this machine, printed as one JSON object.

- training examples/s and tokens/s per preset (a short run on real retrieval-augmented pairs),
- generation seconds per sequence at K=8 and K=32 with the given model,
- the model's validation solve rate at K=32 (--k) beside the retrieval baseline's and the miner's
  model-free searches' (corpus sweep, family templates) on the same sequences, the union of all,
  and what only the model solves.

    python benchmarks/train.py [--model DIR] [--presets tiny,small,medium] [--steps 30] [--limit 300]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "programs" / "loda-programs-oeis-2026-04-01.tar.gz"


def throughput(corpus, presets: list[str], steps: int, threads: int) -> dict:
    """examples/s and tokens/s of `steps` optimizer steps (batch 32) per preset."""
    from training.data import build_dataset
    from training.model import load
    from training.train import TrainSettings, train

    data = build_dataset(corpus, num_terms=16, neighbours=2, valid_fraction=0.02, limit=3000)
    out = {}
    for preset in presets:
        with tempfile.TemporaryDirectory() as tmp:
            settings = TrainSettings(preset=preset, max_steps=steps, warmup_steps=5, threads=threads,
                                     curriculum=False, log_every=10**9)
            model_dir = train(tmp, settings, train_pairs=data.train, valid_pairs=data.valid)
            loaded = load(model_dir)
            out[preset] = {**loaded.meta["throughput"],
                           "parameters": sum(p.numel() for p in loaded.model.parameters())}
    return out


def validation_sources(corpus, meta: dict, count: int) -> list[str]:
    """Prompts of the first validation sequences, as the model's settings build them (a bundled model
    has no run folder with stored pairs)."""
    from miner.search.retrieval import corpus_programs, index_for
    from training.data import corpus_sequences, make_pairs
    from training.pairs import split_ids

    programs = corpus_programs(corpus)
    sequences = corpus_sequences(corpus)
    train_ids, valid_ids = split_ids([a for a in programs if a in sequences], float(meta.get("valid_fraction", 0.02)))
    index = index_for({a: programs[a] for a in train_ids}, sequences)
    pairs = make_pairs({a: programs[a] for a in valid_ids[:count]}, sequences, index=index,
                       num_terms=int(meta.get("num_terms", 16)), neighbours=int(meta.get("neighbours", 2)),
                       examples=int(meta.get("similar_names", 0)))
    return [p.source for p in pairs]


def generation_seconds(model_dir: str | None, sources: list[str], threads: int) -> dict:
    """Beam-search seconds per sequence at K=8 and K=32."""
    from training.generate import generate
    from training.model import load

    loaded = load(model_dir, threads=threads)
    out = {}
    for k in (8, 32):
        t0 = time.monotonic()
        generate(loaded, sources, k, batch_size=1)
        out[f"k{k}"] = round((time.monotonic() - t0) / len(sources), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder (default: the bundled model)")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--presets", default="tiny,small,medium")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--limit", type=int, default=300, help="validation sequences for the solve rates (0: skip)")
    parser.add_argument("--k", type=int, default=32, help="candidates per sequence for the solve rates")
    parser.add_argument("--gen-sequences", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    from miner.core import log
    from miner.core.config import DEFAULTS
    from miner.lang import Corpus
    from miner.search import model_free_searches
    from training.evaluate import evaluate_folder
    from training.model import load

    log.configure("warning", "json")
    corpus = Corpus.from_path(args.corpus)
    result: dict = {"threads": args.threads}
    if args.presets:
        result["training"] = throughput(corpus, args.presets.split(","), args.steps, args.threads)
    try:
        loaded = load(args.model)
    except FileNotFoundError as exc:
        result["model_error"] = str(exc)
        print(json.dumps(result, indent=2))
        return
    result["model"] = str(loaded.path)
    if args.limit:
        result["validation"] = evaluate_folder(args.model, corpus, k=args.k, limit=args.limit, threads=args.threads,
                                               searches=model_free_searches(DEFAULTS, corpus))
    stored = loaded.path.parent / "pairs" / "valid.jsonl"
    if stored.is_file():
        from training.data import load_pairs
        sources = [p.source for p in load_pairs(stored)[:args.gen_sequences]]
    else:
        sources = validation_sources(corpus, loaded.meta, args.gen_sequences)
    if sources:
        result["generation_seconds_per_sequence"] = generation_seconds(args.model, sources, args.threads)
    print(json.dumps(result, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
