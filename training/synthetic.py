"""Synthetic pairs: small random changes around a `seq` call of a short corpus program.

The prompt shows the call as its neighbour (as retrieval shows real neighbours) with the terms of
the changed program; the target is the changed program. This teaches the model to build on a
neighbour from the terms, in unlimited supply, with every term computed by `miner.lang`.
"""

from __future__ import annotations

import random
from typing import Mapping

from miner.lang import Corpus, EvalError, Limits, evaluate, format_program
from miner.lang.compact import to_target
from miner.lang.program import Operation, Program, line
from training.pairs import Pair, abstract, make_source

LIMITS = Limits(max_steps=20_000, max_memory=100, max_seconds=0.5)
# Operations applied to the call's output, to its input, and to combine its output with the input.
_AFTER = ("add", "sub", "mul", "div", "mod", "pow", "bin", "gcd", "min", "max", "dif", "trn")
_BEFORE = ("add", "sub", "mul", "div")
_WITH_INPUT = ("add", "sub", "mul", "div", "gcd", "bin", "max")


def wrap(call: Program, rng: random.Random) -> Program:
    """The one-line `seq` program with one or two random changes: a map of its input, of its
    output, or a combination of its output with the input (a(n) = f(b(n), n))."""
    before: list[Operation] = []
    after: list[Operation] = []
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.random()
        if kind < 0.3:
            op = rng.choice(_BEFORE)
            before.append(line(op, 0, rng.randint(2, 4) if op in ("mul", "div") else rng.randint(1, 3)))
        elif kind < 0.7:
            op = rng.choice(_AFTER)
            after.append(line(op, 0, rng.randint(2, 5) if op in ("mul", "div", "mod", "pow", "bin")
                             else rng.randint(-3, 5) or 1))
        elif not any(o.target.value == 1 for o in before):
            before.insert(0, line("mov", 1, 0, direct=True))
            after.append(line(rng.choice(_WITH_INPUT), 0, 1, direct=True))
    return Program([*before, *call.code(), *after], dict(call.directives))


def synthetic_pairs(programs: Mapping[int, Program], count: int, *, num_terms: int = 16,
                    max_length: int = 12, seed: int = 0, attempts_per_pair: int = 4) -> list[Pair]:
    """Up to `count` pairs from changes to `seq $0 A...` calls of the short `seq`-free programs."""
    rng = random.Random(seed)
    pool = {a: p for a, p in sorted(programs.items())
            if len(p.code()) <= max_length and not any(o.op in ("seq", "prg") for o in p.code())}
    if not pool:
        return []
    corpus = Corpus({a: format_program(p) for a, p in pool.items()}, origin="synthetic pool")
    ids = sorted(pool)
    out: list[Pair] = []
    seen: set[str] = set()
    for _ in range(count * attempts_per_pair):
        if len(out) >= count:
            break
        a = rng.choice(ids)
        call = Program([line("seq", 0, a)], dict(pool[a].directives))
        mutant = wrap(call, rng)
        target = to_target(mutant)
        if target in seen or target == to_target(call):
            continue
        try:
            terms = evaluate(mutant, num_terms, corpus, LIMITS)
        except (EvalError, ValueError):
            continue
        if len(set(terms)) < 3:  # constant or nearly so: teaches nothing about the terms
            continue
        seen.add(target)
        source = make_source("", terms, [to_target(call)], offset=call.offset, num_terms=num_terms)
        out.append(Pair(a, source, abstract(target, source), len(mutant.code()), "synthetic"))
    return out
