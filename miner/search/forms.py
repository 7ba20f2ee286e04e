"""Positive definite quadratic forms the name states: "Theta series of quadratic form with Gram matrix [ 2, 1,
0; 1, 4, 1; 0, 1, 2 ]", "Number of integer solutions to a^2 + b^2 + 2*c^2 + 13*d^2 = n", "... of x^2 + 7*y^2 =
2*n + 1". a(n) counts the integer vectors v with Q(v) = m(n). The program walks the outer coordinates within
their exact bounds (m times the diagonal of the inverse form) and solves the innermost one as a quadratic,
so a term costs about m^((d-1)/2) steps; eta products (`theta`) are faster, but only diagonal forms of
small period are products.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt
from typing import Any, Iterator, Sequence

from miner.lang.program import Program
from miner.lang.parser import parse
from miner.search.types import Candidate, SearchContext, Target

MAX_DIMENSION = 5
MIN_TERMS = 10  # known terms that must all agree
# Terms the Python count covers: a form's lattice points below m grow as m^(d/2).
MAX_POINTS = 2_000_000

_GRAM = re.compile(r"(?:theta series|number of representations)[^\[]*\bgram matrix \[([-\d,;\s]+)\]", re.I)
_SOLUTIONS = re.compile(
    r"number of (?:integer )?solutions (?:to|of) (?:the equation )?(?P<form>[-+*^\w\s]+?) = "
    r"(?P<rhs>(?:\d+ ?\*? ?)?n(?: ?\+ ?\d+)?)(?:[ ,.;]|$)", re.I)
_FORM_OF = re.compile(r"(?:theta series of|representations of n by) (?:the )?(?:quadratic )?form "
                      r"(?P<form>[a-z0-9][-+*^\w ]*?)\.?$", re.I)
_TERM = re.compile(r"^(\d*)\*?([a-z])(?:\^2|\*?([a-z]))$")


@dataclass(frozen=True)
class Form:
    """Q(v) = sum_i sum_j<=i coef[i][j] v_i v_j, counted at m = scale*n + shift (readings: the scales the
    name allows)."""

    coef: tuple[tuple[int, ...], ...]
    scales: tuple[int, ...]
    shift: int = 0

    @property
    def dimension(self) -> int:
        return len(self.coef)

    def table(self) -> list[list[int]]:
        """coef as a full symmetric table: Q(v) = sum_i sum_j<=i table[i][j] v_i v_j."""
        d = self.dimension
        return [[self.coef[max(i, j)][min(i, j)] for j in range(d)] for i in range(d)]

    def matrix(self) -> list[list[Fraction]]:
        """The symmetric matrix G with Q(v) = v^T G v."""
        return [[Fraction(c, 1 if i == j else 2) for j, c in enumerate(row)] for i, row in enumerate(self.table())]

    @functools.cached_property
    def bounds(self) -> list[Fraction] | None:
        """max v_i^2 / m on Q(v) = m for each i: the diagonal of G's inverse; None unless G is positive definite."""
        g = self.matrix()
        d = len(g)
        # Gauss-Jordan on [G | I]; every pivot positive iff G is positive definite (no row swaps needed).
        aug = [row[:] + [Fraction(int(i == j)) for j in range(d)] for i, row in enumerate(g)]
        for k in range(d):
            if aug[k][k] <= 0:
                return None
            for i in range(d):
                if i != k and aug[i][k]:
                    factor = aug[i][k] / aug[k][k]
                    aug[i] = [a - factor * b for a, b in zip(aug[i], aug[k])]
        return [aug[i][d + i] / aug[i][i] for i in range(d)]


def _gram(text: str) -> Form | None:
    rows = [[int(x) for x in re.split(r"[,\s]+", row.strip()) if x] for row in text.split(";")]
    d = len(rows)
    if not 1 <= d <= MAX_DIMENSION or any(len(r) != d for r in rows) \
            or any(rows[i][j] != rows[j][i] for i in range(d) for j in range(d)):
        return None
    # Even lattices are listed in powers of q or of q^2 (norm/2): the terms tell which.
    return Form(tuple(tuple(rows[i][j] * (1 if i == j else 2) for j in range(i + 1)) for i in range(d)), (1, 2))


