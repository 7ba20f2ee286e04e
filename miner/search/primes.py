"""Prime conditions a name states: "Numbers k such that 12*k+1, 12*k+5 and 12*k+7 are primes", "Primes p
such that 2p+3 and 2p-3 are both prime", "Numbers k such that 16*k^4 + 81 is prime". Each expression is an
integer polynomial in the variable (read by the formula grammar); the program scans k from the first known
term and returns the n-th k whose values are all prime (through `seq` of the primes' characteristic
function), so it holds for every term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator

from miner.lang.program import CONSTANT, DIRECT, Operand, Operation, Program
from miner.search.build import add_const, line, lists_exactly, nth_passing, relocated
from miner.search.formula import FormulaError, as_polynomial, compile_polynomial, parse_formula
from miner.search.types import Candidate, SearchContext, Target

PRIMES = 10051  # the characteristic function of the primes (offset 1)
MIN_TERMS = 6
MAX_SCAN = 200_000  # numbers tested in Python to confirm the known terms
MAX_DEGREE = 6
_NAME = re.compile(r"^(numbers|primes|integers|positive integers|nonnegative integers) ([a-z]) "
                   r"(?:such that|for which|with) (.+?),? (?:is|are)(?: both| all| also| all also)? primes?\.?$", re.I)
_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


@dataclass(frozen=True)
class Condition:
    """k passes when every polynomial (integer coefficients, lowest degree first) is prime at k."""

    polynomials: tuple[tuple[int, ...], ...]


def _integer_polynomial(text: str, variable: str) -> tuple[int, ...] | None:
    text = re.sub(rf"\b{variable}\b", "n", text.strip())
    try:
        coeffs = as_polynomial(parse_formula(text))
    except FormulaError:
        return None
    if coeffs is None or any(c.denominator != 1 for c in coeffs):
        return None
    while len(coeffs) > 1 and coeffs[-1] == 0:
        coeffs = coeffs[:-1]
    if len(coeffs) < 2 or len(coeffs) > MAX_DEGREE + 1:
        return None  # a constant says nothing about k
    return tuple(int(c) for c in coeffs)


def parse_name(name: str) -> Condition | None:
    """The condition the name states, or None."""
    m = _NAME.match(name.strip())
    if not m:
        return None
    variable = m[2]
    parts: list[str] = []
    for part in _SPLIT.split(m[3]):
        pm = next((s for s in ("+-", "±") if s in part), None)  # "24*k+-5" states two expressions
        parts += [part.replace(pm, "+"), part.replace(pm, "-")] if pm else [part] if part.strip() else []
    polys = [_integer_polynomial(part, variable) for part in parts]
    if not polys or any(p is None for p in polys):
        return None
    found = [p for p in polys if p is not None]
    if m[1].lower() == "primes" and (0, 1) not in found:
        found.insert(0, (0, 1))
    return Condition(tuple(dict.fromkeys(found)))


def is_prime(x: int) -> bool:
    """Deterministic Miller-Rabin for x < 3.3 * 10^24."""
    if x < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41):
        if x % p == 0:
            return x == p
    d, s = x - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41):
        y = pow(a, d, x)
        if y in (1, x - 1):
            continue
        for _ in range(s - 1):
            y = y * y % x
            if y == x - 1:
                break
        else:
            return False
    return True


def moebius(k: int) -> int:
    """mu(k) for k >= 1, by trial division (the readers' Python twins need it for small k)."""
    out, d = 1, 2
    while d * d <= k:
        if k % d == 0:
            k //= d
            if k % d == 0:
                return 0
            out = -out
        d += 1
    return -out if k > 1 else out


def passes(c: Condition, k: int) -> bool:
    """Whether every polynomial is prime at k (the Python twin of the program's test)."""
    return all(is_prime(sum(a * k**i for i, a in enumerate(p))) for p in c.polynomials)


def program(c: Condition, first: int, offset: int) -> Program:
    """The n-th k >= `first` that passes (n counted from the offset); the scan is bounded by first + 4^(n+9),
    far past where the terms of such conditions lie."""
    setup = [line("mov", 1, first - 1),
             line("mov", 3, 0, direct=True), *add_const(3, 9), line("mov", 2, 4), line("pow", 2, 3, direct=True),
             *add_const(2, first)]
    step = [*add_const(1, 1), line("mov", 3, 1)]
    for poly in c.polynomials:
        # $4 = poly($1), Horner's form from the formula compiler on cells $4 (value) and $5
        step += [line("mov", 4, 1, direct=True),
                 *relocated(compile_polynomial([Fraction(a) for a in poly]).code(), {0: 4, 1: 5}),
                 line("max", 4, 1),  # the primes' program starts at 1; 1 and below are not prime
                 Operation("seq", Operand(DIRECT, 4), Operand(CONSTANT, PRIMES)),
                 line("mul", 3, 4, direct=True)]
    return nth_passing(setup, step, offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the condition the name states when the numbers that pass, from the first known term
    on, are the known terms."""
    terms = target.terms
    c = parse_name(target.name)
    if c is None or len(terms) < MIN_TERMS or list(terms) != sorted(set(terms)) or terms[-1] - terms[0] > MAX_SCAN:
        return []
    if corpus is not None and PRIMES not in corpus:
        return []
    return [program(c, terms[0], target.offset)] if lists_exactly(lambda k: passes(c, k), terms) else []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named prime condition's scan when it gives the known terms."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "primes", "from name")
