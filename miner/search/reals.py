"""Floors, ceilings and roundings of real expressions as exact integer formula nodes.

OEIS names floor real numbers: floor(n*sqrt(2)), floor(2*3^(n+1/2)), floor(n*(sqrt(13)+sqrt(2))),
(1/(8*n)) * Sum ..., floor(2*log_2(n)). The formula compiler's arithmetic is on integers (its sqrt is the
integer square root, its `/` truncates), so these are rewritten first, exactly, through

    floor((P + S) / D) = floor((P + floor(S)) / D)        P, D integers, D > 0
    floor(q * sqrt(x)) = isqrt(q^2 * x)                     q >= 0
    floor(sqrt(y)) = isqrt(floor(y))                        y >= 0 real
    q1*sqrt(x1) + q2*sqrt(x2) = sqrt(q1^2 x1 + q2^2 x2 + sqrt(4 q1^2 q2^2 x1 x2))   q1, q2 >= 0
    floor(c * log_b(x)) = floor(log_b(x^c))                 c >= 1

A real expression is held as (P + sum of q_i sqrt(x_i)) / D with integer nodes P, q_i, x_i, D (`Lin`).
Nothing here is a guess: an expression outside these forms is left as it was. Signs the text does not
fix (a surd's coefficient, a numerator's) are read as nonnegative in the plain reading; the `signed`
reading divides with floor semantics and takes nonnegative residues for `mod`, as OEIS means them.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt

from miner.search.formula import Node

ONE = Node("num", 1)
ZERO = Node("num", 0)


def num(v: int) -> Node:
    return Node("num", v)


def add(a: Node, b: Node) -> Node:
    if a.kind == "num" and b.kind == "num":
        return num(a.value + b.value)
    if a == ZERO:
        return b
    if b == ZERO:
        return a
    if b.kind == "num" and b.value < 0:
        return Node("op", "-", (a, num(-b.value)))
    if b.kind == "neg":
        return Node("op", "-", (a, b.args[0]))
    return Node("op", "+", (a, b))


def sub(a: Node, b: Node) -> Node:
    return add(a, neg(b))


def neg(a: Node) -> Node:
    if a.kind == "num":
        return num(-a.value)
    if a.kind == "neg":
        return a.args[0]
    return Node("neg", None, (a,))


def mul(a: Node, b: Node) -> Node:
    if a.kind == "num" and b.kind == "num":
        return num(a.value * b.value)
    if a == ZERO or b == ZERO:
        return ZERO
    if a == ONE:
        return b
    if b == ONE:
        return a
    if a.kind == "num" and a.value < 0:
        return neg(mul(num(-a.value), b))
    if b.kind == "num" and b.value < 0:
        return neg(mul(a, num(-b.value)))
    if a.kind == "neg":
        return neg(mul(a.args[0], b))
    if b.kind == "neg":
        return neg(mul(a, b.args[0]))
    return Node("op", "*", (a, b))


def div(a: Node, b: Node) -> Node:
    return a if b == ONE else Node("op", "/", (a, b))


def mod(a: Node, m: Node) -> Node:
    return Node("op", "mod", (a, m))


def euclid_mod(a: Node, m: Node) -> Node:
    """a mod m in 0..m-1 also for a negative a (LODA's mod keeps the dividend's sign)."""
    return mod(add(mod(a, m), m), m)


def isqrt_node(a: Node) -> Node:
    if a.kind == "num" and a.value >= 0:
        return num(isqrt(a.value))
    return Node("call", "sqrt", (a,))


def ceil_sqrt(m: Node) -> Node:
    """ceiling(sqrt(m)) for an integer m >= 0: isqrt(max(m,1) - 1) + min(m,1)."""
    if m.kind == "num" and m.value >= 0:
        r = isqrt(m.value)
        return num(r + (r * r < m.value))
    return add(isqrt_node(sub(Node("call", "max", (m, ONE)), ONE)), Node("call", "min", (m, ONE)))


def _negative(q: Node) -> bool:
    return (q.kind == "num" and q.value < 0) or q.kind == "neg"


@dataclass(frozen=True)
class Lin:
    """(p + sum of q * sqrt(x) over `surds`) / d, each part an integer node; d > 0."""

    p: Node
    surds: tuple[tuple[Node, Node], ...] = ()
    d: Node = ONE

    @property
    def integral(self) -> bool:
        return not self.surds and self.d == ONE


def _merge(surds: list[tuple[Node, Node]]) -> tuple[tuple[Node, Node], ...]:
    out: dict[Node, Node] = {}
    for q, x in surds:
        out[x] = add(out[x], q) if x in out else q
    return tuple((q, x) for x, q in out.items() if q != ZERO)


def _scale(lin: Lin, f: Node) -> Lin:
    return Lin(mul(lin.p, f), tuple((mul(q, f), x) for q, x in lin.surds), lin.d)


def lin_add(a: Lin, b: Lin) -> Lin:
    if a.d == b.d:
        return Lin(add(a.p, b.p), _merge([*a.surds, *b.surds]), a.d)
    a2, b2 = _scale(a, b.d), _scale(b, a.d)
    return Lin(add(a2.p, b2.p), _merge([*a2.surds, *b2.surds]), mul(a.d, b.d))


def lin_neg(a: Lin) -> Lin:
    return Lin(neg(a.p), tuple((neg(q), x) for q, x in a.surds), a.d)


def lin_mul(a: Lin, b: Lin) -> Lin:
    p = mul(a.p, b.p)
    surds = [(mul(a.p, q), x) for q, x in b.surds] + [(mul(b.p, q), x) for q, x in a.surds]
    for q1, x1 in a.surds:
        for q2, x2 in b.surds:
            x = mul(x1, x2)
            if x1 == x2:
                p = add(p, mul(mul(q1, q2), x1))
            elif x.kind == "num" and x.value >= 0 and isqrt(x.value) ** 2 == x.value:  # sqrt(2)*sqrt(8) = 4
                p = add(p, mul(mul(q1, q2), num(isqrt(x.value))))
            else:
                surds.append((mul(q1, q2), x))
    return Lin(p, _merge(surds), mul(a.d, b.d))


def lin_div(a: Lin, b: Lin) -> Lin | None:
    if b.p == ZERO and len(b.surds) == 1:  # a / (q sqrt(x) / d) = a d sqrt(x) / (q x)
        (q, x), = b.surds
        top = lin_mul(_scale(a, b.d), Lin(ZERO, ((ONE, x),)))
        if _negative(q):
            top, q = lin_neg(top), neg(q)
        return Lin(top.p, top.surds, mul(top.d, mul(q, x)))
    if b.surds or b.p == ZERO:
        return None
    top = _scale(a, b.d)
    if b.p.kind == "num" and b.p.value < 0:
        top, bottom = lin_neg(top), num(-b.p.value)
    else:
        bottom = b.p
    return Lin(top.p, top.surds, mul(a.d, bottom))


def to_lin(node: Node) -> Lin | None:
    """The real value of an integer-and-surd expression; None for anything else (logarithms, nested roots)."""
    kind = node.kind
    if kind == "neg":
        inner = to_lin(node.args[0])
        return None if inner is None else lin_neg(inner)
    if kind == "call" and node.value == "sqrt":
        inner = to_lin(node.args[0])
        if inner is None or inner.surds:
            return None
        x = mul(inner.p, inner.d)  # sqrt(p/d) = sqrt(p*d)/d
        if x.kind == "num" and x.value >= 0 and isqrt(x.value) ** 2 == x.value:
            return Lin(num(isqrt(x.value)), (), inner.d)
        return Lin(ZERO, ((ONE, x),), inner.d)
    if kind == "call" and node.value == "log":
        return None
    if kind != "op" or node.value not in ("+", "-", "*", "/", "^"):
        return Lin(node)
    left, right = to_lin(node.args[0]), to_lin(node.args[1])
    if left is None or right is None:
        return None
    if node.value == "+":
        return lin_add(left, right)
    if node.value == "-":
        return lin_add(left, lin_neg(right))
    if node.value == "*":
        return lin_mul(left, right)
    if node.value == "/":
        return lin_div(left, right)
    return _power(left, right)


def _power(base: Lin, exp: Lin) -> Lin | None:
    if exp.surds:
        return None
    if exp.d == ONE:
        if base.integral and base.p.kind == "num" and base.p.value != 0:
            e = exp.p  # c^(x-k) = c^x / c^k: 2^(n-4) is a fraction below n = 4, the expression may still be whole
            if e.kind == "num" and e.value < 0:
                return Lin(ONE, (), num(base.p.value ** -e.value))
            if e.kind == "op" and e.value == "-" and e.args[1].kind == "num" and 0 < e.args[1].value <= 64:
                return Lin(Node("op", "^", (base.p, e.args[0])), (), num(base.p.value ** e.args[1].value))
        if base.integral:
            return Lin(Node("op", "^", (base.p, exp.p)))
        constant = all(part.kind == "num" for part in (base.p, base.d, *(x for pair in base.surds for x in pair)))
        if exp.p.kind != "num" or not 0 <= exp.p.value <= (64 if constant else 4):
            return None
        out, square, k = Lin(ONE), base, exp.p.value
        while k:  # a constant's power folds to numbers: phi^15 = (p + q sqrt(5)) / 2^15
            if k & 1:
                out = lin_mul(out, square)
            k >>= 1
            if k:
                square = lin_mul(square, square)
        return out
    if exp.d == num(2) and base.integral:  # b^(p/2) = sqrt(b^p)
        return Lin(ZERO, ((ONE, Node("op", "^", (base.p, exp.p))),))
    return None


def _floor_surds(surds: tuple[tuple[Node, Node], ...], signed: bool) -> Node | None:
    if len(surds) == 1:
        (q, x), = surds
        if _negative(q):
            return neg(ceil_sqrt(mul(mul(q, q), x)))
        return isqrt_node(mul(mul(q, q), x))
    if len(surds) != 2:
        return None
    (q1, x1), (q2, x2) = surds
    a = add(mul(mul(q1, q1), x1), mul(mul(q2, q2), x2))
    b = mul(mul(num(4), mul(mul(q1, q1), mul(q2, q2))), mul(x1, x2))
    if _negative(q1) and _negative(q2):
        return neg(ceil_sqrt(sub(a, isqrt_node(b))))  # -(|q1| sqrt(x1) + |q2| sqrt(x2))
    if not _negative(q1) and not _negative(q2):
        return isqrt_node(add(a, isqrt_node(b)))
    # q1 sqrt(x1) - r sqrt(x2): its square is a - sqrt(b); its sign is not in the text, each reading takes one
    if signed:
        return neg(ceil_sqrt(sub(a, isqrt_node(b))))
    return isqrt_node(sub(a, ceil_sqrt(b)))


def floor_div(a: Node, d: Node, signed: bool) -> Node:
    if d == ONE:
        return a
    return div(sub(a, euclid_mod(a, d)), d) if signed else div(a, d)


def exact_floor(node: Node, signed: bool) -> Node | None:
    """An integer node equal to floor(node), or None when the node is outside the forms above."""
    if node.kind == "call" and node.value == "log":
        return node
    if node.kind == "op" and node.value == "*":
        for c, lg in (node.args, node.args[::-1]):
            if c.kind == "num" and c.value >= 1 and lg.kind == "call" and lg.value == "log":
                return Node("call", "log", (Node("op", "^", (lg.args[0], c)), lg.args[1]))
    if node.kind == "call" and node.value == "sqrt":  # floor(sqrt(y)) = isqrt(floor(y)), y real
        inner = exact_floor(node.args[0], signed)
        return None if inner is None else isqrt_node(inner)
    lin = to_lin(node)
    top = None if lin is None else _whole_numerator(lin, signed, up=False)
    return None if lin is None or top is None else floor_div(top, lin.d, signed)


def _whole_numerator(lin: Lin, signed: bool, up: bool) -> Node | None:
    """p + floor(s) (ceiling(s) when `up`) for lin = (p + s) / d: the integer numerator that rounds as lin does."""
    if not lin.surds:
        return lin.p
    if not up:
        return None if (s := _floor_surds(lin.surds, signed)) is None else add(lin.p, s)
    s = _floor_surds(tuple((neg(q), x) for q, x in lin.surds), signed)
    return None if s is None else add(lin.p, neg(s))


def exact_ceiling(node: Node, signed: bool) -> Node | None:
    """ceiling(node) = -floor(-node), with the plain reading's division rounding up a nonnegative numerator."""
    lin = to_lin(node)
    top = None if lin is None else _whole_numerator(lin, signed, up=True)
    if lin is None or top is None:
        return None
    if lin.d == ONE:
        return top
    if signed:
        return neg(floor_div(neg(top), lin.d, True))
    return div(sub(add(top, lin.d), ONE), lin.d)


