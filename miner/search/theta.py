"""Eta quotients and Ramanujan theta functions a name multiplies: "Expansion of phi(-q) * phi(-q^4)^2 in
powers of q", "f(-x) * chi(x^2)^2", "q^(-1/3) * eta(q)^3 * eta(q^5)", "f(-q^2, -q^3)^5 / f(-q)^3",
"theta_3(q)*theta_3(q^2)*theta_4(q^8)", "eta(8z)*eta(16z)*theta_3(z)", "f(-q)^10*Q(q)" (Ramanujan's Lambert series
P, Q, R are E_2, E_4, E_6, multiplied in `egf`'s arrays), and the representation numbers of
diagonal quadratic forms, "Number of integer solutions to a^2 + b^2 + 2*c^2 + 5*d^2 = n" (the product of
phi(q^c) over the coefficients c), and the theta series of root lattices, their duals and cosets ("Theta series
of {D_6}^{+} lattice", "... of E_6 lattice", "... of 24-dimensional lattice D_16 + E_8"). Each is a product of (1 - q^k)^g(k)
with g periodic, so the name gives the Euler transform's exponents b = -g exactly, and `euler`'s program
computes the series; the known terms only fix leading zeros and a constant factor. Unlike `euler`'s fit,
nothing is guessed from the terms, so a few terms suffice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any, Iterator

from miner.lang.program import Program
from miner.search import egf, mocktheta
from miner.search.euler import MAX_PERIOD, EulerFit, euler_program, normalised, series_terms
from miner.search.formula import FormulaError, Node, TokenCursor, binop, parse_formula, tokenize
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 4
_START = re.compile(r"^(?:Expansion of|Coefficients (?:in|of) (?:the )?expansion of|G\.f\.:?|G\.f\. is)\s+(.+?)"
                    r"(?:,? in powers of [xqz])?(?:,?\s*where\b.*)?\.?$", re.I)
# Each function at y as (1 - y^(c*k))^e factors, k >= 1 in the residue class r mod c (r = 0: all multiples):
# (c, r, e). eta(y) = (y; y), f(-y) = (y; y), phi = theta_3, psi, chi (Berndt's notation).
FUNCTIONS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "eta": ((1, 0, 1),),
    "phi": ((2, 0, 5), (1, 0, -2), (4, 0, -2)),
    "psi": ((2, 0, 2), (1, 0, -1)),
    "chi": ((2, 0, 2), (1, 0, -1), (4, 0, -1)),
}


_FORM = re.compile(r"^Number of (?:integer )?solutions (?:to|of) (?:the equation )?((?:\d+ ?\*? ?)?[a-z]\^2"
                   r"(?: \+ (?:\d+ ?\*? ?)?[a-z]\^2)+) = n\.?$")


class _Parser(TokenCursor):
    """A product and quotient of functions at +-x^m (x, q or z; `mz` for z^m), each to an integer power."""

    def product(self) -> list[tuple[int, int, int, int]]:
        """Factors (period, residue, exponent, flip) of (1 - q^k)^exponent over k in the class; with flip = m
        (an argument -q^m), of (1 - (-1)^(k/m) q^k)^exponent."""
        out = self.power()
        while self.peek() in ("*", "/"):
            op = self.take()
            more = self.power()
            out += [(p, r, -e if op == "/" else e, s) for p, r, e, s in more]
        return out

    def power(self) -> list[tuple[int, int, int, int]]:
        if self.peek() == "(":
            self.take()
            inner = self.product()
            self.take(")")
        elif self.peek() in ("x", "q") and self.peek(1) in ("*", "^"):  # a power of q before the series: dropped
            self.take()
            if self.peek() == "^":
                self.take()
                self._fractional()
            return []
        else:
            inner = self.function()
        if self.peek() == "^":
            self.take()
            e = self.exponent()
            inner = [(p, r, x * e, s) for p, r, x, s in inner]
        return inner

    def _fractional(self) -> None:
        if self.peek() == "(":
            self.take()
            while self.take() != ")":
                pass
        else:
            if self.peek() == "-":
                self.take()
            self.take()

    def function(self) -> list[tuple[int, int, int, int]]:
        name, e = _head(self, self.take().lower())
        sign, m = _argument(self)
        if name == "f" and self.peek() == ",":  # f(-q^a, -q^b) = (q^a; q^(a+b)) (q^b; q^(a+b)) (q^(a+b); q^(a+b))
            self.take()
            sign2, b = _argument(self)
            self.take(")")
            if sign > 0 or sign2 > 0:
                raise FormulaError("f(a, b) only at -q^a, -q^b")
            period = m + b
            return [(period, m % period, e, 0), (period, b % period, e, 0), (period, 0, e, 0)]
        self.take(")")
        if name in ("theta_3", "theta_4"):
            name, sign = "phi", sign if name == "theta_3" else -sign
        elif name == "f":  # f(-y) = (y; y): f at the argument is eta at its negative
            name, sign = "eta", -sign
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function {name!r}")
        return [(c * m, 0, x * e, m if sign < 0 else 0) for c, _, x in FUNCTIONS[name]]



def _head(cursor: TokenCursor, name: str) -> tuple[str, int]:
    """The function's name (`theta_3` one word) and a power written before its argument (`phi^2(q)`), up to
    and with the opening parenthesis."""
    if name == "theta" and cursor.peek() == "_":
        cursor.take()
        name = f"theta_{cursor.take()}"
    e = 1
    if cursor.peek() == "^":
        cursor.take()
        e = cursor.exponent()
    cursor.take("(")
    return name, e


def _argument(cursor: TokenCursor) -> tuple[int, int]:
    """(sign, m) of +-x^m, +-q^m or m z."""
    sign = 1
    if cursor.peek() == "-":
        cursor.take()
        sign = -1
    m = int(cursor.take()) if (cursor.peek() or "x").isdigit() else 1  # 8z
    if cursor.take() not in ("x", "q", "z"):
        raise FormulaError("argument is not a power of x, q or z")
    if cursor.peek() == "^":
        cursor.take()
        if m != 1:
            raise FormulaError("both m z and z^m")
        m = int(cursor.take())
    return sign, m


def parse_name(name: str) -> tuple[tuple[int, int, int, int], ...] | Node | None:
    """The name's product as factors (period, residue, exponent, flip), else its series (sums, theta_2, the
    cubic AGM functions: an o.g.f. for `egf`), or None."""
    return parse_product(name) or parse_series(name) or lattice_node(name)


def parse_product(name: str) -> tuple[tuple[int, int, int, int], ...] | None:
    """The name's product as factors (period, residue, exponent, flip), or None."""
    if form := _FORM.match(name.strip()):  # sum of c*x^2: the theta series phi(q^c) multiplied
        coefficients = [int(c or 1) for c in re.findall(r"(\d*) ?\*? ?[a-z]\^2", form[1])]
        return tuple((c * k, 0, e, 0) for c in coefficients for k, _, e in FUNCTIONS["phi"])
    m = _START.match(name.strip())
    if not m or not re.search(r"\b(?:eta|phi|psi|chi|theta_[34]|f)\s*(?:\^\d+)?\(", m[1]):
        return None
    try:
        parser = _Parser(tokenize(m[1]))
        factors = parser.product()
    except (FormulaError, ValueError):
        return None
    if parser.peek() is not None or not factors:
        return None
    return tuple(factors)


