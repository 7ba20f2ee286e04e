"""Eta quotients and Ramanujan theta functions a name multiplies: "Expansion of phi(-q) * phi(-q^4)^2 in
powers of q", "f(-x) * chi(x^2)^2", "q^(-1/3) * eta(q)^3 * eta(q^5)", "f(-q^2, -q^3)^5 / f(-q)^3",
"theta_3(q)*theta_3(q^2)*theta_4(q^8)", "eta(8z)*eta(16z)*theta_3(z)", and the representation numbers of
diagonal quadratic forms, "Number of integer solutions to a^2 + b^2 + 2*c^2 + 5*d^2 = n" (the product of
phi(q^c) over the coefficients c). Each is a product of (1 - q^k)^g(k)
with g periodic, so the name gives the Euler transform's exponents b = -g exactly, and `euler`'s program
computes the series; the known terms only fix leading zeros and a constant factor. Unlike `euler`'s fit,
nothing is guessed from the terms, so a few terms suffice.
"""

from __future__ import annotations

import re
from math import lcm
from typing import Any, Iterator

from miner.lang.program import Program
from miner.search.euler import MAX_PERIOD, EulerFit, euler_program, normalised, series_terms
from miner.search.formula import FormulaError, TokenCursor, tokenize
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 4
_START = re.compile(r"^(?:Expansion of|Coefficients (?:in|of) (?:the )?expansion of|G\.f\.:?|G\.f\. is)\s+(.+?)"
                    r"(?:,? in powers of [xqz])?(?:,?\s*where\b.*)?\.?$", re.I)
# Each function at y as (1 - y^(c*k))^e factors, k >= 1 in the residue class r mod c (r = 0: all multiples):
# (c, r, e). eta(y) = (y; y), f(-y) = (y; y), phi = theta_3, psi, chi (Berndt's notation).
FUNCTIONS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "eta": ((1, 0, 1),),
    "phi": ((2, 0, 5), (1, 0, -2), (4, 0, -2)),
    "psi": ((2, 0, 2), (1, 0, -1)),
    "chi": ((2, 0, 2), (1, 0, -1), (4, 0, -1)),
}


_FORM = re.compile(r"^Number of (?:integer )?solutions (?:to|of) (?:the equation )?((?:\d+ ?\*? ?)?[a-z]\^2"
                   r"(?: \+ (?:\d+ ?\*? ?)?[a-z]\^2)+) = n\.?$")


class _Parser(TokenCursor):
    """A product and quotient of functions at +-x^m (x, q or z; `mz` for z^m), each to an integer power."""

    def product(self) -> list[tuple[int, int, int, int]]:
        """Factors (period, residue, exponent, flip) of (1 - q^k)^exponent over k in the class; with flip = m
        (an argument -q^m), of (1 - (-1)^(k/m) q^k)^exponent."""
        out = self.power()
        while self.peek() in ("*", "/"):
            op = self.take()
            more = self.power()
            out += [(p, r, -e if op == "/" else e, s) for p, r, e, s in more]
        return out

    def power(self) -> list[tuple[int, int, int, int]]:
        if self.peek() == "(":
            self.take()
            inner = self.product()
            self.take(")")
        elif self.peek() in ("x", "q") and self.peek(1) in ("*", "^"):  # a power of q before the series: dropped
            self.take()
            if self.peek() == "^":
                self.take()
                self._fractional()
            return []
        else:
            inner = self.function()
        if self.peek() == "^":
            self.take()
            e = self.exponent()
            inner = [(p, r, x * e, s) for p, r, x, s in inner]
        return inner

    def _fractional(self) -> None:
        if self.peek() == "(":
            self.take()
            while self.take() != ")":
                pass
        else:
            if self.peek() == "-":
                self.take()
            self.take()

    def function(self) -> list[tuple[int, int, int, int]]:
        name = self.take().lower()
        if name == "theta" and self.peek() == "_":
            self.take()
            name = f"theta_{self.take()}"
        e = 1
        if self.peek() == "^":  # phi^2(q)
            self.take()
            e = self.exponent()
        self.take("(")
        sign, m = self.argument()
        if name == "f" and self.peek() == ",":  # f(-q^a, -q^b) = (q^a; q^(a+b)) (q^b; q^(a+b)) (q^(a+b); q^(a+b))
            self.take()
            sign2, b = self.argument()
            self.take(")")
            if sign > 0 or sign2 > 0:
                raise FormulaError("f(a, b) only at -q^a, -q^b")
            period = m + b
            return [(period, m % period, e, 0), (period, b % period, e, 0), (period, 0, e, 0)]
        self.take(")")
        if name in ("theta_3", "theta_4"):
            name, sign = "phi", sign if name == "theta_3" else -sign
        elif name == "f":  # f(-y) = (y; y): f at the argument is eta at its negative
            name, sign = "eta", -sign
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function {name!r}")
        return [(c * m, 0, x * e, m if sign < 0 else 0) for c, _, x in FUNCTIONS[name]]

    def argument(self) -> tuple[int, int]:
        """(sign, m) of +-x^m (or m z)."""
        sign = 1
        if self.peek() == "-":
            self.take()
            sign = -1
        m = 1
        if (self.peek() or "x").isdigit():  # 8z
            m = int(self.take())
        if self.take() not in ("x", "q", "z"):
            raise FormulaError("argument is not a power of x, q or z")
        if self.peek() == "^":
            self.take()
            if m != 1:
                raise FormulaError("both m z and z^m")
            m = int(self.take())
        return sign, m


