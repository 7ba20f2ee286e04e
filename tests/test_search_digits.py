"""Digit filters named in names: reading the predicate, the known terms deciding between readings,
programs that list further numbers than they were shown, and the loop storing one."""

from __future__ import annotations

import random

import testbed

from miner.lang import Corpus
from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.digits import MAX_SCAN, Filter, parse_name, passes, programs_for, propose, walks, written
from miner.search.types import SearchContext, Target


def in_base(k: int, base: int) -> str:
    """k's digits written out (one character per digit, bases up to 10): an independent reading."""
    out = ""
    while True:
        out = str(k % base) + out
        k //= base
        if k == 0:
            return out


def test_names_read_as_digit_predicates():
    assert parse_name("Numbers whose base-6 representation has the same nonzero number of 1's and 4's.") == [
        Filter(6, (("c1", "==", "c4"), ("c1", ">", 0)))]
    assert parse_name("Numbers whose base-4 representation contains exactly two 0's and no 3's.") == [
        Filter(4, (("c0", "==", 2), ("c3", "==", 0)))]
    readings = parse_name("Numbers whose set of base-5 digits is {1,4}.")
    assert [r.allowed for r in readings] == [frozenset({1, 4})] * 2 and len(readings[1].conditions) == 3
    primes = parse_name("Primes having only {2, 3, 4} as digits.")
    assert primes == [Filter(10, (("bad", "==", 0),), frozenset({2, 3, 4}), prime=True)]
    assert parse_name("Primes that contain digits 1 and 7 only.")[0].allowed == frozenset({1, 7})
    assert parse_name("Numbers whose base-2 representation has exactly 3 runs.") == [Filter(2, (("runs", "==", 3),))]
    assert parse_name("Numbers whose sum of digits is 7.") == [Filter(10, (("sum", "==", 7),))]
    assert parse_name("Numbers having two 8's in base 9.") == [Filter(9, (("c8", "==", 2),))]
    assert parse_name("Numbers with a single 0 in their base 4 expansion.") == [Filter(4, (("c0", "==", 1),))]
    assert parse_name("Numbers with exactly 3 2's in base 4 expansion.") == [Filter(4, (("c2", "==", 3),))]
    assert parse_name("Numbers having at least one 7 in their representation in base 8.") == [Filter(8, (("c7", ">", 0),))]
    # none of a digit: walked over the numbers written with the others
    assert parse_name("Numbers with no 2's in base-4 expansion.") == [Filter(4, (("bad", "==", 0),), frozenset({0, 1, 3}))]
    assert parse_name("Numbers having four 9's in base 9.") == []
    runs_mod = [Filter(3, (("runs", "%4", 1),))]
    assert parse_name("Numbers n such that number of runs in the base 3 representation of n is congruent to 1 mod 4.") == runs_mod
    assert parse_name("Numbers whose number of runs in their base-3 representation is congruent to 1 mod 4.") == runs_mod
    assert parse_name("Number of runs in the base 3 representation of n is congruent to 5 mod 4.") == []
    assert parse_name("Numbers whose base-6 representation has the same number of 1's as 4's and 5's.") == []
    assert parse_name("Numbers that are the sum of 2 squares.") == []


def test_predicates_agree_with_the_written_digits():
    rng = random.Random(3)
    for _ in range(300):
        base, k = rng.randint(2, 10), rng.randint(0, 10**6)
        text = in_base(k, base)
        d1, d2 = rng.sample(range(base), 2)
        assert passes(Filter(base, ((f"c{d1}", "==", f"c{d2}"),)), k) == (text.count(str(d1)) == text.count(str(d2)))
        allowed = frozenset(rng.sample(range(base), 2))
        assert passes(Filter(base, (("bad", "==", 0),), allowed), k) == (set(map(int, text)) <= allowed)
        runs = 1 + sum(1 for a, b in zip(text, text[1:]) if a != b)
        assert passes(Filter(base, (("runs", "==", runs),)), k)
        assert passes(Filter(base, (("sum", "==", sum(map(int, text))),)), k)
        assert passes(Filter(base, (("runs", "%3", runs % 3),)), k) and not passes(Filter(base, (("runs", "%3", (runs + 1) % 3),)), k)