def exponents(factors: tuple[tuple[int, int, int, int], ...], count: int) -> list[int]:
    """g(1..count-1): the product is prod_k (1 - q^k)^g(k). A factor at -q^m where k/m is odd is 1 + q^k =
    (1 - q^(2k)) / (1 - q^k)."""
    g = [0] * count
    for period, residue, e, flip in factors:
        for k in range(residue or period, count, period):
            if not flip or (k // flip) % 2 == 0:
                g[k] += e
            else:
                g[k] -= e
                if 2 * k < count:
                    g[2 * k] += e
    return g[1:]


def period_of(factors: tuple[tuple[int, int, int, int], ...]) -> int:
    """The least period of g: a divisor of the lcm of the classes' periods (4 times a class's at -q^m, whose
    odd k/m add at k and 2k) on which g repeats over two whole such spans."""
    bound = lcm(*[p * (4 if flip else 1) for p, _, _, flip in factors])
    g = exponents(factors, 2 * bound + 1)
    return next(p for p in range(1, bound + 1) if bound % p == 0 and all(
        g[k] == g[k - p] for k in range(p, len(g))))


def series(b: list[int], count: int) -> list[int] | None:
    """The first `count` coefficients of prod_k (1 - q^k)^(-b(k)), b[0] = b(1) (the Euler transform), from
    c(m) = sum_{d|m} d*b(d)."""
    c = [0] * count
    for d in range(1, count):
        for m in range(d, count, d):
            c[m] += d * b[d - 1]
    return series_terms(c, count)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the named product (an Euler transform) or series (`egf`'s arrays) when its series, up to
    leading zeros and a constant factor, is the known terms; or a mock theta function's (`mocktheta`)."""
    if mock := mocktheta.programs_for(list(target.terms), target.name, target.offset):
        return mock
    if lattice := lattice_programs(target):
        return lattice
    norm = normalised(target.terms) if len(target.terms) >= MIN_TERMS else None
    if norm is None:
        return []
    factors = parse_product(target.name)
    if factors is None:
        node = parse_series(target.name)
        return [] if node is None else series_program(node, norm, target.offset)
    zeros, scale, normal = norm
    p = period_of(factors)
    if p > MAX_PERIOD:
        return []
    b = [-v for v in exponents(factors, max(len(normal), 2 * p + 1))]
    if series(b, len(normal)) != normal:
        return []
    # b(k) for k = p, 1, ..., p-1 by residue (the tables' order: r = k mod p)
    table = tuple(b[(r or p) - 1] for r in range(p))
    return [euler_program(EulerFit(zeros, scale, (table,)), target.offset)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named eta quotient's program."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "theta", "from name")


# --- sums of products: q-series arithmetic in `egf`, the functions as Ramanujan's f(a, b) -----------------

_SERIES_FUNCTIONS = ("eta", "phi", "psi", "chi", "f", "theta")
_LAMBERT = {"p": (-24, 1), "q": (240, 3), "r": (-504, 5)}  # Ramanujan's Lambert series, scale and sigma_k
_AGM = ("a", "b", "c")


@dataclass(frozen=True)
class _Series:
    """q^shift times the o.g.f. `node` (in x): eta(q) = q^(1/24) (q; q), theta_2(q) = 2 q^(1/4) psi(q^2)."""

    shift: Fraction
    node: Node


def _leaf(alpha: int, beta: int, sa: int, sb: int) -> Node:
    return Node("theta", (alpha, beta, sa, sb))


def _power(node: Node, e: int) -> Node:
    return binop("/", Node("num", 1), binop("^", node, Node("num", -e))) if e < 0 else binop("^", node, Node("num", e))


def _f1(sign: int, m: int) -> Node:
    """Ramanujan's f(y) = f(y, -y^2) at y = sign q^m (f(-q) = (q; q))."""
    return _leaf(m, 2 * m, sign, -1)


class _SeriesParser(TokenCursor):
    """Sums, products, quotients and integer powers of the theta functions, q-powers and numbers."""

    def __init__(self, tokens: list[str], agm: bool, unit: int, lambert: bool = True) -> None:
        super().__init__(tokens)
        self.agm = agm  # a(), b(), c() are the cubic AGM theta functions
        self.unit = unit  # the series is in powers of q^(1/unit): every argument q^m is read as q^(unit m)
        self.lambert = lambert  # P(), Q(), R() are Ramanujan's Lambert series (not the Rogers-Ramanujan fraction)

    def expression(self) -> _Series:
        out = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            out = self._add(out, self.term(), 1 if op == "+" else -1)
        return out

    @staticmethod
    def _add(a: _Series, b: _Series, sign: int) -> _Series:
        d = b.shift - a.shift
        if d.denominator != 1:
            raise FormulaError("summands in different powers of q")
        lo, hi = (a, b) if d >= 0 else (b, a)
        raised = binop("*", _power(Node("var", "x"), abs(int(d))), hi.node) if d else hi.node
        first, second = (lo.node, raised) if lo is a else (raised, lo.node)
        return _Series(lo.shift, binop("+" if sign > 0 else "-", first, second))

    def term(self) -> _Series:
        out = self.unary()
        while True:
            tok = self.peek()
            if tok in ("*", "/"):
                self.take()
                other = self.unary()
                out = _Series(out.shift + other.shift, binop("*", out.node, other.node)) if tok == "*" else \
                    _Series(out.shift - other.shift, binop("/", out.node, other.node))
            elif tok is not None and (tok == "(" or tok[0].isdigit() or tok in ("x", "q")
                                      or (tok.lower() in _SERIES_FUNCTIONS + _AGM and self.peek(1) in ("(", "_", "^"))):
                other = self.unary()
                out = _Series(out.shift + other.shift, binop("*", out.node, other.node))
            else:
                return out

    def unary(self) -> _Series:
        if self.peek() == "-":
            self.take()
            inner = self.unary()
            return _Series(inner.shift, Node("neg", None, (inner.node,)))
        base = self.primary()
        if self.peek() != "^":
            return base
        self.take()
        if base.node == Node("num", 1) and base.shift:  # q^r, r a fraction
            return _Series(base.shift * self._fraction(), base.node)
        e = self.exponent()
        return _Series(base.shift * e, _power(base.node, e))

    def _fraction(self) -> Fraction:
        if self.peek() != "(":
            return Fraction(self.exponent())
        self.take()
        sign = -1 if self.peek() == "-" else 1
        if sign < 0:
            self.take()
        value = Fraction(int(self.take()))
        if self.peek() == "/":
            self.take()
            value /= int(self.take())
        self.take(")")
        return sign * value

    def primary(self) -> _Series:
        tok = self.take()
        if tok == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if tok[0].isdigit():
            return _Series(Fraction(0), Node("num", int(tok)))
        if tok in ("x", "q"):
            return _Series(Fraction(self.unit), Node("num", 1))
        return self.function(tok.lower())

    def function(self, name: str) -> _Series:
        name, e = _head(self, name)
        sign, m = self.argument()
        if name == "f" and self.peek() == ",":
            self.take()
            sign2, m2 = self.argument()
            self.take(")")
            out = _Series(Fraction(0), _leaf(m, m2, sign, sign2))
        else:
            self.take(")")
            out = self._one(name, sign, m)
        return _Series(out.shift * e, _power(out.node, e)) if e != 1 else out

    def argument(self) -> tuple[int, int]:
        """(sign, m) of the argument, m in powers of q^(1/unit)."""
        sign, m = _argument(self)
        return sign, m * self.unit

    def _one(self, name: str, s: int, m: int) -> _Series:
        """The function at s q^m."""
        zero = Fraction(0)
        if name in ("phi", "theta_3", "theta_4"):
            s = -s if name == "theta_4" else s
            return _Series(zero, _leaf(m, m, s, s))
        if name == "psi":  # psi(y) = f(y, y^3)
            return _Series(zero, _leaf(m, 3 * m, s, s ** 3))
        if name == "f":
            return _Series(zero, _f1(s, m))
        if name == "chi":  # chi(y) = f(y) / f(-y^2)
            return _Series(zero, binop("/", _f1(s, m), _f1(-1, 2 * m)))
        if s < 0 and name in ("eta", "theta_2", "c"):
            raise FormulaError("a fractional power of q at -q")
        if name == "eta":
            return _Series(Fraction(m, 24), _f1(-1, m))
        if name == "theta_2":  # 2 q^(m/4) psi(q^(2m))
            return _Series(Fraction(m, 4), binop("*", Node("num", 2), _leaf(2 * m, 6 * m, 1, 1)))
        if self.agm and name == "b":  # eta(y)^3 / eta(y^3)
            return _Series(zero, binop("/", _power(_f1(-s, m), 3), _f1(-s, 3 * m)))
        if self.agm and name == "c":  # 3 eta(y^3)^3 / eta(y)
            return _Series(Fraction(m, 3), binop("/", binop("*", Node("num", 3), _power(_f1(-1, 3 * m), 3)), _f1(-1, m)))
        if name in _LAMBERT and s > 0 and self.lambert:  # Ramanujan's P, Q, R: Eisenstein series E_2, E_4, E_6 at q^m
            scale, power = _LAMBERT[name]
            terms = Node("series", (1, m, 1), (parse_formula(f"{scale}*sigma_{power}(n)"),))
            return _Series(zero, binop("+", Node("num", 1), terms))
        if self.agm and name == "a":  # phi(y) phi(y^3) + 4 y psi(y^2) psi(y^6)
            psis = binop("*", _leaf(2 * m, 6 * m, 1, 1), _leaf(6 * m, 18 * m, 1, 1))
            return _Series(zero, binop("+", binop("*", _leaf(m, m, s, s), _leaf(3 * m, 3 * m, s, s)),
                                     binop("*", binop("*", Node("num", 4 * s), _power(Node("var", "x"), m)), psis)))
        raise FormulaError(f"unknown function {name!r}")


# Modular forms of level 1 named by what determines them: M_k has dimension 1 for k = 4, 6, 8, 10, 14, so the
# normalized cusp form of weight k + 12 is Delta E_k, Delta = q f(-q)^24; the Leech lattice has no vectors of
# norm 2, which fixes its theta series in M_12 = <E_4^3, Delta>.
_CUSP = re.compile(r"^Coefficients of (?:the )?unique normalized cusp form Delta_(\d+) of weight \1 for (?:the )?full modular group\.?$",
                   re.I)
_CUSP_EISENSTEIN = {12: "", 16: "*Q(q)", 18: "*R(q)", 20: "*Q(q)^2", 22: "*Q(q)*R(q)", 26: "*Q(q)^2*R(q)"}
_KNOWN_FORMS = {"theta series of leech lattice": "Q(q)^3 - 720*q*f(-q)^24"}


def _known_form(name: str) -> str | None:
    """The expression of a level-1 modular form the name determines (see above), as `_SeriesParser` reads it."""
    if (m := _CUSP.match(name.strip())) and int(m[1]) in _CUSP_EISENSTEIN:
        return f"Expansion of q*f(-q)^24{_CUSP_EISENSTEIN[int(m[1])]}."
    form = _KNOWN_FORMS.get(name.strip().rstrip(".").lower())
    return f"Expansion of {form}." if form else None


# Theta series of the root lattices D_n, E_6, E_7, E_8, their duals and glue cosets, by their expressions in
# Jacobi's theta functions (Conway and Sloane, SPLAG ch. 4), in powers of q^norm; E_6 = A_2^3 glued by the
# code {000, 111, 222}, theta_A2 = a(q^2) and its cosets' c(q^2). The terms say in which power of q the data is
# (q^2, q, q^(1/2)) and where it starts (`lattice_programs`). E_6's and E_7's are written in powers of
# q^(norm/2), as a lone lattice's data always is: half the arrays' length. a^3 + 2c^3 is b^3 + 3c^3 (a^3 = b^3
# + c^3), eta quotients with fewer arrays than a's four theta functions.
_E7 = "theta_3(q)^7 + 7*theta_3(q)^3*theta_2(q)^4"
_E7_COSET = "theta_2(q)^7 + 7*theta_2(q)^3*theta_3(q)^4"
_E6 = "b(q)^3 + 3*c(q)^3"
_ROOT_THETA: dict[str, str] = {
    "e_8": "(theta_2(q)^8 + theta_3(q)^8 + theta_4(q)^8)/2", "e_7": _E7, "{e_7}*": f"{_E7} + {_E7_COSET}",
    "coset of the e_7 lattice in its dual": _E7_COSET, "e_6": _E6, "{e_6}*": f"{_E6} + 6*a(q)*c(q)^2"}
_HALF_NORM = ("e_7", "{e_7}*", "coset of the e_7 lattice in its dual", "e_6", "{e_6}*")
_LATTICE_NAME = re.compile(r"^(?:Expansion of )?(?:the )?theta series of (?:the )?(?:\d+-dimensional lattice )?(?P<what>.+?)(?: lattice)?"
                           r"(?: in powers of q(?:\^\(?[\d/]+\)?)?)?\.?$", re.I)


def _root_theta(what: str) -> str | None:
    what = what.strip().lower()
    if what in _ROOT_THETA:
        return _ROOT_THETA[what]
    if m := re.fullmatch(r"d_(\d+)", what):
        return f"(theta_3(q)^{m[1]} + theta_4(q)^{m[1]})/2"
    if m := re.fullmatch(r"\{d_(\d+)\}\*|d\*_(\d+)", what):
        n = m[1] or m[2]
        return f"theta_3(q)^{n} + theta_2(q)^{n}"
    if m := re.fullmatch(r"\{d_(\d+)\}\^\{?\+\}?|d_(\d+)\^\+", what):
        n = m[1] or m[2]
        return f"(theta_3(q)^{n} + theta_4(q)^{n} + theta_2(q)^{n})/2"
    return None


def lattice_form(name: str) -> str | None:
    """The theta series of a lattice the name states (a root lattice, a dual, a coset, or a direct sum "D_16 +
    E_8" of them) as a product of the expressions above, or None."""
    m = _LATTICE_NAME.match(name.strip())
    if m is None:
        return None
    names = re.split(r"\s+\+\s+", m["what"].lower())
    parts = [_root_theta(part) for part in names]
    if any(p is None for p in parts) or (len(parts) > 1 and any(part in _HALF_NORM for part in names)):
        return None
    return "*".join(f"({p})" for p in parts)


def lattice_node(name: str) -> Node | None:
    """The lattice's theta series as an o.g.f. in q^(1/unit), the least unit that makes its powers whole."""
    form = lattice_form(name)
    return _series_node(form, True) if form else None


def lattice_programs(target: Target) -> list[Program]:
    """The program of a lattice's theta series: its coefficients at q^(step n + start) over the norms' unit."""
    node = lattice_node(target.name)
    if node is None or len(target.terms) < MIN_TERMS:
        return []
    want = list(target.terms)
    for step in (1, 2, 3, 4, 6, 8):
        # one series per step, its decimations read off it (a longer one passes LODA's cells: so would the program)
        full = egf.terms_of(egf.Egf(node, ogf=True), step * (len(want) + 1))
        if full is None:
            break
        for start in range(2 * step):
            if full[start::step][: len(want)] == want:
                return [egf.program(egf.Egf(node, step, start, ogf=True), target.offset)]
    return []


def parse_series(name: str) -> Node | None:
    """The named series as an o.g.f. in x (its power of q dropped: the terms fix the leading zeros), or None."""
    name = _known_form(name) or name
    m = _START.match(name.strip())
    if not m or not re.search(r"\b(?:eta|phi|psi|chi|theta_[234]|f|[abc])\s*(?:\^\d+)?\(", m[1]):
        return None
    return _series_node(m[1], "cubic AGM" in name, not re.search(r"Rogers|continued fraction", name))


def _series_node(text: str, agm: bool, lambert: bool = True) -> Node | None:
    """The expression's series as an o.g.f. in q^(1/unit), or None. Summands whose powers of q differ by a
    fraction (theta_2(z) theta_2(2z) is q^(3/4) times a series) take the least unit that makes them whole."""
    for unit in (1, 2, 3, 4, 6, 8, 12, 24):
        try:
            parser = _SeriesParser(tokenize(text), agm, unit, lambert)
            out = parser.expression()
        except FormulaError as exc:
            if "different powers" in str(exc):
                continue
            return None
        except ValueError:
            return None
        if parser.peek() is not None or not _has_theta(out.node):
            return None
        return out.node
    return None


def _has_theta(node: Node) -> bool:
    return node.kind == "theta" or any(_has_theta(arg) for arg in node.args)


def series_program(node: Node, norm: tuple[int, int, list[int]], offset: int) -> list[Program]:
    """`egf`'s program of scale * x^zeros * node when that is the known terms (normalised: `norm`)."""
    zeros, scale, normal = norm
    count = zeros + len(normal)
    try:
        own = egf.terms_of(egf.Egf(node, ogf=True), count + 4)  # a few leading zeros of its own
        own_norm = normalised(own) if own is not None else None
        if own_norm is None or own_norm[2][: len(normal)] != normal:
            return []
        shift = zeros - own_norm[0]
        x_k = _power(Node("var", "x"), abs(shift))
        shifted = node if shift == 0 else binop("*", x_k, node) if shift > 0 else binop("/", node, x_k)
        factor = Fraction(scale, own_norm[1])
        reading = egf.Egf(binop("*", Node("num", factor.numerator), shifted) if factor.denominator == 1 else
                          binop("/", binop("*", Node("num", factor.numerator), shifted), Node("num", factor.denominator)),
                          ogf=True)
        if egf.terms_of(reading, count) != zeros * [0] + [scale * t for t in normal]:
            return []
        return [egf.program(reading, offset)]
    except (FormulaError, ZeroDivisionError):
        return []
