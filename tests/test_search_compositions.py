"""Compositions of two transforms: each one's residues are its exact values mod the prime, each one's
program computes them, the sweep finds targets no single transform makes and nothing else, and pairs that
undo each other or make a single transform are left out."""

from __future__ import annotations

import random
from math import comb, factorial

import numpy as np
import pytest
import testbed

from miner.lang import Corpus, check_terms, evaluate, parse
from miner.search import compositions, transforms
from miner.search.matchers import TermIndex
from miner.search.types import SearchContext, Target

FIB = "mov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n"
# Fibonacci (offset 0), the positive integers and 3^n + n (offset 1), the squares.
PROGRAMS = {45: FIB, 27: "#offset 1\n\n", 990001: "#offset 1\n\nmov $1,3\npow $1,$0\nadd $0,$1\n", 290: "pow $0,2\n"}


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@pytest.fixture(scope="module")
def corpus(sample_tarball) -> Corpus:
    called = testbed.read_corpus(sample_tarball, {8683, 10})
    return Corpus({a: parse(text) for a, text in {**PROGRAMS, **called}.items()})


@pytest.fixture(scope="module")
def known(corpus: Corpus) -> dict[int, Target]:
    offsets = {45: 0, 27: 1, 990001: 1, 290: 0}
    return {a: Target(a, f"A{a}.", tuple(evaluate(corpus.get(a), 60, corpus)), offsets[a]) for a in PROGRAMS}


def test_the_residue_form_of_every_composition_is_its_exact_values_mod_the_prime():
    rng = random.Random(7)
    rows = [[rng.randrange(-10**30, 10**30) for _ in range(transforms.SECTION_WIDTH)] for _ in range(3)]
    residues = np.array([[v % transforms.PRIME for v in row] for row in rows], dtype=np.int64)
    for t in compositions.EVERY:
        got = t.apply(np, residues[:, :t.width], lambda a: a % transforms.PRIME)
        for row, values in zip(rows, got):
            exact = transforms.exact_values(t, row[:t.width])
            assert len(exact) >= t.determined(t.width), t.name
            assert [v % transforms.PRIME for v in exact[:t.determined(t.width)]] \
                == values[:t.determined(t.width)].tolist(), t.name


def test_each_compositions_program_computes_its_exact_values(corpus, known):
    for t in compositions.EVERY:
        for a in (45, 990001):  # offsets 0 and 1
            b = known[a]
            want = transforms.exact_values(t, b.terms[:40])[:6]
            assert evaluate(transforms.source_program(t, b), len(want), corpus) == want, (t.name, t.formula, a)


def test_pairs_that_undo_each_other_or_make_one_transform_are_left_out():
    names = {t.name for t in compositions.EVERY}
    assert "Moebius transform of the divisor sums" not in names
    assert "inverse binomial transform of the binomial transform" not in names
    assert "bisection of the bisection" not in names  # b(4n), a single transform
    assert {"bisection of the trisection", "divisor sums of the square"} <= names
    assert len(compositions.COMPOSITIONS) == len(transforms.TRANSFORMS)


def _found(targets: list[Target], known: dict[int, Target], chosen) -> dict[int, list]:
    out: dict[int, list] = {}
    for a, cand in transforms.sweep(TermIndex.build(targets), known.values(), transforms=chosen,
                                    strategy="compositions"):
        out.setdefault(a, []).append(cand)
    return out


def test_targets_no_single_transform_makes_are_found_with_programs_that_reproduce_every_term(corpus, known):
    conv = [sum(_fib(j) * _fib(k - j) for j in range(k + 1)) for k in range(40)]
    targets = [
        Target(1, "Sum of F(d-1)^2 over divisors d of n.",
               tuple(sum(_fib(d - 1) ** 2 for d in range(1, n + 1) if n % d == 0) for n in range(1, 31)), 1),
        Target(2, "Binomial transform of the self-convolution of Fibonacci.",
               tuple(sum(comb(n, k) * conv[k] for k in range(n + 1)) for n in range(30)), 0),
        Target(3, "(2n+2)!.", tuple(factorial(2 * n + 2) for n in range(25)), 0),
    ]
    assert _found(targets, known, transforms.TRANSFORMS) == {}
    found = _found(targets, known, compositions.EVERY)
    assert set(found) == {1, 2, 3}
    for target in targets:
        assert all(c.strategy == "compositions" for c in found[target.a_number])
        assert any(check_terms(c.program, list(target.terms), corpus).ok for c in found[target.a_number]), target.name
    assert any(c.note.startswith("binomial transform of the self-convolution of A000045") for c in found[2])


def test_sequences_no_composition_makes_are_not_matched(known):
    rng = random.Random(3)
    noise = Target(6, "Random.", tuple(rng.randrange(1, 10**6) for _ in range(40)), 0)
    primes = Target(7, "Primes.", (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71), 1)
    assert _found([noise, primes], known, compositions.EVERY) == {}


def test_propose_finds_one_sequences_compositions(corpus, known):
    target = Target(8, "F(2n+1)^2.", tuple(_fib(2 * n + 1) ** 2 for n in range(25)), 0)
    ctx = SearchContext(corpus=corpus, index=None, settings={}, known=known)
    cands = list(compositions.propose(target, ctx, 2, random.Random(1)))
    assert cands and len(cands) <= 2
    assert check_terms(cands[0].program, list(target.terms), corpus).ok
