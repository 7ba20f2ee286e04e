"""The comment header of a loda-programs file: `; A000045: name`, `; Submitted by ...`, `; 0,1,1,2,...`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from miner.lang.parser import split_lines
from miner.lang.program import Program

_ID_LINE = re.compile(r"^A([0-9]{1,7}):\s?(.*)$")
# ASCII digits, and no term longer than int() reads (a longer one makes the line no terms line).
_TERMS_LINE = re.compile(r"^-?[0-9]{1,4300}(?:\s*,\s*-?[0-9]{1,4300})*$")


@dataclass(frozen=True)
class Header:
    """What a program's header says: its A-number, the sequence name and the known terms."""

    a_number: int | None
    name: str
    terms: list[int] = field(default_factory=list)


def _leading_comments(program_or_text: Program | str) -> list[str]:
    if isinstance(program_or_text, Program):
        comments = []
        for op in program_or_text.ops:
            if op.op != "nop":
                break
            comments.append(op.comment)
        return comments
    comments = []
    for line in split_lines(program_or_text):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith(";"):
            break
        comments.append(stripped.lstrip(";").strip())
    return comments


def read_header(program_or_text: Program | str) -> Header:
    """Read the header comments before the first instruction (empty fields if absent)."""
    a_number: int | None = None
    name = ""
    terms: list[int] = []
    for comment in _leading_comments(program_or_text):
        m = _ID_LINE.match(comment)
        if m and a_number is None:
            a_number, name = int(m.group(1)), m.group(2).strip()
        elif not terms and _TERMS_LINE.match(comment):
            terms = [int(t) for t in comment.split(",")]
    return Header(a_number, name, terms)
