"""Euler transforms of periodic sequences: fits from terms, programs checked beyond the terms they were
fitted on, and real eta quotients held out of the corpus found by the mining loop."""

from __future__ import annotations

import random
from math import comb

import testbed

from miner.lang import Corpus, check_terms
from miner.lang.evaluator import evaluate
from miner.search.combine import build_matrix
from miner.search.euler import euler_program, find_period, fit, fit_known, inverse_euler, propose
from miner.search.types import SearchContext, Target


def product_series(b, count: int) -> list[int]:
    """[x^0..x^(count-1)] prod_{k>=1} (1 - x^k)^(-b(k)), multiplied out factor by factor (no Euler recurrence)."""
    out = [1] + [0] * (count - 1)
    for k in range(1, count):
        e = b(k)
        # (1 - x^k)^(-e) = sum_j binom(e + j - 1, j) x^(jk) for any integer e
        coeffs, c = [1], 1
        for j in range(1, (count - 1) // k + 1):
            c = c * (e + j - 1) // j
            coeffs.append(c)
        new = [0] * count
        for i, v in enumerate(out):
            if v:
                for j, cj in enumerate(coeffs):
                    if i + j * k >= count:
                        break
                    new[i + j * k] += v * cj
        out = new
    return out


PARTITIONS = [1, 1, 2, 3, 5, 7, 11, 15, 22, 30, 42, 56, 77, 101, 135, 176, 231, 297, 385, 490]


def test_inverse_transform_of_known_products():
    assert inverse_euler(PARTITIONS) == [1] * 19
    assert product_series(lambda k: 1, 20) == PARTITIONS
    pentagonal = product_series(lambda k: -1, 30)
    assert pentagonal[:8] == [1, -1, -1, 0, 0, 1, 0, 1]
    assert inverse_euler(pentagonal) == [-1] * 29
    assert inverse_euler([1, 1, 1, 1]) == [1, 0, 0]
    assert inverse_euler([1, 1, 0, 1]) == [1, -1, 1]  # (1 + x) / (1 - x^3)


def test_programs_agree_with_the_product_beyond_the_fitted_terms():
    rng = random.Random(5)
    for _ in range(12):
        p = rng.randint(1, 8)
        values = [rng.randint(-4, 4) for _ in range(p)]
        values[rng.randrange(p)] = rng.choice([-3, 3])  # never all zero
        series = product_series(lambda k: values[k % p], 70)
        zeros, scale, offset = rng.randint(0, 3), rng.choice([1, -1, 2, -6]), rng.randint(-1, 2)
        known = [0] * zeros + [scale * t for t in series[:40]]
        f = fit(known, max_period=12, margin=6)
        assert f is not None, (values, zeros, scale)
        assert (f.zeros, f.scale) == (zeros, scale)
        # the shortest period: values may repeat with a period dividing p
        assert all(b_of(f, k) == values[k % p] for k in range(1, 40)) and len(f.newton) == 1
        program = euler_program(f, offset)
        assert program.offset == offset
        # 30 terms past the 40 it was fitted on
        assert evaluate(program, zeros + 70) == [0] * zeros + [scale * t for t in series]


def b_of(f, k: int) -> int:
    return sum(row[k % f.period] * comb(k // f.period, j) for j, row in enumerate(f.newton))


def test_a_few_exceptions_before_the_period():
    # three kinds of 1, 2, 3 and 4 and two kinds of 5, 6, ... (A000711); seven kinds of 1 (A320694's shape)
    for b, head in ((lambda k: 3 if k <= 4 else 2, [3, 3, 3, 3]), (lambda k: 7 if k == 1 else 1, [7]),
                    (lambda k: [5, -2, 4][k - 1] if k <= 3 else (1 if k % 2 else 0), [5, -2, 4])):
        series = product_series(b, 90)
        f = fit(series[:45], max_period=12, margin=6)
        assert f is not None and list(f.head) == head
        assert evaluate(euler_program(f, 0), 90) == series
    assert fit(product_series(lambda k: 3 if k <= 4 else 2, 14), max_period=12, margin=6) is None  # too few


def test_exponents_polynomial_in_k_on_each_residue_class():
    shapes = [lambda k: k,  # plane partitions
              lambda k: k * (3 * k - 1) // 2,
              lambda k: k ** 3 - 2 * k,
              lambda k: (k * k if k % 3 == 1 else -k) if k % 3 else 2,
              lambda k: 3 * k + 1,
              lambda k: k + (-1) ** k,
              lambda k: -(k // 2) if k % 2 == 0 else 0,  # (1 - x^(2k))^k: a step of 1 per period
              lambda k: (2 * k + 1) * (k % 2) - (k % 2 == 0) * (2 * k + 1)]
    for b in shapes:
        series = product_series(b, 60)
        f = fit(series[:36], max_period=24, margin=6)
        assert f is not None
        assert [b_of(f, k) for k in range(1, 60)] == [b(k) for k in range(1, 60)]
        assert evaluate(euler_program(f, 1), 60) == series
    assert product_series(lambda k: k, 8) == [1, 1, 3, 6, 13, 24, 48, 86]  # A000219


def test_no_fit_without_a_margin_or_a_period():
    series = product_series(lambda k: (2, -1, 0, 3, 1)[k % 5], 30)
    assert fit(series[:16], max_period=24, margin=6) is None  # 2*5 + 6 values of b need 17 terms
    assert fit(series[:17], max_period=24, margin=6) is not None
    assert fit(series, max_period=4, margin=6) is None
    fibonacci = [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765]
    assert fit(fibonacci) is None
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73]
    assert fit(primes) is None
    assert fit([0] * 30) is None
    assert fit([5] + [0] * 30) is None
    assert fit([0] * 25 + PARTITIONS) is None  # more leading zeros than the program's cells allow
    assert find_period([1, 2, 1, 2, 1, 2, 1, 2, 1], 4, 6) is None  # period 2 needs 2*2 + 6 values
    assert find_period([1, 2] * 6, 4, 6) == ((2, 1),)
    # b(k) = k needs 2*2 + 6 values; with fewer, the shortest period of what is known would be a guess
    assert find_period(list(range(1, 10)), 4, 6) is None
    assert find_period(list(range(1, 11)), 4, 6) == ((0,), (1,))
    assert find_period([k * k for k in range(1, 13)], 6, 6) == ((0,), (1,), (2,))


def test_exponents_that_are_a_known_sequence(real_data, sample_tarball):
    records = testbed.read_oeis(real_data / "oeis", {40, 45})
    known = {a: Target(a, r.name, tuple(r.terms), r.offset) for a, r in records.items()}
    corpus = Corpus(testbed.read_corpus(sample_tarball))
    matrix = build_matrix(known)
    primes, fib = records[40].terms, records[45].terms  # offsets 1 and 0
    # b(1) is the callee's first term or its term 1: prime(k), and Fibonacci(k) from an offset 0
    for b, callee, first in ((lambda k: primes[k - 1], 40, 1), (lambda k: fib[k], 45, 1)):
        series = product_series(b, 45)
        f = fit_known(series[:30], known, matrix)
        assert f is not None and (f.callee, f.first) == (callee, first)
        assert fit(series[:30]) is None  # no period, no polynomial
        assert evaluate(euler_program(f, 0), 45, corpus) == series  # 15 terms past the fitted ones
        target = Target(999001, "Expansion of a product.", tuple(series[:30]), 0)
        cands = list(propose(target, SearchContext(corpus=corpus, known=known), 1, None))
        assert len(cands) == 1 and f"A{callee:06d}" in cands[0].note
        # without the callee's program there is nothing to call
        assert list(propose(target, SearchContext(corpus=corpus.without({callee}), known=known), 1, None)) == []
    # b an affine image of a known sequence: (1 - x^k)^prime(k), and 3 F(k) + 2
    for b, callee, coeffs in ((lambda k: -primes[k - 1], 40, (-1, 0, 1)), (lambda k: 3 * fib[k] + 2, 45, (3, 2, 1))):
        series = product_series(b, 45)
        f = fit_known(series[:30], known, matrix)
        assert f is not None and f.callee == callee and (f.mul, f.add, f.den) == coeffs
        assert evaluate(euler_program(f, 0), 45, corpus) == series
    # too few values of b to compare: the matrix's 20 looked up + a margin of 6 are needed
    assert fit_known(product_series(lambda k: primes[k - 1], 45)[:26], known, matrix) is None
    assert fit_known(product_series(lambda k: primes[k - 1], 45)[:27], known, matrix) is not None


def test_propose_is_one_candidate_within_the_budget():
    target = Target(41, "a(n) is the number of partitions of n.", tuple(PARTITIONS), 0)
    cands = list(propose(target, SearchContext(settings={"euler_max_period": 24, "euler_margin": 6}), 1, None))
    assert len(cands) == 1 and cands[0].strategy == "euler" and "period=1" in cands[0].note
    assert check_terms(cands[0].program, PARTITIONS).ok
    assert list(propose(target, SearchContext(), 0, None)) == []


def test_real_eta_quotients(real_data):
    """Real sequences whose g.f. is an eta quotient or a product: every fit reproduces every known term."""
    records = testbed.read_oeis(real_data / "oeis", {10821, 124815, 2171, 6353, 50470, 14970})
    for a, rec in records.items():
        f = fit(rec.terms)
        assert f is not None, a
        assert check_terms(euler_program(f, rec.offset), list(rec.terms)).ok, a


# A010821 (prod (1 - x^k)^14) and A124815 (an eta quotient with offset 1, period 12) held out.
HIDDEN = [10821, 124815]


def test_the_loop_finds_held_out_eta_quotients(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), HIDDEN, size=40)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["euler"])
    assert set(HIDDEN) <= set(found)
    for a in HIDDEN:
        assert found[a].strategy == "euler"
        assert check_terms(found[a].code, list(sequences[a].terms)).ok


def test_any_terms_give_a_checked_candidate_or_none():
    rng = random.Random(4)
    cases = [[rng.randint(-10**rng.randint(0, 30), 10**rng.randint(0, 30)) for _ in range(rng.randint(0, 60))]
             for _ in range(150)]
    cases += [[0] * 40, [1] * 40, [7] + [0] * 30, [0] * 19 + [2] + [0] * 20, [-3] * 40, [1, -1] * 20]
    for terms in cases:
        for cand in propose(Target(1, "x", tuple(terms), 0), SearchContext(), 1, None):
            assert check_terms(cand.program, terms).ok, terms
