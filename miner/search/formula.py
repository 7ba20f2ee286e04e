"""Formula-from-name compiler: parse `a(n) = ...` formulas of the common OEIS grammar and compile
them to LODA. Strict: anything outside the grammar gives no program (never a guess).

Grammar: integers, n, + - * / ^, parentheses, implicit multiplication (`2n`, `n(n+1)`), postfix `!`
and `!!` (double factorial), `mod` (infix, loosest) and mod(a,b), floor brackets `[n/2]`,
floor/ceiling/binomial/C/gcd/min/max/sqrt, A-number references (`A000045(n+1)`), named functions that
are well-known corpus sequences (Fibonacci, prime, phi, sigma, tau/d, pi, mu, omega: compiled to `seq`
calls by A-number, see NAMED_SEQUENCES; `propose` drops programs whose callee the corpus lacks),
Sum_{k=a..b} and Product_{k=a..b} over a product of factors, divisor sums Sum_{d|m} f(d) (and Max_{d|m}), and
recurrences in earlier terms `a(n-1)`, `a(n-2)`, ... (`a(n) = 2*a(n-1) + n`): their initial values are
the target's first known terms. `/` compiles to LODA's truncating division. Triangles read by rows state
`T(n,k) = ...` in n and k: the term's index gives the row and column (`compile_triangle`).

`valuation(n, p)` is the exponent of p in n; `numerator(q)` and `denominator(q)` take a quotient of integer
expressions (`quotient_parts`) in lowest terms, so triangles and arrays can state them. Around the grammar: a
multiplicative function's a(p^e) (or a completely multiplicative one's a(p)) becomes a product over the primes
dividing n (`multiplicative`), `where p = prime(n)` clauses are substituted (`substituted`), a formula given by the
parity of n becomes one (`piecewise`), one that holds from where the name says takes the first terms from
the data (`with_initial`), divisor sums and products may be over primes (`p|n`) or a condition (`d < n`,
`n/d == 1 (mod 4)`). Each formula is compiled as written and in the exact readings of `reals` (real floors,
rational factors, nonnegative residues); `rationals` adds the numerators and denominators names ask for.
Tables are read in these exact readings too, after every layout as written, and with a first column or row
the name states apart ("for k > 0, T(n, 0) = 1"). `digitcat(x, images)` writes each decimal digit of x anew
("concatenating the squares of the digits of prime(n)", "multiply each digit by 2, keeping the memory of the
groupings"); `nondivisor(n, j)` is the j-th smallest number not dividing n; `ord(a, m)` the multiplicative
order of a modulo m. The trajectory of a map the name states ("Trajectory of 1 under map n->9n+1 if n odd,
n->n/2 if n even") is the recurrence a(n) = f(a(n-1)).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt, lcm
from typing import Any, Callable, Iterator, Mapping

from miner.lang import semantics as S
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, Operand, Operation, Program
from miner.search.build import add_const, largest_cell, line, relocated, shift_input
from miner.search.linalg import poly_add, poly_mul
from miner.search.types import Candidate, SearchContext, Target


class FormulaError(ValueError):
    """Text outside the supported formula grammar."""


@dataclass(frozen=True)
class Node:
    """An expression node: kind is num, var, op (+-*/^ mod), call, seq, fact, neg, sum, prod."""

    kind: str
    value: Any = None
    args: tuple["Node", ...] = ()


def binop(o: str, a: Node, b: Node | int) -> Node:
    """The node a o b (an int b as a number)."""
    return Node("op", o, (a, b if isinstance(b, Node) else Node("num", b)))


_TOKEN = re.compile(r"\s*(?:(A\d{6})|(\d+)|([A-Za-z][A-Za-z]*)|(\.\.\.?|<=|>=|==|[-+*/^(),!{}=_|\[\]<>]))")
# Named functions that are sequences in the corpus: name -> A-number.
NAMED_SEQUENCES = {"fibonacci": 45, "f": 45, "lucas": 32, "prime": 40, "phi": 10,
                   "sigma": 203, "tau": 5, "numdiv": 5, "d": 5, "catalan": 108, "catalannumber": 108, "bell": 110,
                   "pi": 720, "mu": 8683, "moebius": 8683, "omega": 1221, "bigomega": 1222}
NAMED_SEQUENCES.update({"wt": 120, "pell": 129, "psi": 1615, "lpf": 20639, "gpf": 6530,
                        "sopfr": 1414, "sopf": 8472, "digrev": 4086, "composite": 2808, "core": 7913,
                        "rad": 7947, "usigma": 34448})
_BITWISE = {"XOR": "bxo", "AND": "ban", "OR": "bor"}
_FUNCS = {"floor": 1, "ceiling": 1, "ceil": 1, "binomial": 2, "c": 2, "gcd": 2, "min": 2, "max": 2,
          "sqrt": 1, "mod": 2, "abs": 1, "lcm": 2, "round": 1, "inbase": 2, "valuation": 2, "numerator": 1, "denominator": 1,
          "nondivisor": 2, "ord": 2}
NONDIVISOR_BOUND = 64  # candidates the j-th smallest non-divisor is sought among (n below 10^27 has one of each j <= 3)


def abs_value(x: int) -> int:
    """abs as the compiled code computes it (max(x, -x)); for the readers' Python twins."""
    return S.max(x, S.mul(x, -1))


def lcm_value(a: int, b: int) -> int:
    """lcm as the compiled code computes it: |a*b / gcd(a,b)| (no value for lcm(0,0))."""
    return abs_value(S.div(S.mul(a, b), S.gcd(a, b)))


def inbase_value(x: int, base: int) -> int:
    """x's base-`base` digits read as a decimal number, as the compiled loop computes it (0 unless x > 0 and
    base > 1); for the readers' Python twins."""
    result, place = 0, 1
    while True:
        rest, added = S.div(x, base), S.add(result, S.mul(S.mod(x, base), place))
        if not -1 < rest < x:
            return result
        x, result, place = rest, added, S.mul(place, 10)


def digitmap_value(k: int, base: int, digits: tuple[int, ...]) -> int:
    """The k-th number whose base digits all lie in `digits` (sorted), as the compiled loop computes it: k's digits
    in base len(digits), bijective unless 0 is a digit, each mapped to its digit; for the readers' Python twins."""
    m, shift = len(digits), int(digits[0] != 0)
    result, place = 0, 1
    while True:
        rest = S.sub(k, shift)
        r = S.mod(rest, m)
        added = S.add(result, S.mul(digits[r] if 0 <= r < m else 0, place))
        rest = S.div(rest, m)
        if not -1 < rest < k:
            return result
        k, result, place = rest, added, S.mul(place, base)


def nondivisor_value(n: int, j: int) -> int:
    """The j-th smallest k >= 1 that does not divide n, among 1..NONDIVISOR_BOUND (0 if none), as compiled."""
    count = 0
    for k in range(1, NONDIVISOR_BOUND + 1):
        if S.mod(n, k) != 0:
            count += 1
            if count == j:
                return k
    return 0


def order_value(a: int, m: int) -> int:
    """The multiplicative order of a modulo m as compiled: the least k in 1..m with a^k = 1 (mod m), 1 for m = 1,
    0 where there is none (a and m not coprime, m < 1)."""
    if m == 1:
        return 1
    step, x = S.mod(S.add(S.mod(a, max(m, 1)), m), max(m, 1)), 1
    for k in range(1, m + 1):
        x = S.mod(S.mul(x, step), m)
        if x == 1:
            return k
    return 0


def digitcat_value(x: int, images: tuple[int, ...]) -> int:
    """x's decimal digits d each written as images[d], one after another, as the compiled loop computes it (0
    for x < 0); for the readers' Python twins."""
    if x == 0:
        return images[0]
    result, place = 0, 1
    while x > 0:
        image = images[x % 10]
        result += image * place
        place *= 10 ** len(str(image))
        x //= 10
    return result


def quotient_parts(node: Node) -> tuple[Node, Node]:
    """(numerator, denominator), integer expressions whose quotient is the term (its +-*/ and integer powers
    taken apart; the formula compiler's division truncates)."""
    if node.kind == "neg":
        n, d = quotient_parts(node.args[0])
        return Node("neg", None, (n,)), d
    if node.kind != "op" or node.value not in ("+", "-", "*", "/", "^"):
        if _divides(node):
            raise FormulaError("a quotient inside a function")
        return node, Node("num", 1)
    if node.value == "^":
        (n, d), e = quotient_parts(node.args[0]), node.args[1]
        if _divides(e):
            raise FormulaError("a fractional power")
        if e.kind == "neg":
            n, d, e = d, n, e.args[0]
        return _times(Node("op", "^", (n, e)), None), _times(Node("op", "^", (d, e)), None)
    (a, b), (c, d) = quotient_parts(node.args[0]), quotient_parts(node.args[1])
    if node.value == "*":
        return _times(a, c), _times(b, d)
    if node.value == "/":
        return _times(a, d), _times(b, c)
    return Node("op", node.value, (_times(a, d), _times(c, b))), _times(b, d)


def _divides(node: Node) -> bool:
    return (node.kind == "op" and node.value == "/") or any(_divides(a) for a in node.args)


def _times(a: Node, b: Node | None) -> Node:
    """a * b (b None: a alone), leaving out factors 1 (and 1^e)."""
    def one(x: Node) -> bool:
        return x == Node("num", 1) or (x.kind == "op" and x.value == "^" and one(x.args[0]))

    if b is None or one(b):
        return Node("num", 1) if one(a) else a
    return b if one(a) else Node("op", "*", (a, b))


def valuation_value(x: int, p: int) -> int:
    """The exponent of p in x, as the compiled code computes it: log_p(x / x's part prime to p)."""
    return S.log(S.div(x, S.dir(x, p)), p)


def round_value(top: int, bottom: int) -> int:
    """round(top/bottom) as the compiled code computes it: (2*top + bottom) / (2*bottom)."""
    return S.div(S.add(S.mul(top, 2), bottom), S.mul(bottom, 2))


UNARY_CALLS = {"abs": abs_value}
# Triangles read by rows n >= 0, 0 <= k <= n, that names call as functions of two arguments: Stirling1(n,k)
# (signed, A048994) and Stirling2(n,k) (A048993); T(n,k) is 0 outside the triangle.
TRIANGLES = {"stirling1": 48994, "stirling2": 48993}
_SEPARATORS = (",", ";", ".", "for", "with", "where", "if", "when", "(", "=", "and", "or")


UNREAD = "\x00"  # the token `tokenize(..., partial=True)` ends with where it met text outside the grammar


def tokenize(text: str, partial: bool = False) -> list[str]:
    """Split formula text into tokens; FormulaError on any character outside the grammar, or with `partial`
    the tokens before it and then UNREAD (a parse that needs it fails, one that stops at a separator before
    it does not: "F(2*n+1)^3, n>=0")."""
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if partial:
                return [*tokens, UNREAD]
            raise FormulaError(f"unexpected text at '{text[pos:pos + 10]}'")
        assert m.lastindex is not None  # every alternative of _TOKEN is a group, so a match sets one
        tokens.append(m.group(m.lastindex).replace("...", ".."))
        pos = m.end()
    return tokens


