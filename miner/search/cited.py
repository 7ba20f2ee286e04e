"""Sequences a name defines through another by its A-number: "Position of n-th 2 in A030363", "Row sums of
triangle A049029". The program calls the cited sequence with `seq`: it scans it for the n-th occurrence of
the value, or adds up row n of the triangle. Where the positions are counted from and how long the rows
are is not in the name: each reading becomes a candidate, and the cited sequence's known terms (when the
context has them) keep only the readings that agree with the target's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset, nth_passing
from miner.search.types import Candidate, SearchContext, Target

_POSITION = re.compile(r"^Positions? of (?:the )?n-th (\d+) in (A\d{6})\b")
_ROW_SUMS = re.compile(r"(?<!alternating )\bRow sums of (?:the )?(?:triangle |array |irregular triangle |triangular array )?"
                       r"(?:(?:defined |given )?in )?(A\d{6})\b", re.I)
# Rows of a triangle read by rows: row r (from 0) has first + growth * r entries; the target's first term is
# row `skip`.
ROW_SHAPES = tuple((first, growth, skip) for growth in (1, 2) for skip in (0, 1) for first in (1, 2, 3))
MIN_AGREE = 3  # terms a reading must reproduce from the cited sequence's known terms to be kept


@dataclass(frozen=True)
class Cited:
    """What the name asks of the cited sequence: the positions of `value` ("position") or row sums ("rows")."""

    kind: str
    a_number: int
    value: int = 0


def parse_name(name: str) -> Cited | None:
    """The reading of the cited sequence the name states, or None."""
    if m := _POSITION.match(name.strip()):
        return Cited("position", int(m[2][1:]), int(m[1]))
    if m := _ROW_SUMS.search(name):
        return Cited("rows", int(m[1][1:]))
    return None


def positions(terms: tuple[int, ...], value: int, first: int) -> list[int]:
    """Where `value` occurs among the terms, the first term counted as `first` (the Python twin)."""
    return [first + i for i, t in enumerate(terms) if t == value]


def row_sums(terms: tuple[int, ...], shape: tuple[int, int, int]) -> list[int]:
    """The sums of the complete rows among the terms, from row `skip` on (the Python twin)."""
    first, growth, skip = shape
    out, start, r = [], 0, 0
    while start + first + growth * r <= len(terms):
        end = start + first + growth * r
        if r >= skip:
            out.append(sum(terms[start:end]))
        start, r = end, r + 1
    return out


def position_program(a_number: int, value: int, first: int, callee_offset: int, offset: int) -> Program:
    """The position (the cited sequence's first term counted as `first`) of the n-th `value` in it."""
    setup = parse(f"mov $1,{first - 1}\nmov $2,$0\nadd $2,10\npow $2,3\n").code()
    step = parse(f"add $1,1\nmov $3,$1\nadd $3,{callee_offset - first}\nseq $3,{a_number}\nequ $3,{value}\n").code()
    return nth_passing(setup, step, offset)


def row_sum_program(a_number: int, shape: tuple[int, int, int], callee_offset: int, offset: int) -> Program:
    """The sum of row n of the cited triangle in the given shape (see ROW_SHAPES)."""
    first, growth, skip = shape
    # Row r starts at first*r + growth*r*(r-1)/2 and has first + growth*r entries; $4 counts them down.
    return at_offset(parse(
        f"add $0,{skip}\nmov $1,$0\nmov $2,$1\nsub $2,1\nmul $2,$1\nmul $2,{growth}\ndiv $2,2\n"
        f"mov $3,$1\nmul $3,{first}\nadd $2,$3\nadd $2,{callee_offset}\n"
        f"mov $4,$1\nmul $4,{growth}\nadd $4,{first}\nmov $0,0\n"
        # The pass lpb undoes at the end sees $4 = -1: max keeps its `seq` argument valid.
        f"lpb $4\nsub $4,1\nmov $5,$2\nadd $5,$4\nmax $5,{callee_offset}\n"
        f"seq $5,{a_number}\nadd $0,$5\nlpe\n").code(), offset)


def _agrees(twin: list[int], terms: tuple[int, ...]) -> bool:
    """Whether the Python twin's terms, where it has any, are the target's (too few to judge: kept)."""
    shared = min(len(twin), len(terms))
    return shared < MIN_AGREE or list(twin[:shared]) == list(terms[:shared])


def programs_for(target: Target, known: Mapping[int, Target], corpus: Any = None) -> list[Program]:
    """A program for each reading of the cited sequence that its known terms (if given) do not rule out."""
    c = parse_name(target.name)
    if c is None or c.a_number == target.a_number or corpus is None or c.a_number not in corpus:
        return []
    callee = corpus.get(c.a_number)
    if callee is None:
        return []
    cited_terms = known[c.a_number].terms if c.a_number in known else ()
    out: list[Program] = []
    if c.kind == "position":
        for first in dict.fromkeys((callee.offset, 1, 0)):
            if not cited_terms or _agrees(positions(cited_terms, c.value, first), target.terms):
                out.append(position_program(c.a_number, c.value, first, callee.offset, target.offset))
    else:
        for shape in ROW_SHAPES:
            if not cited_terms or _agrees(row_sums(cited_terms, shape), target.terms):
                out.append(row_sum_program(c.a_number, shape, callee.offset, target.offset))
    return out


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The readings of the cited sequence, as `seq` programs."""
    for prog in programs_for(target, ctx.known, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "cited", "from name")
