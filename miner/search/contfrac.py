"""Continued fractions of quadratic irrationals named in the name: "Continued fraction for sqrt(N)",
"Numerators (Denominators) of continued fraction convergents to (A+sqrt(N))/M" and the like. The number is
read exactly, its partial quotients come from the integer recurrence of complete quotients (P+sqrt(D))/Q,
and the program runs that recurrence, so it holds for every term, however long the period.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset, shift_input
from miner.search.types import Candidate, SearchContext, Target

MAX_SKIP = 3  # leading list entries the sequence may start after (a(0) = a_1, ...)
MAX_RADICAND = 10**12

_CONVERGENTS = re.compile(r"^(numerators?|denominators?) (?:of|in) (?:the )?(?:simple )?(?:continued fraction )?"
                          r"(?:expansion )?(?:convergents )?(?:to|of|for) ", re.I)
_QUOTIENTS = re.compile(r"^(?:the )?(?:simple |regular )?continued fraction (?:expansion )?(?:for|of) ", re.I)
_WORDS = (("golden ratio", "(1+sqrt(5))/2"), ("silver mean", "1+sqrt(2)"), ("silver ratio", "1+sqrt(2)"))


@dataclass(frozen=True)
class Quadratic:
    """x = (p + sqrt(d)) / q with q dividing d - p^2 and d not a square (every real quadratic irrational)."""

    p: int
    d: int
    q: int


def _squarefree(n: int) -> tuple[int, int]:
    """(k, s) with n = k^2 * s, s squarefree-ish (small factors removed; enough to compare radicands)."""
    k, s = 1, n
    for f in range(2, 1000):
        while s % (f * f) == 0:
            s //= f * f
            k *= f
    return k, s


class _Parser:
    """Recursive descent over + - * / ^2, integers, sqrt(...) and parentheses into a + b*sqrt(radicand)."""

    def __init__(self, text: str) -> None:
        self.tokens = re.findall(r"sqrt|\d+|[-+*/()^]", text)
        if "".join(self.tokens) != re.sub(r"\s+", "", text):
            raise ValueError(text)
        self.i = 0
        self.radicand = 0

    def peek(self) -> str:
        return self.tokens[self.i] if self.i < len(self.tokens) else ""

    def take(self, token: str | None = None) -> str:
        got = self.peek()
        if not got or (token is not None and got != token):
            raise ValueError(token)
        self.i += 1
        return got

    def expr(self) -> tuple[Fraction, Fraction]:
        a, b = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            c, d = self.term()
            a, b = a + sign * c, b + sign * d
        return a, b

    def term(self) -> tuple[Fraction, Fraction]:
        a, b = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()
            c, d = self.unary()
            if op == "*":
                if b and d:
                    raise ValueError("product of surds")
                a, b = a * c, a * d + b * c
            else:
                if d or not c:
                    raise ValueError("division by a surd")
                a, b = a / c, b / c
        return a, b

    def unary(self) -> tuple[Fraction, Fraction]:
        if self.peek() == "-":
            self.take()
            a, b = self.unary()
            return -a, -b
        return self.atom()

    def atom(self) -> tuple[Fraction, Fraction]:
        token = self.take()
        if token == "(":
            value = self.expr()
            self.take(")")
            return value
        if token == "sqrt":
            self.take("(")
            a, b = self.expr()
            self.take(")")
            if b or a <= 0:
                raise ValueError("sqrt of a surd")
            k, s = _squarefree(a.numerator * a.denominator)
            if s == 1:
                return Fraction(k, a.denominator), Fraction(0)
            if self.radicand not in (0, s):
                raise ValueError("two radicands")
            self.radicand = s
            return Fraction(0), Fraction(k, a.denominator)
        if token.isdigit():
            return Fraction(int(token)), Fraction(0)
        raise ValueError(token)


def quadratic(text: str) -> Quadratic | None:
    """The quadratic irrational an expression such as `(sqrt(37)-4)/3` or `5*sqrt(2)` writes, else None."""
    text = text.strip().rstrip(".").strip()
    for word, expr in _WORDS:
        if text.lower() == word:
            text = expr
    try:
        parser = _Parser(text)
        a, b = parser.expr()
        if parser.peek():
            return None
    except (ValueError, ZeroDivisionError):
        return None
    if not b:
        return None
    c = math.lcm(a.denominator, b.denominator)
    big_a, big_b = int(a * c), int(b * c)
    sign = 1 if big_b > 0 else -1
    # (A + B sqrt(r)) / c = (sA + sqrt(B^2 r)) / (sc); then scaled by |sc| so that q divides d - p^2
    p, d, q = sign * big_a, big_b * big_b * parser.radicand, sign * c
    p, d, q = p * abs(q), d * q * q, q * abs(q)
    if d > MAX_RADICAND:
        return None
    return Quadratic(p, d, q)


def _floor(p: int, r: int, q: int) -> int:
    """floor((p + sqrt(d)) / q) for non-square d with r = isqrt(d)."""
    return (p + r) // q if q > 0 else -((p + r) // -q + 1)


def expansion(x: Quadratic, count: int) -> tuple[list[int], list[int], list[int]] | None:
    """The first `count` partial quotients a_0.. and convergents' numerators and denominators p_-1, p_0.. and
    q_-1, q_0..; None if x is not in the program's form (a complete quotient after the first with q <= 0)."""
    r = math.isqrt(x.d)
    p, q = x.p, x.q
    quotients = [_floor(p, r, q)]
    for _ in range(count - 1):
        p = quotients[-1] * q - p
        q = (x.d - p * p) // q
        if q <= 0:
            return None
        quotients.append((p + r) // q)
    nums, dens = [0, 1], [1, 0]
    for a in quotients:
        nums.append(a * nums[-1] + nums[-2])
        dens.append(a * dens[-1] + dens[-2])
    return quotients, nums[1:], dens[1:]


def program(x: Quadratic, kind: str, skip: int, offset: int) -> Program:
    """Term n is entry n - offset + skip of the list: a_0, a_1.. (kind "a"), p_-1, p_0.. ("p") or q_-1, q_0.. ("q").
    Pass j turns convergent j-2 and j-1 into j-1 and j with a_(j-1), then finds a_j from (P, Q)."""
    r = math.isqrt(x.d)
    a0 = _floor(x.p, r, x.q)
    out = {"a": 3, "p": 5, "q": 7}[kind]
    # $1, $2: P, Q; $3: a; $4, $5: p_(j-2), p_(j-1); $6, $7: q_(j-2), q_(j-1)
    lines = [f"mov $1,{x.p}", f"mov $2,{x.q}", f"mov $3,{a0}", "mov $5,1", "mov $6,1",
             "lpb $0",
             "  sub $0,1",
             "  mov $8,$5", "  mul $8,$3", "  add $8,$4", "  mov $4,$5", "  mov $5,$8",
             "  mov $8,$7", "  mul $8,$3", "  add $8,$6", "  mov $6,$7", "  mov $7,$8",
             "  mul $3,$2", "  sub $3,$1", "  mov $1,$3",
             "  pow $3,2", f"  mov $9,{x.d}", "  sub $9,$3", "  div $9,$2", "  mov $2,$9",
             "  mov $3,$1", f"  add $3,{r}", "  div $3,$2",
             "lpe",
             f"mov $0,${out}"]
    code = parse("\n".join(lines) + "\n", "contfrac").ops
    # p_-1 and q_-1 are entry 0 of their lists; a_0 is entry 0 of the quotients and comes after pass 0
    return at_offset(shift_input(code, skip), offset)


def _number(text: str) -> Quadratic | None:
    """The number at the start of `text` ("sqrt(75) (or 5*sqrt(3))."): its longest prefix of words that reads."""
    words = text.split()
    for k in range(min(len(words), 6), 0, -1):
        x = quadratic(" ".join(words[:k]).rstrip(".,;"))
        if x is not None:
            return x
    return None


def parse_name(name: str) -> list[tuple[str, Quadratic]]:
    """(kind, number) the name states: partial quotients ("a"), numerators ("p") or denominators ("q")."""
    name = name.strip()
    m = _CONVERGENTS.match(name)
    # the pattern's middle words are all optional: "Numerators of X" alone is not about a continued fraction
    if m and re.search("convergent|fraction", m[0], re.I):
        x = _number(name[m.end():])
        return [("p" if m[1].lower().startswith("num") else "q", x)] if x is not None else []
    m = _QUOTIENTS.match(name)
    if m:
        x = _number(name[m.end():])
        return [("a", x)] if x is not None else []
    return []


def programs_for(target: Target) -> list[Program]:
    """A program for each reading of the name whose list gives the known terms from some entry on."""
    out: list[Program] = []
    n = len(target.terms)
    if not n:
        return out
    for kind, x in parse_name(target.name):
        lists = expansion(x, n + MAX_SKIP + 1)
        if lists is None:
            continue
        values = {"a": lists[0], "p": lists[1], "q": lists[2]}[kind]
        for skip in range(MAX_SKIP + 1):
            if values[skip:skip + n] == list(target.terms):
                out.append(program(x, kind, skip, target.offset))
                break
    return out


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named continued fraction's program when its list gives the known terms."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "contfrac", "from name")