def test_programs_list_numbers_past_the_known_terms(sample_tarball):
    corpus = Corpus(testbed.read_corpus(sample_tarball))
    cases = [
        ("Numbers whose base-6 representation has the same nonzero number of 1's and 4's.",
         lambda k: (t := in_base(k, 6)).count("1") == t.count("4") > 0, 1, 60),
        ("Numbers whose base-3 representation contains exactly one 0 and no 2's.",
         lambda k: (t := in_base(k, 3)).count("0") == 1 and t.count("2") == 0, 0, 35),
        ("Numbers whose set of base-5 digits is {1,4}.", lambda k: set(in_base(k, 5)) <= {"1", "4"}, 1, 60),
        ("Numbers whose base-2 representation has exactly 3 runs.",
         lambda k: 1 + sum(a != b for a, b in zip(in_base(k, 2), in_base(k, 2)[1:])) == 3, 1, 60),
        # A043486: its first 24 terms fit a recurrence that leaves it at the 25th; the name's reading holds
        ("Numbers having two 8's in base 9.", lambda k: in_base(k, 9).count("8") == 2, 1, 60),
        ("Numbers with no 3's in base-4 expansion.", lambda k: "3" not in in_base(k, 4), 0, 80),
        # A043749: its corpus program leaves it after the 53 known terms (255 for 257)
        ("Numbers n such that number of runs in the base 2 representation of n is congruent to 3 mod 8.",
         lambda k: (1 + sum(a != b for a, b in zip(in_base(k, 2), in_base(k, 2)[1:]))) % 8 == 3, 1, 70),
    ]
    for name, test, start, count in cases:
        full = testbed.listed(test, start, count)
        progs = programs_for(Target(999001, name, tuple(full[:15]), 1))
        assert progs, name
        assert evaluate(progs[0], count) == full, name
    is_prime = lambda k: k > 1 and all(k % f for f in range(2, int(k**0.5) + 1))  # noqa: E731
    full = testbed.listed(lambda k: is_prime(k) and set(str(k)) <= {"2", "3", "4"}, 0, 20)
    progs = programs_for(Target(999002, "Primes having only {2, 3, 4} as digits.", tuple(full[:12]), 1), corpus)
    assert progs and evaluate(progs[0], 20, corpus) == full
    # without the primes' program to call there is none
    assert programs_for(Target(999002, "Primes having only {2, 3, 4} as digits.", tuple(full[:12]), 1),
                        corpus.without({10051})) == []


def test_numbers_written_with_a_digit_set_are_walked_in_order():
    rng = random.Random(5)
    for _ in range(40):
        base = rng.randint(3, 10)
        allowed = frozenset(rng.sample(range(base), rng.randint(2, base - 1)))
        f = Filter(base, (("bad", "==", 0),), allowed)
        assert walks(f)
        first = 1 if 0 not in allowed else 0
        expected = testbed.listed(lambda k: set(in_base(k, base)) <= set(map(str, allowed)), first, 80)
        assert [written(f, j) for j in range(first, first + 80)] == expected
    assert not walks(Filter(10, (("sum", "==", 7),)))


def test_walked_programs_reach_terms_a_scan_could_not(sample_tarball):
    # Primes written with {1, 3} pass 10^7 by their 40th: testing every k up to there would take more
    # than `MAX_SCAN` numbers, walking the numbers written with the two digits takes 2^8.
    corpus = Corpus(testbed.read_corpus(sample_tarball))
    is_prime = lambda k: k > 1 and all(k % f for f in range(2, int(k**0.5) + 1))  # noqa: E731
    full, j = [], 1
    f = Filter(10, (("bad", "==", 0),), frozenset({1, 3}))
    while len(full) < 50:
        if is_prime(written(f, j)):
            full.append(written(f, j))
        j += 1
    assert full[35] - full[0] > MAX_SCAN and all(set(str(k)) <= {"1", "3"} for k in full)
    progs = programs_for(Target(999003, "Primes that contain digits 1 and 3 only.", tuple(full[:36]), 1), corpus)
    assert progs and evaluate(progs[0], 50, corpus) == full
    # a set with 0: numbers from the first known term on, past the terms shown
    full = testbed.listed(lambda k: set(in_base(k, 4)) <= {"0", "3"}, 3, 40)
    progs = programs_for(Target(999004, "Numbers whose set of base-4 digits is {0,3}.", tuple(full[:20]), 1))
    assert progs and evaluate(progs[0], 40) == full


