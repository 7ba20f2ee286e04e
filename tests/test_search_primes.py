"""Prime conditions named in names: the polynomials read, the primality test against trial division,
programs that list further numbers than they were shown (with the real primes' program as callee), and the
loop storing one."""

from __future__ import annotations

import random

import testbed

from miner.lang import Corpus
from miner.lang.evaluator import evaluate
from miner.lang import format_program
from miner.lang.parser import parse
from miner.lang.program import Program
from miner.lang.sequence import SequenceRecord
from miner.search.build import relocated
from miner.search.primes import Condition, is_prime, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def trial(x: int) -> bool:
    return x > 1 and all(x % f for f in range(2, int(x**0.5) + 1))


def test_names_read_as_polynomials_that_must_be_prime():
    assert parse_name("Numbers k such that 12*k+1, 12*k+5 and 12*k+7 are primes.") == Condition(((1, 12), (5, 12), (7, 12)))
    assert parse_name("Primes p such that 3*p^2 + 2 is prime.") == Condition(((0, 1), (2, 0, 3)))
    assert parse_name("Numbers k such that 24*k+-5 are both prime.") == Condition(((5, 24), (-5, 24)))
    assert parse_name("Numbers n for which n^2 + 1 is prime.") == Condition(((1, 0, 1),))
    assert parse_name("Numbers k such that k and k+2 are prime powers.") is None
    assert parse_name("Numbers k such that sigma(k) is prime.") is None
    assert parse_name("Numbers k such that 7 is prime.") is None


def test_primality_agrees_with_trial_division():
    rng = random.Random(4)
    for x in list(range(-5, 3000)) + [rng.randint(1, 10**9) for _ in range(300)]:
        assert is_prime(x) == trial(x), x
    assert is_prime(2**61 - 1) and not is_prime((2**31 - 1) * (2**61 - 1))


def test_relocated_code_uses_the_new_cells():
    ops = parse("mov $1,$0\nadd $0,3\n", "x").ops
    moved = relocated(ops, {0: 4, 1: 5})
    assert format_program(Program(moved)).split() == ["mov", "$5,$4", "add", "$4,3"]


def test_programs_list_numbers_past_the_known_terms(sample_tarball):
    corpus = Corpus(testbed.read_corpus(sample_tarball))
    cases = [("Numbers k such that 6*k+1 and 6*k+5 are primes.", lambda k: trial(6 * k + 1) and trial(6 * k + 5), 0),
             ("Primes p such that 2*p+3 and 2*p-3 are both prime.",
              lambda p: trial(p) and trial(2 * p + 3) and trial(2 * p - 3), 0),
             ("Numbers k such that k^2 + k + 41 is prime.", lambda k: trial(k * k + k + 41), 0)]
    for name, test, start in cases:
        full = testbed.listed(test, start, 45)
        progs = programs_for(Target(999001, name, tuple(full[:15]), 1), corpus)
        assert progs, name
        assert evaluate(progs[0], 45, corpus) == full, name
    # without the primes' program to call there is none
    full = testbed.listed(cases[0][1], 0, 20)
    assert programs_for(Target(999001, cases[0][0], tuple(full), 1), corpus.without({10051})) == []


def test_terms_the_condition_does_not_list_get_no_program(sample_tarball):
    corpus = Corpus(testbed.read_corpus(sample_tarball))
    name = "Numbers k such that 10*k+1 and 10*k+3 are primes."
    full = testbed.listed(lambda k: trial(10 * k + 1) and trial(10 * k + 3), 0, 20)
    assert programs_for(Target(1, name, tuple(full[:5] + full[6:]), 1), corpus) == []  # one left out
    assert programs_for(Target(1, name, tuple(full[:-1]) + (full[-1] + 1,), 1), corpus) == []  # one that fails
    assert programs_for(Target(1, name, tuple(full[:5]), 1), corpus) == []  # too few to go on
    assert list(propose(Target(1, name, tuple(full), 1), SearchContext(corpus=corpus), 0, None)) == []


def test_the_loop_stores_a_named_prime_condition(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {10051}, [], size=20)
    name = "Numbers k such that 4*k+1 and 4*k+3 are primes."
    sequences[999001] = SequenceRecord(999001, name, testbed.listed(lambda k: trial(4 * k + 1) and trial(4 * k + 3), 0, 40), 1)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["primes"])
    assert found[999001].strategy == "primes"