class TokenCursor:
    """A position in a token list, for the recursive-descent parsers of formulas and g.f.s."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self, ahead: int = 0) -> str | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise FormulaError(f"expected {expected or 'more'} at token {self.pos}, got {tok!r}")
        self.pos += 1
        return tok

    def exponent(self) -> int:
        """An integer exponent: k, -k, (k) or (-k)."""
        paren = self.peek() == "("
        if paren:
            self.take()
        sign = -1 if self.peek() == "-" else 1
        if sign < 0:
            self.take()
        tok = self.take()
        if not tok.isdigit():
            raise FormulaError(f"exponent {tok!r} is not an integer")
        if paren:
            self.take(")")
        return sign * int(tok)


class ExpressionParser(TokenCursor):
    """Recursive descent over formula tokens into Nodes; `variables` are the letters that stand for numbers.
    The g.f., product and constant readers extend it."""

    # Operators of a term; a reading where `x mod m` binds like `*` adds "mod" (`selfref`).
    term_operators: tuple[str, ...] = ("*", "/")

    def __init__(self, tokens: list[str], variables: tuple[str, ...] = ("n",)) -> None:
        super().__init__(tokens)
        self.variables = list(variables)
        self.in_brackets = 0

    def expression(self) -> Node:
        node = self.additive()
        while self.peek() == "mod":
            self.take()
            node = Node("op", "mod", (node, self.additive()))
        while self.peek() in _BITWISE:  # "n XOR 2*n", "n AND NOT n^2": bitwise, and loosest (as written in names)
            op = _BITWISE[self.take() or ""]
            if op == "ban" and self.peek() == "NOT":  # x AND NOT y = x - (x AND y), for x >= 0
                self.take()
                node = Node("op", "-", (node, Node("op", "ban", (node, self.additive()))))
            else:
                node = Node("op", op, (node, self.additive()))
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = Node("op", op, (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok in self.term_operators:
                self.take()
                node = Node("op", tok, (node, self.unary()))
            elif tok is not None and self._starts_factor(tok):
                node = Node("op", "*", (node, self.power()))
            else:
                return node

    def _starts_factor(self, tok: str) -> bool:
        if tok == "(" and self.peek(1) == "mod":  # "== 1 (mod 4)": a congruence's modulus, not a factor
            return False
        if tok == "(" or tok[0].isdigit() or re.fullmatch(r"A\d{6}", tok):
            return True
        low = tok.lower()
        if tok in self.variables:
            return True
        if low == "mod":  # `x mod (m)` is the infix operator, not x times mod(...)
            return False
        if low == "phi":
            return True
        if low in _FUNCS or low in NAMED_SEQUENCES or tok == "a":
            return self.peek(1) == "("
        if low in ("sigma", "log", "stirling"):
            return self.peek(1) in ("_", "1", "2")
        return low in ("sum", "product") or (tok == "[" and not self.in_brackets)

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            return Node("neg", None, (self.unary(),))
        if self.peek() == "+":
            self.take()
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.peek() == "^":
            self.take()
            return Node("op", "^", (base, self.unary_power()))
        return base

    def unary_power(self) -> Node:
        if self.peek() == "-":
            self.take()
            return Node("neg", None, (self.power(),))
        return self.power()

    def postfix(self) -> Node:
        node = self.primary()
        while self.peek() == "!":
            self.take()
            if self.peek() == "!":  # n!! is the double factorial in OEIS names, never (n!)!
                self.take()
                node = Node("dfact", None, (node,))
            else:
                node = Node("fact", None, (node,))
        return node

    def primary(self) -> Node:
        tok = self.take()
        if tok == "(":
            node = self.expression()
            self.take(")")
            return node
        if tok == "[" and not self.in_brackets:
            # [x] is floor(x) in OEIS names; LODA's division already truncates (nonnegative data).
            self.in_brackets += 1
            node = self.expression()
            self.in_brackets -= 1
            self.take("]")
            return Node("call", "floor", (node,))
        if tok[0].isdigit():
            return Node("num", int(tok))
        if re.fullmatch(r"A\d{6}", tok):
            args = self._call_args(1, 2)  # A053120(n+8, n): a triangle's or an array's entry (`placed`)
            return Node("seq" if len(args) == 1 else "entry", int(tok[1:]), tuple(args))
        if tok in self.variables:
            return Node("var", tok)
        if tok == "a" and self.peek() == "(":
            return self._self_reference()
        low = tok.lower()
        if low in ("sum", "product") or (low == "max" and self.peek() == "_"):
            return self._big_operator(low)
        if tok == "|" and not self.in_brackets:
            node = self.expression()  # |x| is abs(x)
            self.take("|")
            return Node("call", "abs", (node,))
        if low in ("sigma", "log") and self.peek() == "_":
            return self._subscripted(low)
        if low == "stirling" and self.peek() in ("1", "2") and self.peek(1) == "(":
            kind = self.take()
            return Node("call", f"stirling{kind}", tuple(self._call_args(2)))
        if low == "lcm" and self.tokens[self.pos:self.pos + 6] == ["(", "1", ",", "2", ",", ".."]:
            self.pos += 6  # lcm(1, 2, ..., m) is A003418(m)
            self.take(",")
            node = self.expression()
            self.take(")")
            return Node("seq", 3418, (node,))
        if low == "iverson" and self.peek() == "(":  # written by `zero_otherwise`
            self.take("(")
            node = self._condition()
            self.take(")")
            return node
        if low in _FUNCS and self.peek() == "(":
            return Node("call", low, tuple(self._call_args(_FUNCS[low])))
        if low == "phi" and self.peek() != "(":  # phi without an argument: the golden ratio (exact only in `reals`)
            return Node("op", "/", (Node("op", "+", (Node("num", 1), Node("call", "sqrt", (Node("num", 5),)))),
                                    Node("num", 2)))
        if low in NAMED_SEQUENCES and self.peek() == "(":
            return Node("seq", NAMED_SEQUENCES[low], (self._call_args(1)[0],))
        raise FormulaError(f"unknown name {tok!r}")

    def _subscripted(self, low: str) -> Node:
        """`sigma_k(x)` (Sum_{d|x} d^k) and `log_b(x)` (floor of the logarithm in base b, as LODA's `log`)."""
        self.take("_")
        braced = self.peek() == "{"
        if braced:
            self.take()
        k = self.take()
        if k is None or not k.isdigit():
            raise FormulaError(f"expected a number after {low}_")
        if braced:
            self.take("}")
        arg = self._call_args(1)[0]
        if low == "log":
            if int(k) < 2:
                raise FormulaError("logarithm base below 2")
            return Node("call", "log", (arg, Node("num", int(k))))
        return Node("dsum", "_d", (arg, Node("op", "^", (Node("var", "_d"), Node("num", int(k))))))

    _COMPARE = {"<": ("leq", 1, 0), "<=": ("leq", 0, 0), ">": ("geq", 0, 1), ">=": ("geq", 0, 0), "=": ("equ", 0, 0),
                "==": ("equ", 0, 0)}

    def _condition(self) -> Node:
        """A 0/1 node for a divisor's condition: x odd, x even, x < y (<=, >, >=, =, ==; y may be sqrt(m), compared
        by squares), x == r (mod m)."""
        left = self.additive()
        tok = self.take()
        if tok == "does" and self.peek() == "not" and self.peek(1) in ("divide", "divides"):
            self.pos += 2  # [k does not divide x] = min(x mod k, 1) for k >= 1
            return Node("call", "min", (Node("op", "mod", (self.additive(), left)), Node("num", 1)))
        if tok in ("divides", "|"):
            return Node("call", "equ", (Node("op", "mod", (self.additive(), left)), Node("num", 0)))
        if tok == "is":  # "x is odd", "x is a prime", "x is a square" (primes and squares of x >= 1)
            word = self.take() or ""
            if word in ("a", "an"):
                word = self.take() or ""
            if word in ("odd", "even"):
                tok = word
            elif word in ("prime", "square"):
                return Node("seq", 10051 if word == "prime" else 10052, (Node("call", "max", (left, Node("num", 1))),))
            else:
                raise FormulaError(f"a condition 'is {word}'")
        if tok in ("odd", "even"):
            return Node("call", "equ", (Node("op", "mod", (left, Node("num", 2))), Node("num", int(tok == "odd"))))
        if tok not in self._COMPARE:
            raise FormulaError(f"a divisor's condition with {tok!r}")
        right = self.additive()
        paren = self.peek() == "(" and self.peek(1) == "mod"
        if paren or self.peek() == "mod":
            self.pos += 1 + paren
            m = self.additive()
            if paren:
                self.take(")")
            if tok not in ("=", "=="):
                raise FormulaError("an inequality mod m")
            return Node("call", "equ", (Node("op", "mod", (left, m)), Node("op", "mod", (right, m))))
        if right.kind == "call" and right.value == "sqrt":  # d < sqrt(n): d^2 < n
            left, right = Node("op", "^", (left, Node("num", 2))), right.args[0]
        name, before, after = self._COMPARE[tok]
        if before:
            left = Node("op", "+", (left, Node("num", before)))
        if after:
            right = Node("op", "+", (right, Node("num", after)))
        return Node("call", name, (left, right))

    def _self_reference(self) -> Node:
        """`a(n-c)` with a constant c >= 1: an earlier term of the sequence itself."""
        arg = self._call_args(1)[0]
        if arg.kind == "op" and arg.value == "-" and arg.args[0] == Node("var", "n") \
                and arg.args[1].kind == "num" and arg.args[1].value >= 1:
            return Node("self", arg.args[1].value)
        raise FormulaError("only earlier terms a(n-1), a(n-2), ... may be referenced")

    def _call_args(self, count: int, most: int = 0) -> list[Node]:
        self.take("(")
        args = [self.expression()]
        while self.peek() == ",":
            self.take()
            args.append(self.expression())
        self.take(")")
        if not count <= len(args) <= max(count, most):
            raise FormulaError(f"expected {count} argument(s), got {len(args)}")
        return args

    def _big_operator(self, kind: str) -> Node:
        self.take("_")
        self.take("{")
        var = self.take()
        if not re.fullmatch(r"[a-z]", var) or var in self.variables:
            raise FormulaError(f"bad summation variable {var!r}")
        if self.peek() == "|":
            self.take()
            whole = self.expression()
            primes = var == "p"  # Sum_{p|n}: OEIS's p runs over the primes
            self.variables.append(var)
            conditions = []
            while self.peek() == ",":  # "p|n, p prime", "d|n, d < n", "d|n, n/d == 1 (mod 4)"
                self.take()
                if self.peek() == var and self.peek(1) == "prime":
                    self.pos += 2
                    primes = True
                else:
                    conditions.append(self._condition())
            self.take("}")
            body = self.term()
            self.variables.pop()
            if kind == "max" and conditions:
                raise FormulaError("a condition on Max_{d|n}")
            for condition in conditions:  # a term outside the condition counts as 0 (a factor as 1)
                body = Node("op", "*" if kind == "sum" else "^", (body, condition))
            out_kind = {"sum": "dsum", "product": "dprod", "max": "dmax"}[kind]
            return Node(out_kind, var, (whole, body, *([Node("num", 1)] if primes else [])))
        if kind == "max":
            raise FormulaError("Max_ over a range")
        low, high = self._range(var)
        self.variables.append(var)
        conditions = []
        while self.peek() == ",":  # "k=1..n, gcd(k,n)=1", "k=1..n, k does not divide n"
            self.take()
            conditions.append(self._condition())
        self.take("}")
        body = self.term()
        self.variables.pop()
        for condition in conditions:
            body = Node("op", "*" if kind == "sum" else "^", (body, condition))
        return Node("sum" if kind == "sum" else "prod", var, (low, high, body))

    def _range(self, var: str) -> tuple[Node, Node]:
        """The bounds of `k=a..b` and of `k<=b` or `k<b` (k from 1, as OEIS writes them)."""
        tok = self.take()
        if tok in ("<=", "<"):
            high = self.additive()
            return Node("num", 1), high if tok == "<=" else Node("op", "-", (high, Node("num", 1)))
        if tok != "=":
            raise FormulaError(f"expected = or <= after {var}, got {tok!r}")
        low = self.expression()
        self.take("..")
        return low, self.expression()


def parse_formula(text: str) -> Node:
    """Parse a whole expression in n; FormulaError unless every token is consumed."""
    parser = ExpressionParser(tokenize(text))
    node = parser.expression()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()!r} after the expression")
    return node


def parse_prefix(text: str, variables: tuple[str, ...] = ("n",)) -> Node:
    """Parse the longest expression at the start of text that is followed by a separator or the end."""
    tokens = tokenize(text, partial=True)
    parser = ExpressionParser(tokens, variables)
    node = parser.expression()
    rest = parser.peek()
    if rest is not None and rest.lower() not in _SEPARATORS:
        raise FormulaError(f"unexpected {rest!r} after the expression")
    if rest in ("(", ".") and parser.pos + 1 < len(tokens) and rest == ".":
        raise FormulaError("text continues after a period")
    return node


_FRAGMENT = re.compile(r"a\(n\)\s*=\s*")
# "Consecutive states of the linear congruential pseudo-random number generator (205*s + 29573) mod 139968
# when started at 1": the recurrence a(n) = (205*a(n-1) + 29573) mod 139968 from the first term.
_LCG = re.compile(r"congruential .*?generator (\([^()]*\)|[\w^*]+) mod (\([^()]*\)|[\w^]+) when started at (?:s ?= ?)?\d+")
# "Ramanujan numbers (A000594) read mod 7^2": the residues of a cited sequence, from 0 up.
_READ_MOD = re.compile(r"^[^()]*\((A\d{6})\) read mod ([\d^]+)\.?$")
# the second index may have another letter ("A(n,m) = ..."): read as k
_TRIANGLE = re.compile(r"\bT\(n,\s*(?P<v>[a-mo-z])\)\s*=\s*")
_ARRAY = re.compile(r"\b[TA]\(n,\s*(?P<v>[a-mo-z])\)\s*(?:\([^()]*\)\s*)?=\s*")  # "T(n,k) (n>=0, k>=0) = ..."
_RANGES = re.compile(r"\s*\([^()]*(?:<|>|\u2264|\u2265)[^()]*\)|\s+[nk]\s*=\s*\d+\s*\.\.\s*[\w+-]+(?=\.?$)")
# Layouts of a triangle read by rows: (first row n, first column k, last column n + e); every row
# n >= first has n + e - k0 + 1 entries. The known terms decide which one the name means.
TRIANGLE_LAYOUTS = ((0, 0, 0), (1, 1, 0), (1, 0, -1), (1, 0, 0), (0, 1, 1), (2, 1, -1), (2, 2, 0), (1, 1, 1))


# "Largest prime factor of 2^n + 1": a named function of a formula, as a call of its sequence.
_PROSE_FUNCTIONS = (
    (r"(?:largest|greatest) prime (?:factor|divisor)", 6530), (r"(?:smallest|least) prime (?:factor|divisor)", 20639),
    (r"number of divisors", 5), (r"sum of (?:the )?divisors", 203), (r"sum of (?:the )?distinct prime (?:divisors|factors)", 8472),
    (r"number of distinct prime (?:divisors|factors)", 1221), (r"sum of (?:the )?digits", 7953),
    (r"(?:squarefree kernel|radical)", 7947), (r"(?:euler )?totient", 10), (r"number of partitions", 41))