def _polynomial(text: str, rhs: str) -> Form | None:
    terms = re.findall(r"([+-]?)\s*([^+-]+)", text.replace(" ", ""))
    pairs: dict[tuple[str, str], int] = {}
    for sign, term in terms:
        match = _TERM.match(term)
        if match is None:
            return None
        c, x, y = int(match[1] or 1), match[2], match[3] or match[2]
        key = (min(x, y), max(x, y))
        pairs[key] = pairs.get(key, 0) + (-c if sign == "-" else c)
    letters = sorted({x for key in pairs for x in key})
    if not 1 <= len(letters) <= MAX_DIMENSION:
        return None
    at = {x: i for i, x in enumerate(letters)}
    coef = [[0] * (i + 1) for i in range(len(letters))]
    for (x, y), c in pairs.items():
        i, j = sorted((at[x], at[y]), reverse=True)
        coef[i][j] += c
    scale_text, _, shift_text = rhs.replace(" ", "").replace("*", "").partition("+")
    scale = int(scale_text[:-1] or 1)
    return Form(tuple(tuple(r) for r in coef), (scale,), int(shift_text or 0))


# Counts of part of the solutions, or of a multiple of the count: other sequences.
_RESTRICTED = re.compile(r"positive|negative|distinct|ordered|primitive|half|quarter|third|[<>]|\bmod\b", re.I)
_LEAD = re.compile(r"^(?:a\(n\) (?:is|=) )?(?:the )?(?:number|theta series)", re.I)


def parse_name(name: str) -> Form | None:
    """The positive definite form the name counts representations by, or None."""
    if not _LEAD.match(name) or _RESTRICTED.search(name):
        return None
    gram = _GRAM.search(name)
    solutions = _SOLUTIONS.search(name) or _FORM_OF.search(name)
    rhs = solutions.groupdict().get("rhs") or "n" if solutions else "n"
    form = _gram(gram[1]) if gram else _polynomial(solutions["form"], rhs) if solutions else None
    return form if form is not None and form.bounds is not None else None


def _order(form: Form) -> list[int]:
    """The coordinates outermost first: the innermost, solved as a quadratic, has the widest range."""
    bounds = form.bounds or []
    return sorted(range(form.dimension), key=lambda i: bounds[i])


def counts(form: Form, top: int) -> list[int] | None:
    """r(m) for m = 0..top: the vectors with Q(v) = m (None past MAX_POINTS)."""
    bounds = form.bounds
    if bounds is None:
        return None
    order = _order(form)
    d = form.dimension
    coef = form.table()
    inner = order[-1]
    a = coef[inner][inner]
    r = [0] * (top + 1)
    seen = 0
    outer = order[:-1]
    values = [0] * d

    def walk(level: int) -> bool:
        nonlocal seen
        if level == len(outer):
            lin = sum(coef[inner][i] * values[i] for i in outer)
            const = sum(coef[i][j] * values[i] * values[j] for i in outer for j in outer if j <= i)
            # a x^2 + lin x + const <= top: x between the roots
            disc = lin * lin - 4 * a * (const - top)
            if disc < 0:
                return True
            s = isqrt(disc)
            low, high = (-lin - s) // (2 * a) - 1, (-lin + s) // (2 * a) + 1
            for x in range(low, high + 1):
                q = a * x * x + lin * x + const
                if 0 <= q <= top:
                    r[q] += 1
                    seen += 1
            return seen <= MAX_POINTS
        i = outer[level]
        bound = isqrt(int(top * bounds[i]))
        for v in range(-bound, bound + 1):
            values[i] = v
            if not walk(level + 1):
                return False
        values[i] = 0
        return True

    return r if walk(0) else None


