"""Generating functions the name states: "Expansion of e.g.f. tan(tan(tan(x)))", "E.g.f.: -log(1 - x) * (sec(x) +
tan(x))", "a(n) = (2*n)! * [x^(2*n)] cosh(x)^3 / cos(x)", "E.g.f. sin(sinh(x)) (odd powers only)", equations
"E.g.f. satisfies A(x) = exp(x*A(x)^3)", "G.f. A(x) satisfies: A(x) = 1 + x*A(x^2) + x^2*A(x)^2", "G.f. A(x)
satisfies (1-3*x)*A(x) + A(x^3) = x" (solved for A(x); the recurrences run n + 1 times, each run fixing one more
coefficient), and o.g.f.s beyond rational functions ("Expansion of (1-4*x)^(-1/2)", "G.f.: (1 - sqrt(1 - 4*x))/(2*x)",
where o.g.f. recurrences divide by m).
An o.g.f. may hold series given term by term: a cited sequence's g.f. ("1/((1-3x*c(x))(1-x^2*c(x))), c(x) the
g.f. of A000108", "g^7/(6-5*g)^4, where g = 1+x*g^6 is the g.f. of A002295"; its terms by `seq`), a sum of
terms ("(Sum_{k>=0} binomial(4*k,k) * x^k)^5", "Sum_{k>=0} k*q^(k^2)"; the coefficient formula compiled by
`formula` into the loop) and the Eisenstein series E_2, E_4, ..., E_14; an e.g.f. may hold such an o.g.f.
("exp(x*G(x)) where G(x) = 1 + x*G(x)^3 is the g.f. of A001764"; its array is m! times the terms).

Every series is kept as its integer e.g.f. coefficients h(m) = m! [x^m] h, m = 0..M, and each operation has a
recurrence on them: products are binomial convolutions; exp, log, powers, sin/cos and sinh/cosh follow from
the differential equations h' = g' h, g h' = g', g h' = r g' h, (s, c)' = (c, -s) g'; the inverse functions
integrate g' times a power of 1 -+ g^2. The program fills one array per node of the expression (interleaved
in memory) up to the index wanted. The same recurrences run in Python first, in exact fractions: a name
becomes a program only when every array holds integers (the program divides exactly) and the known terms
agree.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb, factorial, isqrt
from typing import Any, Callable, Iterator, Mapping

from miner.lang import Limits
from miner.lang.parser import parse
from miner.lang.program import Program
from miner.lang.formatter import format_program
from miner.lang.program import INDIRECT
from miner.search.build import largest_cell
from miner.search.formula import (ExpressionParser, FormulaError, Node, aligned, constant_value, first_index,
                                  inline_formula, parse_formula, renamed, tokenize, uses)
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 8
MAX_NODES = 40
MAX_CELLS = Limits().max_memory  # LODA's memory (loda-cpp's max_memory)
BASE = 30  # first array cell: coefficient m of node i is at base + m * nodes + i (LODA allows 2,000 cells)
INLINE = 16  # a series' coefficient formula f(k) is computed into $16, its other cells from BASE on (arrays after)
_FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tan", "sec", "sinh", "cosh", "tanh", "sech",
              "arcsin", "arctan", "arcsinh", "arctanh", "asin", "atan", "asinh", "atanh")
_ALIASES = {"asin": "arcsin", "atan": "arctan", "asinh": "arcsinh", "atanh": "arctanh"}
_NAME = re.compile(r"^(?:expansion of )?e\.g\.f\.?:? (?:is )?(?P<f>.+?)(?P<part>,? \((?:even|odd) (?:powers|terms) only\)"
                   r"|,? (?:even|odd) (?:powers|terms) only)?\.?$", re.I)
_EQUATION = re.compile(r"^(?P<kind>e\.g\.f\.?|g\.f\.?)(?: A\(x\))? satisf(?:ies|y)(?: the (?:functional )?equation)?:? "
                       r"A\(x\) = (?P<f>.+?)\.?$", re.I)
# An o.g.f. stated outright: only names `gf` does not read (a function or a fractional power in it).
_OGF = re.compile(r"^(?:expansion of (?:g\.f\.:? )?|g\.f\.:? |coefficients (?:in|of) (?:the )?(?:q-)?expansion of )"
                  r"(?P<f>.+?)(?: in powers of [xq])?\.?$", re.I)
# "a(n) = n! * [x^n] ...", and without the factorial the o.g.f.'s coefficient "a(n) = [x^n] ..."
_COEFF = re.compile(r"^a\(n\) = (?:(?P<fact>\(2\*?n\)|n|\(2\*?n ?\+ ?1\))! ?\*? ?)?\[x\^(?P<pow>\(2\*?n\)|n|\(2\*?n ?\+ ?1\))\] "
                    r"(?P<f>.+?)\.?$", re.I)


class _Parser(ExpressionParser):
    """Formula grammar in x with the elementary functions, `Sum_{k>=0} f(k)*x^k` and the letters `bound` to a
    sequence's g.f."""

    def __init__(self, tokens: list[str], bound: dict[str, int] | None = None) -> None:
        super().__init__(tokens, ("x",))
        self.bound = bound or {}

    def _starts_factor(self, tok: str) -> bool:
        return (tok in self.bound or (tok.lower() in _FUNCTIONS and self.peek(1) == "(")
                or super()._starts_factor(tok))

    def primary(self) -> Node:
        tok = self.peek() or ""
        if tok == "E" and self.peek(1) == "_" and self.peek(2) in _EISENSTEIN:  # E_4 = 1 + 240 Sum sigma_3(n) q^n
            self.pos += 3
            scale, power = _EISENSTEIN[self.tokens[self.pos - 1]]
            series = Node("series", (1, 1, 1), (parse_formula(f"{scale}*sigma_{power}(n)"),))
            node = Node("op", "+", (Node("num", 1), series))
            if self.peek() == "(":
                arg = self._call_args(1)[0]
                monomial = _monomial(arg)
                if monomial is None or monomial[0] != 1:
                    raise FormulaError("an Eisenstein series of other than x^k")
                node = Node("op", "+", (Node("num", 1), Node("series", (1, monomial[1], 1), series.args)))
            return node
        if tok in self.bound:  # c(x), c(x^2), c(4*x), g
            self.take()
            arg = self._call_args(1)[0] if self.peek() == "(" else Node("var", "x")
            return Node("gfof", self.bound[tok], (arg,))
        if tok.lower() == "sum" and self.tokens[self.pos + 1:self.pos + 3] == ["_", "{"] and self.peek(4) == ">=":
            return self._power_series()
        if tok == "A" and self.peek(1) == "(":
            return self._self_series()
        if tok.lower() in _FUNCTIONS and self.peek(1) == "(":
            self.take()
            name = tok.lower()
            return Node("call", _ALIASES.get(name, name), tuple(self._call_args(1)))
        return super().primary()

    def _power_series(self) -> Node:
        """`Sum_{k>=k0} f(k) * x^(c*k^p)`: Node("series", (k0, c, p), (f in n,))."""
        self.pos += 3
        var = self.take() or ""
        if not re.fullmatch(r"[a-wyz]", var) or var in self.variables:
            raise FormulaError(f"bad summation variable {var!r}")
        self.take(">=")
        first = self.take() or ""
        if not first.isdigit():
            raise FormulaError("a series from a number")
        self.take("}")
        self.variables.append(var)
        body = self.term()
        self.variables.pop()
        factors = _factors(body)
        powers = [f for f in factors if uses(f, "x")]
        if len(powers) != 1 or not (powers[0].kind == "op" and powers[0].value == "^" and powers[0].args[0] == Node("var", "x")):
            raise FormulaError("a series term is f(k) * x^e(k)")
        c, p = _exponent(powers[0].args[1], var)
        coefficient = Node("num", 1)
        for f in factors:
            if f is not powers[0]:
                coefficient = f if coefficient == Node("num", 1) else Node("op", "*", (coefficient, f))
        return Node("series", (int(first), c, p), (renamed(coefficient, var),))

    def _self_series(self) -> Node:
        """A(x), A(x^k), A(c*x), A(-x) (Node("selfref", None, (argument,))): the series the equation defines."""
        self.take("A")
        return Node("selfref", None, tuple(self._call_args(1)))


