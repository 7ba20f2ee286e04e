"""Rational generating functions from names: parse "Expansion of P(x)/Q(x)" / "G.f.: ..." with explicit
polynomials in x, and emit the linear recurrence Q gives, with initial terms taken from the series
(so it works even when too few terms are known for Berlekamp-Massey). Strict: any other text is no g.f.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterator

from miner.lang.program import Program
from miner.search.formula import FormulaError, TokenCursor, tokenize
from miner.search.linalg import poly_add, poly_mul, series
from miner.search.recurrence import Recurrence, recurrence_program
from miner.search.types import Candidate, SearchContext, Target

Poly = list[Fraction]  # coefficients, lowest degree first
MAX_DEGREE = 400  # larger polynomials are not what a name means and would only cost time

_GF_START = re.compile(r"(?:expansion of|g\.f\.(?:\s+is|:)?|generating function:?)\s+(?:the polynomial\s+)?", re.I)


def _trim(p: Poly) -> Poly:
    while len(p) > 1 and p[-1] == 0:
        p = p[:-1]
    return p


def _mul(a: Poly, b: Poly) -> Poly:
    if len(a) + len(b) - 2 > MAX_DEGREE:
        raise FormulaError("polynomial degree too large")
    return _trim(poly_mul(a, b))


def _add(a: Poly, b: Poly, sign: int = 1) -> Poly:
    return _trim(poly_add(a, b, sign))


Rational = tuple[Poly, Poly]  # numerator, denominator


class _Parser(TokenCursor):
    """Recursive descent over formula tokens: integers, x, + - * / ^ (integer exponents), parentheses."""

    def expression(self) -> Rational:
        num, den = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            n2, d2 = self.term()
            num, den = _add(_mul(num, d2), _mul(n2, den), sign), _mul(den, d2)
        return num, den

    def term(self) -> Rational:
        num, den = self.unary()
        while True:
            tok = self.peek()
            if tok in ("*", "/"):
                self.take()
                n2, d2 = self.unary()
            elif tok is not None and (tok in ("(", "x") or tok[0].isdigit()):
                n2, d2 = self.power()
            else:
                return num, den
            if tok == "/":
                if not any(n2):
                    raise FormulaError("division by zero")
                n2, d2 = d2, n2
            num, den = _mul(num, n2), _mul(den, d2)

    def unary(self) -> Rational:
        if self.peek() == "-":
            self.take()
            num, den = self.unary()
            return [-c for c in num], den
        if self.peek() == "+":
            self.take()
        return self.power()

    def power(self) -> Rational:
        num, den = self.primary()
        if self.peek() != "^":
            return num, den
        self.take()
        exp = self.exponent()
        if exp < 0:
            num, den, exp = den, num, -exp
        if exp * max(len(num), len(den)) > MAX_DEGREE:
            raise FormulaError("exponent too large")
        rn, rd = [Fraction(1)], [Fraction(1)]
        for _ in range(exp):
            rn, rd = _mul(rn, num), _mul(rd, den)
        return rn, rd

    def primary(self) -> Rational:
        tok = self.take()
        if tok == "(":
            value = self.expression()
            self.take(")")
            return value
        if tok == "x":
            return [Fraction(0), Fraction(1)], [Fraction(1)]
        if tok.isdigit():
            return [Fraction(int(tok))], [Fraction(1)]
        raise FormulaError(f"unexpected {tok!r} in a generating function")


def parse_gf(text: str) -> Rational:
    """The rational function of an explicit expression in x; FormulaError if text remains that is
    not a separator (`,` `;` `.` or the words `in`, `for`, `with`, `where`)."""
    tokens = tokenize(text)
    parser = _Parser(tokens)
    num, den = parser.expression()
    rest = parser.peek()
    if rest is not None and rest.lower() not in (",", ";", ".", "in", "for", "with", "where", "and"):
        raise FormulaError(f"unexpected {rest!r} after the generating function")
    if not any(den):
        raise FormulaError("zero denominator")
    return num, den


def gfs_in_name(name: str) -> list[Rational]:
    """Every explicit rational g.f. stated in the name (after "Expansion of", "G.f.:", ...)."""
    out = []
    for m in _GF_START.finditer(name):
        text = name[m.end():]
        text = re.split(r"\s(?:in powers|for|with|where)\b|;", text)[0].strip().rstrip(".")
        try:
            num, den = parse_gf(text)
        except (FormulaError, RecursionError, ZeroDivisionError):
            continue
        if len(num) > 1 or len(den) > 1:
            out.append((num, den))
    return out


def gf_recurrence(num: Poly, den: Poly, shift: int) -> Recurrence | None:
    """The recurrence of the coefficients of x^shift, x^(shift+1), ... of num/den (integers only)."""
    if den[0] == 0:
        return None
    order = max(len(den) - 1, len(num) - shift, 1)
    coeffs_q = [-den[i] / den[0] if i < len(den) else Fraction(0) for i in range(1, order + 1)]
    head = series(num, den, shift + order)
    if head is None or any(c.denominator != 1 for c in head):
        return None
    if any(c.denominator != 1 for c in coeffs_q):
        return None
    initial = tuple(int(c) for c in head[shift:shift + order])
    return Recurrence(tuple(int(c) for c in coeffs_q), 1, initial)


def programs_for(target: Target) -> list[Program]:
    """Programs from the g.f.s in the target's name whose series reproduce its known terms."""
    out: dict[str, Program] = {}
    for num, den in gfs_in_name(target.name):
        for shift in dict.fromkeys((target.offset, 0)):
            if shift < 0:
                continue
            coeffs = series(num, den, shift + len(target.terms))
            if coeffs is None or [c for c in coeffs[shift:]] != [Fraction(t) for t in target.terms]:
                continue
            rec = gf_recurrence(num, den, shift)
            if rec is not None:
                prog = recurrence_program(rec, target.offset)
                out.setdefault(repr(prog.ops), prog)
    return list(out.values())


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Recurrence programs of the explicit rational generating functions in the target's name."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "gf", "from g.f. in name")
