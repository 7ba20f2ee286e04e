"""Synthetic pairs: small mutations of short corpus programs, run through `miner.lang` for their terms.

Each pair shows the original program as the neighbour and asks for the mutant, given the mutant's
terms: the edit-a-neighbour skill the retrieval-augmented model needs, in unlimited supply.
"""

from __future__ import annotations

import random
from typing import Mapping

from miner.lang import EvalError, Limits, evaluate
from miner.lang.program import ARITHMETIC, CONSTANT, DIRECT, Operand, Operation, Program
from training.pairs import Pair, make_source, to_target

LIMITS = Limits(max_steps=20_000, max_memory=100, max_seconds=0.5)
_OPS = sorted(ARITHMETIC - {"lex", "fac", "log", "nrt", "dgs", "dgr", "dir"}) + ["mov"]


def mutate(program: Program, rng: random.Random) -> Program:
    """The program with one or two random local changes (constant, operation, operand or a new line)."""
    ops = list(program.code())
    for _ in range(rng.choice((1, 1, 2))):
        i = rng.randrange(len(ops))
        o = ops[i]
        kind = rng.random()
        if o.op in ("lpb", "lpe", "seq") or kind < 0.2:
            cells = max(1, max((x.value for op in ops for x in (op.target, op.source) if x.kind == DIRECT),
                               default=0) + 1)
            new = Operation(rng.choice(_OPS), Operand(DIRECT, rng.randrange(cells)),
                            Operand(CONSTANT, rng.randint(-3, 5)))
            ops.insert(i + (o.op == "lpb"), new)
        elif kind < 0.55 and o.source.kind == CONSTANT:
            ops[i] = Operation(o.op, o.target, Operand(CONSTANT, o.source.value + rng.choice((-2, -1, 1, 2))))
        elif kind < 0.85:
            ops[i] = Operation(rng.choice(_OPS), o.target, o.source)
        else:
            del ops[i]
            if not ops:
                return program
    return Program(ops, dict(program.directives))


def synthetic_pairs(programs: Mapping[int, Program], count: int, *, num_terms: int = 16,
                    max_length: int = 12, seed: int = 0, attempts_per_pair: int = 4) -> list[Pair]:
    """Up to `count` pairs from mutants of the short `seq`-free programs (a_number = the original's)."""
    rng = random.Random(seed)
    pool = [(a, p) for a, p in sorted(programs.items())
            if len(p.code()) <= max_length and not any(o.op in ("seq", "prg") for o in p.code())]
    if not pool:
        return []
    out: list[Pair] = []
    seen: set[str] = set()
    for _ in range(count * attempts_per_pair):
        if len(out) >= count:
            break
        a, original = rng.choice(pool)
        mutant = mutate(original, rng)
        target = to_target(mutant)
        if target in seen or target == to_target(original):
            continue
        try:
            terms = evaluate(mutant, num_terms, None, LIMITS)
        except (EvalError, ValueError):
            continue
        if len(set(terms)) < 3:  # constant or nearly so: teaches nothing about the terms
            continue
        seen.add(target)
        source = make_source("", terms, [to_target(original)], offset=original.offset, num_terms=num_terms)
        out.append(Pair(a, source, target, len(mutant.code())))
    return out

