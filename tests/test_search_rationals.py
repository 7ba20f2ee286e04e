"""Numerators and denominators of rational expressions in n, checked against Python's exact fractions."""

from __future__ import annotations

from fractions import Fraction
from math import comb, factorial

import pytest

from miner.lang import check_terms
from miner.search.formula import programs_from_name
from miner.search.rationals import parse_name


def _h(n: int, power: int = 1) -> Fraction:
    return sum((Fraction(1, k ** power) for k in range(1, n + 1)), Fraction(0))


@pytest.mark.parametrize("name,value,offset", [
    ("a(n) = denominator of Sum_{k=1..n} 1/k^2.", lambda n: _h(n, 2).denominator, 1),
    ("Numerator of Sum_{k=0..n} (-1)^k/(2*k+1).",
     lambda n: sum(Fraction((-1) ** k, 2 * k + 1) for k in range(n + 1)).numerator, 0),
    ("Denominator of n^(n-2)/n!.", lambda n: (Fraction(n) ** (n - 2) / factorial(n)).denominator, 1),
    # the quotient named as b(n) (A072972)
    ("Numerator of b(n) = (50*n-6)/(binomial(3n,n)*2^n).", lambda n: Fraction(50 * n - 6, comb(3 * n, n) * 2 ** n).numerator, 0),
    ("Numerator of n*(n+5)/((n+2)*(n+3)).", lambda n: Fraction(n * (n + 5), (n + 2) * (n + 3)).numerator, 0),
    ("Denominators of Sum_{i=1..n} i/2^i.",
     lambda n: sum((Fraction(i, 2 ** i) for i in range(1, n + 1)), Fraction(0)).denominator, 1),
    ("Numerator of Sum_{k=1..n} k^(-4).", lambda n: _h(n, 4).numerator, 1),
    ("a(n) = numerator(Product_{k=1..n} (2*k-1)/(2*k)).",
     lambda n: Fraction(factorial(2 * n), 4 ** n * factorial(n) ** 2).numerator, 0),
    # a negative divisor: the denominator stays positive and the sign goes to the numerator
    ("Numerator of (n+1)/(3-n) - 1/(n+10).", lambda n: (Fraction(n + 1, 3 - n) - Fraction(1, n + 10)).numerator, 4),
    ("Denominator of Sum_{k=0..n} 1/binomial(n,k).",
     lambda n: sum(Fraction(1, comb(n, k)) for k in range(n + 1)).denominator, 0),
])
def test_numerators_and_denominators_are_exact(name, value, offset):
    terms = [value(n) for n in range(offset, offset + 30)]
    programs = programs_from_name(name, offset)
    assert any(check_terms(p, terms).ok for p in programs), name


def test_what_is_not_a_rational_expression_in_n():
    assert parse_name("Numerator of Bernoulli number B_n.") is None
    assert parse_name("Numerators of continued fraction convergents to sqrt(5).") is None
    # an integer expression has no fraction to take a part of
    assert programs_from_name("Numerator of n^2 + 1.") == []
    assert parse_name("Denominator of n*(n-2)*(2*n-1)/(2*(n-1)).") is not None
