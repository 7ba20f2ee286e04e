"""Coordination sequences of lattices a name states, part of `recurrence`: "Coordination sequence for D_12
lattice.", "... for 7-dimensional cubic lattice", "... for lattice D*_40 (with edges defined by l_1 norm = 1)".
Their g.f.s are N(x)/(1-x)^n by theorem (Conway and Sloane, Low-dimensional lattices VII; Bacher, de la Harpe
and Venkov), of order n, beyond what the data's terms fix once n passes a dozen; the coefficients are computed in
Python and `recurrence` fits the denominator as the recurrence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from math import comb

_ROOT = re.compile(r"^Coordination sequence for (?:the )?(?P<kind>[ABCD])_(?P<n>\d+) lattice\.?$")
_ROOT_B = re.compile(r"^Coordination sequence for (?:the )?root lattice B_(?P<n>\d+)\.?$")
_CUBIC = re.compile(r"^Coordination sequence for (?:the )?(?P<n>\d+)-dimensional cubic lattice\b")
_DUAL_D = re.compile(r"^Coordination sequence for (?:the )?lattice D\*_(?P<n>\d+) \(with edges defined by l_1 norm = 1\)\.?$")
_DIAMOND = re.compile(r"^Coordination sequence for (?:the )?diamond structure D\^\+_(?P<n>\d+)\.? "
                      r"\(Edges defined by l_1 norm = 1\.?\)\.?$")
MAX_DIMENSION = 100


def _series(numerator: list[int], power: int, count: int) -> list[int]:
    """The first `count` coefficients of numerator(x) / (1-x)^power."""
    return [sum(c * comb(m - i + power - 1, power - 1) for i, c in enumerate(numerator[: m + 1])) for m in range(count)]


def _shift_sub(numerator: list[int], poly: list[int]) -> list[int]:
    """numerator(x) - x * poly(x)."""
    out = numerator + [0] * max(0, len(poly) + 1 - len(numerator))
    for i, c in enumerate(poly):
        out[i + 1] -= c
    return out


def _binomials(n: int) -> list[int]:
    return [comb(n, i) for i in range(n + 1)]


def cubic(n: int, count: int) -> list[int]:
    """Z^n, edges the unit vectors: ((1+x)/(1-x))^n."""
    return _series(_binomials(n), n, count)


def root_a(n: int, count: int) -> list[int]:
    return _series([comb(n, k) ** 2 for k in range(n + 1)], n, count)


def root_b(n: int, count: int) -> list[int]:
    odd = [comb(2 * n + 1, 2 * k) for k in range(n + 1)]
    return _series(_shift_sub(odd, [2 * n * c for c in _binomials(n - 1)]), n, count)


def root_c(n: int, count: int) -> list[int]:
    return _series([comb(2 * n, 2 * k) for k in range(n + 1)], n, count)


def root_d(n: int, count: int) -> list[int]:
    even = [comb(2 * n, 2 * k) for k in range(n + 1)]
    return _series(_shift_sub(even, [2 * n * c for c in _binomials(n - 2)]), n, count)


def _half_coset(n: int, count: int, signs: int) -> list[int]:
    """Points of Z^n + (1/2, ..., 1/2) with l_1 norm m (n even), `signs` of the 2^n sign patterns allowed."""
    return [signs * comb(m - n // 2 + n - 1, n - 1) if m >= n // 2 else 0 for m in range(count)]


def dual_d(n: int, count: int) -> list[int]:
    """D*_n = Z^n and its half-integer coset, shells by l_1 norm."""
    return [a + b for a, b in zip(cubic(n, count), _half_coset(n, count, 2 ** n))]


def diamond(n: int, count: int) -> list[int]:
    """D^+_n = D_n and its half-integer coset, shells by l_1 norm: D_n's points are Z^n's of even norm, and a
    coset point's sign pattern is allowed when its D_n part has even sum, half of them."""
    return [(a if m % 2 == 0 else 0) + b
            for m, (a, b) in enumerate(zip(cubic(n, count), _half_coset(n, count, 2 ** (n - 1))))]


_KINDS: dict[str, Callable[[int, int], list[int]]] = {"A": root_a, "B": root_b, "C": root_c, "D": root_d}


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named lattice's coordination sequence from n = offset on, `count` terms; None unless a name states one."""
    name = name.strip()
    found: tuple[Callable[[int, int], list[int]], int] | None = None
    if m := _ROOT.match(name):
        found = _KINDS[m["kind"]], int(m["n"])
    elif m := _ROOT_B.match(name):
        found = root_b, int(m["n"])
    elif m := _CUBIC.match(name):
        found = cubic, int(m["n"])
    elif (m := _DUAL_D.match(name)) and int(m["n"]) % 2 == 0:
        found = dual_d, int(m["n"])
    elif (m := _DIAMOND.match(name)) and int(m["n"]) % 2 == 0:
        found = diamond, int(m["n"])
    if found is None or offset < 0:
        return None
    count_of, n = found
    if not 2 <= n <= MAX_DIMENSION:
        return None
    return count_of(n, offset + count)[offset:]
