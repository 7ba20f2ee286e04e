"""Test-time compute on validation: what a second try adds, with and without the best near miss; JSON.

    python benchmarks/near_miss.py [--limit 300] [--k 32] [--model DIR] [--min-terms 3]

Round 1 scores the model as `loda-miner evaluate-model` scores the bundled model (the validation
pairs rebuilt from the corpus, so every model is scored on the same set): K beams per sequence, their
own programs hidden from `seq` calls, the corpus sweep, family templates and the retrieval baseline
beside it. Each sequence the model did not solve and whose best wrong candidate reproduced at least
`--min-terms` leading terms (its near miss) then gets K more candidates in each of three ways:
- `more_beams`: the same prompt, 2K beams, the K not already tried;
- `sample`: the same prompt, K samples at temperature 1;
- `near_miss`: the prompt with the near miss as its first neighbour (`training.pairs.with_near_miss`), K beams;
- `mutants` (with `--mutants N`): N mutants of the near miss (`miner.search.mutation`), as the miner's
  mutation strategy makes of a sequence's model seeds, beside `neighbour_mutants`, the model-free control:
  N mutants of the programs of the sequences with the most similar first terms and names
  (`miner.search.neighbours.programs`, the train split's programs).
Reported per arm: sequences solved, those retrieval misses (model-only), generation or mutation seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial

from _mining import TARBALL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="", help="model folder (default: the bundled model)")
    parser.add_argument("--limit", type=int, default=300, help="validation sequences")
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--min-terms", type=int, default=3, help="leading terms a near miss reproduces")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mutants", type=int, default=0, help="mutants per retried sequence (0: no mutation arms)")
    parser.add_argument("--arms", default="more_beams,sample,near_miss", help="the model's arms to run")
    args = parser.parse_args()

    from miner.core import log
    from miner.core.config import DEFAULTS
    from miner.lang import Corpus
    from miner.lang.compact import to_target
    from miner.lang.parser import parse
    from miner.search import model_free_searches
    from miner.search.corpus_sweep import sweep_texts
    from training.evaluate import evaluate, first_solver, validation_for
    from training.generate import generate_targets, to_loda
    from training.pairs import with_near_miss
    from training.registry import validation_key

    log.configure("warning", "json")
    started = time.monotonic()
    corpus = Corpus.from_path(str(TARBALL))
    v = validation_for(args.model or None, corpus, limit=args.limit, threads=args.threads,
                       searches=model_free_searches(DEFAULTS, corpus),
                       matcher=partial(sweep_texts, settings=DEFAULTS["search"]), stored=False)
    rows: list[dict] = []
    t0 = time.monotonic()
    round1 = evaluate(v.loaded, v.pairs, v.sequences, corpus, k=args.k, index=v.index, searches=v.found, rows=rows)
    round1_seconds = time.monotonic() - t0
    hidden = corpus.without(p.a_number for p in v.pairs)
    pairs = {p.a_number: p for p in v.pairs}
    retrieval = {r["a_number"] for r in rows if r["baseline"] or any(r.get(n) for n in (v.found or {}))}
    retry = [r for r in rows if not r["model_rank"] and r["near_miss_terms"] >= args.min_terms]
    neighbours = int(v.loaded.meta.get("neighbours", 0))

    def programs(texts: list[str], source: str) -> list[str]:
        return [p for p in (to_loda(t, source) for t in texts) if p is not None]

    arms: dict[str, dict] = {}
    if args.mutants:
        arms.update(mutation_arms(v, hidden, retry, args.mutants, retrieval))
    for arm in [a for a in args.arms.split(",") if a]:
        solved: list[int] = []
        seconds = 0.0
        for r in retry:
            pair = pairs[r["a_number"]]
            _, terms, _ = v.sequences[pair.a_number]
            source = pair.source
            if arm == "near_miss":
                source = with_near_miss(source, to_target(parse(r["near_miss"], "near miss")), max(1, neighbours))
            t0 = time.monotonic()
            if arm == "more_beams":
                texts = generate_targets(v.loaded, [source], 2 * args.k)[0][args.k:]
            else:
                texts = generate_targets(v.loaded, [source], args.k, mode="sample" if arm == "sample" else "beam")[0]
            seconds += time.monotonic() - t0
            if first_solver(programs(texts, source), terms, hidden)[0]:
                solved.append(pair.a_number)
        arms[arm] = {"solved": len(solved), "model_only": sum(a not in retrieval for a in solved),
                     "generation_seconds": round(seconds, 1), "a_numbers": solved}
    model_only_1 = [r["a_number"] for r in rows if r["model_rank"] and r["a_number"] not in retrieval]
    print(json.dumps({
        "benchmark": "near_miss", "model": str(v.loaded.path), "sequences": len(v.pairs), "k": args.k,
        "validation_key": validation_key((p.a_number for p in v.pairs), args.k),
        "round1": {**{k: round1[k] for k in ("solve_rate", "model_only_solve_rate", "retrieval_solve_rate",
                                              "pipeline_solve_rate")},
                   "solved": sum(1 for r in rows if r["model_rank"]), "model_only": len(model_only_1),
                   "generation_seconds": round(round1_seconds, 1)},
        "retried": len(retry), "min_terms": args.min_terms, "arms": arms,
        "wall_seconds": round(time.monotonic() - started, 1),
    }, indent=1))


def mutation_arms(v, hidden, retry: list[dict], mutants: int, retrieval: set[int]) -> dict[str, dict]:
    """Solves by `mutants` mutants of each retried sequence's near miss and, model-free, of its neighbours'
    programs (train split), checked on its known terms under the blind time limit."""
    import random

    from miner.core.config import DEFAULTS
    from miner.lang import Limits, check_terms
    from miner.lang.parser import parse
    from miner.search.mutation import mutate
    from miner.search.neighbours import programs as neighbours
    from miner.search.types import SearchContext, Target

    limits = Limits(max_steps=DEFAULTS["mine"]["max_candidate_steps"], max_seconds=DEFAULTS["mine"]["blind_max_seconds"])
    held = {p.a_number for p in v.pairs}
    known = {a: Target(a, name, tuple(terms), offset) for a, (name, terms, offset) in v.sequences.items()
             if a in hidden and a not in held}
    ctx = SearchContext(corpus=hidden, known=known, settings=dict(DEFAULTS["search"]))
    out: dict[str, dict] = {}
    for arm in ("mutants", "neighbour_mutants"):
        rng = random.Random(1)
        solved: list[int] = []
        start = time.process_time()
        for r in retry:
            name, terms, offset = v.sequences[r["a_number"]]
            target = Target(r["a_number"], name, tuple(terms), offset)
            seeds = [parse(r["near_miss"], "near miss")] if arm == "mutants" else \
                neighbours(target, ctx, int(DEFAULTS["search"]["similar_programs"]))
            if seeds and any(check_terms(mutate(rng.choice(seeds), rng, 3), list(terms), hidden, limits).ok
                             for _ in range(mutants)):
                solved.append(r["a_number"])
        out[arm] = {"solved": len(solved), "model_only": sum(a not in retrieval for a in solved),
                    "cpu_seconds": round(time.process_time() - start, 1), "a_numbers": solved}
    return out


if __name__ == "__main__":
    main()
