"""The smallest power of b whose decimal digits contain n: "Smallest power of 2 whose decimal expansion contains
n" (the power), "5^a(n) is smallest nonnegative power of 5 containing the string 'n'" (the exponent). The
program scans k = k0, k0 + 1, ... and tests every window of b^k's digits as wide as n's against n; whether
k starts at 0 or 1 ("power" says not which) is the reading the known terms fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import nth_passing
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
MAX_EXPONENT = 5_000  # powers scanned, in Python and by the program
_HOW = r"(?:whose decimal expansion contains|having|containing|that contains)"
_WHAT = r"(?:n|the string 'n'|'n')(?: in its decimal (?:representation|expansion))?\.?$"
_POWER = re.compile(rf"^(?:smallest|least) (positive |nonnegative )?power of (\d+) {_HOW} {_WHAT}", re.I)
_EXPONENT = re.compile(rf"^(\d+)\^a\(n\) (?:is|=) (?:the )?smallest (positive |nonnegative )?power of (\d+) {_HOW} {_WHAT}", re.I)


@dataclass(frozen=True)
class Search:
    """The least k >= `first` with n among the digits of base^k; the term is k (`exponent`) or base^k."""

    base: int
    exponent: bool
    first: int


def parse_name(name: str) -> list[Search]:
    """The readings of the name (k from 0 or from 1 when it says not which; the power or k), or none."""
    name = name.strip()
    kinds: tuple[bool, ...]
    if m := _POWER.match(name):  # "Smallest power of 8 having n ..." lists the power or, in some names, k
        kind, base, kinds = m[1], int(m[2]), (False, True)
    elif (m := _EXPONENT.match(name)) and m[1] == m[3]:
        kind, base, kinds = m[2], int(m[3]), (True,)
    else:
        return []
    if base < 2 or base % 10 == 0:
        return []  # no power of 10 holds a digit other than 0 and 1
    firsts = (0,) if kind and kind.startswith("non") else (1,) if kind else (0, 1)
    return [Search(base, exponent, first) for exponent in kinds for first in firsts]


def term(s: Search, n: int) -> int | None:
    """The Python twin: the term for n, or None past MAX_EXPONENT."""
    text = str(n)
    for k in range(s.first, MAX_EXPONENT):
        if text in str(s.base ** k):
            return k if s.exponent else s.base ** k
    return None


def program(s: Search, offset: int) -> Program:
    """n in $5, 10^(digits of n) in $8; each pass k = $7 + 1, x = base^k in $6 and $3 = whether some window
    of x's digits (x, x/10, x/100, ... mod $8) is n."""
    setup = ["mov $5,$0", f"add $5,{offset}", "mov $0,0",
             "mov $8,1", "mov $9,$5", "lpb $9", "  mul $8,10", "  div $9,10", "lpe", "max $8,10",
             f"mov $7,{s.first - 1}", f"mov $2,{MAX_EXPONENT}"]
    step = ["add $7,1", f"mov $6,{s.base}", "pow $6,$7", "mov $1,$7" if s.exponent else "mov $1,$6",
            "mov $3,0", "mov $9,$6",
            # the pass with the window 0 (past the top digit) is undone by lpb
            "lpb $9", "  mov $10,$9", "  mod $10,$8", "  equ $10,$5", "  add $3,$10", "  div $9,10", "lpe",
            "min $3,1"]
    return nth_passing(parse("\n".join(setup) + "\n", "contains").ops, parse("\n".join(step) + "\n", "contains").ops, offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the reading whose terms are the known ones."""
    if len(target.terms) < MIN_TERMS or target.offset < 0:
        return []
    for s in parse_name(target.name):
        if all(term(s, target.offset + i) == t for i, t in enumerate(target.terms)):
            return [program(s, target.offset)]
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The scan for the smallest power holding n."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "contains", "from name")
