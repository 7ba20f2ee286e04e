"""Permutations of a multiset by descents, as a name states them: "Number of permutations of 3
indistinguishable copies of 1..n with exactly 5 adjacent element pairs in decreasing order". MacMahon's
formula gives them for every n: with c copies and k descents,
a(n) = Sum_{j=0..k} (-1)^j * C(c*n+1, j) * C(k-j+c, c)^n,
a sum of k+1 exponentials times polynomials, whose linear recurrence is far longer than the known terms
allow a fit of.
"""

from __future__ import annotations

import re
from math import comb
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
MAX_DESCENTS = 40
_NAME = re.compile(r"^number of permutations of (\d+) indistinguishable copies of 1\.\.n with exactly (\d+) "
                   r"adjacent element pairs? in decreasing order\.?$", re.I)


def parse_name(name: str) -> tuple[int, int] | None:
    """(copies, descents) the name states, or None."""
    m = _NAME.match(name.strip())
    if not m or not 1 <= int(m[1]) or not int(m[2]) <= MAX_DESCENTS:
        return None
    return int(m[1]), int(m[2])


def count(copies: int, descents: int, n: int) -> int:
    """Permutations of c copies of 1..n with exactly k descents (MacMahon; the program's Python twin)."""
    return sum((-1) ** j * comb(copies * n + 1, j) * comb(descents - j + copies, copies) ** n
               for j in range(descents + 1))


def program(copies: int, descents: int, offset: int) -> Program:
    """a(n) for every n, by MacMahon's sum."""
    lines = ["mov $1,$0", f"mul $1,{copies}", "add $1,1", "mov $2,0"]
    for j in range(descents + 1):
        lines += ["mov $3,$1", f"bin $3,{j}", f"mov $4,{comb(descents - j + copies, copies)}", "pow $4,$0", "mul $3,$4",
                  "sub $2,$3" if j % 2 else "add $2,$3"]
    lines.append("mov $0,$2")
    text = (f"#offset {offset}\n\n" if offset else "") + "\n".join(lines) + "\n"
    return parse(text, "descents")


def programs_for(target: Target) -> list[Program]:
    """The program when the name states a multiset's permutations by descents and the count gives the known terms."""
    read = parse_name(target.name)
    if read is None or len(target.terms) < MIN_TERMS:
        return []
    copies, descents = read
    if any(count(copies, descents, target.offset + i) != t for i, t in enumerate(target.terms)):
        return []
    return [program(copies, descents, target.offset)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """MacMahon's sum for the multiset and descents the name states, when it gives the known terms."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "descents", "from name")