def _exact_rational(node: Node) -> Node:
    """A rational expression in integers as one exact division at the end: (1/(8n)) * S is S/(8n)."""
    lin = to_lin(node)
    if lin is None or lin.surds or lin.d == ONE:
        return node
    return div(lin.p, lin.d)


def _uses(node: Node, var: str) -> bool:
    return (node.kind == "var" and node.value == var) or any(_uses(a, var) for a in node.args)


def _rational(node: Node) -> bool:
    if node.kind == "call" and node.value in ("floor", "ceiling", "ceil", "round"):
        return False
    return (node.kind == "op" and node.value == "/") or any(_rational(a) for a in node.args)


def realize(node: Node, signed: bool = False) -> Node:
    """The node with its floors, ceilings and roundings of real expressions (and, in the `signed` reading,
    its residues) made exact; a factor of a sum with fractional terms moves into the sum's terms."""
    kind, value = node.kind, node.value
    if kind == "op" and value == "*":
        for outer, inner in (node.args, node.args[::-1]):
            if inner.kind == "sum" and _rational(inner.args[2]) and not _uses(outer, inner.value):
                low, high, body = inner.args
                return realize(Node("sum", inner.value, (low, high, Node("op", "*", (outer, body)))), signed)
    args = tuple(realize(a, signed) for a in node.args)
    if kind == "sum":
        args = (args[0], args[1], _exact_rational(args[2]))
    if kind in ("prod", "dprod"):  # Product of (a/b) = (Product of a) / (Product of b): n*Product_{p|n} (1 + 1/p)
        at = 2 if kind == "prod" else 1
        lin = to_lin(args[at])
        if lin is not None and not lin.surds and lin.d != ONE:
            def part(x: Node) -> Node:
                return Node(kind, value, (*args[:at], x, *args[at + 1:]))
            return div(part(lin.p), part(lin.d))
    node = Node(kind, value, args)
    if kind == "call" and value == "floor":
        return exact_floor(args[0], signed) or node
    if kind == "call" and value in ("ceiling", "ceil"):
        return exact_ceiling(args[0], signed) or node
    if kind == "call" and value == "round":
        return exact_floor(Node("op", "+", (args[0], Node("op", "/", (ONE, num(2))))), signed) or node
    if kind == "op" and value == "mod" and signed:
        return euclid_mod(*args)
    return node


def readings(node: Node) -> list[Node]:
    """The node as written, then its exact real readings (plain and signed), each once."""
    out = [node]
    for signed in (False, True):
        exact = _exact_rational(realize(node, signed))
        if exact not in out:
            out.append(exact)
    return out
