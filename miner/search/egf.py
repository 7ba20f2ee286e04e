"""Exponential generating functions the name states: "Expansion of e.g.f. tan(tan(tan(x)))", "E.g.f.: -log(1 -
x) * (sec(x) + tan(x))", "a(n) = (2*n)! * [x^(2*n)] cosh(x)^3 / cos(x)", "E.g.f. sin(sinh(x)) (odd powers only)".

Every series is kept as its integer e.g.f. coefficients h(m) = m! [x^m] h, m = 0..M, and each operation has a
recurrence on them: products are binomial convolutions; exp, log, powers, sin/cos and sinh/cosh follow from
the differential equations h' = g' h, g h' = g', g h' = r g' h, (s, c)' = (c, -s) g'; the inverse functions
integrate g' times a power of 1 -+ g^2. The program fills one array per node of the expression (interleaved
in memory) up to the index wanted. The same recurrences run in Python first, in exact fractions: a name
becomes a program only when every array holds integers (the program divides exactly) and the known terms
agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from math import comb
from typing import Any, Callable, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.formula import ExpressionParser, FormulaError, Node, tokenize
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 8
MAX_NODES = 40
BASE = 100  # first array cell: coefficient m of node i is at BASE + m * nodes + i
_FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tan", "sec", "sinh", "cosh", "tanh", "sech",
              "arcsin", "arctan", "arcsinh", "arctanh", "asin", "atan", "asinh", "atanh")
_ALIASES = {"asin": "arcsin", "atan": "arctan", "asinh": "arcsinh", "atanh": "arctanh"}
_NAME = re.compile(r"^(?:expansion of )?e\.g\.f\.?:? (?:is )?(?P<f>.+?)(?P<part>,? \((?:even|odd) (?:powers|terms) only\)"
                   r"|,? (?:even|odd) (?:powers|terms) only)?\.?$", re.I)
_COEFF = re.compile(r"^a\(n\) = (?P<fact>\(2\*?n\)|n|\(2\*?n ?\+ ?1\))! ?\*? ?\[x\^(?P<pow>\(2\*?n\)|n|\(2\*?n ?\+ ?1\))\] "
                    r"(?P<f>.+?)\.?$", re.I)


class _Parser(ExpressionParser):
    """Formula grammar in x with the elementary functions."""

    def __init__(self, tokens: list[str]) -> None:
        super().__init__(tokens, ("x",))

    def _starts_factor(self, tok: str) -> bool:
        return (tok.lower() in _FUNCTIONS and self.peek(1) == "(") or super()._starts_factor(tok)

    def primary(self) -> Node:
        tok = self.peek() or ""
        if tok.lower() in _FUNCTIONS and self.peek(1) == "(":
            self.take()
            name = tok.lower()
            return Node("call", _ALIASES.get(name, name), tuple(self._call_args(1)))
        return super().primary()


@dataclass(frozen=True)
class Egf:
    """The e.g.f.'s expression and which coefficients the terms are: a(n) = h(step * n + start)."""

    node: Node
    step: int = 1
    start: int = 0


def parse_name(name: str) -> Egf | None:
    """The e.g.f. the name states, or None."""
    text = name.strip()
    m = _NAME.match(text)
    c = _COEFF.match(text) if m is None else None
    if m is None and c is None:
        return None
    if m is not None:
        formula, part = m["f"], (m["part"] or "").lower()
        step, start = (2, 0) if "even" in part else (2, 1) if "odd" in part else (1, 0)
    else:
        assert c is not None
        fact, power = c["fact"].replace("*", "").replace(" ", ""), c["pow"].replace("*", "").replace(" ", "")
        if fact != power:
            return None
        formula = c["f"]
        step, start = {"n": (1, 0), "(2n)": (2, 0), "(2n+1)": (2, 1)}[fact]
    # what follows the expression: its expansion written out ("= 1 + 1/2!*x^2 + ..."), zeros left out (a
    # reading the terms pick anyway), another sentence
    formula = re.split(r"\s*=|,? zeros omitted|\. [A-Z]", formula)[0]
    if re.search(r"\b(?:where|satisf|revers|sum_|product_|prod_)", formula, re.I):
        return None
    try:
        parser = _Parser(tokenize(formula))
        node = parser.expression()
        if parser.peek() is not None:
            return None
        plan = _plan(node)
    except (FormulaError, RecursionError, ZeroDivisionError, KeyError):
        return None
    return Egf(node, step, start) if plan is not None else None


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

    def add(self, op: str, args: tuple[int, ...] = (), value: Any = None) -> int:
        key = (op, args, value)
        if key not in self.cache:
            if len(self.steps) >= MAX_NODES:
                raise FormulaError("too many operations")
            self.steps.append(Step(op, args, value))
            self.cache[key] = len(self.steps) - 1
        return self.cache[key]


