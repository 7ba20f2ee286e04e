"""Linear recurrence synthesis: find the shortest constant-coefficient recurrence that fits the known
terms (Berlekamp-Massey modulo a prime to get the order, then exact rational solving over all terms)
and emit a LODA loop that computes it; else the linear congruential generator (a(k) = (c*a(k-1) + d) mod m)
whose states the terms are, its modulus read from the terms. Tilings, nonattacking bishops, words with bounded
runs, surface groups' growth series, permutations with restricted displacements, lattices' coordination
sequences and arrays with local rules a name states (`tilings`, `boards`, `words`, `growth`, `permutations`,
`lattices`, `arrays`) are counted in Python first, so their recurrence is fitted on far more terms than the data
has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from typing import Any, Iterator, Sequence

from miner.lang.program import Operation, Program
from miner.search import arrays, boards, growth, lattices, permutations, tilings, words
from miner.search.build import line, window_loop
from miner.search.linalg import row_reduce
from miner.search.types import Candidate, SearchContext, Target

_PRIMES = (2_147_483_647, 1_000_000_007)
COUNTED_MAX_ORDER = 80  # the recurrence of counts computed from the name (tilings, boards, words, growth,
COUNTED_TERMS = 200  # permutations, lattices, arrays): at most this order, checked on this many counts
# Names of sequences whose g.f. is rational by theorem (a periodic tiling's coordination sequence, a growth
# or Molien series, arrays of a fixed width counted by their length: a transfer matrix): long recurrences
# with small steps are what they have, not a coincidence of the terms (benchmarks/fit_tails.py --names). So do
# partitions into a fixed number of parts, or at most so many, counted or summed under parity conditions: lattice
# points of a cone. A test of the parts' arithmetic (prime, square, a product) leaves the theorem.
_NUMBER = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)"
RATIONAL_NAME = re.compile(r"\b(?:coordination sequence|growth series|molien series|poincar[eé] series|crystal ball"
                           r"|number of (?:n ?x ?\d+|\d+ ?x ?n) (?:0\.\.\d+ |binary )?arrays\b)"
                           r"|^(?!.*(?:prime|squar|cube|product|divi|\||gcd|lcm|fibonacci|triangular|distinct values)).*"
                           rf"\bpartitions of n into (?:exactly |at most )?{_NUMBER} (?:positive |distinct |nonzero )?parts\b", re.I)


@dataclass(frozen=True)
class Recurrence:
    """a(k) = (sum_i coeffs[i-1] * a(k-i)) / denominator for k >= len(initial); a(k) = initial[k] before.

    k counts from the sequence's first term (index 0 = the term at the offset).
    """

    coeffs: tuple[int, ...]
    denominator: int
    initial: tuple[int, ...]

    @property
    def order(self) -> int:
        return len(self.initial)


def _berlekamp_massey(terms: Sequence[int], prime: int) -> list[int]:
    """The connection polynomial c (c[0] = 1) of the shortest recurrence of the terms modulo `prime`:
    Sum_i c[i] s(n-i) = 0 for n >= len(c) - 1, its length the linear complexity."""
    s = [t % prime for t in terms]
    c, b = [1], [1]
    length, m, last = 0, 1, 1
    for n, value in enumerate(s):
        d = value
        for i in range(1, length + 1):
            if i < len(c):
                d = (d + c[i] * s[n - i]) % prime
        if d == 0:
            m += 1
            continue
        coef = d * pow(last, prime - 2, prime) % prime
        t = list(c)
        if len(c) < len(b) + m:
            c = c + [0] * (len(b) + m - len(c))
        for i, bi in enumerate(b):
            c[i + m] = (c[i + m] - coef * bi) % prime
        if 2 * length <= n:
            length, b, last, m = n + 1 - length, t, d, 1
        else:
            m += 1
    return (c + [0] * (length + 1))[:length + 1]


def linear_complexity(terms: Sequence[int], prime: int = _PRIMES[0]) -> int:
    """Length of the shortest linear recurrence of the terms modulo `prime` (Berlekamp-Massey)."""
    return len(_berlekamp_massey(terms, prime)) - 1


# Primes whose product bounds the integer coefficients a transfer matrix's recurrence may have
_CRT_PRIMES = (2_305_843_009_213_693_951, 18_446_744_073_709_551_557, 4_294_967_291, 2_147_483_647,
               1_000_000_007, 1_000_000_009, 998_244_353)


def _integer_recurrence(terms: Sequence[int], order: int) -> Recurrence | None:
    """The recurrence of the given order with integer coefficients, from its residues modulo large primes
    (Chinese remainders, the least absolute values), when it reproduces every term; else None."""
    modulus, coeffs = 1, [0] * order
    for prime in _CRT_PRIMES:
        c = _berlekamp_massey(terms, prime)
        if len(c) - 1 != order:
            return None
        for i in range(order):  # a(n) = -Sum c[i] a(n-i): coefficient i is -c[i+1]
            r = -c[i + 1] % prime
            step = (r - coeffs[i]) * pow(modulus, -1, prime) % prime
            coeffs[i] += modulus * step
        modulus *= prime
    lifted = tuple(x - modulus if x > modulus // 2 else x for x in coeffs)
    rec = Recurrence(lifted, 1, tuple(terms[:order]))
    return rec if _reproduces(rec, terms) else None


def solve_recurrence(terms: Sequence[int], order: int) -> Recurrence | None:
    """The exact rational recurrence of the given order holding for every k >= order, if one exists.

    All equations k = order .. len-1 are used (Gaussian elimination over Q); free unknowns are set to 0.
    """
    rows = [[Fraction(terms[k - i]) for i in range(1, order + 1)] + [Fraction(terms[k])]
            for k in range(order, len(terms))]
    pivots = row_reduce(rows, order)
    r = len(pivots)
    if any(row[order] != 0 for row in rows[r:]):
        return None
    coeffs = [Fraction(0)] * order
    for i, col in enumerate(pivots):
        coeffs[col] = rows[i][order]
    den = lcm(*(c.denominator for c in coeffs)) if coeffs else 1
    return Recurrence(tuple(int(c * den) for c in coeffs), den, tuple(terms[:order]))


def find_recurrence(terms: Sequence[int], max_order: int = 10, margin: int = 6) -> Recurrence | None:
    """The lowest-order recurrence fitting all terms with at least `margin` terms beyond the 2*order
    that determine it, verified exactly; None if there is none."""
    if len(terms) < 2 + margin:
        return None
    order = linear_complexity(terms)
    if order == 0 or order > max_order or len(terms) - 2 * order < margin:
        return None
    for prime in _PRIMES[1:]:
        order = max(order, linear_complexity(terms, prime))
    if order > max_order or len(terms) - 2 * order < margin:
        return None
    # the same recurrence (unique: 2 * order terms determine it) without exact elimination, when it is integral
    rec = _integer_recurrence(terms, order) or solve_recurrence(terms, order)
    if rec is None or not _reproduces(rec, terms):
        return None
    return rec


def _reproduces(rec: Recurrence, terms: Sequence[int]) -> bool:
    values = list(rec.initial)
    for k in range(rec.order, len(terms)):
        num = sum(c * values[k - i] for i, c in enumerate(rec.coeffs, start=1))
        if num % rec.denominator or num // rec.denominator != terms[k]:
            return False
        values.append(terms[k])
    return True


def recurrence_program(rec: Recurrence, offset: int, *, as_named: bool = False) -> Program:
    """A LODA loop computing the recurrence: cells $1..$d hold a window of d consecutive terms.

    `as_named` is the form of training's recurrence pairs, where every constant is one a name writes:
    zero initial terms are set too (cells keep their numbers when a target renumbers them), order 1
    goes through the sum cell like any order, and a negative coefficient is a `sub` of its size.
    """
    d = rec.order
    body: list[Operation] = []
    nonzero = [(i, c) for i, c in enumerate(rec.coeffs, start=1) if c]
    if d == 1 and not as_named:
        # One cell: scale it in place.
        c = rec.coeffs[0]
        body += [] if c == 1 else [line("mul", 1, c)]
        body += [] if rec.denominator == 1 else [line("div", 1, rec.denominator)]
    else:
        new, tmp = d + 1, d + 2
        if as_named:
            # The first positive term initialises the sum, so that it needs no extra cell.
            nonzero.sort(key=lambda t: t[1] < 0)
        # All coefficients negative (as_named): the sum starts at 0 and every term is subtracted.
        from_zero = not nonzero or (as_named and nonzero[0][1] < 0)
        if from_zero:
            body.append(line("mov", new, 0))
        for j, (i, c) in enumerate(nonzero):
            cell = d + 1 - i
            if j == 0 and not from_zero:
                body.append(line("mov", new, cell, direct=True))
                if c != 1:
                    body.append(line("mul", new, c))
            elif c in (1, -1):
                body.append(line("add" if c == 1 else "sub", new, cell, direct=True))
            elif as_named and c < 0:
                body += [line("mov", tmp, cell, direct=True), line("mul", tmp, -c),
                         line("sub", new, tmp, direct=True)]
            else:
                body += [line("mov", tmp, cell, direct=True), line("mul", tmp, c),
                         line("add", new, tmp, direct=True)]
        if rec.denominator != 1:
            body.append(line("div", new, rec.denominator))
        body += [line("mov", i, i + 1, direct=True) for i in range(1, d)]
        body.append(line("mov", d, new, direct=True))
    return window_loop(rec.initial, body, offset, zeros=as_named)


@dataclass(frozen=True)
class Congruential:
    """a(k) = (multiplier * a(k-1) + increment) mod modulus after a(0) = seed: a linear congruential generator."""

    multiplier: int
    increment: int
    modulus: int
    seed: int


# Solutions of multiplier * y0 == y1 (mod m) tried when y0 shares a factor with m.
_MAX_ROOTS = 64
# Terms besides the margin: the modulus is the gcd of (this - 3) numbers the terms give.
_MIN_CONGRUENTIAL = 12
# Reductions the known terms must show: "9's complement of n" counts down and wraps once in 80 terms, as
# (a(k-1) + 89) mod 90 does until n = 100.
_MIN_WRAPS = 3


def find_congruential(terms: Sequence[int], margin: int = 6) -> Congruential | None:
    """The generator whose states are the terms, when all but the last `margin` terms determine the modulus.

    With y(k) = a(k+1) - a(k), y(k+2)*y(k) - y(k+1)^2 is a multiple of the modulus; their gcd is the modulus
    once a few terms are in. It must exceed every term, and the generator must actually reduce (else the
    terms have a linear recurrence)."""
    if len(terms) < _MIN_CONGRUENTIAL + margin or min(terms) < 0:
        return None
    y = [b - a for a, b in zip(terms, terms[1:])]
    m = 0
    for k in range(len(terms) - margin - 3):
        m = gcd(m, y[k + 2] * y[k] - y[k + 1] ** 2)
    # the gcd may hold a small factor besides the modulus (a multiplier == 1 mod 4 makes every y(k) even)
    for modulus in [m // f for f in range(1, _MAX_ROOTS + 1) if m % f == 0 and m // f > max(terms)]:
        if (gen := _congruential(terms, y, modulus)) is not None:
            return gen
    return None


def _congruential(terms: Sequence[int], y: list[int], m: int) -> Congruential | None:
    """The generator mod m whose states the terms are, trying each multiplier with multiplier*y(0) == y(1)."""
    d = gcd(y[0], m)
    if y[1] % d or d > _MAX_ROOTS:
        return None
    step = m // d
    root = (y[1] // d) * pow(y[0] // d, -1, step) % step if step > 1 else 0
    for multiplier in range(root, m, step):
        gen = Congruential(multiplier, (terms[1] - multiplier * terms[0]) % m, m, terms[0])
        # reductions counted with the constants nearest 0 (an increment of m - 1 is a step down)
        c, i = (x - m if 2 * x > m else x for x in (gen.multiplier, gen.increment))
        if all((gen.multiplier * a + gen.increment) % m == b for a, b in zip(terms, terms[1:])) \
                and sum(not 0 <= c * a + i < m for a in terms[:-1]) >= _MIN_WRAPS:
            return gen
    return None


def congruential_program(gen: Congruential, offset: int) -> Program:
    """A LODA loop: one cell, multiplied, incremented and reduced n times."""
    body = [line("mul", 1, gen.multiplier), *([line("add", 1, gen.increment)] if gen.increment else []),
            line("mod", 1, gen.modulus)]
    return window_loop((gen.seed,), body, offset, zeros=True)


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """At most one candidate: the lowest-order linear recurrence of the target's known terms, else the linear
    congruential generator whose states they are."""
    if budget <= 0:
        return
    settings = ctx.settings or {}
    for module in (tilings, boards, words, growth, permutations, lattices, arrays):
        counted = module.terms(target.name, target.offset, COUNTED_TERMS)
        if counted is not None and counted[:len(target.terms)] == list(target.terms):
            # the count's recurrence from the counts computed in Python, far more terms than the data's
            rec = find_recurrence(counted, COUNTED_MAX_ORDER, COUNTED_TERMS - 2 * COUNTED_MAX_ORDER)
            if rec is not None:
                note = f"{module.__name__.rsplit('.', 1)[-1]}, order={rec.order}"
                yield Candidate(recurrence_program(rec, target.offset), "recurrence", note)
                return
    order = settings.get("recurrence_max_order", 10)
    if RATIONAL_NAME.search(target.name):
        order = max(order, settings.get("recurrence_rational_max_order", 36))
    rec = find_recurrence(target.terms, order, settings.get("recurrence_margin", 6))
    if rec is not None:
        note = f"order={rec.order} coeffs={list(rec.coeffs)} den={rec.denominator}"
        yield Candidate(recurrence_program(rec, target.offset), "recurrence", note)
        return
    gen = find_congruential(target.terms, settings.get("recurrence_margin", 6))
    if gen is not None:
        note = f"a(k) = ({gen.multiplier}*a(k-1) + {gen.increment}) mod {gen.modulus}"
        yield Candidate(congruential_program(gen, target.offset), "recurrence", note)
