"""Benchmark of the model-free search strategies; prints one JSON object.

Held-out part: a seeded random sample of corpus sequences is hidden (programs removed with
`corpus.without`, terms removed from the known set); each strategy proposes candidates for them and
every candidate is verified with the real evaluator on every known term.
Real part (flagged "real_targets"): the sequences without a program in the tarball; recurrence,
holonomic, formula, gf, euler, algebraic, convolution, ... (every once-per-sequence strategy but combine)
and family candidates verified the same way. "union" counts targets solved by any strategy; `neighbours`
(a bandit strategy, one round's budget) reports what it adds beyond the once-per-sequence ones and the sweep.

Usage: python benchmarks/strategies.py [--data ../shared/data] [--sample 300] [--seed 1] [--skip-real]
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miner.core.config import DEFAULTS, STRATEGIES  # noqa: E402
from miner.lang import Corpus, Limits, check_terms, parse_a_number  # noqa: E402
from miner.search import DETERMINISTIC, STRATEGY_MODULES, corpus_sweep, mutation, neighbours  # noqa: E402
from miner.search.matchers import TermIndex  # noqa: E402
from miner.search.types import SearchContext, Target  # noqa: E402

LIMITS = Limits(max_steps=10_000_000, max_seconds=2.0)


def read_sequences(data: Path) -> dict[int, Target]:
    """Every OEIS sequence in names.gz/stripped.gz/offsets.gz as a Target."""
    names, terms, offsets = {}, {}, {}
    with gzip.open(data / "oeis/names.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("A"):
                a, _, name = line.rstrip("\n").partition(" ")
                names[parse_a_number(a)] = name
    with gzip.open(data / "oeis/stripped.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("A"):
                a, _, rest = line.partition(" ")
                terms[parse_a_number(a)] = tuple(int(v) for v in rest.strip().strip(",").split(",") if v)
    with gzip.open(data / "oeis/offsets.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("A"):
                a, _, off = line.partition(":")
                offsets[parse_a_number(a)] = int(off)
    return {a: Target(a, names.get(a, ""), terms[a], offsets.get(a, 0)) for a in terms if terms[a]}


def verified(program, target: Target, corpus: Corpus) -> bool:
    """Whether the program reproduces every known term (evaluator errors count as failures)."""
    try:
        return check_terms(program, list(target.terms), corpus, LIMITS).ok
    except Exception:  # noqa: BLE001 - an evaluator crash is a failed candidate here, not a failed run
        return False


def run_strategy(name, propose, targets, ctx, corpus, budget=8, solved_ids=None):
    """Candidates, solved count and CPU seconds (generation and checking) of one per-target strategy;
    the A-numbers solved are added to `solved_ids` when given."""
    gen_cpu = check_cpu = 0.0
    cands = solved = 0
    rng = random.Random(0)
    for target in targets:
        t0 = time.process_time()
        proposed = list(propose(target, ctx, budget, rng))
        gen_cpu += time.process_time() - t0
        cands += len(proposed)
        t0 = time.process_time()
        if any(verified(c.program, target, corpus) for c in proposed):
            solved += 1
            if solved_ids is not None:
                solved_ids.add(target.a_number)
        check_cpu += time.process_time() - t0
    return {"strategy": name, "targets": len(targets), "candidates": cands, "solved": solved,
            "solve_rate": round(solved / max(len(targets), 1), 4),
            "generate_cpu_s": round(gen_cpu, 2), "check_cpu_s": round(check_cpu, 2),
            "candidates_per_s": round(cands / max(gen_cpu + check_cpu, 1e-9), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mutation-budget", type=int, default=2000)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    data = Path(args.data)
    t0 = time.process_time()
    corpus = Corpus.from_path(data / "programs/loda-programs-oeis-2026-04-01.tar.gz")
    sequences = read_sequences(data)
    have = set(corpus.ids())
    load_cpu = time.process_time() - t0
    out: dict = {"load_cpu_s": round(load_cpu, 2), "sample": args.sample, "seed": args.seed}

    rng = random.Random(args.seed)
    pool = sorted(a for a in have if a in sequences and len(sequences[a].terms) >= 10)
    held = rng.sample(pool, args.sample)
    held_set = set(held)
    hidden = corpus.without(held)
    targets = [sequences[a] for a in held]
    known = {a: sequences[a] for a in pool if a not in held_set}

    t0 = time.process_time()
    index = TermIndex.build(targets)
    build_cpu = time.process_time() - t0
    t0 = time.process_time()
    found: dict[int, list] = {}
    for a, cand in corpus_sweep.sweep(index, known.values()):
        found.setdefault(a, []).append(cand)
    sweep_cpu = time.process_time() - t0
    t0 = time.process_time()
    swept = {a for a, cands in found.items() if any(verified(c.program, sequences[a], hidden) for c in cands)}
    solved = len(swept)
    out["corpus_sweep"] = {"targets": len(targets), "known": len(known), "index_cpu_s": round(build_cpu, 2),
                           "sweep_cpu_s": round(sweep_cpu, 2), "matched_targets": len(found),
                           "candidates": sum(map(len, found.values())), "solved": solved,
                           "solve_rate": round(solved / len(targets), 4),
                           "check_cpu_s": round(time.process_time() - t0, 2)}

    settings = dict(DEFAULTS["search"])
    ctx = SearchContext(corpus=hidden, index=index, settings=settings, known=known)
    union = set(swept)
    for name, module in PER_TARGET:
        out[name] = run_strategy(name, module.propose, targets, ctx, hidden, solved_ids=union)
    # A bandit strategy, measured at one round's budget: what it adds to all of the above.
    before = set(union)
    out["neighbours"] = run_strategy("neighbours", neighbours.propose, targets, ctx, hidden,
                                     budget=int(DEFAULTS["mine"]["budget"]["neighbours"]), solved_ids=union)
    out["neighbours"]["beyond_the_others"] = len(union - before)
    out["mutation"] = mutation_benchmark(targets, hidden, index, args.mutation_budget, args.seed, sequences,
                                         union)
    out["union"] = {"solved": len(union), "solve_rate": round(len(union) / len(targets), 4)}

    if not args.skip_real:
        real = [sequences[a] for a in sorted(sequences) if a not in have]
        ctx = SearchContext(corpus=corpus, index=TermIndex.build(real), settings=settings,
                            known={a: sequences[a] for a in have if a in sequences})
        out["real_targets"] = {"flag": "real targets: sequences without a program in the tarball",
                               "count": len(real)}
        union = set()
        for name, module in PER_TARGET:
            out["real_targets"][name] = run_strategy(name, module.propose, real, ctx, corpus, solved_ids=union)
        out["real_targets"]["union"] = {"solved": len(union), "solve_rate": round(len(union) / len(real), 4)}
    print(json.dumps(out))


# The per-target strategies measured on held-out and real targets (the once-per-sequence ones but combine,
# which needs the known sequences' matrix), in the defaults' order with family, the costly one, last.
PER_TARGET = tuple((name, importlib.import_module(STRATEGY_MODULES[name]))
                   for name in sorted((s for s in STRATEGIES if s in DETERMINISTIC and s != "combine"), key=lambda s: s == "family"))


def mutation_benchmark(targets, corpus, index, budget, seed, sequences, solved_ids):
    """Mutate random corpus programs, match their terms against the held-out index, verify matches."""
    rng = random.Random(seed)
    t0 = time.process_time()
    stats = mutation.mutate_and_match(corpus, index, budget, rng)
    gen_cpu = time.process_time() - t0
    t0 = time.process_time()
    solved = {a for a, prog in stats.matches if verified(prog, sequences[a], corpus)}
    solved_ids |= solved
    return {"mutants": stats.mutants, "evaluated_ok": stats.evaluated, "matches": len(stats.matches),
            "solved": len(solved), "solve_rate": round(len(solved) / len(targets), 4),
            "generate_and_eval_cpu_s": round(gen_cpu, 2), "check_cpu_s": round(time.process_time() - t0, 2),
            "mutants_per_s": round(stats.mutants / max(gen_cpu, 1e-9), 1)}


if __name__ == "__main__":
    main()
