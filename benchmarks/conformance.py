"""Evaluate every program of the loda-programs tarball for all its header terms; print one JSON object.

    python benchmarks/conformance.py [--sample N --seed S] [--max-seconds T] [--programs TARBALL]

Counts: reproduced (all header terms), mismatched, error (an EvalError that is not a limit),
limit (step / memory / time limit), parse_error; plus every failure with its reason.
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

from miner.lang import Corpus, Limits  # noqa: E402
from miner.lang.conformance import classify  # noqa: E402

TARBALL = ROOT.parent / "shared" / "data" / "programs" / "loda-programs-oeis-2026-04-01.tar.gz"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--programs", default=str(TARBALL))
    ap.add_argument("--sample", type=int, default=0, help="check a seeded random sample of N programs (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=30.0, help="wall-time limit per program")
    ap.add_argument("--max-steps", type=int, default=Limits().max_steps)
    args = ap.parse_args()

    corpus = Corpus.from_path(args.programs)
    ids = corpus.ids()
    if args.sample:
        ids = sorted(random.Random(args.seed).sample(ids, min(args.sample, len(ids))))
    limits = Limits(max_steps=args.max_steps, max_seconds=args.max_seconds)
    counts = {"reproduced": 0, "mismatched": 0, "error": 0, "limit": 0, "parse_error": 0}
    failures = []
    start = time.perf_counter()
    for a_number in ids:
        outcome = classify(corpus, a_number, limits)
        counts[outcome["status"]] += 1
        if outcome["status"] != "reproduced":
            failures.append({"id": f"A{a_number:06d}", **outcome})
    print(json.dumps({"programs": len(ids), **counts, "seconds": round(time.perf_counter() - start, 1),
                      "limits": {"max_steps": limits.max_steps, "max_seconds": limits.max_seconds},
                      "failures": failures}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
