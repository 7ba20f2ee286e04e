"""Partition statistics and Lambert series times products that a name states.

Reads "Total number of prime power parts in all partitions of n", "Total sum of squares of parts in all
partitions of n", "Number of triangular number parts in all partitions of n", "Sum of the odd parts in all
partitions of n into distinct parts", "Number of 2's in all partitions of n", "Sum of the odd singletons in all
partitions of n", "Total number of parts of multiplicity 3 in all partitions of n", "Number of partitions of n
into distinct parts that are not squarefree", and g.f.s with a Lambert part: "Expansion of Sum_{i>=1}
mu(i)^2*x^i/(1 - x^i) / Product_{j>=1} (1 - x^j)", "Sum_{p prime, i>=2} x^(p^i)/(1 - x^(p^i)) / ...",
"G.f.: (Sum_{k>=1} x^k/(1-x^k) * Product_{k>=1} 1/(1-x^k) )^2", "Sum_{k>=1} mu(k)^2*x^k*(1 - x)^2/(1 - 2*x)^2",
"Sum_{k>0} x^(2*k)/(1+x^k)^3". A g.f. of products alone is `products`' to read.

Every reading is L(x)^times * Product_t (1 - u x^t)^(-w(t)), times <= 2, with the Lambert part
L = Sum_t w'(t) x^(s t) / (1 - u' x^t)^depth and each w(t) = scale * t^power on a set of parts t (odd, prime,
square, triangular, Fibonacci, powers of b, prime powers, squarefree, ... and their negations), or on one t for
the finite factors such as (1 - 2x)^2. The program sieves c(n) = Sum_{t|n} w(t) t u^(n/t) over the divisors and
gets the product's series from `euler`'s convolution n a(n) = Sum c(k) a(n-k); then it sieves L into the freed
c cells, squares it in place if need be, and convolves. The same series computed in Python must give every
known term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache, partial
from math import comb, isqrt
from typing import Any, Callable, Iterator

from miner.lang.parser import parse
from miner.lang.program import Operation, Program
from miner.search.build import add_const, at_offset
from miner.search.euler import ARRAY, series_code, series_terms
from miner.search.formula import ExpressionParser, FormulaError, Node, as_polynomial, renamed, tokenize
from miner.search.primes import is_prime, moebius
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
# Parts up to this bound check a name's set, as the name enumerates it, against the predicates compiled for it.
CHECK_RANGE = 300
# Series coefficients past the terms, for terms that start at the first nonzero one.
MAX_ZEROS = 20

ONE = Node("num", 1)


@dataclass(frozen=True)
class Atom:
    """A set of parts t >= 1: residue (t mod a = b), min (t >= a), equal (t = a), power (t = s^a), triangular,
    fibonacci, base (t = a^e, e >= 0), prime (a = 1: 1 too), primepower (t = p^e, e >= a), squarefree."""

    kind: str
    a: int = 0
    b: int = 0
    negated: bool = False


@dataclass(frozen=True)
class Weights:
    """w(t) = scale * t^power where every atom holds at t, else 0."""

    atoms: tuple[Atom, ...] = ()
    power: int = 0
    scale: int = 1


@dataclass(frozen=True)
class Lambert:
    """Sum_t w(t) x^(start*t) / (1 - u x^t)^depth: depth 0 is the plain series, depth -1 (u = 1) counts the parts
    of multiplicity exactly `start`."""

    weights: Weights
    u: int = 1
    depth: int = 1
    start: int = 1


@dataclass(frozen=True)
class Factor:
    """Product_t (1 - u x^t)^(-w(t))."""

    weights: Weights
    u: int = 1


@dataclass(frozen=True)
class Reading:
    """The g.f. L(x)^times * Product of the factors. `exact`: a(n) is [x^n] (the name speaks of n); else the
    terms may also start at x^0 or at the first nonzero coefficient."""

    lambert: Lambert | None
    times: int
    factors: tuple[Factor, ...]
    exact: bool


# --- the sets of parts in Python ---------------------------------------------------------------------

def _is_power(t: int, q: int) -> bool:
    r = round(t ** (1.0 / q))
    return any((r + d) ** q == t for d in (-1, 0, 1) if r + d >= 0)


def _is_square(v: int) -> bool:
    return v >= 0 and isqrt(v) ** 2 == v


def _smallest_factor(t: int) -> int:
    return next((d for d in range(2, isqrt(t) + 1) if t % d == 0), t)


def holds(atom: Atom, t: int) -> bool:
    """Whether part t is in the atom's set."""
    kind, a = atom.kind, atom.a
    if kind == "residue":
        inside = t % a == atom.b
    elif kind == "min":
        inside = t >= a
    elif kind == "equal":
        inside = t == a
    elif kind == "power":
        inside = _is_power(t, a)
    elif kind == "triangular":
        inside = _is_square(8 * t + 1)
    elif kind == "fibonacci":
        inside = _is_square(5 * t * t + 4) or _is_square(5 * t * t - 4)
    elif kind == "base":
        while t % a == 0:
            t //= a
        inside = t == 1
    elif kind == "prime":
        inside = is_prime(t) or (a == 1 and t == 1)
    elif kind == "primepower":
        p = _smallest_factor(t)
        e = 0
        while t > 1 and t % p == 0:
            t, e = t // p, e + 1
        inside = t == 1 and e >= a
    elif kind == "squarefree":
        inside = all(t % (d * d) for d in range(2, isqrt(t) + 1))
    else:
        raise ValueError(f"unknown set {kind!r}")
    return inside != atom.negated


def weight(w: Weights, t: int) -> int:
    """w(t)."""
    return w.scale * t ** w.power if all(holds(a, t) for a in w.atoms) else 0


