"""Mutation of known programs, as loda-cpp's mutator does: random changes to constants, operands,
operation kinds, insertions, deletions and swaps, seeded. Mutants are untrusted candidates; the loop
evaluates them and looks their terms up in the matcher index (a hit for any target counts).

Unlike loda-cpp's, a mutant is not only of a random program: the target's near misses and the programs
of the sequences whose first terms or names are most like its own are the likeliest to be a few changes
from its program (`miner.search.neighbours`, whose single edits of those programs find more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from miner.lang.anumber import format_a_number
from miner.lang.program import CONSTANT, DIRECT, Operand, Operation, Program
from miner.search.build import largest_cell
from miner.search.neighbours import SIMILAR, programs as neighbour_programs
from miner.search.types import Candidate, SearchContext, Target

# Operation kinds a mutation may introduce or swap between (arithmetic, no loops or calls).
MUTABLE_OPS: tuple[str, ...] = ("mov", "add", "sub", "trn", "mul", "div", "dif", "mod", "pow", "gcd",
                                "bin", "equ", "neq", "min", "max", "dir", "lex", "log", "nrt", "dgs")
# Kinds whose weights favour common, cheap operations (loda-cpp draws by corpus frequency).
_COMMON = ("mov", "add", "sub", "mul", "div", "mod", "pow", "bin", "trn", "gcd", "max", "min")
_STRUCTURAL = frozenset({"lpb", "lpe", "nop", "seq", "prg", "clr", "fil", "rol", "ror"})


# Shares of a sequence's mutants by source. On 110 validation sequences whose best model candidate got 3 or
# more leading terms right, 400 mutants of it solved none, and 400 of the neighbours' programs solved 8
# (`benchmarks/near_miss.py --mutants 400`); the blind guesses are what finds programs for other sequences.
SHARES = {"seed": 0.25, "near": 0.375, "blind": 0.375}


def random_operation(rng: Any, max_cell: int) -> Operation:
    """A random arithmetic line on a cell up to max_cell+1, with a small constant or a cell source."""
    op = rng.choice(_COMMON)
    target = Operand(DIRECT, rng.randint(0, max_cell + 1))
    if rng.random() < 0.5:
        source = Operand(CONSTANT, rng.choice((1, 1, 2, 2, 3, 4, 5, -1, 10)))
    else:
        source = Operand(DIRECT, rng.randint(0, max_cell + 1))
    return Operation(op, target, source)


def mutate_once(ops: list[Operation], rng: Any) -> list[Operation]:
    """One random change to a copy of the code (balanced loops are kept balanced)."""
    ops = list(ops)
    top = largest_cell(ops)
    editable = [i for i, o in enumerate(ops) if o.op not in _STRUCTURAL]
    kind = rng.random()
    if not editable or kind < 0.15:
        ops.insert(rng.randint(0, len(ops)), random_operation(rng, top))
        return ops
    i = rng.choice(editable)
    o = ops[i]
    if kind < 0.45:
        if o.source.kind == CONSTANT:
            value = o.source.value + rng.choice((-2, -1, 1, 2)) if rng.random() < 0.7 else rng.randint(0, 10)
            ops[i] = Operation(o.op, o.target, Operand(CONSTANT, value))
        else:
            ops[i] = Operation(o.op, o.target, Operand(DIRECT, rng.randint(0, top + 1)))
    elif kind < 0.6:
        ops[i] = Operation(o.op, Operand(DIRECT, rng.randint(0, top + 1)), o.source)
    elif kind < 0.8:
        ops[i] = Operation(rng.choice(MUTABLE_OPS), o.target, o.source)
    elif kind < 0.9:
        if len(ops) > 1:
            del ops[i]
    else:
        j = i + 1
        if j < len(ops) and ops[j].op not in _STRUCTURAL:
            ops[i], ops[j] = ops[j], ops[i]
    return ops


def mutate(program: Program, rng: Any, max_changes: int = 3) -> Program:
    """A mutant with 1..max_changes random changes; comment lines are dropped."""
    ops = program.code()
    for _ in range(rng.randint(1, max(max_changes, 1))):
        ops = mutate_once(ops, rng)
    return Program(ops=ops, directives=dict(program.directives))


def _corpus_ids(ctx: SearchContext) -> list[int]:
    ids = ctx.settings.get("_corpus_ids")
    if ids is None:
        ids = ctx.settings["_corpus_ids"] = list(ctx.corpus.ids()) if ctx.corpus is not None else []
    return ids


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Mutants of the target's seeds (`settings["seeds"]`: its near misses and best model candidates), of
    the programs of similar sequences (`miner.search.neighbours`), both checked against the target, and of random
    corpus programs (mined hits included), which count through the matchers only; drawn in the proportions
    of `SHARES` among the sources there are. All but the seeds' are blind guesses, checked under the tight
    limit, as `neighbours` checks its edits of the same programs (14 ms an edit at the 2-second limit on the
    real targets, 4.5 ms at the tight one)."""
    ids = _corpus_ids(ctx)
    pools = {"seed": list(ctx.settings.get("seeds") or []),
             "near": neighbour_programs(target, ctx, int(ctx.settings.get("similar_programs", SIMILAR))),
             "blind": ids}
    kinds = [k for k, pool in pools.items() if pool]
    if not kinds:
        return
    weights = [SHARES[k] for k in kinds]
    changes = int(ctx.settings.get("mutation_max_changes", 3))
    for _ in range(max(budget, 0)):
        kind = rng.choices(kinds, weights)[0]
        if kind == "seed":
            yield Candidate(mutate(rng.choice(pools["seed"]), rng, changes), "mutation", "from a seed")
        elif kind == "near":
            yield Candidate(mutate(rng.choice(pools["near"]), rng, changes), "mutation", "from a similar sequence",
                            blind=True)
        else:
            source = rng.choice(ids)
            program = ctx.corpus.get(source)
            if program is not None and program.code():
                yield Candidate(mutate(program, rng, changes), "mutation", f"from {format_a_number(source)}",
                                blind=True)


@dataclass
class MutationStats:
    """What `mutate_and_match` did: mutants made, how many evaluated cleanly, index matches found."""

    mutants: int = 0
    evaluated: int = 0
    matches: list[tuple[int, Program]] = field(default_factory=list)


def mutate_and_match(corpus: Any, index: Any, budget: int, rng: Any, num_terms: int = 24,
                     limits: Any = None, max_changes: int = 3) -> MutationStats:
    """Mutate `budget` random corpus programs, evaluate each and collect the index's matches."""
    from miner.lang import EvalError, Limits, evaluate

    limits = limits or Limits(max_steps=200_000, max_seconds=0.5)
    stats = MutationStats()
    ids = list(corpus.ids())
    for _ in range(budget):
        program = corpus.get(rng.choice(ids))
        if program is None or not program.code():
            continue
        mutant = mutate(program, rng, max_changes)
        stats.mutants += 1
        try:
            terms = evaluate(mutant, num_terms, corpus, limits)
        except (EvalError, ValueError):
            continue
        stats.evaluated += 1
        stats.matches.extend(index.match(terms, mutant))
    return stats
