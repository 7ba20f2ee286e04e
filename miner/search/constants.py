"""Decimal expansions of closed-form constants a name states: "Decimal expansion of Pi^5/768", "3 - 24/Pi^2",
"e^(9/2)", "sqrt(Pi)/e", "(Pi/e)^(1/4)", "Pi*csc(Pi/5)", "tan(2) - sec(2)", "16*log(2)/(8*log(2) - 5)". The
program evaluates the expression in fixed point, every value an integer v ~ x * 10^(k + GUARD) for the
digit k wanted (Pi by Machin's formula, exp, log, sin and cos by their series, roots by `nrt`), and returns
digit k of the result, so it holds for every term as far as LODA's numbers reach (about 550 digits). The
constant is computed with mpmath first: only a name whose digits are the known terms becomes a program.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset
from miner.search.formula import ExpressionParser, FormulaError, Node, tokenize
from miner.search.types import Candidate, SearchContext, Target

GUARD = 12  # digits carried beyond the one wanted
MIN_TERMS = 12
MAX_SHIFT = 40
_NAME = re.compile(r"^Decimal expansion of (.+?)\.?$")
_FUNCTIONS = ("exp", "log", "sin", "cos", "tan", "sec", "csc", "cot")
_CONSTANTS = ("pi", "e")


class _Parser(ExpressionParser):
    """The formula grammar without n, with Pi, e and the functions above."""

    def __init__(self, tokens: list[str]) -> None:
        super().__init__(tokens, ())

    def _starts_factor(self, tok: str) -> bool:
        return tok.lower() in _CONSTANTS or tok.lower() in _FUNCTIONS or super()._starts_factor(tok)

    def primary(self) -> Node:
        tok = self.peek() or ""
        if tok.lower() == "pi" or tok == "e":
            self.take()
            return Node("const", tok.lower())
        if tok.lower() in _FUNCTIONS and self.peek(1) == "(":
            self.take()
            return Node("call", tok.lower(), tuple(self._call_args(1)))
        return super().primary()


def parse_name(name: str) -> Node | None:
    """The constant the name's decimal expansion is of, when it is an expression in Pi, e, roots, logs or
    trigonometric functions."""
    m = _NAME.match(name.strip())
    if not m or not re.search(r"\b(?:Pi|e|sqrt|exp|log|sin|cos|tan|sec|csc|cot)\b", m[1]):
        return None
    try:
        parser = _Parser(tokenize(m[1]))
        node = parser.expression()
        # an exponent that is no rational number (e^(-Pi)) raises in _irrational: not read
        if parser.peek() is not None or not _irrational(node):
            return None
    except (FormulaError, RecursionError):
        return None
    return node


def _irrational(node: Node) -> bool:
    # Rational numbers' expansions are periodic: the recurrence strategy writes those.
    return node.kind in ("const", "call") or (node.kind == "op" and node.value == "^"
                                              and _rational(node.args[1]).denominator > 1) \
        or any(_irrational(a) for a in node.args)


def _rational(node: Node) -> Fraction:
    """A constant exponent's value; FormulaError if it is not a rational number."""
    if node.kind == "num":
        return Fraction(node.value)
    if node.kind == "neg":
        return -_rational(node.args[0])
    if node.kind == "op" and node.value in "+-*/":
        a, b = _rational(node.args[0]), _rational(node.args[1])
        if node.value == "/" and b == 0:
            raise FormulaError("division by zero")
        return a + b if node.value == "+" else a - b if node.value == "-" else a * b if node.value == "*" else a / b
    raise FormulaError("not a rational exponent")


def value(node: Node, ctx: Any) -> Any:
    """The constant in mpmath's context ctx (the program's Python twin, to full precision)."""
    kind, args = node.kind, node.args
    if kind == "num":
        return ctx.mpf(node.value)
    if kind == "const":
        return ctx.pi if node.value == "pi" else ctx.e
    if kind == "neg":
        return -value(args[0], ctx)
    if kind == "op" and node.value == "^":
        if args[0] == Node("const", "e"):
            return ctx.exp(value(args[1], ctx))
        q = _rational(args[1])
        return value(args[0], ctx) ** (ctx.mpf(q.numerator) / q.denominator)
    if kind == "op" and node.value in "+-*/":
        a, b = value(args[0], ctx), value(args[1], ctx)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[node.value]
    if kind == "call" and node.value in ("sqrt", *_FUNCTIONS):
        return getattr(ctx, node.value)(value(args[0], ctx))
    raise FormulaError(f"no constant of {kind} {node.value}")


def shift_for(node: Node, terms: tuple[int, ...]) -> int | None:
    """E with terms[i] = floor(x * 10^(i + E)) mod 10 for every known term, or None (x < 0 or no such E)."""
    import mpmath

    ctx = mpmath.mp.clone()
    ctx.dps = len(terms) + MAX_SHIFT + 30
    try:
        x = value(node, ctx)
    except (ValueError, ZeroDivisionError, TypeError, FormulaError):
        return None
    if not isinstance(x, type(ctx.mpf(1))) or x <= 0:
        return None
    for shift in range(-MAX_SHIFT, MAX_SHIFT):
        scaled = int(ctx.floor(x * ctx.mpf(10) ** (len(terms) - 1 + shift)))
        text = str(scaled).zfill(len(terms))[-len(terms):]
        if [int(ch) for ch in text] == list(terms):
            return shift
    return None