def _rational(node: Node) -> Fraction | None:
    """The node's value when it is a rational constant."""
    if node.kind == "num":
        return Fraction(node.value)
    if node.kind == "neg":
        inner = _rational(node.args[0])
        return None if inner is None else -inner
    if node.kind == "op" and node.value in ("+", "-", "*", "/", "^"):
        a, b = _rational(node.args[0]), _rational(node.args[1])
        if a is None or b is None:
            return None
        if node.value == "^":
            return a ** int(b) if b.denominator == 1 and abs(b) <= 64 and (a or b >= 0) else None
        return a + b if node.value == "+" else a - b if node.value == "-" else a * b if node.value == "*" \
            else (a / b if b else None)
    return None


def _plan(node: Node) -> Plan | None:
    plan = Plan()
    plan.result = _compile(node, plan)
    return plan


def _compile(node: Node, plan: Plan) -> int:
    """The step computing the node's series (raising FormulaError for what has no integer recurrence here)."""
    const = _rational(node)
    if const is not None:
        return plan.add("const", (), const)
    kind = node.kind
    if kind == "var":
        return plan.add("x")
    if kind == "neg":
        return plan.add("scale", (_compile(node.args[0], plan),), Fraction(-1))
    if kind == "op":
        a, b = node.args
        if node.value in ("+", "-"):
            return plan.add(node.value, (_compile(a, plan), _compile(b, plan)))
        if node.value == "*":
            ca, cb = _rational(a), _rational(b)
            if ca is not None or cb is not None:
                scalar, other = (ca, b) if ca is not None else (cb, a)
                return plan.add("scale", (_compile(other, plan),), scalar)
            return plan.add("mul", (_compile(a, plan), _compile(b, plan)))
        if node.value == "/":
            cb = _rational(b)
            if cb is not None and cb != 0:
                return plan.add("scale", (_compile(a, plan),), 1 / cb)
            return plan.add("mul", (_compile(a, plan), plan.add("inv", (_compile(b, plan),))))
        if node.value == "^":
            r = _rational(b)
            if r is None:  # a^b = exp(b log a)
                return plan.add("exp", (plan.add("mul", (_compile(b, plan), plan.add("log", (_compile(a, plan),)))),))
            base = _compile(a, plan)
            if r.denominator == 1 and 0 <= r <= 12:
                out = plan.add("const", (), Fraction(1))
                for _ in range(int(r)):
                    out = plan.add("mul", (out, base))
                return out
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
            return plan.add("mul", (sin, plan.add("inv", (cos,))))
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

def coefficients(plan: Plan, count: int) -> list[list[Fraction]] | None:
    """Every step's coefficients 0..count-1 (None: a recurrence that cannot start, as log of a series
    whose constant term is not 1)."""
    arrays: list[list[Fraction]] = []
    for step in plan.steps:
        h = _fill(step, arrays, count)
        if h is None:
            return None
        arrays.append(h)
    return arrays


def _fill(step: Step, arrays: list[list[Fraction]], count: int) -> list[Fraction] | None:
    op = step.op
    args = [arrays[i] for i in step.args]
    zero = Fraction(0)
    if op == "const":
        return [step.value] + [zero] * (count - 1)
    if op == "x":
        return [zero, Fraction(1)] + [zero] * (count - 2)
    if op == "scale":
        return [step.value * v for v in args[0]]
    if op in ("+", "-"):
        return [a + b if op == "+" else a - b for a, b in zip(*args)]
    if op == "mul":
        f, g = args
        return [sum((comb(m, k) * f[k] * g[m - k] for k in range(m + 1)), zero) for m in range(count)]
    if op == "der":
        return args[0][1:] + [zero]  # the last is unknown: `extra` keeps it past what is read
    if op == "int":
        return [zero] + args[0][:-1]
    g = args[0]
    h: list[Fraction] = []
    if op == "inv":
        if g[0] == 0:
            return None
        for m in range(count):
            h.append(((1 if m == 0 else 0) - sum((comb(m, k) * g[k] * h[m - k] for k in range(1, m + 1)), zero)) / g[0])
        return h
    if op == "exp":
        if g[0] != 0:
            return None
        for m in range(count):
            h.append(Fraction(1) if m == 0 else sum((comb(m - 1, k - 1) * g[k] * h[m - k] for k in range(1, m + 1)), zero))
        return h
    if op == "log":
        if g[0] != 1:
            return None
        for m in range(count):
            h.append(zero if m == 0 else g[m] - sum((comb(m - 1, k) * g[k] * h[m - k] for k in range(1, m)), zero))
        return h
    if op == "pow":
        if g[0] != 1:
            return None
        r = step.value
        for m in range(count):
            h.append(Fraction(1) if m == 0 else
                     r * sum((comb(m - 1, k) * g[k + 1] * h[m - 1 - k] for k in range(m)), zero)
                     - sum((comb(m - 1, k) * g[k] * h[m - k] for k in range(1, m)), zero))
        return h
    if op in ("sincos", "cos"):
        g = arrays[step.args[-1]]
        if g[0] != 0:
            return None
        s, c = [zero], [Fraction(1)]
        for m in range(1, count):
            s.append(sum((comb(m - 1, k) * c[k] * g[m - k] for k in range(m)), zero))
            c.append(step.value * sum((comb(m - 1, k) * s[k] * g[m - k] for k in range(m)), zero))
        return s if op == "sincos" else c
    raise FormulaError(f"no recurrence for {op}")


