"""How often a fit to the first terms disagrees with the terms after them; JSON.

    python benchmarks/fit_tails.py [--sample 20000] [--decimals 1500] [--shown 30,50] [--seed 1] [--strategies a,b]
                                   [--names REGEX]

The fitting strategies (recurrence and its linear congruential generators, holonomic, euler, algebraic)
choose a program from the known terms alone, so the terms OEIS knows beyond a short prefix are a test they
never saw. A seeded sample of OEIS sequences with at least `max(shown) + 20` known terms (a sample of the
decimal expansions for algebraic) is shown its first N terms for each N in `--shown`; every fit that
reproduces them is run (its LODA program, by the miner's evaluator) on all the known terms and counted
wrong when one differs. Fits the trust rules accept on the shown terms (`miner.mine.trust.reject_reason`)
are counted apart: only those are stored without a b-file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from typing import Any, Callable

from _mining import DATA


def fitters(settings: dict[str, Any]) -> dict[str, Callable[[list[int], str], Any]]:
    """Strategy -> (shown terms, name) -> a program or None, as the strategies fit."""
    from miner.search import algebraic, euler, holonomic, recurrence

    def rec(terms: list[int], name: str) -> Any:
        order = settings["recurrence_rational_max_order" if recurrence.RATIONAL_NAME.search(name) else "recurrence_max_order"]
        r = recurrence.find_recurrence(terms, order, settings["recurrence_margin"])
        return recurrence.recurrence_program(r, 0) if r else None

    def hol(terms: list[int], name: str) -> Any:
        found = holonomic.find_holonomic(terms, settings["holonomic_max_order"], settings["holonomic_max_degree"],
                                         settings["holonomic_max_inhom_degree"], settings["holonomic_margin"])
        return holonomic.holonomic_program(found[0], 0) if found else None

    def eul(terms: list[int], name: str) -> Any:
        f = euler.fit(terms, settings["euler_max_period"], settings["euler_margin"])
        return euler.euler_program(f, 0) if f else None

    def alg(terms: list[int], name: str) -> Any:
        from miner.search.types import Target

        if not algebraic.applies(Target(0, name, tuple(terms), 0)):
            return None
        coeffs = algebraic.find_polynomial(terms, settings["algebraic_margin"])
        found = algebraic.isolate(coeffs, terms) if coeffs else None
        return algebraic.algebraic_program(found, 0) if found else None

    def lcg(terms: list[int], name: str) -> Any:
        if recurrence.find_recurrence(terms, settings["recurrence_max_order"], settings["recurrence_margin"]):
            return None  # recurrence's second reading, after the linear recurrence
        g = recurrence.find_congruential(terms, settings["recurrence_margin"])
        return recurrence.congruential_program(g, 0) if g else None

    return {"recurrence": rec, "congruential": lcg, "holonomic": hol, "euler": eul, "algebraic": alg}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument("--decimals", type=int, default=1500, help="decimal expansions for algebraic")
    parser.add_argument("--shown", default="30,50")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strategies", default="", help="comma-separated fitters to run (default: all)")
    parser.add_argument("--names", default="", help="only sequences whose names match this regular expression")
    args = parser.parse_args()

    from miner.core.config import DEFAULTS
    from miner.lang.evaluator import evaluate_partial
    from miner.mine.trust import reject_reason
    from tests import testbed

    shown = [int(x) for x in args.shown.split(",")]
    need = max(shown) + 20
    sequences = testbed.read_oeis(DATA / "oeis")
    names = re.compile(args.names, re.I)
    pool = sorted(a for a, r in sequences.items() if len(r.terms) >= need and names.search(r.name))
    rng = random.Random(args.seed)
    sample = rng.sample(pool, min(args.sample, len(pool)))
    decimal = [a for a in pool if "decimal expansion" in sequences[a].name.lower()]
    decimal = rng.sample(decimal, min(args.decimals, len(decimal)))
    rules = {k: v for k, v in DEFAULTS["mine"].items() if k.startswith("trust_")}
    out: dict[str, Any] = {"benchmark": "fit_tails", "sequences": len(sample), "decimal_expansions": len(decimal),
                           "trust": rules, "results": {}}
    start = time.process_time()
    for strategy, fitter in fitters(DEFAULTS["search"]).items():
        if args.strategies and strategy not in args.strategies.split(","):
            continue
        ids = decimal if strategy == "algebraic" else sample
        for n in shown:
            row = {"fits": 0, "wrong": 0, "trusted": 0, "trusted_wrong": 0, "examples": []}
            for a in ids:
                terms = list(sequences[a].terms)
                program = fitter(terms[:n], sequences[a].name)
                if program is None:
                    continue
                got, _ = evaluate_partial(program, len(terms))
                if len(got) <= n:
                    continue  # nothing beyond the shown terms to judge (an error or the time limit)
                wrong = got != terms[:len(got)]
                trusted = reject_reason("recurrence" if strategy == "congruential" else strategy, "direct", program,
                                        sequences[a].name, terms[:n], {}, DEFAULTS) is None
                row["fits"] += 1
                row["wrong"] += wrong
                row["trusted"] += trusted
                row["trusted_wrong"] += wrong and trusted
                if wrong and trusted and len(row["examples"]) < 8:
                    row["examples"].append(f"A{a:06d}")
            out["results"][f"{strategy} shown {n}"] = row
    out["cpu_seconds"] = round(time.process_time() - start, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
