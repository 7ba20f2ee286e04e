"""Coxeter groups named in names: reading the group, the series against the groups built from their
Cartan matrices (elements counted by length), programs far past the known terms, and the loop storing one."""

from __future__ import annotations

import random

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.coxeter import (Cyclotomic, Relations, Series, coefficients, degrees, parse_name, programs_for, propose,
                                  relation_terms)
from miner.search.types import SearchContext, Target


def cartan(kind: str, rank: int, affine: bool = False) -> list[list[int]]:
    """The Cartan matrix of kind_rank, or of its affine extension (node 0 added)."""
    nodes = rank + 1 if affine else rank
    a = [[2 if i == j else 0 for j in range(nodes)] for i in range(nodes)]

    def bond(i: int, j: int, ij: int = -1, ji: int = -1) -> None:
        a[i][j], a[j][i] = ij, ji

    base = 1 if affine else 0
    for i in range(rank - 1):
        bond(base + i, base + i + 1)
    last = base + rank - 1
    if kind == "B":
        bond(last - 1, last, -2, -1)
    if kind == "D":
        a[last - 1][last] = a[last][last - 1] = 0
        bond(last - 2, last)
    if affine and kind == "A":
        bond(0, 1)
        bond(0, last)
    if affine and kind == "C":  # 0 => 1 - ... - rank-1 <= rank
        bond(0, 1, -1, -2)
        bond(last - 1, last, -1, -2)
    return a


def lengths(matrix: list[list[int]], count: int) -> list[int]:
    """How many elements of the group the Cartan matrix gives have length 0, 1, ..., count - 1: a
    breadth-first search over the elements as integer matrices of the reflection representation."""
    n = len(matrix)

    def reflect(element: tuple[tuple[int, ...], ...], i: int) -> tuple[tuple[int, ...], ...]:
        rows = [list(r) for r in element]
        rows[i] = [rows[i][c] - sum(matrix[i][j] * element[j][c] for j in range(n)) for c in range(n)]
        return tuple(tuple(r) for r in rows)

    identity = tuple(tuple(int(i == j) for j in range(n)) for i in range(n))
    seen, layer, out = {identity}, [identity], []
    for _ in range(count):
        out.append(len(layer))
        nxt = []
        for element in layer:
            for i in range(n):
                other = reflect(element, i)
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        layer = nxt
    return out


def test_names_read_as_coxeter_groups():
    assert parse_name("Number of reduced words of length n in the Weyl group D_9.") == [Series(degrees("D", 9), True, None)]
    assert degrees("D", 9) == (2, 4, 6, 8, 9, 10, 12, 14, 16)
    assert parse_name("Growth series for affine Coxeter group (or affine Weyl group) D_12.")[0].shift == -1
    assert parse_name("Growth series for affine Coxeter group B_8.") == [Series(degrees("B", 8), True, -1)]
    assert parse_name("The growth series for the affine Weyl group E_7.")[0].degrees == (2, 6, 8, 10, 12, 14, 18)
    molien = parse_name("Molien series for Weyl group E_8.")
    assert [m.degrees for m in molien] == [(2, 8, 12, 14, 18, 20, 24, 30), (1, 4, 6, 7, 9, 10, 12, 15)]
    assert parse_name("Number of reduced words of length n in Coxeter group on 4 generators S_i with relations "
                      "(S_i)^2 = (S_i S_j)^7 = I.") == [Relations(4, 7)]
    assert parse_name("Number of reduced words of length n in Coxeter group on 4 generators S_i with relations "
                      "(S_i)^3 = (S_i S_j)^7 = I.") == []
    assert parse_name("Number of reduced words of length n in the Weyl group K_3.") == []


def cyclotomic(n: int) -> list[int]:
    """Phi_n's coefficients by dividing x^n - 1 by Phi_d for every proper divisor d (an independent route)."""
    num = [-1] + [0] * (n - 1) + [1]
    for d in range(1, n):
        if n % d == 0:
            den, quotient = cyclotomic(d), [0] * (len(num) - len(cyclotomic(d)) + 1)
            for i in range(len(quotient) - 1, -1, -1):
                quotient[i] = num[i + len(den) - 1] // den[-1]
                for j, c in enumerate(den):
                    num[i + j] -= quotient[i] * c
            assert not any(num[:len(den) - 1])
            num = quotient
    return num


def test_cyclotomic_polynomials_and_their_inverses():
    assert parse_name("341st cyclotomic polynomial.") == [Cyclotomic(341, False)]
    assert parse_name("Inverse of 30th cyclotomic polynomial.") == [Cyclotomic(30, True)]
    assert parse_name("1st cyclotomic polynomial.") == []
    for n in (2, 6, 30, 105, 340):
        phi = cyclotomic(n)
        count = len(phi) + 40
        want = phi + [0] * 40
        assert coefficients(Cyclotomic(n, False), count) == want
        inverse = coefficients(Cyclotomic(n, True), count)
        product = [sum(phi[j] * inverse[i - j] for j in range(min(i, len(phi) - 1) + 1)) for i in range(count)]
        assert product == [1] + [0] * (count - 1)
        # (Phi_105 has a coefficient -2) shown 20 terms of each, the programs give all of them
        for reading, terms in ((Cyclotomic(n, False), want), (Cyclotomic(n, True), inverse)):
            name = ("Inverse of " if reading.inverse else "") + f"{n}th cyclotomic polynomial."
            progs = programs_for(Target(1, name, tuple(terms[:20]), 0))
            assert len(progs) == 1 and evaluate(progs[0], count) == terms, name


