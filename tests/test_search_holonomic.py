"""Holonomic (P-recursive) recurrence synthesis on real OEIS terms, checked with the real evaluator."""

from __future__ import annotations

from math import comb, factorial
from pathlib import Path

import pytest
import testbed

from miner.lang import check_terms, format_a_number, format_program, parse_a_number
from miner.search.holonomic import (Holonomic, _has_root_from, find_holonomic, holonomic_program, propose,
                                    reproduces, shapes)
from miner.search.types import SearchContext, Target

# Catalan, Motzkin, factorials, derangements, involutions, central binomials, Schroeder, primes.
IDS = {"A000108", "A001006", "A000142", "A000166", "A000085", "A000984", "A006318", "A000040"}


@pytest.fixture(scope="module")
def real(real_data: Path) -> dict[str, tuple[tuple[int, ...], int]]:
    """Known terms and offsets of the sequences above, from stripped.gz and offsets.gz."""
    records = testbed.read_oeis(real_data / "oeis", {parse_a_number(a) for a in IDS})
    return {format_a_number(a): (tuple(r.terms), r.offset) for a, r in records.items()}


@pytest.mark.parametrize("a_number,order", [("A000108", 1), ("A001006", 2), ("A000142", 1),
                                            ("A000166", 2), ("A000085", 2), ("A000984", 1),
                                            ("A006318", 2)])
def test_real_p_recursive_sequences(real, a_number, order):
    terms, offset = real[a_number]
    cands = list(propose(Target(int(a_number[1:]), "", terms, offset), SearchContext(), 5, None))
    assert len(cands) == 1 and cands[0].strategy == "holonomic"
    assert f"order={order}" in cands[0].note
    result = check_terms(cands[0].program, list(terms))
    assert result.ok, (format_program(cands[0].program), result)
    assert len(terms) >= 20


def test_primes_have_none(real):
    assert find_holonomic(real["A000040"][0]) == []


def test_catalan_coefficients_and_program_shape(real):
    rec = find_holonomic(real["A000108"][0])[0]
    # (k+1) a(k) = (4k-2) a(k-1) for k counted from 0.
    assert rec.polys == ((1, 1), (2, -4)) and rec.inhom == () and rec.initial == (1,)
    text = format_program(holonomic_program(rec, 0))
    assert "div $" in text and "lpb $0" in text


def test_inhomogeneous_term_and_offset():
    # a(n) = 3 a(n-1) + n^2 from a(1) = 1: needs q(k), shorter than the order-4 constant-coefficient form.
    seq = [1]
    for n in range(2, 30):
        seq.append(3 * seq[-1] + n * n)
    rec = find_holonomic(seq)[0]
    assert rec.order == 1 and len(rec.inhom) == 3
    program = holonomic_program(rec, 1)
    assert program.offset == 1
    assert check_terms(program, seq).ok


def test_margin_is_required():
    # n! * (n+2) for 14 terms: order 1 degree 1 needs 4 unknowns; 13 equations leave a margin of 10.
    seq = [factorial(n) * (n + 2) for n in range(14)]
    assert find_holonomic(seq, margin=6)
    assert find_holonomic(seq[:8], margin=6) == []
    # Random-looking data has no fit at all.
    assert find_holonomic((3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4)) == []


def test_root_of_leading_coefficient_is_rejected():
    # k a(k) = 0 * a(k-1) would divide by zero at k = 0 only if it were used there; p0 = k - 3 vanishes
    # at k = 3, inside the range the program computes, so such a recurrence must never be emitted.
    rec = Holonomic(((-3, 1), (0, 0)), (), (5,))
    assert not reproduces(rec, (5, 0, 0, 0, 0, 0))
    # Roots are found exactly, also when coefficients are far too large to scan up to.
    assert _has_root_from((-10 ** 70, 1), 1) and not _has_root_from((10 ** 70 + 1, 0, 1), 1)
    assert _has_root_from((-6, 1, 1), 2) and not _has_root_from((-6, 1, 1), 3)
    seq = [comb(2 * n, n) for n in range(25)]
    for found in find_holonomic(seq, limit=3):
        p0 = found.polys[0]
        assert all(sum(c * k ** j for j, c in enumerate(p0)) != 0 for k in range(found.order, 200))


def test_shapes_order_and_exclusion():
    s = shapes(2, 1, 0)
    assert (1, 0, -1) not in s and (2, 0, -1) not in s  # left to the linear recurrence strategy
    sizes = [(r + 1) * (d + 1) + e + 1 for r, d, e in s]
    assert sizes == sorted(sizes)