# Eisenstein series E_k = 1 - (2k/B_k) Sum_{n>=1} sigma_{k-1}(n) q^n, those with integer coefficients
_EISENSTEIN = {"2": (-24, 1), "4": (240, 3), "6": (-504, 5), "8": (480, 7), "10": (-264, 9), "14": (-24, 13)}


def _factors(node: Node) -> list[Node]:
    if node.kind == "op" and node.value == "*":
        return _factors(node.args[0]) + _factors(node.args[1])
    return [node]


def _exponent(node: Node, var: str) -> tuple[int, int]:
    """(c, p) of an exponent c*k^p (c, p >= 1) in the summation variable k."""
    k = Node("var", var)
    c = 1
    if node.kind == "op" and node.value == "*" and node.args[0].kind == "num":
        c, node = node.args[0].value, node.args[1]
    if node == k:
        p = 1
    elif node.kind == "op" and node.value == "^" and node.args[0] == k and node.args[1].kind == "num":
        p = node.args[1].value
    else:
        raise FormulaError("an exponent other than c*k^p")
    if c < 1 or p < 1:
        raise FormulaError("an exponent below 1")
    return c, p


# "c(x) the g.f. of A000108", "where g = 1+x*g^4 is the g.f. of A002293", "where A(x) is g.f. of n^n (A000312)",
# "C(x) = 1 + x*C(x)^2 is the Catalan function (A000108)": a letter standing for a sequence's o.g.f.
_CLAUSES = re.compile(r",?\s+(?:where|with)\s+|,\s+(?=[A-Za-z](?:\(x\))?\s+(?:is\s+)?the\s+(?:o\.)?g\.f\.)")
_BINDING = re.compile(r"(?P<sym>[A-Za-z][a-z]*)(?:\(x\))?\s*(?:=\s*[^,;]+?\s+)?(?:is\s+)?(?:the\s+)?"
                      r"(?:(?:o\.)?g\.f\.\s+(?:of\s+)?(?:[^,;()]*?\s)?\(?(?P<a>A\d{6})\)?|[^,;()]*?\((?P<b>A\d{6})\))\.?$")


def bindings(text: str) -> tuple[str, dict[str, int]]:
    """The formula before its where-clauses and the letters they bind to a sequence's g.f. (none, and the
    text as it is, unless every clause binds one)."""
    m = _CLAUSES.search(text)
    if m is None:
        return text, {}
    bound = {}
    for clause in re.split(r",\s*|;\s*|\s+and\s+", text[m.end():].strip().rstrip(".")):
        b = _BINDING.match(clause.strip())
        if b is None:
            return text, {}
        bound[b["sym"]] = int((b["a"] or b["b"])[1:])
    return text[:m.start()], bound


@dataclass(frozen=True)
class Egf:
    """The e.g.f.'s expression (or the o.g.f.'s, with `ogf`) and which coefficients the terms are: a(n) =
    h(step * n + start); in an equation A(x) = F(x, A(x)), `init` is A(0) to start from."""

    node: Node
    step: int = 1
    start: int = 0
    ogf: bool = False
    init: int = 0
    # "Expansion of F" says not which: old names mean an e.g.f. by it as often as an o.g.f.
    either: bool = False


# "Theta series of direct sum of 3 copies of hexagonal lattice": a power of the lattice's theta series (the
# sequences of the lattices' own theta series)
_THETA_SUM = re.compile(r"^theta series of (?:the )?direct sum of (\d+) copies of (?:the )?(.+?) lattice"
                        r"(?: in powers of q\^?2?)?(?: \([^()]*\))?\.?$", re.I)
LATTICES = {"hexagonal": 4016, "planar hexagonal": 4016, "a_2": 4016, "d_4": 4011, "e_8": 4009, "f.c.c.": 4015,
            "face-centered cubic": 4015, "b.c.c.": 4013, "body-centered cubic": 4013, "square": 4018,
            "simple cubic": 5875, "cubic": 5875, "leech": 8408}


# "G.f. A(x) satisfies (1-3*x)*A(x) + A(x^3) = x": A(x) once, times a factor, on the left; solved for A(x)
_LINEAR = re.compile(r"^(?P<head>g\.f\.?(?: A\(x\))? satisf(?:ies|y):? )\((?P<p>[^()]+)\)\s*\*?\s*A\(x\)\s*(?P<sign>[-+])\s*"
                     r"(?P<q>[^=]+?)\s*=\s*(?P<r>[^=]+?)\.?$", re.I)


