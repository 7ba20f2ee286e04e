"""Words with bounded runs a name states, part of `recurrence`: "Number of n-length words w over a 6-ary alphabet
{a_1,...,a_6} such that w contains never more than j consecutive letters a_j (for 1<=j<=6)". The words are counted
in Python by their last letter and its run; the counts' recurrence (the g.f. is rational: a transfer matrix) is
the program.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^Number of n-length words w over an? (\d+)-ary alphabet \{a_1, ?\.\.\., ?a_(\d+)\} such that w contains "
                   r"never more than j consecutive letters a_j \(for 1 ?<= ?j ?<= ?(\d+)\)\.?$")
MAX_LETTERS = 12


def counts(limits: list[int], count: int) -> list[int]:
    """Words of length 0 .. count-1 where letter j never runs longer than limits[j]."""
    runs = [[0] * (m + 1) for m in limits]  # runs[j][r]: words ending in a run of r letters j
    out = [1]
    for _ in range(1, count):
        total = out[-1]
        runs = [[0] + [total - sum(runs[j]) if r == 1 else runs[j][r - 1] for r in range(1, m + 1)]
                for j, m in enumerate(limits)]
        out.append(sum(map(sum, runs)))
    return out


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named words' numbers from n = offset on, `count` of them; None unless the name states them."""
    m = _NAME.match(name.strip())
    if m is None or len({m[1], m[2], m[3]}) != 1 or not 1 <= (k := int(m[1])) <= MAX_LETTERS or offset < 0:
        return None
    return counts(list(range(1, k + 1)), offset + count)[offset:]
