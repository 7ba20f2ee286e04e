"""Near-miss repair: bounded, deterministic small edits of a program that matched a long prefix of
the target's terms (constants +-1/+-2, operand cells, related operation kinds, one inserted line at
either end), simplest edits first.
"""

from __future__ import annotations

from typing import Any, Iterator

from miner.lang.program import CONSTANT, DIRECT, Operand, Operation, Program
from miner.search.build import largest_cell, line
from miner.search.types import Candidate, SearchContext, Target

# Operation kinds tried in place of each kind, closest first.
RELATED: dict[str, tuple[str, ...]] = {
    "add": ("sub", "mul", "mov", "max"), "sub": ("add", "trn", "dif", "mov"),
    "mul": ("add", "div", "pow", "bin"), "div": ("mul", "dif", "mod", "dir"),
    "mod": ("div", "dif", "gcd", "sub"), "pow": ("mul", "bin", "add"), "bin": ("pow", "mul", "add"),
    "mov": ("add", "sub", "max", "min"), "trn": ("sub", "add", "max"), "min": ("max", "mov", "trn"),
    "max": ("min", "mov", "add"), "gcd": ("mod", "min", "max"), "dif": ("div", "mod", "sub"),
    "equ": ("neq", "leq", "geq"), "neq": ("equ", "leq", "geq"), "leq": ("geq", "equ"), "geq": ("leq", "equ"),
}
_FIXED = frozenset({"lpb", "lpe", "nop", "seq", "prg", "clr", "fil", "rol", "ror"})


def edits(program: Program) -> Iterator[Program]:
    """Every single-edit variant of the program, in order of edit size (may repeat the original)."""
    ops = program.code()
    directives = dict(program.directives)
    top = largest_cell(ops)

    def variant(new_ops: list[Operation]) -> Program:
        return Program(ops=new_ops, directives=dict(directives))

    # 1. constants +-1, +-2
    for delta in (1, -1, 2, -2):
        for i, o in enumerate(ops):
            if o.source.kind == CONSTANT and o.op not in ("lpb", "lpe", "seq", "prg", "nop"):
                yield variant(ops[:i] + [Operation(o.op, o.target, Operand(CONSTANT, o.source.value + delta))]
                              + ops[i + 1:])
    # 2. one line appended or prepended
    for extra in (line("add", 0, 1), line("sub", 0, 1), line("mul", 0, 2), line("div", 0, 2),
                  line("add", 0, 2), line("sub", 0, 2), line("mul", 0, -1)):
        yield variant(ops + [extra])
        yield variant([extra] + ops)
    # 3. related operation kinds
    for i, o in enumerate(ops):
        for kind in RELATED.get(o.op, ()):
            yield variant(ops[:i] + [Operation(kind, o.target, o.source)] + ops[i + 1:])
    # 4. operand cells
    for i, o in enumerate(ops):
        if o.op in _FIXED:
            continue
        for cell in range(top + 1):
            if o.source.kind == DIRECT and cell != o.source.value:
                yield variant(ops[:i] + [Operation(o.op, o.target, Operand(DIRECT, cell))] + ops[i + 1:])
            if o.source.kind == CONSTANT:
                yield variant(ops[:i] + [Operation(o.op, o.target, Operand(DIRECT, cell))] + ops[i + 1:])
    # 5. one line deleted
    for i, o in enumerate(ops):
        if o.op not in _FIXED:
            yield variant(ops[:i] + ops[i + 1:])


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Edits of the target's near misses (`settings["near_misses"]`, best first), at most `budget`."""
    misses = list(ctx.settings.get("near_misses", []))
    if not misses or budget <= 0:
        return
    seen: set[tuple] = set()
    # Share the budget: the best near miss gets the most, but every one gets some.
    per_miss = max(budget // len(misses), 1)
    produced = 0
    for rank, miss in enumerate(misses):
        quota = per_miss + (budget - per_miss * len(misses) if rank == 0 else 0)
        made = 0
        for cand in edits(miss):
            key = (tuple(cand.code()), tuple(sorted(cand.directives.items())))
            if key in seen:
                continue
            seen.add(key)
            yield Candidate(cand, "repair", f"edit of near miss {rank + 1}")
            made += 1
            produced += 1
            if made >= quota or produced >= budget:
                break
        if produced >= budget:
            return