_PROSE = re.compile(r"^(" + "|".join(p for p, _ in _PROSE_FUNCTIONS) + r") of (.+?)\.?$", re.I)


_WHERE = re.compile(r",?\s+where\s+", re.I)
# "p = prime(n)", "L(n) = A000204(n)": a letter, or a function of one letter, and its definition.
_DEFINITION = re.compile(r"\b([A-Za-z])(?:\(([a-z])\))?\s*=\s*")
_DEFINITION_END = re.compile(r"\s(?:and|are|is|with|for|being|gives?|denotes?)\s|;")


def _definition(text: str, variable: str) -> str | None:
    """The formula a definition's text starts with, words before it dropped ("Lucas number A000204(n)")."""
    text = _DEFINITION_END.split(text)[0].strip().rstrip(",.")
    words = text.split()
    for i in range(len(words)):
        body = " ".join(words[i:])
        try:
            parse_prefix(_clean(body), (variable,))
        except (FormulaError, RecursionError):
            continue
        return body
    cited = re.search(r"\((A\d{6})\)$", text)  # "p(n) = number of partitions of n (A000041)": the cited sequence
    return f"{cited[1]}({variable})" if cited else None


def _replace_calls(text: str, letter: str, variable: str, body: str) -> str:
    """Each call letter(x) in the text replaced by the body with its variable replaced by x."""
    out, pos = [], 0
    for m in re.finditer(rf"\b{letter}\(", text):
        if m.start() < pos:
            continue
        depth, end = 1, m.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        if depth:
            break
        arg = text[m.end():end - 1]
        out += [text[pos:m.start()], "(", re.sub(rf"\b{variable}\b", f"({arg})", body), ")"]
        pos = end
    return "".join(out) + text[pos:]


def substituted(side: str) -> str | None:
    """`4*p - floor(2*sqrt(p))^2, where p = prime(n)`: the formula with each letter (or function of one
    letter) the where-clause defines replaced by its definition; None without one that reads."""
    parts = _WHERE.split(side, maxsplit=1)
    if len(parts) != 2:
        return None
    main, rest = parts
    found: list[re.Match[str]] = []
    for m in _DEFINITION.finditer(rest):
        # "p(k) = number of partitions of k = A000041(k)": an `=` after the bound letter goes on defining p
        if not found or m[1] != found[-1][2]:
            found.append(m)
    if not found or found[0].start() != 0:
        return None
    for i, m in enumerate(found):
        letter, variable = m[1], m[2]
        if letter in ("a", "n", variable):
            return None
        end = found[i + 1].start() if i + 1 < len(found) else len(rest)
        body = _definition(re.split(r"(?<![<>!=])=(?!=)", rest[m.end():end])[-1], variable or "n")
        if body is None:
            return None
        if variable is None:
            main = re.sub(rf"\b{letter}\b(?!\s*\()", f"({body})", main)
        else:
            main = _replace_calls(main, letter, variable, body)
    return main


_PARITY = r"(?:(?:if|for|when)\s+n\s+(?:is\s+)?|,\s*n\s+|for\s+)(?P<{0}>even|odd)(?:\s+n\b)?"
_PIECEWISE = (
    # "a(n) = 3n + 1 if n is even, or (3n + 1)/2 if n is odd", "a(n) = X for even n, Y for odd n", "X, n even; Y, n odd"
    re.compile(r"^(?:.*?\ba\(n\)\s*=\s*)?(?P<x>[^;]+?),?\s+" + _PARITY.format("c") + r"\s*[,;]?\s*(?:or\s+|and\s+)?"
               r"(?:a\(n\)\s*=\s*)?(?P<y>[^;]+?),?\s+(?:" + _PARITY.format("c2") + r"|(?:otherwise|else))\.?$", re.I),
    # "If n is even, a(n) = X; if n is odd, a(n) = Y", "If n odd, a(n) = n^2 else a(n) = n"
    re.compile(r"^(?:[^:;]*:\s*)?if\s+n\s+(?:is\s+)?(?P<c>even|odd),?\s*(?:then\s+)?(?:a\(n\)\s*=\s*)?(?P<x>[^;]+?)[,;]?\s*(?:and\s+)?"
               r"(?:if\s+n\s+(?:is\s+)?(?P<c2>even|odd),?|otherwise,?|else)\s*(?:then\s+)?(?:a\(n\)\s*=\s*)?(?P<y>[^;]+?)\.?$", re.I),
)


_PARITY_WORDS = re.compile(r"\bn\s*(?:mod\s*2\s*=\s*([01])|(?:==|=|\u2261)\s*([01])\s*\(mod 2\))")


def piecewise(name: str) -> str | None:
    """One formula for a name that gives a(n) by the parity of n: X + (Y - X)*(n mod 2), X the even case."""
    text = _PARITY_WORDS.sub(lambda m: "n is " + ("even" if (m[1] or m[2]) == "0" else "odd"), name.strip())
    for pattern in _PIECEWISE:
        m = pattern.match(text)
        if m is None or (m["c2"] and m["c2"].lower() == m["c"].lower()):
            continue
        even, odd = (m["x"], m["y"]) if m["c"].lower() == "even" else (m["y"], m["x"])
        return f"({even}) + (({odd}) - ({even}))*(n mod 2)"
    return None


# "a(n) = 1 if 2^n - 1 is a prime, 0 otherwise", "T(n, k) = A001227(n) if k divides n, T(n, k) = 0 otherwise"
_ZERO_OTHERWISE = re.compile(r"(?<==)(?P<x>[^;=]*?) if (?P<c>[^;,]+?)[,;]?\s*(?:and\s+|else\s+)?"
                             r"(?:(?:(?:a\(n\)|T\(n,\s*k\))\s*=\s*)?0\s*,?\s*otherwise|(?:otherwise|else),?\s*0\b)")


def zero_otherwise(name: str) -> str:
    """The name with `X if C, 0 otherwise` written as X times the 0/1 value of C (`iverson(C)`)."""
    return _ZERO_OTHERWISE.sub(lambda m: f" ({m['x'].strip()})*iverson({m['c'].strip()})", name)


# "a(n) = 97 written in base n", "Squares written in base 9", "A005204 written in base 2": the digits read in
# base 10 (`inbase`); the plural names its terms.
_WRITTEN = re.compile(r"^(?P<lead>.*?\ba\(n\)\s*=\s*|)(?P<x>[^=;,]+?)\s+(?:when\s+)?written in base\s+"
                      r"(?P<b>[\w+*() -]+?)\s*(?P<rest>[.;]|$)")
_PLURALS = {"squares": "n^2", "cubes": "n^3", "primes": "prime(n)", "triangular numbers": "n*(n+1)/2",
            "fibonacci numbers": "F(n)", "factorials": "n!", "odd numbers": "2*n+1", "even numbers": "2*n",
            "catalan numbers": "A000108(n)", "lucas numbers": "A000032(n)"}


def _in_base(name: str) -> str:
    """The name with `X written in base B` as `inbase(X, B)`."""
    m = _WRITTEN.match(name.strip())
    if m is None or re.search(r"non-?decimal", name):  # a finite list: past it, no one way to write a digit > 9
        return name
    x = m["x"].strip()
    if not m["lead"]:
        power = re.fullmatch(r"powers of (\d+)", x, re.I)
        x = f"{x}(n)" if re.fullmatch(r"A\d{6}", x) else f"{power[1]}^n" if power else _PLURALS.get(x.lower(), "")
        if not x:
            return name
    return f"{m['lead']}inbase({x}, {m['b'].strip()}){m['rest']}"


# "Multiplicative with a(p^e) = (e+1)^2*(e+2)/2.", "Totally multiplicative sequence with a(p) = 3.",
# "Completely multiplicative with a(prime(k)) = prime(k+1).", "Totally multiplicative with p -> (p-1)*p, p prime."
_MULTIPLICATIVE = re.compile(
    r"^(?:a\(n\) is |the )?(?P<total>(?:completely|totally|fully) )?multiplicative(?: sequence| function)? with "
    r"(?:a\((?P<arg>p\^e|prime\((?P<index>[ik])\)|p)\)\s*=\s*|(?P<arrow>p\^e|p)\s*->\s*)(?P<f>[^;]+?)"
    r"(?:,\s*where\s[^;]*)?\s*\.?$", re.I)
# What a name says of p, e or k after the formula: the domain, which the product over p|n already is.
_QUALIFIER = re.compile(r"(?:,\s*|\s+)(?:for (?:all |any |every )?(?:primes? p|p prime|prime p|primes|any prime number p"
                        r"|[ike] >= 1|e > 0|[ik]-th prime(?: prime\([ik]\)| p)?)|p prime(?: and e > 0)?|e > 0|e >= 1"
                        r"|\(where prime\([ik]\) denotes the [ik]-th prime\))\s*$", re.I)


def _variable(name: str, value: str, text: str) -> str:
    """`text` with the variable `name` (a lone letter, also after a digit: "2e^2") replaced by `value`."""
    return re.sub(rf"(?<![A-Za-z]){name}(?![A-Za-z(])", value, text)


def multiplicative(name: str) -> str | None:
    """A multiplicative name's a(p^e) (or a completely multiplicative one's a(p)) as a product over the
    primes dividing n, e their exponents: `a(n) = Product_{p|n} f(p, valuation(n,p))`; None for other names.
    The product takes f at p = 2 where d is no prime divisor and drops it: e is at least 1 there too."""
    m = _MULTIPLICATIVE.match(name.strip())
    if m is None:
        return None
    f = split_equals(m["f"])[0].strip()  # "a(p) = p*(p+1) = p^2+p for prime p": the first form
    while (tail := _QUALIFIER.search(f)) is not None:
        f = f[:tail.start()].strip()
    if m["index"]:  # a(prime(k)) = f(k): k is p's index among the primes
        f = _variable(m["index"], "A000720(p)", f)
    exponent = "max(valuation(n,p),1)"
    if "p^e" in (m["arg"], m["arrow"]):
        return f"a(n) = Product_{{p|n}} ({_variable('e', exponent, f)})"
    if not m["total"] or _variable("e", "", f) != f:
        return None  # a(p) alone says nothing of a(p^2) unless the function is completely multiplicative
    return f"a(n) = Product_{{p|n}} ({f})^{exponent}"


