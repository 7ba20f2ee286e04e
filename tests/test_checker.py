"""The checker pool: real worker processes that survive hanging, memory-hungry and crashing candidates."""

from __future__ import annotations

import threading
import time

import pytest

from miner.mine.checker import CheckerPool, CheckItem, CorpusSpec, check_one
from miner.lang import Limits, parse
from miner.lang.corpus import Corpus

NATURALS = tuple(range(1, 31))  # A000027, offset 1
SQUARES = tuple(n * n for n in range(30))  # A000290, offset 0

GOOD = parse("mov $1,$0\nmul $0,$1\n")  # n^2
WRONG = parse("mov $1,$0\nmul $0,$1\nadd $0,1\n")  # n^2 + 1
# 2^40 loop passes: far beyond any wall-clock budget unless the evaluator's limits stop it.
SLOW = parse("mov $1,2\npow $1,40\nlpb $1\n  sub $1,1\nlpe\nmov $0,$1\n")
# Fills 200 million cells: far beyond the worker's address-space limit.
HUGE = parse("fil $0,200000000\n")

GENEROUS = Limits(max_steps=10**15, max_memory=10**9, max_seconds=10**6)


def squares(program, **kw) -> CheckItem:
    return CheckItem(program=program, a_number=290, offset=0, terms=SQUARES, **kw)


def test_correct_program_passes_and_wrong_term_is_rejected():
    corpus = Corpus({})
    ok = check_one(squares(GOOD), corpus, Limits())
    assert ok.ok and ok.matched == len(SQUARES) and not ok.error
    bad = check_one(squares(WRONG, match_terms=12), corpus, Limits())
    assert not bad.ok and bad.matched == 0 and bad.error == ""
    assert bad.evaluated == tuple(n * n + 1 for n in range(12))


def test_a_failed_candidates_terms_for_lookups_come_from_the_same_run():
    from miner.lang import check_terms, evaluate

    corpus = Corpus({})
    # Right for n < 15, then n^2 + 1: the lookup prefix runs on past the wrong term.
    late = parse("mov $1,$0\nmul $0,$1\nmov $2,$1\nequ $2,15\nmov $3,$1\ngeq $3,15\nadd $0,$3\n")
    wanted = evaluate(late, 24, corpus)
    assert wanted[14] == 196 and wanted[15] == 226
    result = check_terms(late, list(SQUARES), corpus, prefix=24)
    assert (result.matched, result.got, result.terms) == (15, 226, tuple(wanted))
    assert check_terms(late, list(SQUARES), corpus, prefix=8).terms == tuple(wanted[:8])
    assert check_terms(late, list(SQUARES), corpus).terms == ()
    assert check_terms(GOOD, list(SQUARES), corpus, prefix=24).terms == ()
    # Undefined from n = 20 on: the terms before the error serve, if there are enough of them.
    broken = parse("mov $1,$0\nmul $0,$1\nmov $2,20\nsub $2,$1\nmov $3,$2\ndiv $3,$2\nmul $3,0\nadd $0,$3\nadd $0,1\n")
    outcome = check_one(squares(broken, match_terms=24), corpus, Limits())
    assert not outcome.ok and outcome.evaluated == tuple(n * n + 1 for n in range(20))
    early = parse("mov $1,8\nsub $1,$0\ndiv $0,$1\n")  # undefined at n = 8
    assert check_one(squares(early, match_terms=24), corpus, Limits()).evaluated == ()


def test_offset_comes_from_the_sequence():
    naturals = CheckItem(program=parse("mov $0,$0\n"), a_number=27, offset=1, terms=NATURALS)
    assert check_one(naturals, Corpus({}), Limits()).ok
    shifted = CheckItem(program=parse("mov $0,$0\n"), a_number=27, offset=0, terms=NATURALS)
    assert not check_one(shifted, Corpus({}), Limits()).ok


def test_errors_after_the_required_terms_are_tolerated_but_wrong_terms_are_not():
    # Correct for n < 20, then a division by zero: fine when only 10 terms are required.
    text = "mov $1,$0\nmul $0,$1\nmov $2,20\nsub $2,$1\nmov $3,$2\ndiv $3,$2\nmul $3,0\nadd $0,$3\n"
    program = parse(text)
    corpus = Corpus({})
    lenient = check_one(squares(program, required=10), corpus, Limits())
    assert lenient.ok and lenient.matched == 20
    strict = check_one(squares(program), corpus, Limits())
    assert not strict.ok and "undefined" in strict.error
    assert not check_one(squares(WRONG, required=10), corpus, Limits()).ok