def terms_of(egf: Egf, count: int) -> list[int] | None:
    """a(n) for n = 0..count-1 (None unless every array is integral: the program's divisions are exact)."""
    plan = _plan(egf.node)
    if plan is None:
        return None
    top = egf.step * (count - 1) + egf.start + 1
    arrays = coefficients(plan, top + plan.extra)
    if arrays is None or any(v.denominator != 1 for h in arrays for v in h[:top]):
        return None
    result = arrays[plan.result]
    return [int(result[egf.step * n + egf.start]) for n in range(count)]


# --- the program -----------------------------------------------------------------------------------

class _Code:
    """LODA lines over arrays interleaved from BASE; scalars in $1..$30."""

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.lines: list[str] = []

    def emit(self, *lines: str) -> None:
        self.lines += lines

    def load(self, dest: int, node: int, index: int) -> None:
        """$dest = coefficient $index of node's array."""
        self.emit(*([f"mov ${dest},${index}"] if dest != index else []), f"mul ${dest},{self.nodes}",
                  f"add ${dest},{BASE + node}", f"mov ${dest},$${dest}")

    def add(self, cell: int, value: int) -> None:
        """$cell += value (nothing for 0)."""
        self.emit(*([f"add ${cell},{value}"] if value > 0 else [f"sub ${cell},{-value}"] if value < 0 else []))

    def store(self, node: int, index: int, source: int) -> None:
        self.emit(f"mov $29,${index}", f"mul $29,{self.nodes}", f"add $29,{BASE + node}", f"mov $$29,${source}")

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
        """$total = sum_{k=lo..m+hi_offset} w(k) f(k + shift_f) g(m - k + shift_g) for m in $2; w(k) is C(m, k)
        ("m,k"), C(m-1, k-1) ("m-1,k-1") or C(m-1, k) ("m-1,k")."""
        # $10 = k, $11 = passes, $12..$14 scratch
        self.emit(f"mov ${total},0", f"mov $10,{lo}", "mov $11,$2")
        self.add(11, hi_offset - lo + 1)
        top, bottom = {"m,k": ("$2", 0), "m-1,k-1": ("$2", -1), "m-1,k": ("$2", 0)}[weight]
        def term() -> None:
            self.emit("mov $12,$10")
            self.add(12, shift_f)
            self.load(12, f, 12)
            self.emit("mov $13,$2", "sub $13,$10")
            self.add(13, shift_g)
            self.load(13, g, 13)
            self.emit("mul $12,$13", f"mov $14,{top}", *(["sub $14,1"] if weight.startswith("m-1") else []))
            if bottom:
                self.emit("mov $15,$10")
                self.add(15, bottom)
            self.emit(f"bin $14,${15 if bottom else 10}", "mul $12,$14", f"add ${total},$12", "add $10,1")

        self.loop_over(11, term)


def program(egf: Egf, offset: int) -> Program:
    """Arrays filled for m = 0..M, M = step * (n - offset) + start + extra; the result is the result array's
    coefficient step * (n - offset) + start."""
    plan = _plan(egf.node)
    if plan is None:
        raise FormulaError("no plan")
    code = _Code(len(plan.steps))
    code.add(0, -offset)
    code.emit(*([f"mul $0,{egf.step}"] if egf.step != 1 else []))
    code.add(0, egf.start)
    code.emit("mov $1,$0", f"add $1,{plan.extra + 1}")
    for i, step in enumerate(plan.steps):
        if step.op == "cos":
            continue  # filled with its sine
        code.emit("mov $2,0", "mov $3,$1")

        def fill(i: int = i, step: Step = step) -> None:
            _step_code(code, i, step)
            code.emit("add $2,1")

        code.loop_over(3, fill)
    code.load(0, plan.result, 0)
    ops = parse("\n".join(code.lines) + "\n", "egf").ops
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def _scaled(code: _Code, cell: int, value: Fraction) -> None:
    code.emit(*([f"mul ${cell},{value.numerator}"] if value.numerator != 1 else []),
              *([f"div ${cell},{value.denominator}"] if value.denominator != 1 else []))