def formula_fragments(name: str) -> list[str]:
    """Candidate formula texts in a sequence name: each side of `a(n) = X = Y ...` chains, and the
    whole name when it is itself an expression in n."""
    out: list[str] = []
    name = multiplicative(name) or name
    name = zero_otherwise(_tables_named(_in_base(name)))
    for part in re.split(r";|\balso\b", name):
        m = _FRAGMENT.search(part)
        if not m:
            continue
        text = part[m.end():]
        for side in split_equals(_clean(substituted(text) or text)):
            side = side.strip().rstrip(".").strip()
            if side:
                out.append(side)
    if (both := piecewise(name)) is not None:
        out.append(both)
    whole = name.strip().rstrip(".")
    if whole and not _FRAGMENT.search(whole):
        out.append(substituted(whole) or whole)
    if m := _PROSE.match(name.strip()):
        callee = next(a for p, a in _PROSE_FUNCTIONS if re.fullmatch(p, m[1], re.I))
        out.append(f"A{callee:06d}({m[2]})")
    if m := _READ_MOD.match(name.strip()):
        out.append(f"{m[1]}(n) mod {m[2]}")  # its nonnegative residues are the signed reading (`reals`)
    if m := _LCG.search(name):
        out.append(re.sub(r"\bs\b", "a(n-1)", f"{m[1]} mod ({m[2]})"))
    if (m := _SORTS_OF_ONE.match(name.strip())) and (k := NUMBER_WORDS.get(m[2], m[2] if m[2] in "nk" else None)) is not None:
        ones = f"Stirling2(j, {k})" if m[1] else f"Sum_{{i=0..{k}}} Stirling2(j, i)"
        out.append(f"Sum_{{j=0..n}} {ones}*A002865(n-j)")
    if m := _BINOMIAL_POWER.match(name.strip()):
        # [x^(c n)] ((1+x)^a (1 +- x^e)^b)^n = Sum_i binomial(b n, i) (+-1)^i binomial(a n, c n - e i), b of either sign
        c, a, e = int(m["c"] or 1), int(m["a"] or 1), int(m["e"])
        b = int(m["b"] or 1) * (-1 if m["op"] == "/" else 1)
        sign = "(-1)^i*" if m["s"] == "-" else ""
        out.append(f"Sum_{{i=0..{c}*n}} binomial({b}*n, i)*{sign}binomial({a}*n, {c}*n - {e}*i)")
    if m := _OVER_FALLING.match(name.strip()):
        # 1/Product_{k=1..g} (1 - k*x) = Sum_m Stirling2(m + g, g) x^m
        f, g = (renamed_text(t, "n", "j") if t else "1" for t in (m["f"], m["g"]))
        sign = "(-1)^(n-j)*" if m["s"] == "+" else ""
        out.append(f"Sum_{{j=0..n}} ({f})*{sign}Stirling2(n-j+({g}), {g})")
    if (step := trajectory_step(name)) is not None:
        out.append(step)
    if (m := _MOVE_LEFT_DIGIT.match(name.strip())) and (x := _elements(m[1])):
        # each term loses its first digit to the one before and takes the next term's: x(n-1) without its first
        # digit, then the first digit (A000030) of x(n); before x(0) there is none, nor any digits but its first
        before = renamed_text(x, "n", "(n-1)")
        after = f"({before}) mod 10^log_10(max({before}, 1))"
        out.append(f"10*({after}) + A000030({x})")
    if m := _ORDER.match(name.strip()):  # "Multiplicative order of 2 mod 2n+1", "... of 5 (mod 5*n + 1)"
        out.append(f"ord({m[1]}, {m[2]})")
    if m := _VALUATION.match(name.strip()):  # "2-adic valuation of A008336(2*n)"
        out.append(f"valuation({m[2]}, {m[1]})")
    if (blocks := _blocks_up_to_n(name)) is not None:
        out.append(blocks)
    if (m := _SQUARES_ARRAYS.match(name.strip())) and int(m[2]) <= 60:
        # j nonzero entries: binomial(cells, j) places times the ordered j-tuples of positive squares summing to K
        total, cells = int(m[2]), m[1].replace(" ", "").replace("X", "*").replace("x", "*")
        tuples = _positive_square_tuples(total)
        out.append(" + ".join(f"{c}*binomial({cells}, {j})" for j, c in enumerate(tuples) if c))
    if m := _SUBSETS_SUM.match(name.strip()):
        k = int(m[1])  # by roots of unity: each d | gcd(n, k) counts the subsets fixed by a rotation of order d
        out.append(f"Sum_{{d|gcd(n,{k})}} (-1)^({k}+{k}/d)*phi(d)*binomial({k}*n/d, {k}/d) / max(n, 1)")
    if m := _DIRICHLET.match(name.strip()):
        xs = _sequence_terms(m[1])
        pairs = [(x, x) for x in xs] if m[2] in ("themselves", "itself") else \
            [(x, y) for x in xs for y in _sequence_terms(m[2])]
        out += [f"Sum_{{d|n}} ({renamed_text(x, 'n', 'd')})*({renamed_text(y, 'n', '(n/d)')})" for x, y in pairs]
    if m := _COUNT_DIFFERENCE.match(name.strip()):
        # each of the first n terms counts +1 where it is the first digit, -1 where the second (0^|x| is [x = 0])
        x = m[3]
        out += [f"Sum_{{i={lo}..n{hi}}} (0^abs({x}(i)-{m[1]}) - 0^abs({x}(i)-{m[2]}))" for lo, hi in ((0, "-1"), (1, ""))]
    if m := _ORBITS.match(name.strip()):  # Moebius inversion of the periodic points: orbits of length exactly n
        out.append(f"(Sum_{{d|n}} mu(n/d)*{m[1] or m[2]}(d))/n")
    if (m := _BLOCKS_OF_SIZE.match(name.strip())) and (k := NUMBER_WORDS.get(m[1], int(m[1]) if m[1].isdigit() else None)):
        # m elements in k blocks of two or more (inclusion-exclusion over the singletons among them), the rest alone
        out.append(f"Sum_{{m=0..n}} binomial(n,m)*Sum_{{i=0..{k}}} (-1)^i*binomial(m,i)*Stirling2(m-i,{k}-i)")
    if m := _BAJNOK.match(name.strip()):
        # Bajnok's v_j(n, h) and v+-(n, h): the largest (j, h)-sum-free or symmetric set's size, over d | n
        term = f"floor((d-1-gcd(d,{m['j']}))/{m['h']})+1" if m["j"] else f"2*floor((d-2)/(2*{m['h']}))+1"
        out.append(f"Max_{{d|n}} ({term})*n/d")
    if (m := _COMMA.match(name.strip())) and (x := _elements(m[1])):
        # the last digit of x(n), then the first (A000030) of x(n+1)
        out.append(f"10*(({x}) mod 10) + A000030({renamed_text(x, 'n', '(n+1)')})")
    return list(dict.fromkeys(out))


# Numbers names spell out ("six sorts of part 1")
NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12}
# "Number of partitions of n with exactly six sorts of part 1 which are introduced in ascending order": the ones
# form a set partition into the sorts (Stirling2), the other parts a partition without ones (A002865)
_SORTS_OF_ONE = re.compile(r"^Number of partitions of n with (exactly )?(\w+) sorts of part 1 which are introduced in "
                           r"ascending order\.?$")
# "Dirichlet convolution of Fibonacci numbers with themselves", "... of b_n=2^(n-1) with sigma(n)"
_DIRICHLET = re.compile(r"^Dirichlet convolution of (.+?) with (.+?)\.?$")
# "a(n)=(# 1's)-(# 0's) in first n terms of A030363"
_COUNT_DIFFERENCE = re.compile(r"^(?:a\(n\) ?= ?)?\(# (\d+)'s\) ?- ?\(# (\d+)'s\) in (?:the )?first n terms of (A\d{6})\.?$")
# "Number of orbits of length n under the map whose periodic points are counted by A001642"
_ORBITS = re.compile(r"^Number of (?:periodic )?orbits of length n (?:under|in|of) (?:the |a )?map whose periodic points "
                     r"(?:are|seem to be) (?:counted by|given by) (A\d{6})\.?$|^Number of orbits of length n in map whose "
                     r"periodic points come from (A\d{6})\.?$")
# "Number of set partitions of [n] having exactly five blocks of size > 1"
_BLOCKS_OF_SIZE = re.compile(r"^Number of set partitions of \[n\] (?:having|with) exactly (\w+) blocks of size "
                             r"(?:> ?1|>= ?2|at least 2|greater than 1)\.?$")
# "The arithmetic function v_4(n,5)", "The arithmetic function v+-(n,3)" (Bajnok, additive combinatorics)
_BAJNOK = re.compile(r"^The arithmetic function v(?:_(?P<j>\d+)|\+-)\(n, ?(?P<h>\d+)\)\.?$")
# "Coefficient of x^n in the expansion of ( (1+x)^2 / (1-x^3)^2 )^n"
_BINOMIAL_POWER = re.compile(r"^Coefficient of x\^(?:n|\((?P<c>\d+)\*n\)) in (?:the )?expansion of \( ?\(1 ?\+ ?x\)(?:\^(?P<a>\d+))? ?"
                             r"(?P<op>[*/]) ?\(1 ?(?P<s>[+-]) ?x\^(?P<e>\d+)\)(?:\^(?P<b>\d+))? ?\)\^n\.?$")
# "G.f.: Sum_{n>=0} (2*n)! * x^n / Product_{k=1..2*n} (1 + k*x)"
_OVER_FALLING = re.compile(r"^(?:O\.g\.f\.|G\.f\.|Expansion of):? Sum_\{n>=0\} (?:(?P<f>.+?) ?\* ?)?x\^n ?/ ?"
                           r"Product_\{k=1\.\.(?P<g>[^}]+)\} \(1 ?(?P<s>[+-]) ?k\*x\)\.?$")


def renamed_text(text: str, old: str, new: str) -> str:
    """The formula text with its variable `old` written as `new` (no longer name, no call, keeps it)."""
    return re.sub(rf"(?<![A-Za-z_]){old}(?![A-Za-z_(])", new, text)


# "Trajectory of 1 under map n->9n+1 if n odd, n->n/2 if n even", "Trajectory of 3 under map x->x +
# (x-with-digits-reversed)", "... the map: n -> n + second-smallest number that does not divide n"
_TRAJECTORY = re.compile(r"^Trajectory of -?\d+ under (?:the )?(?:repeated application of (?:the )?)?map:? (?P<maps>.+?)\.?$")
_CASE = re.compile(r"^(?P<v>[a-z])\s*-+>\s*(?P<e>.+?)(?:,?\s+(?:if|for|when)\s+(?P=v)\s+(?:is\s+)?(?P<par>odd|even))?$")
_ORDINAL_WORDS = {"": 1, "first-": 1, "second-": 2, "third-": 3, "fourth-": 4, "fifth-": 5}
_MAP_PHRASES = (
    (re.compile(r"\(?\b([a-z])-with-digits-reversed\)?"), r"A004086(\1)"),
    (re.compile(r"\b(?:the )?(first-|second-|third-|fourth-|fifth-|)smallest (?:number|integer) that does not divide ([a-z])\b"),
     lambda m: f"nondivisor({m[2]}, {_ORDINAL_WORDS[m[1]]})"),
)


def trajectory_step(name: str) -> str | None:
    """a(n) from a(n-1) for the trajectory of a map the name states (one case, or one for each parity)."""
    m = _TRAJECTORY.match(name.strip())
    if m is None:
        return None
    cases: dict[str, str] = {}
    for part in re.split(r",\s*(?=[a-z]\s*-+>)", m["maps"]):
        case = _CASE.match(part.strip())
        if case is None:
            return None
        text = case["e"]
        for pattern, replacement in _MAP_PHRASES:
            text = pattern.sub(replacement, text)
        cases[case["par"] or "all"] = renamed_text(text, case["v"], "a(n-1)")
    if set(cases) == {"all"}:
        return cases["all"]
    if set(cases) == {"odd", "even"}:
        return f"({cases['even']}) + (({cases['odd']}) - ({cases['even']}))*(a(n-1) mod 2)"
    return None


_MOVE_LEFT_DIGIT = re.compile(r"^Take list of (?:the )?(.+?), move left digit of each term to end of previous term\.?$", re.I)
_ORDER = re.compile(r"^(?:a\(n\) (?:is|=) )?(?:the )?multiplicative order of (-?\w+(?:\^\w+)?) \(?(?:mod|modulo) "
                    r"([^;,()]+?(?:\([^()]*\)[^;,()]*?)?)\)?(?:,? (?:where|for|with|or) .*|;.*)?\.?$", re.I)
_VALUATION = re.compile(r"^(?:a\(n\) = )?(?:the )?(\d+)-adic valuation of ([^:;]+?)\.?(?:[:;].*)?$")
# "a(n) = 1*2*3*4 + 5*6*7*8 + 9*10*11*12 + ... + (up to n)", "a(n) = 4*3*2*1 + 8*7*6*5 + ... + (up to the n-th term)"
_UP_TO_N = re.compile(r"^a\(n\) = (?P<written>[\d*+ -]+?)\s*[+-]\s*(?:\.\.\.|\u2026)\s*[+-]\s*\(up to (?:n|the n-th term)\)\.?$")


def _blocks_up_to_n(name: str) -> str | None:
    """The sum (or alternating sum) of the products of blocks of k consecutive numbers 1, 2, 3, ... (each block
    ascending or descending) written up to its n-th number, the last block cut there."""
    m = _UP_TO_N.match(name.strip())
    if m is None:
        return None
    signs: list[str] = []
    groups: list[list[int]] = []
    for sign, text in signed_terms(m["written"]):
        if not re.fullmatch(r"\d+(?:\s*\*\s*\d+)+", text):
            return None
        signs.append(sign)
        groups.append([int(x) for x in re.findall(r"\d+", text)])
    k = len(groups[0])
    descending = groups[0][0] > groups[0][-1]
    for b, numbers in enumerate(groups):
        block = list(range(b * k + 1, b * k + k + 1))
        if numbers != (block[::-1] if descending else block):
            return None
    alternating = all(sign == "+-"[b % 2] for b, sign in enumerate(signs))
    if not alternating and set(signs) != {"+"}:
        return None
    sign, last = ("(-1)^b*", f"(-1)^floor(n/{k})*") if alternating else ("", "")
    cut = (f"Product_{{i=0..(n mod {k})-1}} ((floor(n/{k})+1)*{k} - i)" if descending
           else f"Product_{{i=n-(n mod {k})+1..n}} i")
    return f"Sum_{{b=0..floor(n/{k})-1}} {sign}Product_{{i=1..{k}}} (b*{k}+i) + {last}min(n mod {k}, 1)*{cut}"


def signed_terms(text: str) -> list[tuple[str, str]]:
    """(sign, term) for each term of a sum, split at + and - outside brackets."""
    out: list[tuple[str, str]] = []
    depth, sign, start = 0, "+", 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+-":
            if text[start:i].strip():
                out.append((sign, text[start:i].strip()))
            sign, start = ch, i + 1
    out.append((sign, text[start:].strip()))
    return out


# "Number of n X n arrays of squares of integers summing to 9": entries 0, 1, 4, 9, ...
_SQUARES_ARRAYS = re.compile(r"^Number of (n ?[Xx] ?n|n ?[Xx] ?\d+|\d+ ?[Xx] ?n) arrays of squares of integers summing to (\d+)\.?$")


def _positive_square_tuples(total: int) -> list[int]:
    """c[j] = the ordered j-tuples of positive squares summing to `total`, j = 0..total."""
    ways = [[0] * (total + 1) for _ in range(total + 1)]  # ways[j][s]
    ways[0][0] = 1
    for j in range(1, total + 1):
        for s in range(total + 1):
            ways[j][s] = sum(ways[j - 1][s - r * r] for r in range(1, isqrt(s) + 1))
    return [ways[j][total] for j in range(total + 1)]


