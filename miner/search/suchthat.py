"""Conditions a name states on a number: "Numbers k such that sigma(k)+1 is prime", "Primes p such that
phi(p-1) divides p+1", "Positive integers n such that 2^n == 2^7 (mod n)", "Integers k for which ...",
"Primes congruent to {2, 3, 5, 7} mod 17", "Numbers that are congruent to {0, 1, 2, 4, 6} mod 8", "Primes p such
that 33 is a square mod p", "Divisors of 2^25 - 1".

A condition is read over expressions of `formula`'s grammar: divides, congruences, comparisons (a fraction
compared by cross products), being prime, composite, a semiprime, squarefree, a square, a cube, triangular,
even, odd, a power of b, a palindrome, digits in order or from a set, an integer, a quadratic residue; joined by
and, or, but not. Python computes it (named functions by small exact functions, arithmetic by LODA's own
semantics) from the first to the last known term; when exactly the terms pass, the program scans from the first
term for the n-th number that passes (`build.nth_passing`), named functions through `seq`. Powers under a modulus
are taken by square-and-multiply. A divisor list comes from N's factorisation: the k-th smallest divisor by a scan
to sqrt(N) or over the divisor lattice, whichever costs less for the known terms. Names `primes` reads are left to
it.

"Primes of the form 3*p^2 + 2, where p is prime", "Semiprimes of the form (k^2+1)/2": the noun's test on a form in
one variable (an integer there); the scan finds the variable's n-th number that passes and the program gives the
form at it. Python confirms that the values are the known terms in order and that the form never falls on the
way, so no later value can come before a listed one.

"Plaindromes: numbers whose digits in base 13 are in nondecreasing order", "Primes that contain only the digits (2,
3, 7)": the noun's numbers with a digit test; those from a set in order by `digitmap` (the k-th number with those
digits), as a form in k.

"Number of divisors d of n which also divide n/d + 1", "Number of integers k, 1 <= k < n, such that n divides k^2-1",
"Number of primes p < n such that 4*p+1 is also prime": the numbers in the range (1 to n unless stated) that pass
at n, counted by a loop; Python counts the known terms first.

Names that state the condition another way are read as the "Numbers k such that ..." they mean: "Primes whose
binary expansion is not palindromic", "Numbers with a composite number of 1's in their binary expansion", "Numbers
such that A010060(n) = A010060(n+7)", "Numbers k that divide tribonacci(k)", "Numbers where 3 is the only odd
decimal digit", "Nonsquares mod 40" (the residues below 40; the scan goes on past them, as a divisor list's does).

"a(n) = smallest k such that k*n+1 is prime", "Least positive integer k such that n divides k^n + k",
"Smallest prime p such that 10*n*p + 1 is prime": the same conditions in k and n; a(n) is the first k from
the start the name states (0 nonnegative, 1 positive, c for k >= c; else 0 or 1, as the terms show) that
passes at n: the same scan counting to 1, n in a cell of its own. Python confirms each known term within a
few milliseconds; names with a value for "no such k" are not read.
"""

from __future__ import annotations

import operator
import re
import time
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from math import comb, gcd, isqrt, prod
from typing import Any, Callable, Iterator, Union

from miner.lang import semantics as S
from miner.lang.errors import EvalError
from miner.lang.program import CONSTANT, DIRECT, Operand, Operation, Program
from miner.search import primes
from miner.search.build import add_const, largest_cell, line, lists_exactly, nth_passing
from miner.search.formula import (Compiler, ExpressionParser, FormulaError, Node, aligned, inline_formula, renamed, seq_callees,
                                  split_equals, tokenize, uses)
from miner.search.twin import BINARY, Fn, Hooks, Run, compiled, exact_quotient, lpb
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
MAX_SCAN = 200_000  # numbers tested in Python to confirm the known terms (the program scans as many)
MAX_SECONDS = 4.0  # Python time for one reading's test over the known terms
LEAST_SECONDS = (0.1, 0.005)  # a "smallest k" reading's Python time: once, and per known term (then MAX_SECONDS)
MAX_DIVISOR_STEPS = 30_000_000  # LODA steps (estimated) to list a divisor list's known terms
_SIEVE_CAP = 1 << 21
_FACTOR_CAP = 10**20  # larger numbers are not factored (Python refuses the reading)
_NEAR_LIMIT = 3800  # bits
ISPRIME = 10051  # the characteristic function of the primes (offset 1)
SQUAREFREE = 8966
SEMIPRIME = 64911
LPF = 20639  # the least prime factor, for prime powers
_BY_SEQUENCE = {"prime": ISPRIME, "composite": ISPRIME, "semiprime": SEMIPRIME, "squarefree": SQUAREFREE, "primepower": LPF}


class _Refuse(Exception):
    """The Python side cannot decide a number (unknown value, too large, a case the program gets wrong)."""


# --- exact number theory for the Python side ------------------------------------------------------------

_spf: list[int] = [0, 1]
_primes: list[int] = []


def _sieve(n: int) -> None:
    """Extend the smallest-prime-factor table to cover n (at most _SIEVE_CAP)."""
    global _spf, _primes
    if n < len(_spf):
        return
    if n >= _SIEVE_CAP:
        raise _Refuse("beyond the sieve")
    size = min(max(n + 1, 2 * len(_spf), 1 << 16), _SIEVE_CAP)
    spf = list(range(size))
    for p in range(2, isqrt(size - 1) + 1):
        if spf[p] == p:
            for q in range(p * p, size, p):
                if spf[q] == q:
                    spf[q] = p
    _spf = spf
    _primes = [p for p in range(2, size) if spf[p] == p]


def _rho(n: int) -> int:
    """A nontrivial factor of the odd composite n (Brent's Pollard rho)."""
    for c in range(1, 100):
        y, r, q, g, x, ys = 2, 1, 1, 1, 2, 2
        while g == 1:
            x = y
            for _ in range(r):
                y = (y * y + c) % n
            k = 0
            while k < r and g == 1:
                ys = y
                for _ in range(min(128, r - k)):
                    y = (y * y + c) % n
                    q = q * abs(x - y) % n
                g = gcd(q, n)
                k += 128
            r *= 2
        if g == n:
            g = 1
            while g == 1:
                ys = (ys * ys + c) % n
                g = gcd(abs(x - ys), n)
        if g != n:
            return g
    raise _Refuse("no factor found")


