"""How well a model fits the pairs it was trained on, per pair kind, printed as one JSON object.

For a sample of each kind (copy, edit, own, synthetic, formula, recurrence), the share whose target is the
model's best output and the share whose target is among its K best. A model that cannot reproduce
its own training targets lacks training, not data or prompt design.

    python benchmarks/model_fit.py --pairs RUN/pairs/train.jsonl [--model DIR] [--per-kind 60] [--k 8]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fit(loaded, pairs, per_kind: int, k: int, seed: int = 1, batch: int = 6) -> dict[str, dict]:
    """Per kind: sampled pairs, top-1 and top-k exact matches of the target."""
    from training.generate import generate_targets

    rng = random.Random(seed)
    kinds = sorted({p.kind for p in pairs})
    out = {}
    for kind in kinds:
        chosen = [p for p in pairs if p.kind == kind]
        chosen = rng.sample(chosen, min(per_kind, len(chosen)))
        top1 = top_k = 0
        for start in range(0, len(chosen), batch):
            chunk = chosen[start:start + batch]
            for pair, texts in zip(chunk, generate_targets(loaded, [p.source for p in chunk], k)):
                wanted = pair.target.split()
                top1 += bool(texts) and texts[0].split() == wanted
                top_k += any(t.split() == wanted for t in texts)
        out[kind] = {"pairs": len(chosen), "top1": top1, f"top{k}": top_k,
                     "mean_target_words": round(sum(len(p.target.split()) for p in chosen) / max(1, len(chosen)), 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", required=True, help="a run's pairs/train.jsonl")
    parser.add_argument("--model", default="", help="model folder (default: the bundled model)")
    parser.add_argument("--per-kind", type=int, default=60)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from training.data import load_pairs
    from training.model import load

    start = time.monotonic()
    loaded = load(args.model or None, threads=args.threads)
    pairs = load_pairs(args.pairs)
    print(json.dumps({"benchmark": "model_fit", "model": str(loaded.path), "pairs_file": args.pairs, "k": args.k,
                      "by_kind": fit(loaded, pairs, args.per_kind, args.k),
                      "seconds": round(time.monotonic() - start, 1)}))


if __name__ == "__main__":
    main()
