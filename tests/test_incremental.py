"""Incremental evaluation: when it applies, and that it reproduces the plain code term by term, step by step."""

from __future__ import annotations

import random

import pytest

from miner.lang import Corpus, Limits, check_terms, compile_program, evaluate, parse
from miner.lang import compiler
from miner.lang import evaluator as E
from miner.lang.errors import EvalError

FIB = "mov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n"


def run_both(program, terms: int, corpus: Corpus | None = None, limits: Limits = Limits(max_seconds=20),
             start: int | None = None) -> tuple[list, list, E._Terms]:
    """(incremental outcomes, plain outcomes, the incremental runner); outcomes are (value, steps) or the error."""
    compiled = compile_program(program, limits.max_memory)
    assert E.incremental_run(compiled, limits.max_memory) is not None
    first = compiled.offset if start is None else start
    results = []
    for incremental in (True, False):
        ctx = E.Context(limits, corpus)
        ctx.memo = {}
        runner = E._Terms(compiled, ctx, incremental)
        out: list = []
        for n in range(first, first + terms):
            try:
                out.append(runner.term(n))
            except EvalError as exc:
                out.append((type(exc).__name__, str(exc), exc.steps))
                break
        results.append((out, runner))
    return results[0][0], results[1][0], results[0][1]


@pytest.mark.parametrize("text", [
    "lpb $0\n  sub $0,1\n  add $1,$0\nlpe\nmov $0,$1\n",  # the body reads the counter
    "lpb $0\n  sub $0,1\n  sub $0,1\n  add $1,2\nlpe\n",  # two counter updates
    "lpb $0\n  add $0,-1\n  add $1,2\nlpe\n",  # the update is not sub/trn
    "lpb $0\n  sub $0,$2\n  add $1,2\nlpe\n",  # variable decrement
    "lpb $0\n  sub $0,0\nlpe\n",  # no decrease
    "lpb $0\n  add $1,2\nlpe\n",  # no update at all
    "mov $1,2\nlpb $0,2\n  sub $0,1\n  add $3,1\nlpe\n",  # fragment loop
    "mul $0,2\nadd $0,1\n",  # no loop
    "lpb $0\n  sub $0,1\n  clr $0,3\nlpe\n",  # a range covers the counter
    "lpb $0\n  sub $0,1\n  mov $2,$0\n  lpb $2\n    sub $2,1\n  lpe\nlpe\n",  # nested loop on a copy of it
    "lpb $0\n  sub $0,1\n  lpb $0\n    add $1,1\n  lpe\nlpe\n",  # nested loop on the counter itself
    "lpb $0\n  mov $2,2\n  lpb $2\n    sub $2,1\n    sub $0,1\n  lpe\nlpe\n",  # the update in an inner loop
    "mov $1,$0\nlpb $1\n  sub $1,1\n  mov $$2,1\nlpe\n",  # indirect operand
])
def test_shapes_that_must_not_be_incremental(text: str) -> None:
    program = parse(text)
    assert compiler.incremental_shape(program) is None
    assert compiler.generate_incremental_source(program) is None


def test_shapes_that_are_incremental() -> None:
    assert compiler.incremental_shape(parse(FIB)) == (1, 6, 0, 2)
    # trn, a decrement above 1, a nested loop and code after the loop
    text = "mov $1,$0\nlpb $1\n  trn $1,3\n  mov $4,2\n  lpb $4\n    sub $4,1\n    add $2,1\n  lpe\nlpe\nadd $0,$2\n"
    assert compiler.incremental_shape(parse(text)) == (1, 8, 1, 2)