def parse_name(name: str) -> Egf | None:
    """The e.g.f. the name states, or None."""
    # A(0) stated: the equations are tried from A(0) = 1 and 0 anyway (`propose`), the terms decide
    text = re.sub(r",? (?:with|where|and) A\(0\) = -?\d+\.?$", "", name.strip())
    if (lin := _LINEAR.match(text)) and "A(x)" not in lin["q"] + lin["r"]:
        other = "-" if lin["sign"] == "+" else "+"
        text = f"{lin['head']}A(x) = (({lin['r']}) {other} ({lin['q']}))/({lin['p']})"
    if (t := _THETA_SUM.match(text)) and t[2].lower() in LATTICES:
        theta = Node("gfof", LATTICES[t[2].lower()], (Node("var", "x"),))
        return Egf(Node("op", "^", (theta, Node("num", int(t[1])))), ogf=True)
    m, eq = _NAME.match(text), _EQUATION.match(text)
    c = _COEFF.match(text) if m is None else None
    o = _OGF.match(text) if m is None and eq is None and c is None else None
    ogf = bool(eq and eq["kind"].lower().startswith("g")) or o is not None or bool(c and not c["fact"])
    step, start = 1, 0
    if eq is not None:
        formula = eq["f"]
    elif m is not None:
        formula, part = m["f"], (m["part"] or "").lower()
        step, start = (2, 0) if "even" in part else (2, 1) if "odd" in part else (1, 0)
    elif c is not None:
        power = c["pow"].replace("*", "").replace(" ", "")
        fact = c["fact"].replace("*", "").replace(" ", "") if c["fact"] else power
        if fact != power:
            return None
        formula = c["f"]
        step, start = {"n": (1, 0), "(2n)": (2, 0), "(2n+1)": (2, 1)}[fact]
    elif o is not None:
        formula = o["f"]
    else:
        return None
    formula, bound = bindings(formula)
    if eq is not None:
        bound.pop("A", None)  # A(x) is the series the equation defines
    # what follows the expression: its expansion written out ("= 1 + 1/2!*x^2 + ..."), zeros left out (a
    # reading the terms pick anyway), another sentence
    formula = re.split(r"\s*(?<![<>!])=|,? zeros omitted|\. [A-Z]", formula)[0]
    if re.search(r"\b(?:where|satisf|revers|product_|prod_)", formula, re.I):
        return None
    if o is not None and not re.search(r"\bx\b", formula):
        formula = re.sub(r"\bq\b", "x", formula)  # "( Sum_{k>=0} k*q^(k^2) )^3"
    try:
        parser = _Parser(tokenize(formula), bound)
        node = parser.expression()
        if parser.peek() is not None:
            return None
        plan = _plan(node)
    except (FormulaError, RecursionError, ZeroDivisionError, KeyError, ValueError):
        return None
    if plan.recursive != (eq is not None) or (o is not None and not _beyond_rational(plan)):
        return None
    either = o is not None and not re.match(r"(?:expansion of )?g\.f", text, re.I)
    return Egf(node, step, start, ogf, either=either)


def _beyond_rational(plan: Plan) -> bool:
    """Whether a series is more than a rational function (the `gf` strategy's)."""
    return any(s.op in ("exp", "log", "sincos", "der", "int", "series", "seqgf")
               or (s.op == "pow" and s.value.denominator > 1) for s in plan.steps)


# --- the expression as a list of array operations -----------------------------------------------------

@dataclass
class Step:
    """One array: op over the arrays `args` (earlier steps), with a constant `value` (a number, an
    exponent, a sign)."""

    op: str
    args: tuple[int, ...] = ()
    value: Any = None


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    cache: dict[Any, int] = field(default_factory=dict)
    # derivatives taken: the arrays must reach that many coefficients beyond the one wanted
    extra: int = 0
    result: int = -1
    # cells from BASE on that inline coefficient formulas use; the arrays start after them
    scratch: int = 0

    @property
    def base(self) -> int:
        return BASE + self.scratch

    @property
    def recursive(self) -> bool:
        """Whether the expression holds A(x) itself (a functional equation, solved by iterating)."""
        return any(step.op == "self" for step in self.steps)

    def add(self, op: str, args: tuple[int, ...] = (), value: Any = None) -> int:
        key = (op, args, value)
        if key not in self.cache:
            if len(self.steps) >= MAX_NODES:
                raise FormulaError("too many operations")
            self.steps.append(Step(op, args, value))
            self.cache[key] = len(self.steps) - 1
        return self.cache[key]


def _monomial(node: Node) -> tuple[Fraction, int] | None:
    """(c, k) when the node is c * x^k, k >= 1."""
    if node == Node("var", "x"):
        return Fraction(1), 1
    if node.kind == "neg" and (inner := _monomial(node.args[0])) is not None:
        return -inner[0], inner[1]
    if node.kind == "op" and node.value == "^" and node.args[0] == Node("var", "x"):
        k = constant_value(node.args[1])
        return (Fraction(1), int(k)) if k is not None and k.denominator == 1 and k >= 1 else None
    if node.kind == "op" and node.value == "*":
        c, rest = constant_value(node.args[0]), _monomial(node.args[1])
        return (c * rest[0], rest[1]) if c is not None and c != 0 and rest is not None else None
    return None


@functools.lru_cache(maxsize=1024)
def _plan(node: Node) -> Plan:
    """The expression's steps (cached: every reading of a name and its program use the same; never changed)."""
    plan = Plan()
    plan.result = _compile(node, plan)
    if plan.recursive and (plan.extra or plan.steps[plan.result].op in ("self", "cos")):
        raise FormulaError("a derivative of A(x) or no equation")
    return plan


