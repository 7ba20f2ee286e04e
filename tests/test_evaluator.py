"""Evaluation semantics, limits and the compiled/interpreted equivalence."""

from __future__ import annotations

import time

import pytest

from miner.lang import (Corpus, CyclicSeqError, InvalidAccessError, Limits, MemoryLimitError, MissingProgramError,
                        NumberTooLargeError, SeqArgumentError, StepLimitError, TimeLimitError, UndefinedError,
                        check_terms, compile_program, evaluate, parse)
from miner.lang import evaluator as E

FIB = "mov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n"


def both(text: str, terms: int, corpus: Corpus | None = None, limits: Limits = Limits()) -> list:
    """Evaluate with the compiled code and with the interpreter; they must agree (values and steps)."""
    program = parse(text)
    results = []
    for allow in (True, False):
        compiled = E._build(program, limits.max_memory, allow)
        ctx = E.Context(limits, corpus)
        ctx.memo = {}
        out = []
        try:
            for i in range(terms):
                out.append(E._run_term(compiled, program.offset + i, ctx))
        except Exception as exc:  # noqa: BLE001 - compared by type below
            out.append(type(exc))
        results.append(out)
    assert results[0] == results[1]
    return results[0]


def test_fibonacci_and_offset() -> None:
    assert evaluate(FIB, 10) == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    assert evaluate("#offset 3\nmul $0,2\n", 3) == [6, 8, 10]
    assert compile_program(FIB).compiled


def test_loop_restores_memory_of_last_iteration() -> None:
    # the counter stops decreasing in the last iteration: its changes are undone
    assert [v for v, _ in both("mov $1,5\nlpb $1\n  add $0,1\n  sub $1,2\nlpe\n", 1)] == [2]
    # counter going negative also ends the loop (restoring)
    assert [v for v, _ in both("mov $1,3\nlpb $1\n  add $0,10\n  sub $1,4\nlpe\n", 1)] == [0]


def test_step_counting_matches_loda() -> None:
    # lpb once, then (sub, lpe) per iteration including the undone last one
    assert both("lpb $0\n  sub $0,1\nlpe\n", 4) == [(0, 3), (0, 5), (0, 7), (0, 9)]


def test_fragment_loops() -> None:
    text = "mov $1,2\nmov $2,3\nlpb $1,2\n  sub $2,1\n  add $0,1\n  lpb $2\n    sub $2,1\n  lpe\nlpe\n"
    both(text, 3)
    both("mov $1,3\nlpb $1,$2\n  sub $1,1\n  add $3,1\nlpe\nmov $0,$3\n", 2)


def test_memory_ops() -> None:
    assert both("mov $1,7\nfil $1,3\nadd $0,$3\n", 1)[0][0] == 7
    assert both("mov $1,1\nmov $2,2\nmov $3,3\nrol $1,3\nmov $0,$1\n", 1)[0][0] == 2
    assert both("mov $1,1\nmov $2,2\nmov $3,3\nror $1,3\nmov $0,$1\n", 1)[0][0] == 3
    assert both("mov $1,1\nmov $2,2\nclr $1,-2\nadd $0,$1\nadd $0,$2\n", 1)[0][0] == 2
    assert both("mov $3,$0\nmov $$3,5\nmov $0,$2\n", 3) == [(0, 3), (0, 3), (5, 3)]


@pytest.mark.parametrize("text,error", [
    ("div $0,0\n", UndefinedError),
    ("mov $0,2\npow $0,4000\n", NumberTooLargeError),
    ("mov $1,2\nmov $2,10\nlpb $2\n  pow $1,$1\n  sub $2,1\nlpe\n", NumberTooLargeError),
    ("mov $1,-1\nmov $$1,2\n", InvalidAccessError),
    ("mov $1,100000\nmov $$1,2\n", MemoryLimitError),
    ("mov $3000,1\n", MemoryLimitError),
    ("mov $1,1000000000\nfil $0,$1\n", MemoryLimitError),
    ("mov $1,1\nmov $2,-1000000000000000000\nfil $1,$2\n", InvalidAccessError),
    ("mov $0,1000000000\nlpb $0\n  sub $0,1\nlpe\n", StepLimitError),
    ("seq $0,45\n", MissingProgramError),
])
def test_errors(text: str, error: type) -> None:
    limits = Limits(max_steps=100_000, max_seconds=5)
    with pytest.raises(error):
        evaluate(text, 3, None, limits)
    assert both(text, 3, None, limits)[-1] is error


def test_huge_negative_fill_of_zero_is_cheap() -> None:
    start = time.perf_counter()
    assert evaluate("mov $1,1000000000000000\nfil $$1,-999999999999990\n", 1) == [0]
    assert time.perf_counter() - start < 1


def test_time_limit() -> None:
    text = "mov $1,2\npow $1,3000\nlpb $1\n  mul $2,$1\n  mod $2,7\n  sub $1,1\nlpe\n"
    start = time.perf_counter()
    with pytest.raises(TimeLimitError):
        evaluate(text, 1, None, Limits(max_seconds=0.3))
    assert time.perf_counter() - start < 3


def test_seq_calls_offsets_and_cycles() -> None:
    corpus = Corpus({45: FIB, 10: "#offset 1\nseq $0,45\n", 1: "seq $0,2\n", 2: "seq $0,1\n",
                     3: "; A000003: self\nseq $0,3\n"})
    with pytest.raises(SeqArgumentError):
        evaluate("seq $0,10\n", 1, corpus)
    assert evaluate("#offset 1\nseq $0,10\n", 4, corpus) == [1, 1, 2, 3]
    with pytest.raises(CyclicSeqError):
        evaluate("seq $0,1\n", 1, corpus)
    with pytest.raises(CyclicSeqError):
        evaluate(corpus.get(3), 1, corpus)
    with pytest.raises(MissingProgramError):
        evaluate("seq $0,45\n", 1, corpus.without([45]))
    # steps of memoised calls still count, as in loda-cpp
    first = check_terms("seq $0,45\n", [0, 1, 1], corpus)
    again = check_terms("seq $0,45\n", [0, 1, 1], corpus)
    assert first.ok and first.steps == again.steps > 3


def test_check_terms_reports_prefix() -> None:
    result = check_terms(FIB, [0, 1, 1, 2, 4, 5])
    assert not result.ok and result.matched == 4 and result.got == 3 and result.error is None
    result = check_terms("div $0,$0\n", [1, 1])
    assert not result.ok and result.matched == 0 and "undefined" in result.error
    assert check_terms(FIB, [0, 1, 1, 2]).ok