@pytest.mark.parametrize("text,terms", [
    (FIB, 30),
    ("mov $1,$0\nmul $1,3\nlpb $1\n  trn $1,2\n  mul $2,2\n  add $2,1\nlpe\nmov $0,$2\n", 25),  # trn, K = 2
    ("mov $1,$0\nmod $1,7\nlpb $1\n  sub $1,3\n  add $2,5\nlpe\nmov $0,$2\nadd $0,$1\n", 30),  # counter goes down
    ("div $0,3\nlpb $0\n  sub $0,1\n  add $1,2\nlpe\nmov $0,$1\n", 20),  # the same count for several n
    ("sub $0,5\nlpb $0\n  sub $0,2\n  add $1,1\nlpe\nmov $0,$1\n", 20),  # negative counters run once, undone
    ("mov $1,$0\nlpb $1\n  sub $1,1\n  add $2,$0\nlpe\nmov $0,$2\n", 20),  # the body reads $0: state resets
    ("mov $2,1\nlpb $0\n  sub $0,1\n  mul $2,-3\n  mov $3,2\n  lpb $3\n    sub $3,1\n    add $4,$2\n  lpe\n"
     "lpe\nmov $0,$4\n", 25),
])
def test_incremental_equals_plain(text: str, terms: int) -> None:
    inc, plain, _ = run_both(text, terms)
    assert inc == plain and len(inc) == terms


def test_errors_and_limits_are_those_of_the_plain_code() -> None:
    # overflow at some term: same values before it, the same error at it
    text = "mov $1,1\nlpb $0\n  sub $0,1\n  mul $1,1000\nlpe\nmov $0,$1\n"
    inc, plain, _ = run_both(text, 500)
    assert inc == plain and inc[-1][0] == "NumberTooLargeError" and len(inc) == 386  # the undone last iteration of n=385 makes 1000^386
    # the step limit: same terms, the same failing term and step count
    limits = Limits(max_steps=3000, max_seconds=20)
    inc, plain, _ = run_both("lpb $0\n  sub $0,1\n  add $1,7\nlpe\nmov $0,$1\n", 2000, None, limits)
    assert inc == plain and inc[-1][0] == "StepLimitError"
    assert check_terms(FIB, evaluate(FIB, 40)).steps == sum(s for _, s in run_both(FIB, 40)[1])


def test_seq_calls_in_the_body_count_their_steps() -> None:
    corpus = Corpus({45: FIB})
    text = "mov $1,$0\nlpb $1\n  sub $1,1\n  add $2,1\n  mov $3,$2\n  seq $3,45\n  add $4,$3\nlpe\nmov $0,$4\n"
    inc, plain, _ = run_both(text, 30, corpus)
    assert inc == plain and len(inc) == 30


def test_changing_loop_state_falls_back() -> None:
    text = "mov $1,$0\nlpb $1\n  sub $1,1\n  add $2,$0\nlpe\nmov $0,$2\n"
    inc, plain, runner = run_both(text, 20)
    assert inc == plain and runner.inc is None  # gave up after the key changed every term


def test_reused_loop_state_is_cheap() -> None:
    """The loop runs once per new iteration: total steps of the incremental code grow linearly."""
    compiled = compile_program(FIB)
    run_inc = E.incremental_run(compiled, Limits().max_memory)
    state = compiler.new_state()
    ctx = E.Context(Limits(), None)
    for n in range(200):
        value, _ = run_inc(n, ctx, state)
    assert value == evaluate(FIB, 200)[-1]
    assert state[1] == 200 and state[5] == 1  # 200 iterations done in all, one (initial) key


def test_corpus_sample_incremental_equals_plain(sample_tarball) -> None:
    """300 real programs whose loop qualifies: every term, step count and error agrees with the plain code."""
    corpus = Corpus.from_path(sample_tarball)
    ids = corpus.ids()
    rng = random.Random(20260402)
    limits = Limits(max_steps=1_000_000, max_seconds=10)
    checked = 0
    while checked < 300:
        a = rng.choice(ids)
        program = corpus.get(a)
        if compiler.incremental_shape(program) is None:
            continue
        compiled = compile_program(program, limits.max_memory)
        if not compiled.compiled or E.incremental_run(compiled, limits.max_memory) is None:
            continue
        inc, plain, _ = run_both(program, 25, corpus, limits)
        assert inc == plain, f"A{a:06d}"
        checked += 1
