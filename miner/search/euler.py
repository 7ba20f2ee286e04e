"""Euler transforms: g.f.s prod_{k>=1} (1 - x^k)^(-b(k)), b periodic, polynomial on each residue class or known.

That is the shape of eta quotients, theta series, McKay-Thompson series and partitions whose parts or
multiplicities are restricted by residues (and of products such as prod (1 - x^k)^-k), which no
recurrence of bounded order fits. The inverse Euler transform of the known terms gives b(1), b(2), ...;
when it has that shape with a margin, the program computes a(n) from n*a(n) = sum_{k=1..n} c(k) a(n-k),
c(k) = sum_{d|k} d*b(d), in memory cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb
from typing import Any, Iterator, Mapping, Sequence

from miner.lang.parser import parse
from miner.lang.program import Operation, Program
from miner.search.build import at_offset, shift_input
from miner.search.linalg import affine_relation
from miner.search.types import Candidate, SearchContext, Target

# Cells of the program: b's tables from TABLE (table j, the j-th Newton coefficients by k mod p, from
# TABLE + j*MAX_PERIOD), c(k) at ARRAY + 2k and a(k) at ARRAY + 2k + 1. Leading zeros make the index
# negative, down to -MAX_ZEROS, whose cells must stay above the tables.
TABLE = 10
MAX_PERIOD = 60
MAX_DEGREE = 3
ARRAY = 300
MAX_ZEROS = 20
# b(1..h) may be exceptions to the periodic rest ("three kinds of 1, 2, 3 and 4 and two kinds of 5, 6, ..."):
# their values sit at HEAD + d, between the tables and the lowest array cell, and $SAVED keeps d meanwhile.
MAX_HEAD = 5
HEAD = TABLE + (MAX_DEGREE + 1) * MAX_PERIOD
SAVED = HEAD + MAX_HEAD + 1


@dataclass(frozen=True)
class EulerFit:
    """a(offset + zeros + i) = scale * [x^i] prod_k (1 - x^k)^(-b(k)), the first `zeros` terms 0, where
    b(k) = sum_j newton[j][r] * binomial(k div p, j), r = k mod p: periodic when newton has one table; with a
    `head`, b(k) = head[k-1] for k <= len(head) and the tables give b(len(head) + k') for k' >= 1."""

    zeros: int
    scale: int
    newton: tuple[tuple[int, ...], ...]
    # Instead of the tables: b(d) = (mul * s + add) / den, s the term d - 1 + first of the sequence
    # `callee` (a `seq` call).
    callee: int = 0
    first: int = 0
    mul: int = 1
    add: int = 0
    den: int = 1
    head: tuple[int, ...] = ()

    @property
    def period(self) -> int:
        return len(self.newton[0]) if self.newton else 0


def inverse_euler(terms: Sequence[int]) -> list[int]:
    """b(1), ..., b(N-1) with prod_k (1 - x^k)^(-b(k)) = sum_i terms[i] x^i + O(x^N), terms[0] = 1
    (integers: every integer series with constant term 1 is such a product)."""
    n = len(terms)
    c = [0] * n  # c(k) = sum_{d|k} d*b(d): the logarithmic derivative's coefficients
    b = [0] * n
    for k in range(1, n):
        c[k] = k * terms[k] - sum(c[i] * terms[k - i] for i in range(1, k))
        b[k] = (c[k] - sum(d * b[d] for d in range(1, k // 2 + 1) if k % d == 0)) // k
    return b[1:]


def _differences(values: Sequence[int], order: int) -> list[int]:
    """The order-th forward differences of the values."""
    row = list(values)
    for _ in range(order):
        row = [row[i + 1] - row[i] for i in range(len(row) - 1)]
    return row


def _classes(b: Sequence[int], p: int, degree: int) -> tuple[tuple[int, ...], ...] | None:
    """Newton tables when on every residue class of k mod p, b(k) is a polynomial in k div p of at most
    the degree (its values there are integers, so its Newton coefficients are too)."""
    tables = [[0] * p for _ in range(degree + 1)]
    for r in range(p):
        values = list(b[(r or p) - 1::p])  # b(k) is b[k - 1]; k div p counts from 1 when r = 0
        if any(_differences(values, degree + 1)):
            return None
        if r == 0:  # the value at k div p = 0, where a polynomial of the degree must have it
            values.insert(0, sum((-1) ** (i + 1) * comb(degree + 1, i) * values[i - 1] for i in range(1, degree + 2)))
        for j in range(degree + 1):
            tables[j][r] = _differences(values[:j + 1], j)[0]
    return tuple(tuple(t) for t in tables)


def find_period(b: Sequence[int], max_period: int, margin: int) -> tuple[tuple[int, ...], ...] | None:
    """The Newton tables with the fewest unknowns u = (degree + 1) * p for which b has at least u + margin
    values beyond the u that determine them."""
    shapes = sorted(((p, d) for d in range(MAX_DEGREE + 1) for p in range(1, max_period // (d + 1) + 1)),
                    key=lambda s: ((s[1] + 1) * s[0], s[1]))
    for p, degree in shapes:
        if len(b) < 2 * (degree + 1) * p + margin:
            return None
        tables = _classes(b, p, degree)
        if tables is not None:
            return tables
    return None


def normalised(terms: Sequence[int]) -> tuple[int, int, list[int]] | None:
    """(leading zeros, scale, the terms after the zeros divided by the scale), when that starts with 1."""
    zeros = next((i for i, t in enumerate(terms) if t), len(terms))
    if zeros > MAX_ZEROS:
        return None
    rest = terms[zeros:]
    scale = rest[0] if rest else 0
    if not scale or any(t % scale for t in rest):
        return None
    normal = [t // scale for t in rest]
    if all(t == 0 for t in normal[1:]):
        return None  # a single nonzero term: nothing to find
    return zeros, scale, normal


def fit(terms: Sequence[int], max_period: int = 24, margin: int = 6) -> EulerFit | None:
    """The Euler transform of a periodic (or per residue polynomial) b that gives every known term, if any."""
    norm = normalised(terms)
    if norm is None:
        return None
    zeros, scale, normal = norm
    b = inverse_euler(normal)
    # The fewest exceptions first; each one is an unknown more, so the margin grows with them.
    for h in range(MAX_HEAD + 1):
        tables = find_period(b[h:], min(max_period, MAX_PERIOD), margin + h)
        if tables is not None:
            return EulerFit(zeros, scale, tables, head=tuple(b[:h]))
    return None


def fit_known(terms: Sequence[int], known: Mapping[int, Target], matrix: Any, margin: int = 6) -> EulerFit | None:
    """The Euler transform of b = r * s + c for a known sequence s (r, c rational; r = 1, c = 0 first)
    that gives all the inverse transform's values, at least the combine matrix's key length + margin of
    them compared (looked up in that shared index under a*x+b)."""
    from miner.search.combine import rows_like

    norm = normalised(terms)
    if norm is None:
        return None
    zeros, scale, normal = norm
    b = inverse_euler(normal)
    best: tuple[tuple[bool, int], EulerFit] | None = None
    for a, shift in rows_like(matrix, b):
        values = known[a].terms[shift:]
        compared = min(len(values), len(b))
        relation = affine_relation(list(zip(b[:compared], values[:compared])))
        if compared < matrix.length + margin or relation is None:
            continue
        rank = (relation == (1, 0, 1), compared)
        if best is None or rank > best[0]:
            best = (rank, EulerFit(zeros, scale, (), a, known[a].offset + shift, *relation))
    return best[1] if best else None


def euler_program(f: EulerFit, offset: int) -> Program:
    """The LODA program of a fit: c(k) sieved over the divisors, then the convolution up to the index."""
    p = f.period
    table = "\n".join(f"mov ${TABLE + j * MAX_PERIOD + r},{v}"
                      for j, row in enumerate(f.newton) for r, v in enumerate(row) if v)
    if f.callee:
        b_of_d = ["  mov $5,$2", *([f"  add $5,{f.first - 1}"] if f.first != 1 else []), f"  seq $5,{f.callee}",
                  *([f"  mul $5,{f.mul}"] if f.mul != 1 else []), *([f"  add $5,{f.add}"] if f.add else []),
                  *([f"  div $5,{f.den}"] if f.den != 1 else [])]
    else:
        # b(d) = sum_j newton[j][d mod p] * binomial(d div p, j) into $5, the cell of table j in $4
        b_of_d = ["  mov $4,$2", f"  mod $4,{p}", f"  add $4,{TABLE}", "  mov $5,$$4"]
        b_of_d += [line for j, row in enumerate(f.newton[1:], start=1) for line in
                   [f"  add $4,{MAX_PERIOD}",
                    *(["  mov $9,$2", f"  div $9,{p}", f"  bin $9,{j}", "  mul $9,$$4", "  add $5,$9"] if any(row) else [])]]
    if f.head:
        h = len(f.head)
        table += "".join(f"\nmov ${HEAD + d},{v}" for d, v in enumerate(f.head, start=1) if v)
        # the tables read d - h (at least 1); then b(d) = head[d] where d <= h: $5 += (d <= h) * (head - $5)
        b_of_d = [f"  mov ${SAVED},$2", f"  sub $2,{h}", "  max $2,1", *b_of_d, f"  mov $2,${SAVED}",
                  "  mov $9,$2", f"  leq $9,{h}", "  mov $8,$2", f"  min $8,{h}", f"  add $8,{HEAD}", "  mov $8,$$8",
                  "  sub $8,$5", "  mul $8,$9", "  add $5,$8"]
    sieve = [table,
             "mov $1,$0",  # the index i (negative for the leading zeros: no loop runs, a(i) reads 0)
             # c(m) += d*b(d) for every multiple m <= i of every d <= i
             "mov $3,$1",
             "lpb $3",
             "  sub $3,1",
             "  add $2,1",
             *b_of_d,
             "  mul $5,$2",
             "  mov $6,$1",
             "  add $6,1",
             "  sub $6,$2",
             "  mov $7,$2",
             "  lpb $6",
             "    mov $8,$7",
             "    mul $8,2",
             f"    add $8,{ARRAY}",
             "    add $$8,$5",
             "    add $7,$2",
             # trn, not sub: the pass past i must not go negative, or the loop would undo the last add
             "    trn $6,$2",
             "  lpe",
             "lpe"]
    # $0 counts from the first nonzero term
    return at_offset(shift_input(series_code(sieve, f.scale), -f.zeros), offset)


def series_terms(c: Sequence[int | Fraction], count: int, den: int = 1) -> list[int] | None:
    """The first `count` terms a(0) = 1, den*m*a(m) = sum_{k=1..m} c(k) a(m-k) (`series_code`'s Python twin),
    or None when one is not an integer."""
    a = [Fraction(1)]
    for m in range(1, count):
        value = sum((c[k] * a[m - k] for k in range(1, m + 1)), Fraction(0)) / (m * den)
        if value.denominator != 1:
            return None
        a.append(value)
    return [int(v) for v in a]


def series_code(sieve: list[str], scale: int = 1, den: int = 1) -> list[Operation]:
    """Code for scale * a(i), i in $0, where a(0) = 1 and den*m*a(m) = sum_{k=1..m} c(k) a(m-k): `sieve` (LODA
    lines) copies i to $1 and fills c(k) into the cells ARRAY + 2k, k <= i; a(k) goes to ARRAY + 2k + 1."""
    lines = [*sieve,
             f"mov ${ARRAY + 1},1",
             "mov $2,0",
             "mov $3,$1",
             "lpb $3",
             "  sub $3,1",
             "  add $2,1",
             "  mov $4,0",
             "  mov $6,$2",
             "  lpb $6",
             "    mov $7,$6",
             "    mul $7,2",
             f"    add $7,{ARRAY}",
             "    mov $8,$$7",
             "    mov $7,$2",
             "    sub $7,$6",
             "    mul $7,2",
             f"    add $7,{ARRAY + 1}",
             "    mul $8,$$7",
             "    add $4,$8",
             "    sub $6,1",
             "  lpe",
             "  div $4,$2",
             f"  div $4,{den}" if den != 1 else "",
             "  mov $7,$2",
             "  mul $7,2",
             f"  add $7,{ARRAY + 1}",
             "  mov $$7,$4",
             "lpe",
             "mov $7,$1",
             "mul $7,2",
             f"add $7,{ARRAY + 1}",
             "mov $0,$$7",
             f"mul $0,{scale}" if scale != 1 else ""]
    return parse("\n".join(x for x in lines if x) + "\n", "series").ops


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """At most one candidate: the Euler transform with the fewest unknowns that gives the known terms,
    else that of a known sequence (a `seq` call) when the corpus has one."""
    settings = ctx.settings
    if budget <= 0:
        return
    margin = settings.get("euler_margin", 6)
    f = fit(target.terms, settings.get("euler_max_period", 24), margin)
    if f is None and ctx.known and ctx.corpus is not None:
        from miner.search.combine import matrix_for

        f = fit_known(target.terms, ctx.known, matrix_for(ctx), margin)
        if f is not None and f.callee not in ctx.corpus:
            f = None
    if f is not None:
        note = (f"b = ({f.mul} * A{f.callee:06d} + {f.add}) / {f.den} from its term {f.first}" if f.callee
                else f"period={f.period} newton={[list(t) for t in f.newton]} head={list(f.head)}")
        yield Candidate(euler_program(f, target.offset), "euler", f"{note} zeros={f.zeros} scale={f.scale}")
