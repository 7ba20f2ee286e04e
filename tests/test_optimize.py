"""The optimizer: shorter programs that compute the same terms wherever the original is defined."""

from __future__ import annotations

import random

import pytest

from miner.lang import Corpus, Limits, format_program, parse
from miner.lang.evaluator import evaluate_partial
from miner.lang.optimize import optimize
from miner.lang.program import Program
from miner.search.formula import compile_formula, parse_formula

LIMITS = Limits(max_steps=500_000, max_memory=1000, max_seconds=1.0)


def _text(source: str) -> str:
    return " | ".join(line.strip() for line in format_program(optimize(parse(source))).splitlines())


@pytest.mark.parametrize("source, expected", [
    # the formula compiler's 11*n + 3: the copy of n, the constant and the commutative product fold
    ("mov $1,$0\nmov $0,11\nmul $0,$1\nadd $0,3\n", "mul $0,11 | add $0,3"),
    # runs of constants merge; a run that adds nothing disappears
    ("add $0,2\nsub $0,5\nmul $0,3\nmul $0,2\n", "sub $0,3 | mul $0,6"),
    ("add $0,2\nsub $0,2\n", ""),
    # cells other than $0 start at 0: their arithmetic is known, and a constant source propagates
    ("add $2,5\nmul $2,3\nadd $0,$2\n", "add $0,15"),
    # a write nothing reads goes, before a loop too; the loop and what it reads stay
    ("mov $3,7\nmov $1,2\nlpb $0\nsub $0,1\nmul $1,2\nlpe\nmov $0,$1\n",
     "mov $1,2 | lpb $0 | sub $0,1 | mul $1,2 | lpe | mov $0,$1"),
    # truncating division by 2 then 3 is division by 6; not so with a negative divisor
    ("div $0,2\ndiv $0,3\n", "div $0,6"),
    ("div $0,2\ndiv $0,-3\n", "div $0,2 | div $0,-3"),
])
def test_rewrites(source, expected):
    assert _text(source) == expected


@pytest.mark.parametrize("source", [
    "mov $1,5\nmov $$1,$0\nmov $0,$5\n",  # indirect cells: left as they are
    "mov $1,$0\nclr $1,2\nmov $0,$1\n",  # range operations too
    "mov $1,$0\nmov $0,2\nsub $0,$1\n",  # 2 - n: sub is not commutative
    "mov $1,$0\nmov $0,2\nmul $0,$1\nmul $0,$1\n",  # $1 still read: 2*n*n keeps its copy of n
])
def test_what_no_rewrite_may_shorten_stays_correct(source):
    before, after = parse(source), optimize(parse(source))
    assert len(after.code()) <= len(before.code())
    for n in range(-3, 12):
        assert _run(before, n) == _run(after, n)


def _run(program, n: int) -> int | None:
    """The program's value at n (None where it is undefined)."""
    at_n = Program(program.code(), {"offset": n})
    terms, _ = evaluate_partial(at_n, 1, None, LIMITS)
    return terms[0] if terms else None


def _same_where_defined(program, corpus: Corpus | None, terms: int = 24) -> None:
    shorter = optimize(program)
    assert len(shorter.code()) <= len(program.code())
    if shorter is program:
        return
    before, _ = evaluate_partial(program, terms, corpus, LIMITS)
    after, _ = evaluate_partial(shorter, terms, corpus, LIMITS)
    assert after[:len(before)] == before, format_program(program)


def test_every_sample_corpus_program_keeps_its_terms(sample_tarball):
    corpus = Corpus.from_path(sample_tarball)
    for a in corpus.ids():
        _same_where_defined(corpus.get(a), corpus)


def test_compiled_formulas_get_shorter_and_keep_their_terms():
    rng = random.Random(3)
    atoms = ["n", "2", "3", "7", "(n+1)", "(2*n-1)"]
    saved = 0
    for _ in range(300):
        text = rng.choice(atoms)
        for _ in range(rng.randint(1, 4)):
            text = f"({text}{rng.choice('+-*')}{rng.choice(atoms)})"
            if rng.random() < 0.2:
                text = f"{text}^2"
            if rng.random() < 0.2:
                text = f"floor({text}/{rng.choice('23')})"
        program = compile_formula(parse_formula(text))
        _same_where_defined(program, None)
        saved += len(program.code()) - len(optimize(program).code())
    assert saved > 100  # the compiler's copies and constants are what the rewrites exist for