def _compile(node: Node, plan: Plan) -> int:
    """The step computing the node's series (raising FormulaError for what has no integer recurrence here)."""
    const = constant_value(node)
    if const is not None:
        return plan.add("const", (), const)
    kind = node.kind
    if kind == "var":
        return plan.add("x")
    if kind == "theta":
        return plan.add("theta", (), node.value)
    if kind == "gfof":  # a sequence's g.f. at x, x^k, c*x or c*x^k
        leaf = plan.add("seqgf", (), node.value)
        monomial = _monomial(node.args[0])
        if monomial is None or monomial[0].denominator != 1:
            raise FormulaError("a g.f. of other than c*x^k")
        c, k = monomial
        scaled = leaf if c == 1 else plan.add("dilate", (leaf,), int(c))
        return scaled if k == 1 else plan.add("subst", (scaled,), k)
    if kind == "series":
        first, c, p = node.value
        ops = inline_formula(node.args[0], 5, INLINE, BASE - 1)
        plan.scratch = max(plan.scratch, largest_cell(ops) + 1 - BASE)
        if any(o.source.kind == INDIRECT or o.target.kind == INDIRECT for o in ops):
            raise FormulaError("indirect cells in a coefficient formula")
        return plan.add("series", (), (format_program(Program(ops)), first, c, p))
    if kind == "selfref":  # at c*x^k, as a cited g.f.
        monomial = _monomial(node.args[0])
        if monomial is None or monomial[0].denominator != 1 or monomial[1] < 1:
            raise FormulaError("A(x) at other than c*x^k")
        c, k = monomial
        own = plan.add("self")
        scaled = own if c == 1 else plan.add("dilate", (own,), int(c))
        return scaled if k == 1 else plan.add("subst", (scaled,), k)
    if kind == "neg":
        return plan.add("scale", (_compile(node.args[0], plan),), Fraction(-1))
    if kind == "op":
        a, b = node.args
        if node.value in ("+", "-"):
            return plan.add(node.value, (_compile(a, plan), _compile(b, plan)))
        if node.value == "*":
            ca, cb = constant_value(a), constant_value(b)
            if ca is not None or cb is not None:
                scalar, other = (ca, b) if ca is not None else (cb, a)
                return plan.add("scale", (_compile(other, plan),), scalar)
            ma, mb = _monomial(a), _monomial(b)
            if ma is not None or mb is not None:  # c x^k f: f's coefficients k places up, no convolution
                (c, k), other = (ma, b) if ma is not None else (mb, a)  # type: ignore[misc]
                return plan.add("up", (_compile(other, plan),), (c, k))
            return plan.add("mul", (_compile(a, plan), _compile(b, plan)))
        if node.value == "/":
            cb = constant_value(b)
            if cb is not None and cb != 0:
                return plan.add("scale", (_compile(a, plan),), 1 / cb)
            monomial = _monomial(b)
            if monomial is not None:  # f / (c x^k): f's coefficients k places down (k more of them computed)
                c, k = monomial
                plan.extra += k
                return plan.add("scale", (plan.add("down", (_compile(a, plan),), k),), 1 / c)
            # the quotient's own recurrence: integral whenever the quotient is, unlike 1/b when b(0) is not 1
            return plan.add("div", (_compile(a, plan), _compile(b, plan)))
        if node.value == "^":
            r = constant_value(b)
            if r is None:  # a^b = exp(b log a)
                return plan.add("exp", (plan.add("mul", (_compile(b, plan), plan.add("log", (_compile(a, plan),)))),))
            base = _compile(a, plan)
            if r.denominator == 1 and 0 <= r <= 24:
                return _integer_power(plan, base, int(r))
            return plan.add("pow", (base,), r)
        raise FormulaError(f"operator {node.value}")
    if kind == "call":
        name, g = node.value, _compile(node.args[0], plan)
        if name == "exp":
            return plan.add("exp", (g,))
        if name == "log":
            return plan.add("log", (g,))
        if name == "sqrt":
            return plan.add("pow", (g,), Fraction(1, 2))
        if name in ("sin", "cos", "sinh", "cosh", "tan", "sec", "tanh", "sech"):
            sin, cos = _sincos(plan, g, 1 if name in ("sinh", "cosh", "tanh", "sech") else -1)
            if name in ("sin", "sinh"):
                return sin
            if name in ("cos", "cosh"):
                return cos
            if name in ("sec", "sech"):
                return plan.add("inv", (cos,))
            return plan.add("div", (sin, cos))
        if name in ("arcsin", "arctan", "arcsinh", "arctanh"):
            # arcsin g = int g' (1 - g^2)^(-1/2), arctan g = int g' / (1 + g^2), ... (the hyperbolic ones with +-)
            square = plan.add("mul", (g, g))
            sign = -1 if name in ("arcsin", "arctanh") else 1
            one = plan.add("const", (), Fraction(1))
            inside = plan.add("+" if sign > 0 else "-", (one, square))
            factor = plan.add("pow", (inside,), Fraction(-1, 2) if name in ("arcsin", "arcsinh") else Fraction(-1))
            plan.extra += 1
            return plan.add("int", (plan.add("mul", (plan.add("der", (g,)), factor)),))
        raise FormulaError(f"function {name}")
    raise FormulaError(f"{kind} in an e.g.f.")


def _integer_power(plan: Plan, base: int, r: int) -> int:
    """base^r by squaring: few arrays (each is a row of LODA's 2,000 cells), and any base(0), unlike `pow`."""
    out = None
    while r:
        if r & 1:
            out = base if out is None else plan.add("mul", (out, base))
        r >>= 1
        if r:
            base = plan.add("mul", (base, base))
    return plan.add("const", (), Fraction(1)) if out is None else out


def _sincos(plan: Plan, g: int, sign: int) -> tuple[int, int]:
    """The steps of sin(g) and cos(g) (sign -1) or sinh and cosh (+1): one loop fills both arrays, so the
    cosine's step comes right after the sine's."""
    key = ("sincos", (g,), sign)
    if key in plan.cache:
        return plan.cache[key], plan.cache[key] + 1
    if len(plan.steps) + 2 > MAX_NODES:
        raise FormulaError("too many operations")
    sin = plan.add("sincos", (g,), sign)
    plan.steps.append(Step("cos", (sin, g), sign))
    return sin, sin + 1


# --- the recurrences in Python (exact) -----------------------------------------------------------------

def _weight(kind: str, m: int, k: int) -> int:
    """The factor of a convolution's k-th term (the same kinds as `_Code.convolution`)."""
    return {"C(m,k)": lambda: comb(m, k), "C(m-1,k-1)": lambda: comb(m - 1, k - 1),
            "C(m-1,k)": lambda: comb(m - 1, k), "1": lambda: 1, "k": lambda: k, "m-k": lambda: m - k}[kind]()


def _conv(f: list[Fraction], g: list[Fraction], m: int, lo: int, hi: int, kind: str, sf: int = 0,
          sg: int = 0) -> Fraction:
    """sum_{k=lo..m+hi} w(k) f(k + sf) g(m - k + sg), entries outside the arrays 0."""
    def at(h: list[Fraction], i: int) -> Fraction:
        return h[i] if 0 <= i < len(h) else Fraction(0)

    return sum((_weight(kind, m, k) * at(f, k + sf) * at(g, m - k + sg) for k in range(lo, m + hi + 1)), Fraction(0))