# "Number of 6-member subsets of [6*n] whose elements sum to a multiple of n"
_SUBSETS_SUM = re.compile(r"^Number of (\d+)-(?:member|element) subsets of \[\1\*?n\] whose elements sum to a multiple of n\.?$")
# "Comma transform of squares": the two digits on either side of each comma of the written sequence
_COMMA = re.compile(r"^Comma transform of (?:the )?(.+?)\.?$", re.I)


def _elements(text: str) -> str | None:
    """A formula in n for the sequence a plural or an A-number names ("squares", "the nonnegative integers")."""
    low = text.strip().lower()
    if re.fullmatch(r"a\d{6}", low):
        return f"{text.strip()}(n)"
    if low in ("nonnegative integers", "natural numbers", "integers", "integers n >= 0"):
        return "n"
    return _PLURALS.get(low)


_ARITHMETIC = {"identity function": "n", "euler phi": "phi(n)", "euler totient function": "phi(n)", "phi": "phi(n)",
               "totient": "phi(n)", "sigma": "sigma(n)", "tau": "tau(n)", "d(n)": "tau(n)", "mu": "mu(n)",
               "moebius function": "mu(n)", "mobius function": "mu(n)", "primes (with 1)": "A008578(n)",
               "bell numbers": "A000110(n)", "[ 1,1,1,... ]": "1", "zeta": "1", "omega": "omega(n)"}


def _sequence_terms(text: str) -> list[str]:
    """Formulas in n for a sequence a Dirichlet convolution names ("b_n=2^(n-1)", "Moebius function mu(n)
    (A008683)", "powers of 3 (3,9,27,...)", "sigma(n)", "Catalan numbers"): a sequence counted from 0 read
    from its first term or its second, as its name leaves open."""
    text = re.sub(r"^(?:the )?", "", text.strip())
    if m := re.fullmatch(r"[a-z]_n\s*=\s*(.+)", text):
        text = m[1]
    elif len(numbers := set(re.findall(r"A\d{6}", text))) == 1:
        x = f"{numbers.pop()}(n)"
        return [x, renamed_text(x, "n", "(n-1)")]
    elif m := re.fullmatch(r"powers of (\d+)(?: \([\d, .]+\))?", text, re.I):
        return [f"{m[1]}^n"]
    bare = re.sub(r"\s*\([^()]*\)$", "", text) if not text.endswith("(n)") else text
    for key in (text.lower(), bare.lower(), re.sub(r"\(n\)$", "", bare.lower())):
        if (known := _ARITHMETIC.get(key)) is not None:
            return [known, renamed_text(known, "n", "(n-1)")] if known.startswith("A") else [known]
    if (known := _elements(text)) is not None:
        return [known, renamed_text(known, "n", "(n-1)")]
    try:
        parse_formula(text)
    except (FormulaError, ValueError):
        return []
    return [text] if re.search(r"\bn\b", text) or text.isdigit() else []


def split_equals(text: str) -> list[str]:
    """Text cut at the `=` signs that separate equal forms, outside brackets (not those of <=, >=, !=, ==)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0 and text[i - 1:i] not in ("<", ">", "!", "=") and text[i + 1:i + 2] != "=":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


# Digits written anew, one after another: "Numbers obtained by concatenating the squares of the digits of
# prime(n)", "Concatenate decimal digits of n, each increased by 1", and each term so from the one before: "Begin
# with 5, multiply each digit by 2, keeping the memory of the groupings of the preceding digits".
_DIGIT_IMAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int], int]], ...] = (
    (re.compile(r"^(?:Numbers obtained by )?concatenating the (?P<p>squares|cubes) of the digits of (?P<x>.+?)\.?$", re.I),
     lambda m, d: d ** (2 if m["p"].lower() == "squares" else 3)),
    (re.compile(r"^Concatenate (?:the )?(?:decimal )?digits of (?P<x>.+?), each increased by (?P<c>\d+)\.?$", re.I),
     lambda m, d: d + int(m["c"])),
    (re.compile(r"^Begin with \d+, multiply each digit by (?P<c>\d+), keeping the memory of the groupings of the "
                r"preceding digits\.?$", re.I), lambda m, d: d * int(m["c"])),
)


def _digit_images(name: str) -> list[Node]:
    """`digitcat(x, images of 0..9)` for a name that writes each digit of x anew (x the term before: a(n-1))."""
    for pattern, image in _DIGIT_IMAGES:
        if (m := pattern.match(name.strip())) is None:
            continue
        try:
            x = parse_prefix(m["x"]) if "x" in pattern.groupindex else Node("self", 1)
        except (FormulaError, RecursionError):
            return []
        return [Node("call", "digitcat", (x, *(Node("num", image(m, d)) for d in range(10))))]
    return []


def formulas_in_name(name: str) -> list[Node]:
    """Every fragment of the name that parses as a formula in n (strictly)."""
    found = _digit_images(name)
    for fragment in formula_fragments(name):
        try:
            node = parse_prefix(_clean(fragment))
        except (FormulaError, RecursionError):
            continue
        if _uses_n(node):
            found.append(node)
    return found


def triangle_formulas(name: str, pattern: re.Pattern[str] | None = None) -> list[Node]:
    """Formulas `T(n,k) = ...` in n and k of a triangle read by rows (none if the name is no triangle), or
    of whatever table `pattern` finds (an array read by antidiagonals)."""
    if pattern is None and "read by rows" not in name and not re.match(r"(?:Number )?[Tt]riangle\b", name):
        return []
    found = []
    name = zero_otherwise(name)
    for part in re.split(r";|\balso\b", name):
        m = (pattern or _TRIANGLE).search(part)
        if not m:
            continue
        # The ranges that follow ("0 <= k <= n") are outside the grammar: the longest text before a comma
        # that parses is the formula (commas inside calls such as binomial(n,k) stay).
        # ranges after it ("(1<=k<=n)", "k=0..n-1") are not part of the formula
        text = part[m.end():]
        if m["v"] != "k":
            if re.search(r"(?<![A-Za-z_])k(?![A-Za-z_(])", text):
                continue
            text = renamed_text(text, m["v"], "k")
        text = _RANGES.sub("", _clean(text))
        pieces = re.split(r"(?<=,)", re.split(r"\s*(?:<|>|\u2264|\u2265)", text)[0])
        for j in range(len(pieces), 0, -1):
            try:
                node = parse_prefix("".join(pieces[:j]).strip().rstrip(".,").strip(), ("n", "k"))
            except (FormulaError, RecursionError):
                continue
            if max_lag(node) == 0:
                found.append(node)
                found.extend(_with_boundary(node, var, value, pattern is None) for var, value in _boundaries(name))
            break
    return found


# "T(n, 0) = 1", "T(0, k) = 0^k": a value the formula does not give on the first column or row
_BOUNDARY = re.compile(r"\bT\(\s*(?:(?P<col>n)\s*,\s*0|0\s*,\s*(?P<row>k|0))\s*\)\s*=\s*")


def _boundaries(name: str) -> list[tuple[str, Node]]:
    """(variable, value) for each first column (k) or row (n) the name gives apart from its formula."""
    out = []
    for m in _BOUNDARY.finditer(name):
        text = re.split(r"\s+(?:for|if|and|when)\b|[,;]", name[m.end():])[0].strip().rstrip(".")
        try:
            value = parse_prefix(text, ("n", "k"))
        except (FormulaError, RecursionError):
            continue
        out.append(("k" if m["col"] else "n", value))
    return out


def _with_boundary(node: Node, var: str, value: Node, triangle: bool) -> Node:
    """value where var = 0, else the node, evaluated with var at least 1 where it may be undefined at 0 (in a
    triangle, whose entries off the first column have n >= k >= 1, n too)."""
    first = Node("call", "equ", (Node("var", var), Node("num", 0)))
    guarded = node
    for v in ("n", "k") if triangle and var == "k" else (var,):
        guarded = substitute(guarded, v, Node("call", "max", (Node("var", v), Node("num", 1))))
    rest = Node("op", "*", (guarded, Node("op", "-", (Node("num", 1), first))))
    return Node("op", "+", (rest, Node("op", "*", (value, first))))


def substitute(node: Node, var: str, replacement: Node) -> Node:
    """The node with every free occurrence of the variable replaced."""
    if node.kind == "var" and node.value == var:
        return replacement
    if not node.args or (node.kind in ("sum", "prod", "dsum", "dprod", "dmax") and node.value == var):
        return node
    return Node(node.kind, node.value, tuple(substitute(a, var, replacement) for a in node.args))


def closing(text: str, opening: int) -> int:
    """The index of the bracket closing the "(" at `opening`, or -1 if it is not closed."""
    depth = 0
    for i in range(opening, len(text)):
        depth += (text[i] == "(") - (text[i] == ")")
        if depth == 0:
            return i
    return -1


def array_formulas(name: str) -> list[Node]:
    """Formulas `T(n,k) = ...` or `A(n,k) = ...` of a square array read by antidiagonals."""
    if not re.search(r"antidiagonals", name, re.I):
        return []
    # "Table T(n,k) = n OR k read by antidiagonals": the phrase ends the formula
    return triangle_formulas(re.sub(r",?\s*read by (?:\w+ )?antidiagonals", ".", name, flags=re.I), _ARRAY)


def compile_array(node: Node, layout: tuple[int, bool], offset: int = 0) -> Program:
    """A LODA program for an array A(n,k), n, k >= first, read by antidiagonals: antidiagonal d, place j of
    the term's index (the rows of the triangle 1, 2, 3, ...), then n = first + d - j and k = first + j, or
    the other way round with `flip` (upward or downward: names use both words for both)."""
    first, flip = layout
    ops = _row_and_column((0, 0, 0), offset)
    ops += [line("mov", 3, 1, direct=True), line("sub", 3, 2, direct=True)]  # d - j
    ops += [line("mov", 1, 2, direct=True), line("mov", 2, 3, direct=True)] if flip else [line("mov", 1, 3, direct=True)]
    ops += [*add_const(1, first), *add_const(2, first)]
    comp = Compiler(first_free=3)
    comp.cells["k"] = 2
    comp.value(node, 0)
    return Program(ops=ops + comp.ops, directives={"offset": offset} if offset else {})


# A letter the name binds to a table or a sequence: "T given by A026648", "where T is the array in A026148",
# "array T as in A049615", "b() given by A029758", "where s is A024737": its calls become the cited sequence's.
_TABLE = re.compile(r"\b(?:array |triangle )?([A-Zb-jl-mo-wyz])(?:\(\)|\([a-z]\))?\s+(?:is\s+|=\s+)?(?:the\s+)?"
                    r"(?:(?:array|triangle|table|sequence)\s+)?(?:(?:given|defined|as)\s+)?(?:by|in)?\s*(A\d{6})\b(?!\()")
# How a table's entry (n, k) lies in its sequence: a triangle read by rows in one of TRIANGLE_LAYOUTS, rows of
# 2n+1 entries (0 <= k <= 2n), or an array read by antidiagonals from (f, f), each in either direction.
ENTRY_LAYOUTS: tuple[tuple[Any, ...], ...] = (
    *(("rows", *t) for t in TRIANGLE_LAYOUTS), ("wide",), ("anti", 0, 1), ("anti", 0, 0), ("anti", 1, 1), ("anti", 1, 0))


def _tables_named(name: str) -> str:
    """The name with the calls of a letter it binds to a table written as the table's A-number."""
    for m in _TABLE.finditer(name):
        if re.search(rf"\b{m[1]}\(", name):
            name = re.sub(rf"\b{m[1]}\(", f"{m[2]}(", name)
    return name


def _entry_index(layout: tuple[Any, ...], n: Node, k: Node) -> Node:
    """The index, counted from the table's first term, of entry (n, k) in the layout."""
    if layout[0] == "wide":
        return binop("+", binop("^", n, 2), k)
    if layout[0] == "anti":
        first, by_k = layout[1], layout[2]
        d = binop("-", binop("+", n, k), 2 * first)
        return binop("+", binop("/", binop("*", d, binop("+", d, 1)), 2), binop("-", k if by_k else n, first))
    first_row, first_col, extra = layout[1:]
    length = first_row + extra - first_col + 1  # entries of the first row, each later row one more
    r = binop("-", n, first_row)
    return binop("+", binop("+", binop("*", r, length), binop("/", binop("*", r, binop("-", r, 1)), 2)), binop("-", k, first_col))


def placed(node: Node, layout: tuple[Any, ...], first: Callable[[int], int]) -> Node:
    """The node with each table entry A(n, k) a call of the table's sequence at the entry's index in the
    layout, counted from the sequence's first index `first(A)`."""
    args = tuple(placed(a, layout, first) for a in node.args)
    if node.kind == "entry":
        index = Node("op", "+", (Node("num", first(node.value)), _entry_index(layout, *args)))
        return Node("seq", node.value, (index,))
    return Node(node.kind, node.value, args) if args != node.args else node


