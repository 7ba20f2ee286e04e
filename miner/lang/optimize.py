"""Shorter programs that compute the same terms: local rewrites that hold for every n.

Compilers write what a name states step by step (`mov $1,$0`, `mov $0,11`, `mul $0,$1`, `add $0,3`); the
LODA project keeps the shortest program, and a model learns short targets more easily. Every rewrite here
holds for every input on which the original program is defined (a rewrite may only drop an error, such as
an intermediate overflow), so no term is checked to justify it: constants are folded and propagated,
a constant moved into a cell that then meets its own old value by a commutative operation becomes that
operation, runs of `add`/`sub`, `mul` or `div` by constants merge, and writes nothing reads are dropped.
Loops are opaque to the liveness analysis (nothing in them is dropped; what they touch stays live) and
reset what is known about cells. Programs with indirect cells or range operations are left as they are.
"""

from __future__ import annotations

from itertools import count
from typing import Hashable

from miner.lang import semantics
from miner.lang.errors import EvalError
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, OPS, Operand, Operation, Program

# Operations whose effect reaches past their target cell, or whose operands these rewrites do not track.
_OPAQUE = frozenset({"clr", "fil", "rol", "ror", "prg", "dbg"})
_COMMUTATIVE = frozenset({"add", "mul", "min", "max", "gcd", "ban", "bor", "bxo", "equ", "neq"})
# Sources that stay as written: a constant there means something else (an A-number, a loop's range).
_FIXED_SOURCE = frozenset({"seq", "prg", "lpb", "clr", "fil", "rol", "ror"})
# Constants are propagated and folded only while small: a 300-digit literal is no shorter program.
_SMALL = 10**12


def optimize(program: Program) -> Program:
    """The program with fewer operations where a rewrite applies, else the program unchanged."""
    ops = program.code()
    if any(o.op in _OPAQUE or INDIRECT in (o.target.kind, o.source.kind) for o in ops):
        return program
    while True:
        shorter = _drop_dead(_fold(ops))
        if shorter == ops:
            break
        ops = shorter
    if len(ops) == len(program.code()) and ops == program.code():
        return program
    return Program(ops=ops, directives=dict(program.directives))


def _fold(ops: list[Operation]) -> list[Operation]:
    """One forward pass of constant folding and propagation, the commutative rewrite and merged runs."""
    fresh = count()
    const: dict[int, int] = {}  # cells known to hold a constant
    ident: dict[int, Hashable] = {}  # cells known to hold the same value share an identity
    start = True  # before the first loop every cell but $0 holds 0

    def known(cell: int) -> int | None:
        if cell in const:
            return const[cell]
        return 0 if start and cell != 0 and cell not in ident else None

    def identity(cell: int) -> Hashable:
        return ident.get(cell, ("in", cell, start))

    out: list[Operation] = []
    i = 0
    while i < len(ops):
        op = ops[i]
        if op.op in ("lpb", "lpe"):
            out.append(op)
            const.clear()
            ident.clear()
            start = False
            i += 1
            continue
        t = op.target.value
        src = op.source
        if src.kind == DIRECT and op.op not in _FIXED_SOURCE:
            value = known(src.value)
            if value is not None and abs(value) < _SMALL:
                src = Operand(CONSTANT, value)
        op = Operation(op.op, op.target, src, op.comment)
        nxt = ops[i + 1] if i + 1 < len(ops) else None
        # mov $t,K then OP $t,$b where $b holds $t's old value: OP $t,K (OP commutative)
        if (op.op == "mov" and src.kind == CONSTANT and nxt is not None and nxt.op in _COMMUTATIVE
                and nxt.target == op.target and nxt.source.kind == DIRECT and nxt.source.value != t
                and identity(nxt.source.value) == identity(t) and known(t) is None):
            op, i = Operation(nxt.op, op.target, src, nxt.comment), i + 1
        merged = _merge(out[-1], op) if out and src.kind == CONSTANT else None
        if merged is not None:
            out.pop()
            op = merged
        value = known(t)
        if (value is not None and src.kind == CONSTANT and op.op in semantics.FUNCTIONS
                and op.op not in _FIXED_SOURCE and op.op != "mov" and _cheap(op.op, value, src.value)):
            try:
                result = semantics.FUNCTIONS[op.op](value, src.value)
            except (EvalError, ArithmeticError, ValueError):
                result = None
            if result is not None and abs(result) < _SMALL:
                op = Operation("mov", op.target, Operand(CONSTANT, result), op.comment)
        if _no_op(op):
            i += 1
            continue
        out.append(op)
        if OPS[op.op].writes_target:
            if op.op == "mov" and op.source.kind == CONSTANT:
                const[t] = op.source.value
                ident[t] = ("const", op.source.value)
            elif op.op == "mov":
                s = op.source.value
                ident[t] = identity(s)
                value = known(s)
                if value is None:
                    const.pop(t, None)
                else:
                    const[t] = value
            else:
                const.pop(t, None)
                ident[t] = ("op", next(fresh))
        i += 1
    return out


