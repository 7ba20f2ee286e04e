"""Permutations of a multiset by descents: the name read, MacMahon's count against permutations counted
one by one, programs far past the known terms, and the loop storing one."""

from __future__ import annotations

import random
from itertools import permutations

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.descents import count, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def counted(copies: int, descents: int, n: int) -> int:
    """Distinct arrangements of `copies` copies of 1..n with exactly `descents` adjacent pairs decreasing."""
    items = [v for v in range(1, n + 1) for _ in range(copies)]
    return sum(1 for p in set(permutations(items)) if sum(a > b for a, b in zip(p, p[1:])) == descents)


def test_names_read_as_multisets_and_descents():
    assert parse_name("Number of permutations of 3 indistinguishable copies of 1..n with exactly 5 adjacent "
                      "element pairs in decreasing order.") == (3, 5)
    assert parse_name("Number of permutations of 2 indistinguishable copies of 1..n arranged in a circle with "
                      "exactly 2 adjacent element pairs in decreasing order.") is None
    assert parse_name("Number of permutations of [n] with exactly 2 descents.") is None


def test_the_count_is_the_number_of_arrangements():
    for copies, n in ((1, 5), (2, 3), (2, 4), (3, 3)):
        for descents in range(0, 5):
            assert count(copies, descents, n) == counted(copies, descents, n), (copies, descents, n)


def test_programs_give_terms_past_the_known_ones():
    for copies, descents in ((2, 5), (3, 8), (6, 3)):
        name = (f"Number of permutations of {copies} indistinguishable copies of 1..n with exactly {descents} "
                "adjacent element pairs in decreasing order.")
        full = [count(copies, descents, n) for n in range(1, 41)]
        progs = programs_for(Target(999001, name, tuple(full[:12]), 1))
        assert progs and evaluate(progs[0], 40) == full, name


def test_terms_the_count_does_not_give_get_no_program():
    name = "Number of permutations of 2 indistinguishable copies of 1..n with exactly 4 adjacent element pairs in decreasing order."
    full = [count(2, 4, n) for n in range(1, 20)]
    assert programs_for(Target(1, name, tuple(full[:8]) + (full[8] + 1,), 1)) == []
    assert programs_for(Target(1, name, tuple(full), 0)) == []  # one index off
    assert programs_for(Target(1, name, tuple(full[:4]), 1)) == []  # too few to go on
    assert list(propose(Target(1, name, tuple(full), 1), SearchContext(), 0, None)) == []


def test_any_terms_give_a_correct_program_or_none():
    rng = random.Random(6)
    for _ in range(60):
        copies, descents = rng.randint(1, 6), rng.randint(0, 9)
        name = (f"Number of permutations of {copies} indistinguishable copies of 1..n with exactly {descents} "
                "adjacent element pairs in decreasing order.")
        terms = [count(copies, descents, n) for n in range(1, 15)]
        if rng.random() < 0.5:
            terms[rng.randrange(14)] += rng.choice([-1, 1])
        for prog in programs_for(Target(1, name, tuple(terms), 1)):
            assert evaluate(prog, 14) == terms


def test_the_loop_stores_a_named_count_of_descents(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    name = "Number of permutations of 4 indistinguishable copies of 1..n with exactly 7 adjacent element pairs in decreasing order."
    sequences[999001] = SequenceRecord(999001, name, [count(4, 7, n) for n in range(1, 31)], 1)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["descents"])
    assert found[999001].strategy == "descents"
