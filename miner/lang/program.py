"""The LODA program model: operands, operations, programs, and the table of operation kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

CONSTANT, DIRECT, INDIRECT = 0, 1, 2


class Operand(NamedTuple):
    """A constant (`5`), a direct cell (`$5`) or an indirect cell (`$$5`)."""

    kind: int
    value: int

    def __str__(self) -> str:
        if self.kind == CONSTANT:
            return str(self.value)
        return ("$" if self.kind == DIRECT else "$$") + str(self.value)


ZERO = Operand(CONSTANT, 0)
ONE = Operand(CONSTANT, 1)


@dataclass(frozen=True)
class OpInfo:
    """What the language says about one operation kind."""

    name: str
    operands: int  # 0, 1 or 2 written operands
    reads_target: bool
    writes_target: bool


# Order follows loda-cpp's Operation::Type (dbg is accepted by the parser but never written).
OPS: dict[str, OpInfo] = {
    info.name: info
    for info in (
        OpInfo("nop", 0, False, False),
        OpInfo("mov", 2, False, True),
        OpInfo("add", 2, True, True),
        OpInfo("sub", 2, True, True),
        OpInfo("trn", 2, True, True),
        OpInfo("mul", 2, True, True),
        OpInfo("div", 2, True, True),
        OpInfo("dif", 2, True, True),
        OpInfo("dir", 2, True, True),
        OpInfo("mod", 2, True, True),
        OpInfo("pow", 2, True, True),
        OpInfo("gcd", 2, True, True),
        OpInfo("lex", 2, True, True),
        OpInfo("bin", 2, True, True),
        OpInfo("fac", 2, True, True),
        OpInfo("log", 2, True, True),
        OpInfo("nrt", 2, True, True),
        OpInfo("dgs", 2, True, True),
        OpInfo("dgr", 2, True, True),
        OpInfo("equ", 2, True, True),
        OpInfo("neq", 2, True, True),
        OpInfo("leq", 2, True, True),
        OpInfo("geq", 2, True, True),
        OpInfo("min", 2, True, True),
        OpInfo("max", 2, True, True),
        OpInfo("ban", 2, True, True),
        OpInfo("bor", 2, True, True),
        OpInfo("bxo", 2, True, True),
        OpInfo("lpb", 2, True, False),
        OpInfo("lpe", 0, False, False),
        OpInfo("clr", 2, False, True),
        OpInfo("fil", 2, False, True),
        OpInfo("rol", 2, True, True),
        OpInfo("ror", 2, True, True),
        OpInfo("seq", 2, True, True),
        OpInfo("prg", 2, True, True),
        OpInfo("dbg", 0, False, False),
    )
}

# Binary arithmetic operations whose result is f(target, source).
ARITHMETIC: frozenset[str] = frozenset(
    name for name, info in OPS.items()
    if info.operands == 2 and name not in ("mov", "lpb", "clr", "fil", "rol", "ror", "seq", "prg")
)


@dataclass(frozen=True)
class Operation:
    """One line of a program. `nop` with a comment is a comment-only line."""

    op: str
    target: Operand = ZERO
    source: Operand = ZERO
    comment: str = ""


@dataclass
class Program:
    """A LODA program: its operations in order and its directives (`#offset 1` -> {"offset": 1})."""

    ops: list[Operation] = field(default_factory=list)
    directives: dict[str, int] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        """Index of the first term (the `#offset` directive, default 0)."""
        return self.directives.get("offset", 0)

    def code(self) -> list[Operation]:
        """The executable operations, without comment-only lines."""
        return [o for o in self.ops if o.op != "nop"]

    def __reduce__(self) -> tuple:
        # Plain tuples: every candidate goes to a checker process, and pickling the dataclasses one by one
        # took 30 us a program against 7.
        rows = tuple((o.op, o.target.kind, o.target.value, o.source.kind, o.source.value, o.comment) for o in self.ops)
        return _program, (rows, self.directives)


def _program(rows: tuple[tuple[str, int, int, int, int, str], ...], directives: dict[str, int]) -> Program:
    return Program([Operation(op, Operand(tk, tv), Operand(sk, sv), c) for op, tk, tv, sk, sv, c in rows], directives)


def line(op: str, target: int, source: int | Operand = 0, direct: bool = False) -> Operation:
    """One operation on cell `$target` with a constant source, or `$source` when `direct`."""
    if isinstance(source, Operand):
        src = source
    else:
        src = Operand(DIRECT if direct else CONSTANT, source)
    return Operation(op, Operand(DIRECT, target), src)