def coefficients(plan: Plan, count: int, ogf: bool = False, init: int = 0,
                 leaves: dict[int, list[int]] | None = None) -> list[list[Fraction]] | None:
    """Every step's coefficients 0..count-1, position by position as the program computes them (None: a
    recurrence that cannot start, as log of a series whose constant term is not 1, or a fraction).

    With A(x) in the expression (its step's array is the result's), run t recomputes positions t-1 and t of
    every step, from A(0) = init: after it, positions up to t of the result are final when every A(x) in
    the equation is multiplied by x. A last full run must change nothing (else: no such equation)."""
    arrays = [[Fraction(0)] * count for _ in plan.steps]
    for i, values in (leaves or {}).items():  # series given term by term: the name's f(k), a sequence's terms
        if len(values) < count:
            return None
        # an e.g.f.'s arrays hold m! [x^m]: a power series inside one (exp(x*G(x)), G a g.f.) is scaled
        arrays[i] = [Fraction(v * (1 if ogf else factorial(m))) for m, v in enumerate(values[:count])]
    arrays[plan.result][0] = Fraction(init)
    for i, step in enumerate(plan.steps):
        if step.op == "self":
            arrays[i] = arrays[plan.result]
    sure = count - plan.extra  # the last `extra` entries are not read (a derivative's last one is unknown)

    def run(low: int, high: int) -> bool:
        for i, step in enumerate(plan.steps):
            if step.op in ("self", "cos", "series", "seqgf"):
                continue
            for m in range(max(low, 0), min(high, count - 1) + 1):
                value = _at(step, arrays, i, m, ogf)
                if value is None or (m < sure and value.denominator != 1):
                    return False
                arrays[i][m] = value
        return True

    if not plan.recursive:
        return arrays if run(0, count - 1) else None
    for t in range(count):
        if not run(t - 1, t):
            return None
    final = list(arrays[plan.result])
    return arrays if run(0, count - 1) and arrays[plan.result] == final else None


