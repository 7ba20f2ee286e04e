"""Infinite products named in g.f.s: the factors read, programs against series multiplied out directly (and
raised to rational powers by J.C.P. Miller's recurrence) far past the known terms, wrong terms refused, and
the loop storing one."""

from __future__ import annotations

from fractions import Fraction

import testbed

from miner.lang.corpus import Corpus
from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.products import parse_name, programs_for, propose
from miner.search.types import SearchContext, Target

N = 40


def times(p: list[Fraction], q: list[Fraction]) -> list[Fraction]:
    return [sum((p[i] * q[n - i] for i in range(n + 1)), Fraction(0)) for n in range(N)]


def power(p: list[Fraction], alpha: Fraction) -> list[Fraction]:
    """p^alpha for p(0) = 1, by Miller's recurrence n q(n) = sum_k (alpha k - n + k) p(k) q(n-k)."""
    q = [Fraction(1)]
    for n in range(1, N):
        q.append(sum((alpha * k - n + k) * p[k] * q[n - k] for k in range(1, n + 1)) / n)
    return q


def binomial_factor(sign: int, coef: int, m: int) -> list[Fraction]:
    """1 + sign*coef*x^m, truncated."""
    out = [Fraction(0)] * N
    out[0] = Fraction(1)
    if m < N:
        out[m] += sign * coef
    return out


def product(factors) -> list[int]:
    """prod over (sign, coef, m, exponent) of (1 + sign*coef*x^m)^exponent, multiplied out."""
    series = [Fraction(1)] + [Fraction(0)] * (N - 1)
    for sign, coef, m, exponent in factors:
        if m < N:
            series = times(series, power(binomial_factor(sign, coef, m), Fraction(exponent)))
    assert all(v.denominator == 1 for v in series)
    return [int(v) for v in series]


PRIMES = [p for p in range(2, 200) if all(p % d for d in range(2, p))]
CASES = [
    ("Expansion of Product_{k>=1} ((1+x^k)/(1-x^k))^k.",
     [f for k in range(1, N) for f in ((1, 1, k, k), (-1, 1, k, -k))]),
    ("Expansion of Product_{k>=1} (1 - k*x^k)^k.", [(-1, k, k, k) for k in range(1, N)]),
    ("Expansion of Product_{k>=2} 1/(1 + x^(k^2)).", [(1, 1, k * k, -1) for k in range(2, N)]),
    ("Expansion of Product_{k>=1} (1 + x^k)/(1 - 2*x^k).", [f for k in range(1, N) for f in ((1, 1, k, 1), (-1, 2, k, -1))]),
    ("Expansion of Product_{k>=1} ((1 + (9*x)^k) / (1 - (9*x)^k))^(1/3).",
     [f for k in range(1, N) for f in ((1, 9**k, k, Fraction(1, 3)), (-1, 9**k, k, Fraction(-1, 3)))]),
    ("Expansion of Product_{k>0} (1-k^2*x^k)^(-1/k).", [(-1, k * k, k, Fraction(-1, k)) for k in range(1, N)]),
    ("Expansion of Product_{k>=1} (1 - x^prime(k))^prime(k).", [(-1, 1, p, p) for p in PRIMES]),
    ("G.f.: Product_{m>=1} (1-m*q^m)^-13.", [(-1, m, m, -13) for m in range(1, N)]),
]


def test_names_read_as_products():
    p = parse_name("Expansion of Product_{k>=1} ((1+x^k)/(1-x^k))^(sigma(k)).")
    assert p is not None and p.first == 1 and [f.sign for f in p.factors] == [1, -1]
    assert parse_name("Expansion of Product_{k>0} (1-k^2*x^k)^(-1/k).").first == 1
    assert parse_name("Expansion of Product_{k>=2} 1/(1 + x^{F_k}) where F_k are the Fibonacci numbers.") is not None
    assert parse_name("Expansion of Product_{k>=1} (1 + x^k)^2 - 1.") is None
    assert parse_name("Expansion of Sum_{k>=1} x^k/(1 - x^k).") is None
    assert parse_name("Expansion of Product_{k>=1} (1 + x^k + x^(2*k)).") is None


def test_programs_give_the_product_far_past_the_known_terms(sample_tarball):
    corpus = Corpus.from_path(sample_tarball)
    for name, factors in CASES:
        want = product(factors)
        progs = programs_for(Target(999001, name, tuple(want[:12]), 0), corpus)
        assert len(progs) == 1, name
        assert evaluate(progs[0], N, corpus=corpus) == want, name
    # listed from offset 1 with a(1) the constant term, or from offset 1 with a(1) the coefficient of x
    want = product(CASES[1][1])
    name = CASES[1][0]
    assert evaluate(programs_for(Target(1, name, tuple(want[:12]), 1))[0], 30) == want[:30]
    assert evaluate(programs_for(Target(1, name, tuple(want[1:13]), 1))[0], 30) == want[1:31]


def test_terms_the_product_does_not_give_get_no_program():
    want = product(CASES[2][1])
    name = CASES[2][0]
    assert programs_for(Target(1, name, tuple(want[:9]) + (want[9] + 1,), 0)) == []
    assert programs_for(Target(1, name.replace("k>=2", "k>=3"), tuple(want[:12]), 0)) == []
    assert programs_for(Target(1, name, tuple(want[:4]), 0)) == []  # too few to go on
    assert list(propose(Target(1, name, tuple(want[:12]), 0), SearchContext(), 0, None)) == []


def test_the_loop_stores_a_named_product(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    name, factors = CASES[3]
    sequences[999001] = SequenceRecord(999001, name, product(factors)[:30], 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["products"])
    assert found[999001].strategy == "products"
