"""Sequences a name defines by earlier terms at any earlier index, which `formula`'s sliding window of
`a(n-c)` lags cannot hold: divide-and-conquer rules by residue ("a(0)=0, a(1)=1, a(2n)=2a(n),
a(2n+1)=a(n)+a(n-1)", "a(3*n+1) = a(3*n+2) = -a(n)", "a(2n-1) = a(n) + a(n-2)", "a(n) = n+a(floor(n/2))
if n mod 2 = 0"), halving references ("a(n) = 1 + a(floor(n/2))*a(ceiling(n/2)) for n > 1, a(1) = 2"),
sums over the whole history ("a(n) = (1/2) * Sum_{k=1..n} (3^k-1) * a(k-1) * a(n-k)") and Hofstadter-type
nested references ("a(n) = n - a(a(n-1))"). Each rule a(p*n + r) = E(n) (p <= 4; also `a(m+1) = E`,
conditions `for n >= c`, `if n is odd`, `n == r (mod p)`, constants `k=1`) is normalized to 0 <= r < p by
n -> n + s. Three g.f. forms become such rules: lacunary products ("x * Product_{k>=0} (1 + x^(2^k) -
x^(3*2^k))", a rule per residue mod 2), equations with a composed argument ("A(x) = 1 + x * A(x/(1 - x)^2) /
(1 - x)") and exponentials of logarithmic sums ("exp( Sum_{n>=1} sigma(n^2)*x^n/n )"), sums over the whole
history; `seq` calls in them take their Python values from the corpus's programs. Initial values are the
name's ("a(0) = a(1) = 1", "For 1 <= n <= 3, a(n) = n") or a few known terms.

The rules are first run in Python with LODA's integer semantics (`twin`: the `formula` compiler's code),
past twice the known terms, and must reproduce every known term with every reference earlier than the
term it defines. Where the name is ambiguous, later readings are tried in turn: `Sum_{k} x/c` as
(Sum_{k} x)/c, `(x/y)*z` as (x*z)/y, `mod` binding like `*`, terms before the first read as 0
(Hofstadter-type names). The program stores the initial terms in an array and fills it one block per loop
pass (a term of each residue class mod lcm(p)) up to the block holding a(n), with indirect reads clamped
into the array; memory holds the array up to n near `Limits.max_memory` (2,000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from math import lcm
from typing import Any, Callable, Iterator

from miner.lang.errors import EvalError
from miner.lang.evaluator import evaluate_partial
from miner.lang.limits import DEFAULT, Limits
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, Operand, Operation, Program
from miner.search import twin
from miner.search.build import add_const, line
from miner.search.formula import (Compiler, ExpressionParser, FormulaError, Node, as_polynomial, closing, constant_value, renamed_text,
                                  signed_terms, split_equals, substitute, tokenize)
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6  # known terms the rules must reproduce
MAX_UNEXPLAINED = 4  # initial terms taken from the data (the name states none of them)
MAX_PERIOD = 12  # lcm of the rules' p: the terms one loop pass computes
MAX_STEP = 4  # largest p of a left-hand side a(p*n + r)
MAX_STATED = 40  # initial values a range ("a(n) = 0 for n < 8") may state
MAX_SEQ_TERMS = 2_000  # terms of a `seq` callee the Python runs may ask for
SEQ_LIMITS = Limits(max_seconds=2.0)  # a slow callee's terms end early (as with a candidate's check) rather than stall the reader
# Node evaluations the Python runs of one name may spend (a history sum costs about n^2 per term).
PYTHON_BUDGET = 4_000_000
# Cells before the compiled rules' scratch cells and the array: $0 n, $1 m, $2 the cell of a(m), $3 passes
# left, $4 the rule's n, $5 a(m), $6 the first index of the block holding a(n).
_M, _ADDRESS, _PASSES, _N, _VALUE, _LAST, _SCRATCH = 1, 2, 3, 4, 5, 6, 7

_KEYWORD = re.compile(r"\s+(?=(?:for|if|when|where|with|and|provided|unless|except|otherwise|thereafter|then)\b)", re.I)
_ELLIPSIS = re.compile(r"a\((\d+)\)\s*=\s*(?:\.\.\.|\u2026)\s*=\s*a\((\d+)\)")
_MAPLE_SUM = re.compile(r"\b(sum|product)\s*\{\s*([a-z])\s*=\s*([^{}]+?)\s+to\s+([^{}]+?)\s*\}", re.I)
_TEX_SUM = re.compile(r"\b(Sum|Product)_\{([a-z])\s*=\s*([^{}]+)\}\s*\^\s*(?:\{([^{}]+)\}|\(([^()]+)\)|(\w+))")
# "with a(0)=1, a(1)=4, k=1 and m=1", "where h = 4": letters the formulas use as constants
_PARAMETER = re.compile(r"(?<![\w(])([b-mo-zA-Z])\s*=\s*(-?\d+)(?=\s*(?:[,;)]|\.(?!\.)|\band\b|$))")
_TRAILING_CONDITION = re.compile(r"\s*\(([^()]*)\)\s*$")
_PROGRESSION = re.compile(r"\bfor n\s*=\s*(\d+),\s*(\d+),\s*(\d+),\s*(?:\.\.\.|\u2026)\.?")
_LOWER = (re.compile(r"\bn\s*(>=|>|\u2265)\s*(-?\d+)"), re.compile(r"(-?\d+)\s*(<=|<|\u2264)\s*n\b"))
_UPPER = re.compile(r"\bn\s*(<=|<|\u2264)\s*(-?\d+)")
_NEGATED = re.compile(r"\bnot\b|!=|\u2260|\u2262|<>")
_RESIDUES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int]]], ...] = (
    (re.compile(r"\bn\s*(?:==|=|\u2261)\s*(\d+)\s*\(?\s*mod\s*(\d+)\s*\)?"), lambda m: (int(m[2]), int(m[1]))),
    (re.compile(r"\bn\s*mod\s*(\d+)\s*(?:==|=)\s*(\d+)"), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(r"\bn\s+(?:is\s+)?(odd|even)\b|\b(odd|even)\s+n\b"), lambda m: (2, 1 if (m[1] or m[2]) == "odd" else 0)),
    (re.compile(r"\bn\s+is\s+(?:a\s+)?(?:multiple\s+of|divisible\s+by)\s+(\d+)"), lambda m: (int(m[1]), 0)),
    (re.compile(r"\bof\s+the\s+form\s+(\d+)\s*\*?\s*[a-z]\s*(?:\+\s*(\d+))?"), lambda m: (int(m[1]), int(m[2] or 0))),
)


@dataclass(frozen=True)
class Condition:
    """What a `for ...`/`if ...` text says of the name's n: bounds and a residue class (modulus, residue)."""

    lower: int | None = None
    upper: int | None = None
    residue: tuple[int, int] | None = None