def test_terms_the_filter_does_not_list_get_no_program():
    name = "Numbers whose base-6 representation has the same nonzero number of 1's and 4's."
    full = testbed.listed(lambda k: (t := in_base(k, 6)).count("1") == t.count("4") > 0, 1, 20)
    assert programs_for(Target(1, name, tuple(full[:5] + full[6:]), 1)) == []  # one left out
    assert programs_for(Target(1, name, tuple(full[:-1]) + (full[-1] + 1,), 1)) == []  # one that fails
    assert programs_for(Target(1, name, tuple(full[:5]), 1)) == []  # too few to go on
    assert list(propose(Target(1, name, tuple(full), 1), SearchContext(), 0, None)) == []


def test_any_terms_give_a_correct_program_or_none():
    rng = random.Random(8)
    for _ in range(150):
        base, d1, d2 = rng.randint(4, 10), rng.randint(0, 1), rng.randint(2, 3)
        name = f"Numbers whose base-{base} representation has the same number of {d1}'s and {d2}'s."
        start = rng.randint(0, 50)
        terms = testbed.listed(lambda k: (t := in_base(k, base)).count(str(d1)) == t.count(str(d2)), start, 12)
        if rng.random() < 0.5:
            terms[rng.randrange(12)] += rng.choice([-1, 1])
        for prog in programs_for(Target(1, name, tuple(terms), 0)):
            assert evaluate(prog, 12) == terms


def test_the_loop_stores_a_named_digit_filter(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    name = "Numbers whose base-7 representation has the same nonzero number of 2's and 5's."
    terms = testbed.listed(lambda k: (t := in_base(k, 7)).count("2") == t.count("5") > 0, 1, 40)
    sequences[999001] = SequenceRecord(999001, name, terms, 1)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["digits"])
    assert found[999001].strategy == "digits"


def run_lengths(k: int, base: int) -> list[int]:
    return [len(m.group()) for m in __import__("re").finditer(r"(.)\1*", in_base(k, base))]


def test_run_lengths_of_the_digits():
    assert parse_name("Every run of digits of n in base 4 has length 2.") == [
        Filter(4, (("minrun", "==", 2), ("maxrun", "==", 2)))]
    assert parse_name("Numbers whose base-5 expansion has no run of digits with length < 2.") == [
        Filter(5, (("minrun", ">", 1),))]
    for name, base, test in (("Every run of digits of n in base 4 has length 2.", 4, lambda r: set(r) == {2}),
                             ("Numbers whose base-3 expansion has no run of digits with length < 2.", 3, lambda r: min(r) >= 2),
                             ("Numbers whose base-2 expansion has no run of digits with length < 3.", 2, lambda r: min(r) >= 3)):
        want = [k for k in range(1, 100_000) if test(run_lengths(k, base))][:45]
        (prog,) = programs_for(Target(1, name, tuple(want[:15]), 1))
        assert evaluate(prog, 45) == want, name
        assert all(passes(parse_name(name)[0], k) == test(run_lengths(k, base)) for k in range(2000))
    # a number missing from the terms: the filter lists it, so no program
    want = [k for k in range(1, 5000) if set(run_lengths(k, 4)) == {2}][:15]
    assert programs_for(Target(1, "Every run of digits of n in base 4 has length 2.", tuple(want[:3] + want[4:]), 1)) == []


def test_unhappy_numbers_by_where_they_enter_the_cycle():
    cycle = (4, 16, 37, 58, 89, 145, 42, 20)

    def entry(k: int) -> int:
        seen = []
        while k not in cycle and k != 1 and k not in seen:
            seen.append(k)
            k = sum(int(c) ** 2 for c in str(k))
        return k

    name = "Unhappy numbers which enter the cycle (4, 16, 37, 58, 89, 145, 42, 20) at 145."
    expected = [k for k in range(1, 5000) if entry(k) == 145][:120]
    assert expected[:6] == [77, 98, 145, 149, 194, 238]  # A193570's terms
    programs = programs_for(Target(193570, name, tuple(expected[:30]), 1))
    assert len(programs) == 1 and evaluate(programs[0], 120) == expected
    # the terms of another entry point give no program
    assert programs_for(Target(193570, name, tuple(k for k in range(1, 999) if entry(k) == 89)[:30], 1)) == []
