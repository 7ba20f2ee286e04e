"""Infinite products a name states: "Expansion of Product_{k>=1} ((1 + x^k)/(1 - x^k))^sigma(k)",
"Product_{k>=1} (1 - k*x^k)^k", "Product_{k>=2} 1/(1 + x^(k^2))", "Product_{k>=1} ((1 + (9*x)^k)/(1 -
(9*x)^k))^(1/3)". Each factor (1 + s*c(k)*x^m(k))^e(k) adds e*m*(-1)^(j+1)*(s*c)^j to the coefficient
c(m*j) of x*P'/P, and n*a(n) = sum_{t=1..n} c(t) a(n-t) (the Euler transform's convolution, shared with
`euler`) gives the series exactly for every n. The product is computed in Python first: only a name whose
series is integral and gives the known terms becomes a program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any, Iterator

from miner.lang.evaluator import evaluate
from miner.lang.formatter import format_program
from miner.lang.program import Program
from miner.search.build import add_const, at_offset
from miner.search.euler import ARRAY, series_code, series_terms
from miner.search.formula import ExpressionParser, FormulaError, Node, compile_formula, inline_formula, tokenize
from miner.search.types import Candidate, SearchContext, Target

_START = re.compile(r"^(?:.*?:\s*)?(?:Expansion of|G\.f\.:?|G\.f\. is|G\.f\. =|Coefficients in (?:the )?expansion of)\s+"
                    r"(1\s*/\s*)?Product_\{\s*([a-z])\s*(>=|>)\s*(\d+)\s*\}\s*(.+?)\s*"
                    r"(?:,? in powers of [xq])?(?:(?:[.;,]\s*|\s+)(?:where|with|also|see)\b.*|[.;]\s*[A-Z].*)?\.?$")
# sigma_j(k), the sum of the j-th powers of the divisors, by its A-number (the grammar has no subscripts).
_SIGMA = {"sigma_0": "A000005", "sigma_1": "A000203", "sigma_2": "A001157", "sigma_3": "A001158"}
SCRATCH = 30  # cells from here on: the factor expressions' scratch (below ARRAY)
MIN_TERMS = 6


@dataclass(frozen=True)
class Factor:
    """(1 + sign * coef(k) * x^power(k))^exponent(k), k from the product's first index on."""

    sign: int
    coef: Node
    power: Node
    exponent: Node


@dataclass(frozen=True)
class Product:
    """Product_{k >= first} of the factors (inverted: every exponent negated)."""

    first: int
    factors: tuple[Factor, ...]


ONE = Node("num", 1)


def _times(a: Node, b: Node) -> Node:
    return b if a == ONE else a if b == ONE else Node("op", "*", (a, b))


class _FactorParser(ExpressionParser):
    """Products and quotients of (1 +- c*x^m) powers; c, m and the exponents are formulas in n."""

    def factors(self) -> list[Factor]:
        out = self.unit()
        while self.peek() in ("*", "/", "("):
            op = self.take() if self.peek() != "(" else "*"
            more = self.unit()
            out += [Factor(f.sign, f.coef, f.power, Node("neg", None, (f.exponent,))) for f in more] \
                if op == "/" else more
        return out

    def unit(self) -> list[Factor]:
        if self.peek() == "1":
            self.take()
            return []
        self.take("(")
        start = self.pos
        try:
            inner = [self.binomial()]
        except FormulaError:
            self.pos = start
            inner = self.factors()
        self.take(")")
        if self.peek() == "^":
            self.take()
            exponent = self.unary_power()
            inner = [Factor(f.sign, f.coef, f.power, _times(f.exponent, exponent)) for f in inner]
        return inner

    def binomial(self) -> Factor:
        self.take("1")
        op = self.take()
        if op not in ("+", "-"):
            raise FormulaError("not 1 +- c*x^m")
        sign = 1 if op == "+" else -1
        coef, power = self.monomial()
        if self.peek() != ")":
            raise FormulaError("more than one monomial")
        return Factor(sign, coef, power, ONE)

    def monomial(self) -> tuple[Node, Node]:
        if self.peek() == "(":  # (c*x)^m
            self.take()
            coef = self.coefficient()
            self.take(")")
            self.take("^")
            power = self.postfix()
            return Node("op", "^", (coef, power)), power
        coef = self.coefficient()
        if self.peek() != "^":
            return coef, ONE
        self.take()
        return coef, self.postfix()

    def coefficient(self) -> Node:
        """The factors before x (x itself taken): ONE when there are none."""
        coef = ONE
        while self.peek() not in ("x", "q"):
            if self.peek() == "*":
                self.take()
                continue
            coef = _times(coef, self.power())
        self.take()
        return coef


def parse_name(name: str) -> Product | None:
    """The infinite product the name's g.f. is, or None."""
    m = _START.match(name.strip())
    if not m:
        return None
    inverted, var, strict, first, body = bool(m[1]), m[2], m[3] == ">", int(m[4]), m[5]
    for word, a_number in _SIGMA.items():
        body = body.replace(word + "(", a_number + "(")
    body = re.sub(r"\{?F_([a-z])\}?", r"Fibonacci(\1)", body)
    try:
        tokens = ["n" if t == var else t for t in tokenize(body)]
        parser = _FactorParser(tokens, ("n",))
        factors = parser.factors()
    except (FormulaError, RecursionError):
        return None
    if parser.peek() is not None or not factors:
        return None
    if inverted:
        factors = [Factor(f.sign, f.coef, f.power, Node("neg", None, (f.exponent,))) for f in factors]
    return Product(first + strict, tuple(factors))