@dataclass(frozen=True)
class Rule:
    """a(period*n + residue) = expr(n) for 0 <= residue < period, stated for indices >= start."""

    period: int
    residue: int
    expr: Node
    start: int | None = None


@dataclass(frozen=True)
class Definition:
    """What a name states: rules (the more specific first), initial values (index, value) and ranges
    (first index or None for the offset, last index, expression in n) of initial values."""

    rules: tuple[Rule, ...]
    initial: tuple[tuple[int, int], ...] = ()
    ranges: tuple[tuple[int | None, int, Node], ...] = ()

    @property
    def period(self) -> int:
        return lcm(*(r.period for r in self.rules))

    def rule_for(self, m: int) -> Rule | None:
        """The first rule whose residue class holds index m."""
        return next((r for r in self.rules if m % r.period == r.residue), None)


@dataclass(frozen=True)
class Plan:
    """A reading that reproduces the known terms: `values` are a(origin), ... stored as constants, the rules
    compute the rest; with zero_below, terms before a(origin) read as 0."""

    definition: Definition
    origin: int
    values: tuple[int, ...]
    unexplained: int
    zero_below: bool = False


class _NotApplicable(Exception):
    """A rule referenced a term outside the array filled so far."""


class _Parser(ExpressionParser):
    """The formula grammar with a(...) at any argument expression: Node("at", None, (argument,))."""

    def _self_reference(self) -> Node:
        return Node("at", None, (self._call_args(1)[0],))


class _TightModParser(_Parser):
    """The reading where `x mod m` binds like `*` ("n - n mod 2", "a(n-1) + (...) mod n")."""

    term_operators = ("*", "/", "mod")


# --- reading the name -------------------------------------------------------------------------------

def parse_name(name: str) -> Definition | None:
    """The first reading of the name's rules and initial values, or None (see `readings`)."""
    found = readings(name)
    return found[0] if found else None


def readings(name: str) -> list[Definition]:
    """The name's readings, most literal first (see the module's docstring), each with a rule for every residue
    class and a reference that is no plain lag a(n-c) (those are `formula`'s)."""
    stated = lacunary_rules(name) or composition_rules(name) or exp_sum_rules(name) or named_rules(name)
    if stated is None and ("a(" not in name or "=" not in name):
        return []
    text = stated or _normalized(name)
    out: list[Definition] = []
    for parser in (_Parser, _TightModParser):
        definition = _read(text, parser)
        if definition is None:
            continue
        summed = _rewritten(definition, _summed_quotient)
        for candidate in (definition, summed, _rewritten(definition, _fraction_factor),
                          _rewritten(summed, _fraction_factor)):
            if candidate not in out:
                out.append(candidate)
    return out


_LACUNARY = re.compile(r"^(?:Expansion of |G\.f\.:?\s*)(?:x(?:\^(\d+))?\s*\*\s*)?Product_\{k\s*>=\s*0\}\s*\((.+)\)\s*\.?$")
_MONOMIAL = re.compile(r"^(\d*)\s*\*?\s*x(?:\^\((.+)\)|\^(\d+))?$")
_EXPONENT = re.compile(r"^[0-9k+*^() -]+$")
_COMPOSITION = re.compile(r"^G\.f\.(?: A\(x\))? satisfies:? A\(x\) = (.+?)\.?$")
_FACTOR = re.compile(r"\s*([*/]?)\s*(?:x(?:\^(\d+))?|\(1\s*([+-])\s*(?:(\d+)\s*\*?\s*)?x\)(?:\^(\d+))?|(@))")


