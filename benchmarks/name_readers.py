"""A name reader on OEIS names: how many it solves, and whether its programs agree past the known terms.

    python benchmarks/name_readers.py [--data ../shared/data] [--sample 4000] [--seed 7] [--reader formula]
                                      [--pattern REGEX] [--contains TEXT] [--terms-past 30]

A seeded sample of corpus sequences whose names match `--pattern` (and contain `--contains`) is read by the
strategy `--reader` (`formula` includes `rationals` and the exact readings of `reals`), as mining runs it;
a sequence is solved when one of its first 8 programs reproduces every known term with the sequence's own
program out of the corpus. A solved program is then evaluated `--terms-past` terms beyond the known ones beside the corpus
program: `false_beyond` counts the sequences where they part (either may be the wrong one: each is listed
with its name), `unjudged` those where either stops before the known terms end. Prints one JSON object.
To compare two versions of the code, run it from a worktree of each.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--sample", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pattern", default=".", help="a regular expression the name must match")
    parser.add_argument("--contains", default="a(n) =", help="text the name must contain ('' for any)")
    parser.add_argument("--terms-past", type=int, default=30)
    parser.add_argument("--reader", default="formula", help="the strategy (a module of miner.search) to run")
    args = parser.parse_args()

    from miner.lang import Corpus, Limits, check_terms
    from miner.lang.evaluator import evaluate_partial
    import importlib

    from miner.search.types import SearchContext, Target
    from tests import testbed

    seqs = testbed.read_oeis(args.data / "oeis")
    texts = testbed.read_corpus(sorted((args.data / "programs").glob("*.tar.gz"))[-1])
    corpus = Corpus(texts)
    known = {a: Target(a, s.name, tuple(s.terms), s.offset) for a, s in seqs.items() if a in texts}  # as the loop has them
    reader = importlib.import_module(f"miner.search.{args.reader}")
    pattern = re.compile(args.pattern)
    ids = sorted(a for a, s in seqs.items() if a in texts and args.contains in s.name and pattern.search(s.name))
    random.Random(args.seed).shuffle(ids)
    ids = ids[:args.sample]
    limits = Limits(max_seconds=2.0)
    solved, parted, unjudged = 0, [], []
    started = time.process_time()
    for a in ids:
        seq = seqs[a]
        terms = list(seq.terms)
        others = corpus.without([a])
        ctx = SearchContext(corpus=others, known=known)
        target = Target(a, seq.name, tuple(terms), seq.offset)
        programs = [c.program for c in reader.propose(target, ctx, 8, random.Random(a))]
        hit = next((p for p in programs[:8] if check_terms(p, terms, others, limits).ok), None)
        if hit is None:
            continue
        solved += 1
        count = len(terms) + args.terms_past
        ours, _ = evaluate_partial(hit, count, others, limits)
        theirs, _ = evaluate_partial(texts[a], count, corpus, limits)
        common = min(len(ours), len(theirs))
        if common <= len(terms):
            unjudged.append(f"A{a:06d} {seq.name[:100]}")
        elif ours[:common] != theirs[:common]:
            at = next(i for i in range(common) if ours[i] != theirs[i])
            parted.append(f"A{a:06d} at term {at} of {len(terms)} known: {seq.name[:100]}")
    print(json.dumps({"sequences": len(ids), "solved": solved, "false_beyond": len(parted),
                      "unjudged": len(unjudged), "cpu_seconds": round(time.process_time() - started),
                      "parted": parted, "unjudged_list": unjudged}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