def entry_readings(node: Node, table: Callable[[int], tuple[int, str]]) -> list[Node]:
    """The node once for each layout its tables may have (`table(A)`: the sequence's first index and name,
    whose words narrow the layouts), or the node itself without table entries."""
    cited = _entries(node)
    if not cited:
        return [node]
    names = " ".join(table(a)[1] for a in cited).lower()
    layouts = [t for t in ENTRY_LAYOUTS if (t[0] == "anti") == ("antidiagonal" in names)] \
        if "antidiagonal" in names or "by rows" in names or "triangle" in names else list(ENTRY_LAYOUTS)
    return [placed(node, layout, lambda a: table(a)[0]) for layout in layouts]


def _entries(node: Node) -> set[int]:
    own = {node.value} if node.kind == "entry" else set()
    return own.union(*(_entries(a) for a in node.args))


def _row_and_column(layout: tuple[int, int, int], offset: int) -> list[Operation]:
    """Code setting $1 and $2 to the row and column of the term's index in a triangle read by rows."""
    first_row, first_col, extra = layout
    length = first_row + extra - first_col + 1  # entries of the first row
    if length < 1:
        raise FormulaError("a layout whose first row is empty")
    # Rows shorter than the first are imagined before it, so the row m of i in the triangle 1, 2, 3, ...
    # entries long is n - first_row + length - 1.
    pre = length * (length - 1) // 2
    return add_const(0, -offset + pre) + [
        line("mov", 2, 0, direct=True),
        line("mov", 1, 0, direct=True), line("mul", 1, 8), line("add", 1, 1), line("nrt", 1, 2),
        line("sub", 1, 1), line("div", 1, 2),
        line("mov", 3, 1, direct=True), line("add", 3, 1), line("mul", 3, 1, direct=True), line("div", 3, 2),
        line("sub", 2, 3, direct=True),
        *add_const(1, first_row - length + 1), *add_const(2, first_col)]


def compile_triangle(node: Node, layout: tuple[int, int, int], offset: int = 0) -> Program:
    """A LODA program for T(n,k) read by rows in the given layout (see TRIANGLE_LAYOUTS): the term's
    index i gives the row n ($1) and column k ($2), then the formula."""
    ops = _row_and_column(layout, offset)
    comp = Compiler(first_free=3)
    comp.cells["k"] = 2
    comp.value(node, 0)
    return Program(ops=ops + comp.ops, directives={"offset": offset} if offset else {})


def uses(node: Node, var: str) -> bool:
    """Whether the variable occurs in the node."""
    return (node.kind == "var" and node.value == var) or any(uses(a, var) for a in node.args)


def renamed(node: Node, var: str) -> Node:
    """The node with its variable `var` called n, as the compiler wants it (for readers' summation variables)."""
    if node.kind == "var" and node.value == var:
        return Node("var", "n")
    return Node(node.kind, node.value, tuple(renamed(a, var) for a in node.args))


def _uses_n(node: Node) -> bool:
    # A formula without n is a constant: never what a name means by a(n) = ..., so no candidate.
    return (node.kind == "var" and node.value == "n") or node.kind == "self" \
        or any(_uses_n(arg) for arg in node.args)


def max_lag(node: Node) -> int:
    """The largest c of the `a(n-c)` references in the formula (0: not a recurrence)."""
    own = node.value if node.kind == "self" else 0
    return max([own] + [max_lag(arg) for arg in node.args])


# "(n >= 0)", "(for n>1)": a range stated after a formula.
_CONDITION = re.compile(r"\s*\(\s*(?:for\s+)?[a-z]\s*(?:>=|<=|>|<)\s*-?\d+\s*\)")


def _clean(fragment: str) -> str:
    # Cut at the first word-like separator so prose after a formula does not spoil it.
    fragment = re.split(r"\s(?:for|with|where|if|when)\s", fragment)[0]
    fragment = _CONDITION.sub("", fragment)
    return fragment.replace("ceil(", "ceiling(")