def _cheap(name: str, a: int, b: int) -> bool:
    """Whether folding the operation on these constants is quick (powers and factorials grow fast)."""
    if name in ("pow", "fac", "bin"):
        return abs(a) < 64 and abs(b) < 64
    return abs(a) < _SMALL and abs(b) < _SMALL


def _no_op(op: Operation) -> bool:
    """Whether the operation leaves every cell as it is (`add $1,0`, `mul $1,1`, `mov $1,$1`)."""
    if op.op == "mov":
        return op.source == op.target
    if op.source.kind != CONSTANT:
        return False
    return (op.op in ("add", "sub") and op.source.value == 0) or (op.op in ("mul", "div") and op.source.value == 1)


def _merge(before: Operation, op: Operation) -> Operation | None:
    """One operation doing what `before` then `op` do to the same cell, both by constants; else None."""
    if before.target != op.target or before.source.kind != CONSTANT or op.source.kind != CONSTANT:
        return None
    a, b = before.source.value, op.source.value
    if before.op in ("add", "sub") and op.op in ("add", "sub"):
        total = (a if before.op == "add" else -a) + (b if op.op == "add" else -b)
        return Operation("add" if total >= 0 else "sub", op.target, Operand(CONSTANT, abs(total)), op.comment)
    if before.op == op.op == "mul":
        return Operation("mul", op.target, Operand(CONSTANT, a * b), op.comment)
    if before.op == op.op == "div" and a > 0 and b > 0:
        # truncating division by positive a then b is truncating division by a*b
        return Operation("div", op.target, Operand(CONSTANT, a * b), op.comment)
    return None


def _drop_dead(ops: list[Operation]) -> list[Operation]:
    """The operations without writes that nothing reads later; $0 is read at the end, loops are kept
    whole and read every cell they name."""
    keep = [True] * len(ops)
    live = {0}
    i = len(ops) - 1
    while i >= 0:
        op = ops[i]
        if op.op == "lpe":
            depth, j = 0, i
            while j >= 0:
                depth += ops[j].op == "lpe"
                depth -= ops[j].op == "lpb"
                if depth == 0:
                    break
                j -= 1
            for o in ops[max(j, 0):i + 1]:
                live.update(_cells(o))
            i = j - 1
            continue
        info = OPS[op.op]
        t = op.target.value
        if info.writes_target and t not in live:
            keep[i] = False
        else:
            if info.writes_target and not info.reads_target:
                live.discard(t)
            live.update(_cells(op) if info.reads_target else _cells(op) - {t})
        i -= 1
    return [o for o, k in zip(ops, keep) if k]


def _cells(op: Operation) -> set[int]:
    """The cells an operation names (target and a direct source)."""
    cells = {op.target.value} if op.target.kind == DIRECT and OPS[op.op].operands else set()
    if op.source.kind == DIRECT and OPS[op.op].operands == 2:
        cells.add(op.source.value)
    return cells