@pytest.mark.slow  # over a second: the full tier
def test_pool_survives_a_hanging_and_a_memory_hungry_candidate():
    items = [squares(GOOD), squares(SLOW), squares(WRONG), squares(HUGE), squares(GOOD)]
    with CheckerPool(CorpusSpec(), GENEROUS, workers=1, candidate_timeout=1.5, memory_mb=512,
                     chunk_size=8) as pool:
        start = time.monotonic()
        outcomes = pool.check(items)
        elapsed = time.monotonic() - start
        assert [o.ok for o in outcomes] == [True, False, False, False, True]
        assert "timeout" in outcomes[1].error
        assert outcomes[3].error  # MemoryError caught in the worker, or the worker died and was replaced
        assert pool.restarts >= 1
        assert elapsed < 30
        # The replaced worker keeps serving.
        assert [o.ok for o in pool.check([squares(GOOD)] * 3)] == [True, True, True]


def test_evaluator_limits_stop_slow_candidates_without_killing_workers():
    with CheckerPool(CorpusSpec(), Limits(max_steps=100_000, max_seconds=5), workers=1,
                     candidate_timeout=20) as pool:
        outcomes = pool.check([squares(SLOW), squares(GOOD)])
        assert not outcomes[0].ok and "step limit" in outcomes[0].error
        assert outcomes[1].ok
        assert pool.restarts == 0


def test_workers_leave_ctrl_c_to_the_parent():
    import os
    import signal

    with CheckerPool(CorpusSpec(), Limits(), workers=1) as pool:
        assert pool.check([squares(GOOD)])[0].ok  # the worker is up
        [worker] = pool._workers
        os.kill(worker.process.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends the whole group
        time.sleep(0.3)
        assert worker.process.is_alive()
        assert [o.ok for o in pool.check([squares(GOOD), squares(WRONG)])] == [True, False]
        assert pool.restarts == 0


def test_stop_event_returns_quickly():
    stop = threading.Event()
    with CheckerPool(CorpusSpec(), GENEROUS, workers=1, candidate_timeout=60) as pool:
        pool.check([squares(GOOD)])  # workers are up
        timer = threading.Timer(0.5, stop.set)
        timer.start()
        start = time.monotonic()
        outcomes = pool.check([squares(SLOW), squares(GOOD)], stop_event=stop)
        assert time.monotonic() - start < 5
        assert outcomes[1] is None
        assert pool.check([squares(GOOD)])[0].ok


def test_workers_load_the_corpus_for_seq_calls(tmp_path):
    folder = tmp_path / "oeis" / "000"
    folder.mkdir(parents=True)
    (folder / "A000290.asm").write_text("; A000290: squares\nmov $1,$0\nmul $0,$1\n")
    caller = parse("seq $0,290\nadd $0,1\n")  # n^2 + 1
    item = CheckItem(program=caller, a_number=2522, offset=0, terms=tuple(n * n + 1 for n in range(20)))
    with CheckerPool(CorpusSpec(path=str(tmp_path)), Limits(), workers=1) as pool:
        assert pool.check([item])[0].ok
    with CheckerPool(CorpusSpec(path=str(tmp_path), hidden=frozenset({290})), Limits(), workers=1) as pool:
        hidden = pool.check([item])[0]
        assert not hidden.ok and "missing program" in hidden.error


def test_a_worker_that_cannot_load_its_corpus_is_a_clear_error(tmp_path):
    from miner.mine.checker import CheckerError

    with CheckerPool(CorpusSpec(path=str(tmp_path / "absent")), Limits(), workers=1) as pool:
        with pytest.raises(CheckerError, match="absent"):
            pool.check([squares(GOOD)])


def test_the_pool_counts_its_workers_whole_cpu_including_what_lies_outside_candidates():
    with CheckerPool(CorpusSpec(), Limits(max_steps=3_000_000, max_seconds=30), workers=1, chunk_size=4) as pool:
        assert pool.cpu_seconds() == 0.0  # not ready yet: the corpus load is not counted
        outcomes = pool.check([squares(SLOW) for _ in range(3)] + [squares(GOOD) for _ in range(200)])
        spent = pool.cpu_seconds()
        own = sum(o.cpu_seconds for o in outcomes if o is not None)
        assert own > 0.05 and spent >= own
    assert pool.cpu_seconds() >= spent  # kept once the workers are gone