class Compiler:
    """Code for formula nodes into LODA cells (`value`); other readers extend it (`selfref` reads a(i) from an array)."""

    # Clamp a sum's index to its upper bound in the pass LODA rolls back, where it would be one past it
    # (a body that reads a(k) for k not yet computed).
    clamp_sum_index = False

    def __init__(self, first_free: int = 2, n_cell: int = 1, window: dict[int, int] | None = None) -> None:
        self.ops: list[Operation] = []
        self.next_cell = first_free
        self.cells: dict[str, int] = {"n": n_cell}
        self.window = window or {}  # lag c -> cell holding a(n-c)

    def fresh(self) -> int:
        cell = self.next_cell
        self.next_cell += 1
        return cell

    def emit(self, op: str, target: int, source: int, direct: bool = False) -> None:
        self.ops.append(line(op, target, source, direct))

    def value(self, node: Node, dest: int) -> None:
        """Code leaving the node's value in $dest (clobbering only fresh cells)."""
        kind = node.kind
        if kind == "num":
            self.emit("mov", dest, node.value)
        elif kind == "var":
            self.emit("mov", dest, self.cells[node.value], direct=True)
        elif kind == "neg":
            self.value(node.args[0], dest)
            self.emit("mul", dest, -1)
        elif kind == "op":
            self.binary(node.value, node.args[0], node.args[1], dest)
        elif kind == "fact":
            arg = self.operand(node.args[0])
            self.emit("mov", dest, 1)
            self.ops.append(Operation("fac", Operand(DIRECT, dest), arg))
        elif kind == "dfact":
            self.double_factorial(node.args[0], dest)
        elif kind == "self":
            if node.value not in self.window:
                raise FormulaError("a(n-c) outside a recurrence")
            self.emit("mov", dest, self.window[node.value], direct=True)
        elif kind in ("dsum", "dprod", "dmax"):
            self.divisor_sum(node, dest)
        elif kind == "seq":
            self.value(node.args[0], dest)
            self.emit("seq", dest, node.value)
        elif kind == "call":
            self.call(node.value, node.args, dest)
        elif kind in ("sum", "prod"):
            self.big(node, dest)
        else:
            raise FormulaError(f"cannot compile {kind}")

    def operand(self, node: Node) -> Operand:
        """A constant or cell holding the node's value, computing it into a fresh cell if needed."""
        if node.kind == "num":
            return Operand(CONSTANT, node.value)
        if node.kind == "var":
            return Operand(DIRECT, self.cells[node.value])
        cell = self.fresh()
        self.value(node, cell)
        return Operand(DIRECT, cell)

    _LODA = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "mod": "mod",
             "gcd": "gcd", "min": "min", "max": "max", "binomial": "bin", "c": "bin", "log": "log",
             "leq": "leq", "geq": "geq", "equ": "equ", "ban": "ban", "bor": "bor", "bxo": "bxo"}

    def binary(self, op: str, left: Node, right: Node, dest: int) -> None:
        self.value(left, dest)
        src = self.operand(right)
        self.ops.append(Operation(self._LODA[op], Operand(DIRECT, dest), src))

    def call(self, name: str, args: tuple[Node, ...], dest: int) -> None:
        if name in ("floor",):
            self.value(args[0], dest)
        elif name in ("ceiling", "ceil"):
            inner = args[0]
            if inner.kind == "op" and inner.value == "/":
                # ceiling(a/b) = -floor(-a/b); LODA's div truncates, so go through a nonnegative shift.
                self.value(inner.args[0], dest)
                src = self.operand(inner.args[1])
                self.ops.append(Operation("add", Operand(DIRECT, dest), src))
                self.emit("sub", dest, 1)
                self.ops.append(Operation("div", Operand(DIRECT, dest), src))
            else:
                self.value(inner, dest)
        elif name == "sqrt":
            self.value(args[0], dest)
            self.emit("nrt", dest, 2)
        elif name == "abs":
            self.value(args[0], dest)
            self.absolute(dest, self.fresh())
        elif name == "lcm":
            # lcm(a,b) = a*b/gcd(a,b), its sign made positive; lcm(0,0) has no program (division by 0).
            self.value(args[0], dest)
            other, divisor = self.fresh(), self.fresh()
            self.value(args[1], other)
            self.emit("mov", divisor, dest, direct=True)
            self.emit("gcd", divisor, other, direct=True)
            self.emit("mul", dest, other, direct=True)
            self.emit("div", dest, divisor, direct=True)
            self.absolute(dest, other)
        elif name == "round":
            inner = args[0]
            if inner.kind == "op" and inner.value == "/":
                # round(p/q) = floor((2p + q) / 2q): half rounds up, as OEIS names mean it for p/q >= 0.
                self.value(inner.args[0], dest)
                bottom = self.fresh()
                self.value(inner.args[1], bottom)
                self.emit("mul", dest, 2)
                self.emit("add", dest, bottom, direct=True)
                self.emit("mul", bottom, 2)
                self.emit("div", dest, bottom, direct=True)
            else:
                self.value(inner, dest)
        elif name in TRIANGLES:
            self.triangle(TRIANGLES[name], args[0], args[1], dest)
        elif name == "inbase":
            self.in_base(args[0], args[1], dest)
        elif name in ("numerator", "denominator"):
            self.lowest_terms(name, args[0], dest)
        elif name == "digitmap":
            self.digit_map(args[0], args[1].value, tuple(a.value for a in args[2:]), dest)
        elif name == "digitcat":
            self.digit_cat(args[0], tuple(a.value for a in args[1:]), dest)
        elif name == "nondivisor":
            self.nondivisor(args[0], args[1], dest)
        elif name == "ord":
            self.order(args[0], args[1], dest)
        elif name == "valuation":
            # x / dir(x, p) = p^e, and log_p of it is e (`valuation_value`)
            self.value(args[0], dest)
            rest, base = self.fresh(), self.operand(args[1])
            self.emit("mov", rest, dest, direct=True)
            self.ops.append(Operation("dir", Operand(DIRECT, rest), base))
            self.emit("div", dest, rest, direct=True)
            self.ops.append(Operation("log", Operand(DIRECT, dest), base))
        else:
            self.binary(name, args[0], args[1], dest)

    def in_base(self, x: Node, base: Node, dest: int) -> None:
        """$dest = x's base digits read in base 10 (`inbase_value`): a loop over the digits, lowest first."""
        rest, place, digit = self.fresh(), self.fresh(), self.fresh()
        self.value(x, rest)
        src = self.operand(base)
        self.emit("mov", dest, 0)
        self.emit("mov", place, 1)
        self.ops.append(Operation("lpb", Operand(DIRECT, rest), Operand(CONSTANT, 1)))
        self.emit("mov", digit, rest, direct=True)
        self.ops.append(Operation("mod", Operand(DIRECT, digit), src))
        self.emit("mul", digit, place, direct=True)
        self.emit("add", dest, digit, direct=True)
        self.emit("mul", place, 10)
        self.ops.append(Operation("div", Operand(DIRECT, rest), src))
        self.ops.append(Operation("lpe"))

    def lowest_terms(self, part: str, node: Node, dest: int) -> None:
        """$dest = the numerator (or the denominator, > 0) of the quotient in lowest terms: each part divided by
        their gcd, both negated when the denominator is negative."""
        top, bottom = quotient_parts(node)
        den, g = self.fresh(), self.fresh()
        self.value(top, dest)
        self.value(bottom, den)
        self.emit("mov", g, dest, direct=True)
        self.emit("gcd", g, den, direct=True)
        self.emit("div", dest, g, direct=True)
        self.emit("div", den, g, direct=True)
        self.emit("mov", g, den, direct=True)  # the sign of the denominator: 1 or -1
        self.emit("geq", g, 0)
        self.emit("mul", g, 2)
        self.emit("sub", g, 1)
        if part == "denominator":
            self.emit("mov", dest, den, direct=True)
        self.emit("mul", dest, g, direct=True)

    def digit_map(self, x: Node, base: int, digits: tuple[int, ...], dest: int) -> None:
        """$dest = the x-th number whose digits all lie in `digits` (`digitmap_value`): a loop over x's digits in
        base len(digits), lowest first, each looked up by a sum of (digit = j) * digits[j]."""
        rest, place, digit, picked, t = self.fresh(), self.fresh(), self.fresh(), self.fresh(), self.fresh()
        self.value(x, rest)
        self.emit("mov", dest, 0)
        self.emit("mov", place, 1)
        self.ops.append(Operation("lpb", Operand(DIRECT, rest), Operand(CONSTANT, 1)))
        if digits[0] != 0:
            self.emit("sub", rest, 1)
        self.emit("mov", digit, rest, direct=True)
        self.emit("mod", digit, len(digits))
        self.emit("mov", picked, 0)
        self.lookup(picked, digit, digits, t)
        self.emit("mul", picked, place, direct=True)
        self.emit("add", dest, picked, direct=True)
        self.emit("mul", place, base)
        self.emit("div", rest, len(digits))
        self.ops.append(Operation("lpe"))

    def digit_cat(self, x: Node, images: tuple[int, ...], dest: int) -> None:
        """$dest = x's decimal digits d each written as images[d] (`digitcat_value`): a loop over x's digits,
        lowest first, each image and its width 10^len looked up by sums of (digit = j) * value."""
        rest, place, digit, picked, width, t = (self.fresh() for _ in range(6))
        self.value(x, rest)
        self.emit("mov", dest, rest, direct=True)  # 0 has one digit, which the loop does not see
        self.emit("equ", dest, 0)
        self.emit("mul", dest, images[0])
        self.emit("mov", place, 1)
        self.ops.append(Operation("lpb", Operand(DIRECT, rest), Operand(CONSTANT, 1)))
        self.emit("mov", digit, rest, direct=True)
        self.emit("mod", digit, 10)
        self.emit("mov", picked, 0)
        self.emit("mov", width, 10)
        self.lookup(picked, digit, images, t)
        self.lookup(width, digit, tuple(10 ** len(str(image)) - 10 for image in images), t)
        self.emit("mul", picked, place, direct=True)
        self.emit("add", dest, picked, direct=True)
        self.emit("mul", place, width, direct=True)
        self.emit("div", rest, 10)
        self.ops.append(Operation("lpe"))

    def nondivisor(self, n: Node, j: Node, dest: int) -> None:
        """$dest = the j-th smallest k >= 1 not dividing n (`nondivisor_value`): k runs over 1..NONDIVISOR_BOUND,
        counting the non-divisors; the k where the count first reaches j is kept."""
        x, wanted, k, count, bound, t, u = (self.fresh() for _ in range(7))
        self.value(n, x)
        self.value(j, wanted)
        self.emit("mov", dest, 0)
        self.emit("mov", k, 0)
        self.emit("mov", count, 0)
        self.emit("mov", bound, NONDIVISOR_BOUND)
        self.ops.append(Operation("lpb", Operand(DIRECT, bound), Operand(CONSTANT, 1)))
        self.emit("sub", bound, 1)
        self.emit("add", k, 1)
        self.emit("mov", t, x, direct=True)
        self.emit("mod", t, k, direct=True)
        self.emit("neq", t, 0)  # k does not divide x
        self.emit("add", count, t, direct=True)
        self.emit("mov", u, count, direct=True)
        self.emit("equ", u, wanted, direct=True)
        self.emit("mul", t, u, direct=True)
        self.first_hit(dest, t, k, u)
        self.ops.append(Operation("lpe"))

    def first_hit(self, dest: int, hit: int, value: int, scratch: int) -> None:
        """$dest = $value where $hit is 1 and $dest is still 0 (a scan keeping its first hit); $hit is spent."""
        self.emit("mov", scratch, dest, direct=True)
        self.emit("equ", scratch, 0)
        self.emit("mul", hit, scratch, direct=True)
        self.emit("mul", hit, value, direct=True)
        self.emit("add", dest, hit, direct=True)

    def order(self, a: Node, m: Node, dest: int) -> None:
        """$dest = the multiplicative order of a modulo m (`order_value`): x = a^k mod m for k = 1..m, the k where
        x first is 1 kept; m = 1 gives 1."""
        step, modulus, x, k, bound, t, u, v = (self.fresh() for _ in range(8))
        self.value(m, modulus)
        self.value(a, step)
        self.emit("mov", t, modulus, direct=True)
        self.emit("max", t, 1)
        self.emit("mod", step, t, direct=True)  # a mod m taken nonnegative
        self.emit("add", step, modulus, direct=True)
        self.emit("mod", step, t, direct=True)
        self.emit("mov", dest, modulus, direct=True)
        self.emit("equ", dest, 1)
        self.emit("mov", x, 1)
        self.emit("mov", k, 0)
        self.emit("mov", bound, modulus, direct=True)
        self.ops.append(Operation("lpb", Operand(DIRECT, bound), Operand(CONSTANT, 1)))
        self.emit("sub", bound, 1)
        self.emit("add", k, 1)
        self.emit("mul", x, step, direct=True)
        self.emit("mod", x, t, direct=True)
        self.emit("mov", u, x, direct=True)
        self.emit("equ", u, 1)
        self.first_hit(dest, u, k, v)  # only the first k where x is 1
        self.ops.append(Operation("lpe"))

    def lookup(self, cell: int, digit: int, values: tuple[int, ...], t: int) -> None:
        """$cell += values[$digit] (for 0 <= $digit < len(values)), as a sum of (digit = j) * values[j]."""
        for j, value in enumerate(values):
            if value:
                self.emit("mov", t, digit, direct=True)
                self.emit("equ", t, j)
                self.emit("mul", t, value)
                self.emit("add", cell, t, direct=True)

    def absolute(self, dest: int, scratch: int) -> None:
        """$dest = max($dest, -$dest), through the free cell `scratch` (`abs_value` in Python)."""
        self.emit("mov", scratch, dest, direct=True)
        self.emit("mul", scratch, -1)
        self.emit("max", dest, scratch, direct=True)

    def triangle(self, a_number: int, row: Node, column: Node, dest: int) -> None:
        """T(n,k) of a triangle read by rows from T(0,0): the term n(n+1)/2 + k when 0 <= k <= n, else 0
        (the index is zeroed outside, so `seq` always gets a valid one)."""
        k, inside = self.fresh(), self.fresh()
        self.value(row, dest)
        self.value(column, k)
        self.emit("mov", inside, k, direct=True)
        self.emit("leq", inside, dest, direct=True)
        spare = self.fresh()  # inside = (k <= n) * (k >= 0)
        self.emit("mov", spare, k, direct=True)
        self.emit("geq", spare, 0)
        self.emit("mul", inside, spare, direct=True)
        self.emit("mov", spare, dest, direct=True)
        self.emit("add", spare, 1)
        self.emit("mul", dest, spare, direct=True)
        self.emit("div", dest, 2)
        self.emit("add", dest, k, direct=True)
        self.emit("mul", dest, inside, direct=True)
        self.emit("seq", dest, a_number)
        self.emit("mul", dest, inside, direct=True)

    def double_factorial(self, arg: Node, dest: int) -> None:
        """x!! = x (x-2) (x-4) ... down to 1 or 2; the loop stops when the factor would be negative."""
        factor = self.fresh()
        self.value(arg, factor)
        self.emit("mov", dest, 1)
        # The pass that takes the factor below zero is undone by lpb, so a last factor 0 never counts.
        self.ops.append(Operation("lpb", Operand(DIRECT, factor), Operand(CONSTANT, 1)))
        self.emit("mul", dest, factor, direct=True)
        self.emit("sub", factor, 2)
        self.ops.append(Operation("lpe"))

    def divisor_sum(self, node: Node, dest: int) -> None:
        """Sum_{d|m} f(d) (Product_{d|m}, Max_{d|m}) for m >= 1: d runs m..1 and non-divisors contribute f(d) * 0
        (f(d)^0, nothing); over the prime divisors only (a third argument), f is taken at 2 where d is not one, so
        a term like p/(p-1) is defined for every d."""
        whole, body = node.args[:2]
        primes, product = len(node.args) > 2, node.kind == "dprod"
        m_cell, counter, d_cell, term, flag = self.fresh(), self.fresh(), self.fresh(), self.fresh(), self.fresh()
        self.value(whole, m_cell)
        self.emit("mov", counter, m_cell, direct=True)
        self.emit("mov", dest, int(product))
        first = self.fresh() if node.kind == "dmax" else 0
        if first:
            self.emit("mov", first, 1)
        self.ops.append(Operation("lpb", Operand(DIRECT, counter), Operand(CONSTANT, 1)))
        # lpb's final, discarded pass sees counter 0: d = max(counter, 1) keeps `mod` defined there.
        self.emit("mov", d_cell, counter, direct=True)
        self.emit("max", d_cell, 1)
        self.emit("mov", flag, m_cell, direct=True)
        self.emit("mod", flag, d_cell, direct=True)
        self.emit("equ", flag, 0)
        at = d_cell
        if primes:
            at = self.fresh()
            self.emit("mov", at, d_cell, direct=True)
            self.emit("seq", at, 10051)  # 1 for a prime
            self.emit("mul", flag, at, direct=True)
            self.emit("mov", at, d_cell, direct=True)  # at = 2 + (d - 2) * flag
            self.emit("sub", at, 2)
            self.emit("mul", at, flag, direct=True)
            self.emit("add", at, 2)
        with self.binding(node.value, at):
            self.value(body, term)
        if product:
            self.emit("pow", term, flag, direct=True)
            self.emit("mul", dest, term, direct=True)
        elif first:  # the first divisor's term, then the larger: dest += flag * (max(dest, term) + first * (term - max) - dest)
            best, step = self.fresh(), self.fresh()
            self.emit("mov", best, dest, direct=True)
            self.emit("max", best, term, direct=True)
            self.emit("mov", step, term, direct=True)
            self.emit("sub", step, best, direct=True)
            self.emit("mul", step, first, direct=True)
            self.emit("add", best, step, direct=True)
            self.emit("sub", best, dest, direct=True)
            self.emit("mul", best, flag, direct=True)
            self.emit("add", dest, best, direct=True)
            self.emit("mul", first, 0)
        else:
            self.emit("mul", term, flag, direct=True)
            self.emit("add", dest, term, direct=True)
        self.emit("sub", counter, 1)
        self.ops.append(Operation("lpe"))

    @contextmanager
    def binding(self, var: str, cell: int) -> Iterator[None]:
        """`var` in $cell inside the block (an outer variable of the same name is restored after)."""
        outer = self.cells.get(var)
        self.cells[var] = cell
        try:
            yield
        finally:
            if outer is None:
                del self.cells[var]
            else:
                self.cells[var] = outer

    def open_range(self, low: Node, high: Node, cells: tuple[int, int, int], start: dict[int, int],
                   clamp: bool) -> None:
        """Open the loop of Sum/Product_{k=low..high} in cells (high, counter, k): counter = high - low + 1
        passes, k = high - counter runs low..high (with `clamp`, also in the pass LODA rolls back); the
        `start` cells get their values before the loop."""
        high_cell, counter, k_cell = cells
        self.value(high, high_cell)
        self.value(low, counter)
        self.ops.append(Operation("sub", Operand(DIRECT, counter), Operand(DIRECT, high_cell)))
        self.emit("mul", counter, -1)
        self.emit("add", counter, 1)
        for cell, v in start.items():
            self.emit("mov", cell, v)
        self.ops.append(Operation("lpb", Operand(DIRECT, counter), Operand(CONSTANT, 1)))
        self.emit("sub", counter, 1)
        self.emit("mov", k_cell, high_cell, direct=True)
        self.emit("sub", k_cell, counter, direct=True)
        if clamp:
            self.emit("min", k_cell, high_cell, direct=True)

    def big(self, node: Node, dest: int) -> None:
        low, high, body = node.args
        high_cell, counter, k_cell, term = self.fresh(), self.fresh(), self.fresh(), self.fresh()
        self.open_range(low, high, (high_cell, counter, k_cell), {dest: 0 if node.kind == "sum" else 1},
                        self.clamp_sum_index)
        with self.binding(node.value, k_cell):
            self.value(body, term)
        self.emit("add" if node.kind == "sum" else "mul", dest, term, direct=True)
        self.ops.append(Operation("lpe"))


def compile_recurrence(node: Node, initial: tuple[int, ...], offset: int = 0) -> Program:
    """A LODA loop computing a(n) = formula(n, a(n-1), ..., a(n-L)) after the given initial terms
    a(offset), a(offset+1), ... (at least L of them; more when the formula holds only later).

    $1..$m hold the last m terms, $(m+1) the n of the next term, $(m+2) the cell of the answer;
    the loop runs k-m+1 times for k = n - offset (no lookahead beyond lpb's one discarded pass, so fast
    growing terms do not overflow), and for k < m the answer is the initial term in $(k+1).
    """
    lag, m = max_lag(node), len(initial)
    if lag == 0 or m < lag:
        raise FormulaError("a recurrence needs at least as many initial terms as its largest lag")
    n_cell, answer, acc = m + 1, m + 2, m + 3
    comp = Compiler(first_free=m + 4, n_cell=n_cell, window={c: m + 1 - c for c in range(1, lag + 1)})
    comp.value(node, acc)
    ops: list[Operation] = add_const(0, -offset)
    ops += [line("mov", i, v) for i, v in enumerate(initial, start=1) if v]
    ops.append(line("mov", n_cell, offset + m))
    ops += [line("mov", answer, 0, direct=True), line("min", answer, m - 1), line("add", answer, 1)]
    ops += add_const(0, -(m - 1))
    ops.append(Operation("lpb", Operand(DIRECT, 0), Operand(CONSTANT, 1)))
    ops.append(line("sub", 0, 1))
    ops += comp.ops
    ops += [line("mov", i, i + 1, direct=True) for i in range(1, m)]
    ops.append(line("mov", m, acc, direct=True))
    ops.append(line("add", n_cell, 1))
    ops.append(Operation("lpe"))
    ops.append(Operation("mov", Operand(DIRECT, 0), Operand(INDIRECT, answer)))
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def constant_value(node: Node) -> Fraction | None:
    """The node's value when it is a rational constant: numbers under + - * / and integer powers (|k| <= 64)."""
    if node.kind == "num":
        return Fraction(node.value)
    if node.kind == "neg":
        inner = constant_value(node.args[0])
        return None if inner is None else -inner
    if node.kind == "op" and node.value in ("+", "-", "*", "/", "^"):
        a, b = constant_value(node.args[0]), constant_value(node.args[1])
        if a is None or b is None:
            return None
        if node.value == "^":
            return a ** int(b) if b.denominator == 1 and abs(b) <= 64 and (a or b >= 0) else None
        return a + b if node.value == "+" else a - b if node.value == "-" else a * b if node.value == "*" \
            else (a / b if b else None)
    return None


