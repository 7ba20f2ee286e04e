"""Quadratic forms named in names: the counting programs against a brute-force count over a box of vectors,
the q or q^2 reading the terms choose, names of other counts refused, and the loop storing one."""

from __future__ import annotations

import itertools

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.forms import parse_name, programs_for, propose
from miner.search.types import SearchContext, Target

N = 50


def brute(q, dimension: int, top: int, box: int = 16) -> list[int]:
    """r(m) for m = 0..top by trying every vector with coordinates in -box..box."""
    out = [0] * (top + 1)
    for v in itertools.product(range(-box, box + 1), repeat=dimension):
        m = q(v)
        if m <= top:
            out[m] += 1
    return out


def test_gram_matrices_and_polynomials_count_their_representations():
    cases = {
        "Theta series of quadratic form with Gram matrix [ 2, 1, 0; 1, 4, 1; 0, 1, 2 ].":
            brute(lambda v: 2 * v[0] ** 2 + 4 * v[1] ** 2 + 2 * v[2] ** 2 + 2 * v[0] * v[1] + 2 * v[1] * v[2], 3, N, 9),
        "Number of integer solutions to a^2 + b^2 + 2*c^2 + 13*d^2 = n.":
            brute(lambda v: v[0] ** 2 + v[1] ** 2 + 2 * v[2] ** 2 + 13 * v[3] ** 2, 4, N, 8),
        "Number of representations of n by the quadratic form x^2 + xy + y^2.":
            brute(lambda v: v[0] ** 2 + v[0] * v[1] + v[1] ** 2, 2, N),
        "Theta series of quadratic form x^2 + x*y + 11*y^2.":
            brute(lambda v: v[0] ** 2 + v[0] * v[1] + 11 * v[1] ** 2, 2, N),
    }
    for name, want in cases.items():
        assert parse_name(name) is not None, name
        progs = programs_for(Target(999001, name, tuple(want[:12]), 0))
        assert len(progs) == 1 and evaluate(progs[0], N) == want[:N], name
    assert cases["Number of representations of n by the quadratic form x^2 + xy + y^2."][1] == 6  # the hexagons


def test_the_right_side_and_the_terms_fix_which_values_are_counted():
    odd = brute(lambda v: v[0] ** 2 + 7 * v[1] ** 2, 2, 2 * N + 1)
    want = [odd[2 * n + 1] for n in range(N)]
    progs = programs_for(Target(1, "a(n) is the number of integer solutions of x^2 + 7*y^2 = 2*n + 1.", tuple(want[:20]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == want
    # An even lattice listed in powers of q^2 (norm/2), from offset 1: the other reading gives other terms.
    norms = brute(lambda v: 4 * v[0] ** 2 + 2 * v[0] * v[1] + 6 * v[1] ** 2, 2, 2 * N + 2)
    halves = [norms[2 * n] for n in range(1, N + 1)]
    name = "Theta series of quadratic form (or lattice) with Gram matrix [ 4, 1; 1, 6 ]."
    progs = programs_for(Target(1, name, tuple(halves[:20]), 1))
    assert len(progs) == 1 and evaluate(progs[0], N) == halves
    assert programs_for(Target(1, name, tuple(halves[:5]) + (halves[5] + 1,) + tuple(halves[6:20]), 1)) == []
    assert programs_for(Target(1, name, tuple(halves[:6]), 1)) == []  # too few terms to judge
    assert list(propose(Target(1, name, tuple(halves[:20]), 1), SearchContext(), 0, None)) == []


def test_names_of_other_counts_and_of_indefinite_forms_are_not_read():
    for name in ("Number of solutions to x^2 + y^2 + z^2 = n in positive integers.",
                 "Half of number of integer solutions to the equation x^2 + 3y^2 = n.",
                 "Number of integer solutions to x^2 - y^2 = n.",
                 "Number of integer solutions to x^2 + y^3 = n.",
                 "Theta series of quadratic form with Gram matrix [ 1, 2; 2, 1 ].",
                 "Theta series of quadratic form with Gram matrix [ 1, 0; 1, 2 ].",
                 "Numbers represented by quadratic form with Gram matrix [ 3, 1; 1, 5 ].",
                 "Number of integer solutions to a^2 + b^2 + c^2 + d^2 + e^2 + f^2 = n."):
        assert parse_name(name) is None, name


def test_the_loop_stores_a_named_form(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    name = "Number of integer solutions to a^2 + 2*b^2 + 5*c^2 + 9*d^2 = n."
    want = brute(lambda v: v[0] ** 2 + 2 * v[1] ** 2 + 5 * v[2] ** 2 + 9 * v[3] ** 2, 4, 40, 7)
    sequences[999001] = SequenceRecord(999001, name, want, 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["forms"])
    assert found[999001].strategy == "forms"
