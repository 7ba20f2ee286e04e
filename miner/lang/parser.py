"""Parse LODA program text into a `Program`, accepting what loda-cpp's parser accepts.

Stricter than loda-cpp in four deliberate ways, each a clear `ParseError` naming the line:
an operation must fit on one line, loops must balance, a constant may not stand where a
memory cell is required (any target; loda-cpp would only fail when the line runs), and a program
has at most `MAX_OPERATIONS` operations. Lines end only at `\n` (or `\r\n`), as loda-cpp reads them.
"""

from __future__ import annotations

import re

from miner.lang import clock
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, OPS, ONE, ZERO, Operand, Operation, Program

# Directives loda-cpp accepts (`#offset 1`, `#inputs 2`, `#outputs 1`).
DIRECTIVES: frozenset[str] = frozenset({"offset", "inputs", "outputs"})

# Largest magnitude a LODA number may have (loda-cpp: 60 words of 64 bits, sign separate).
NUMBER_LIMIT = 1 << 3840
_INT64_MAX = (1 << 63) - 1
_MAX_DIGITS = len(str(NUMBER_LIMIT)) + 1
# Longest program accepted: 20 times the longest of the corpus (479 lines), so that compiling one
# stays within a fraction of a second and some megabytes.
MAX_OPERATIONS = 10_000

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+")
# The common line, `add $1,$$2 ; comment` with numbers of at most 18 digits, in one match: parsing the
# corpus's 150,000 programs for the retrieval index took half a minute more without it. Anything else,
# malformed lines included, goes through `_parse_line`'s general path, which says what is wrong.
_TWO_OPERANDS = re.compile(r"[ \t]*([a-z]{3})[ \t]*(\$\$?)(0|[1-9][0-9]{0,17})[ \t]*,[ \t]*(\$?\$?)"
                           r"(0|-?[1-9][0-9]{0,17})[ \t]*(?:;(.*))?\Z")
_KINDS = {"": CONSTANT, "$": DIRECT, "$$": INDIRECT}