def _power_of_k(text: str, base: int | None) -> tuple[int, int] | None:
    """(m, b) when the exponent text is m*b^k (2^(k+1): m = 2), b the base named or found; else None."""
    if not _EXPONENT.match(text):
        return None
    try:
        value = twin.compiled(_parse(text, _Reading(_Parser), "k"), twin.Hooks())
        values = [value(twin.Run({"n": k})) for k in range(3)]
    except (FormulaError, EvalError, RecursionError):
        return None
    m = values[0]
    if m <= 0 or values[1] % m:
        return None
    b = values[1] // m
    if b < 2 or values[2] != m * b * b or (base is not None and b != base):
        return None
    return m, b


def lacunary_rules(name: str) -> str | None:
    """The rules of "x^s * Product_{k>=0} Q(x^(b^k))" with Q(0) = 1, as text: G(x) = Q(x) G(x^b) gives each
    residue class mod b its rule, g(b*n + r) = Sum_{m == r (mod b)} q_m g(n - (m - r)/b)."""
    whole = _LACUNARY.match(name)
    if whole is None:
        return None
    shift = int(whole[1]) if whole[1] else (1 if re.match(r"^(?:Expansion of |G\.f\.:?\s*)x\s*\*", name) else 0)
    coefficients: dict[int, int] = {}
    base: int | None = None
    for sign, term in signed_terms(whole[2]):
        if term.isdigit():
            m, c = 0, int(term)
        elif monomial := _MONOMIAL.match(term):
            found = _power_of_k(monomial[2] or monomial[3] or "", base) if (monomial[2] or monomial[3]) else None
            if found is None:
                return None
            (m, base), c = found, int(monomial[1] or 1)
        else:
            return None
        coefficients[m] = coefficients.get(m, 0) + (-c if sign == "-" else c)
    if base is None or base > MAX_STEP or coefficients.get(0) != 1 or max(coefficients) > 8 * base:
        return None
    rules = [f"a({i}) = 0" for i in range(shift)] + [f"a({shift}) = 1"]
    for r in range(base):
        parts = [f"{'-' if c < 0 else '+'} {abs(c)}*a(n{shift - (m - r) // base:+d})"
                 for m, c in sorted(coefficients.items()) if m % base == r and c]
        rules.append(f"a({base}*n+{r + shift}) = {' '.join(parts).lstrip('+ ') or '0'}")
    return ", ".join(rules) + "."


def composition_rules(name: str) -> str | None:
    """The rule of "A(x) = P(x) +- x^j (1+v*x)^c A(x^d (1+v*x)^e)" (c, e of either sign: "A(x/(1-x)^2)/(1-x)"),
    P of degree below j, as text: the coefficient of x^n is p(n) +- Sum_{k} a(k) [x^(n-j-d*k)] (1+v*x)^(e*k+c)."""
    whole = _COMPOSITION.match(name)
    if whole is None:
        return None
    *rest, (sign, term) = signed_terms(whole[1])
    at = term.find("A(")
    inner_end = closing(term, at + 1) if at >= 0 else -1
    if inner_end < 0:
        return None
    inner_text = re.sub(r"^x\s*([+-])\s*x\^2$", r"x*(1\1x)", term[at + 2:inner_end].strip())
    outer, inner = _factors(term[:at] + "@" + term[inner_end + 1:]), _factors(inner_text)
    poly = [(0, 0, 0, False) if t == "1" else _factors(t) for _, t in rest]
    if outer is None or inner is None or not outer[3] or inner[3] or inner[0] < 1 or outer[0] < 1:
        return None
    j, v_out, c, _ = outer
    d, v_in, e, _ = inner
    if v_out and v_in and v_out != v_in or any(f is None or f[1] or f[3] or f[0] >= j for f in poly):
        return None
    v = v_in or v_out
    initial = {i: 0 for i in range(j)}
    for (s, _), f in zip(rest, poly):
        assert f is not None
        initial[f[0]] += -1 if s == "-" else 1
    rest_power = f"n-{j}-{d}*k" if d > 1 else f"n-{j}-k"
    power = "" if v in (0, 1) else f"({v})^({rest_power})*"
    binomial = f"binomial({e}*k{c:+d}, {rest_power})" if v else f"({rest_power} == 0)"
    values = ", ".join(f"a({i}) = {x}" for i, x in sorted(initial.items()))
    return f"{values}, a(n) = {sign.strip('+')}Sum_{{k=0..n-{j}}} {power}a(k)*{binomial} for n >= {j}."


_EXP_SUM = re.compile(r"^(?:Expansion of )?(?:O\.g\.f\.|G\.f\.|g\.f\.)?:?\s*(?:A\(x\) = )?exp\(\s*Sum_\{(?P<v>[a-z])\s*>=\s*1\}\s*",
                      re.I)


