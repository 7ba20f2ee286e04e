"""P-recursive (holonomic) recurrence synthesis: find sum_{i=0..r} p_i(k) a(k-i) + q(k) = 0 with
polynomial p_i (degree <= d) and optional polynomial q (degree <= e) that fits the known terms, by
exact linear algebra over Q, and emit a LODA loop computing a(k) = -(sum_{i>=1} p_i(k) a(k-i) + q(k)) / p_0(k).

k counts from the sequence's first term (k = n - offset). A fit is accepted only when the equations
outnumber the unknowns by a safety margin, p_0 has no integer root k >= r (so every division the
program performs is defined; exact for degree <= 2, a capped scan above), and the recurrence
reproduces every known term with exact divisions.
Shapes are tried by increasing number of unknowns, so the simplest recurrence wins; constant
coefficients without q are left to `miner.search.recurrence` (Berlekamp-Massey).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd, isqrt, lcm
from typing import Any, Iterator, Sequence

from miner.lang.program import Operation, Program
from miner.search.build import add_const, line, window_loop
from miner.search.linalg import row_reduce
from miner.search.types import Candidate, SearchContext, Target

_PRIME = 2_305_843_009_213_693_951  # 2^61 - 1: rank modulo it bounds the rank over Q from below
_ROOT_SCAN = 20_000  # integers k scanned for roots of a p_0 of degree >= 3


@dataclass(frozen=True)
class Holonomic:
    """sum_{i=0..r} p_i(k) a(k-i) + q(k) = 0 for k >= order; coefficient lists are lowest degree first.

    `polys[i]` is p_i, `inhom` is q (empty: none), `initial` the terms a(0..r-1).
    """

    polys: tuple[tuple[int, ...], ...]
    inhom: tuple[int, ...]
    initial: tuple[int, ...]

    @property
    def order(self) -> int:
        return len(self.polys) - 1

    def describe(self) -> str:
        """A short text of the recurrence for candidate notes and logs."""
        parts = [f"p{i}={list(p)}" for i, p in enumerate(self.polys)]
        if self.inhom:
            parts.append(f"q={list(self.inhom)}")
        return f"order={self.order} " + " ".join(parts)


def _peval(poly: Sequence[int], k: int) -> int:
    value = 0
    for c in reversed(poly):
        value = value * k + c
    return value


def shapes(max_order: int, max_degree: int, max_inhom_degree: int) -> list[tuple[int, int, int]]:
    """(r, d, e) triples to try, fewest unknowns (r+1)(d+1)+(e+1) first; e = -1 means no q.

    Constant coefficients without q (d = 0, e = -1) are excluded: that is the linear recurrence strategy.
    """
    out = [(r, d, e) for r in range(1, max_order + 1) for d in range(max_degree + 1)
           for e in range(-1, max_inhom_degree + 1) if not (d == 0 and e == -1)]
    return sorted(out, key=lambda s: ((s[0] + 1) * (s[1] + 1) + s[2] + 1, s[0], s[1]))


def _row(terms: Sequence[int], k: int, r: int, d: int, e: int) -> list[int]:
    powers = [k ** j for j in range(max(d, e) + 1)]
    row = [powers[j] * terms[k - i] for i in range(r + 1) for j in range(d + 1)]
    row += powers[: e + 1]
    return row


def _full_rank_mod_p(residues: Sequence[int], r: int, d: int, e: int) -> bool:
    """Whether the equations have full column rank modulo a prime (then no nonzero solution over Q).

    `residues` are the terms modulo the prime; rows are reduced one at a time and the scan stops as
    soon as the rank is full, which for most sequences is after about as many rows as unknowns.
    """
    width = (r + 1) * (d + 1) + e + 1
    top = max(d, e)
    basis: dict[int, list[int]] = {}  # pivot column -> row reduced at that column
    for k in range(r, len(residues)):
        powers = [pow(k, j, _PRIME) for j in range(top + 1)]
        row = [powers[j] * residues[k - i] % _PRIME for i in range(r + 1) for j in range(d + 1)]
        row += powers[: e + 1]
        for col in range(width):
            if row[col] == 0:
                continue
            piv = basis.get(col)
            if piv is None:
                inv = pow(row[col], _PRIME - 2, _PRIME)
                basis[col] = [v * inv % _PRIME for v in row]
                break
            f = row[col]
            row = [(a - f * b) % _PRIME for a, b in zip(row, piv)]
        if len(basis) == width:
            return True
    return False


def _nullspace(rows: list[list[int]], width: int) -> list[list[Fraction]]:
    """A basis of the rational nullspace of the integer matrix (reduced row echelon form)."""
    mat = [[Fraction(v) for v in row] for row in rows]
    pivots = row_reduce(mat, width)
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for fcol in free:
        vec = [Fraction(0)] * width
        vec[fcol] = Fraction(1)
        for i, pcol in enumerate(pivots):
            vec[pcol] = -mat[i][fcol]
        basis.append(vec)
    return basis


def _integral(vec: list[Fraction]) -> list[int]:
    den = lcm(*(v.denominator for v in vec))
    ints = [int(v * den) for v in vec]
    g = 0
    for v in ints:
        g = gcd(g, v)
    return [v // g for v in ints] if g > 1 else ints


def _trim(poly: list[int]) -> tuple[int, ...]:
    while poly and poly[-1] == 0:
        poly = poly[:-1]
    return tuple(poly)


def _has_root_from(poly: Sequence[int], start: int) -> bool:
    """Whether the polynomial vanishes at some integer k >= start (zero polynomial: always)."""
    if not poly:
        return True
    if len(poly) == 1:
        return False
    if len(poly) == 2:
        c0, c1 = poly
        return c0 % c1 == 0 and -c0 // c1 >= start
    if len(poly) == 3:
        c0, c1, c2 = poly
        disc = c1 * c1 - 4 * c2 * c0
        if disc < 0 or isqrt(disc) ** 2 != disc:
            return False
        return any(num % (2 * c2) == 0 and num // (2 * c2) >= start
                   for num in (-c1 + isqrt(disc), -c1 - isqrt(disc)))
    # Higher degrees: scan up to the Cauchy bound (every root has |k| <= 1 + max |c_j / c_lead|),
    # capped so that huge coefficients cannot stall the search; a root past the cap is not excluded.
    bound = min(1 + max(abs(c) for c in poly[:-1]) // abs(poly[-1]) + 1, start + _ROOT_SCAN)
    return any(_peval(poly, k) == 0 for k in range(start, max(start, bound) + 1))


def _from_vector(vec: list[int], r: int, d: int, e: int, terms: Sequence[int]) -> Holonomic | None:
    polys = [_trim(vec[i * (d + 1):(i + 1) * (d + 1)]) for i in range(r + 1)]
    inhom = _trim(vec[(r + 1) * (d + 1):])
    if _has_root_from(polys[0], r):
        return None
    if polys[0][-1] < 0:  # a positive leading coefficient of p_0 reads better and changes nothing
        polys = [tuple(-c for c in p) for p in polys]
        inhom = tuple(-c for c in inhom)
    while len(polys) > 1 and not polys[-1]:  # a zero last coefficient: the real order is lower
        polys.pop()
    rec = Holonomic(tuple(polys), inhom, tuple(terms[: len(polys) - 1]))
    return rec if reproduces(rec, terms) else None


def reproduces(rec: Holonomic, terms: Sequence[int]) -> bool:
    """Whether computing the recurrence from its initial terms gives every known term, dividing exactly."""
    values = list(rec.initial)
    for k in range(rec.order, len(terms)):
        num = -sum(_peval(p, k) * values[k - i] for i, p in enumerate(rec.polys) if i) - _peval(rec.inhom, k)
        den = _peval(rec.polys[0], k)
        if den == 0 or num % den or num // den != terms[k]:
            return False
        values.append(terms[k])
    return True


def find_holonomic(terms: Sequence[int], max_order: int = 5, max_degree: int = 3,
                   max_inhom_degree: int = 2, margin: int = 6, limit: int = 1) -> list[Holonomic]:
    """Up to `limit` recurrences of the simplest shapes that fit all terms with `margin` spare equations."""
    found: list[Holonomic] = []
    residues = [t % _PRIME for t in terms]
    usable = [s for s in shapes(max_order, max_degree, max_inhom_degree)
              if len(terms) - s[0] - ((s[0] + 1) * (s[1] + 1) + s[2]) >= margin]
    # A shape's unknowns are a subset of those of any shape containing it, and its equations a superset:
    # when the larger one has full rank, so has the smaller. Testing the maximal shapes first settles
    # most sequences (those with no fit at all) with a handful of eliminations instead of one per shape.
    full: list[tuple[int, int, int]] = []
    tested: dict[tuple[int, int, int], bool] = {}
    for s in reversed(usable):
        if not _contained(s, full):
            tested[s] = _full_rank_mod_p(residues, *s)
            if tested[s]:
                full.append(s)
    for r, d, e in usable:
        width = (r + 1) * (d + 1) + e + 1
        if _contained((r, d, e), full) or tested.get((r, d, e), False):
            continue
        # The earliest equations usually have the solution space already (and the smallest numbers);
        # every fit is verified on all terms below, and all equations are used only when needed.
        rows = [_row(terms, k, r, d, e) for k in range(r, min(len(terms), r + width + 2))]
        basis = _nullspace(rows, width)
        if len(basis) > 1:
            rows = [_row(terms, k, r, d, e) for k in range(r, len(terms))]
            basis = _nullspace(rows, width)
        candidates = basis if len(basis) <= 1 else basis + [[sum(col) for col in zip(*basis)]]
        for vec in candidates:
            rec = _from_vector(_integral(vec), r, d, e, terms)
            if rec is not None:
                found.append(rec)
                break
        if len(found) >= limit:
            break
    return found


def _contained(shape: tuple[int, int, int], others: list[tuple[int, int, int]]) -> bool:
    return any(all(a <= b for a, b in zip(shape, other)) for other in others)


def _poly_into(cell: int, poly: Sequence[int], index: int) -> list[Operation]:
    """Code leaving poly(value of $index) in $cell (Horner)."""
    if len(poly) == 1:
        return [line("mov", cell, poly[0])]
    ops = [line("mov", cell, index, direct=True)]
    if poly[-1] != 1:
        ops.append(line("mul", cell, poly[-1]))
    ops += add_const(cell, poly[-2])
    for c in reversed(poly[:-2]):
        ops.append(line("mul", cell, index, direct=True))
        ops += add_const(cell, c)
    return ops


def _poly_times(cell: int, poly: Sequence[int], index: int, factor: int) -> list[Operation]:
    """Code leaving poly(value of $index) * $factor in $cell."""
    if len(poly) == 1:
        ops = [line("mov", cell, factor, direct=True)]
        return ops if poly[0] == 1 else ops + [line("mul", cell, poly[0])]
    return _poly_into(cell, poly, index) + [line("mul", cell, factor, direct=True)]


def holonomic_program(rec: Holonomic, offset: int) -> Program:
    """A LODA loop: $1..$r hold a window of r consecutive terms, $(r+1) the index k of the next one."""
    r = rec.order
    index, acc, tmp = r + 1, r + 2, r + 3
    body: list[Operation] = []
    # acc = -(sum_{i>=1} p_i(k) a(k-i) + q(k)); the window cell of a(k-i) is $(r+1-i).
    terms = [(tuple(-c for c in p), r + 1 - i) for i, p in enumerate(rec.polys) if i and p]
    first = True
    for poly, cell in terms:
        if first:
            body += _poly_times(acc, poly, index, cell)
            first = False
        else:
            body += _poly_times(tmp, poly, index, cell)
            body.append(line("add", acc, tmp, direct=True))
    if rec.inhom:
        neg = tuple(-c for c in rec.inhom)
        if first:
            body += _poly_into(acc, neg, index)
        elif len(neg) == 1:
            body += add_const(acc, neg[0])
        else:
            body += _poly_into(tmp, neg, index)
            body.append(line("add", acc, tmp, direct=True))
    elif first:
        body.append(line("mov", acc, 0))
    p0 = rec.polys[0]
    if len(p0) == 1:
        if p0[0] != 1:
            body.append(line("div", acc, p0[0]))
    else:
        body += _poly_into(tmp, p0, index)
        body.append(line("div", acc, tmp, direct=True))
    body += [line("mov", i, i + 1, direct=True) for i in range(1, r)]
    body.append(line("mov", r, acc, direct=True))
    body.append(line("add", index, 1))
    return window_loop(rec.initial, body, offset, setup=[line("mov", index, r)])


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """At most one candidate: the holonomic recurrence of the simplest shape fitting the known terms."""
    settings = ctx.settings or {}
    if budget <= 0:
        return
    recs = find_holonomic(target.terms, settings.get("holonomic_max_order", 5),
                          settings.get("holonomic_max_degree", 3),
                          settings.get("holonomic_max_inhom_degree", 2),
                          settings.get("holonomic_margin", 6))
    for rec in recs:
        yield Candidate(holonomic_program(rec, target.offset), "holonomic", rec.describe())
