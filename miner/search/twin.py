"""The Python twin of `formula.Compiler`'s code: a formula node compiled once into a closure that computes, on
Python ints with LODA's semantics, the value the compiled program leaves (truncating division, loops whose
last pass LODA rolls back, a sum's index clamped as the reader's compiler clamps it).

Readers that run a name's formula in Python before compiling it (`selfref`, `suchthat`) differ only by
`Hooks`: how a self reference a(i) reads a term (told whether it runs in a rolled-back pass), how a `seq`
call is computed, a budget of node evaluations, and whether divisions outside floor/ceiling/round record
their exactness. What neither hook nor table covers fails when it is evaluated, never when compiled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from miner.lang import semantics as S
from miner.search.formula import (TRIANGLES, UNARY_CALLS, FormulaError, Node, digitcat_value, digitmap_value, inbase_value,
                                  lcm_value, nondivisor_value, order_value, round_value, valuation_value)

BINARY: dict[str, Callable[[int, int], int]] = {"+": S.add, "-": S.sub, "*": S.mul, "/": S.div, "^": S.pow, "mod": S.mod,
                                                "gcd": S.gcd, "min": S.min, "max": S.max, "binomial": S.bin, "c": S.bin,
                                                "lcm": lcm_value, "log": S.log, "ban": S.ban, "bor": S.bor,
                                                "bxo": S.bxo, "inbase": inbase_value, "valuation": valuation_value,
                                                "nondivisor": nondivisor_value, "ord": order_value}
_FLOORS = ("floor", "ceiling", "ceil", "round")


class BudgetSpent(Exception):
    """The node evaluations `Hooks.budget` allows are spent."""


@dataclass(slots=True)
class Run:
    """One evaluation's state: the variables, whether its divisions were exact so far, whether a pass LODA
    rolls back is running."""

    env: dict[str, int]
    exact: bool = True
    discarded: bool = False


Fn = Callable[[Run], int]


@dataclass(frozen=True)
class Hooks:
    """A reader's part: `at(run, i)` reads a(i), `seq(a_number, argument)` a `seq` call's closure, `budget` the node
    evaluations left (shared), `exact` tracks divisions outside floor/ceiling/round, `clamp_sum_index` as its `Compiler`."""

    at: Callable[[Run, int], int] | None = None
    seq: Callable[[int, Fn], Fn] | None = None
    budget: list[int] | None = None
    exact: bool = False
    clamp_sum_index: bool = False


def compiled(node: Node, hooks: Hooks) -> Fn:
    """The node's value as the reader's compiled code computes it."""
    return _compiled(node, hooks, False)


def _compiled(node: Node, h: Hooks, floored: bool) -> Fn:
    fn = _closure(node, h, floored)
    budget = h.budget
    if budget is None:
        return fn

    def counted(r: Run) -> int:
        budget[0] -= 1
        if budget[0] < 0:
            raise BudgetSpent()
        return fn(r)
    return counted


def _closure(node: Node, h: Hooks, floored: bool) -> Fn:
    kind = node.kind
    if kind == "num":
        value = int(node.value)
        return lambda r: value
    if kind == "var":
        name = node.value
        return lambda r: r.env[name]
    if kind == "neg":
        inner = _compiled(node.args[0], h, floored)
        return lambda r: S.mul(inner(r), -1)
    if kind == "op" or (kind == "call" and node.value in BINARY):
        if node.value not in BINARY:
            return _fails(KeyError, node.value)
        fn = BINARY[node.value]
        a, b = _compiled(node.args[0], h, floored), _compiled(node.args[1], h, floored)
        if node.value == "/" and h.exact and not floored:
            return exact_quotient(a, b)
        return lambda r: fn(a(r), b(r))
    if kind == "at" and h.at is not None:
        at, index = h.at, _compiled(node.args[0], h, floored)
        return lambda r: at(r, index(r))
    if kind == "seq" and h.seq is not None:
        return h.seq(node.value, _compiled(node.args[0], h, floored))
    if kind == "call":
        return _call(node, h, floored)
    if kind == "fact":
        inner = _compiled(node.args[0], h, floored)
        return lambda r: S.fac(1, inner(r))
    if kind == "dfact":
        inner = _compiled(node.args[0], h, floored)
        return lambda r: lpb(inner(r), (1,), lambda c, s: (S.sub(c, 2), (S.mul(s[0], c),)))[0]
    if kind in ("sum", "prod"):
        return _big(node, h, floored)
    if kind in ("dsum", "dmax") and len(node.args) == 2:
        return _divisor_sum(node, h, floored)
    return _fails(FormulaError, f"cannot evaluate {kind}")


def _fails(error: type[Exception], message: str) -> Fn:
    # only when evaluated: a `selfref` rule whose run ends (at an earlier term it cannot read) before reaching
    # the node must end as it did, and a `suchthat` test that fails on every k refuses its reading all the same
    def fail(r: Run) -> int:
        raise error(message)
    return fail


def _call(node: Node, h: Hooks, floored: bool) -> Fn:
    name = node.value
    if name == "digitmap":
        index, base, digits = _compiled(node.args[0], h, floored), node.args[1].value, tuple(a.value for a in node.args[2:])
        return lambda r: digitmap_value(index(r), base, digits)
    if name in TRIANGLES and h.seq is not None:  # T(n, k) by its triangle's `seq`, 0 outside 0 <= k <= n
        row, column = _compiled(node.args[0], h, floored), _compiled(node.args[1], h, floored)
        entry = h.seq(TRIANGLES[name], lambda r: _triangle_index(row(r), column(r)))
        return lambda r: entry(r) if 0 <= column(r) <= row(r) else 0
    if name == "digitcat":
        number, images = _compiled(node.args[0], h, floored), tuple(a.value for a in node.args[1:])
        return lambda r: digitcat_value(number(r), images)
    if name not in (*_FLOORS, "sqrt", *UNARY_CALLS):
        return _fails(FormulaError, f"cannot evaluate {name}")
    inner = node.args[0]
    if name in ("ceiling", "ceil", "round") and inner.kind == "op" and inner.value == "/":
        a, b = _compiled(inner.args[0], h, True), _compiled(inner.args[1], h, True)
        if name == "round":
            return lambda r: round_value(a(r), b(r))

        def ceiling(r: Run) -> int:
            x, y = a(r), b(r)
            return S.div(S.sub(S.add(x, y), 1), y)
        return ceiling
    arg = _compiled(inner, h, floored or name in _FLOORS)
    if name == "sqrt":
        return lambda r: S.nrt(arg(r), 2)
    if name in UNARY_CALLS:
        unary = UNARY_CALLS[name]
        return lambda r: unary(arg(r))
    return arg


def _triangle_index(n: int, k: int) -> int:
    """The index `Compiler.triangle` gives `seq`: n(n+1)/2 + k inside the triangle, else 0."""
    return S.div(S.mul(n, S.add(n, 1)), 2) + k if 0 <= k <= n else 0


def exact_quotient(a: Fn, b: Fn) -> Fn:
    """a / b, clearing `Run.exact` when b does not divide a."""
    def run(r: Run) -> int:
        x, y = a(r), b(r)
        if S.mod(x, y):
            r.exact = False
        return S.div(x, y)
    return run


def lpb(counter: int, state: tuple[int, ...], body: Callable[[int, tuple[int, ...]], tuple[int, tuple[int, ...]]]) -> tuple[int, ...]:
    """LODA's loop: the body runs while it lowers the counter and keeps it nonnegative; the last pass is undone
    (but its errors stand)."""
    while True:
        after, new = body(counter, state)
        if not -1 < after < counter:
            return state
        counter, state = after, new


# Sums run `lpb`'s loop inline (they are the hot loops): the counter falls by one a pass, so the pass that
# takes it below 0 is the one rolled back, and it is known before the body runs.

def _big(node: Node, h: Hooks, floored: bool) -> Fn:
    """Sum/Product_{k=low..high}: `Compiler.big`'s loop, k = high - counter (clamped to high if the reader's
    compiler does), the rolled-back last pass included."""
    low, high, body = (_compiled(x, h, floored) for x in node.args)
    var, combine, empty, clamp = node.value, S.add if node.kind == "sum" else S.mul, int(node.kind == "prod"), h.clamp_sum_index

    def run(r: Run) -> int:
        top = high(r)
        counter = S.add(S.mul(S.sub(low(r), top), -1), 1)
        total, env, outer, discarded = empty, r.env, r.env.get(var), r.discarded
        try:
            while True:
                counter = S.sub(counter, 1)
                k = S.sub(top, counter)
                env[var] = S.min(k, top) if clamp else k
                last = counter < 0
                r.discarded = discarded or last
                updated = combine(total, body(r))
                if last:
                    return total
                total = updated
        finally:
            _restore(r, var, outer, discarded)
    return run


def _divisor_sum(node: Node, h: Hooks, floored: bool) -> Fn:
    """Sum_{d|m} (Max_{d|m}): `Compiler.divisor_sum`'s loop, d = max(counter, 1) from m down, the non-divisors'
    terms times 0 (passed over), the rolled-back pass at counter 0 included."""
    whole, body = (_compiled(x, h, floored) for x in node.args)
    var, most = node.value, node.kind == "dmax"

    def run(r: Run) -> int:
        m = whole(r)
        counter, total, env, outer, discarded = m, 0, r.env, r.env.get(var), r.discarded
        first = 1
        try:
            while True:
                d = S.max(counter, 1)
                env[var] = d
                last = counter <= 0
                r.discarded = discarded or last
                flag = S.equ(S.mod(m, d), 0)
                if most:
                    term = body(r)
                    best = S.max(total, term)
                    best = S.add(best, S.mul(S.sub(term, best), first))
                    updated = S.add(total, S.mul(S.sub(best, total), flag))
                    first = 0
                else:
                    updated = S.add(total, S.mul(body(r), flag))
                counter = S.sub(counter, 1)
                if last:
                    return total
                total = updated
        finally:
            _restore(r, var, outer, discarded)
    return run


def _restore(r: Run, var: str, outer: int | None, discarded: bool) -> None:
    """The bound variable and the rolled-back flag as they were before the loop (sums nest)."""
    if outer is None:
        r.env.pop(var, None)
    else:
        r.env[var] = outer
    r.discarded = discarded
