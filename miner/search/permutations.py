"""Permutations with restricted displacements a name states, part of `recurrence`: "Number of permutations
satisfying i-2<=p(i)<=i+6, i=1..n", "... -k<=p(i)-i<=r and p(i)-i not in I, i=1..n, with k=2, r=3, I={-1,0}".
They are counted in Python position by position, the state the values of the window i-k .. i+r already used (a
transfer matrix, so the counts have a linear recurrence, which `recurrence` fits).
"""

from __future__ import annotations

import re

_BAND = re.compile(r"^Number of permutations satisfying i ?- ?(\d+) ?<= ?p\(i\) ?<= ?i ?\+ ?(\d+), i ?= ?1\.\.n\b")
_GENERAL = re.compile(r"^Number of permutations satisfying -k ?<= ?p\(i\) ?- ?i ?<= ?r and p\(i\) ?- ?i not in I, i ?= ?1\.\.n, "
                      r"with k ?= ?(\d+), r ?= ?(\d+), I ?= ?\{(-?\d+(?:, ?-?\d+)*)\}\.?$")
MAX_WIDTH = 12


def parse_name(name: str) -> tuple[int, int, frozenset[int]] | None:
    """(k, r, I): p(i) - i lies in -k..r and outside I."""
    if m := _BAND.match(name.strip()):
        return int(m[1]), int(m[2]), frozenset()
    if m := _GENERAL.match(name.strip()):
        return int(m[1]), int(m[2]), frozenset(int(x) for x in m[3].split(","))
    return None


def counts(k: int, r: int, excluded: frozenset[int], count: int) -> list[int]:
    """The numbers of permutations of [n], n = 0 .. count-1, with every p(i) - i in -k..r outside `excluded`.
    Bit j of a state is value i - k + j (i the next position), set when used; values below 1 count as used."""
    moves = [d for d in range(-k, r + 1) if d not in excluded]
    states = {(1 << k) - 1: 1}  # before position 1: the k values below 1 "used"
    out = [1]
    for _ in range(1, count):
        nxt: dict[int, int] = {}
        for mask, ways in states.items():
            for d in moves:
                bit = 1 << (d + k)
                if not mask & bit:
                    placed = mask | bit
                    if placed & 1:  # value i - k can be used by no later position
                        nxt[placed >> 1] = nxt.get(placed >> 1, 0) + ways
        states = nxt
        # a permutation of [i]: values up to i used (bits 0..k-1 after the shift), none above
        out.append(states.get((1 << k) - 1, 0))
    return out


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named permutations' numbers from n = offset on, `count` of them; None unless the name states them."""
    parsed = parse_name(name)
    if parsed is None or offset < 0 or parsed[0] + parsed[1] + 1 > MAX_WIDTH:
        return None
    return counts(*parsed, offset + count)[offset:]