def _step_code(code: _Code, i: int, step: Step) -> None:
    """Lines leaving coefficient m ($2) of step i in its array ($4 the value; $5..$9 scratch)."""
    op, args = step.op, step.args
    if op == "const":
        code.emit("mov $4,$2", "equ $4,0", f"mul $4,{step.value.numerator}")
    elif op == "x":
        code.emit("mov $4,$2", "equ $4,1")
    elif op == "scale":
        code.load(4, args[0], 2)
        _scaled(code, 4, step.value)
    elif op in ("+", "-"):
        code.load(4, args[0], 2)
        code.load(5, args[1], 2)
        code.emit(f"{'add' if op == '+' else 'sub'} $4,$5")
    elif op == "mul":
        code.convolution(4, args[0], args[1], 0, 0, "m,k")
    elif op == "der":
        code.emit("mov $5,$2", "add $5,1")
        code.load(4, args[0], 5)
    elif op == "int":
        code.emit("mov $5,$2", "sub $5,1", "max $5,0")
        code.load(4, args[0], 5)
        code.emit("mov $6,$2", "min $6,1", "mul $4,$6")
    elif op == "inv":
        # h(m) = ([m = 0] - sum_{k=1..m} C(m,k) g(k) h(m-k)) / g(0)
        code.convolution(4, args[0], i, 1, 0, "m,k")
        code.emit("mul $4,-1", "mov $6,$2", "equ $6,0", "add $4,$6")
        code.emit(f"div $4,${BASE + args[0]}")  # g(0), the array's first cell
    elif op == "exp":
        # h(0) = 1, h(m) = sum_{k=1..m} C(m-1,k-1) g(k) h(m-k)
        code.convolution(4, args[0], i, 1, 0, "m-1,k-1")
        code.emit("mov $6,$2", "equ $6,0", "add $4,$6")
    elif op == "log":
        # h(m) = g(m) - sum_{k=1..m-1} C(m-1,k) g(k) h(m-k), h(0) = 0
        code.convolution(4, args[0], i, 1, -1, "m-1,k")
        code.load(6, args[0], 2)
        code.emit("sub $6,$4", "mov $4,$6", "mov $6,$2", "min $6,1", "mul $4,$6")
    elif op == "pow":
        # h(m) = r sum_{k=0..m-1} C(m-1,k) g(k+1) h(m-1-k) - sum_{k=1..m-1} C(m-1,k) g(k) h(m-k), h(0) = 1
        code.convolution(7, args[0], i, 0, -1, "m-1,k", shift_f=1, shift_g=-1)
        code.convolution(4, args[0], i, 1, -1, "m-1,k")
        r = step.value
        code.emit(f"mul $7,{r.numerator}", f"mul $4,{r.denominator}", "sub $7,$4", f"div $7,{r.denominator}",
                  "mov $4,$7", "mov $6,$2", "min $6,1", "mul $4,$6", "mov $6,$2", "equ $6,0", "add $4,$6")
    elif op == "sincos":
        # s(m) = sum_{k<m} C(m-1,k) c(k) g(m-k), c(m) = sign sum_{k<m} C(m-1,k) s(k) g(m-k) + [m = 0]; c is the
        # next array (its own step has no code)
        code.convolution(4, i + 1, args[0], 0, -1, "m-1,k")
        code.convolution(7, i, args[0], 0, -1, "m-1,k")
        code.emit(f"mul $7,{step.value}", "mov $6,$2", "equ $6,0", "add $7,$6")
        code.store(i + 1, 2, 7)
    else:
        raise FormulaError(f"no code for {op}")
    code.store(i, 2, 4)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The e.g.f.'s program when its coefficients are the known terms."""
    egf = parse_name(target.name)
    if egf is None or len(target.terms) < MIN_TERMS:
        return []
    # a(n) is the coefficient of n counted from the offset, or from 0 (the first terms left out); a name
    # that says nothing of it may list only the even or the odd powers' coefficients
    parts = [(egf.step, egf.start)] + ([(2, 0), (2, 1)] if egf.step == 1 else [])
    for step, start in dict.fromkeys((step, start + step * shift) for step, start in parts
                                     for shift in (target.offset, 0)):
        reading = Egf(egf.node, step, start)
        try:
            if terms_of(reading, len(target.terms)) == list(target.terms):
                return [program(reading, target.offset)]
        except (FormulaError, ZeroDivisionError):
            return []
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named e.g.f.'s coefficients."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "egf", "from name")