@lru_cache(maxsize=1 << 16)
def factorize(n: int) -> tuple[tuple[int, int], ...]:
    """The prime factorisation of n >= 1 as (prime, exponent) pairs, primes increasing."""
    if n < 1 or n > _FACTOR_CAP:
        raise _Refuse("no factorisation")
    out: dict[int, int] = {}
    if n < _SIEVE_CAP:
        _sieve(n)
        while n > 1:
            p = _spf[n]
            out[p] = out.get(p, 0) + 1
            n //= p
        return tuple(out.items())
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        while n % p == 0:
            out[p] = out.get(p, 0) + 1
            n //= p
    stack = [n] if n > 1 else []
    while stack:
        m = stack.pop()
        if primes.is_prime(m):
            out[m] = out.get(m, 0) + 1
        else:
            f = _rho(m)
            stack += [f, m // f]
    return tuple(sorted(out.items()))


def _prime(n: int) -> int:
    """The n-th prime."""
    while n > len(_primes):
        _sieve(2 * len(_spf))
    return _primes[n - 1]


def _pi(n: int) -> int:
    _sieve(n)
    return bisect_right(_primes, n)


def _next_prime(p: int) -> int:
    q = p + 1
    while not primes.is_prime(q):
        q += 1
    return q


def _sigma(n: int, k: int = 1) -> int:
    return prod((p ** (k * (e + 1)) - 1) // (p**k - 1) for p, e in factorize(n))


def _fibonacci(n: int, a: int = 0, b: int = 1) -> int:
    if n > 6000:
        raise _Refuse("too large")
    for _ in range(n):
        a, b = b, a + b
    return a


def _tribonacci(n: int) -> int:
    a, b, c = 0, 0, 1
    for _ in range(n):
        a, b, c = b, c, a + b + c
    return a


_prime_sums = [0]


def _prime_sum(n: int) -> int:
    """The sum of the first n primes (kept as they are found: a scan asks for one n after another)."""
    while len(_prime_sums) <= n:
        _prime_sums.append(_prime_sums[-1] + _prime(len(_prime_sums)))
    return _prime_sums[n]


def _bell(n: int) -> int:
    if n > 600:
        raise _Refuse("too large")
    row = [1]
    for _ in range(n):
        nxt = [row[-1]]
        for x in row:
            nxt.append(nxt[-1] + x)
        row = nxt
    return row[0]


def _carmichael(n: int) -> int:
    out = 1
    for p, e in factorize(n):
        lam = (p - 1) * p ** (e - 1) if p > 2 or e < 3 else 2 ** (e - 2)
        out = out * lam // gcd(out, lam)
    return out


def _primorial_exp(n: int) -> int:
    """A276086: n in primorial base, digit d at the i-th place read as prime(i)^d."""
    out, i = 1, 1
    while n:
        p = _prime(i)
        n, d = divmod(n, p)
        out *= p**d
        i += 1
    return out


def _primorial_log(n: int) -> int:
    """A276085: p_i^e contributes e * (p_1 ... p_(i-1))."""
    out = 0
    for p, e in factorize(n):
        out += e * prod(_primes[: _pi(p) - 1])
    return out


def _big(limit: int, fn: Callable[[int], int]) -> Callable[[int], int]:
    """fn for arguments up to limit (past it the value outgrows LODA's numbers, or Python's patience)."""
    def run(n: int) -> int:
        if n > limit:
            raise _Refuse("too large")
        return fn(n)
    return run


# A-number -> (first argument, function): the sequences a name may call, by A-number or by name.
FUNCTIONS: dict[int, tuple[int, Callable[[int], int]]] = {
    5: (1, lambda n: prod(e + 1 for _, e in factorize(n))),
    10: (1, lambda n: prod((p - 1) * p ** (e - 1) for p, e in factorize(n))),
    203: (1, _sigma),
    1157: (1, lambda n: _sigma(n, 2)),
    1158: (1, lambda n: _sigma(n, 3)),
    1221: (1, lambda n: len(factorize(n))),
    1222: (1, lambda n: sum(e for _, e in factorize(n))),
    8683: (1, lambda n: 0 if any(e > 1 for _, e in factorize(n)) else (-1) ** len(factorize(n))),
    7947: (1, lambda n: prod(p for p, _ in factorize(n))),
    7913: (1, lambda n: prod(p for p, e in factorize(n) if e % 2)),
    20639: (1, lambda n: factorize(n)[0][0] if n > 1 else 1),
    6530: (1, lambda n: factorize(n)[-1][0] if n > 1 else 1),
    32742: (1, lambda n: n // factorize(n)[0][0] if n > 1 else 1),
    1414: (1, lambda n: sum(p * e for p, e in factorize(n))),
    8472: (1, lambda n: sum(p for p, _ in factorize(n))),
    1615: (1, lambda n: prod((p + 1) * p ** (e - 1) for p, e in factorize(n))),
    2322: (1, _carmichael),
    7814: (1, lambda n: (n & -n).bit_length() - 1),
    1511: (1, lambda n: (n & -n).bit_length()),
    51903: (1, lambda n: max((e for _, e in factorize(n)), default=0)),
    3415: (0, lambda n: sum(n // p * e for p, e in factorize(n)) if n > 1 else 0),
    3961: (1, lambda n: prod(_next_prime(p) ** e for p, e in factorize(n))),
    3973: (1, lambda n: _sigma(prod(_next_prime(p) ** e for p, e in factorize(n)))),
    276086: (0, _big(3000, _primorial_exp)),
    276085: (1, _primorial_log),
    10051: (1, lambda n: int(primes.is_prime(n))),
    8966: (1, lambda n: int(all(e == 1 for _, e in factorize(n)))),
    64911: (1, lambda n: int(sum(e for _, e in factorize(n)) == 2)),
    10052: (0, lambda n: int(isqrt(n) ** 2 == n)),
    10054: (0, lambda n: int(isqrt(8 * n + 1) ** 2 == 8 * n + 1)),
    40: (1, _prime),
    720: (1, _pi),
    45: (0, _fibonacci),
    32: (0, lambda n: _fibonacci(n, 2, 1)),
    108: (0, _big(2000, lambda n: comb(2 * n, n) // (n + 1))),
    110: (0, _bell),
    142: (0, _big(500, lambda n: prod(range(1, n + 1)))),
    79: (0, _big(3839, lambda n: 1 << n)),
    2110: (0, _big(300, lambda n: prod(_prime(i) for i in range(1, n + 1)))),
    217: (0, lambda n: n * (n + 1) // 2),
    290: (0, lambda n: n * n),
    196: (0, isqrt),
    120: (0, lambda n: bin(n).count("1")),
    10060: (0, lambda n: bin(n).count("1") % 2),
    7504: (0, _big(20000, _prime_sum)),
    73: (0, _big(4000, _tribonacci)),
    7953: (0, lambda n: sum(map(int, str(n)))),
    4086: (0, lambda n: int(str(n)[::-1])),
}


# --- reading the name ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Atom:
    """One test: kind names it, args are its expressions (see `_Code.atom`); `op` a comparison, `param` a
    base (power, palindrome) or, for `_AMBIGUOUS` tests, 1 for the other convention."""

    kind: str
    args: tuple[Node, ...]
    negated: bool = False
    op: str = ""
    param: int = 0


@dataclass(frozen=True)
class Logic:
    """A conjunction ("and") or disjunction ("or") of tests."""

    op: str
    parts: tuple["Pred", ...]


Pred = Union[Atom, Logic]


@dataclass(frozen=True)
class Predicate:
    """The numbers `variable` that pass one of the readings (conventions the name leaves open, tried in order)."""

    variable: str
    readings: tuple[Pred, ...]


@dataclass(frozen=True)
class Divisors:
    """The divisors of a number, increasing."""

    number: int


@dataclass(frozen=True)
class Least:
    """a(n) = the least number that passes the condition at n (`parameter`), scanning up from one of `starts`
    (tried in order: the terms decide)."""

    condition: Predicate
    parameter: str
    starts: tuple[int, ...]


@dataclass(frozen=True)
class Count:
    """a(n) = how many numbers `condition.variable` from `low` to n + `shift` pass the condition at n (`parameter`):
    "Number of divisors d of n such that ...", "Number of k, 1 <= k < n, such that ..."."""

    condition: Predicate
    parameter: str
    low: int
    shift: int


@dataclass(frozen=True)
class Form:
    """The values of `value` at the numbers `condition.variable` that pass, in the order of the variable, scanned
    up from one of `starts` (the terms decide): "Primes of the form 4*k^3 + 5"."""

    condition: Predicate
    value: Node
    starts: tuple[int, ...]


_ADJECTIVE = r"(?:positive|nonnegative|non-negative|natural|odd|even|composite|squarefree|square-free|nonprime|nonzero)"
_NOUN = (rf"(?P<noun>(?:{_ADJECTIVE} )*"
         r"(?:numbers|integers|primes|prime numbers|semiprimes|composites|palindromes|squares|triangular numbers|indices))")
_VARIABLE = (r"(?P<var>[a-z])(?:\s*(?P<rel>>=|>|≥)\s*(?P<bound>-?\d+))?,?\s+"
             r"(?:such that|for which|where|so that)\s+(?P<pred>.+)$")
_HEAD = re.compile(rf"^{_NOUN}\s+{_VARIABLE}", re.I)
# "a(n) = the smallest positive integer k such that ...", "Least prime p such that ...", "Least k > 0 such that ..."
_SMALLEST = re.compile(rf"^(?:a\(n\)\s*(?:=|is)\s*)?(?:the\s+)?(?:smallest|least|minimal|minimum)\s+"
                       rf"(?P<noun>(?:{_ADJECTIVE}\s+)*(?:(?:numbers?|integers?|primes?|prime numbers?|semiprimes?|composites?|"
                       rf"palindromes?|squares?|triangular numbers?|value(?: of)?|index|exponent|multiplier)\s+)?){_VARIABLE}", re.I)
# "Number of divisors d of n such that ...", "Number of primes p < n such that ...", "Number of k, 1 <= k <= n, such
# that ...", "Number of positive integers not exceeding n that are relatively prime to sigma(n)"
_COUNT = re.compile(rf"^(?:a\(n\) (?:=|is) )?(?:the )?number of (?P<noun>(?:{_ADJECTIVE} )*(?:numbers|integers|primes|divisors))?"
                    r"\s*(?P<var>[a-z](?![a-z]))?(?:,?\s*(?:(?P<low>-?\d+)\s*(?:<=|≤)\s*(?P=var)\s*)?(?P<rel><=|<|≤)\s*n\b"
                    r"|\s+(?P<words>less than|smaller than|below|not exceeding|not greater than|at most|up to) n\b"
                    r"|\s+(?P<of>of)(?: the)?(?: number)? n\b),?\s+"
                    r"(?P<verb>such that|for which|where|that|which)\s+(?P<pred>.+?)\.?$", re.I)
# Names that state their condition without "such that", as the "Numbers k such that ..." it means.
_BINARY = r"(?:binary|base-2|base 2) (?:expansion|representation|digits)"
_REWORDINGS = (
    (re.compile(rf"^{_NOUN} (?:whose|with) {_BINARY} (?:is|being) (?P<neg>not |non-?)?(?:palindromic|a palindrome)\.?$", re.I),
     "{noun} k such that k is {neg}palindromic in base 2"),
    (re.compile(rf"^{_NOUN} (?:having|with|that have|which have)(?: in (?:their |its )?{_BINARY})? "
                r"an? (?P<prop>(?:non-?)?(?:prime|composite|semiprime|squarefree|odd|even|square)) number of (?:1's|ones|1-bits)"
                rf"(?: in (?:their |its )?{_BINARY})?\.?$", re.I),
     "{noun} k such that A000120(k) is {prop}"),
    (re.compile(rf"^{_NOUN} such that (?P<pred>.*\bn\b.*?)\.?$", re.I), "{noun} n such that {pred}"),
    # a finite list: the residues 0..m-1 (the scan goes on past it, as a divisor list's does)
    (re.compile(r"^(?:squares|quadratic residues) (?:mod|modulo) (?P<m>\d+)\.?$", re.I),
     "Numbers k such that k is a square mod {m} and k < {m}"),
    (re.compile(r"^(?:non-?squares|quadratic non-?residues) (?:mod|modulo) (?P<m>\d+)\.?$", re.I),
     "Numbers k such that k is not a square mod {m} and k < {m}"),
    (re.compile(rf"^{_NOUN} (?P<var>[a-z]) (?:that|which) (?P<rest>(?:also )?(?:divide|are|do not divide)\b.+?)\.?$", re.I),
     "{noun} {var} such that {var} {rest}"),
)
_ONLY_PARITY = re.compile(rf"^{_NOUN} (?:where|in which|whose only) (?P<d>\d)(?: is the only| as the only)? (?P<parity>odd|even) "
                          r"(?:decimal )?digit(?: is (?P=d))?\.?$", re.I)
_TAIL_BOUND = re.compile(r"\s*\(\s*(?P<var>[a-z])\s*(?P<rel>>=|>|≥)\s*(?P<bound>-?\d+)\s*\)\.?$")
# a value for "no such k" ("or 0 if no such k exists", "a(n) = -1 if there is none"): not read
_NO_SUCH = re.compile(r"\b(?:or|else)\s+(?:-?\d+|zero)\s+if\b|\bif (?:there (?:is|are|exists) )?(?:no|none)\b", re.I)
_RESIDUES = r"(?P<r>\{[^{}]*\}|[-+]?\d+(?:(?:,|, or| or) [-+]?\d+)*)"
_PRIMES_MOD = re.compile(rf"^(?P<odd>odd )?primes(?: p)? (?:congruent to|==|≡) {_RESIDUES} \(?(?:mod|modulo) (?P<m>\d+)\)?\.?$", re.I)
_NUMBERS_MOD = re.compile(rf"^(?:numbers|integers|positive integers|nonnegative integers)(?: that are| [kn])? (?:congruent to|==|≡) "
                          rf"{_RESIDUES} \(?(?:mod|modulo) (?P<m>\d+)\)?\.?$", re.I)
_PRIMES_QR = re.compile(r"^primes(?: p)? that are (?P<neg>not )?(?:squares|quadratic residues) (?:mod|modulo) (?P<m>\d+)\.?$", re.I)
_FORM = re.compile(rf"^{_NOUN} of the form (?P<f>.+?)\.?$", re.I)
# what may follow the form: the variable's domain ("where p is prime", "(with p=prime)", "for k >= 1"), or a remark
# that only names a function ("where prime(k) is the k-th prime")
_FORM_PRIME = re.compile(r"^(?:where|with|for|when|and|in which)?\s*(?P<v>[a-z])\s*(?:is\s+(?:also\s+)?(?:a\s+)?|=\s*|in\s+)?"
                         r"(?:prime|primes|prime numbers?|a prime)$", re.I)
_FORM_BOUND = re.compile(r"^(?:where|with|for)?\s*(?P<v>[a-z])\s*(?P<rel>>=|>|≥)\s*(?P<bound>-?\d+)$", re.I)
_FORM_REMARK = re.compile(r"\b(?:is the|are the|denotes|gives the)\b", re.I)
_DIVISORS = re.compile(r"^Divisors of (?:the (?:\d+(?:st|nd|rd|th) )?(?:repunit|number) )?(?P<n>.+?)\.?$")
_ADVERBS = r"(?:(?:both|all|also|each|then|itself|themselves|again|simultaneously|likewise) )*"
_PROPS: tuple[tuple[str, str], ...] = (
    ("oddprime", r"(?:an )?odd (?:prime|primes|prime numbers?)"),
    ("twinprimes", r"twin primes"),
    ("primepower", r"(?:a )?(?:prime powers?|powers? of (?:a )?primes?)"),
    ("prime", r"(?:an? )?(?:prime|primes|prime numbers?)(?: [a-z])?"),
    ("composite", r"(?:a )?composites?(?: numbers?)?"),
    ("semiprime", r"(?:a )?semi-?primes?"),
    ("squarefree", r"(?:a )?square-?free(?: numbers?)?"),
    ("square", r"(?:a )?(?:perfect )?squares?(?: numbers?)?"),
    ("cube", r"(?:a )?(?:perfect )?cubes?"),
    ("triangular", r"(?:a )?triangular(?: numbers?)?"),
    ("even", r"even(?: numbers?| integers?)?"),
    ("odd", r"odd(?: numbers?| integers?)?"),
    ("power", r"(?:a )?powers? of (?P<base>\d+|two|three)"),
    ("palindrome", r"(?:a )?(?:palindromes?|palindromic)(?: numbers?)?(?: in base (?P<base>\d+))?"),
    ("integer", r"(?:an? )?(?:integers?|integral)"),
    ("fibonacci", r"(?:a )?Fibonacci numbers?"),
    ("pentagonal", r"(?:a )?pentagonal(?: numbers?)?"),
)
# Tests whose convention the name leaves open (param 0 or 1; the terms decide): 0 a square mod m or not,
# 1 a prime power or not.
_AMBIGUOUS = ("qr", "primepower")
_WORD_OPS = (("is greater than or equal to", ">="), ("is less than or equal to", "<="), ("is not equal to", "!="),
             ("does not equal", "!="), ("is equal to", "="), ("equals", "="), ("is greater than", ">"),
             ("is less than", "<"), ("is larger than", ">"), ("is smaller than", "<"), ("exceeds", ">"),
             ("is at least", ">="), ("is at most", "<="))
_SYMBOL_OPS = ("<=", ">=", "==", "!=", "<>", "=<", "=>", "≤", "≥", "≠", "≡", "=", "<", ">", "|")
_CANONICAL_OPS = {"=<": "<=", "=>": ">=", "≤": "<=", "≥": ">=", "≠": "!=", "<>": "!=", "≡": "==", "==": "=="}
# Spellings of functions outside `formula`'s names, as A-number calls (Omega before omega: case matters).
_SPELLINGS = ((r"\bOmega\(", "A001222("), (r"\bbigomega\(", "A001222("), (r"\bsigma_0\(", "A000005("),
              (r"\bsigma_1\(", "A000203("), (r"\bsigma_2\(", "A001157("), (r"\bsigma_3\(", "A001158("),
              (r"\brad\(", "A007947("), (r"\b(?:lpf|spf)\(", "A020639("), (r"\bgpf\(", "A006530("),
              (r"\bsopfr\(", "A001414("), (r"\btribonacci\(", "A000073("), (r"\bsopf\(", "A008472("), (r"\bpsi\(", "A001615("),
              (r"\bcore\(", "A007913("), (r"\b(?:reversal|reverse|rev)\(", "A004086("),
              (r"\b(?:digitsum|digsum|sod)\(", "A007953("), (r"\bnumdiv\(", "A000005("), (r"\bpi\(", "A000720("))
_WORDS = {"two": 2, "three": 3}
# Digits in order ("k's digits in base 13 are in nondecreasing order", "the digits of k are in strictly increasing
# order") or from a set ("k and k^2 use only the digits 5, 6, 7 and 8"). The op holds between each digit and the
# next, read from the left; "increasing" alone may mean either (the terms decide).
_ORDER = r"(?:in )?(?P<strict>strict(?:ly)? )?(?P<non>non-?)?(?P<dir>increasing|decreasing|ascending|descending)(?: order)?"
_BASE_AFTER = r"(?: in base (?P<b3>\d+)| in (?:their |its )?decimal (?:representation|expansion))?"
_DIGIT_SET = r"(?P<set>\{[^{}]*\}|\([^()]*\)|\[[^\[\]]*\]|\d(?:(?:,\s*|,? and |,? or |\s+|\s*&\s*)\d)*)"
_OF_SUBJECT = r"^(?:the )?(?:base-(?P<b1>\d+) )?digits of (?P<subj>.+?)(?: in base (?P<b2>\d+))? are (?:all )?"
_SUBJECTS_DIGITS = r"^(?P<subj>.+?)(?:'s| has| have| with| having) (?:base-(?P<b1>\d+) )?digits(?: in base (?P<b2>\d+))? (?:are )?(?:all )?"
_ONLY_VERBS = (r"(?:contains?|containing|uses?|using|ha(?:s|ve|ving)|with|consists? of|consisting of|"
               r"(?:is |are )?(?:composed|written|formed) (?:of|with))(?: in (?:their|its) decimal (?:representation|expansion))?")
_DIGIT_TESTS = (
    re.compile(_OF_SUBJECT + _ORDER + _BASE_AFTER + "$", re.I),
    re.compile(_SUBJECTS_DIGITS + _ORDER + _BASE_AFTER + "$", re.I),
    re.compile(rf"^(?P<subj>.+?) {_ONLY_VERBS} only (?:the )?digits? (?:from (?:the )?set )?{_DIGIT_SET}{_BASE_AFTER}$", re.I),
)
# "Plaindromes: numbers whose digits in base 13 are in nondecreasing order", "Primes that contain only the digits
# (2, 3, 7)", "Katadromes: digits in base 9 are in strict descending order": the noun's numbers with the digit test.
_DIGIT_NAME = re.compile(rf"^(?:[A-Z][a-z]+: )?(?:{_NOUN},? )?(?P<rest>(?:whose|with|having|that|which|containing|using|"
                         r"consisting|composed|written|formed|digits)\b.*?)\.?$", re.I)


def _expression(text: str, letters: str) -> Node:
    """An expression in the variables, each a letter of `letters` (formula's grammar with a few more function
    spellings); FormulaError."""
    text = text.strip()
    if not text:
        raise FormulaError("empty expression")
    text = text.replace("×", "*").replace("·", "*").replace("−", "-").replace("–", "-")
    text = text.replace("[", "floor(").replace("]", ")")
    text = re.sub(rf"\b([{letters}])'", r"A003415(\1)", text)
    if len(letters) > 1:  # "2nk + 1": variables side by side multiply
        text = re.sub(rf"(?<![A-Za-z])[{letters}]{{2,}}(?![A-Za-z(])", lambda m: "*".join(m[0]), text)
    for pattern, spelling in _SPELLINGS:
        text = re.sub(pattern, spelling, text, flags=0 if "Omega" in pattern else re.I)
    parser = ExpressionParser(tokenize(text), tuple(letters))
    try:
        node = parser.expression()
    except RecursionError as exc:
        raise FormulaError("too deep") from exc
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()!r}")
    _check(node)
    return node


def _check(node: Node, in_loop: bool = False) -> None:
    """Refuse what the Python side cannot follow: unknown sequences, earlier terms, divisions inside sums."""
    if node.kind == "self":
        raise FormulaError("earlier terms")
    if node.kind == "seq" and node.value not in FUNCTIONS:
        raise FormulaError(f"no Python function for A{node.value:06d}")
    if in_loop and node.kind == "op" and node.value == "/":
        raise FormulaError("a division inside a sum")
    loop = in_loop or node.kind in ("sum", "prod", "dsum", "dmax")
    for arg in node.args:
        _check(arg, loop)


def _depths(text: str) -> list[int]:
    """The bracket depth before each character."""
    out, depth = [], 0
    for ch in text:
        if ch in ")]}":
            depth -= 1
        out.append(depth)
        if ch in "([{":
            depth += 1
    return out


def _top_level(text: str, sep: str) -> list[int]:
    """Positions of sep outside brackets."""
    depths = _depths(text)
    return [m.start() for m in re.finditer(re.escape(sep), text) if depths[m.start()] == 0]


def _subjects(text: str, variable: str) -> list[Node]:
    """The expressions of a subject ("X", "X and Y", "X, Y and Z", "both X and Y"); FormulaError."""
    text = re.sub(r"^(?:both|all of|each of) ", "", text.strip())
    parts, depths, start = [], _depths(text), 0
    for m in re.finditer(r",\s*and\s+|,\s*|\s+and\s+", text):
        if depths[m.start()] == 0:
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return [_expression(p, variable) for p in parts]


def _residues(text: str, variable: str) -> list[Node]:
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    out: list[Node] = []
    for part in re.split(r",\s*or\s+|,\s*|\s+or\s+", text):
        part = part.strip()
        pm = re.match(r"^(?:\+-|±|\+/-)\s*(.+)$", part)
        if pm:
            node = _expression(pm[1], variable)
            out += [node, Node("neg", None, (node,))]
        else:
            out.append(_expression(part, variable))
    return out


def _modulus(text: str) -> tuple[str, str] | None:
    """"r (mod m)", "r mod m", "r modulo m" split into r and m."""
    m = re.match(r"^(.*?)\s*\(\s*(?:mod|modulo)\s+(.+?)\s*\)$", text) or re.match(r"^(.*?)\s+(?:mod|modulo)\s+(.+)$", text)
    return (m[1], m[2]) if m and m[1].strip() else None


def _atom(text: str, v: str) -> Pred | None:
    """One test stated by the text, or None: the first pattern whose parts all read."""
    text = text.strip()
    for attempt in _ATTEMPTS:
        try:
            found = attempt(text, v)
        except FormulaError:
            continue
        if found is not None:
            return found
    return None


def _qr(text: str, v: str) -> Pred | None:
    """"33 is a square mod p" (Euler's criterion, right for prime p only: see `_euler_moduli`)."""
    if m := re.match(r"^(?P<d>.+?) is (?P<neg>not )?a (?:square|quadratic residue) (?:mod|modulo) (?P<m>.+)$", text, re.I):
        return _residue_class(Atom("qr", (_expression(m["d"], v), _expression(m["m"], v)), bool(m["neg"])), 2)
    return None


def _residue_class(a: Atom, power: int) -> Atom:
    """A power residue test mod a constant m as the residues themselves (0 among them)."""
    modulus = a.args[-1]
    if modulus.kind != "num" or not 1 <= modulus.value <= 1000:
        return a
    powers = sorted({pow(x, power, modulus.value) for x in range(modulus.value)})
    return Atom("cong", (a.args[0], modulus, *(Node("num", r) for r in powers)), a.negated)


def _power_residue(text: str, v: str) -> Pred | None:
    """"x^17 = 2 has a solution mod p": 2 is a 17th power mod p (the test holds for prime p)."""
    m = re.match(r"^x\^(?P<n>\d+|\([^()]*\)) ?(?:=|==|≡) ?(?P<a>-?\d+) (?:has (?P<neg>no|a) solutions?|is (?P<not>not )?solvable) "
                 r"(?:mod|modulo) (?P<m>.+)$", text)
    if not m:
        return None
    args = (_expression(m["a"], v), _expression(m["n"], v), _expression(m["m"], v))
    atom = Atom("residue", args, m["neg"] == "no" or bool(m["not"]))
    return _residue_class(atom, args[1].value) if args[1].kind == "num" else atom


def _property(text: str, v: str) -> Pred | None:
    for kind, pattern in _PROPS:
        m = re.match(rf"^(?P<subj>.+?) (?:is|are) {_ADVERBS}(?P<neg>not |never |non-?)?(?:{pattern})$", text, re.I)
        if not m:
            continue
        base = m["base"] if "base" in m.groupdict() else None
        param = (_WORDS.get(base.lower()) or int(base)) if base else (10 if kind == "palindrome" else 0)
        if kind in ("power", "palindrome") and param < 2:
            return None
        subjects = _subjects(m["subj"], v)
        if kind == "twinprimes":
            if len(subjects) != 2 or m["neg"]:
                return None
            gap = Node("op", "^", (Node("op", "-", tuple(subjects)), Node("num", 2)))
            return Logic("and", (Atom("prime", (subjects[0],)), Atom("prime", (subjects[1],)), Atom("cmp", (gap, Node("num", 4)), op="=")))
        if kind == "oddprime":
            if m["neg"]:
                return None
            parts = [Atom(k, (x,)) for x in subjects for k in ("prime", "odd")]
        else:
            parts = [Atom(kind, (x,), bool(m["neg"]), param=param) for x in subjects]
        return parts[0] if len(parts) == 1 else Logic("and", tuple(parts))
    return None


def _digit_test(text: str, v: str) -> Pred | None:
    """Digits in order or from a set (`_DIGIT_TESTS`), in base 10 unless the text names a base."""
    for pattern in _DIGIT_TESTS:
        m = pattern.match(text)
        if not m:
            continue
        groups = m.groupdict()
        base = int(next((groups[b] for b in ("b1", "b2", "b3") if groups.get(b)), 10))
        if not 2 <= base <= 36:
            return None
        subjects = _subjects(m["subj"], v)
        if groups.get("set"):
            digits = sorted({int(d) for d in re.findall(r"\d+", m["set"])})
            if not digits or digits[-1] >= base or digits == [0]:
                return None
            tests = [Atom("onlydigits", (x, *(Node("num", d) for d in digits)), param=base) for x in subjects]
        else:
            up = m["dir"].lower() in ("increasing", "ascending")
            if m["non"]:  # nondecreasing: each digit <= the next
                op = ">=" if up else "<="
            else:
                op = ("<" if up else ">") + ("" if m["strict"] else "?")  # "?": strict or not (`_variants`)
            tests = [Atom("ordered", (x,), op=op, param=base) for x in subjects]
        return tests[0] if len(tests) == 1 else Logic("and", tuple(tests))
    return None


def _relation(text: str, v: str) -> Pred | None:
    if m := re.match(r"^(?P<x>.+?) (?P<verb>does not divide|doesn't divide|does not evenly divide|evenly divides|divides|"
                     r"is a divisor of|is not a divisor of) (?P<y>.+)$", text, re.I):
        negated = "not" in m["verb"] or "n't" in m["verb"]
        return Atom("divides", (_expression(m["x"], v), _expression(m["y"], v)), negated)
    if m := re.match(r"^(?P<y>.+?) is (?P<neg>not )?(?:(?:evenly )?divisible by|an? (?:integer )?multiple of) (?P<x>.+)$",
                     text, re.I):
        return Atom("divides", (_expression(m["x"], v), _expression(m["y"], v)), bool(m["neg"]))
    if m := re.match(r"^(?P<x>.+?) is (?P<neg>not )?(?:relatively prime|coprime) to (?P<y>.+)$", text, re.I) or \
            re.match(r"^(?P<x>.+?) and (?P<y>.+?) are (?P<neg>not )?(?:relatively prime|coprime)$", text, re.I):
        return Atom("coprime", (_expression(m["x"], v), _expression(m["y"], v)), bool(m["neg"]))
    if m := re.match(r"^(?P<x>.+?) and (?P<y>.+?) (?P<neg>do not )?end (?:with|in) the same (?:decimal |last )?digit$", text, re.I):
        return Atom("cong", (_expression(m["x"], v), Node("num", 10), _expression(m["y"], v)), bool(m["neg"]))
    if m := re.match(r"^(?P<x>.+?) is (?P<neg>not )?congruent to (?P<rest>.+)$", text, re.I):
        split = _modulus(m["rest"])
        if split is None:
            return None
        return Atom("cong", (_expression(m["x"], v), _expression(split[1], v), *_residues(split[0], v)), bool(m["neg"]))
    return None


def _worded(text: str, v: str) -> Pred | None:
    for words, op in _WORD_OPS:
        at = _top_level(text, f" {words} ")
        if len(at) == 1:
            return _comparison(text[:at[0]], op, text[at[0] + len(words) + 2:], v)
    return None


def _symbolic(text: str, v: str) -> Pred | None:
    """X op Y for a comparison, a congruence or `|` at the top level (one operator only)."""
    depths, found, i = _depths(text), [], 0
    while i < len(text):
        op = next((o for o in _SYMBOL_OPS if text.startswith(o, i)), None)
        if op and depths[i] == 0:
            found.append((i, op))
            i += len(op)
        else:
            i += 1
    if len(found) != 1:
        return None
    at, op = found[0]
    return _comparison(text[:at], _CANONICAL_OPS.get(op, op), text[at + len(op):], v)


def _comparison(left: str, op: str, right: str, v: str) -> Pred | None:
    if op == "|":
        return Atom("divides", (_expression(left, v), _expression(right, v)))
    split = _modulus(right.strip())
    # "X == r (mod m)" (also "X = r (mod m)" with the modulus in parentheses) is a congruence
    if split and (op in ("==", "!=") or (op == "=" and right.strip().endswith(")") and "(mod" in right.replace("( mod", "(mod"))):
        return Atom("cong", (_expression(left, v), _expression(split[1], v), *_residues(split[0], v)), op == "!=")
    if op == "==":
        op = "="
    return Atom("cmp", (_expression(left, v), _expression(right, v)), op=op)


_ATTEMPTS: tuple[Callable[[str, str], Pred | None], ...] = (_qr, _power_residue, _digit_test, _property, _relation, _worded, _symbolic)


def _negate(p: Pred) -> Pred:
    if isinstance(p, Atom):
        return Atom(p.kind, p.args, not p.negated, p.op, p.param)
    return Logic("or" if p.op == "and" else "and", tuple(_negate(q) for q in p.parts))


_CONNECTIVES = ((" or ", "or"), (", and ", "and"), (" and ", "and"), (", but not ", "but not"), (" but not ", "but not"),
                (", but ", "and"), (" but ", "and"))


@lru_cache(maxsize=4096)
def _predicate(text: str, v: str) -> Pred | None:
    """The test the text states: one atom, else the first split at a connective whose sides both read."""
    atom = _atom(text, v)
    if atom is not None:
        return atom
    for sep, op in _CONNECTIVES:
        for at in _top_level(text, sep):
            left, right = _predicate(text[:at], v), _predicate(text[at + len(sep):], v)
            said = re.findall(r"^.+? (?:is|are) ", text[:at])
            if isinstance(left, Atom) and right is None and len(said) == 1 and len(re.findall(r" (?:is|are) ", text[:at])) == 1 \
                    and not re.search(r" (?:is|are) ", text[at + len(sep):]):
                right = _predicate(said[0] + text[at + len(sep):], v)  # "X is squarefree but not prime"
            if left is None or right is None:
                continue
            if op == "but not":
                right, op = _negate(right), "and"
            return Logic(op, (left, right))
    return None


def _clean(text: str) -> str | None:
    """The condition without the remarks after it; None when a remark defines a function the condition uses."""
    text = re.sub(r"\s+\((?:cf\.\s*|see\s+)?A\d{6}(?:\([a-z]\))?\)", "", text)
    text = re.split(r";\s", text)[0]
    text = re.split(r"\.\s+(?=[A-Z(])", text)[0]
    parts = re.split(r",?\s+(?:(?:where|that is|here)\b|i\.\s?e\.)", text, maxsplit=1)
    if len(parts) == 2 and "=" in parts[1]:
        defined = set(re.findall(r"\b([A-Za-z]\w*)\s*\(", parts[1]))
        if defined & set(re.findall(r"\b([A-Za-z]\w*)\s*\(", parts[0])):
            return None
    return parts[0].strip().rstrip(".").strip() or None


def parse_name(name: str) -> Predicate | Divisors | Least | Form | Count | None:
    """The condition the name states (the numbers that pass, or the least at each n), or the number whose
    divisors it lists, or None."""
    name = name.strip()
    if primes.parse_name(name) is not None:
        return None
    if m := _DIVISORS.match(name):
        return _divisors(m["n"])
    if m := _PRIMES_MOD.match(name):
        return _congruent(m)
    if m := _NUMBERS_MOD.match(name):
        return _congruent(m, prime=False)
    if m := _PRIMES_QR.match(name):
        return _primes_qr(m)
    if m := _FORM.match(name):
        return _form(m)
    if (m := _DIGIT_NAME.match(name)) and (found := _digit_name(m)) is not None:
        return found
    if m := _ONLY_PARITY.match(name):
        return _only_parity(m)
    for pattern, template in _REWORDINGS:
        if r := pattern.match(name):
            name = template.format(**{k: _singular(v) if k == "rest" else v or "" for k, v in r.groupdict().items()})
            break
    if m := _HEAD.match(name):
        return _numbers(m)
    if (m := _SMALLEST.match(name)) and not _NO_SUCH.search(name):
        return _least(m)
    if m := _COUNT.match(name):
        return _count(m)
    return None


def _congruent(m: re.Match[str], prime: bool = True) -> Predicate | None:
    """"Primes congruent to {2, 3, 5, 7} mod 17", and without `prime` "Numbers that are congruent to {0, 1, 2, 4,
    6} mod 8"."""
    p = Node("var", "p")
    try:
        residues = _residues(m["r"], "p")
    except FormulaError:
        return None
    parts: list[Pred] = [Atom("prime", (p,))] if prime else []
    parts.append(Atom("cong", (p, Node("num", int(m["m"])), *residues)))
    if prime and m["odd"]:
        parts.append(Atom("odd", (p,)))
    return Predicate("p", (Logic("and", tuple(parts)),))


def _primes_qr(m: re.Match[str]) -> Predicate:
    """"Primes that are (not) squares mod 31": p mod 31 among the squares, with 0 or without (the terms decide)."""
    p, modulus = Node("var", "p"), int(m["m"])
    readings: list[Pred] = []
    for zero in (True, False):
        squares = sorted({x * x % modulus for x in range(modulus)} - (set() if zero else {0}))
        cong = Atom("cong", (p, Node("num", modulus), *(Node("num", s) for s in squares)), bool(m["neg"]))
        readings.append(Logic("and", (Atom("prime", (p,)), cong)))
    return Predicate("p", tuple(readings))


_NOUN_TESTS = ((r"(?<!non)\bprimes?\b", "prime", 0), (r"\bsemiprimes?\b", "semiprime", 0), (r"\bcomposites?\b", "composite", 0),
                (r"\bpalindromes?\b", "palindrome", 10), (r"\bsquares?\b(?!-)", "square", 0), (r"\btriangular\b", "triangular", 0),
                (r"\bodd\b", "odd", 0), (r"\beven\b", "even", 0), (r"\bsquare-?free\b", "squarefree", 0))


def _only_parity(m: re.Match[str]) -> Predicate:
    """"Numbers where 3 is the only odd decimal digit": no other digit of that parity, and 3 among the digits or
    not (the terms decide)."""
    d, k = int(m["d"]), Node("var", "k")
    allowed = [x for x in range(10) if x % 2 != (m["parity"].lower() == "odd") or x == d]
    only = Atom("onlydigits", (k, *(Node("num", x) for x in allowed)), param=10)
    has = Atom("onlydigits", (k, *(Node("num", x) for x in range(10) if x != d)), negated=True, param=10)
    nouns = _noun_tests(m["noun"], k)
    return Predicate("k", tuple(Logic("and", (*nouns, *parts)) for parts in ((only, has), (only,))))


def _numbers(m: re.Match[str]) -> Predicate | None:
    """"Numbers k such that ...", with what the noun and a bound on k add."""
    v = m["var"]
    pred = _condition(m["pred"], m["noun"], v)
    if pred is None:
        return None
    return Predicate(v, _readings(_noun_parts(m, Node("var", v)), pred))


def _digit_name(m: re.Match[str]) -> Predicate | Form | None:
    """"Numbers whose digits ...", "Primes containing only the digits ...": the noun's numbers with the digit test,
    those from a set listed in order by `digitmap` (a scan would pass over almost every number)."""
    rest = re.sub(r"^(?:whose|that|which)\s+", "", m["rest"], flags=re.I)
    subject = "k's " if m["rest"].lower().startswith("whose") or rest.lower().startswith("digits") else "k "
    test = _digit_test(subject + rest, "k")
    if test is None or not isinstance(test, Atom):
        return None
    noun = m["noun"] or "numbers"
    var = Node("var", "k")
    if test.kind == "ordered":
        return Predicate("k", _readings(_noun_tests(noun, var), test))
    digits = test.args[1:]
    value = Node("call", "digitmap", (var, Node("num", test.param), *digits))
    pred = Logic("and", (*_noun_tests(noun, value), Atom("integer", (value,))))
    return Form(Predicate("k", (pred,)), value, (1,) if digits[0].value else (0, 1))


def _form(m: re.Match[str]) -> Form | None:
    """"Primes of the form 3*p^2 + 2, where p is prime": the noun's tests on the value, which must be an
    integer, and the domain the tail states on the form's one variable."""
    text = re.sub(r"\s*\((?:A\d{6}|(?:with |for |where )?[a-z]\s*(?:=\s*|is )?(?:a )?prime)\)", lambda t: "" if "A" in t[0]
                  else ", " + t[0].strip(" ()"), m["f"])
    tails: list[str] = []
    if (cut := re.search(r",?\s+(?:where|with|for|when)\s+|,\s+(?=[a-z]\s)", text)) is not None:
        tails = [t.strip() for t in re.split(r",\s*|\s+and\s+", text[cut.end():]) if t.strip()]
        text = text[:cut.start()]
    letters = set(re.findall(r"(?<![A-Za-z_])([a-z])(?![A-Za-z_(])", text))
    if len(letters) != 1:
        return None
    v = letters.pop()
    var = Node("var", v)
    domain: list[Pred] = []
    lows: list[int] = []
    for tail in tails:
        if (t := _FORM_PRIME.match(tail)) and t["v"] == v:
            domain.append(Atom("prime", (var,)))
        elif (t := _FORM_BOUND.match(tail)) and t["v"] == v:
            lows.append(int(t["bound"]) + (t["rel"] == ">"))
        elif not _FORM_REMARK.search(tail):
            return None
    try:
        value = _expression(split_equals(text)[0], v)  # "k^2 + (k+1)^2 + (k+2)^2 = 3*(k+1)^2+2": the first form
    except FormulaError:
        return None
    if not uses(value, v):
        return None
    pred = Logic("and", (*domain, *_noun_tests(m["noun"], value), Atom("integer", (value,))))
    return Form(Predicate(v, (pred,)), value, (max(lows),) if lows else (0, 1))


def _least(m: re.Match[str]) -> Least | None:
    """"Smallest k such that ..." (a condition in k and n): what the noun adds, and where the scan starts (a
    stated lower bound, else 1 or 0)."""
    v, text, lows = m["var"], m["pred"], []
    if v == "n":
        return None
    if (tail := _TAIL_BOUND.search(text)) and tail["var"] == v:  # "... (k > 0)."
        lows.append(int(tail["bound"]) + (tail["rel"] == ">"))
        text = text[:tail.start()]
    pred = _condition(text, m["noun"], v + "n")
    if pred is None:
        return None
    var = Node("var", v)
    parts = []
    for part in _noun_parts(m, var):
        if isinstance(part, Atom) and part.kind == "cmp" and part.op in (">=", ">"):  # the scan's start instead
            lows.append(part.args[1].value + (part.op == ">"))
        else:
            parts.append(part)
    # unstated, 1 goes first: when no term is 0 both starts give the terms, and such names mostly mean k >= 1
    return Least(Predicate(v, _readings(parts, pred)), "n", (max(lows),) if lows else (1, 0))


def _count(m: re.Match[str]) -> Count | None:
    """"Number of divisors d of n such that ...": the condition in the variable and n, what the noun adds (a
    divisor of n, a prime) and the range ("<= n", "< n", "1 <= k < n"; 1 to n unless stated)."""
    noun = (m["noun"] or "").lower()
    if bool(m["of"]) != noun.endswith("divisors"):
        return None
    v = m["var"] or ("d" if m["of"] else "k")
    if v == "n":
        return None
    text = m["pred"]
    if m["verb"].lower() in ("that", "which"):  # "that are relatively prime to phi(n)": the variable is the subject
        text = f"{v} {_singular(text)}"
    pred = _condition(text, noun, v + "n")
    if pred is None:
        return None
    var = Node("var", v)
    parts = _noun_tests(noun, var)
    if m["of"]:
        parts.insert(0, Atom("divides", (var, Node("var", "n"))))
    low = int(m["low"]) if m["low"] else 0 if "nonnegative" in noun else 1
    shift = -1 if m["rel"] == "<" or (m["words"] or "").lower() in ("less than", "smaller than", "below") else 0
    return Count(Predicate(v, _readings(parts, pred)), "n", low, shift)


def _singular(text: str) -> str:
    """The verb of a plural subject's clause ("are coprime to n", "also divide n + 1") for one number."""
    return re.sub(r"^(?:also )?(are|divide|do not divide)\b",
                  lambda w: {"are": "is", "divide": "divides", "do not divide": "does not divide"}[w[1].lower()], text, flags=re.I)


def _condition(text: str, noun: str, letters: str) -> Pred | None:
    """The test the text after "such that" states, in the variables `letters` (the noun's own first)."""
    clean = _clean(text)
    pred = _predicate(_phrases(clean), letters) if clean else None
    if pred is None or not _euler_moduli(pred, Node("var", letters[0]), bool(re.search(r"(?<!non)\bprimes?\b", noun.lower()))):
        return None
    return pred


def _readings(parts: list[Pred], pred: Pred) -> tuple[Pred, ...]:
    """Each reading of the test (`_variants`) with the noun's tests."""
    return tuple(Logic("and", (*parts, reading)) if parts else reading for reading in _variants(pred))


def _noun_tests(noun: str, var: Node) -> list[Pred]:
    """The tests the noun ("odd primes", "positive integer") puts on the variable (or a form's value)."""
    noun = noun.lower()
    parts: list[Pred] = [Atom(kind, (var,), param=param) for pattern, kind, param in _NOUN_TESTS if re.search(pattern, noun)]
    if re.search(r"\bnonprime\b", noun):
        parts.append(Atom("prime", (var,), True))
    for word, op, bound in (("positive", ">=", 1), ("nonnegative", ">=", 0), ("non-negative", ">=", 0), ("nonzero", "!=", 0)):
        if re.search(rf"\b{word}\b", noun):
            parts.append(Atom("cmp", (var, Node("num", bound)), op=op))
    return parts


def _noun_parts(m: re.Match[str], var: Node) -> list[Pred]:
    """The tests the noun and a stated bound ("k > 2") put on the variable."""
    parts = _noun_tests(m["noun"], var)
    if m["rel"]:
        parts.append(Atom("cmp", (var, Node("num", int(m["bound"]))), op=">" if m["rel"] == ">" else ">="))
    return parts


def _euler_moduli(p: Pred, var: Node, primes_only: bool) -> bool:
    """Whether each Euler-criterion test has a prime modulus: the variable of "Primes p such that ..."."""
    return all(a.args[-1] == var and primes_only for a in _atoms(p) if a.kind in ("qr", "residue"))


def _variants(p: Pred) -> list[Pred]:
    """The readings of a test whose convention the name leaves open (`_AMBIGUOUS`): all param 0, or all 1; digits
    in an order that may be strict ("increasing"), strict or not."""
    def other(q: Pred, second: bool) -> Pred:
        if isinstance(q, Logic):
            return Logic(q.op, tuple(other(r, second) for r in q.parts))
        if q.kind == "ordered" and q.op.endswith("?"):
            return Atom(q.kind, q.args, q.negated, q.op[0] + ("=" if second else ""), q.param)
        return Atom(q.kind, q.args, q.negated, q.op, 1) if q.kind in _AMBIGUOUS and second else q
    if not any(a.kind in _AMBIGUOUS or a.op.endswith("?") for a in _atoms(p)):
        return [p]
    return [other(p, False), other(p, True)]


# Functions in words, as calls: "the sum of divisors of k+1" is sigma((k+1)); the argument is a simple term.
_ARG = (r"(?P<x>\((?:[^()]|\([^()]*\))*\)|[A-Za-z]\w*\((?:[^()]|\([^()]*\))*\)|\d*\s*\*?\s*[a-z](?![A-Za-z])(?:\^\d+|!)?"
        r"(?:\s*[-+]\s*\d+(?![\d*^/(]))?|\d+(?:\^\d+)?)")
_PHRASES = ((r"(?:the )?number of divisors of ", "tau({})"),
            (r"(?:the )?sum of (?:the )?(?:proper|aliquot) divisors of ", "(sigma({0})-{0})"),
            (r"(?:the )?sum of (?:the |all )?(?:positive )?divisors of ", "sigma({})"),
            (r"(?:the )?sum of (?:the )?non-?divisors of ", "({0}*({0}+1)/2-sigma({0}))"),
            (r"(?:the )?number of (?:the )?non-?divisors of ", "({0}-tau({0}))"),
            (r"(?:the )?(?:squarefree kernel|radical) of ", "rad({})"),
            (r"(?:the )?(?:largest|greatest) prime (?:factor|divisor) of ", "gpf({})"),
            (r"(?:the )?(?:smallest|least) prime (?:factor|divisor) of ", "lpf({})"),
            (r"(?:the )?(?:sum of (?:the )?(?:decimal )?digits|digit sum|digital sum) of ", "A007953({})"),
            (r"(?:the )?number of distinct prime (?:factors|divisors) of ", "omega({})"),
            (r"(?:the )?(?:Euler )?(?:totient|phi)(?: function)? of ", "phi({})"),
            (r"(?:the )?(?:digit )?reversal of ", "A004086({})"),
            (r"(?:the )?arithmetic derivative of ", "A003415({})"),
            (r"(?:the )?number of (?:1's|ones) in (?:the )?binary (?:expansion|representation) of ", "A000120({})"))


def _filler(template: str) -> Callable[[re.Match[str]], str]:
    return lambda m: template.format(m["x"])


def _phrases(text: str) -> str:
    """The text with functions in words written as calls (inner ones first)."""
    text = re.sub(r"Euler's (?:totient|phi)(?: function)?\s+(?=phi\()", "", text)
    text = re.sub(r"\b(?:the )?([a-z])-th prime(?: number)?\b", r"prime(\1)", text)
    text = re.sub(r"\b(?:the )?sum of the first ([a-z]) primes\b", r"A007504(\1)", text)
    text = re.sub(r" (plus|minus) (?:one|1)\b", lambda m: " + 1" if m[1] == "plus" else " - 1", text)
    # an integer geometric mean of two integers: their product is a square
    text = re.sub(r"^the geometric mean of (.+?) and (.+?) is (not )?an integer$", r"(\1)*(\2) is \3a square", text)
    for _ in range(3):
        before = text
        for phrase, template in _PHRASES:
            text = re.sub(phrase + _ARG, _filler(template), text)
        if text == before:
            break
    return text


def _divisors(text: str) -> Divisors | None:
    """"Divisors of 2^25 - 1", "Divisors of 10!", "Divisors of 1729, the 2nd taxicab number (...)"."""
    if "written" in text or "base" in text:
        return None
    text = re.split(r",\s+the\s|\s+\(", text)[0]
    run = Run({})
    try:
        value = _twin_value(_expression(text, "n"))(run)
    except (FormulaError, _Refuse, EvalError, KeyError):
        return None
    return Divisors(value) if run.exact and 1 <= value < 1 << 60 else None  # 2N + 1 is a constant of the program


# --- the Python twin: the program's arithmetic on Python ints ----------------------------------------------

def _twin_seq(number: int, arg: Fn) -> Fn:
    """A `seq` call by FUNCTIONS (`twin`'s hook), refused below the function's first argument or near LODA's limit;
    another callee (a triangle's) fails when run, as a call without a Python side does."""
    if number not in FUNCTIONS:
        def fail(r: Run) -> int:
            raise FormulaError(f"no Python values for A{number:06d}")
        return fail
    first, fn = FUNCTIONS[number]

    def run(r: Run) -> int:
        x = arg(r)
        if x < first:
            raise _Refuse("argument below the offset")
        value = fn(x)
        if value.bit_length() > _NEAR_LIMIT:  # the callee's own steps overflow a little before its result
            raise _Refuse("too large")
        return value
    return run


# `_Code`'s sums leave the index unclamped (`Compiler.clamp_sum_index`)
_HOOKS = Hooks(seq=_twin_seq, exact=True, clamp_sum_index=Compiler.clamp_sum_index)


def _twin_value(node: Node) -> Fn:
    """The node's value as `_Code.value` computes it; a division outside floor/ceiling/round also records
    whether it was exact."""
    return compiled(node, _HOOKS)


def _times(a: Node, b: Node | None) -> Node:
    return a if b is None else Node("op", "*", (a, b))


def fraction(node: Node) -> tuple[Node, Node | None]:
    """The node as numerator and denominator (None: 1) over + - * / and constant powers at its top."""
    if node.kind == "neg":
        n, d = fraction(node.args[0])
        return Node("neg", None, (n,)), d
    if node.kind != "op" or node.value not in ("+", "-", "*", "/", "^"):
        return node, None
    if node.value == "^":
        exp = node.args[1]
        n, d = fraction(node.args[0])
        if d is None or exp.kind != "num":
            return node, None
        return Node("op", "^", (n, exp)), Node("op", "^", (d, exp))
    (an, ad), (bn, bd) = fraction(node.args[0]), fraction(node.args[1])
    if node.value == "/":
        return _times(an, bd), (bn if ad is None else Node("op", "*", (ad, bn)))
    if node.value == "*":
        den = bd if ad is None else _times(ad, bd)
        return Node("op", "*", (an, bn)), den
    if ad is None and bd is None:
        return node, None
    den = bd if ad is None else _times(ad, bd)
    return Node("op", node.value, (_times(an, bd), _times(bn, ad))), den


def _twin_int(node: Node) -> Fn:
    """The node's value where it is an integer (`_Code.int_value`): the fraction's exact quotient."""
    n, d = fraction(node)
    num = _twin_value(n)
    if d is None:
        return num
    return exact_quotient(num, _twin_value(d))


def _has_power(node: Node) -> bool:
    """Whether a power with a variable exponent sits at the node's top (+ - * neg): taken mod m step by step."""
    if node.kind == "op" and node.value == "^":
        return node.args[1].kind != "num"
    if node.kind == "neg" or (node.kind == "op" and node.value in ("+", "-", "*")):
        return any(_has_power(a) for a in node.args)
    return False


def _twin_powmod(b: int, e: int, m: int) -> int:
    """`_Code.powmod`'s loop."""
    def step(c: int, s: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
        r, base = s
        u = S.pow(base, S.mod(c, 2))
        return S.div(c, 2), (S.mod(S.mul(r, u), m), S.mod(S.mul(base, base), m))
    return lpb(e, (1, b), step)[0]


def _normal(x: int, m: int) -> int:
    return S.mod(S.add(S.mod(x, m), m), m)


def _twin_mod(node: Node, modulus: Fn) -> Callable[[Run, int], int]:
    """The node reduced mod m (`_Code.mod_value`)."""
    if not _has_power(node):
        value = _twin_int(node)
        return lambda r, m: _normal(value(r), m)
    if node.kind == "op" and node.value == "^":
        base = _twin_mod(node.args[0], modulus)
        exp = _twin_int(node.args[1])
        return lambda r, m: _normal(_twin_powmod(base(r, m), exp(r), m), m)
    if node.kind == "neg":
        inner = _twin_mod(node.args[0], modulus)
        return lambda r, m: _normal(S.mul(inner(r, m), -1), m)
    a, b = (_twin_mod(x, modulus) for x in node.args)
    fn = BINARY[node.value]
    return lambda r, m: _normal(fn(a(r, m), b(r, m)), m)


def _twin(p: Pred) -> Fn:
    """The flag (0 or 1) `_Code.flag` computes."""
    if isinstance(p, Logic):
        parts = [_twin(q) for q in p.parts]
        if p.op == "and":
            return lambda r: _all(parts, r)
        return lambda r: max([f(r) for f in parts])
    raw = _twin_raw(p)
    if p.kind == "integer":
        def integer(r: Run) -> int:
            r.exact = True
            raw(r)
            return int(r.exact != p.negated)
        return integer

    def atom(r: Run) -> int:
        r.exact = True
        flag = raw(r)
        if p.negated:
            flag = 1 - flag
        return flag if r.exact else 0
    return atom


def _all(parts: list[Fn], r: Run) -> int:
    # every part runs (as in the program), so errors anywhere count
    flag = 1
    for f in parts:
        flag *= f(r)
    return flag


def _is_palindrome(x: int, base: int) -> int:
    if x < 0:
        return 0
    digits = []
    while x:
        x, d = divmod(x, base)
        digits.append(d)
    return int(digits == digits[::-1])


def _digits_pass(x: int, base: int, keep: Callable[[int, int | None], bool]) -> int:
    """Whether keep(digit, the digit before it, lowest first; None first) holds for each of x's digits, as
    `_Code.digit_test` computes it (x < 0 fails)."""
    if x < 0:
        return 0
    before: int | None = None
    while x:
        x, d = divmod(x, base)
        if not keep(d, before):
            return 0
        before = d
    return 1


_ORDERS: dict[str, Callable[[int, int], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _twin_raw(a: Atom) -> Fn:
    """The atom's test before negation and the exactness of its divisions."""
    kind = a.kind
    if kind in ("ordered", "onlydigits"):
        subject, base = _twin_int(a.args[0]), a.param
        if kind == "ordered":  # read from the left d op next, so from the right each digit op the one before it
            order = _ORDERS[a.op]
            return lambda r: _digits_pass(subject(r), base, lambda d, b: b is None or order(d, b))
        allowed = frozenset(n.value for n in a.args[1:])
        return lambda r: _digits_pass(subject(r), base, lambda d, b: d in allowed)
    if kind == "cmp":
        return _twin_cmp(a)
    if kind in ("cong", "divides"):
        if kind == "divides":
            modulus, values = a.args[0], [a.args[1], Node("num", 0)]
        else:
            modulus, values = a.args[1], [a.args[0], *a.args[2:]]
        m_fn = _twin_int(modulus)
        x_fn, *r_fns = (_twin_mod(v, m_fn) for v in values)

        def cong(r: Run) -> int:
            m = m_fn(r)
            if m <= 0:
                raise _Refuse("modulus not positive")
            x = x_fn(r, m)
            return max(int(x == f(r, m)) for f in r_fns)
        return cong
    if kind == "coprime":
        x, y = (_twin_int(n) for n in a.args)
        return lambda r: int(S.gcd(x(r), y(r)) == 1)
    if kind == "residue":
        power_of = [_twin_int(n) for n in a.args]

        def residue(r: Run) -> int:
            base, n, m = (f(r) for f in power_of)
            b = _normal(base, m)
            e = S.div(S.sub(m, 1), S.gcd(S.sub(m, 1), n))
            return max(int(_normal(_twin_powmod(b, e, m), m) == 1), int(b == 0))
        return residue
    if kind == "qr":
        d, mod = (_twin_int(n) for n in a.args)
        nonzero = a.param == 1

        def qr(r: Run) -> int:
            b, m = d(r), mod(r)
            res = _twin_powmod(_normal(b, m), S.div(S.sub(m, 1), 2), m)
            return int(res == 1 if nonzero else res <= 1)
        return qr
    x = _twin_int(a.args[0])
    tests: dict[str, Callable[[int], int]] = {
        "prime": lambda v: int(primes.is_prime(v)),
        "composite": lambda v: int(v >= 2 and not primes.is_prime(v)),
        "semiprime": lambda v: FUNCTIONS[SEMIPRIME][1](v) if v >= 1 else 0,
        "squarefree": lambda v: FUNCTIONS[SQUAREFREE][1](v) if v >= 1 else 0,
        "square": lambda v: _root_test(v, 2),
        "cube": lambda v: _root_test(abs(v), 3),
        "triangular": lambda v: _root_test(S.add(S.mul(v, 8), 1), 2),
        "even": lambda v: int(v % 2 == 0),
        "odd": lambda v: int(v % 2 == 1),
        "power": lambda v: int(S.dir(v, a.param) == 1),
        "palindrome": lambda v: _is_palindrome(v, a.param),
        "integer": lambda v: 1,
        "primepower": lambda v: int(S.dir(v, FUNCTIONS[LPF][1](S.max(v, 1))) == 1 and (a.param == 0 or v >= 2)),
        "fibonacci": lambda v: int(v >= 0) * max(_root_test(S.add(S.mul(S.mul(v, v), 5), 4), 2),
                                                  _root_test(S.sub(S.mul(S.mul(v, v), 5), 4), 2)),
        "pentagonal": _pentagonal,
    }
    test = tests[kind]
    if kind in ("prime", "composite", "semiprime", "squarefree", "primepower"):
        def checked(r: Run) -> int:
            v = x(r)
            if v > 3 * 10**24:
                raise _Refuse("too large to test")
            return test(v)
        return checked
    return lambda r: test(x(r))


def _pentagonal(v: int) -> int:
    """`_Code.property`'s test: 24v+1 = r^2 with r = 5 (mod 6), or v = 0."""
    t = S.add(S.mul(v, 24), 1)
    r = S.nrt(S.max(t, 0), 2)
    return max(int(S.pow(r, 2) == t and S.mod(r, 6) == 5), int(v == 0))


def _root_test(v: int, root: int) -> int:
    """`_Code.property`'s test of a square or cube: nrt of max(v, 0), raised again, equals v."""
    return int(S.pow(S.nrt(S.max(v, 0), root), root) == v)


def _twin_cmp(a: Atom) -> Fn:
    (xn, xd), (yn, yd) = fraction(a.args[0]), fraction(a.args[1])
    if xd is None and yd is None:
        x, y = _twin_value(xn), _twin_value(yn)
        compare = _COMPARE[a.op]
        return lambda r: int(compare(x(r), y(r)))
    left, right = _twin_value(_times(xn, yd)), _twin_value(_times(yn, xd))
    dens = [_twin_value(d) for d in (xd, yd) if d is not None]
    order = a.op not in ("=", "!=")
    compare = _COMPARE[a.op]

    def run(r: Run) -> int:
        sign = prod(d(r) for d in dens)
        if sign == 0 or (order and sign < 0):
            raise _Refuse("a denominator that is not positive")
        return int(compare(left(r), right(r)))
    return run


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "=": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y, ">": lambda x, y: x > y,
    "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y}


# --- the program -----------------------------------------------------------------------------------------

class _Code(Compiler):
    """`formula`'s compiler for tests on $1: each division outside floor/ceiling also clears the current
    test's exactness cell unless it is exact."""

    def __init__(self, variable: str, first: int, parameter: str = "") -> None:
        super().__init__(first_free=5, n_cell=1)
        self.variable, self.first = variable, first
        self.cells = {variable: 1}
        self.exact = self.fresh()
        if parameter:  # the n of "smallest k such that ...": set before the scan
            self.cells[parameter] = self.fresh()
        self.floors = 0

    def binary(self, op: str, left: Node, right: Node, dest: int) -> None:
        if op != "/" or self.floors:
            super().binary(op, left, right, dest)
            return
        self.value(left, dest)
        src = self.operand(right)
        self.divisible(dest, src)
        self.ops.append(Operation("div", Operand(DIRECT, dest), src))

    def divisible(self, cell: int, src: Operand) -> None:
        """Clear the exactness cell unless src divides $cell."""
        t = self.fresh()
        self.emit("mov", t, cell, direct=True)
        self.ops.append(Operation("mod", Operand(DIRECT, t), src))
        self.emit("equ", t, 0)
        self.emit("mul", self.exact, t, direct=True)

    def call(self, name: str, args: tuple[Node, ...], dest: int) -> None:
        floor = name in ("floor", "ceiling", "ceil")
        self.floors += floor
        try:
            super().call(name, args, dest)
        finally:
            self.floors -= floor

    def int_value(self, node: Node, dest: int) -> None:
        """$dest = the node's fraction's quotient, clearing exactness unless it is an integer."""
        n, d = fraction(node)
        self.value(n, dest)
        if d is not None:
            src = self.operand(d)
            self.divisible(dest, src)
            self.ops.append(Operation("div", Operand(DIRECT, dest), src))

    def normal(self, dest: int, m: int) -> None:
        self.emit("mod", dest, m, direct=True)
        self.emit("add", dest, m, direct=True)
        self.emit("mod", dest, m, direct=True)

    def powmod(self, base: int, exp: int, m: int, dest: int) -> None:
        """$dest = $base^$exp mod $m by square-and-multiply (clobbers $base and $exp)."""
        t, u = self.fresh(), self.fresh()
        self.emit("mov", dest, 1)
        self.ops.append(Operation("lpb", Operand(DIRECT, exp), Operand(CONSTANT, 1)))
        self.emit("mov", t, exp, direct=True)
        self.emit("mod", t, 2)
        self.emit("mov", u, base, direct=True)
        self.emit("pow", u, t, direct=True)
        self.emit("mul", dest, u, direct=True)
        self.emit("mod", dest, m, direct=True)
        self.emit("mul", base, base, direct=True)
        self.emit("mod", base, m, direct=True)
        self.emit("div", exp, 2)
        self.ops.append(Operation("lpe"))

    def mod_value(self, node: Node, m: int, dest: int) -> None:
        """$dest = the node mod $m in 0..m-1, powers with a variable exponent by `powmod`."""
        if not _has_power(node):
            self.int_value(node, dest)
        elif node.kind == "op" and node.value == "^":
            base, exp = self.fresh(), self.fresh()
            self.mod_value(node.args[0], m, base)
            self.int_value(node.args[1], exp)
            self.powmod(base, exp, m, dest)  # 1 when the exponent is 0, unreduced: mod 1 that is 0
        elif node.kind == "neg":
            self.mod_value(node.args[0], m, dest)
            self.emit("mul", dest, -1)
        else:
            t = self.fresh()
            self.mod_value(node.args[0], m, dest)
            self.mod_value(node.args[1], m, t)
            self.emit(self._LODA[node.value], dest, t, direct=True)
        self.normal(dest, m)

    def flag(self, p: Pred, dest: int) -> None:
        """$dest = 1 if the test passes at $1, else 0."""
        if isinstance(p, Logic):
            parts = sorted(p.parts, key=_costly) if p.op == "and" else p.parts
            self.flag(parts[0], dest)
            for part in parts[1:]:
                t = self.fresh()
                if p.op == "and" and _costly(part):
                    self.guarded(part, dest, t)
                else:
                    self.flag(part, t)
                self.emit("mul" if p.op == "and" else "max", dest, t, direct=True)
            return
        self.emit("mov", self.exact, 1)
        self.atom(p, dest)
        if p.kind == "integer":
            self.emit("mov", dest, self.exact, direct=True)
            if p.negated:
                self.emit("equ", dest, 0)
            return
        if p.negated:
            self.emit("equ", dest, 0)
        self.emit("mul", dest, self.exact, direct=True)

    def guarded(self, p: Pred, guard: int, dest: int) -> None:
        """`flag` of a costly part of a conjunction at the first term instead when $guard (the parts before)
        is 0: LODA cannot skip code, but the callees' values there are few (and the twin checked them)."""
        v, outer = self.fresh(), self.cells[self.variable]
        self.emit("mov", v, outer, direct=True)
        self.emit("sub", v, self.first)
        self.emit("mul", v, guard, direct=True)
        self.emit("add", v, self.first)
        self.cells[self.variable] = v
        try:
            self.flag(p, dest)
        finally:
            self.cells[self.variable] = outer

    def atom(self, a: Atom, dest: int) -> None:
        kind = a.kind
        if kind == "cmp":
            self.compare(a, dest)
            return
        if kind in ("cong", "divides"):
            modulus, values = (a.args[0], [a.args[1], Node("num", 0)]) if kind == "divides" else (a.args[1], [a.args[0], *a.args[2:]])
            m, x = self.fresh(), self.fresh()
            self.int_value(modulus, m)
            self.mod_value(values[0], m, x)
            self.emit("mov", dest, 0)
            for value in values[1:]:
                t = self.fresh()
                self.mod_value(value, m, t)
                self.emit("equ", t, x, direct=True)
                self.emit("max", dest, t, direct=True)
            return
        if kind == "coprime":
            t = self.fresh()
            self.int_value(a.args[0], dest)
            self.int_value(a.args[1], t)
            self.emit("gcd", dest, t, direct=True)
            self.emit("equ", dest, 1)
            return
        if kind == "residue":  # a = 0, or a^((m-1)/gcd(n, m-1)) = 1 (mod m)
            base, n, m, e, g = self.fresh(), self.fresh(), self.fresh(), self.fresh(), self.fresh()
            for node, cell in zip(a.args, (base, n, m)):
                self.int_value(node, cell)
            self.normal(base, m)
            self.emit("mov", e, m, direct=True)
            self.emit("sub", e, 1)
            self.emit("mov", g, e, direct=True)
            self.emit("gcd", g, n, direct=True)
            self.emit("div", e, g, direct=True)
            self.emit("mov", g, base, direct=True)
            self.emit("equ", g, 0)
            self.powmod(base, e, m, dest)
            self.normal(dest, m)
            self.emit("equ", dest, 1)
            self.emit("max", dest, g, direct=True)
            return
        if kind == "qr":
            base, m, e = self.fresh(), self.fresh(), self.fresh()
            self.int_value(a.args[0], base)
            self.int_value(a.args[1], m)
            self.normal(base, m)
            self.emit("mov", e, m, direct=True)
            self.emit("sub", e, 1)
            self.emit("div", e, 2)
            self.powmod(base, e, m, dest)
            self.emit("equ" if a.param == 1 else "leq", dest, 1)
            return
        x = self.fresh()
        self.int_value(a.args[0], x)
        if kind in ("ordered", "onlydigits"):
            self.digit_test(a, x, dest)
        else:
            self.property(kind, a.param, x, dest)

    def digit_test(self, a: Atom, x: int, dest: int) -> None:
        """$dest = whether each of $x's digits (x >= 0), lowest first, passes `a`'s test (`_digits_pass`)."""
        rest, digit, t, before = self.fresh(), self.fresh(), self.fresh(), self.fresh()
        base = a.param
        self.emit("mov", rest, x, direct=True)
        self.emit("mov", dest, 1)
        # the first digit passes an order: "before" starts past every digit on the side the order allows
        self.emit("mov", before, base if a.op.startswith("<") else -1)
        self.ops.append(Operation("lpb", Operand(DIRECT, rest), Operand(CONSTANT, 1)))
        self.emit("mov", digit, rest, direct=True)
        self.emit("mod", digit, base)
        if a.kind == "ordered":
            self.emit("mov", t, digit, direct=True)
            shift = {"<": 1, ">": -1}.get(a.op, 0)  # d < b is d + 1 <= b for integers
            if shift:
                self.emit("add", t, shift)
            self.emit("leq" if a.op.startswith("<") else "geq", t, before, direct=True)
            self.emit("mov", before, digit, direct=True)
        else:
            self.emit("mov", t, 0)
            u = self.fresh()
            for node in a.args[1:]:
                self.emit("mov", u, digit, direct=True)
                self.emit("equ", u, node.value)
                self.emit("add", t, u, direct=True)
        self.emit("mul", dest, t, direct=True)
        self.emit("div", rest, base)
        self.ops.append(Operation("lpe"))
        self.only_nonnegative(x, dest, t)

    def property(self, kind: str, param: int, x: int, dest: int) -> None:
        """$dest = whether $x has the property (x may be clobbered)."""
        self.emit("mov", dest, x, direct=True)
        if kind in _BY_SEQUENCE:
            self.by_sequence(kind, param, x, dest)
        elif kind in ("square", "cube", "triangular"):
            if kind == "triangular":  # 8x + 1 is a square
                self.emit("mul", x, 8)
                self.emit("add", x, 1)
            if kind == "cube":  # |x|
                self.emit("mul", dest, -1)
                self.emit("max", x, dest, direct=True)
            self.root_test(x, 3 if kind == "cube" else 2, dest)
        elif kind in ("even", "odd"):
            self.emit("mod", dest, 2)
            self.emit("equ" if kind == "even" else "neq", dest, 0)
        elif kind == "power":
            self.emit("dir", dest, param)
            self.emit("equ", dest, 1)
        elif kind == "integer":
            self.emit("mov", dest, 1)
        elif kind == "palindrome":
            self.palindrome(param, x, dest)
        elif kind == "fibonacci":
            self.fibonacci(x, dest)
        elif kind == "pentagonal":
            self.pentagonal(x, dest)
        else:
            raise FormulaError(f"no test {kind}")

    def by_sequence(self, kind: str, param: int, x: int, dest: int) -> None:
        """The tests through a corpus sequence at max(x, 1), with what it leaves out for x below 1 or 2."""
        t = self.fresh()
        self.emit("mov", t, x, direct=True)
        self.emit("max", dest, 1)
        self.emit("seq", dest, _BY_SEQUENCE[kind])
        if kind == "primepower":  # x / lpf(x)^e = 1 (lpf(1) = 1 leaves x < 1 as it is)
            self.emit("dir", t, dest, direct=True)
            self.emit("mov", dest, t, direct=True)
            self.emit("equ", dest, 1)
            self.emit("mov", t, x, direct=True)
        elif kind == "composite":
            self.emit("equ", dest, 0)
        least = {"composite": 2, "squarefree": 1, "primepower": 2 if param else 0}.get(kind, 0)
        if least:
            self.emit("geq", t, least)
            self.emit("mul", dest, t, direct=True)

    def root_test(self, x: int, root: int, dest: int) -> None:
        """$dest = whether $x is a square (cube): nrt of max(x, 0), raised again, equals x."""
        self.emit("mov", dest, x, direct=True)
        self.emit("max", dest, 0)
        self.emit("nrt", dest, root)
        self.emit("pow", dest, root)
        self.emit("equ", dest, x, direct=True)

    def palindrome(self, base: int, x: int, dest: int) -> None:
        """$dest = whether $x >= 0 reads the same backwards in the base ($dest holds x on entry)."""
        t, u = self.fresh(), self.fresh()
        # x's digits reversed into $t; the loop's last, undone pass sees 0 (and none is kept for x < 0)
        self.emit("mov", t, 0)
        self.ops.append(Operation("lpb", Operand(DIRECT, dest), Operand(CONSTANT, 1)))
        self.emit("mov", u, dest, direct=True)
        self.emit("mod", u, base)
        self.emit("mul", t, base)
        self.emit("add", t, u, direct=True)
        self.emit("div", dest, base)
        self.ops.append(Operation("lpe"))
        self.emit("mov", dest, t, direct=True)
        self.emit("equ", dest, x, direct=True)
        self.only_nonnegative(x, dest, t)

    def only_nonnegative(self, x: int, dest: int, t: int) -> None:
        """$dest = 0 where $x < 0 ($t scratch)."""
        self.emit("mov", t, x, direct=True)
        self.emit("geq", t, 0)
        self.emit("mul", dest, t, direct=True)

    def fibonacci(self, x: int, dest: int) -> None:
        """$dest = whether $x >= 0 and 5x^2 + 4 or 5x^2 - 4 is a square ($dest holds x on entry)."""
        t, u = self.fresh(), self.fresh()
        self.emit("mul", dest, x, direct=True)
        self.emit("mul", dest, 5)
        self.emit("add", dest, 4)
        self.emit("mov", t, dest, direct=True)
        self.emit("sub", t, 8)
        for cell in (dest, t):
            self.root_test(cell, 2, u)
            self.emit("mov", cell, u, direct=True)
        self.emit("max", dest, t, direct=True)
        self.only_nonnegative(x, dest, t)

    def pentagonal(self, x: int, dest: int) -> None:
        """$dest = whether 24x + 1 = r^2 with r = 5 (mod 6), or x = 0 ($dest holds x on entry)."""
        t, u = self.fresh(), self.fresh()
        self.emit("mul", dest, 24)
        self.emit("add", dest, 1)
        self.emit("mov", t, dest, direct=True)
        self.emit("max", t, 0)
        self.emit("nrt", t, 2)
        self.emit("mov", u, t, direct=True)
        self.emit("pow", u, 2)
        self.emit("equ", dest, u, direct=True)
        self.emit("mod", t, 6)
        self.emit("equ", t, 5)
        self.emit("mul", dest, t, direct=True)
        self.emit("mov", t, x, direct=True)
        self.emit("equ", t, 0)
        self.emit("max", dest, t, direct=True)

    def compare(self, a: Atom, dest: int) -> None:
        (xn, xd), (yn, yd) = fraction(a.args[0]), fraction(a.args[1])
        left, right = (xn, yn) if xd is None and yd is None else (_times(xn, yd), _times(yn, xd))
        t = self.fresh()
        self.value(left, dest)
        self.value(right, t)
        op = a.op
        if op in ("<", ">"):  # x < y is x + 1 <= y for integers
            self.emit("add" if op == "<" else "sub", dest, 1)
        loda = {"=": "equ", "!=": "neq", "<": "leq", "<=": "leq", ">": "geq", ">=": "geq"}[op]
        self.emit(loda, dest, t, direct=True)


def _costly(p: Pred) -> bool:
    """Whether the test calls sequences or loops (the cheap parts of a conjunction go first)."""
    looping = ("qr", "residue", "palindrome", "ordered", "onlydigits")
    return bool(callees(p)) or any(a.kind in looping or any(_loops(n) for n in a.args) for a in _atoms(p))


def _loops(node: Node) -> bool:
    return node.kind in ("sum", "prod", "dsum", "dmax", "dfact") \
        or (node.kind == "op" and node.value == "^" and node.args[1].kind != "num") or any(_loops(a) for a in node.args)


def _stride(p: Pred, variable: str) -> int:
    """The step of a scan that can skip numbers: p requires the variable in one class mod m."""
    parts = p.parts if isinstance(p, Logic) and p.op == "and" else (p,)
    best = 1
    var = Node("var", variable)
    for q in parts:
        if isinstance(q, Logic):
            best = max(best, _stride(q, variable)) if q.op == "and" else best
        elif q.kind == "cong" and not q.negated and q.args[0] == var and q.args[1].kind == "num" and len(q.args) == 3 \
                and q.args[2].kind in ("num", "neg"):
            best = max(best, q.args[1].value)
        elif q.kind in ("even", "odd") and not q.negated and q.args[0] == var:
            best = max(best, 2)
    return best


def scan_program(p: Pred, variable: str, first: int, offset: int, parameter: str = "") -> Program:
    """The n-th number >= first that passes (n counted from the offset), or with a `parameter` the first
    that passes at n; the scan is bounded by 4^(n+9) candidates (n counted from the offset), far past where
    the terms of such conditions lie."""
    code = _Code(variable, first, parameter)
    code.flag(p, 3)
    stride = _stride(p, variable)
    setup = [line("mov", 1, first - stride),
             line("mov", 3, 0, direct=True), line("min", 3, 1800), *add_const(3, 9), line("mov", 2, 4),
             line("pow", 2, 3, direct=True)]
    if parameter:  # n into its cell, and no passes to skip
        cell = code.cells[parameter]
        setup = [line("mov", cell, 0, direct=True), *add_const(cell, offset), *setup, line("mov", 0, 0)]
    return nth_passing(setup, [*add_const(1, stride), *code.ops], offset)


def reading_test(p: Pred, variable: str, env: dict[str, int] | None = None) -> Callable[[int], bool]:
    """The Python twin of the program's test: whether k passes (the other variables as `env` holds them at
    the call); raises _Refuse or EvalError where the program's answer is unknown or fails."""
    fn = _twin(p)
    run = Run({})
    others = {} if env is None else env

    def passes(k: int) -> bool:
        run.env = {**others, variable: k}
        return bool(fn(run))
    return passes


def _nodes(p: Pred) -> Iterator[Node]:
    if isinstance(p, Logic):
        for q in p.parts:
            yield from _nodes(q)
    else:
        yield from p.args


def _called(node: Node) -> set[int]:
    own = {node.value} if node.kind == "seq" else set()
    return own.union(*(_called(a) for a in node.args))


def callees(p: Pred) -> set[int]:
    """A-numbers the program calls."""
    out: set[int] = set().union(*(_called(n) for n in _nodes(p)))
    return out | {_BY_SEQUENCE[a.kind] for a in _atoms(p) if a.kind in _BY_SEQUENCE}


def _atoms(p: Pred) -> Iterator[Atom]:
    if isinstance(p, Atom):
        yield p
    else:
        for q in p.parts:
            yield from _atoms(q)


def _first(number: int) -> int:
    return FUNCTIONS[number][0] if number in FUNCTIONS else 1


# what a test raises where the program's answer is unknown or fails
_UNDECIDED = (_Refuse, EvalError, RecursionError, KeyError, ValueError, ZeroDivisionError, OverflowError)


def _timed(test: Callable[[int], bool], seconds: float, every: int) -> Callable[[int], bool]:
    """The test, raising _Refuse once `seconds` have passed (looking at the clock every `every` calls)."""
    deadline = time.monotonic() + seconds
    count = 0

    def timed(k: int) -> bool:
        nonlocal count
        count += 1
        if count % every == 0 and time.monotonic() > deadline:
            raise _Refuse("out of time")
        return test(k)
    return timed


def _lists(test: Callable[[int], bool], terms: tuple[int, ...], stride: int) -> bool:
    """lists_exactly within MAX_SECONDS; the program also tests the candidate after the last term (in a pass
    LODA undoes), so that one must not fail either."""
    try:
        if not lists_exactly(_timed(test, MAX_SECONDS, 256), terms):
            return False
        test(terms[-1] + stride)
        return True
    except _UNDECIDED:
        return False


def _finds_least(test: Callable[[int], bool], env: dict[str, int], least: Least, target: Target, first: int, stride: int) -> bool:
    """Whether the scan from `first` by `stride` meets each known term first at its n (set in env), within
    LEAST_SECONDS; the number after it is tested too (in the pass LODA undoes), so it must not fail either."""
    terms = target.terms
    # the scan's 4^9 candidates at n = offset are more than MAX_SCAN
    if any(t < first or (t - first) % stride for t in terms) or sum((t - first) // stride + 2 for t in terms) > MAX_SCAN:
        return False
    once, per_term = LEAST_SECONDS
    timed = _timed(test, min(MAX_SECONDS, once + per_term * len(terms)), 16)
    try:
        for n, t in enumerate(terms, start=target.offset):
            env[least.parameter] = n
            if any(timed(k) for k in range(first, t, stride)) or not timed(t):
                return False
            timed(t + stride)
        return True
    except _UNDECIDED:
        return False


def divisor_programs(d: Divisors, target: Target) -> list[Program]:
    """The k-th divisor of N when the known terms are its first divisors; the cheaper of two programs."""
    n, terms = d.number, target.terms
    try:
        factors = factorize(n)
    except _Refuse:
        return []
    divisors = sorted(prod(p**e for (p, _), e in zip(factors, exps)) for exps in _exponents(factors))
    if not terms or list(terms) != divisors[: len(terms)] or len(terms) < min(len(divisors), MIN_TERMS):
        return []
    t, small = len(divisors), sum(1 for x in divisors if x * x <= n)
    scan_cost = sum(divisors[k if k < small else t - 1 - k] for k in range(len(terms))) * 12
    lattice_cost = sum((k + 1) for k in range(len(terms))) * t * (5 * len(factors) + 10)
    if min(scan_cost, lattice_cost) > MAX_DIVISOR_STEPS:
        return []
    if scan_cost <= lattice_cost:
        return [divisor_scan(n, t, small, target.offset)]
    return [divisor_lattice(n, factors, target.offset)]


def _exponents(factors: tuple[tuple[int, int], ...]) -> Iterator[tuple[int, ...]]:
    if not factors:
        yield ()
        return
    for rest in _exponents(factors[1:]):
        for e in range(factors[0][1] + 1):
            yield (e, *rest)


def divisor_scan(n: int, t: int, small: int, offset: int) -> Program:
    """Divisors below sqrt(N) by a scan, the j-th from the top as N / (the j-th from the bottom)."""
    # $5 = k >= small; $0 = j: k itself, or t - 1 - k for the large divisors
    setup = [line("mov", 5, 0, direct=True), line("geq", 5, small),
             line("mov", 6, 0, direct=True), line("mul", 6, -2), *add_const(6, t - 1), line("mul", 6, 5, direct=True),
             line("add", 0, 6, direct=True),
             line("mov", 1, 0), line("mov", 2, isqrt(n) + 1)]
    step = [line("add", 1, 1), line("mov", 3, n), line("mod", 3, 1, direct=True), line("equ", 3, 0)]
    prog = nth_passing(setup, step, offset)
    tail = [line("mov", 7, n), line("div", 7, 0, direct=True), line("sub", 7, 0, direct=True),
            line("mul", 7, 5, direct=True), line("add", 0, 7, direct=True)]
    return Program(ops=prog.ops + tail, directives=dict(prog.directives))


def divisor_lattice(n: int, factors: tuple[tuple[int, int], ...], offset: int) -> Program:
    """x = the least divisor above x, k+1 times; the divisors are p1^e1 ... by the mixed-radix digits of i."""
    t = prod(e + 1 for _, e in factors)
    body = [line("sub", 2, 1), line("mov", 4, 2, direct=True), line("mov", 5, 1)]
    for p, e in factors:
        body += [line("mov", 6, 4, direct=True), line("mod", 6, e + 1), line("mov", 7, p), line("pow", 7, 6, direct=True),
                 line("mul", 5, 7, direct=True), line("div", 4, e + 1)]
    # a divisor not above x counts as d + N, never the least
    body += [line("mov", 6, 5, direct=True), line("leq", 6, 1, direct=True), line("mul", 6, n), line("add", 6, 5, direct=True),
             line("min", 3, 6, direct=True)]
    ops = [*add_const(0, -offset), line("add", 0, 1),
           Operation("lpb", Operand(DIRECT, 0), Operand(CONSTANT, 1)), line("sub", 0, 1),
           line("mov", 2, t), line("mov", 3, 2 * n + 1),
           Operation("lpb", Operand(DIRECT, 2), Operand(CONSTANT, 1)), *body, Operation("lpe"),
           line("mov", 1, 3, direct=True), Operation("lpe"), line("mov", 0, 1, direct=True)]
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the condition the name states when the numbers that pass, from the first known term
    to the last, are the known terms (with a corpus, only if it holds every callee); `least_programs` for
    "smallest k such that"."""
    parsed = parse_name(target.name)
    if parsed is None:
        return []
    if isinstance(parsed, Divisors):
        return divisor_programs(parsed, target)
    if isinstance(parsed, Least):
        return least_programs(parsed, target, corpus)
    if isinstance(parsed, Form):
        return form_programs(parsed, target, corpus)
    if isinstance(parsed, Count):
        return count_programs(parsed, target, corpus)
    terms = target.terms
    if len(terms) < MIN_TERMS or any(b <= a for a, b in zip(terms, terms[1:])) or terms[-1] - terms[0] > MAX_SCAN:
        return []
    for reading in parsed.readings:
        if not _held(reading, corpus):
            continue
        try:
            test = reading_test(reading, parsed.variable)
        except (FormulaError, KeyError):
            continue
        if _lists(test, terms, _stride(reading, parsed.variable)):
            try:
                return [aligned(scan_program(reading, parsed.variable, terms[0], target.offset), corpus, _first)]
            except (FormulaError, KeyError):
                continue
    return []


def form_programs(form: Form, target: Target, corpus: Any = None) -> list[Program]:
    """The form at the variable's n-th passing value, when from one of the starts the values that pass are the
    known terms and the form never falls on the way (a later value could come before a listed one)."""
    terms = target.terms
    if len(terms) < MIN_TERMS or any(b <= a for a, b in zip(terms, terms[1:])):
        return []
    variable = form.condition.variable
    for reading in form.condition.readings:
        if not _held(reading, corpus) or _stride(reading, variable) != 1:
            continue
        try:
            test, value = reading_test(reading, variable), _twin_int(form.value)
        except (FormulaError, KeyError):
            continue
        for start in form.starts:
            if _forms(_timed(test, MAX_SECONDS, 64), value, variable, terms, start):
                try:
                    scan = scan_program(reading, variable, start, target.offset)
                    at = inline_formula(renamed(form.value, variable), 0, 0, largest_cell(scan.ops) + 1)[1:]
                    return [aligned(Program(ops=[*scan.ops, *at], directives=dict(scan.directives)), corpus, _first)]
                except (FormulaError, KeyError):
                    break
    return []


def _forms(test: Callable[[int], bool], value: Fn, variable: str, terms: tuple[int, ...], start: int) -> bool:
    """Whether the values at the numbers from `start` that pass are the terms, the values never falling from
    one number to the next (within MAX_SCAN numbers; the number after the last must not fail either)."""
    run, k, found, last = Run({}), start, 0, None
    try:
        while found < len(terms):
            if k - start > MAX_SCAN:
                return False
            run.env = {variable: k}
            v = value(run)
            if last is not None and v < last:
                return False
            last = v
            if test(k):
                if v != terms[found]:
                    return False
                found += 1
            k += 1
        test(k)
        return True
    except _UNDECIDED:
        return False


def least_programs(least: Least, target: Target, corpus: Any = None) -> list[Program]:
    """The scan for the least number that passes at n, when from one of the starts it meets exactly the known
    terms (with a corpus, only if it holds every callee)."""
    if len(target.terms) < MIN_TERMS:
        return []
    variable = least.condition.variable
    for reading in least.condition.readings:
        if not _held(reading, corpus):
            continue
        env: dict[str, int] = {}
        try:
            test = reading_test(reading, variable, env)
        except (FormulaError, KeyError):
            continue
        stride = _stride(reading, variable)
        for start in least.starts:
            first = start + (target.terms[0] - start) % stride  # what passes lies in one class mod the stride
            if _finds_least(test, env, least, target, first, stride):
                try:
                    found = scan_program(reading, variable, first, target.offset, least.parameter)
                    return [aligned(found, corpus, _first)]
                except (FormulaError, KeyError):
                    break
    return []


def count_programs(count: Count, target: Target, corpus: Any = None) -> list[Program]:
    """The count of the numbers in range that pass at n, when Python counts the known terms so (and the number
    after the range, which the loop's undone pass tests, does not fail)."""
    terms, variable = target.terms, count.condition.variable
    indices = range(target.offset, target.offset + len(terms))
    if len(terms) < MIN_TERMS or sum(max(n + count.shift - count.low + 2, 0) for n in indices) > MAX_SCAN:
        return []
    for reading in count.condition.readings:
        if not _held(reading, corpus):
            continue
        env: dict[str, int] = {}
        try:
            test = _timed(reading_test(reading, variable, env), MAX_SECONDS, 64)
        except (FormulaError, KeyError):
            continue
        try:
            counted = []
            for n in indices:
                env[count.parameter] = n
                top = n + count.shift
                counted.append(sum(test(k) for k in range(count.low, top + 1)))
                test(max(top + 1, count.low))
                if counted[-1] != terms[len(counted) - 1]:
                    break
        except _UNDECIDED:
            continue
        if counted == list(terms):
            try:
                return [aligned(_count_program(reading, count, target.offset), corpus, _first)]
            except (FormulaError, KeyError):
                continue
    return []


def _count_program(p: Pred, count: Count, offset: int) -> Program:
    """$1 runs from low to n + shift (one pass more, undone), the test's flag summed."""
    code = _Code(count.condition.variable, count.low, count.parameter)
    code.flag(p, 3)
    total, cell = code.fresh(), code.cells[count.parameter]
    ops = [line("mov", cell, 0, direct=True),  # with #offset, $0 is n itself
           line("mov", 2, cell, direct=True), *add_const(2, count.shift - count.low + 1), line("max", 2, 0),
           line("mov", 1, count.low - 1), line("mov", total, 0),
           Operation("lpb", Operand(DIRECT, 2), Operand(CONSTANT, 1)), line("add", 1, 1), *code.ops,
           line("add", total, 3, direct=True), line("sub", 2, 1), Operation("lpe"),
           line("mov", 0, total, direct=True)]
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def _held(reading: Pred, corpus: Any) -> bool:
    """Whether the corpus (if any) holds every callee; `aligned` calls each at its program's offset (the
    corpus's A007947 starts at 0)."""
    return corpus is None or all(a in corpus for a in callees(reading))


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The scan for the numbers the name's condition states (or for the least at each n), or its divisor list,
    when it gives the known terms."""
    programs = programs_for(target, ctx.corpus)
    if ctx.corpus is not None:
        programs = [p for p in programs if all(a in ctx.corpus for a in seq_callees(p))]
    for prog in programs[: max(budget, 0)]:
        yield Candidate(prog, "suchthat", "from name")