def test_series_count_the_elements_by_length():
    for kind, rank in (("A", 3), ("A", 4), ("B", 3), ("B", 4), ("D", 4), ("D", 5)):
        count = sum(degrees(kind, rank)) - rank + 1  # the longest element's length plus one
        assert coefficients(Series(degrees(kind, rank), True, None), count) == lengths(cartan(kind, rank), count), (kind, rank)
    # affine groups: A~2, A~3 and C~2 (whose finite group B_2 = C_2 has the same degrees)
    for kind, rank, finite in (("A", 2, "A"), ("A", 3, "A"), ("C", 2, "B")):
        got = coefficients(Series(degrees(finite, rank), True, -1), 9)
        assert got == lengths(cartan(kind, rank, affine=True), 9), (kind, rank)


def test_relations_count_the_elements_by_length():
    # (S_i S_j)^k = I for every pair: a Cartan matrix with a_ij * a_ji = 1 (k = 3), 2 (k = 4) or 3 (k = 6)
    for generators, k, product in ((3, 3, 1), (4, 3, 1), (3, 4, 2), (5, 4, 2), (3, 6, 3)):
        matrix = [[2 if i == j else (-product if i < j else -1) for j in range(generators)] for i in range(generators)]
        count = 10 if generators == 3 else 7  # the group has about (generators - 1)^n elements of length n
        assert relation_terms(generators, k, count) == lengths(matrix, count), (generators, k)


def test_relations_part_from_the_free_product_at_k():
    free = [1] + [36 * 35 ** (n - 1) for n in range(1, 40)]
    terms = relation_terms(36, 26, 40)
    assert terms[:26] == free[:26] and terms[26] != free[26]
    name = "Number of reduced words of length n in Coxeter group on 36 generators S_i with relations (S_i)^2 = (S_i S_j)^26 = I."
    progs = programs_for(Target(169145, name, tuple(terms[:16]), 0))
    assert len(progs) == 1 and evaluate(progs[0], 40) == terms
    assert evaluate(programs_for(Target(1, name, tuple(terms[:16]), 1))[0], 30) == terms[:30]  # t^0 first


def test_programs_give_terms_past_the_known_ones():
    for name, series, shown, count in (
            ("Number of reduced words of length n in the Weyl group B_5.", Series(degrees("B", 5), True, None), 12, 30),
            ("Growth series for affine Coxeter group (or affine Weyl group) D_6.", Series(degrees("D", 6), True, -1), 15, 40),
            ("Molien series for invariants of finite Coxeter group A_4.", Series(degrees("A", 4), False, 0), 15, 40)):
        full = coefficients(series, count)
        progs = programs_for(Target(999001, name, tuple(full[:shown]), 0))
        assert progs, name
        assert evaluate(progs[0], count) == full, name
    # at offset 1 the first term is t^0's
    full = coefficients(Series(degrees("A", 5), True, None), 16)
    assert evaluate(programs_for(Target(1, "Number of reduced words of length n in the Weyl group A_5.", tuple(full[:10]), 1))[0], 16) == full


def test_terms_the_group_does_not_give_get_no_program():
    name = "Number of reduced words of length n in the Weyl group B_6."
    full = coefficients(Series(degrees("B", 6), True, None), 20)
    assert programs_for(Target(1, name, tuple(full[:9]) + (full[9] + 1,), 0)) == []
    assert programs_for(Target(1, name, tuple(full[:5]), 0)) == []  # too few to go on
    assert programs_for(Target(1, name.replace("B_6", "D_6"), tuple(full), 0)) == []
    assert list(propose(Target(1, name, tuple(full), 0), SearchContext(), 0, None)) == []


def test_any_terms_give_a_correct_program_or_none():
    rng = random.Random(4)
    for _ in range(60):
        kind, rank = rng.choice("ABD"), rng.randint(3, 9)
        name = f"Number of reduced words of length n in the Weyl group {kind}_{rank}."
        terms = coefficients(Series(degrees(kind, rank), True, None), 14)
        if rng.random() < 0.5:
            terms[rng.randrange(14)] += rng.choice([-1, 1])
        for prog in programs_for(Target(1, name, tuple(terms), 0)):
            assert evaluate(prog, 14) == terms


def test_the_loop_stores_a_named_coxeter_group(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    name = "Growth series for affine Coxeter group B_13."
    sequences[999001] = SequenceRecord(999001, name, coefficients(Series(degrees("B", 13), True, -1), 40), 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["coxeter"])
    assert found[999001].strategy == "coxeter"
