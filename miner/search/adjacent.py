"""Digit strings whose adjacent digits differ little, counted: "Number of base 5 n-digit numbers with adjacent
digits differing by two or less", "Number of base 7 circular n-digit numbers with adjacent digits differing
by 1 or less" (the last digit next to the first), "Number of positive integers with n digits in which adjacent
digits differ by at most 3". With M the base x base matrix of allowed neighbours, the count is u M^(n-1) 1
(u: the nonzero first digits) or trace(M^n) for circular strings, so by Cayley-Hamilton it follows the
recurrence of M's characteristic polynomial; the program is that recurrence, its first terms counted in
Python. n = 0 (the empty string, no number) takes the known term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from miner.lang.program import Program
from miner.search.formula import NUMBER_WORDS
from miner.search.recurrence import Recurrence, recurrence_program
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
MAX_BASE = 64
_NAME = re.compile(r"^number of base[ -](\d+) (circular )?n-digit numbers with adjacent digits differing by (\w+) or less\.?$",
                   re.I)
_DECIMAL = re.compile(r"^number of positive integers with n digits in which adjacent digits differ by at most (\w+)\.?$", re.I)


@dataclass(frozen=True)
class Strings:
    """Strings of n base-`base` digits, neighbours differing by at most `spread`; `circular`: the last and the
    first are neighbours too; `zero`: the first digit may be 0."""

    base: int
    spread: int
    circular: bool
    zero: bool = True


def parse_name(name: str) -> list[Strings]:
    """The strings the name may count (a leading 0 allowed or not: names say "numbers" for both), or none."""
    name = name.strip()
    if m := _NAME.match(name):
        base, spread, circular = int(m[1]), m[3].lower(), bool(m[2])
    elif m := _DECIMAL.match(name):
        base, spread, circular = 10, m[1].lower(), False
    else:
        return []
    d = int(spread) if spread.isdigit() else NUMBER_WORDS.get(spread)
    if d is None or not 2 <= base <= MAX_BASE:
        return []
    if circular:
        return [Strings(base, d, True)]
    return [Strings(base, d, False, zero) for zero in ((True, False) if m.re is _NAME else (False,))]


def _matrix(s: Strings) -> list[list[int]]:
    return [[int(abs(i - j) <= s.spread) for j in range(s.base)] for i in range(s.base)]


def counts(s: Strings, first: int, count: int) -> list[int]:
    """The counts for n = first, first + 1, ... (n >= 1): row vector times M, n - 1 times."""
    m, b = _matrix(s), s.base
    out = []
    if s.circular:  # trace(M^n): every start digit, back to itself
        rows = [[int(i == j) for j in range(b)] for i in range(b)]
        for n in range(1, first + count):
            rows = [[sum(r[k] * m[k][j] for k in range(b)) for j in range(b)] for r in rows]
            if n >= first:
                out.append(sum(rows[i][i] for i in range(b)))
        return out
    v = [int(s.zero)] + [1] * (b - 1)  # n = 1: the first digits
    for n in range(1, first + count):
        if n >= first:
            out.append(sum(v))
        v = [sum(v[k] * m[k][j] for k in range(b)) for j in range(b)]
    return out


def characteristic(m: list[list[int]]) -> list[int]:
    """c(1..b) with M^b = sum c(i) M^(b-i) (Faddeev-LeVerrier, exact in integers)."""
    b = len(m)
    identity = [[int(i == j) for j in range(b)] for i in range(b)]
    prev = [[0] * b for _ in range(b)]
    c = [1]  # coefficients of the characteristic polynomial, highest power first
    for k in range(1, b + 1):
        # N_k = M N_(k-1) + c_(k-1) I, c_k = -trace(M N_k) / k
        mk = [[sum(m[i][t] * prev[t][j] for t in range(b)) + c[-1] * identity[i][j] for j in range(b)] for i in range(b)]
        trace = sum(sum(m[i][t] * mk[t][i] for t in range(b)) for i in range(b))
        c.append(-trace // k)
        prev = mk
    return [-x for x in c[1:]]


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The recurrence program when its counts are the known terms (from n = 1; a(0) is the known term)."""
    terms = target.terms
    if len(terms) < MIN_TERMS or target.offset not in (0, 1):
        return []
    head = terms[:1] if target.offset == 0 else ()
    rest = list(terms[len(head):])
    s = next((s for s in parse_name(target.name) if counts(s, 1, len(rest)) == rest), None)
    if s is None:
        return []
    coeffs = characteristic(_matrix(s))
    # one more (zero) coefficient than M's order: with a(0) kept apart, the recurrence starts at n = order + 1
    initial = tuple(head) + tuple(counts(s, 1, s.base))
    rec = Recurrence(tuple(coeffs) + ((0,) if head else ()), 1, initial)
    return [recurrence_program(rec, target.offset)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The counted strings' recurrence."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "adjacent", "from name")
