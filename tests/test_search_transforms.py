"""Transforms of known sequences and their compositions looked up among the lacking ones: the residue form
agrees with the exact values, each transform's program computes them, the sweep finds transformed targets
(under the index's affine and shift matchers) and nothing else, and the real loop stores what it finds;
compositions find what no single transform makes, without the pairs that undo each other."""

from __future__ import annotations

import random
from math import comb, factorial

import numpy as np
import pytest
import testbed

import storage
from miner.core import config
from miner.lang import Corpus, check_terms, evaluate, parse
from miner.mine.loop import mine
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
    """The programs above and the real Möbius and totient functions' (transforms call them)."""
    called = testbed.read_corpus(sample_tarball, {8683, 10})
    assert set(called) == {8683, 10}
    return Corpus({a: parse(text) for a, text in {**PROGRAMS, **called}.items()})


@pytest.fixture(scope="module")
def known(corpus: Corpus) -> dict[int, Target]:
    offsets = {45: 0, 27: 1, 990001: 1, 290: 0}
    return {a: Target(a, f"A{a}.", tuple(evaluate(corpus.get(a), 60, corpus)), offsets[a]) for a in PROGRAMS}


@pytest.mark.parametrize("chosen", ["transforms", "compositions"])
def test_the_residue_form_of_every_transform_is_its_exact_values_mod_the_prime(chosen):
    rng = random.Random(5)
    rows = [[rng.randrange(-10**30, 10**30) for _ in range(transforms.SECTION_WIDTH)] for _ in range(4)]
    residues = np.array([[v % transforms.PRIME for v in row] for row in rows], dtype=np.int64)
    for t in transforms.TRANSFORMS if chosen == "transforms" else compositions.EVERY:
        got = t.apply(np, residues[:, :t.width], lambda a: a % transforms.PRIME)
        determined = t.determined(t.width)
        for row, values in zip(rows, got):
            exact = transforms.exact_values(t, row[:t.width])
            assert len(exact) == determined, t.name
            assert [v % transforms.PRIME for v in exact[:determined]] == values[:determined].tolist(), t.name


def test_each_transforms_program_computes_its_exact_values(corpus, known):
    for t in transforms.TRANSFORMS:
        for a in (45, 990001):  # offsets 0 and 1: B(i) is b(offset + i)
            b = known[a]
            program = transforms.source_program(t, b)
            want = transforms.exact_values(t, b.terms[:30])[:12]
            assert evaluate(program, len(want), corpus) == want, (t.name, a)


def test_residue_keys_are_equal_exactly_when_the_affine_keys_are():
    rows = [[3, 5, 9, 17, 33, 65], [1, 2, 4, 8, 16, 32], [7, 1, -11, -35, -83, -179], [1, 2, 4, 8, 16, 31]]
    hashes, varying = transforms.key_hashes(np, np.array([[v % transforms.PRIME for v in r] for r in rows]))
    assert varying.all()
    # 2^(n+1)+1 and 2^n are a*x+b of each other, and so is 7 - 6*(2^n - 1); the last differs in one term.
    assert hashes[0] == hashes[1] == hashes[2] != hashes[3]


def test_a_prefix_that_tells_nothing_apart_is_not_swept():
    assert not transforms.telling(tuple(range(1, 40, 2)))  # any section of an arithmetic progression
    assert not transforms.telling(tuple(n * n + 3 for n in range(20)))
    assert not transforms.telling((0, 1) * 10)
    assert transforms.telling(tuple(_fib(n) for n in range(20)))


def _sweep(targets: list[Target], known: dict[int, Target]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for a, cand in transforms.sweep(TermIndex.build(targets), known.values()):
        out.setdefault(a, []).append(cand.note)
        assert cand.strategy == "transforms"
    return out


def test_transformed_targets_are_found_with_programs_that_reproduce_every_term(corpus, known):
    targets = [
        Target(1, "F(2n+1), times 3, plus 2.", tuple(3 * _fib(2 * n + 1) + 2 for n in range(30)), 0),
        Target(2, "Binomial transform of Fibonacci.", tuple(_fib(2 * n) for n in range(1, 31)), 1),  # F(2n), shifted
        Target(3, "Self-convolution of Fibonacci.",
               tuple(sum(_fib(k) * _fib(n - k) for k in range(n + 1)) for n in range(30)), 0),
        Target(4, "Sum of (3^d + d) over divisors d of n.",
               tuple(sum(3 ** d + d for d in range(1, n + 1) if n % d == 0) for n in range(1, 31)), 1),
        Target(5, "Partial sums of n*F(n).", tuple(sum(k * _fib(k) for k in range(n + 1)) for n in range(30)), 0),
    ]
    found = _sweep(targets, known)
    assert set(found) == {1, 2, 3, 4, 5}
    for target in targets:
        programs = [c.program for a, c in transforms.sweep(TermIndex.build([target]), known.values())]
        assert any(check_terms(p, list(target.terms), corpus).ok for p in programs), target.name
    assert any(note.startswith("odd bisection of A000045") for note in found[1])
    assert any(note.startswith("divisor sums of A990001") for note in found[4])


def test_sequences_no_transform_makes_are_not_matched(known):
    rng = random.Random(2)
    noise = Target(6, "Random.", tuple(rng.randrange(1, 10**6) for _ in range(40)), 0)
    primes = Target(7, "Primes.", (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71), 1)
    assert _sweep([noise, primes], known) == {}


def test_a_known_sequence_is_not_a_transform_of_itself(known):
    fib = known[45]
    assert 45 not in _sweep([Target(45, fib.name, fib.terms, 0)], known)


def test_propose_finds_one_sequences_transforms(corpus, known):
    target = Target(8, "F(3n).", tuple(_fib(3 * n) for n in range(25)), 0)
    ctx = SearchContext(corpus=corpus, index=None, settings={}, known=known)
    cands = list(transforms.propose(target, ctx, 2, random.Random(1)))
    assert cands and len(cands) <= 2
    assert check_terms(cands[0].program, list(target.terms), corpus).ok


@pytest.mark.slow  # a database built and mined: a second or two
def test_the_loop_stores_a_bisection_the_name_cites(tmp_path, real_data, sample_tarball):
    # A141421 "First bisection of A091137": held out, found as A091137(2n), stored for its cited source.
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {91137}, [141421], size=40)
    cfg = config.defaults_in(tmp_path)
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'miner.db'}"
    cfg["mine"].update(workers=1, deep_check=False, random_seed=3)
    engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
    summary = mine(cfg, ids=[141421], strategies=["transforms"], engine=engine)
    assert summary.hits == 1
    with storage.session_scope(engine, readonly=True) as session:
        rows = {r.a_number: r for r in storage.discovered(session)}
    assert rows[141421].strategy == "transforms" and "seq $" in rows[141421].code
    assert check_terms(parse(rows[141421].code), list(sequences[141421].terms),
                       Corpus({a: parse(t) for a, t in programs.items()})).ok


# --- compositions of two transforms ----------------------------------------------------------------------

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
