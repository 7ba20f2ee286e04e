"""Exact linear algebra over the rationals (the recurrence fitters) and polynomial arithmetic (g.f.s,
formulas, training's recurrence pairs); polynomials are coefficient lists, lowest degree first."""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import Sequence, TypeVar

Number = TypeVar("Number", int, Fraction)


def row_reduce(mat: list[list[Fraction]], width: int) -> list[int]:
    """Bring `mat` to reduced row echelon form in place over its first `width` columns (later columns,
    e.g. a right-hand side, are carried along); return the pivot columns in row order."""
    pivots: list[int] = []
    r = 0
    for col in range(width):
        if r == len(mat):
            break
        pivot = next((i for i in range(r, len(mat)) if mat[i][col] != 0), None)
        if pivot is None:
            continue
        mat[r], mat[pivot] = mat[pivot], mat[r]
        inv = 1 / mat[r][col]
        mat[r] = [v * inv for v in mat[r]]
        for i in range(len(mat)):
            if i != r and mat[i][col] != 0:
                f = mat[i][col]
                mat[i] = [a - f * b for a, b in zip(mat[i], mat[r])]
        pivots.append(col)
        r += 1
    return pivots


def poly_mul(a: Sequence[Number], b: Sequence[Number]) -> list[Number]:
    """The product of two polynomials (not trimmed); coefficients keep their type (int or Fraction)."""
    out = [a[0] * 0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out


def poly_add(a: Sequence[Number], b: Sequence[Number], sign: int = 1) -> list[Number]:
    """a + sign*b (not trimmed), as long as the longer of the two."""
    n = max(len(a), len(b))
    # A missing coefficient is the int 0, and int + Fraction is a Fraction: the list keeps a's type.
    return [(a[i] if i < len(a) else 0) + sign * (b[i] if i < len(b) else 0) for i in range(n)]  # type: ignore[misc]


def affine_relation(pairs: Sequence[tuple[int, int]]) -> tuple[int, int, int] | None:
    """(num, add, den), num != 0, with d = (num*c + add)/den for every pair (d, c); None when there is no
    such relation or the c's are all equal (nothing determines it)."""
    if len(pairs) < 2:
        return None
    d0, c0 = pairs[0]
    i1 = next((i for i in range(1, len(pairs)) if pairs[i][1] != c0), None)
    if i1 is None:
        return None
    r = Fraction(pairs[i1][0] - d0, pairs[i1][1] - c0)
    s = d0 - r * c0
    if r == 0 or any(d != r * ci + s for d, ci in pairs):
        return None
    den = lcm(r.denominator, s.denominator)
    return int(r * den), int(s * den), den


def series(num: Sequence[Number], den: Sequence[Number], count: int) -> list[Fraction] | None:
    """The first `count` power series coefficients of num/den, or None when den(0) = 0."""
    if den[0] == 0:
        return None
    out: list[Fraction] = []
    for k in range(count):
        value = Fraction(num[k]) if k < len(num) else Fraction(0)
        value -= sum(den[i] * out[k - i] for i in range(1, min(k, len(den) - 1) + 1))
        out.append(value / den[0])
    return out