def exp_sum_rules(name: str) -> str | None:
    """The rule of the g.f. "exp( Sum_{n>=1} b(n) * x^n/n )", as text: n a(n) = Sum_{j=1..n} b(j) a(n-j), a sum
    over the whole history (x A'(x) = A(x) Sum b(n) x^n)."""
    name = name.strip()
    m = _EXP_SUM.match(name)
    if m is None or re.match(r"(?:Expansion of )?e\.g\.f", name, re.I):
        return None
    end = closing(name, name.index("(", name.lower().index("exp(")))
    if end < 0:
        return None
    v = m["v"]
    body = name[m.end():end].strip()
    body = re.sub(r"^\((.*)\)$", r"\1", body) if closing(body, 0) == len(body) - 1 else body
    under = rf"(?P<d>{v}|\(\s*(?P<c>\d+)\s*\*?\s*{v}\s*\))"  # x^n/n, x^n/(2*n)
    found = (re.fullmatch(rf"(?P<b>.+?)\s*\*\s*x\^{v}\s*/\s*{under}", body)
             or re.fullmatch(rf"x\^{v}\s*/\s*{under}\s*\*\s*(?P<b>.+)", body)
             or re.fullmatch(rf"(?P<b>.+?)\s*/\s*{under}\s*\*\s*x\^{v}", body))
    if found is None or re.search(r"\bx\b", found["b"]):
        return None
    coefficient = f"({found['b']})/{found['c']}" if found["c"] else found["b"]
    var = next(c for c in "jimqrstuw" if not re.search(rf"(?<![A-Za-z_]){c}(?![A-Za-z_])", coefficient))
    term = renamed_text(coefficient, v, var)
    return f"a(0) = 1, a(n) = (Sum_{{{var}=1..n}} ({term})*a(n-{var})) / n for n >= 1."


# Families a name calls by their name, as the rules that define them
_Q_CATALAN = re.compile(r"^Carlitz-Riordan q-Catalan numbers(?: \(recurrence version\))? for q ?= ?(-?\d+)\.?$")


def named_rules(name: str) -> str | None:
    """The rules of a family the name calls by its name: the Carlitz-Riordan q-Catalan numbers, C(n+1) =
    Sum_{k=0..n} q^k C(k) C(n-k)."""
    if m := _Q_CATALAN.match(name):
        return f"a(n) = Sum_{{k=0..n-1}} ({m[1]})^k*a(k)*a(n-1-k), a(0) = 1."
    return None


def _factors(text: str) -> tuple[int, int, int, bool] | None:
    """(j, v, c, A's place seen) of a product and quotient of x^j, (1+v*x)^c factors with one v and the
    placeholder @; None if the text is anything else."""
    j = v = c = 0
    placeholder = False
    pos = 0
    while pos < len(text.rstrip()):
        m = _FACTOR.match(text, pos)
        if m is None or m.end() == pos or (pos == 0) != (m[1] == ""):
            return None
        pos = m.end()
        divide = m[1] == "/"
        if m[6]:
            placeholder = not divide and not placeholder
            if not placeholder:
                return None
        elif m[3]:
            u = int(m[4] or 1) * (-1 if m[3] == "-" else 1)
            if v and u != v:
                return None
            v, c = u, c + (-1 if divide else 1) * int(m[5] or 1)
        elif divide:
            return None
        else:
            j += int(m[2] or 1)
    return j, v, c, placeholder


def _normalized(name: str) -> str:
    """Spellings of the same thing made one: ceil(, `a(1) = ... = a(5)`, sum{k=1 to n}, `for n=2,4,6,...`."""
    text = name.replace("ceil(", "ceiling(")

    def chain(m: re.Match[str]) -> str:
        first, last = int(m[1]), int(m[2])
        return " = ".join(f"a({i})" for i in range(first, last + 1)) if 0 < last - first <= MAX_STATED else m[0]

    def progression(m: re.Match[str]) -> str:
        a, b, c = int(m[1]), int(m[2]), int(m[3])
        d = b - a
        return f"for n >= {a} with n == {a % d} (mod {d})" if d > 0 and c - b == d else m[0]

    text = _ELLIPSIS.sub(chain, text)
    text = _MAPLE_SUM.sub(lambda m: f"{m[1].capitalize()}_{{{m[2]}={m[3]}..{m[4]}}}", text)
    text = _TEX_SUM.sub(lambda m: f"{m[1]}_{{{m[2]}={m[3]}..{m[4] or m[5] or m[6]}}}", text)
    return _PROGRESSION.sub(progression, text)


@dataclass(frozen=True)
class _Reading:
    """How to parse the formulas: the grammar, and the constants the name sets ("k=1 and m=1")."""

    parser: type[_Parser]
    constants: tuple[tuple[str, int], ...] = ()


def _read(text: str, parser: type[_Parser]) -> Definition | None:
    rules: list[Rule] = []
    initial: dict[int, int] = {}
    ranges: list[tuple[int | None, int, Node]] = []
    found: dict[str, set[int]] = {}
    for m in _PARAMETER.finditer(text):
        found.setdefault(m[1], set()).add(int(m[2]))
    reading = _Reading(parser, tuple((k, v.pop()) for k, v in sorted(found.items()) if len(v) == 1))
    for equation, condition in _equations(text):
        try:
            _read_equation(equation, _condition(condition), reading, rules, initial, ranges)
        except (FormulaError, RecursionError, ValueError, ZeroDivisionError, KeyError):
            continue
    # the more specific rule first ("a(4n) = 0, otherwise a(n) = ..."); a closed form after a recurrence
    rules.sort(key=lambda r: (-r.period, not _references(r.expr)))
    if not rules or not any(_beyond_lags(r) for r in rules):
        return None
    definition = Definition(tuple(rules), tuple(sorted(initial.items())), tuple(ranges))
    period = definition.period
    if period > MAX_PERIOD or any(definition.rule_for(c) is None for c in range(period)):
        return None
    return definition