def parse_name(name: str) -> tuple[tuple[int, int, int, int], ...] | None:
    """The name's product as factors (period, residue, exponent, flip), or None."""
    if form := _FORM.match(name.strip()):  # sum of c*x^2: the theta series phi(q^c) multiplied
        coefficients = [int(c or 1) for c in re.findall(r"(\d*) ?\*? ?[a-z]\^2", form[1])]
        return tuple((c * k, 0, e, 0) for c in coefficients for k, _, e in FUNCTIONS["phi"])
    m = _START.match(name.strip())
    if not m or not re.search(r"\b(?:eta|phi|psi|chi|theta_[34]|f)\s*(?:\^\d+)?\(", m[1]):
        return None
    try:
        parser = _Parser(tokenize(m[1]))
        factors = parser.product()
    except (FormulaError, ValueError):
        return None
    if parser.peek() is not None or not factors:
        return None
    return tuple(factors)


def exponents(factors: tuple[tuple[int, int, int, int], ...], count: int) -> list[int]:
    """g(1..count-1): the product is prod_k (1 - q^k)^g(k). A factor at -q^m where k/m is odd is 1 + q^k =
    (1 - q^(2k)) / (1 - q^k)."""
    g = [0] * count
    for period, residue, e, flip in factors:
        for k in range(residue or period, count, period):
            if not flip or (k // flip) % 2 == 0:
                g[k] += e
            else:
                g[k] -= e
                if 2 * k < count:
                    g[2 * k] += e
    return g[1:]


def period_of(factors: tuple[tuple[int, int, int, int], ...]) -> int:
    """The least period of g: a divisor of the lcm of the classes' periods (4 times a class's at -q^m, whose
    odd k/m add at k and 2k) on which g repeats over two whole such spans."""
    bound = lcm(*[p * (4 if flip else 1) for p, _, _, flip in factors])
    g = exponents(factors, 2 * bound + 1)
    return next(p for p in range(1, bound + 1) if bound % p == 0 and all(
        g[k] == g[k - p] for k in range(p, len(g))))


def series(b: list[int], count: int) -> list[int] | None:
    """The first `count` coefficients of prod_k (1 - q^k)^(-b(k)), b[0] = b(1) (the Euler transform), from
    c(m) = sum_{d|m} d*b(d)."""
    c = [0] * count
    for d in range(1, count):
        for m in range(d, count, d):
            c[m] += d * b[d - 1]
    return series_terms(c, count)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The Euler transform program of the named product when its series, up to leading zeros and a constant
    factor, is the known terms."""
    factors = parse_name(target.name)
    norm = normalised(target.terms) if len(target.terms) >= MIN_TERMS else None
    if factors is None or norm is None:
        return []
    zeros, scale, normal = norm
    p = period_of(factors)
    if p > MAX_PERIOD:
        return []
    b = [-v for v in exponents(factors, max(len(normal), 2 * p + 1))]
    if series(b, len(normal)) != normal:
        return []
    # b(k) for k = p, 1, ..., p-1 by residue (the tables' order: r = k mod p)
    table = tuple(b[(r or p) - 1] for r in range(p))
    return [euler_program(EulerFit(zeros, scale, (table,)), target.offset)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named eta quotient's program."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "theta", "from name")