def _fraction(node: Node) -> tuple[Node, Node]:
    """The node as numerator / denominator (divisions lifted out of products and negations)."""
    if node.kind == "op" and node.value == "/":
        (a, b), (c, d) = _fraction(node.args[0]), _fraction(node.args[1])
        return _times(a, d), _times(b, c)
    if node.kind == "op" and node.value == "*":
        (a, b), (c, d) = _fraction(node.args[0]), _fraction(node.args[1])
        return _times(a, c), _times(b, d)
    if node.kind == "neg":
        a, b = _fraction(node.args[0])
        return Node("neg", None, (a,)), b
    return node, ONE


def _values(node: Node, first: int, count: int, corpus: Any) -> list[int] | None:
    """The node at n = first, first+1, ... (count values), by its compiled program; None on an error."""
    try:
        return [int(v) for v in evaluate(compile_formula(node, first), count, corpus=corpus)]
    except Exception:  # noqa: BLE001 - a formula outside the evaluator's reach is no candidate
        return None


@dataclass(frozen=True)
class _Plan:
    """The exact series and what the program needs: per factor (sign, coef, power, numerator, denominator)
    nodes, and the common constant denominator."""

    series: list[int]
    parts: tuple[tuple[int, Node, Node, Node, Node], ...]
    den: int


def plan(product: Product, count: int, corpus: Any = None) -> _Plan | None:
    """The first `count` coefficients of the product, computed in Python, or None if a factor is undefined,
    a coefficient is not an integer or the program's integer steps would not be exact."""
    first, kmax = product.first, product.first + count + 2
    parts, den = [], 1
    table = []
    for f in product.factors:
        num, dnm = _fraction(f.exponent)
        columns = [_values(node, first, kmax - first + 1, corpus) for node in (f.coef, f.power, num, dnm)]
        if any(column is None for column in columns):
            return None
        coefs, powers, nums, dens = [column or [] for column in columns]
        if any(d == 0 for d in dens) or any(p < 1 or p < k - 2 for k, p in zip(range(first, kmax + 1), powers)):
            return None  # an undefined exponent, or powers too small for the program's range of k
        constant = dnm.kind == "num" or (dnm.kind == "neg" and dnm.args[0].kind == "num")
        if constant:
            den = lcm(den, abs(dens[0]))
        parts.append((f.sign, f.coef, f.power, num, dnm))
        table.append((f.sign, coefs, powers, nums, dens, constant))
    c = [Fraction(0)] * count
    for sign, coefs, powers, nums, dens, constant in table:
        for i, m in enumerate(powers):
            weight = Fraction(nums[i] * m * den, dens[i])
            if not constant and weight.denominator != 1:
                return None  # the program divides by the exponent's denominator k by k
            for j in range(1, (count - 1) // m + 1):
                c[m * j] += weight * (-1) ** (j + 1) * (sign * coefs[i]) ** j
    series = series_terms(c, count, den)
    return None if series is None else _Plan(series, tuple(parts), den)


def _expression(node: Node, dest: int) -> list[str]:
    """LODA lines setting $dest to the node at n = $2 (scratch from SCRATCH on)."""
    return format_program(Program(inline_formula(node, 2, dest, SCRATCH))).strip().splitlines()


def program(p: _Plan, first: int, shift: int, offset: int) -> Program:
    """a(n) = [x^(n - offset + shift)] of the product: c(t) sieved factor by factor, k from `first` to
    the index + 2 (k descends; the pass lpb undoes sees k clamped to `first`), then the convolution."""
    # $3 counts the passes down from i + 3; k = $3 + first runs from first + i + 2 down to first.
    sieve = ["mov $1,$0", "mov $3,$1", "add $3,3", "lpb $3", "  sub $3,1",
             "  mov $2,$3", f"  add $2,{first}", f"  max $2,{first}"]
    for sign, coef, power, num, dnm in p.parts:
        sieve += [*_expression(power, 5), *_expression(coef, 6), *_expression(num, 7), *_expression(dnm, 8),
                  f"  mul $6,{sign}",
                  # w = e * m * den: the weight of x^(m*j) before (-1)^(j+1) (s*c)^j
                  "  mov $11,$7", "  mul $11,$5", f"  mul $11,{p.den}", "  div $11,$8",
                  # j runs from i/m down to 1; the pass lpb undoes has j = 0 and writes c(0)
                  "  mov $9,$1", "  div $9,$5",
                  "  lpb $9",
                  "    mov $13,$6", "    pow $13,$9", "    mul $13,$11",
                  "    mov $14,-1", "    pow $14,$9", "    mul $13,$14", "    mul $13,-1",
                  "    mov $15,$5", "    mul $15,$9", "    mul $15,2", f"    add $15,{ARRAY}", "    add $$15,$13",
                  "    sub $9,1",
                  "  lpe"]
    sieve += ["lpe", f"mov ${ARRAY},0"]  # c(0), written by the undone passes, is no coefficient
    return at_offset([*add_const(0, shift), *series_code(sieve, den=p.den)], offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The product's program when its series gives the known terms (the series index shifted by 0 or the
    offset, whichever fits)."""
    product = parse_name(target.name)
    terms = target.terms
    if product is None or len(terms) < MIN_TERMS:
        return []
    p = plan(product, len(terms) + target.offset + 1, corpus)
    if p is None:
        return []
    for shift in dict.fromkeys((0, target.offset)):
        if p.series[shift: shift + len(terms)] == list(terms):
            return [program(p, product.first, shift, target.offset)]
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named product's program when it gives the known terms."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "products", "from name")
