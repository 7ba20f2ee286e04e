"""Random mutants of corpus programs, as the miner's blind guesses: how many held-out sequences they solve; JSON.

    python benchmarks/mutants.py [--mutants 50000] [--held-out 3000] [--seed 1]

A mutant that the matchers turn into a program for a sequence lacking one is what the miner's `mutation` lives on
after the first pass, but such hits on the real targets are too rare to compare two mutators by (two in ten
minutes). Here the targets are held-out corpus sequences (uncalled ones, their programs hidden), many more
than the real targets' hits and as sparse a find: a seeded stream of mutants of random other corpus programs
is evaluated under the miner's blind-guess limits, looked up in the matcher index of the held-out sequences,
and each match is checked on all the sequence's known terms, followed up as the mining loop follows them up.
A solved sequence counts `beyond_sweep` when the source program's own terms do not match it (the corpus sweep
would not find it from that program).
The index holds the real targets too (their hits are listed). `[search] mutation_max_changes` and the
other settings are the config's, `LODA_MINER_SEARCH_...` variables on top (for comparisons).
"""

from __future__ import annotations

import argparse
import json
import random
import time

from _mining import TARBALL, load_data
from false_hits import held_out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=50000)
    parser.add_argument("--held-out", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from tests import testbed
    from miner.core import config, progress
    from miner.lang import Corpus, check_terms, evaluate_partial, format_a_number
    from miner.mine.context import mining_limits
    from miner.mine.loop import follow_up_due
    from miner.search.matchers import TermIndex
    from miner.search.mutation import mutate
    from miner.search.types import Target

    cfg = config.load(None)
    sequences, programs = load_data()
    hidden = held_out(sequences, programs, args.held_out, args.seed)
    real = testbed.real_targets(sequences, programs)
    corpus = Corpus.from_path(TARBALL).without(hidden)
    index = TermIndex.from_settings((Target(a, "", tuple(sequences[a].terms), sequences[a].offset)
                                     for a in [*hidden, *real]), dict(cfg["search"]))
    blind, matched_limits = mining_limits(cfg, blind=True), mining_limits(cfg, blind=True, matched=True)
    terms_used = index.key_length + index.max_shift
    rng = random.Random(args.seed)
    ids = sorted(set(programs) - set(hidden))
    solved: dict[int, str] = {}
    tally: dict[int, tuple[int, int]] = {}  # (matches, followed up) per sequence, as the loop keeps them
    beyond: set[int] = set()  # solved where the source's own terms do not match: not the corpus sweep's find
    counts = {"mutants": 0, "evaluated": 0, "matches": 0, "followed_up": 0}
    start = time.process_time()
    for _ in progress.track(range(args.mutants), "mutants", unit="mutant"):
        source = rng.choice(ids)
        program = corpus.get(source)
        if program is None or not program.code():
            continue
        mutant = mutate(program, rng, int(cfg["search"]["mutation_max_changes"]))
        counts["mutants"] += 1
        terms, _ = evaluate_partial(mutant, terms_used, corpus, blind)
        if len(terms) < index.key_length:
            continue
        counts["evaluated"] += 1
        for found in index.matches(terms, skip=solved):
            counts["matches"] += 1
            matches, followed = tally.get(found.a_number, (0, 0))
            tally[found.a_number] = (matches + 1, followed)
            if not follow_up_due(matches + 1, followed):
                continue
            built = index.program(found, mutant)
            if built is None:
                continue
            tally[found.a_number] = (matches + 1, followed + 1)
            counts["followed_up"] += 1
            if check_terms(built, list(sequences[found.a_number].terms), corpus, matched_limits).ok:
                solved[found.a_number] = format_a_number(source)
                own = sequences.get(source)
                if own is None or all(m.a_number != found.a_number for m in index.matches(list(own.terms[:terms_used]))):
                    beyond.add(found.a_number)
    cpu = time.process_time() - start
    held = [a for a in solved if a not in real]
    print(json.dumps({"benchmark": "mutants", "seed": args.seed, "max_changes": cfg["search"]["mutation_max_changes"],
                      "held_out": len(hidden), **counts, "cpu_seconds": round(cpu, 1),
                      "held_out_solved": len(held), "held_out_solved_per_cpu_hour": round(len(held) / cpu * 3600, 1),
                      "held_out_beyond_sweep": sum(a in beyond for a in held),
                      "real_targets_beyond_sweep": sum(a in beyond for a in solved if a in real),
                      "real_targets_solved": sorted(format_a_number(a) for a in solved if a in real),
                      "solved": {format_a_number(a): solved[a] for a in sorted(held)}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