def binomial(n: int, k: int) -> int:
    """C(n, k) for any integer n (as LODA's bin), k >= 0."""
    if k < 0:
        return 0
    return comb(n, k) if n >= 0 else (-1) ** k * comb(k - n - 1, k)


def _convolve(p: list[int], q: list[int]) -> list[int]:
    return [sum(p[j] * q[n - j] for j in range(n + 1)) for n in range(len(p))]


def series(r: Reading, count: int) -> list[int] | None:
    """The first `count` coefficients of the reading's g.f. (None if the product's are not integers)."""
    c = [0] * count
    for f in r.factors:
        for t in range(1, count):
            if v := weight(f.weights, t):
                for n in range(t, count, t):
                    c[n] += v * t * f.u ** (n // t)
    a = series_terms(c, count) if r.factors else [1] + [0] * (count - 1)
    if a is None or r.lambert is None or not r.times:
        return a
    lam = r.lambert
    s = [0] * count
    for t in range(1, count):
        if v := weight(lam.weights, t):
            # the coefficient of x^(j*t), j = start + k, in x^(start*t) (1 - u x^t)^(-depth)
            for k in range(max((count - 1) // t - lam.start + 1, 0)):
                s[(lam.start + k) * t] += v * lam.u ** k * binomial(k + lam.depth - 1, k)
    q = s
    for _ in range(r.times - 1):
        q = _convolve(q, s)
    return _convolve(q, a) if r.factors else q


# --- the program -------------------------------------------------------------------------------------
# t sits in $2 and w(t) goes to $10; an atom's flag goes to $11 (scratch $12..$16). The loops of the costly
# atoms run only while $10 is still nonzero and stop at the first divisor they find.

def _divisor_loop(body: list[str]) -> list[str]:
    """d = 2..floor(sqrt(t)) in $14 while $13 (the passes left) is nonzero; `body` may zero $13 to stop."""
    return ["mov $13,$2", "nrt $13,2", "sub $13,1", "mul $13,$10", "mov $14,1",
            "lpb $13", "sub $13,1", "add $14,1", *body, "lpe"]


def _atom_code(atom: Atom) -> list[str]:
    """LODA lines setting $11 to 1 if t is in the atom's set, else 0."""
    kind, a = atom.kind, atom.a
    if kind == "residue":
        code = ["mov $11,$2", f"mod $11,{a}", f"equ $11,{atom.b}"]
    elif kind == "min":
        code = ["mov $11,$2", f"geq $11,{a}"]
    elif kind == "equal":
        code = ["mov $11,$2", f"equ $11,{a}"]
    elif kind == "power":
        code = ["mov $11,$2", f"nrt $11,{a}", f"pow $11,{a}", "equ $11,$2"]
    elif kind == "triangular":
        code = ["mov $12,$2", "mul $12,8", "add $12,1", "mov $11,$12", "nrt $11,2", "pow $11,2", "equ $11,$12"]
    elif kind == "fibonacci":  # 5t^2 + 4 or 5t^2 - 4 is a square
        code = ["mov $12,$2", "pow $12,2", "mul $12,5", "add $12,4", "mov $11,$12", "nrt $11,2", "pow $11,2",
                "equ $11,$12", "sub $12,8", "mov $13,$12", "nrt $13,2", "pow $13,2", "equ $13,$12", "max $11,$13"]
    elif kind == "base":
        code = ["mov $11,$2", f"dir $11,{a}", "equ $11,1"]
    elif kind == "prime":
        code = ["mov $11,$2", "geq $11,2",
                *_divisor_loop(["mov $12,$2", "mod $12,$14", "min $12,1", "mul $11,$12", "mul $13,$11"])]
        if a == 1:
            code += ["mov $12,$2", "equ $12,1", "max $11,$12"]
    elif kind == "squarefree":
        code = ["mov $11,1", *_divisor_loop(["mov $15,$14", "pow $15,2", "mov $12,$2", "mod $12,$15", "min $12,1",
                                             "mul $11,$12", "mul $13,$11"])]
    elif kind == "primepower":
        # p = the least divisor d >= 2 of t in $16 (t itself if none up to sqrt(t)); then t = p^e, e >= a
        code = ["mov $16,$2",
                *_divisor_loop(["mov $12,$2", "mod $12,$14", "equ $12,0", "mov $15,$14", "sub $15,$16", "mul $15,$12",
                                "add $16,$15", "mov $15,$12", "equ $15,0", "mul $13,$15"]),
                "mov $11,$2", "dir $11,$16", "equ $11,1", "mov $12,$16", f"pow $12,{a}", "mov $15,$2", "geq $15,$12",
                "mul $11,$15"]
        if a >= 1:
            code += ["mov $15,$2", "geq $15,2", "mul $11,$15"]
    else:
        raise ValueError(f"unknown set {kind!r}")
    return code + (["equ $11,0"] if atom.negated else [])


_COST = ("residue", "min", "equal", "power", "triangular", "fibonacci", "base", "prime", "squarefree", "primepower")


def _weight_code(w: Weights) -> list[str]:
    """LODA lines setting $10 to w(t)."""
    code = ["mov $10,1"]
    for atom in sorted(w.atoms, key=lambda a: _COST.index(a.kind)):
        code += [*_atom_code(atom), "mul $10,$11"]
    if w.power:
        code += ["mov $11,$2", f"pow $11,{w.power}", "mul $10,$11"]
    return code + ([f"mul $10,{w.scale}"] if w.scale != 1 else [])


def _over_parts(body: list[str]) -> list[str]:
    """`body` for t = 1..i in $2 (i in $1); the pass lpb undoes sees t = i + 1, whose multiples are all past i."""
    return ["mov $2,0", "mov $3,$1", "lpb $3", "sub $3,1", "add $2,1", *body, "lpe"]


def _over_multiples(step: list[str], start: int = 1, most: int = 0) -> list[str]:
    """For j = start..i/t in $8 (at most `most` of them if > 0; none when $10 = 0), n = j*t in $7: `step` sets $9,
    added to the cell of n."""
    return ["mov $6,$1", "div $6,$2", *([f"trn $6,{start - 1}"] if start > 1 else []), *([f"min $6,{most}"] if most else []),
            "mov $9,$10", "neq $9,0", "mul $6,$9",
            *(["mov $7,0"] if start == 1 else ["mov $7,$2", f"mul $7,{start - 1}"]), f"mov $8,{start - 1}",
            "lpb $6", "sub $6,1", "add $7,$2", "add $8,1", *step,
            # n <= i in every pass that counts; the one lpb undoes may be past i, and must stay in memory
            "mov $5,$7", "min $5,$1", "mul $5,2", f"add $5,{ARRAY}", "add $$5,$9", "lpe"]


def _factor_sieve(factors: tuple[Factor, ...]) -> list[str]:
    """i to $1 and c(n) = Sum_{t|n} w(t) t u^(n/t), n <= i, into the cells ARRAY + 2n (`series_code`'s sieve)."""
    body: list[str] = []
    for f in factors:
        sign = [] if f.u == 1 else [f"mov $4,{f.u}", "pow $4,$8", "mul $9,$4"]
        body += [*_weight_code(f.weights), "mul $10,$2", *_over_multiples(["mov $9,$10", *sign])]
    return ["mov $1,$0", *_over_parts(body)]


def _lambert_sieve(lam: Lambert) -> list[str]:
    """L(n) = Sum_{t|n, k = n/t - start >= 0} w(t) u^k binomial(k + depth - 1, k), n <= i, added to the cells
    ARRAY + 2n."""
    step = ["mov $9,$10", "mov $4,$8", f"sub $4,{lam.start}"]
    if lam.u != 1:
        step += [f"mov $5,{lam.u}", "pow $5,$4", "mul $9,$5"]
    if lam.depth not in (0, 1):  # the binomial is 1 for depth 1, and for depth 0 at the only k = 0
        step += ["mov $5,$4", f"add $5,{lam.depth - 1}", "bin $5,$4", "mul $9,$5"]
    # for depth <= 0 the binomial vanishes past k = -depth
    most = 1 - lam.depth if lam.depth <= 0 else 0
    return _over_parts([*_weight_code(lam.weights), *_over_multiples(step, lam.start, most)])


def _cell(index: str, dest: str, extra: int = 0) -> list[str]:
    """$dest = the address ARRAY + 2 * $index + extra."""
    return [f"mov {dest},{index}", f"mul {dest},2", f"add {dest},{ARRAY + extra}"]


# L goes where c was (the memory limit leaves room for two arrays of the index's length), so c is cleared first.
_ZERO_CODE = ["mov $3,$1", "lpb $3", *_cell("$3", "$5"), "mov $$5,0", "sub $3,1", "lpe"]
# Q(j) = Sum_{u=1..j-1} L(u) L(j-u) for j = i down to 1 in place: L(0) = 0, so Q(j) reads only L below j.
_SQUARE_CODE = ["mov $3,$1", "lpb $3", "mov $4,0", "mov $6,$3", "sub $6,1",
                "lpb $6", *_cell("$6", "$7"), "mov $8,$$7", "mov $9,$3", "sub $9,$6", *_cell("$9", "$7"), "mul $8,$$7",
                "add $4,$8", "sub $6,1", "lpe",
                *_cell("$3", "$7"), "mov $$7,$4", "sub $3,1", "lpe"]
# $0 = Sum_{j=1..i} Q(j) a(i-j)
_FINAL_CODE = ["mov $0,0", "mov $3,$1", "lpb $3", *_cell("$3", "$7"), "mov $8,$$7", "mov $9,$1", "sub $9,$3",
               *_cell("$9", "$7", 1), "mul $8,$$7", "add $0,$8", "sub $3,1", "lpe"]


def program(r: Reading, shift: int, offset: int) -> Program:
    """a(n) = [x^(n - offset + shift)] of the reading's g.f."""
    ops: list[Operation] = []
    if r.factors:
        ops = series_code(_factor_sieve(r.factors))
    lines: list[str] = []
    if r.lambert is not None and r.times:
        lines = [*(_ZERO_CODE if r.factors else ["mov $1,$0"]), *_lambert_sieve(r.lambert)]
        if r.times == 2:
            lines += _SQUARE_CODE
        lines += _FINAL_CODE if r.factors else [*_cell("$1", "$7"), "mov $0,$$7"]
    if lines:
        ops += parse("\n".join(lines) + "\n", "partitions").ops
    return at_offset([*add_const(0, shift), *ops], offset)


# --- g.f. names ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    """The index of Sum_{...} or Product_{...}: var >= low, or var prime (with power >= second_low)."""

    kind: str
    var: str
    low: int = 0
    second: str = ""
    second_low: int = 0


@dataclass(frozen=True)
class _Part:
    """A product of Lambert series and factors."""

    lamberts: tuple[Lambert, ...] = ()
    factors: tuple[Factor, ...] = ()

    def times(self, other: "_Part") -> "_Part":
        return _Part(self.lamberts + other.lamberts, self.factors + other.factors)

    def power(self, k: int) -> "_Part":
        if k < 0 and self.lamberts:
            raise FormulaError("a Lambert series in a denominator")
        return _Part(self.lamberts * max(k, 0), tuple(_scaled(f, k) for f in self.factors))


def _scaled(f: Factor, k: int) -> Factor:
    w = f.weights
    return Factor(Weights(w.atoms, w.power, w.scale * k), f.u)


_SPEC = re.compile(r"(Sum|Product)_\{([^{}]*)\}")
_RANGE = re.compile(r"^\s*([a-z])\s*(>=|>)\s*(-?\d+)\s*$|^\s*([a-z])\s*=\s*(-?\d+)\s*\.\.\s*(?:inf|infinity)\s*$")
_PRIME_SPEC = re.compile(r"^\s*([a-z])\s+prime\s*(?:,\s*([a-z])\s*(>=|>)\s*(\d+))?\s*$")
_GF = re.compile(r"^(?:Expansion of(?: (?:the )?g\.f\.:?)?|G\.f\.:?|G\.f\. is|G\.f\. =|Coefficients in (?:the )?expansion of)\s+"
                 r"(.+?)\s*(?:,? in powers of x)?(?:(?:[.;,]\s*|\s+)(?:where|with|also|see)\b.*|[.;]\s*[A-Z].*)?\.?$")
_PLACEHOLDER = re.compile(r"^Q(s|p)([a-z]+)$")


def _spec(text: str) -> _Spec | None:
    if m := _RANGE.match(text):
        if m[1]:
            return _Spec("range", m[1], int(m[3]) + (m[2] == ">"))
        return _Spec("range", m[4], int(m[5]))
    if m := _PRIME_SPEC.match(text):
        if m[2]:
            return _Spec("prime", m[1], 0, m[2], int(m[4]) + (m[3] == ">")) if m[2] != m[1] else None
        return _Spec("prime", m[1])
    return None


def _mentions(node: Node, names: tuple[str, ...]) -> bool:
    if node.kind == "var":
        return node.value in names
    return any(_mentions(a, names) for a in node.args)


def _times(a: Node, b: Node) -> Node:
    return b if a == ONE else a if b == ONE else Node("op", "*", (a, b))


@dataclass(frozen=True)
class _Binomial:
    """(1 + sign*coef*x^exponent)^power."""

    sign: int
    coef: Node
    exponent: Node
    power: Node


class _GfParser(ExpressionParser):
    """Products and quotients of Sum_{..} and Product_{..} (placeholder tokens Qs*, Qp*), (1 +- c*x^m)^e and
    parenthesised g.f.s to integer powers."""

    def __init__(self, tokens: list[str], specs: dict[str, _Spec]) -> None:
        super().__init__(tokens, ())
        self.specs = specs

    def _big(self, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok is not None and _PLACEHOLDER.match(tok) is not None

    def _more(self) -> bool:
        """A further factor of the current product (not one that starts a Sum or Product)."""
        return self.peek() in ("*", "/") and self.peek(1) is not None and not self._big(1)

    def gf(self) -> _Part:
        part = self.gterm()
        while self.peek() in ("*", "/"):
            op = self.take()
            more = self.gterm()
            part = part.times(more if op == "*" else more.power(-1))
        return part

    def gterm(self) -> _Part:
        tok = self.peek()
        if tok is not None and (m := _PLACEHOLDER.match(tok)):
            self.take()
            spec = self.specs[tok]
            self.variables = [v for v in (spec.var, spec.second) if v]
            part = self.summation(spec) if m[1] == "s" else self.product(spec)
            self.variables = []
            return part
        if tok == "1":
            self.take()
            return _Part()
        start = self.pos
        try:
            b = self.binomial()
            return _Part(factors=(_constant_factor(b),))
        except FormulaError:
            self.pos = start
        self.take("(")
        part = self.gf()
        self.take(")")
        if self.peek() == "^":
            self.take()
            part = part.power(self.exponent())
        return part

    def binomial(self) -> _Binomial:
        """(1 +- coef*x^e) with an optional power after it."""
        self.take("(")
        self.take("1")
        op = self.take()
        if op not in ("+", "-"):
            raise FormulaError("not 1 +- c*x^m")
        coef = ONE
        while self.peek() != "x":
            if self.peek() in (None, ")"):
                raise FormulaError("no x")
            if self.peek() == "*":
                self.take()
                continue
            coef = _times(coef, self.power())
        self.take("x")
        exponent = ONE
        if self.peek() == "^":
            self.take()
            exponent = self.power()
        self.take(")")
        power = ONE
        if self.peek() == "^":
            self.take()
            power = self.unary_power()
        return _Binomial(1 if op == "+" else -1, coef, exponent, power)

    def summation(self, spec: _Spec) -> _Part:
        monomials: list[Node] = []
        binomials: list[_Binomial] = []
        coefs: list[Node] = []
        divide = False
        while True:
            if self.peek() == "x":
                self.take()
                exponent = ONE
                if self.peek() == "^":
                    self.take()
                    exponent = self.power()
                if divide:
                    raise FormulaError("x in a denominator")
                monomials.append(exponent)
            elif self.peek() == "(":
                start = self.pos
                try:
                    b = self.binomial()
                    binomials.append(_Binomial(b.sign, b.coef, b.exponent, Node("neg", None, (b.power,)) if divide else b.power))
                except FormulaError:
                    self.pos = start
                    if divide:
                        raise
                    coefs.append(self.power())
            else:
                if divide:
                    raise FormulaError("a coefficient in a denominator")
                coefs.append(self.power())
            if not self._more():
                break
            divide = self.take() == "/"
        return _lambert_part(spec, monomials, binomials, coefs)

    def product(self, spec: _Spec) -> _Part:
        items = self.product_body()
        return _Part(factors=tuple(_product_factor(spec, b) for b in items))

    def product_body(self) -> list[_Binomial]:
        items = self.product_unit()
        while self._more():
            op = self.take()
            more = self.product_unit()
            items += [_Binomial(b.sign, b.coef, b.exponent, Node("neg", None, (b.power,))) for b in more] if op == "/" else more
        return items

    def product_unit(self) -> list[_Binomial]:
        if self.peek() == "1":
            self.take()
            return []
        start = self.pos
        try:
            return [self.binomial()]
        except FormulaError:
            self.pos = start
        self.take("(")
        items = self.product_body()
        self.take(")")
        if self.peek() == "^":
            self.take()
            power = self.unary_power()
            items = [_Binomial(b.sign, b.coef, b.exponent, _times(b.power, power)) for b in items]
        return items


def _integer(node: Node) -> int:
    """A constant integer node's value."""
    if node.kind == "num":
        return int(node.value)
    if node.kind == "neg":
        return -_integer(node.args[0])
    raise FormulaError("not an integer")


def _constant_factor(b: _Binomial) -> Factor:
    """(1 + sign*c*x^m)^e with constants c, m >= 1 and e: the factor (1 - u x^t)^(-w(t)) at t = m alone."""
    m, c, e = _integer(b.exponent), _integer(b.coef), _integer(b.power)
    if m < 1 or not c:
        raise FormulaError("not a power series factor")
    return Factor(Weights((Atom("equal", m),), 0, -e), -b.sign * c)


def _monomial(node: Node, exponent: Node) -> tuple[int, int]:
    """(scale, power) with node = scale * exponent^power (the part t is the exponent of x)."""
    if node == exponent:
        return 1, 1
    if node.kind == "num":
        return int(node.value), 0
    if node.kind == "neg":
        s, p = _monomial(node.args[0], exponent)
        return -s, p
    if node.kind == "op" and node.value == "*":
        (s, p), (s2, p2) = _monomial(node.args[0], exponent), _monomial(node.args[1], exponent)
        return s * s2, p + p2
    if node.kind == "op" and node.value == "^" and node.args[1].kind == "num":
        s, p = _monomial(node.args[0], exponent)
        return s ** node.args[1].value, p * node.args[1].value
    raise FormulaError("a coefficient that is no power of the part")


def _squarefree_flag(node: Node, spec: _Spec, exponent: Node) -> bool:
    """Whether the node is mu(k)^2 for the index k that is the part itself."""
    k = Node("var", spec.var)
    return (spec.kind == "range" and exponent == k and node.kind == "op" and node.value == "^"
            and node.args[1] == Node("num", 2) and node.args[0] == Node("seq", 8683, (k,)))


def _set_atoms(exponent: Node, spec: _Spec) -> tuple[Atom, ...]:
    """The atoms of the set of parts exponent(k), k over the index."""
    if spec.kind == "prime":
        p = Node("var", spec.var)
        if not spec.second and exponent == p:
            return (Atom("prime"),)
        if spec.second and spec.second_low >= 1 and exponent == Node("op", "^", (p, Node("var", spec.second))):
            return (Atom("primepower", spec.second_low),)
        raise FormulaError("not a set of primes or prime powers")
    k, low = Node("var", spec.var), spec.low
    atoms: tuple[Atom, ...] | None = None
    first = 0
    if exponent.kind == "op" and exponent.value == "^" and exponent.args[0].kind == "num" and exponent.args[1] == k:
        b = exponent.args[0].value
        if b >= 2 and low >= 0:
            atoms, first = (Atom("base", b),), b ** low
    elif exponent == Node("seq", 40, (k,)) and low >= 1:
        atoms, first = (Atom("prime"),), _nth_prime(low)
    elif exponent == Node("seq", 45, (k,)) and low >= 2:
        atoms, first = (Atom("fibonacci"),), _fibonacci(low)
    else:
        other_n = spec.var != "n" and _mentions(exponent, ("n",))
        poly = None if other_n else as_polynomial(renamed(exponent, spec.var))
        while poly and len(poly) > 1 and poly[-1] == 0:
            poly = poly[:-1]
        if poly and len(poly) == 2 and all(c.denominator == 1 for c in poly) and poly[1] >= 1:
            a, b = int(poly[1]), int(poly[0])
            atoms, first = ((Atom("residue", a, b % a),) if a > 1 else ()), a * low + b
        elif poly == [0, Fraction(1, 2), Fraction(1, 2)] and low >= 1:
            atoms, first = (Atom("triangular"),), low * (low + 1) // 2
        elif poly and len(poly) >= 3 and poly[-1] == 1 and not any(poly[:-1]) and low >= 1:
            atoms, first = (Atom("power", len(poly) - 1),), low ** (len(poly) - 1)
    if atoms is None or first < 1:
        raise FormulaError("an unknown set of parts")
    return atoms + ((Atom("min", first),) if first > 1 else ())


def _lambert_part(spec: _Spec, monomials: list[Node], binomials: list[_Binomial], coefs: list[Node]) -> _Part:
    names = tuple(v for v in (spec.var, spec.second) if v)
    if len(monomials) != 1 or not _mentions(monomials[0], names):
        raise FormulaError("not one x^e(k)")
    exponent = monomials[0]
    inner = [b for b in binomials if _mentions(b.exponent, names) or _mentions(b.coef, names) or _mentions(b.power, names)]
    hoisted = tuple(_constant_factor(b) for b in binomials if b not in inner)
    u, depth, start = 1, 0, 1
    if inner:
        b = inner[0]
        depth = -_integer(b.power)
        if len(inner) > 1 or b.coef != ONE or depth < 1:
            raise FormulaError("not x^(s*e)/(1 -+ x^e)^r")
        u = -b.sign
        if exponent != b.exponent:  # x^(s*e) over (1 -+ x^e)^r
            start = _multiple(exponent, b.exponent)
            exponent = b.exponent
    atoms = _set_atoms(exponent, spec)
    scale, power = 1, 0
    for c in coefs:
        if _squarefree_flag(c, spec, exponent):
            atoms += (Atom("squarefree"),)
            continue
        s, p = _monomial(c, exponent)
        scale, power = scale * s, power + p
    lam = Lambert(Weights(atoms, power, scale), u, depth, start)
    coefficient = _product_of(coefs)
    _check_set(spec, exponent, lambda env: _value(coefficient, env), lam.weights)
    return _Part((lam,), hoisted)


def _multiple(node: Node, base: Node) -> int:
    """s >= 2 with node = s*base (or base*s)."""
    if node.kind == "op" and node.value == "*":
        a, b = node.args
        s = a if b == base else b if a == base else None
        if s is not None and s.kind == "num" and s.value >= 2:
            return int(s.value)
    raise FormulaError("x^m over (1 -+ x^e)^r with m no multiple of e")


def _product_factor(spec: _Spec, b: _Binomial) -> Factor:
    names = tuple(v for v in (spec.var, spec.second) if v)
    if not _mentions(b.exponent, names):
        raise FormulaError("a constant factor in an infinite product")
    atoms = _set_atoms(b.exponent, spec)
    if b.coef != ONE:
        if not _squarefree_flag(b.coef, spec, b.exponent):
            raise FormulaError("a coefficient in a product's factor")
        atoms += (Atom("squarefree",),)
    s, p = _monomial(b.power, b.exponent)
    w = Weights(atoms, p, -s)
    flag, power = b.coef, b.power

    def value(env: dict[str, int]) -> Fraction | None:
        f, e = _value(flag, env), _value(power, env)
        return None if f is None or e is None or f not in (0, 1) else -f * e

    _check_set(spec, b.exponent, value, w)
    return Factor(w, -b.sign)


def _product_of(nodes: list[Node]) -> Node:
    out = ONE
    for n in nodes:
        out = _times(out, n)
    return out


@lru_cache(maxsize=1)
def _primes() -> tuple[int, ...]:
    return tuple(p for p in range(2, 20 * CHECK_RANGE) if is_prime(p))


def _nth_prime(k: int) -> int:
    primes = _primes()
    if not 1 <= k <= len(primes):
        raise FormulaError("prime index out of range")
    return primes[k - 1]


def _fibonacci(k: int) -> int:
    a, b = 0, 1
    for _ in range(k):
        a, b = b, a + b
    return a


def _value(node: Node, env: dict[str, int]) -> Fraction | None:
    """The node's exact value (None outside + - * / ^ and prime, Fibonacci, mu)."""
    kind = node.kind
    if kind == "num":
        return Fraction(node.value)
    if kind == "var":
        return Fraction(env[node.value]) if node.value in env else None
    if kind == "neg":
        v = _value(node.args[0], env)
        return None if v is None else -v
    if kind == "seq" and node.value in (40, 45, 8683):
        k = _value(node.args[0], env)
        if k is None or k.denominator != 1 or k < (1 if node.value != 45 else 0):
            return None
        f = {40: _nth_prime, 45: _fibonacci, 8683: moebius}[node.value]
        return Fraction(f(int(k)))
    if kind == "op" and node.value in ("+", "-", "*", "/", "^"):
        a, b = _value(node.args[0], env), _value(node.args[1], env)
        if a is None or b is None:
            return None
        if node.value == "^":
            return a ** int(b) if b.denominator == 1 and 0 <= b <= 64 else None
        if node.value == "/":
            return a / b if b else None
        return a + b if node.value == "+" else a - b if node.value == "-" else a * b
    return None


def _members(spec: _Spec, exponent: Node, limit: int) -> Iterator[tuple[dict[str, int], int]]:
    """(index values, part) for every part up to the limit, as the name enumerates them; FormulaError unless
    the parts grow strictly with the index (so none is missed or counted twice unawares)."""
    def run(env_of: Callable[[int], dict[str, int]], start: int, floor: int) -> Iterator[tuple[dict[str, int], int]]:
        last = 0
        for k in range(start, start + limit + 2):
            env = env_of(k)
            v = _value(exponent, env)
            if v is None or v.denominator != 1 or v <= last or v < floor:
                raise FormulaError("parts that do not grow with the index")
            if v > limit:
                return
            last = int(v)
            yield env, last
        raise FormulaError("too many parts")

    if spec.kind == "range":
        yield from run(lambda k: {spec.var: k}, spec.low, 1)
        return
    for p in (q for q in _primes() if q <= limit):
        if spec.second:
            yield from run(partial(_pair, spec.var, p, spec.second), spec.second_low, p)
        else:
            v = _value(exponent, {spec.var: p})
            if v is None or v != p:
                raise FormulaError("not the primes")
            yield {spec.var: p}, p


def _pair(var: str, p: int, second: str, i: int) -> dict[str, int]:
    return {var: p, second: i}


def _check_set(spec: _Spec, exponent: Node, value: Callable[[dict[str, int]], Fraction | None], w: Weights) -> None:
    """FormulaError unless Sum over the index of value at the parts up to CHECK_RANGE is w there."""
    table = [Fraction(0)] * (CHECK_RANGE + 1)
    for env, t in _members(spec, exponent, CHECK_RANGE):
        v = value(env)
        if v is None:
            raise FormulaError("a coefficient outside the evaluator")
        table[t] += v
    if any(table[t] != weight(w, t) for t in range(1, CHECK_RANGE + 1)):
        raise FormulaError("the compiled set differs from the name's")


def _read_gf(name: str) -> Reading | None:
    m = _GF.match(name.strip())
    if not m or "Sum_{" not in m[1]:
        return None
    specs: dict[str, _Spec] = {}

    def placeholder(match: re.Match[str]) -> str:
        spec = _spec(match[2])
        if spec is None:
            raise FormulaError("an unknown index")
        key = f"Q{'s' if match[1] == 'Sum' else 'p'}{chr(97 + len(specs) % 26) * (1 + len(specs) // 26)}"
        specs[key] = spec
        return f" {key} "

    try:
        parser = _GfParser(tokenize(_SPEC.sub(placeholder, m[1])), specs)
        part = parser.gf()
    except (FormulaError, RecursionError, ValueError, KeyError, ZeroDivisionError):
        return None
    if parser.peek() is not None or not part.lamberts or len(part.lamberts) > 2 or len(set(part.lamberts)) > 1:
        return None
    return Reading(part.lamberts[0], len(part.lamberts), _merged(part.factors), exact=False)


def _merged(factors: tuple[Factor, ...]) -> tuple[Factor, ...]:
    """Factors over the same set and power added up (zeros dropped), in their first order."""
    scales: dict[tuple[tuple[Atom, ...], int, int], int] = {}
    for f in factors:
        key = (f.weights.atoms, f.weights.power, f.u)
        scales[key] = scales.get(key, 0) + f.weights.scale
    return tuple(Factor(Weights(atoms, power, s), u) for (atoms, power, u), s in scales.items() if s)


# --- names in words --------------------------------------------------------------------------------------

def _one(*atoms: Atom) -> tuple[tuple[Atom, ...], ...]:
    return (atoms,)


_ODD, _EVEN = Atom("residue", 2, 1), Atom("residue", 2, 0)
_PRIME, _NONCOMPOSITE = Atom("prime"), Atom("prime", 1)
_SQUARE, _CUBE = Atom("power", 2), Atom("power", 3)
_SQUAREFREE = Atom("squarefree")
# Phrases (lower case words) and the sets they name; "prime power" has two readings (1 = p^0 or not).
_WORDS: dict[tuple[str, ...], tuple[tuple[Atom, ...], ...]] = {
    ("odd",): _one(_ODD), ("even",): _one(_EVEN),
    ("prime",): _one(_PRIME), ("primes",): _one(_PRIME),
    ("nonprime",): _one(Atom("prime", negated=True)), ("nonprimes",): _one(Atom("prime", negated=True)),
    ("composite",): _one(Atom("prime", 1, negated=True)), ("composites",): _one(Atom("prime", 1, negated=True)),
    ("noncomposite",): _one(_NONCOMPOSITE), ("noncomposites",): _one(_NONCOMPOSITE),
    ("square",): _one(_SQUARE), ("squares",): _one(_SQUARE), ("perfect", "square"): _one(_SQUARE),
    ("perfect", "squares"): _one(_SQUARE),
    ("nonsquare",): _one(Atom("power", 2, negated=True)), ("nonsquares",): _one(Atom("power", 2, negated=True)),
    ("cube",): _one(_CUBE), ("cubes",): _one(_CUBE), ("perfect", "cube"): _one(_CUBE), ("perfect", "cubes"): _one(_CUBE),
    ("squarefree",): _one(_SQUAREFREE), ("nonsquarefree",): _one(Atom("squarefree", negated=True)),
    ("triangular",): _one(Atom("triangular")), ("fibonacci",): _one(Atom("fibonacci")),
    ("prime", "power"): (((Atom("primepower", 1),), (Atom("primepower", 0),))),
    ("prime", "powers"): (((Atom("primepower", 1),), (Atom("primepower", 0),))),
}
_ORDINALS = {"fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_FILLER = {"parts", "part", "numbers", "number", "nonzero", "which", "that", "are", "is", "all"}


def _phrase(text: str) -> tuple[tuple[Atom, ...], ...] | None:
    """The readings of a description of parts ("prime power parts", "parts that are not squarefree", "odd
    primes", "positive powers of 2") as atom tuples; None for any word outside the vocabulary."""
    text = re.sub(r"\bnon-", "non", text.lower().replace("square-free", "squarefree"))
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th) powers?\b", r"power \1", text)
    text = re.sub(r"\b(" + "|".join(_ORDINALS) + r") powers?\b", lambda m: f"power {_ORDINALS[m[1]]}", text)
    words = text.replace(",", " ").split()
    readings: list[tuple[Atom, ...]] = [()]
    negate, i = False, 0
    while i < len(words):
        word = words[i]
        found: tuple[tuple[Atom, ...], ...] | None = None
        size = 1
        if word in _FILLER:
            i += 1
            continue
        if word == "not":
            negate, i = True, i + 1
            continue
        if word == "power" and i + 1 < len(words) and words[i + 1].isdigit() and int(words[i + 1]) >= 2:
            found, size = _one(Atom("power", int(words[i + 1]))), 2
        elif word in ("powers", "power") or (word == "positive" and words[i + 1: i + 2] in (["powers"], ["power"])):
            positive = word == "positive"
            rest = words[i + positive: i + positive + 3]
            if len(rest) < 3 or rest[1] != "of" or not rest[2].isdigit() or int(rest[2]) < 2:
                return None
            b = int(rest[2])
            found, size = _one(Atom("base", b), *((Atom("min", b),) if positive else ())), 3 + positive
        else:
            for length in (2, 1):
                if tuple(words[i: i + length]) in _WORDS and len(words[i: i + length]) == length:
                    found, size = _WORDS[tuple(words[i: i + length])], length
                    break
        if found is None:
            return None
        if negate:
            if any(len(r) != 1 for r in found):
                return None
            found = tuple((Atom(r[0].kind, r[0].a, r[0].b, not r[0].negated),) for r in found)
            negate = False
        readings = [r + f for r in readings for f in found]
        i += size
    return None if negate else tuple(readings)


_TOTAL = re.compile(r"^(?:Total |The )?(number|sum)(?: of (?:the )?(squares|cubes|(?:\d+)(?:st|nd|rd|th) powers|"
                    + "|".join(_ORDINALS) + r" powers))? of (?:the |all )?(.+?) in all (?:the )?partitions of n"
                    r"(?: into (.+?))?(?:\s*\((?:for )?n\s*>=\s*\d+\))?\.?$", re.I)
_COUNT = re.compile(r"^Number of partitions of n into (.+?)\.?$", re.I)
_POWERS = {"squares": 2, "cubes": 3, **{f"{w} powers": k for w, k in _ORDINALS.items()}}


def _into(text: str | None) -> tuple[bool, tuple[tuple[Atom, ...], ...]] | None:
    """(distinct, readings of the allowed parts) of "into ..."; all parts when there is no such phrase."""
    if text is None:
        return False, ((),)
    words = text.split()
    distinct = bool(words) and words[0].lower() == "distinct"
    readings = _phrase(" ".join(words[distinct:]))
    return (distinct, readings) if readings else None


_SINGLE = {"singletons": 1, "doubletons": 2}


def _counted(parts: str, what: str) -> tuple[tuple[tuple[Atom, ...], ...], int] | None:
    """(readings of the parts counted, their multiplicity: 0 for every part, else exactly that many copies) of
    "prime power parts", "parts which are squares", "2's", "odd singletons", "parts of multiplicity 3"."""
    if re.fullmatch(r"(\d+)'s", parts):
        return _one(Atom("equal", int(parts[:-2]))), 0
    copies = 0
    if m := re.fullmatch(r"(.*?)\s*\b(singletons|doubletons)", parts, re.I):
        parts, copies = m[1], _SINGLE[m[2].lower()]
    elif m := re.fullmatch(r"(.*?\bparts?) of multiplicity (\d+)", parts, re.I):
        parts, copies = m[1], int(m[2])
    elif "distinct" in parts.lower().split() or not re.search(r"\bparts?\b", parts):
        return None  # distinct parts: counted without multiplicity, another g.f.
    if copies > 1 and what == "sum":
        return None  # the sum of each such part, or of all its copies
    counted = _phrase(parts)
    return (counted, copies) if counted else None


def _read_words(name: str) -> tuple[Reading, ...] | None:
    # a name's later sentences define its words ("A singleton in a partition is ...") or restate it ("Also, ...")
    name = re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", name.strip())[0]
    if m := _TOTAL.match(name):
        what, powers, parts, into = m[1].lower(), (m[2] or "").lower(), m[3], m[4]
        counted = _counted(parts, what)
        allowed = _into(into)
        if counted is None or allowed is None or (what == "number" and powers):
            return None
        power = 0 if what == "number" else _POWERS.get(powers) or int(re.sub(r"\D", "", powers) or 1)
        (readings, copies), (distinct, kinds) = counted, allowed
        if copies and distinct:
            return None
        u = -1 if distinct else 1
        # x^t/(1 -+ x^t) counts every copy of t; x^(m t) (1 - x^t) the t that occur exactly m times
        lambert = (lambda w: Lambert(w, 1, -1, copies)) if copies else (lambda w: Lambert(w, u, 1))
        return tuple(Reading(lambert(Weights(c + q, power)), 1, (Factor(Weights(q, 0, u), u),), exact=True)
                     for q in kinds for c in readings)
    if m := _COUNT.match(name):
        allowed = _into(m[1])
        if allowed is None:
            return None
        distinct, kinds = allowed
        u = -1 if distinct else 1
        return tuple(Reading(None, 0, (Factor(Weights(q, 0, u), u),), exact=True) for q in kinds)
    return None


@lru_cache(maxsize=1 << 14)
def parse_name(name: str) -> tuple[Reading, ...] | None:
    """The readings of the name (several where a word is ambiguous), or None."""
    if "partitions of n" in name:
        return _read_words(name)
    if "Sum_{" in name:
        r = _read_gf(name)
        return (r,) if r else None
    return None


def alignment(r: Reading, terms: tuple[int, ...], offset: int) -> int | None:
    """The index of the g.f.'s coefficient that is the first term, when the terms follow: x^offset (a(n) =
    [x^n]), else for a g.f. alone x^0 or the first nonzero coefficient."""
    if len(terms) < MIN_TERMS:
        return None
    s = series(r, len(terms) + max(offset, 0) + MAX_ZEROS)
    if s is None:
        return None
    shifts = [offset] if r.exact else [offset, 0, next((i for i, v in enumerate(s) if v), 0)]
    return next((k for k in dict.fromkeys(shifts)
                 if 0 <= k and k + len(terms) <= len(s) and s[k: k + len(terms)] == list(terms)), None)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """A program for each reading of the name whose series gives every known term."""
    readings = parse_name(target.name)
    out: list[Program] = []
    for r in readings or ():
        shift = alignment(r, target.terms, target.offset)
        if shift is not None:
            out.append(program(r, shift, target.offset))
    return out


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named partition statistic's or g.f.'s program."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "partitions", "from name")