def as_polynomial(node: Node) -> list[Fraction] | None:
    """The formula as a polynomial in n with rational coefficients (lowest degree first), or None when
    it uses anything but + - *, division by a constant and constant powers."""
    kind = node.kind
    if kind == "num":
        return [Fraction(node.value)]
    if kind == "var":
        return [Fraction(0), Fraction(1)] if node.value == "n" else None
    if kind == "neg":
        inner = as_polynomial(node.args[0])
        return None if inner is None else [-c for c in inner]
    if kind != "op" or node.value not in ("+", "-", "*", "/", "^"):
        return None
    left, right = as_polynomial(node.args[0]), as_polynomial(node.args[1])
    if left is None or right is None:
        return None
    if node.value in ("+", "-"):
        return poly_add(left, right, 1 if node.value == "+" else -1)
    if node.value == "*":
        return poly_mul(left, right)
    if any(right[1:]) or right[0] == 0:  # only constants divide or raise
        return None
    if node.value == "/":
        return [c / right[0] for c in left]
    exp = right[0]
    if exp.denominator != 1 or not 0 <= exp <= 12:
        return None
    out = [Fraction(1)]
    for _ in range(int(exp)):
        out = poly_mul(out, left)
    return out


def compile_polynomial(coeffs: list[Fraction], offset: int = 0) -> Program:
    """A LODA program for a rational-coefficient polynomial: integer Horner form, one exact division."""
    while len(coeffs) > 1 and coeffs[-1] == 0:
        coeffs = coeffs[:-1]
    den = lcm(*(c.denominator for c in coeffs))
    ints = [int(c * den) for c in coeffs]
    ops = [line("mov", 1, 0, direct=True), line("mov", 0, ints[-1])]
    for c in reversed(ints[:-1]):
        ops.append(line("mul", 0, 1, direct=True))
        ops += add_const(0, c)
    if den != 1:
        ops.append(line("div", 0, den))
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def compile_formula(node: Node, offset: int = 0, clamp_sums: bool = False) -> Program:
    """A LODA program computing the formula at n (n copied to $1, result to $0); `clamp_sums`: see
    `Compiler.clamp_sum_index`."""
    comp = Compiler()
    comp.clamp_sum_index = clamp_sums
    comp.ops.append(line("mov", 1, 0, direct=True))
    comp.value(node, 0)
    ops = _peephole(comp.ops)
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def inline_formula(node: Node, source: int, dest: int, scratch: int) -> list[Operation]:
    """Code setting $dest to the formula at n = $source, to sit inside other code: the compiled formula's
    cells move to $dest ($0) and $(scratch + c) (any other cell c)."""
    ops = compile_formula(node).code()
    cells = {c: dest if c == 0 else scratch + c for c in range(largest_cell(ops) + 1)}
    return [line("mov", dest, source, direct=True), *relocated(ops, cells)]


def _peephole(ops: list[Operation]) -> list[Operation]:
    """Drop the copy of n into $1 when $0 still holds n and $1 is never read."""
    if len(ops) >= 2 and ops[1] == line("mov", 0, 1, direct=True):
        ops = ops[:1] + ops[2:]
    rest = ops[1:]
    if not any(o.target.value == 1 or (o.source.kind == DIRECT and o.source.value == 1) for o in rest):
        return rest
    return ops


def programs_from_name(name: str, offset: int = 0, terms: tuple[int, ...] = (),
                       table: Callable[[int], tuple[int, str]] = lambda a: (0, "")) -> list[Program]:
    """Compiled programs for every formula found in the name (deduplicated, shortest first).

    Recurrences in a(n-c) take their initial values from `terms` (none without them); a table's entries
    A(n, k) are read in each layout `table(A)` (first index, name) allows (`entry_readings`).
    """
    from miner.search.reals import readings

    out: dict[str, Program] = {}
    # a table's exact readings (2^(k-2) a fraction at k = 1) come after every layout of it as written
    tables_exact: list[Program] = []
    for node, as_written in ((x, i == 0) for found in triangle_formulas(name) for r in entry_readings(found, table)
                             for i, x in enumerate(readings(r))):
        for layout in TRIANGLE_LAYOUTS:
            try:
                prog = compile_triangle(node, layout, offset)
            except (FormulaError, KeyError):
                continue
            if as_written:
                out.setdefault(repr(prog.ops), prog)
            else:
                tables_exact.append(prog)
    for node, as_written in ((x, i == 0) for found in array_formulas(name) for r in entry_readings(found, table)
                             for i, x in enumerate(readings(r))):
        for first, flip in ((0, False), (0, True), (1, False), (1, True)):
            try:
                prog = compile_array(node, (first, flip), offset)
            except (FormulaError, KeyError):
                continue
            if as_written:
                out.setdefault(repr(prog.ops), prog)
            else:
                tables_exact.append(prog)
    shifted: list[Program] = []  # an old name's formula may count n from one before or after the data's offset
    for node in (r for found in formulas_in_name(name) for e in entry_readings(found, table) for r in readings(e)):
        lag = max_lag(node)
        try:
            if lag == 0:
                # The pass LODA rolls back runs a sum's body one index past its end: prime(n-k+1) at k = n+1
                # is an error there, so the index stays at the end.
                prog = compile_formula(node, offset, clamp_sums=True)
                poly = as_polynomial(node)
                if poly is not None and any(c.denominator != 1 for c in poly):
                    # Truncating each division (as written) differs from the exact rational value.
                    exact = compile_polynomial(poly, offset)
                    out.setdefault(repr(exact.ops), exact)
                if _EXCEPTIONS.search(name):
                    # the name states where its formula starts; the terms before it are the data's
                    for first in range(1, min(3, len(terms) - 5) + 1):
                        late = with_initial(prog, tuple(terms[:first]), offset)
                        out.setdefault(repr(late.ops), late)
                shifted.extend(Program(ops=shift_input(prog.ops, shift), directives=dict(prog.directives))
                               for shift in (-1, 1))
            else:
                # Initial terms from the data: the formula may hold from a(lag) on, or a term or two later.
                progs = [compile_recurrence(node, tuple(terms[:m]), offset)
                         for m in range(lag, lag + 3) if len(terms) > m + 2]
                for prog in progs:
                    out.setdefault(repr(prog.ops), prog)
                continue
        except (FormulaError, KeyError):
            continue
        out.setdefault(repr(prog.ops), prog)
    from miner.search import rationals

    for prog in rationals.programs_from_name(name, offset):
        out.setdefault(repr(prog.ops), prog)
    if (powers := powers_partitions(name)) is not None:
        text, stated = powers
        prog = with_initial(compile_formula(parse_formula(text), offset), stated[offset:], offset)
        out.setdefault(repr(prog.ops), prog)
    # the formulas as written first, then shifted by one
    ordered = sorted(out.values(), key=lambda p: len(p.ops))
    return ordered + [p for p in tables_exact + shifted if out.setdefault(repr(p.ops), p) is p]


# "a(0) = 1; thereafter a(n) = ...", "... for n >= 2", "n > 0": a formula that holds from some n on.
_EXCEPTIONS = re.compile(r"\ba\(\d+\)\s*=\s*-?\d|\bn\s*(?:>=|>)\s*\d|\bthereafter\b|\botherwise\b")


# "Number of partitions of 2^n into powers of 2 less than or equal to 64"
_POWERS_PARTITIONS = re.compile(r"^Number of partitions of (\d+)\^n into powers of \1 less than or equal to (\d+)\.?$")


def powers_partitions(name: str) -> tuple[str, tuple[int, ...]] | None:
    """(formula in n from n = k on, a(0..k-1)) for the partitions of b^n into the powers of b up to b^k: on the
    multiples of b^k the count is a polynomial in the number of degree k (the g.f.'s pole at 1 has order k + 1
    and every other pole is at a root of unity of order dividing b^k), found here by interpolation."""
    m = _POWERS_PARTITIONS.match(name.strip())
    if m is None:
        return None
    b, limit = int(m[1]), int(m[2])
    k = next((j for j in range(1, 11) if b ** j == limit), None)
    if b < 2 or k is None or k * b ** k > 20_000:
        return None

    def count(total: int) -> int:
        ways = [1] + [0] * total
        for j in range(k + 1):
            for i in range(b ** j, total + 1):
                ways[i] += ways[i - b ** j]
        return ways[total]

    xs = [b ** k * t for t in range(k + 1)]
    coefficients = [Fraction(0)] * (k + 1)
    for i, xi in enumerate(xs):  # Lagrange's basis polynomials, multiplied out
        basis, scale = [Fraction(1)], Fraction(count(xi))
        for j, xj in enumerate(xs):
            if j != i:
                basis = [a - xj * c for a, c in zip([Fraction(0), *basis], [*basis, Fraction(0)])]
                scale /= xi - xj
        coefficients = [c + scale * v for c, v in zip(coefficients, basis)]
    denominator = lcm(*(c.denominator for c in coefficients))
    text = " + ".join(f"({c * denominator})*{b}^({i}*n)" for i, c in enumerate(coefficients) if c)
    return f"({text})/{denominator}", tuple(count(b ** n) for n in range(k))


def with_initial(program: Program, initial: tuple[int, ...], offset: int = 0) -> Program:
    """The program's value from n = offset + len(initial) on and the given terms before it; the program only
    ever runs at n >= that first n, so a formula undefined below it (2^(n-1) at 0, (n-1)!) does no harm."""
    ops = program.ops
    save = largest_cell(ops) + 1
    t, u = save + 1, save + 2
    head = [line("mov", save, 0, direct=True), line("max", 0, offset + len(initial))]
    tail = []
    for i, v in enumerate(initial):  # a(n) += [n == i] * (v - a(n))
        tail += [line("mov", t, save, direct=True), line("equ", t, offset + i), line("mov", u, v),
                 line("sub", u, 0, direct=True), line("mul", u, t, direct=True), line("add", 0, u, direct=True)]
    return Program(ops=head + list(ops) + tail, directives=dict(program.directives))


def seq_callees(program: Program) -> set[int]:
    """A-numbers the program calls with `seq`."""
    return {o.source.value for o in program.ops if o.op == "seq" and o.source.kind == CONSTANT}


def aligned(program: Program, corpus: Any, first: Callable[[int], int | None]) -> Program:
    """The program with each call `seq $c,N` shifted to N's corpus program's count: a name's A007947(n) is the
    sequence's n-th term from its first index `first(N)`, and A007947's program starts at 0 where it starts at 1."""
    def shift(cell: int, number: int, offset: int) -> list[Operation]:
        start = first(number)
        return [] if start is None else add_const(cell, offset - start)
    shifted = _before_calls(program, corpus, shift)
    return program if shifted is None else shifted


def guarded(program: Program, corpus: Any) -> Program | None:
    """The program with each `seq` argument raised to at least its callee's offset, or None without such calls.
    An empty sum's rolled-back pass (Sum_{k=1..n-1} sigma(n-k) at n = 1) and pi(0) then give values, not errors."""
    return _before_calls(program, corpus, lambda cell, number, offset: [line("max", cell, offset)])


def _before_calls(program: Program, corpus: Any, code: Callable[[int, int, int], list[Operation]]) -> Program | None:
    """The program with code(argument cell, A-number, callee's offset) before each `seq` call the corpus holds;
    None when that adds nothing (or there is no corpus)."""
    if corpus is None:
        return None
    ops: list[Operation] = []
    for o in program.ops:
        if o.op == "seq" and o.source.kind == CONSTANT and o.target.kind == DIRECT:
            callee = corpus.get(o.source.value)
            if callee is not None:
                ops += code(o.target.value, o.source.value, callee.offset)
        ops.append(o)
    if len(ops) == len(program.ops):
        return None
    return Program(ops=ops, directives=dict(program.directives))


def first_index(known: Mapping[int, Target]) -> Callable[[int], int | None]:
    """`aligned`'s first index of a sequence: its offset where it is known."""
    return lambda a: known[a].offset if a in known else None


def _table(ctx: SearchContext) -> Callable[[int], tuple[int, str]]:
    """A cited table's first index and name: the sequence's where known, else its program's offset."""
    def table(a: int) -> tuple[int, str]:
        if a in ctx.known:
            return ctx.known[a].offset, ctx.known[a].name
        callee = ctx.corpus.get(a) if ctx.corpus is not None else None
        return (callee.offset if callee is not None else 0), ""
    return table


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Programs compiled from the `a(n) = ...` formulas in the target's name; with a corpus, only those
    whose `seq` callees it holds, each call aligned to its callee's offset."""
    programs = programs_from_name(target.name, target.offset, target.terms, _table(ctx))
    if ctx.corpus is not None:
        plain = [aligned(p, ctx.corpus, first_index(ctx.known)) for p in programs
                 if all(a in ctx.corpus for a in seq_callees(p))]
        # each program as written, then with its calls guarded: the guard only helps where the plain one errs
        programs = [q for p in plain for q in (p, guarded(p, ctx.corpus)) if q is not None]
    for prog in programs[: max(budget, 0)]:
        yield Candidate(prog, "formula", "from name")
