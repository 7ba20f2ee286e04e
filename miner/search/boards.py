"""Nonattacking bishops on boards a name states, part of `recurrence`: "Number of ways to place 7 nonattacking
bishops on an n X n board", "... on an n X n toroidal board". For a fixed number of bishops the counts are a
quasi-polynomial in n, so they have a linear recurrence; the counts are computed in Python by rook numbers and
`recurrence` fits it on far more terms than the data's.

A bishop moves along a diagonal and an antidiagonal, so a placement is a set of cells no two sharing either:
rooks on the board whose rows are the antidiagonals and whose columns are the diagonals. On the square board
each colour's antidiagonals, by length, meet nested sets of diagonals, so the rook numbers follow from the
lengths (r_i(j) = r_(i-1)(j) + r_(i-1)(j-1) * (len_i - j + 1)). On the n X n torus the diagonals i - j and
antidiagonals i + j are residues mod n: for odd n each pair is one cell (rooks on an n X n board), for even n
only pairs of equal parity meet, in two cells each (two n/2 X n/2 boards, every rook in two ways).
"""

from __future__ import annotations

import re
from math import comb, factorial

_NAME = re.compile(r"^Number of ways to place (?P<k>\d+) nonattacking bishops on an? n ?[xX] ?n (?P<torus>toroidal )?"
                   r"(?:chess)?board\.?$")
MAX_BISHOPS = 16


def _rooks(lengths: list[int], most: int) -> list[int]:
    """Rook numbers r(0..most) of a board whose rows meet nested sets of columns of the given sizes."""
    r = [1] + [0] * most
    for length in sorted(lengths):
        for j in range(most, 0, -1):
            r[j] += r[j - 1] * max(length - j + 1, 0)
    return r


def bishops(n: int, k: int) -> int:
    """Placements of k nonattacking bishops on the n X n board."""
    if n == 0:
        return int(k == 0)
    by_colour = [_rooks([min(s, 2 * n - 2 - s) + 1 for s in range(c, 2 * n - 1, 2)], k) for c in (0, 1)]
    return sum(by_colour[0][j] * by_colour[1][k - j] for j in range(k + 1))


def toroidal_bishops(n: int, k: int) -> int:
    """Placements of k nonattacking bishops on the n X n torus."""
    if n == 0:
        return int(k == 0)

    def full(m: int, j: int, ways: int) -> int:  # j rooks on an m X m board, each placed in `ways` cells
        return comb(m, j) ** 2 * factorial(j) * ways ** j if j <= m else 0
    if n % 2:
        return full(n, k, 1)
    return sum(full(n // 2, j, 2) * full(n // 2, k - j, 2) for j in range(k + 1))


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named placements' numbers from n = offset on, `count` of them; None unless the name states them."""
    m = _NAME.match(name.strip())
    if m is None or not 1 <= (k := int(m["k"])) <= MAX_BISHOPS or offset < 0:
        return None
    count_of = toroidal_bishops if m["torus"] else bishops
    return [count_of(n, k) for n in range(offset, offset + count)]