def values(form: Form, scale: int, offset: int, count: int) -> list[int] | None:
    """The first `count` terms of r(scale*n + shift) from n = offset."""
    top = scale * (offset + count - 1) + form.shift
    if scale * offset + form.shift < 0:
        return None
    r = counts(form, top)
    return None if r is None else [r[scale * n + form.shift] for n in range(offset, offset + count)]


def program(form: Form, scale: int, offset: int) -> Program:
    """Outer coordinates in nested loops over their bounds, the innermost solved: its roots of
    a x^2 + L x + C = m are (-L +- s) / 2a with s^2 = L^2 + 4a(m - C), counted when s is exact and 2a divides."""
    bounds = form.bounds or []
    order = _order(form)
    coef = form.table()
    inner, outer = order[-1], order[:-1]
    a = coef[inner][inner]
    # $1 = m, $2 = count; per outer coordinate: counter, its bound, value; then scratch
    counter = {i: 3 + 3 * k for k, i in enumerate(outer)}
    bound = {i: 4 + 3 * k for k, i in enumerate(outer)}
    value = {i: 5 + 3 * k for k, i in enumerate(outer)}
    lin, const, disc, root, tmp, hit = (3 + 3 * len(outer) + k for k in range(6))
    lines = ["mov $1,$0", f"mul $1,{scale}", *([f"add $1,{form.shift}"] if form.shift else [])]
    for i in outer:
        b = bounds[i]
        lines += [f"mov ${bound[i]},$1", f"mul ${bound[i]},{b.numerator}", f"div ${bound[i]},{b.denominator}",
                  f"nrt ${bound[i]},2", f"mov ${counter[i]},${bound[i]}", f"mul ${counter[i]},2",
                  f"add ${counter[i]},1", f"lpb ${counter[i]}",
                  f"mov ${value[i]},${counter[i]}", f"sub ${value[i]},1", f"sub ${value[i]},${bound[i]}"]
    lines += [f"mov ${lin},0", f"mov ${const},0"]
    for i in outer:
        if coef[inner][i]:
            lines += [f"mov ${tmp},${value[i]}", f"mul ${tmp},{coef[inner][i]}", f"add ${lin},${tmp}"]
        for j in outer:
            if j <= i and coef[i][j]:
                lines += [f"mov ${tmp},${value[i]}", f"mul ${tmp},${value[j]}", f"mul ${tmp},{coef[i][j]}",
                          f"add ${const},${tmp}"]
    lines += [f"mov ${disc},$1", f"sub ${disc},${const}", f"mul ${disc},{4 * a}",
              f"mov ${tmp},${lin}", f"pow ${tmp},2", f"add ${disc},${tmp}",
              f"mov ${root},${disc}", f"max ${root},0", f"nrt ${root},2",
              # hit = [s^2 = disc] * ([2a | s - L] + [s > 0] [2a | s + L])
              f"mov ${hit},${root}", f"pow ${hit},2", f"equ ${hit},${disc}",
              f"mov ${tmp},${root}", f"sub ${tmp},${lin}", f"mod ${tmp},{2 * a}", f"equ ${tmp},0",
              f"mov ${disc},${root}", f"add ${disc},${lin}", f"mod ${disc},{2 * a}", f"equ ${disc},0",
              f"min ${root},1", f"mul ${disc},${root}", f"add ${tmp},${disc}", f"mul ${hit},${tmp}",
              f"add $2,${hit}"]
    for i in reversed(outer):
        lines += [f"sub ${counter[i]},1", "lpe"]
    lines += ["mov $0,$2"]
    code = parse("\n".join(lines) + "\n", "forms").ops
    return Program(ops=code, directives={"offset": offset} if offset else {})


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The counting program of each reading of the named form whose terms are all the known terms."""
    form = parse_name(target.name)
    if form is None or len(target.terms) < MIN_TERMS:
        return []
    terms: Sequence[int] = target.terms
    return [program(form, scale, target.offset) for scale in form.scales
            if values(form, scale, target.offset, len(terms)) == list(terms)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named form's counting program."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "forms", "from name")
