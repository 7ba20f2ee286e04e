"""Decimal expansions of closed-form constants a name states: "Decimal expansion of Pi^5/768", "3 - 24/Pi^2",
"e^(9/2)", "sqrt(Pi)/e", "(Pi/e)^(1/4)", "Pi*csc(Pi/5)", "tan(2) - sec(2)", "16*log(2)/(8*log(2) - 5)", "log_20 (2)", "1/446", and
series that converge at least as fast as 2^-k: "Sum_{k>=0} 1/(k!)^4", "Sum_{k>=1} sigma(k)/2^k", "the sum of
the reciprocals of ... A084939" (a term by formula, or `seq`, as numerator over denominator). The
program evaluates the expression in fixed point, every value an integer v ~ x * 10^(k + GUARD) for the
digit k wanted (Pi by Machin's formula, exp, log, sin and cos by their series, roots by `nrt`), and returns
digit k of the result, so it holds for every term as far as LODA's numbers reach (about 550 digits). The
constant is computed with mpmath first: only a name whose digits are the known terms becomes a program.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Callable, Iterator

from miner.lang import Limits
from miner.lang.evaluator import evaluate_partial
from miner.lang.formatter import format_program
from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset, largest_cell
from miner.search.formula import (ExpressionParser, FormulaError, Node, binop, compile_formula, constant_value, inline_formula,
                                  quotient_parts, renamed, tokenize, uses)
from miner.search.types import Candidate, SearchContext, Target

GUARD = 12  # digits carried beyond the one wanted
MIN_TERMS = 12
MAX_SHIFT = 40
_NAME = re.compile(r"^Decimal expansion of (.+?)\.?$")
_LOG_BASE = re.compile(r"\blog_\{?(\d+)\}?\s*\(([^()]*)\)")
# "1/446", "17/99": periodic, but with periods past what the recurrence fit sees in the known digits
_RATIONAL = re.compile(r"^\d+\s*/\s*\d+$")
_SERIES = re.compile(r"(?:^(?:the )?(?:constant )?)?Sum_\{ ?([a-z]) ?>= ?(\d+) ?\}")
_RECIPROCALS = re.compile(r"^(?:the )?sum of (?:the )?reciprocals of (?:the )?[-\w ]*?\b(A\d{6})$", re.I)
# Digits at which the series program's sum is checked against one 30 digits finer (the stop rule's test).
SERIES_CHECK_DIGITS = 100
SERIES_SHIFT = 20  # digits before the first term a series' value may have
SERIES_LIMITS = Limits(max_steps=1_000_000, max_seconds=2.0)
_FUNCTIONS = ("exp", "log", "sin", "cos", "tan", "sec", "csc", "cot")
_CONSTANTS = ("pi", "e")


def _log(x: Node) -> Node:
    return Node("call", "log", (x,))


def _asinh(x: Node) -> Node:
    return _log(binop("+", x, Node("call", "sqrt", (binop("+", binop("^", x, 2), 1),))))


def _acosh(x: Node) -> Node:
    return _log(binop("+", x, Node("call", "sqrt", (binop("-", binop("^", x, 2), 1),))))


def _atanh(x: Node) -> Node:
    one = Node("num", 1)
    return binop("/", _log(binop("/", binop("+", one, x), binop("-", one, x))), 2)


# each spelling of the inverse hyperbolic functions, as the logarithm it is
_AREA: dict[str, Callable[[Node], Node]] = {
    **dict.fromkeys(("asinh", "arsinh", "arcsinh"), _asinh), **dict.fromkeys(("acosh", "arcosh", "arccosh"), _acosh),
    **dict.fromkeys(("atanh", "arctanh"), _atanh)}


class _Parser(ExpressionParser):
    """The formula grammar without n, with Pi, e and the functions above."""

    def __init__(self, tokens: list[str]) -> None:
        super().__init__(tokens, ())

    def _starts_factor(self, tok: str) -> bool:
        return tok.lower() in _CONSTANTS or tok.lower() in _FUNCTIONS or tok.lower() in _AREA or super()._starts_factor(tok)

    def primary(self) -> Node:
        tok = self.peek() or ""
        if tok.lower() == "sum" and self.peek(1) == "_":
            return self._series()
        if tok.lower() == "pi" or tok == "e":
            self.take()
            return Node("const", tok.lower())
        if tok.lower() in _FUNCTIONS and self.peek(1) == "(":
            self.take()
            return Node("call", tok.lower(), tuple(self._call_args(1)))
        if tok.lower() in _AREA and self.peek(1) == "(":  # the inverse hyperbolic functions are logarithms
            self.take()
            return _AREA[tok.lower()](self._call_args(1)[0])
        return super().primary()

    def _series(self) -> Node:
        """Sum_{k=a..oo} term (the name's `Sum_{k>=a}`), as Node("series", k, (a, term))."""
        for want in ("sum", "_", "{"):
            if self.take().lower() != want:
                raise FormulaError("not a series")
        var, _, low = self.take(), self.take("="), self.take()
        if not re.fullmatch(r"[a-z]", var) or var == "e" or not low.isdigit():
            raise FormulaError("not a series")
        for want in ("..", "oo", "}"):
            self.take(want)
        self.variables.append(var)
        term = self.term()
        self.variables.pop()
        quotient_parts(term)  # raises unless the term is a quotient of integer expressions
        if not uses(term, var):
            raise FormulaError("a series of equal terms")
        return Node("series", var, (Node("num", int(low)), term))


def parse_name(name: str) -> Node | None:
    """The constant the name's decimal expansion is of, when it is an expression in Pi, e, roots, logs or
    trigonometric functions, or a series."""
    m = _NAME.match(name.strip())
    if not m:
        return None
    recip = _RECIPROCALS.match(m[1])
    if recip:
        k = Node("var", "k")
        return Node("series", "k", (Node("num", -1), Node("op", "/", (Node("num", 1), Node("seq", int(recip[1][1:]), (k,))))))
    text = _SERIES.sub(r"Sum_{\1=\2..oo}", m[1])
    text = _LOG_BASE.sub(r"(log(\2)/log(\1))", text)  # "log_20 (2)", "log_2(3)"
    if "Sum_{" in text:  # what follows is a closed form or a definition ("= zeta(3)^2", ", where ...")
        text = re.split(r"\s=\s|,?\s+where\s|,?\s+with\s", text)[0]
    elif not re.search(r"\b(?:Pi|e|phi|sqrt|exp|log|sin|cos|tan|sec|csc|cot|(?:a|ar|arc)?(?:sinh|cosh|tanh))\b", text) \
            and not _RATIONAL.match(text):
        return None
    # "..., where phi is the golden ratio (A001622)": the golden ratio is phi's meaning here already
    text = re.sub(r",?\s+where phi is the golden ratio\b.*$", "", text)
    try:
        parser = _Parser(tokenize(text))
        node = parser.expression()
        # an exponent that is no rational number (e^(-Pi)) raises in _irrational: not read
        if parser.peek() is not None or not (_irrational(node) or _RATIONAL.match(text)):
            return None
    except (FormulaError, RecursionError):
        return None
    return node


def series_parts(node: Node, count: int, corpus: Any = None) -> tuple[list[int], list[int]] | None:
    """The first numerators and denominators of a series' terms, up to `count` or the first that fails to
    evaluate (None: none, or a zero denominator)."""
    low, term = node.args
    num, den = (renamed(x, node.value) for x in quotient_parts(term))
    try:
        nums, _ = evaluate_partial(compile_formula(num, low.value), count, corpus, SERIES_LIMITS)
        dens, _ = evaluate_partial(compile_formula(den, low.value), count, corpus, SERIES_LIMITS)
    except FormulaError:
        return None
    size = min(len(nums), len(dens))
    return (nums[:size], dens[:size]) if size and 0 not in dens[:size] else None


def series_sum(nums: list[int], dens: list[int], digits: int) -> int | None:
    """The program's fixed-point sum at S = 10^digits: sum of trunc(S * num / den) over at most 4 * digits + 60
    terms, stopping at a zero term whose denominator is past S; None when the parts run out first."""
    scale = 10 ** digits
    total = 0
    for i in range(4 * digits + 60):
        if i >= len(nums):
            return None
        q = abs(scale * nums[i]) // abs(dens[i])
        t = q if (nums[i] >= 0) == (dens[i] > 0) else -q
        total += t
        if t == 0 and abs(dens[i]) >= scale:
            return total
    return total


def _series_values(node: Node, corpus: Any, digits: int) -> dict[Node, Fraction] | None:
    """Each series in the expression, as the program's sum 30 digits finer than `digits`, when the sums at
    SERIES_CHECK_DIGITS and 30 digits finer agree (the stop rule holds and the series converges in time)."""
    out: dict[Node, Fraction] = {}
    for part in _series_nodes(node):
        fine = max(digits, SERIES_CHECK_DIGITS) + 30
        parts = series_parts(part, 4 * fine + 60, corpus)
        if parts is None:
            return None
        coarse_sum, fine_sum = series_sum(*parts, fine - 30), series_sum(*parts, fine)
        # each sum is off by under a unit per term (far below GUARD); a tail cut too early is off by more
        if coarse_sum is None or fine_sum is None or abs(fine_sum - coarse_sum * 10 ** 30) > 10 ** 34:
            return None
        out[part] = Fraction(fine_sum, 10 ** fine)
    return out


def _series_nodes(node: Node) -> list[Node]:
    return [node] if node.kind == "series" else [x for a in node.args for x in _series_nodes(a)]


def _irrational(node: Node) -> bool:
    # Rational numbers' expansions are periodic: the recurrence strategy writes those with short periods.
    return node.kind in ("const", "call", "series") or (node.kind == "op" and node.value == "^"
                                              and _rational(node.args[1]).denominator > 1) \
        or any(_irrational(a) for a in node.args)


def _rational(node: Node) -> Fraction:
    """A constant exponent's value; FormulaError if it is not a rational number."""
    value = constant_value(node)
    if value is None:
        raise FormulaError("not a rational exponent")
    return value


def value(node: Node, ctx: Any, series: dict[Node, Fraction] | None = None) -> Any:
    """The constant in mpmath's context ctx (the program's Python twin, to full precision); `series`: the
    series' values."""
    kind, args = node.kind, node.args
    if kind == "series":
        if series is None or node not in series:
            raise FormulaError("a series without its value")
        return ctx.mpf(series[node].numerator) / series[node].denominator
    if kind == "num":
        return ctx.mpf(node.value)
    if kind == "const":
        return ctx.pi if node.value == "pi" else ctx.e
    if kind == "neg":
        return -value(args[0], ctx, series)
    if kind == "op" and node.value == "^":
        if args[0] == Node("const", "e"):
            return ctx.exp(value(args[1], ctx, series))
        q = _rational(args[1])
        return value(args[0], ctx, series) ** (ctx.mpf(q.numerator) / q.denominator)
    if kind == "op" and node.value in "+-*/":
        a, b = value(args[0], ctx, series), value(args[1], ctx, series)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[node.value]
    if kind == "call" and node.value in ("sqrt", *_FUNCTIONS):
        return getattr(ctx, node.value)(value(args[0], ctx, series))
    raise FormulaError(f"no constant of {kind} {node.value}")


def shift_for(node: Node, terms: tuple[int, ...], series: dict[Node, Fraction] | None = None) -> int | None:
    """E with terms[i] = floor(x * 10^(i + E)) mod 10 for every known term, or None (x < 0 or no such E)."""
    import mpmath

    ctx = mpmath.mp.clone()
    ctx.dps = len(terms) + MAX_SHIFT + 30
    try:
        x = value(node, ctx, series)
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
        elif kind == "series":
            self.series(node, out)
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

    def inline(self, node: Node, source: int, dest: int) -> list[str]:
        """Lines setting $dest to the integer formula at n = $source, its cells above all others."""
        ops = inline_formula(node, source, dest, self.next)
        self.next = max(self.next, largest_cell(ops))
        return format_program(Program(ops)).strip().splitlines()

    def series(self, node: Node, out: int) -> None:
        """sum of trunc(S * num(k) / den(k)), until a term is 0 and |den(k)| >= S (the tail is below a unit
        then, as the term falls at least like 2^-k), or after $2 terms."""
        low, term = node.args
        num_node, den_node = (renamed(x, node.value) for x in quotient_parts(term))
        k, num, den, t, flag = self.fresh(), self.fresh(), self.fresh(), self.fresh(), self.fresh()
        body = self.inline(num_node, k, num) + self.inline(den_node, k, den)
        self.emit(f"mov ${out},0", f"mov ${k},{low.value}")
        self.terms([*body, f"mov ${t},$1", f"mul ${t},${num}", f"div ${t},${den}", f"add ${out},${t}",
                    f"mov ${flag},${den}", "mov $4,0", f"sub $4,${den}", f"max ${flag},$4", f"geq ${flag},$1",
                    f"mov $4,${t}", "equ $4,0", f"mul ${flag},$4", "mov $4,1", f"sub $4,${flag}", "mul $3,$4",
                    f"add ${k},1"])

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


def programs_for(target: Target, corpus: Any = None, known: Any = None) -> list[Program]:
    """The constant's digit program when its digits are the known terms (a series' callees need `corpus`;
    the reciprocals of a cited sequence start at its offset in `known`, else at 0, or one later)."""
    node = parse_name(target.name)
    if node is None or len(target.terms) < MIN_TERMS or any(not 0 <= t <= 9 for t in target.terms):
        return []
    for reading in _readings(node, known or {}):
        series = _series_values(reading, corpus, len(target.terms) + SERIES_SHIFT + GUARD) \
            if _series_nodes(reading) else None
        if series is None and _series_nodes(reading):
            continue
        # a negative constant's expansion lists the digits of its absolute value
        for signed in (reading, Node("neg", None, (reading,))):
            shift = shift_for(signed, target.terms, series)
            if shift is None or (series is not None and shift > SERIES_SHIFT):
                continue  # no digits of it, or deeper than the sums were checked
            try:
                return [program(signed, shift, target.offset)]
            except FormulaError:
                continue
    return []


def _readings(node: Node, known: Any) -> list[Node]:
    """The node, or for a series from index -1 (a cited sequence's reciprocals), one per first index."""
    if node.kind != "series" or node.args[0].value >= 0:
        return [node]
    cited = known.get(node.args[1].args[1].value)
    first = cited.offset if cited is not None else 0
    return [Node("series", node.value, (Node("num", low), node.args[1])) for low in (first, first + 1)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named constant's digits."""
    for prog in programs_for(target, ctx.corpus, ctx.known)[: max(budget, 0)]:
        yield Candidate(prog, "constants", "from name")