class ParseError(ValueError):
    """A program that cannot be parsed; the message reads `SOURCE:LINE: what is wrong`."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.reason = message


def _number(text: str, pos: int) -> tuple[int, int]:
    m = _NUMBER.match(text, pos)
    if not m:
        raise ValueError(f"expected a number at '{text[pos:pos + 12]}'")
    digits = m.group()
    if (digits.startswith("0") and len(digits) > 1) or digits.startswith("-0") or digits == "-":
        raise ValueError(f"malformed number '{digits}'")
    if len(digits) > _MAX_DIGITS:  # past LODA's size anyway; int() would refuse past 4,300 digits
        raise ValueError(f"number '{digits[:20]}...' exceeds the LODA number size")
    value = int(digits)
    if abs(value) >= NUMBER_LIMIT:
        raise ValueError(f"number '{digits[:20]}...' exceeds the LODA number size")
    return value, m.end()


def _operand(text: str, pos: int) -> tuple[Operand, int]:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if text.startswith("$$", pos):
        kind, pos = INDIRECT, pos + 2
    elif text.startswith("$", pos):
        kind, pos = DIRECT, pos + 1
    else:
        kind = CONSTANT
    if pos >= len(text):
        raise ValueError("missing operand")
    value, pos = _number(text, pos)
    if kind != CONSTANT:
        if value < 0:
            raise ValueError("negative cell index not allowed")
        if value > _INT64_MAX:
            raise ValueError("cell index too large")
    return Operand(kind, value), pos


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _comment(text: str, pos: int) -> str:
    """The comment starting at `pos` (which must be `;` or the end of the line)."""
    pos = _skip_blanks(text, pos)
    if pos >= len(text):
        return ""
    if text[pos] != ";":
        raise ValueError(f"unexpected text '{text[pos:pos + 20]}'")
    return text[pos:].lstrip(" \t;").rstrip()


def _common_line(line: str) -> Operation | None:
    """The operation of a line of the common form (`_TWO_OPERANDS`), else None."""
    m = _TWO_OPERANDS.match(line)
    if m is None:
        return None
    name, target_kind, target, source_kind, source, comment = m.groups()
    info = OPS.get(name)
    kind = _KINDS[source_kind]
    if info is None or info.operands != 2 or (kind != CONSTANT and source[0] == "-"):
        return None
    return Operation(name, Operand(_KINDS[target_kind], int(target)), Operand(kind, int(source)),
                     comment.lstrip(" \t;").rstrip() if comment else "")


def _parse_line(line: str, program: Program) -> Operation | None:
    op = _common_line(line)
    return op if op is not None else _general_line(line, program)


def _general_line(line: str, program: Program) -> Operation | None:
    pos = _skip_blanks(line, 0)
    if pos >= len(line):
        return None
    if line[pos] == ";":
        comment = _comment(line, pos)
        return Operation("nop", comment=comment) if comment else None
    if line[pos] == "#":
        m = _IDENT.match(line, pos + 1)
        if not m:
            raise ValueError("invalid directive")
        name = m.group().lower()
        if name not in DIRECTIVES:
            raise ValueError(f"invalid directive: {name}")
        value, end = _number(line, _skip_blanks(line, m.end()))
        if abs(value) > _INT64_MAX:
            raise ValueError(f"directive value out of range: {value}")
        program.directives[name] = value
        comment = _comment(line, end)
        return Operation("nop", comment=comment) if comment else None
    m = _IDENT.match(line, pos)
    if not m:
        raise ValueError(f"invalid identifier at '{line[pos:pos + 20]}'")
    name = m.group().lower()
    info = OPS.get(name)
    if info is None:
        raise ValueError(f"unknown operation: {m.group()}")
    pos = m.end()
    target, source = ZERO, ZERO
    if info.operands >= 1:
        if pos < len(line) and line[pos] not in " \t$":
            raise ValueError(f"invalid operation: {line[m.start():].split()[0]}")
        target, pos = _operand(line, pos)
    if info.operands == 2:
        pos = _skip_blanks(line, pos)
        if pos < len(line) and line[pos] == ",":
            source, pos = _operand(line, pos + 1)
        elif name == "lpb":
            source = ONE  # the optional second argument of lpb defaults to 1
        else:
            raise ValueError(f"{name} expects two operands separated by ','")
    if info.operands >= 1 and target.kind == CONSTANT:
        raise ValueError(f"{name}: the first operand must be a memory cell, not the constant {target.value}")
    comment = _comment(line, pos)
    if name == "nop" and not comment:
        return None
    return Operation(name, target, source, comment)


def split_lines(text: str) -> list[str]:
    """The lines of a text as loda-cpp reads them: each ends at `\n` (a `\r` before it is dropped);
    U+2028, form feeds, `\x85` or a lone `\r` stay inside the line (in a comment they are comment)."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def parse(text: str, source: str = "<string>") -> Program:
    """Parse LODA source text; raises ParseError naming `source` and the 1-based line."""
    program = Program()
    depth = 0
    open_lines: list[int] = []
    for number, line in enumerate(split_lines(text), 1):
        if not number & 1023:
            clock.check()
        try:
            op = _parse_line(line, program)
        except ValueError as exc:
            raise ParseError(source, number, str(exc)) from None
        if op is None:
            continue
        if op.op == "lpb":
            depth += 1
            open_lines.append(number)
        elif op.op == "lpe":
            if depth == 0:
                raise ParseError(source, number, "lpe without matching lpb")
            depth -= 1
            open_lines.pop()
        program.ops.append(op)
        if len(program.ops) > MAX_OPERATIONS:
            raise ParseError(source, number, f"program longer than {MAX_OPERATIONS} operations")
    if depth:
        raise ParseError(source, open_lines[-1], "lpb without matching lpe")
    return program
