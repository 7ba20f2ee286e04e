"""Helpers that build and rewrite LODA programs: single lines, cell usage, offsets, wrappers.

All rewrites keep the calling convention (input n in `$0`, output in `$0`) and return new programs.
"""

from __future__ import annotations

from typing import Callable, Sequence

from miner.lang.program import CONSTANT, DIRECT, INDIRECT, Operand, Operation, Program, line

OUT = 0


def add_const(cell: int, value: int) -> list[Operation]:
    """`add $cell,v` or `sub $cell,-v`; nothing for zero."""
    if value > 0:
        return [line("add", cell, value)]
    if value < 0:
        return [line("sub", cell, -value)]
    return []


def window_loop(initial: Sequence[int], body: list[Operation], offset: int, *, setup: Sequence[Operation] = (),
                zeros: bool = False) -> Program:
    """The recurrence programs' shape: n counted from the offset, the window $1..$d set to the first
    terms (zero ones only with `zeros`), `setup`, then `sub $0,1` and `body` n times; the result is $1."""
    ops = add_const(0, -offset)
    ops += [line("mov", i, value) for i, value in enumerate(initial, start=1) if value or zeros]
    ops += setup
    ops.append(Operation("lpb", Operand(DIRECT, 0), Operand(CONSTANT, 1)))
    ops += [line("sub", 0, 1), *body]
    ops.append(Operation("lpe"))
    ops.append(line("mov", 0, 1, direct=True))
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def uses_indirect(ops: list[Operation]) -> bool:
    """Whether any operand is indirect (`$$k`), so the cells a program touches are unknown."""
    return any(o.target.kind == INDIRECT or o.source.kind == INDIRECT for o in ops)


def largest_cell(ops: list[Operation]) -> int:
    """The largest directly addressed cell (at least 0), counting `clr`/`fil`/`rol`/`ror` ranges."""
    top = 0
    for o in ops:
        for operand in (o.target, o.source):
            if operand.kind != CONSTANT:
                top = max(top, operand.value)
        if o.op in ("clr", "fil", "rol", "ror") and o.source.kind == CONSTANT and o.target.kind == DIRECT:
            top = max(top, o.target.value + max(o.source.value, 1) - 1)
    return top


def shift_input(ops: list[Operation], delta: int) -> list[Operation]:
    """Ops preceded by `add $0,delta`, merged into a leading add/sub of `$0` when there is one."""
    if delta == 0:
        return list(ops)
    if ops and ops[0].target == Operand(DIRECT, OUT) and ops[0].source.kind == CONSTANT \
            and ops[0].op in ("add", "sub"):
        first = ops[0].source.value if ops[0].op == "add" else -ops[0].source.value
        return add_const(OUT, first + delta) + list(ops[1:])
    return add_const(OUT, delta) + list(ops)


def index_form(program: Program, shift: int = 0) -> list[Operation]:
    """Code mapping `$0 = i` to the program's term number i + shift (counted from its offset)."""
    return shift_input(program.code(), program.offset + shift)


def at_offset(index_ops: list[Operation], offset: int) -> Program:
    """A program with `#offset offset` whose term at n is the index-form code's value at n - offset."""
    ops = shift_input(index_ops, -offset)
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def wrap_partial_sum(ops: list[Operation]) -> list[Operation] | None:
    """Index-form code for s(i) = sum_{j<=i} f(j), f given in index form; None if cells are unknown."""
    if uses_indirect(ops):
        return None
    top = largest_cell(ops)
    saved, total, counter = top + 1, top + 2, top + 3
    # j = i - counter runs 0..i; the loop's final, discarded pass sees j = i + 1, never a negative input.
    return [
        line("mov", saved, OUT, direct=True),
        line("mov", counter, OUT, direct=True),
        line("add", counter, 1),
        Operation("lpb", Operand(DIRECT, counter), Operand(CONSTANT, 1)),
        line("clr", OUT, top + 1),
        line("sub", counter, 1),
        line("mov", OUT, saved, direct=True),
        line("sub", OUT, counter, direct=True),
        *ops,
        line("add", total, OUT, direct=True),
        Operation("lpe"),
        line("mov", OUT, total, direct=True),
    ]


def wrap_difference(ops: list[Operation]) -> list[Operation] | None:
    """Index-form code for s(0) = f(0), s(i) = f(i) - f(i-1); None if cells are unknown."""
    if uses_indirect(ops):
        return None
    top = largest_cell(ops)
    saved, first, counter, tmp = top + 1, top + 2, top + 3, top + 4
    # Pass counter=1 computes f(i) (kept in `first`), pass counter=0 leaves f(max(i-1,0)) in $0.
    return [
        line("mov", saved, OUT, direct=True),
        line("mov", counter, 2),
        Operation("lpb", Operand(DIRECT, counter), Operand(CONSTANT, 1)),
        line("clr", OUT, top + 1),
        line("sub", counter, 1),
        line("mov", OUT, saved, direct=True),
        line("add", OUT, counter, direct=True),
        line("trn", OUT, 1),
        *ops,
        line("mov", tmp, OUT, direct=True),
        line("mul", tmp, counter, direct=True),
        line("add", first, tmp, direct=True),
        Operation("lpe"),
        line("min", saved, 1),
        line("mul", OUT, saved, direct=True),
        line("sub", first, OUT, direct=True),
        line("mov", OUT, first, direct=True),
    ]


def relocated(ops: list[Operation], cells: dict[int, int]) -> list[Operation]:
    """The code (no indirect operands) with its directly addressed cells renamed by `cells` (others kept), to
    inline it beside other code."""
    def move(operand: Operand) -> Operand:
        return Operand(DIRECT, cells.get(operand.value, operand.value)) if operand.kind == DIRECT else operand

    return [Operation(o.op, move(o.target), move(o.source)) for o in ops]


def nth_passing(setup: list[Operation], step: list[Operation], offset: int) -> Program:
    """The n-th candidate that passes (n counted from the offset), by a scan: `setup` puts the bound on
    the candidates scanned in $2 (and whatever `step` starts from); each pass, `step` moves $1 to the next
    candidate and sets $3 to 1 if it passes, else 0 ($4 is scratch after it). The result is $1."""
    return at_offset([
        *setup,
        Operation("lpb", Operand(DIRECT, 2), Operand(CONSTANT, 1)),
        *step,
        # $0 counts down the passes still to skip; once it is below zero the scan stops after this pass
        line("sub", 0, 3, direct=True),
        line("mov", 4, 0, direct=True), line("max", 4, 0), line("equ", 4, 0, direct=True),
        line("mul", 2, 4, direct=True), line("trn", 2, 1),
        Operation("lpe"),
        line("mov", 0, 1, direct=True),
    ], offset)


def lists_exactly(passes: Callable[[int], bool], terms: Sequence[int]) -> bool:
    """Whether the numbers from terms[0] to terms[-1] that pass are exactly the terms (the Python side of
    an `nth_passing` program)."""
    wanted = set(terms)
    return all(passes(k) == (k in wanted) for k in range(terms[0], terms[-1] + 1))
