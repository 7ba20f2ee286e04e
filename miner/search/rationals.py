"""Numerators and denominators of rational expressions in n: "Numerator of Sum_{k=1..n} 1/k^2",
"a(n) = denominator of n^(n-2)/n!", "Denominators of Sum_{i=1..n} i/2^i".

The expression is the formula grammar's (`formula.parse_prefix`), its `/` the exact division of rationals.
The compiled code keeps each value as a pair of cells (numerator, denominator > 0) in lowest terms: the sum
a/b + c/d is (ad + bc)/(bd) divided by the gcd, a sum's loop keeps its running total that way, and the
program's result is one cell of the final pair. Anything else (calls, `seq`, factorials) is an integer the
formula compiler computes as it is.
"""

from __future__ import annotations

import re

from miner.lang.program import Operation, Program
from miner.search.build import line
from miner.search.formula import Compiler, FormulaError, Node, _clean, parse_prefix

_NAME = re.compile(r"^(?:a\(n\) (?:=|is) (?:the )?)?(numerator|denominator)s?(?: of)?\s+(?:the\s+)?(.+?)\.?$", re.I)
_CALL = re.compile(r"^(?:a\(n\) = )?(numerator|denominator)\((.+)\)\.?$", re.I)


def parse_name(name: str) -> tuple[str, Node] | None:
    """("numerator" or "denominator", the rational expression in n) the name asks for, or None."""
    text = name.strip()
    m = _CALL.match(text) or _NAME.match(text)
    if not m:
        return None
    expression = re.sub(r"^[a-z]\(n\)\s*=\s*", "", m[2])  # "Numerator of b(n) = (50*n-6)/(...)"
    try:
        node = parse_prefix(_clean(expression))
    except (FormulaError, RecursionError):
        return None
    return m[1].lower(), node


class _Rational(Compiler):
    """The formula compiler with each node's value as a reduced (numerator, denominator) pair of cells."""

    def pair(self, node: Node) -> tuple[int, int]:
        kind, value = node.kind, node.value
        if kind == "neg":
            top, bottom = self.pair(node.args[0])
            self.emit("mul", top, -1)
            return top, bottom
        if kind == "op" and value in ("+", "-", "*", "/"):
            a, b = self.pair(node.args[0])
            c, d = self.pair(node.args[1])
            if value in ("+", "-"):
                self.emit("mul", a, d, direct=True)  # a*d +- c*b over b*d
                self.emit("mul", c, b, direct=True)
                self.emit("add" if value == "+" else "sub", a, c, direct=True)
                self.emit("mul", b, d, direct=True)
            elif value == "*":
                self.emit("mul", a, c, direct=True)
                self.emit("mul", b, d, direct=True)
            else:
                self.emit("mul", a, d, direct=True)
                self.emit("mul", b, c, direct=True)
                self._sign(a, b, c)
            self._reduce(a, b)
            return a, b
        if kind == "op" and value == "^":
            exponent = node.args[1]
            negative = exponent.kind == "neg" or (exponent.kind == "num" and exponent.value < 0)
            if negative:
                exponent = exponent.args[0] if exponent.kind == "neg" else Node("num", -exponent.value)
            a, b = self.pair(node.args[0])
            e = self.fresh()
            self.value(exponent, e)
            self.emit("pow", a, e, direct=True)
            self.emit("pow", b, e, direct=True)
            if negative:
                self._sign(b, a, b)
                return b, a
            return a, b
        if kind in ("sum", "prod"):
            return self._loop(node)
        top, bottom = self.fresh(), self.fresh()
        self.value(node, top)
        self.emit("mov", bottom, 1)
        return top, bottom

    def _sign(self, top: int, bottom: int, divisor: int) -> None:
        """Both cells times the sign of $divisor (so the denominator stays positive)."""
        s = self.fresh()
        self.emit("mov", s, divisor, direct=True)
        self.emit("geq", s, 0)
        self.emit("mul", s, 2)
        self.emit("sub", s, 1)
        self.emit("mul", top, s, direct=True)
        self.emit("mul", bottom, s, direct=True)

    def _reduce(self, top: int, bottom: int) -> None:
        g = self.fresh()
        self.emit("mov", g, top, direct=True)
        self.emit("gcd", g, bottom, direct=True)
        self.emit("div", top, g, direct=True)
        self.emit("div", bottom, g, direct=True)

    def _loop(self, node: Node) -> tuple[int, int]:
        """Sum/Product_{k=low..high}: `Compiler.big`'s loop with a running reduced fraction."""
        low, high, body = node.args
        cells = self.fresh(), self.fresh(), self.fresh()
        top, bottom = self.fresh(), self.fresh()
        self.open_range(low, high, cells, {top: 0 if node.kind == "sum" else 1, bottom: 1}, clamp=True)
        with self.binding(node.value, cells[2]):
            a, b = self.pair(body)
        if node.kind == "sum":
            self.emit("mul", top, b, direct=True)
            self.emit("mul", a, bottom, direct=True)
            self.emit("add", top, a, direct=True)
        else:
            self.emit("mul", top, a, direct=True)
        self.emit("mul", bottom, b, direct=True)
        self._reduce(top, bottom)
        self.ops.append(Operation("lpe"))
        return top, bottom


def _rational(node: Node) -> bool:
    return (node.kind == "op" and node.value == "/") or (node.kind == "op" and node.value == "^" and (
        node.args[1].kind == "neg" or (node.args[1].kind == "num" and node.args[1].value < 0))) \
        or any(_rational(a) for a in node.args)


def programs_from_name(name: str, offset: int = 0) -> list[Program]:
    """The program for the numerator or denominator the name asks for (none for an integer expression)."""
    found = parse_name(name)
    if found is None or not _rational(found[1]):
        return []
    part, node = found
    comp = _Rational()
    comp.ops.append(line("mov", 1, 0, direct=True))
    try:
        top, bottom = comp.pair(node)
    except (FormulaError, KeyError):
        return []
    comp.emit("mov", 0, top if part == "numerator" else bottom, direct=True)
    return [Program(ops=comp.ops, directives={"offset": offset} if offset else {})]
