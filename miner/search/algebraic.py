"""Decimal expansions of algebraic numbers: an integer polynomial with the known digits' number as a root
(PSLQ, `mpmath.findpoly`), kept only when the digits outnumber the coefficients' own digits twice over
with a margin; the program bisects for floor(x * 10^k) in an interval isolating that root.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator, Sequence

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset
from miner.search.types import Candidate, SearchContext, Target

MIN_DIGITS = 20
MAX_DEGREE = 8
MAX_COEFFICIENT = 10**6
MAX_POWER = 40  # x^d = p/q
MAX_ISOLATION = 12  # digits of the isolating interval's ends


@dataclass(frozen=True)
class Algebraic:
    """x = the digits read as d0.d1d2... is the only root of sum_i coeffs[i] x^i in [u, u+1] / 10^j;
    `sign` is the polynomial's sign at the left end."""

    coeffs: tuple[int, ...]  # lowest degree first
    u: int
    j: int
    sign: int


def _homogeneous(coeffs: Sequence[int], m: int, q: int) -> int:
    """q^d * P(m / q), exactly."""
    d = len(coeffs) - 1
    return sum(c * m**i * q ** (d - i) for i, c in enumerate(coeffs))


def coefficient_digits(coeffs: Sequence[int]) -> float:
    """Decimal digits it takes to write the coefficients: what a fit of them uses up of the known digits."""
    return sum(math.log10(abs(c) + 1) for c in coeffs)


def find_polynomial(digits: Sequence[int], margin: int = 15) -> tuple[int, ...] | None:
    """The lowest-degree integer polynomial (lowest degree first) with d0.d1d2... as a root, when the
    digits are at least twice its coefficients' digits plus the margin; None if there is none."""
    import mpmath

    if len(digits) < MIN_DIGITS or not any(digits):
        return None
    ctx = mpmath.mp.clone()
    ctx.dps = len(digits) - 3  # the truncated expansion is exact to 10^-(len - 1)
    x = ctx.mpf(int("".join(map(str, digits)))) / ctx.mpf(10) ** (len(digits) - 1)
    for degree in range(1, MAX_DEGREE + 1):
        if len(digits) < 2 * (degree + 1) + margin:
            return None
        try:
            found = ctx.findpoly(x, degree, maxcoeff=MAX_COEFFICIENT)
        except ValueError:  # a power of x too small for the working precision (many leading zeros)
            return None
        if found:
            return _enough(tuple(int(c) for c in reversed(found)), digits, margin)
    # Beyond the degrees PSLQ can reach, roots of rationals: x^d = p/q (the "11th root of 11" kind).
    for degree in range(MAX_DEGREE + 1, MAX_POWER + 1):
        power = x**degree
        ratio = Fraction(str(ctx.nstr(power, ctx.dps))).limit_denominator(MAX_COEFFICIENT)
        # x is known to a relative 10^-(len - 1) / d0, so x^d to about d times that
        if abs(power - ctx.mpf(ratio.numerator) / ratio.denominator) <= power * degree * ctx.mpf(10) ** (3 - len(digits)):
            return _enough((-ratio.numerator,) + (0,) * (degree - 1) + (ratio.denominator,), digits, margin)
    return None


def _enough(coeffs: tuple[int, ...], digits: Sequence[int], margin: int) -> tuple[int, ...] | None:
    """The relation without zero leading or constant coefficients, if the digits confirm it."""
    low, high = 0, len(coeffs)
    while high > low and coeffs[high - 1] == 0:
        high -= 1
    while low < high and coeffs[low] == 0:  # x is no root of x^k
        low += 1
    coeffs = coeffs[low:high]
    if len(coeffs) < 2 or len(digits) < 2 * coefficient_digits(coeffs) + margin:
        return None
    return coeffs


def isolate(coeffs: Sequence[int], digits: Sequence[int]) -> Algebraic | None:
    """The shortest leading-digit interval [u, u+1] / 10^j in which the polynomial changes sign exactly
    once (so holds one root, the digits' number) at ends where it is nonzero."""
    import mpmath

    x = int("".join(map(str, digits)))
    scale = len(digits) - 1
    ctx = mpmath.mp.clone()
    ctx.dps = 30
    try:
        roots = ctx.polyroots(list(reversed(coeffs)), maxsteps=200, extraprec=200)
    except (ctx.NoConvergence, ZeroDivisionError):
        return None
    value = ctx.mpf(x) / ctx.mpf(10) ** scale
    others = [r for r in roots if abs(ctx.im(r)) < 1e-20 and abs(ctx.re(r) - value) > 1e-20]
    for j in range(0, min(MAX_ISOLATION, scale) + 1):
        u = x // 10 ** (scale - j)
        lo, hi = _homogeneous(coeffs, u, 10**j), _homogeneous(coeffs, u + 1, 10**j)
        if lo == 0 or hi == 0 or (lo > 0) == (hi > 0):
            continue
        if all(not (u <= ctx.re(r) * 10**j <= u + 1) for r in others):
            return Algebraic(tuple(coeffs), u, j, 1 if lo > 0 else -1)
    return None


def algebraic_program(a: Algebraic, offset: int) -> Program:
    """Bisection of [u*10^k, (u+1)*10^k] for the largest m with m / (10^(k+j)) <= x, then digit k."""
    horner: list[str] = []
    for c in reversed(a.coeffs[:-1]):  # v = v*mid + c_i * T^(d-i), the power of T in $6
        horner += ["  mul $5,$4", "  mul $6,$1"]
        if c:
            horner += ["  mov $7,$6", f"  mul $7,{c}", "  add $5,$7"]
    lines = ["mov $1,10",
             "pow $1,$0",
             "mov $2,$1",
             f"mul $2,{a.u}",  # lo
             "mov $3,$1",  # the width of [lo, hi]
             f"mul $1,{10**a.j}" if a.j else "",  # T = 10^(k+j)
             "lpb $3",
             "  mov $4,$3",
             "  div $4,2",
             "  add $4,$2",  # mid
             f"  mov $5,{a.coeffs[-1]}",
             "  mov $6,1",
             *horner,
             "  mul $5,-1" if a.sign < 0 else "",
             "  geq $5,0",  # 1: mid <= x*T, the polynomial still has its left end's sign
             "  mov $7,$4",
             "  sub $7,$2",  # h = mid - lo
             "  mov $8,$7",
             "  mul $8,$5",
             "  add $2,$8",  # lo += f*h
             # width = f ? width - h : h; at width 1 it stays 1 and the loop ends
             "  mov $9,$3",
             "  sub $9,$7",
             "  sub $9,$7",
             "  mul $9,$5",
             "  add $9,$7",
             "  mov $3,$9",
             "lpe",
             "mov $0,$2",
             f"div $0,{10**a.j}" if a.j else "",
             "mod $0,10"]
    return at_offset(parse("\n".join(x for x in lines if x) + "\n", "algebraic number").ops, offset)


def applies(target: Target) -> bool:
    """A decimal expansion by its name, with enough digits."""
    return ("decimal expansion" in target.name.lower() and len(target.terms) >= MIN_DIGITS
            and all(0 <= t <= 9 for t in target.terms))


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """At most one candidate: the digits of the root of the lowest-degree polynomial found."""
    if budget <= 0 or not applies(target):
        return
    margin = int((ctx.settings or {}).get("algebraic_margin", 15))
    coeffs = find_polynomial(target.terms, margin)
    if coeffs is None:
        return
    found = isolate(coeffs, target.terms)
    if found is not None:
        yield Candidate(algebraic_program(found, target.offset), "algebraic", f"root of {list(coeffs)}")
