"""The compact program text: one word per operation and operand, cells renumbered in order of first
use, no comments, the `lpb` default counter left out, `seq` calls written as `A000045`.

It is what the model reads and writes and what the retrieval index stores; `from_target` reads it back.
"""

from __future__ import annotations

from miner.lang.anumber import format_a_number
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, OPS, Operand, Operation, Program

# Operations whose operands address a range of cells; renumbering would change their meaning.
_RANGE_OPS = frozenset({"clr", "fil", "rol", "ror", "prg"})
# Operations whose second operand, when equal to this default, is left out of the target.
_DEFAULT_SOURCE = {"lpb": Operand(CONSTANT, 1)}


class TargetError(ValueError):
    """Model output (or a stored target) that is not a well-formed compact program."""


def renumber(program: Program) -> Program:
    """The program with cells renumbered in order of first use ($0 stays), comments dropped.

    Programs with indirect operands or range operations keep their numbering (it is meaningful).
    """
    code = program.code()
    if any(o.op in _RANGE_OPS or o.target.kind == INDIRECT or o.source.kind == INDIRECT for o in code):
        return Program([Operation(o.op, o.target, o.source) for o in code], dict(program.directives))
    mapping = {0: 0}

    def cell(operand: Operand) -> Operand:
        if operand.kind != DIRECT:
            return operand
        if operand.value not in mapping:
            mapping[operand.value] = len(mapping)
        return Operand(DIRECT, mapping[operand.value])

    ops = []
    for o in code:
        info = OPS[o.op]
        # The source is read before the target is written, so number it first.
        source = cell(o.source) if info.operands == 2 else o.source
        target = cell(o.target) if info.operands >= 1 else o.target
        ops.append(Operation(o.op, target, source))
    return Program(ops, dict(program.directives))


def _operand_word(op: str, operand: Operand, position: int) -> str:
    if op == "seq" and position == 1 and operand.kind == CONSTANT:
        return format_a_number(operand.value)
    return str(operand)


def to_target(program: Program) -> str:
    """The canonical compact text of a program (offset is not part of it: the source carries it)."""
    words: list[str] = []
    for o in renumber(program).code():
        info = OPS[o.op]
        if o.op == "dbg":
            continue
        words.append(o.op)
        if info.operands >= 1:
            words.append(_operand_word(o.op, o.target, 0))
        if info.operands == 2 and _DEFAULT_SOURCE.get(o.op) != o.source:
            words.append(_operand_word(o.op, o.source, 1))
    return " ".join(words)


def _parse_operand(word: str, op: str) -> Operand:
    if word.startswith("$$"):
        return Operand(INDIRECT, int(word[2:]))
    if word.startswith("$"):
        return Operand(DIRECT, int(word[1:]))
    if op == "seq" and word.startswith("A"):
        return Operand(CONSTANT, int(word[1:]))
    return Operand(CONSTANT, int(word))


def from_target(text: str, offset: int = 0) -> Program:
    """Parse compact target text back into a `Program` (with `#offset` when not 0); TargetError if broken."""
    words = text.split()
    ops: list[Operation] = []
    i = 0
    depth = 0
    while i < len(words):
        op = words[i]
        info = OPS.get(op)
        if info is None or op in ("nop", "dbg"):
            raise TargetError(f"word {i + 1}: unknown operation {op!r}")
        operands: list[Operand] = []
        i += 1
        while i < len(words) and words[i] not in OPS and len(operands) < info.operands:
            try:
                operands.append(_parse_operand(words[i], op))
            except ValueError:
                raise TargetError(f"word {i + 1}: bad operand {words[i]!r}") from None
            i += 1
        if op == "lpb" and len(operands) == 1:
            operands.append(_DEFAULT_SOURCE["lpb"])
        if len(operands) != info.operands:
            raise TargetError(f"{op}: expected {info.operands} operands, got {len(operands)}")
        if operands and operands[0].kind == CONSTANT:
            raise TargetError(f"{op}: the target must be a cell, got {operands[0]}")
        if op == "lpb":
            depth += 1
        elif op == "lpe":
            depth -= 1
            if depth < 0:
                raise TargetError("lpe without lpb")
        ops.append(Operation(op, *operands))  # type: ignore[arg-type]  # operands: target, source
    if depth:
        raise TargetError("lpb without lpe")
    if not ops:
        raise TargetError("empty program")
    return Program(ops, {"offset": offset} if offset else {})
