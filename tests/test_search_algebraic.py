"""Decimal expansions of algebraic numbers: polynomials found from digits, isolation, programs checked on
digits far beyond those they were found from, and a real expansion held out and found by the loop."""

from __future__ import annotations

from math import isqrt

import testbed

from miner.lang import check_terms
from miner.lang.evaluator import evaluate
from miner.search.algebraic import algebraic_program, applies, find_polynomial, isolate, propose
from miner.search.types import SearchContext, Target


def root_digits(coeffs: list[int], lo: int, hi: int, count: int) -> list[int]:
    """The first `count` digits of the root of sum coeffs[i] x^i in [lo, hi] (a sign change there), by
    integer bisection at each scale: independent of the program under test."""
    def value(m: int, q: int) -> int:
        d = len(coeffs) - 1
        return sum(c * m**i * q ** (d - i) for i, c in enumerate(coeffs))

    scale = 10 ** (count - 1)
    a, b = lo * scale, hi * scale
    left = value(a, scale) > 0
    while b - a > 1:
        mid = (a + b) // 2
        if (value(mid, scale) > 0) == left:
            a = mid
        else:
            b = mid
    return [int(ch) for ch in str(a)]


SQRT2 = [int(ch) for ch in str(isqrt(2 * 10**398))]  # 1.414..., 200 digits


def test_square_root_of_two_from_forty_digits():
    assert root_digits([-2, 0, 1], 1, 2, 200) == SQRT2
    coeffs = find_polynomial(SQRT2[:40])
    assert coeffs in ((-2, 0, 1), (2, 0, -1))
    found = isolate(coeffs, SQRT2[:40])
    assert found is not None and found.u == 1 and found.j == 0
    assert evaluate(algebraic_program(found, 1), 200) == SQRT2


def test_cubic_and_small_numbers_at_any_offset():
    plastic = root_digits([-1, -1, 0, 1], 1, 2, 120)  # x^3 = x + 1: 1.3247...
    target = Target(1, "Decimal expansion of the plastic number.", tuple(plastic[:60]), 1)
    cands = list(propose(target, SearchContext(), 1, None))
    assert len(cands) == 1 and cands[0].strategy == "algebraic"
    assert evaluate(cands[0].program, 120) == plastic
    # (sqrt(5) - 1) / 2 = 0.618...: offset 0, the first digit after the point
    phi = root_digits([-1, 1, 1], 0, 1, 101)  # 100 digits: 6, 1, 8, ...
    golden = Target(2, "Decimal expansion of 1/phi.", tuple(phi[:50]), 0)
    assert evaluate(list(propose(golden, SearchContext(), 1, None))[0].program, 100) == phi


def test_high_roots_of_rationals():
    digits = root_digits([-11, *[0] * 10, 1], 1, 2, 90)  # 11th root of 11: beyond PSLQ's degrees
    target = Target(11295, "Decimal expansion of 11th root of 11.", tuple(digits[:80]), 1)
    cands = list(propose(target, SearchContext(), 1, None))
    assert cands and check_terms(cands[0].program, digits).ok


def test_isolation_skips_intervals_with_two_roots_or_a_root_at_an_end():
    # (x^2 - 2) (1000 x - 1415): roots 1.41421... and 1.415 share [1, 2] and [14, 15]/10; 1.415 ends
    # [1414, 1415]/1000, so the interval is [14142, 14143]/10^4
    coeffs = (2830, -2000, -1415, 1000)
    found = isolate(coeffs, SQRT2[:40])
    assert found is not None and (found.u, found.j) == (14142, 4)
    assert evaluate(algebraic_program(found, 1), 100) == SQRT2[:100]


def test_transcendental_and_other_sequences_get_nothing():
    pi = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8,
          8, 4, 1, 9, 7, 1, 6, 9, 3, 9, 9, 3, 7, 5, 1, 0, 5, 8, 2, 0, 9, 7, 4, 9, 4, 4, 5, 9, 2, 3, 0, 7, 8, 1, 6,
          4, 0, 6, 2, 8, 6, 2, 0, 8, 9, 9, 8, 6, 2, 8, 0, 3, 4, 8, 2, 5, 3, 4, 2, 1, 1, 7, 0, 6, 7]
    assert find_polynomial(pi) is None
    assert not applies(Target(3, "Primes.", (2, 3, 5, 7, 11, 13) * 5, 1))
    assert not applies(Target(4, "Decimal expansion of sqrt(2).", tuple(SQRT2[:15]), 1))  # too few digits
    assert not applies(Target(5, "Digits of sqrt(2).", tuple(SQRT2[:40]), 1))
    assert find_polynomial([0] * 30) is None
    # many leading zeros: the powers of x vanish at the working precision, and nothing is proposed wrongly
    tiny = tuple([0] * 25 + SQRT2[:40])
    for cand in propose(Target(6, "Decimal expansion of sqrt(2)/10^25.", tiny, -24), SearchContext(), 1, None):
        assert check_terms(cand.program, list(tiny)).ok
    # 20 digits confirm x^2 - 2 with a margin of 10 beyond its 3 coefficients, not with 15
    assert find_polynomial(SQRT2[:20], margin=10) is not None
    assert find_polynomial(SQRT2[:20], margin=15) is None
    assert find_polynomial(SQRT2[:19]) is None


def test_the_loop_finds_a_held_out_cube_root(tmp_path, real_data, sample_tarball):
    hidden = [10623]  # Decimal expansion of cube root of 52
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), hidden, size=30)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["algebraic"])
    assert set(found) >= set(hidden) and found[10623].strategy == "algebraic"
    assert check_terms(found[10623].code, list(sequences[10623].terms)).ok


def test_any_digits_give_a_checked_candidate_or_none():
    import random

    rng = random.Random(8)
    cases = [[rng.randrange(10) for _ in range(rng.randint(20, 90))] for _ in range(25)]
    cases += [[9] * 40, [1] + [0] * 39, [0] * 10 + [1] * 30, [0, 1] * 20, [1, 2, 3] * 15]
    for digits in cases:
        target = Target(7, "Decimal expansion of a constant.", tuple(digits), 0)
        for cand in propose(target, SearchContext(), 1, None):
            # a candidate is a real root: it reproduces the digits it came from (1/9 = 0.111... does)
            assert check_terms(cand.program, digits).ok, (digits, cand.note)