def _segments(name: str) -> list[str]:
    """The name cut at `,` `;` `:` and sentence ends outside brackets."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(name):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0 and (ch in ",;:" or (ch == "." and name[i - 1:i] != "." and name[i + 1:i + 2] in ("", " "))):
            out.append(name[start:i])
            start = i + 1
    out.append(name[start:])
    return [s.strip() for s in out if s.strip()]


def _equations(text: str) -> list[tuple[str, str]]:
    """(equation, condition) for each `a(...) = ...` of the name; a condition follows its equation ("a(2n) = a(n)
    for n >= 2") or comes first ("If n is even, a(n) = ...")."""
    items: list[list[str]] = []
    pending = ""
    for segment in _segments(text):
        seen = False
        for piece in _KEYWORD.split(segment):
            at = re.search(r"(?<![A-Za-z_])a\(", piece)
            if at and "=" in piece[at.start():]:
                equation, condition = piece[at.start():].strip(), f"{pending} {piece[:at.start()]}".strip()
                # "a(n) = a(n/2) (n even)"
                if (m := _TRAILING_CONDITION.search(equation)) and "a(" not in m[1] and _condition(m[1]) != Condition():
                    equation, condition = equation[:m.start()], f"{condition} {m[1]}".strip()
                items.append([equation, condition])
                pending, seen = "", True
            elif seen:
                items[-1][1] = f"{items[-1][1]} {piece}".strip()
            elif _condition(piece) != Condition():
                # alone between commas, it belongs to the rule before it unless that rule has one, is an
                # initial value, or the condition starts a sentence ("..., If n is even, a(n) = ...")
                previous = items[-1] if items else None
                trailing = (previous is not None and not previous[1] and not piece[:1].isupper()
                            and not re.match(r"a\(\s*-?\d+\s*\)\s*=", previous[0]))
                if trailing and previous is not None:
                    previous[1] = piece.strip()
                else:
                    pending = f"{pending} {piece}".strip()
    return [(e, c) for e, c in items]


def _condition(text: str) -> Condition:
    """The bounds and residue class a condition text states of n (the first of each it names)."""
    lower = upper = None
    for pattern in _LOWER:
        if m := pattern.search(text):
            bound = int(m[2] if pattern is _LOWER[0] else m[1])
            strict = (m[1] if pattern is _LOWER[0] else m[2]) in (">", "<")
            lower = bound + 1 if strict else bound
            break
    if m := _UPPER.search(text):
        upper = int(m[2]) - (1 if m[1] == "<" else 0)
    residue = None
    if not _NEGATED.search(text):
        for pattern, read in _RESIDUES:
            if m := pattern.search(text):
                residue = read(m)
                break
    if residue is not None and not 0 <= residue[1] < residue[0] <= MAX_PERIOD:
        residue = None
    return Condition(lower, upper, residue)


def _read_equation(text: str, condition: Condition, reading: _Reading, rules: list[Rule], initial: dict[int, int],
                   ranges: list[tuple[int | None, int, Node]]) -> None:
    """Add the equation chain `a(i1) = a(i2) = ... = E` to the rules, the initial values or the ranges."""
    sides = split_equals(text)
    if len(sides) < 2:
        return
    lefts = [_index_of(side, reading) for side in sides[:-1]]
    if len({var for _, var in lefts}) > 1:
        raise FormulaError("left-hand sides in different variables")
    expr = _parse(sides[-1], reading, lefts[0][1])
    indices = [index for index, _ in lefts]
    if all(isinstance(i, int) for i in indices):
        value = constant_value(expr)
        if value is None or value.denominator != 1:
            raise FormulaError("an initial value that is no integer")
        for i in indices:
            assert isinstance(i, int)
            if initial.setdefault(i, int(value)) != int(value):
                raise FormulaError("two initial values for one index")
        return
    for index in indices:
        if not isinstance(index, tuple):
            raise FormulaError("an initial value chained with a rule")
        p, r = index
        if p == 1 and r == 0 and not _references(expr) and condition.upper is not None:
            # "a(n) = n for 1 <= n <= 3", "a(n) = 0 for n < 8": initial values
            if condition.lower is not None and condition.upper - condition.lower >= MAX_STATED:
                raise FormulaError("too long a range of initial values")
            ranges.append((condition.lower, condition.upper, expr))
            continue
        rules.append(_rule(p, r, expr, condition))


def _parse(text: str, reading: _Reading, var: str = "n") -> Node:
    """The expression in `var` (renamed n) and the name's constants."""
    cursor = reading.parser(tokenize(text.strip().rstrip(".").strip()), (var, *(k for k, _ in reading.constants if k != var)))
    node = cursor.expression()
    if cursor.peek() is not None:
        raise FormulaError(f"unexpected {cursor.peek()!r} after the expression")
    if _kinds(node) - {"num", "var", "op", "neg", "call", "fact", "dfact", "sum", "prod", "dsum", "at", "seq"}:
        raise FormulaError("a term kind with no Python values")
    for name, value in reading.constants:
        if name != var:
            node = substitute(node, name, Node("num", value) if value >= 0 else Node("neg", None, (Node("num", -value),)))
    if var != "n":
        if "n" in _bound(node):
            raise FormulaError("n bound inside a formula in another variable")
        node = substitute(node, var, Node("var", "n"))
    return _exact_fractions(node)


def _bound(node: Node) -> set[str]:
    own = {node.value} if node.kind in ("sum", "prod", "dsum") else set()
    return own.union(*(_bound(a) for a in node.args))


def _index_of(side: str, reading: _Reading) -> tuple[int | tuple[int, int], str]:
    """The index of a left-hand side a(i): an integer, or (p, r) for a(p*n + r); and the letter n is
    written as ("a(m+1) = ...")."""
    for var in ("n", "m", "k", "i", "j"):
        try:
            node = _parse(side, reading, var)
            break
        except FormulaError:
            continue
    else:
        raise FormulaError("a left-hand side in no variable")
    if node.kind != "at":
        raise FormulaError("a left-hand side that is not a(...)")
    poly = as_polynomial(node.args[0])
    if poly is None:
        raise FormulaError("an index that is not linear in n")
    while len(poly) > 1 and poly[-1] == 0:
        poly = poly[:-1]
    if any(c.denominator != 1 for c in poly) or len(poly) > 2:
        raise FormulaError("an index that is not linear in n")
    if len(poly) == 1:
        return int(poly[0]), var
    p, r = int(poly[1]), int(poly[0])
    if not 1 <= p <= MAX_STEP:
        raise FormulaError("a step outside 1..4")
    return (p, r), var


def _rule(p: int, r: int, expr: Node, condition: Condition) -> Rule:
    """a(p*n + r) = expr where the name's n satisfies the condition, normalized to 0 <= r < p."""
    start = None if condition.lower is None else p * condition.lower + r
    if condition.residue is not None:
        # n = q*k + e: a(p*q*k + p*e + r) = E(q*k + e)
        q, e = condition.residue
        expr = substitute(expr, "n", _plus(Node("op", "*", (Node("num", q), Node("var", "n"))), e))
        p, r = p * q, p * e + r
    shift = -(r // p)
    if shift:
        expr = substitute(expr, "n", _plus(Node("var", "n"), shift))
    return Rule(p, r % p, expr, start)


def _plus(node: Node, c: int) -> Node:
    if not c:
        return node
    return Node("op", "+" if c > 0 else "-", (node, Node("num", abs(c))))


def _exact_fractions(node: Node) -> Node:
    """(c/X) * Y as (c*Y)/X for a constant c, so that a stated factor such as (1/2) is not truncated to 0."""
    args = tuple(_exact_fractions(a) for a in node.args)
    node = Node(node.kind, node.value, args)
    if node.kind == "op" and node.value == "*":
        left, right = args
        for frac, other in ((left, right), (right, left)):
            if frac.kind == "op" and frac.value == "/" and constant_value(frac.args[0]) is not None:
                value = constant_value(frac)
                if value is not None and value.denominator == 1:
                    continue
                return Node("op", "/", (Node("op", "*", (frac.args[0], other)), frac.args[1]))
    return node


def _rewritten(definition: Definition, rewrite: Callable[[Node], Node]) -> Definition:
    """The definition with every node of its rules rewritten bottom-up."""
    def walk(node: Node) -> Node:
        return rewrite(Node(node.kind, node.value, tuple(walk(a) for a in node.args)))

    rules = tuple(Rule(r.period, r.residue, walk(r.expr), r.start) for r in definition.rules)
    return Definition(rules, definition.initial, definition.ranges)


def _summed_quotient(node: Node) -> Node:
    """`Sum_{k} x/c` (c constant) read as (Sum_{k} x)/c."""
    if node.kind == "sum" and node.args[2].kind == "op" and node.args[2].value == "/" \
            and constant_value(node.args[2].args[1]) is not None:
        low, high, body = node.args
        return Node("op", "/", (Node("sum", node.value, (low, high, body.args[0])), body.args[1]))
    return node


def _fraction_factor(node: Node) -> Node:
    """(x/y) * z read as (x*z)/y: "((n+1)/(n-1))*a(n-1)"."""
    if node.kind == "op" and node.value == "*":
        left, right = node.args
        if left.kind == "op" and left.value == "/":
            return Node("op", "/", (Node("op", "*", (left.args[0], right)), left.args[1]))
        if right.kind == "op" and right.value == "/":
            return Node("op", "/", (Node("op", "*", (left, right.args[0])), right.args[1]))
    return node


def _kinds(node: Node) -> set[str]:
    out = {node.kind}
    for a in node.args:
        out |= _kinds(a)
    return out


def _references(node: Node) -> list[Node]:
    """The arguments of the node's self references a(...)."""
    out = [node.args[0]] if node.kind == "at" else []
    for a in node.args:
        out += _references(a)
    return out


def _beyond_lags(rule: Rule) -> bool:
    """Whether the rule references a term `formula` cannot: any reference when p > 1, else one not a(n-c)."""
    refs = _references(rule.expr)
    if rule.period > 1:
        return bool(refs)
    for arg in refs:
        poly = as_polynomial(arg)
        if poly is None or len(poly) != 2 or poly[1] != 1 or poly[0] >= 0 or poly[0].denominator != 1:
            return True
    return False


# --- the Python run: the program's arithmetic, term by term ---------------------------------------

@dataclass
class _Run:
    """The array a(origin), ... as filled so far, how a reference outside it reads, and the work left."""

    origin: int
    zero_below: bool
    budget: list[int]
    cap: int = DEFAULT.max_memory
    array: list[int] = field(default_factory=list)
    seq: Callable[[int, twin.Fn], twin.Fn] | None = None  # `seq` calls, by the corpus's programs


def _twin(expr: Node, run: _Run) -> Callable[[int], int]:
    """The expression's value at n as the compiled code computes it (`twin`), a(i) read from the run's array,
    each node evaluation spending one of the run's budget."""
    hooks = twin.Hooks(at=lambda state, index: _read_term(index, run, state.discarded), budget=run.budget,
                       clamp_sum_index=_ArrayCompiler.clamp_sum_index, seq=run.seq)
    fn = twin.compiled(expr, hooks)
    return lambda n: fn(twin.Run({"n": n}))


def _read_term(index: int, run: _Run, discarded: bool) -> int:
    """a(index) from the array; `discarded`: inside a loop pass LODA rolls back, where a reference outside the
    array reads the clamped cell instead of making the rule inapplicable."""
    rel = index - run.origin
    if 0 <= rel < len(run.array):
        return run.array[rel]
    if rel < 0 and run.zero_below:
        return 0
    if not discarded:
        raise _NotApplicable(f"a({index}) is not an earlier term")
    rel = min(max(rel, 0), run.cap)  # the program's clamp; cells not written yet hold 0
    return run.array[rel] if rel < len(run.array) else 0


def simulate(definition: Definition, origin: int, fixed: dict[int, int], length: int, strict: int,
             check: dict[int, int], zero_below: bool = False, budget: list[int] | None = None,
             seq: Callable[[int, twin.Fn], twin.Fn] | None = None) -> list[int] | None:
    """a(origin), ... (`length` terms): `fixed` as given, the rest by the rules, which must apply and agree with
    `check` (else None); a LODA error (a number past the limit) or the budget may end it from term `strict` on."""
    run = _Run(origin, zero_below, budget if budget is not None else [PYTHON_BUDGET], seq=seq)
    rules = {id(rule): _twin(rule.expr, run) for rule in definition.rules}  # by identity: a Rule hashes its whole tree
    for rel in range(length):
        m = origin + rel
        if m in fixed:
            value = fixed[m]
        else:
            rule = definition.rule_for(m)
            if rule is None or (rule.start is not None and m < rule.start):
                return None
            try:
                value = rules[id(rule)]((m - rule.residue) // rule.period)
            except (_NotApplicable, FormulaError):  # FormulaError: a call the twin cannot evaluate (Stirling)
                return None
            except (EvalError, twin.BudgetSpent):
                return None if rel < strict else run.array
        if check.get(m, value) != value:
            return None
        run.array.append(value)
    return run.array


def stated_values(definition: Definition, offset: int) -> dict[int, int] | None:
    """The initial values the name states, ranges evaluated (a range without a first index starts at the
    offset); None if two disagree."""
    stated = dict(definition.initial)
    for first, last, expr in definition.ranges:
        value_at = _twin(expr, _Run(0, False, [PYTHON_BUDGET]))
        indices = range(offset if first is None else first, last + 1)
        if len(indices) > MAX_STATED:
            return None
        for i in indices:
            try:
                value = value_at(i)
            except (EvalError, _NotApplicable, FormulaError, twin.BudgetSpent, KeyError):
                return None
            if stated.setdefault(i, value) != value:
                return None
    return stated


def plan(definition: Definition, target: Target, zero_below: bool = False, budget: list[int] | None = None,
         seq: Callable[[int, twin.Fn], twin.Fn] | None = None) -> Plan | None:
    """The reading with the fewest initial terms from the data that reproduces every known term and whose
    rules apply to every later index up to twice the known terms."""
    terms, offset = target.terms, target.offset
    stated = stated_values(definition, offset)
    if stated is None or len(terms) < MIN_TERMS or offset < 0 or any(i < 0 for i in stated):
        return None
    if any(0 <= i - offset < len(terms) and terms[i - offset] != v for i, v in stated.items()):
        return None
    budget = budget if budget is not None else [PYTHON_BUDGET]
    origin = min([offset, *stated])
    period = definition.period
    check = {offset + i: v for i, v in enumerate(terms)}
    known = offset - origin + len(terms)  # array cells up to the last known term
    first = max(stated) + 1 - origin if stated else 0
    for fixed_count in range(first, first + MAX_UNEXPLAINED + 1):
        indices = range(origin, origin + fixed_count)
        unexplained = [m for m in indices if m not in stated]
        if len(unexplained) > MAX_UNEXPLAINED or 3 * len(unexplained) >= len(terms) \
                or any(m not in check for m in unexplained):
            break
        fixed = {m: stated.get(m, check.get(m, 0)) for m in indices}
        # the loop starts at a multiple of the period; terms before it are stored as constants
        start = -(-(origin + fixed_count) // period) * period
        # the program computes the first block and up to the end of the block holding a(n): an error
        # later only stops it past the known terms
        strict = max(known + period - 1, start - origin + period)
        array = simulate(definition, origin, fixed, max(2 * known, strict + 1), strict, check, zero_below, budget, seq)
        if budget[0] < 0:
            return None
        if array is None:
            continue
        if start - origin > len(array):
            continue
        return Plan(definition, origin, tuple(array[:start - origin]), len(unexplained), zero_below)
    return None


# --- the LODA program -------------------------------------------------------------------------------

class _ArrayCompiler(Compiler):
    """`formula`'s code generation with a(i) read from the array by indirect addressing, the index clamped into
    the array or, with zero_below, to the zero cell before it (a rolled-back pass may compute any index)."""

    # The rolled-back last pass of a sum's loop has k = high + 1, where a(k) is not written yet
    # ("Sum_{k} floor(n/a(k))" would divide by 0): it repeats the last k instead.
    clamp_sum_index = True

    def __init__(self, origin: int, base: int, zero_below: bool) -> None:
        super().__init__(first_free=_SCRATCH, n_cell=_N)
        self.origin, self.base, self.zero_below = origin, base, zero_below

    def value(self, node: Node, dest: int) -> None:
        if node.kind != "at":
            super().value(node, dest)
            return
        self.value(node.args[0], dest)
        self.ops += add_const(dest, -self.origin)
        self.emit("max", dest, -1 if self.zero_below else 0)
        self.emit("min", dest, DEFAULT.max_memory - self.base)
        self.ops += add_const(dest, self.base)
        self.ops.append(Operation("mov", Operand(DIRECT, dest), Operand(INDIRECT, dest)))


def _block(definition: Definition, start: int, origin: int, base: int, zero_below: bool) -> tuple[list[Operation], int]:
    """Code computing a(m), ..., a(m + period - 1) for m = $1 into the array, and the next free cell."""
    ops: list[Operation] = []
    top = _SCRATCH
    for c in range(definition.period):
        rule = definition.rule_for(start + c)
        assert rule is not None
        comp = _ArrayCompiler(origin, base, zero_below)
        comp.value(rule.expr, _VALUE)
        if any(Operand(DIRECT, _N) in (o.source, o.target) for o in comp.ops):
            ops += [line("mov", _N, _M, direct=True), *add_const(_N, -rule.residue)]
            if rule.period > 1:
                ops.append(line("div", _N, rule.period))
        ops += comp.ops
        ops += [Operation("mov", Operand(INDIRECT, _ADDRESS), Operand(DIRECT, _VALUE)),
                line("add", _M, 1), line("add", _ADDRESS, 1)]
        top = max(top, comp.next_cell)
    return ops, top


def compile_plan(p: Plan, offset: int) -> Program:
    """The program: the stored terms, then one block of `period` terms per loop pass up to the block
    holding a(n); the pass LODA rolls back computes that block again, never a term past it."""
    definition, origin = p.definition, p.origin
    period = definition.period
    start = origin + len(p.values)
    _, top = _block(definition, start, origin, 0, p.zero_below)
    base = top + 1 if p.zero_below else top  # with zero_below, the cell before the array stays 0
    body, _ = _block(definition, start, origin, base, p.zero_below)
    ops = [line("mov", _PASSES, 0, direct=True), *add_const(_PASSES, -start)]
    if period > 1:
        ops.append(line("div", _PASSES, period))
    ops += [line("add", _PASSES, 1), line("max", _PASSES, 1), line("mov", _LAST, _PASSES, direct=True)]
    ops += [line("mul", _LAST, period)] if period > 1 else []
    ops += add_const(_LAST, start - period)
    ops += [line("mov", base + i, v) for i, v in enumerate(p.values) if v]
    ops += [line("mov", _M, start)] if start else []
    ops.append(Operation("lpb", Operand(DIRECT, _PASSES), Operand(CONSTANT, 1)))
    ops += [line("sub", _PASSES, 1), line("min", _M, _LAST, direct=True),
            line("mov", _ADDRESS, _M, direct=True), *add_const(_ADDRESS, base - origin)]
    ops += body
    ops.append(Operation("lpe"))
    ops += add_const(0, base - origin)
    ops.append(Operation("mov", Operand(DIRECT, 0), Operand(INDIRECT, 0)))
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def corpus_seq(corpus: Any, count: int) -> Callable[[int, twin.Fn], twin.Fn]:
    """`twin`'s hook for `seq` calls: the callee's terms by its corpus program, `count` at first and more (up to
    MAX_SEQ_TERMS) when an argument needs them; past those, or for a callee the corpus lacks, an EvalError ends
    the Python run."""
    values: dict[int, tuple[int, list[int], bool]] = {}  # first index, terms, whether they ended in an error

    def term(number: int, index: int) -> int:
        first, known, ended = values.get(number, (0, [], False))
        if number not in values or (index - first >= len(known) and not ended and index - first < MAX_SEQ_TERMS):
            program = corpus.get(number) if corpus is not None and number in corpus else None
            wanted = min(max(count, 2 * (index - first) + 1), MAX_SEQ_TERMS)
            known, error = evaluate_partial(program, wanted, corpus, SEQ_LIMITS) if program else ([], "absent")
            first, ended = (program.offset if program else 0), error is not None
            values[number] = (first, known, ended)
        if not 0 <= index - first < len(known):
            raise EvalError(f"seq A{number:06d} at {index}: beyond its terms")
        return known[index - first]

    def hook(number: int, arg: twin.Fn) -> twin.Fn:
        return lambda r: term(number, arg(r))
    return hook


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the first reading of the name's rules that reproduces the known terms."""
    budget = [PYTHON_BUDGET]
    seq = corpus_seq(corpus, 2 * len(target.terms) + 8)
    for definition in readings(target.name):
        for zero_below in (False, True):
            found = plan(definition, target, zero_below, budget, seq)
            if found is not None:
                return [compile_plan(found, target.offset)]
            if budget[0] < 0:
                return []
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The program of the rules the name states."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "selfref", "from name")
