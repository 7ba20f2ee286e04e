"""Exact linear algebra over the rationals, shared by the recurrence fitters."""

from __future__ import annotations

from fractions import Fraction


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
