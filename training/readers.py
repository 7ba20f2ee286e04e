"""Reader pairs: for a sequence whose name a model-free reader compiles, the program the name states.

The corpus's own program for "Numbers k such that k^2+1 is prime" is whatever a mutation miner found;
`miner.search.suchthat` writes the program the name states. Taught those programs in place of the
corpus's, the model learns to read names the way the readers do, and may read the variants of a
phrasing their parsers miss, which is where a model can add to them.
"""

from __future__ import annotations

import importlib
import random
import time
from collections import Counter, defaultdict
from typing import Any, Iterator, Mapping

import structlog

from miner.core import progress
from miner.lang import Corpus, EvalError, Limits, check_terms
from miner.lang.formatter import format_program
from miner.lang.optimize import optimize
from miner.lang.program import Program
from miner.search import NAME_READERS, STRATEGY_MODULES
from miner.search.formula import formulas_in_name
from miner.search.types import SearchContext, Target
from training.pairs import SequenceInfo

log = structlog.get_logger(__name__)

# The formula compiler first: its programs are the plainest; the readers of particular forms after it.
READERS: tuple[str, ...] = ("formula", *NAME_READERS)
# A reader's program for a corpus sequence is checked on the known terms; a slow one teaches little.
LIMITS = Limits(max_steps=2_000_000, max_memory=1000, max_seconds=0.5)
# State of a `reader_programs` call, set before worker processes fork (the corpus is not pickled).
_JOB: dict[str, Any] = {}


def reads(strategy: str, name: str) -> bool:
    """Whether the strategy's parser reads the name at all (cheap: no candidate is built)."""
    if strategy == "formula":
        return bool(formulas_in_name(name))
    return bool(importlib.import_module(STRATEGY_MODULES[strategy]).parse_name(name))


def _candidates(strategy: str, target: Target, ctx: SearchContext, budget: int) -> Iterator[Program]:
    module = importlib.import_module(STRATEGY_MODULES[strategy])
    for candidate in module.propose(target, ctx, budget, random.Random(target.a_number)):
        yield candidate.program


def read_one(a_number: int) -> tuple[int, str, str, float]:
    """(A-number, reader, program text, seconds) of the first reader whose program reproduces the
    sequence's known terms; reader and text empty when none does."""
    job = _JOB
    name, terms, offset = job["sequences"][a_number]
    target = Target(a_number, name, tuple(terms), offset)
    start = time.process_time()
    for strategy in job["readers"]:
        try:
            if not reads(strategy, name):
                continue
            for candidate in _candidates(strategy, target, job["ctx"], job["budgets"].get(strategy, 1)):
                program = optimize(candidate)  # the form the miner stores
                if program.code() and check_terms(program, list(terms), job["ctx"].corpus, LIMITS).matched == len(terms):
                    return a_number, strategy, format_program(program), time.process_time() - start
        except (EvalError, ValueError, ArithmeticError, RecursionError):
            continue  # a reader that trips on a name it half reads gives no pair
    return a_number, "", "", time.process_time() - start


def reader_programs(sequences: Mapping[int, SequenceInfo], corpus: Corpus, *, budgets: Mapping[str, int],
                    settings: Mapping[str, Any] | None = None, known: Mapping[int, SequenceInfo] | None = None,
                    readers: tuple[str, ...] = READERS, workers: int = 1) -> dict[int, tuple[str, str]]:
    """The reader and program text, per A-number of `sequences`, of the first reader whose program
    reproduces its known terms. `corpus` serves `seq` calls (hide the validation programs from it),
    `known` the sequences `cited` may read columns of."""
    known_targets = {a: Target(a, n, tuple(t), o) for a, (n, t, o) in (known or {}).items()}
    ctx = SearchContext(corpus=corpus, settings=dict(settings or {}), known=known_targets)
    ids = sorted(sequences)
    _JOB.update(sequences=sequences, ctx=ctx, budgets=dict(budgets), readers=readers)
    try:
        rows = progress.mapped(read_one, ids, "read names", workers=workers, unit="seq", ordered=False)
    finally:
        _JOB.clear()
    found = {a: (strategy, text) for a, strategy, text, _ in rows if strategy}
    seconds: dict[str, float] = defaultdict(float)
    for _, strategy, _, spent in rows:
        seconds[strategy or "none"] += spent
    log.info("reader_programs", sequences=len(ids), found=len(found), **{f"n_{k}": v for k, v in
             Counter(s for s, _ in found.values()).most_common()},
             cpu_seconds={k: round(v, 1) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])})
    return found


def reader_texts(queries: Mapping[int, SequenceInfo], known: Mapping[int, SequenceInfo], *, corpus: Corpus,
                 budgets: Mapping[str, int], settings: Mapping[str, Any] | None = None) -> dict[int, list[str]]:
    """The readers as one of the model-free searches a model is scored beside (`training.evaluate`): per
    query, the program of the first reader that reproduces it, the queries' own programs hidden."""
    found = reader_programs(queries, corpus.without(queries), budgets=budgets, settings=settings, known=known)
    return {a: [text] for a, (_, text) in found.items()}