class _Compiler:
    """LODA lines computing v ~ x * S in a cell, S = 10^D held in $1; cells from $10 on."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.next = 10

    def fresh(self) -> int:
        self.next += 1
        return self.next

    def emit(self, *lines: str) -> None:
        self.lines += lines

    def value(self, node: Node) -> int:
        kind, args = node.kind, node.args
        out = self.fresh()
        if kind == "num":
            self.emit(f"mov ${out},$1", f"mul ${out},{node.value}")
        elif kind == "const":
            if node.value == "pi":
                self.pi(out)
            else:
                self.exp_of(Node("num", 1), out)
        elif kind == "neg":
            a = self.value(args[0])
            self.emit(f"mov ${out},${a}", f"mul ${out},-1")
        elif kind == "op" and node.value == "^":
            if args[0] == Node("const", "e"):
                self.exp_of(args[1], out)
            else:
                self.power(self.value(args[0]), _rational(args[1]), out)
        elif kind == "op" and node.value in "+-*/":
            a, b = self.value(args[0]), self.value(args[1])
            if node.value in "+-":
                self.emit(f"mov ${out},${a}", f"{'add' if node.value == '+' else 'sub'} ${out},${b}")
            elif node.value == "*":
                self.emit(f"mov ${out},${a}", f"mul ${out},${b}", f"div ${out},$1")
            else:
                self.emit(f"mov ${out},${a}", f"mul ${out},$1", f"div ${out},${b}")
        elif kind == "call" and node.value in ("sqrt", *_FUNCTIONS):
            self.function(node.value, args[0], out)
        else:
            raise FormulaError(f"no constant of {kind} {node.value}")
        return out

    def power(self, a: int, exponent: Fraction, out: int) -> None:
        """v^(p/q) scaled: p multiplications rescaled each time (the values stay near x^j * S), then the q-th
        root of that times S^(q-1); a negative exponent is S^2 over the result."""
        p, q = abs(exponent.numerator), exponent.denominator
        s = self.fresh()
        self.emit(f"mov ${out},$1", f"mov ${s},{p}", f"lpb ${s}", f"  mul ${out},${a}", f"  div ${out},$1",
                  f"  sub ${s},1", "lpe")
        if q > 1:
            self.emit(f"mov ${s},$1", f"pow ${s},{q - 1}", f"mul ${out},${s}", f"nrt ${out},{q}")
        if exponent < 0:
            self.emit(f"mov ${s},$1", f"mul ${s},$1", f"div ${s},${out}", f"mov ${out},${s}")

    def terms(self, body: list[str]) -> None:
        """The loop every series runs: `body` once per term, as many terms as $2 ($3 counts them)."""
        self.emit("mov $3,$2", "lpb $3", *[f"  {x}" for x in body], "  sub $3,1", "lpe")

    def exp_of(self, arg: Node, out: int) -> None:
        """exp(x) = sum x^k/k!; a negative x as 1/exp(-x), so the terms never alternate."""
        x = self.value(arg)
        t, k, neg, flag = self.fresh(), self.fresh(), self.fresh(), self.fresh()
        # neg = -x if x < 0 (else 0), so x + 2 neg = |x|; flag = 1 if x < 0
        self.emit(f"mov ${neg},${x}", f"mul ${neg},-1", f"max ${neg},0", f"add ${x},${neg}", f"add ${x},${neg}",
                  f"mov ${flag},${neg}", f"min ${flag},1", f"mov ${t},$1", f"mov ${out},${t}", f"mov ${k},0")
        self.terms([f"add ${k},1", f"mul ${t},${x}", f"div ${t},$1", f"div ${t},${k}", f"add ${out},${t}"])
        # out += flag * (S^2 / out - out)
        self.emit(f"mov ${t},$1", f"mul ${t},$1", f"div ${t},${out}", f"sub ${t},${out}", f"mul ${t},${flag}",
                  f"add ${out},${t}")

    def pi(self, out: int) -> None:
        """Machin: Pi = 16 atan(1/5) - 4 atan(1/239)."""
        a, b = self.fresh(), self.fresh()
        self.atan_inverse(5, a)
        self.atan_inverse(239, b)
        self.emit(f"mov ${out},${a}", f"mul ${out},16", f"mul ${b},4", f"sub ${out},${b}")

    def atan_inverse(self, m: int, out: int) -> None:
        """atan(1/m) = sum (-1)^k / ((2k+1) m^(2k+1))."""
        t, k, term = self.fresh(), self.fresh(), self.fresh()
        self.emit(f"mov ${t},$1", f"div ${t},{m}", f"mov ${out},${t}", f"mov ${k},0")
        self.terms([f"add ${k},1", f"div ${t},{m * m}", f"mul ${t},-1", f"mov ${term},${k}", f"mul ${term},2",
                    f"add ${term},1", f"mov $4,${t}", f"div $4,${term}", f"add ${out},$4"])

    def function(self, name: str, arg: Node, out: int) -> None:
        if name == "exp":
            self.exp_of(arg, out)
            return
        if name == "sqrt":
            self.power(self.value(arg), Fraction(1, 2), out)
            return
        if name == "log":
            self.log(arg, out)
            return
        x = self.value(arg)
        s, c = self.fresh(), self.fresh()
        self.sin_cos(x, s, c)
        a, b = {"sin": (s, None), "cos": (c, None), "tan": (s, c), "cot": (c, s), "sec": (None, c), "csc": (None, s)}[name]
        if b is None:
            self.emit(f"mov ${out},${a}")
        else:
            self.emit(f"mov ${out},${a}" if a is not None else f"mov ${out},$1", f"mul ${out},$1", f"div ${out},${b}")

    def sin_cos(self, x: int, s: int, c: int) -> None:
        """sin and cos by their series (k counts the factors: term *= -x^2 / (k (k+1)))."""
        t, k, x2 = self.fresh(), self.fresh(), self.fresh()
        self.emit(f"mov ${x2},${x}", f"mul ${x2},${x}", f"div ${x2},$1")
        for out, first, k0 in ((s, x, 1), (c, 1, 0)):  # sin from x (k = 1), cos from S ($1, k = 0)
            self.emit(f"mov ${t},${first}", f"mov ${out},${t}", f"mov ${k},{k0}")
            self.terms([f"mul ${t},${x2}", f"div ${t},$1", f"mul ${t},-1", f"add ${k},1", f"div ${t},${k}",
                        f"add ${k},1", f"div ${t},${k}", f"add ${out},${t}"])

    def log(self, arg: Node, out: int) -> None:
        """log(x) = log(x / 2^k) + k log(2) with 2^k near x, each log(z) = 2 atanh((z-1)/(z+1)), |(z-1)/(z+1)| <= 1/3."""
        x = self.value(arg)
        k, pos, neg, p, two = self.fresh(), self.fresh(), self.fresh(), self.fresh(), self.fresh()
        self.emit(f"mov ${k},${x}", f"log ${k},2", f"mov ${p},$1", f"log ${p},2", f"sub ${k},${p}",
                  f"mov ${pos},${k}", f"max ${pos},0", f"mov ${neg},${k}", f"mul ${neg},-1", f"max ${neg},0",
                  f"mov ${p},2", f"pow ${p},${pos}", f"div ${x},${p}", f"mov ${p},2", f"pow ${p},${neg}", f"mul ${x},${p}")
        self.log_near_one(x, out)
        self.emit(f"mov ${two},$1", f"mul ${two},2")
        self.log_near_one(two, p)
        self.emit(f"mul ${p},${k}", f"add ${out},${p}")

    def log_near_one(self, x: int, out: int) -> None:
        """out = log(z) for v = z * S in $x, z in [1/2, 2]: 2 * sum y^(2k+1)/(2k+1), y = (z-1)/(z+1)."""
        y, y2, t, k, term = self.fresh(), self.fresh(), self.fresh(), self.fresh(), self.fresh()
        self.emit(f"mov ${y},${x}", f"sub ${y},$1", f"mul ${y},$1", f"mov ${t},${x}", f"add ${t},$1", f"div ${y},${t}",
                  f"mov ${y2},${y}", f"mul ${y2},${y}", f"div ${y2},$1", f"mov ${t},${y}", f"mov ${out},${y}",
                  f"mov ${k},0")
        self.terms([f"add ${k},1", f"mul ${t},${y2}", f"div ${t},$1", f"mov ${term},${k}", f"mul ${term},2",
                    f"add ${term},1", f"mov $4,${t}", f"div $4,${term}", f"add ${out},$4"])
        self.emit(f"mul ${out},2")


def program(node: Node, shift: int, offset: int) -> Program:
    """Digit k = n - offset + shift of the constant: S = 10^(k + GUARD) in $1 (10^(n - offset + GUARD) when
    shift < 0, so large constants keep their precision), series cut after $2 = 4 * log10(S) + 60 terms,
    the value divided down to floor(x * 10^k), mod 10."""
    comp = _Compiler()
    head = [f"add $0,{max(shift, 0) + GUARD}", "max $0,0", "mov $1,10", "pow $1,$0", "mov $2,$0", "mul $2,4", "add $2,60"]
    result = comp.value(node)
    tail = [f"mov $0,${result}", f"div $0,{10 ** (GUARD + max(shift, 0) - shift)}", "mod $0,10"]
    return at_offset(parse("\n".join(head + comp.lines + tail) + "\n", "constant").code(), offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The constant's digit program when its digits are the known terms."""
    node = parse_name(target.name)
    if node is None or len(target.terms) < MIN_TERMS or any(not 0 <= t <= 9 for t in target.terms):
        return []
    shift = shift_for(node, target.terms)
    try:
        return [] if shift is None else [program(node, shift, target.offset)]
    except FormulaError:
        return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named constant's digits."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "constants", "from name")