def _at(step: Step, arrays: list[list[Fraction]], i: int, m: int, ogf: bool) -> Fraction | None:
    """Coefficient m of step i from its arguments' arrays and its own earlier coefficients (a sine's step
    writes its cosine's too)."""
    op = step.op
    args = [arrays[j] for j in step.args]
    zero, one = Fraction(0), Fraction(1)
    if op == "const":
        return step.value if m == 0 else zero
    if op == "x":
        return one if m == 1 else zero
    if op == "theta":
        return Fraction(theta_coefficient(step.value, m))
    if op == "scale":
        return step.value * args[0][m]
    if op == "dilate":  # g(c x)
        return step.value ** m * args[0][m]
    if op in ("+", "-"):
        return args[0][m] + args[1][m] if op == "+" else args[0][m] - args[1][m]
    if op == "mul":
        return _conv(args[0], args[1], m, 0, 0, "1" if ogf else "C(m,k)")
    if op == "der":
        g = args[0]  # past the array: unknown, 0 (`extra` keeps it past what is read)
        return (m + 1 if ogf else 1) * g[m + 1] if m + 1 < len(g) else zero
    if op == "int":
        return zero if m == 0 else args[0][m - 1] / (m if ogf else 1)
    if op == "down":
        g = args[0]
        return g[m + step.value] if m + step.value < len(g) else zero
    if op == "up":  # c x^k g: [x^m] is c g(m-k); as e.g.f. coefficients times m!/(m-k)!
        c, k = step.value
        return zero if m < k else c * args[0][m - k] * (1 if ogf else comb(m, k) * factorial(k))
    if op == "subst":
        return args[0][m // step.value] if m % step.value == 0 else zero
    if op == "div":  # q(m) = (f(m) - sum_{k=1..m} w g(k) q(m-k)) / g(0)
        f, g = args
        return None if g[0] == 0 else (f[m] - _conv(g, arrays[i], m, 1, 0, "1" if ogf else "C(m,k)")) / g[0]
    g, h = args[0], arrays[i]
    if op == "inv":
        return None if g[0] == 0 else ((m == 0) - _conv(g, h, m, 1, 0, "1" if ogf else "C(m,k)")) / g[0]
    if op in ("exp", "log", "pow"):
        if g[0] != (0 if op == "exp" else 1):
            return None
        return (zero if op == "log" else one) if m == 0 else _ode(op, g, h, m, step.value, ogf)
    if op == "sincos":
        if g[0] != 0:
            return None
        c = arrays[i + 1]
        if m == 0:
            c[0] = one
            return zero
        if ogf:
            s_m = _conv(g, c, m, 1, 0, "k") / m
            c[m] = step.value * _conv(g, h, m, 1, 0, "k") / m
        else:
            s_m = _conv(c, g, m, 0, -1, "C(m-1,k)")
            c[m] = step.value * _conv(h, g, m, 0, -1, "C(m-1,k)")
        return s_m if c[m].denominator == 1 else None
    raise FormulaError(f"no recurrence for {op}")


def _ode(op: str, g: list[Fraction], h: list[Fraction], m: int, r: Any, ogf: bool) -> Fraction:
    """Coefficient m > 0 of exp(g), log(g) or g^r from h's earlier ones."""
    if ogf:
        rest = _conv(g, h, m, 1, -1, "m-k")
        if op == "exp":
            return _conv(g, h, m, 1, 0, "k") / m
        if op == "log":
            return (m * g[m] - rest) / m
        return (r * _conv(g, h, m, 1, 0, "k") - rest) / m
    if op == "exp":
        return _conv(g, h, m, 1, 0, "C(m-1,k-1)")
    if op == "log":
        return g[m] - _conv(g, h, m, 1, -1, "C(m-1,k)")
    return r * _conv(g, h, m, 0, -1, "C(m-1,k)", 1, -1) - _conv(g, h, m, 1, -1, "C(m-1,k)")


def theta_coefficient(value: tuple[int, int, int, int], m: int) -> int:
    """[q^m] of Ramanujan's f(a, b) = sum_{k in Z} a^(k(k+1)/2) b^(k(k-1)/2), a = sa q^alpha, b = sb q^beta,
    value (alpha, beta, sa, sb): the k with ((alpha+beta) k^2 + (alpha-beta) k) / 2 = m, at most two."""
    alpha, beta, sa, sb = value
    total, whole = 0, 2 * (alpha + beta)
    root = isqrt((alpha - beta) ** 2 + 4 * whole * m)
    if root * root != (alpha - beta) ** 2 + 4 * whole * m:
        return 0
    for num in (root - alpha + beta, -root - alpha + beta)[: 2 if root else 1]:
        if num % whole == 0:
            k = num // whole
            total += (sa if k * (k + 1) // 2 % 2 else 1) * (sb if k * (k - 1) // 2 % 2 else 1)
    return total


def leaf_values(plan: Plan, count: int, corpus: Any = None, known: Mapping[int, Target] | None = None
                ) -> dict[int, list[int]] | None:
    """Coefficients 0..count-1 of each series the name gives term by term: `Sum_{k>=k0} f(k) x^(c k^p)` and
    a sequence's g.f. (its program run from `corpus`, the sequence's offset from `known`); None when one
    cannot be had."""
    out = {}
    known = known or {}
    for i, step in enumerate(plan.steps):
        if step.op == "series":
            text, first, c, p = step.value
            values = _series_values(text, first, c, p, count, corpus, known)
        elif step.op == "seqgf":
            values = _gf_values(step.value, count, corpus, known)
        else:
            continue
        if values is None:
            return None
        out[i] = values
    return out


def _series_values(text: str, first: int, c: int, p: int, count: int, corpus: Any, known: Mapping[int, Target]
                   ) -> list[int] | None:
    from miner.lang.evaluator import evaluate_partial

    ks = [k for k in range(first, count) if c * k ** p < count]
    prog = parse(f"#offset {first}\nmov $5,$0\n" + text + f"\nmov $0,${INLINE}\n", "series")
    prog = aligned(prog, corpus, first_index(known))
    values, _ = evaluate_partial(prog, len(ks), corpus, _LEAF_LIMITS)
    if len(values) < len(ks):
        return None
    out = [0] * count
    for k, v in zip(ks, values):
        out[c * k ** p] = v
    return out


def _callee(a_number: int, corpus: Any, known: Mapping[int, Target]) -> tuple[Program, int] | None:
    """The cited sequence's program and the sequence's offset (the program's, if the sequence is not known)."""
    callee = corpus.get(a_number) if corpus is not None else None
    if callee is None:
        return None
    return callee, known[a_number].offset if a_number in known else callee.offset


def _gf_values(a_number: int, count: int, corpus: Any, known: Mapping[int, Target]) -> list[int] | None:
    from miner.lang.evaluator import evaluate_partial

    found = _callee(a_number, corpus, known)
    if found is None or found[1] < 0:
        return None
    callee, first = found
    terms, _ = evaluate_partial(callee, max(count - first, 0), corpus, _LEAF_LIMITS)
    return [0] * first + terms if len(terms) >= count - first else None


_LEAF_LIMITS = Limits(max_seconds=2.0)


def terms_of(egf: Egf, count: int, corpus: Any = None, known: Mapping[int, Target] | None = None) -> list[int] | None:
    """a(n) for n = 0..count-1 (None unless every array is integral: the program's divisions are exact; or
    when the program's arrays would pass LODA's 2,000 cells, a loop's last, undone pass included)."""
    plan = _plan(egf.node)
    top = egf.step * (count - 1) + egf.start + 1
    if plan.base + (top + plan.extra + 1) * len(plan.steps) >= MAX_CELLS:
        return None
    leaves = leaf_values(plan, top + plan.extra, corpus, known)
    if leaves is None:
        return None
    arrays = coefficients(plan, top + plan.extra, egf.ogf, egf.init, leaves)
    if arrays is None:
        return None
    result = arrays[plan.result]
    return [int(result[egf.step * n + egf.start]) for n in range(count)]


# --- the program -----------------------------------------------------------------------------------

class _Code:
    """LODA lines over arrays interleaved from BASE; scalars in $1..$29."""

    def __init__(self, nodes: int, alias: dict[int, int] | None = None, base: int = BASE) -> None:
        self.nodes = nodes
        self.base = base
        self.lines: list[str] = []
        self.alias = alias or {}  # A(x)'s step reads the result's array

    def emit(self, *lines: str) -> None:
        self.lines += lines

    def load(self, dest: int, node: int, index: int) -> None:
        """$dest = coefficient $index of node's array."""
        node = self.alias.get(node, node)
        self.emit(*([f"mov ${dest},${index}"] if dest != index else []), f"mul ${dest},{self.nodes}",
                  f"add ${dest},{self.base + node}", f"mov ${dest},$${dest}")

    def add(self, cell: int, value: int) -> None:
        """$cell += value (nothing for 0)."""
        self.emit(*([f"add ${cell},{value}"] if value > 0 else [f"sub ${cell},{-value}"] if value < 0 else []))

    def store(self, node: int, index: int, source: int) -> None:
        self.emit(f"mov $29,${index}", f"mul $29,{self.nodes}", f"add $29,{self.base + node}", f"mov $$29,${source}")

    def loop(self, counter: int, body: list[str]) -> None:
        self.emit(f"lpb ${counter}", *[f"  {x}" for x in body], f"  sub ${counter},1", "lpe")

    def loop_over(self, counter: int, fill: Callable[[], None]) -> None:
        """A loop on $counter whose body is what `fill` emits."""
        saved, self.lines = self.lines, []
        fill()
        body, self.lines = self.lines, saved
        self.loop(counter, body)

    def convolution(self, total: int, f: int, g: int, lo: int, hi_offset: int, weight: str, shift_f: int = 0,
                    shift_g: int = 0) -> None:
        """$total = sum_{k=lo..m+hi_offset} w(k) f(k + shift_f) g(m - k + shift_g) for m in $2, w(k) of the
        kinds `_weight` knows ($10 = k, $11 passes, $12..$15 scratch)."""
        self.emit(f"mov ${total},0", f"mov $10,{lo}", "mov $11,$2")
        self.add(11, hi_offset - lo + 1)

        def term() -> None:
            self.emit("mov $12,$10")
            self.add(12, shift_f)
            self.load(12, f, 12)
            self.emit("mov $13,$2", "sub $13,$10")
            self.add(13, shift_g)
            self.load(13, g, 13)
            self.emit("mul $12,$13", *{
                "C(m,k)": ["mov $14,$2", "bin $14,$10", "mul $12,$14"],
                "C(m-1,k-1)": ["mov $14,$2", "sub $14,1", "mov $15,$10", "sub $15,1", "bin $14,$15", "mul $12,$14"],
                "C(m-1,k)": ["mov $14,$2", "sub $14,1", "bin $14,$10", "mul $12,$14"],
                "1": [], "k": ["mul $12,$10"], "m-k": ["mov $14,$2", "sub $14,$10", "mul $12,$14"]}[weight],
                f"add ${total},$12", "add $10,1")

        self.loop_over(11, term)


def program(egf: Egf, offset: int, starts: dict[int, int] | None = None) -> Program:
    """Arrays filled for m = 0..M, M = step * (n - offset) + start + extra; the result is the result array's
    coefficient step * (n - offset) + start. `starts`: each cited g.f.'s sequence and its first index."""
    plan = _plan(egf.node)
    code_starts = starts or {}
    code = _Code(len(plan.steps), {i: plan.result for i, step in enumerate(plan.steps) if step.op == "self"}, plan.base)
    code.add(0, -offset)
    code.emit(*([f"mul $0,{egf.step}"] if egf.step != 1 else []))
    code.add(0, egf.start)
    code.emit("mov $1,$0", f"add $1,{plan.extra + 1}")

    def steps(run: int | None) -> None:
        """Every step's positions 0..count-1, or with `run` (the cell of t) positions t-1 and t."""
        for i, step in enumerate(plan.steps):
            if step.op in ("cos", "self"):
                continue  # filled with its sine; the result's array

            def fill(i: int = i, step: Step = step) -> None:
                _step_code(code, i, step, egf.ogf, code_starts)
                code.emit("add $2,1")

            if run is None:
                code.emit("mov $2,0", "mov $3,$1")
            else:
                code.emit(f"mov $2,${run}", "sub $2,1", "max $2,0", f"mov $3,${run}", "sub $3,$2", "add $3,1")
            code.loop_over(3, fill)

    if plan.recursive:
        # run t = 0..count-1 recomputes positions t-1 and t of every step, from A(0) = init, as `coefficients`
        code.emit(f"mov ${plan.base + plan.result},{egf.init}", "mov $20,$1", "mov $21,0")

        def runs() -> None:
            steps(21)
            code.emit("add $21,1")

        code.loop_over(20, runs)
    else:
        steps(None)
    code.load(0, plan.result, 0)
    ops = parse("\n".join(code.lines) + "\n", "egf").ops
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def _scaled(code: _Code, cell: int, value: Fraction) -> None:
    code.emit(*([f"mul ${cell},{value.numerator}"] if value.numerator != 1 else []),
              *([f"div ${cell},{value.denominator}"] if value.denominator != 1 else []))


def _step_code(code: _Code, i: int, step: Step, ogf: bool, starts: dict[int, int]) -> None:
    """Lines leaving coefficient m ($2) of step i in its array ($4 the value; $5..$9 scratch); the recurrences
    of `_at`, for an o.g.f. with `ogf`."""
    op, args = step.op, step.args
    first = ["mov $6,$2", "equ $6,0", "add $4,$6"]  # + [m = 0]
    later = ["mov $6,$2", "min $6,1", "mul $4,$6"]  # * [m > 0]
    by_m = ["mov $6,$2", "max $6,1", "div $4,$6"]  # / m (m > 0)
    if op == "series":
        # f(k) where m = c*k^p, k >= k0 (else 0): k = root of m/c, found or not in $6
        text, k0, c, p = step.value
        code.emit("mov $5,$2", "mov $7,1")
        if (c, p) != (1, 1):
            code.emit(*([f"div $5,{c}"] if c != 1 else []), *([f"nrt $5,{p}"] if p != 1 else []), "mov $7,$5",
                      *([f"pow $7,{p}"] if p != 1 else []), *([f"mul $7,{c}"] if c != 1 else []), "equ $7,$2")
        if k0:
            code.emit("mov $6,$5", f"geq $6,{k0}", "mul $7,$6", f"max $5,{k0}")  # $7 = [m = c k^p, k >= k0]
        code.emit(*([f"clr ${BASE},{code.base - BASE}"] if code.base > BASE else []), *text.strip().splitlines(),
                  f"mov $4,${INLINE}", "mul $4,$7", *([] if ogf else ["mov $6,1", "fac $6,$2", "mul $4,$6"]))
    elif op == "seqgf":
        # the sequence's term m (0 below its first index; `aligned` shifts the call to its program's offset)
        start = starts.get(step.value, 0)
        code.emit("mov $4,$2", f"max $4,{start}", f"seq $4,{step.value}")
        if start > 0:
            code.emit("mov $6,$2", f"geq $6,{start}", "mul $4,$6")
        if not ogf:
            code.emit("mov $6,1", "fac $6,$2", "mul $4,$6")  # m! [x^m] in an e.g.f.'s array
    elif op == "dilate":
        code.load(4, args[0], 2)
        code.emit(f"mov $5,{step.value}", "pow $5,$2", "mul $4,$5")
    elif op == "const":
        code.emit("mov $4,$2", "equ $4,0", f"mul $4,{step.value.numerator}")
    elif op == "x":
        code.emit("mov $4,$2", "equ $4,1")
    elif op == "theta":
        _theta_code(code, step.value)
    elif op == "scale":
        code.load(4, args[0], 2)
        _scaled(code, 4, step.value)
    elif op in ("+", "-"):
        code.load(4, args[0], 2)
        code.load(5, args[1], 2)
        code.emit(f"{'add' if op == '+' else 'sub'} $4,$5")
    elif op == "mul":
        code.convolution(4, args[0], args[1], 0, 0, "1" if ogf else "C(m,k)")
    elif op == "der":
        code.emit("mov $5,$2", "add $5,1")
        code.load(4, args[0], 5)
        code.emit(*(["mov $6,$2", "add $6,1", "mul $4,$6"] if ogf else []))
    elif op == "int":
        code.emit("mov $5,$2", "sub $5,1", "max $5,0")
        code.load(4, args[0], 5)
        code.emit(*later, *(by_m if ogf else []))
    elif op == "up":
        c, k = step.value
        code.emit("mov $5,$2", f"sub $5,{k}", "max $5,0")
        code.load(4, args[0], 5)
        code.emit("mov $6,$2", "add $6,1", f"geq $6,{k + 1}", "mul $4,$6")  # [m >= k]
        if not ogf:
            code.emit("mov $6,$2", f"bin $6,{k}", "mul $4,$6")
        _scaled(code, 4, c * (1 if ogf else factorial(k)))
    elif op == "down":
        code.emit("mov $5,$2", f"add $5,{step.value}")
        code.load(4, args[0], 5)
    elif op == "subst":
        # h(m) = g(m / k) when k divides m
        code.emit("mov $5,$2", f"div $5,{step.value}")
        code.load(4, args[0], 5)
        code.emit("mov $6,$2", f"mod $6,{step.value}", "equ $6,0", "mul $4,$6")
    elif op == "div":
        # q(m) = (f(m) - sum_{k=1..m} w g(k) q(m-k)) / g(0)
        code.convolution(4, args[1], i, 1, 0, "1" if ogf else "C(m,k)")
        code.load(5, args[0], 2)
        code.emit("sub $5,$4", "mov $4,$5", f"div $4,${code.base + code.alias.get(args[1], args[1])}")  # g(0)
    elif op == "inv":
        # h(m) = ([m = 0] - sum_{k=1..m} w g(k) h(m-k)) / g(0)
        code.convolution(4, args[0], i, 1, 0, "1" if ogf else "C(m,k)")
        code.emit("mul $4,-1", *first, f"div $4,${code.base + code.alias.get(args[0], args[0])}")  # g(0), its first cell
    elif op == "exp" and ogf:
        code.convolution(4, args[0], i, 1, 0, "k")
        code.emit(*by_m, *first)
    elif op == "exp":
        # h(0) = 1, h(m) = sum_{k=1..m} C(m-1,k-1) g(k) h(m-k)
        code.convolution(4, args[0], i, 1, 0, "C(m-1,k-1)")
        code.emit(*first)
    elif op == "log" and ogf:
        # h(m) = (m g(m) - sum_{k=1..m-1} (m-k) g(k) h(m-k)) / m
        code.convolution(7, args[0], i, 1, -1, "m-k")
        code.load(4, args[0], 2)
        code.emit("mul $4,$2", "sub $4,$7", *by_m, *later)
    elif op == "log":
        # h(m) = g(m) - sum_{k=1..m-1} C(m-1,k) g(k) h(m-k), h(0) = 0
        code.convolution(4, args[0], i, 1, -1, "C(m-1,k)")
        code.load(6, args[0], 2)
        code.emit("sub $6,$4", "mov $4,$6", *later)
    elif op == "pow":
        r = step.value
        if ogf:
            # h(m) = (r sum_{k=1..m} k g(k) h(m-k) - sum_{k=1..m-1} (m-k) g(k) h(m-k)) / m
            code.convolution(7, args[0], i, 1, 0, "k")
            code.convolution(4, args[0], i, 1, -1, "m-k")
        else:
            # h(m) = r sum_{k=0..m-1} C(m-1,k) g(k+1) h(m-1-k) - sum_{k=1..m-1} C(m-1,k) g(k) h(m-k)
            code.convolution(7, args[0], i, 0, -1, "C(m-1,k)", shift_f=1, shift_g=-1)
            code.convolution(4, args[0], i, 1, -1, "C(m-1,k)")
        code.emit(f"mul $7,{r.numerator}", f"mul $4,{r.denominator}", "sub $7,$4", f"div $7,{r.denominator}",
                  "mov $4,$7", *(by_m if ogf else []), *later, *first)
    elif op == "sincos":
        # s and c, the next array (its own step has no code): e.g.f. s(m) = sum_{k<m} C(m-1,k) c(k) g(m-k),
        # c(m) = sign sum_{k<m} C(m-1,k) s(k) g(m-k) + [m = 0]; o.g.f. m s(m) = sum_{k=1..m} k g(k) c(m-k), ...
        if ogf:
            code.convolution(4, args[0], i + 1, 1, 0, "k")
            code.emit(*by_m)
            code.convolution(7, args[0], i, 1, 0, "k")
        else:
            code.convolution(4, i + 1, args[0], 0, -1, "C(m-1,k)")
            code.convolution(7, i, args[0], 0, -1, "C(m-1,k)")
        code.emit(f"mul $7,{step.value}", *(["mov $6,$2", "max $6,1", "div $7,$6"] if ogf else []),
                  "mov $6,$2", "equ $6,0", "add $7,$6")
        code.store(i + 1, 2, 7)
    else:
        raise FormulaError(f"no code for {op}")
    code.store(i, 2, 4)


def _theta_code(code: _Code, value: tuple[int, int, int, int]) -> None:
    """`theta_coefficient` at m ($2) into $4: root = sqrt(D), D = (alpha-beta)^2 + 8 (alpha+beta) m, then each
    root k = (+-root - alpha + beta) / (2 (alpha+beta)) that divides adds its sign (-1 only once when root = 0)."""
    alpha, beta, sa, sb = value
    whole, diff = 2 * (alpha + beta), alpha - beta
    code.emit("mov $5,$2", f"mul $5,{4 * whole}")
    code.add(5, diff * diff)
    code.emit("mov $6,$5", "nrt $6,2", "mov $7,$6", "pow $7,2", "equ $7,$5", "mov $4,0")
    for sign in (1, -1):
        code.emit("mov $8,$6", *(["mul $8,-1"] if sign < 0 else []))
        code.add(8, -diff)
        code.emit("mov $9,$8", f"mod $9,{whole}", "equ $9,0", "mul $9,$7", f"div $8,{whole}")
        if sign < 0:
            code.emit("mov $5,$6", "min $5,1", "mul $9,$5")
        # the sign: (-1)^(k(k+1)/2) for sa = -1, (-1)^(k(k-1)/2) for sb = -1, both: (-1)^(k^2)
        if sa < 0 or sb < 0:
            code.emit("mov $5,$8", *([] if sa < 0 and sb < 0 else [f"add $5,{1 if sa < 0 else -1}"]), "mul $5,$8",
                      *([] if sa < 0 and sb < 0 else ["div $5,2"]), "mod $5,2", "mul $5,-2", "add $5,1", "mul $9,$5")
        code.emit("add $4,$9")


def programs_for(target: Target, corpus: Any = None, known: Mapping[int, Target] | None = None) -> list[Program]:
    """The e.g.f.'s program when its coefficients are the known terms (`corpus`: the programs of the
    sequences whose g.f.s it names, `known` those sequences, for their offsets)."""
    egf = parse_name(target.name)
    if egf is None or len(target.terms) < MIN_TERMS:
        return []
    # a(n) is the coefficient of n counted from the offset, or from 0 (the first terms left out); a name
    # that says nothing of it may list only the even or the odd powers' coefficients
    parts = [(egf.step, egf.start)] + ([(2, 0), (2, 1)] if egf.step == 1 else [])
    recursive = _plan(egf.node).recursive
    for ogf, step, start, init in dict.fromkeys(
            (ogf, step, start + step * shift, init) for ogf in ((True, False) if egf.either else (egf.ogf,))
            for step, start in parts for shift in (target.offset, 0) for init in ((1, 0) if recursive else (0,))):
        reading = Egf(egf.node, step, start, ogf, init)
        try:
            if terms_of(reading, len(target.terms), corpus, known) == list(target.terms):
                found = program(reading, target.offset, _starts(reading, corpus, known or {}))
                return [aligned(found, corpus, first_index(known or {}))]
        except (FormulaError, ZeroDivisionError):
            return []
    return []


def _starts(egf: Egf, corpus: Any, known: Mapping[int, Target]) -> dict[int, int]:
    out = {}
    for step in _plan(egf.node).steps:
        if step.op == "seqgf" and (found := _callee(step.value, corpus, known)) is not None:
            out[step.value] = found[1]
    return out


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named e.g.f.'s coefficients."""
    for prog in programs_for(target, ctx.corpus, ctx.known)[: max(budget, 0)]:
        yield Candidate(prog, "egf", "from name")
