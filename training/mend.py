"""Mend pairs: a prompt that shows a near miss of the sequence's program, and the program as target.

The miner shows a sequence's best wrong candidate so far as the first neighbour of its next prompts
(`training.pairs.with_near_miss`). A model learns to use it from these pairs: a train pair's program
with one random change (`miner.search.mutation.mutate`) that still reproduces some leading terms but
not all is shown that way, and the target is the unchanged program (`N1` inlines the near miss, so a
missing last step is one placeholder and one operation).
"""

from __future__ import annotations

import random
from typing import Sequence

from miner.lang import Corpus, EvalError, Limits, evaluate
from miner.lang.compact import TargetError, from_target, to_target
from miner.search.mutation import mutate
from training.pairs import Pair, abstract, expand, format_term, source_offset, source_terms, with_near_miss

LIMITS = Limits(max_steps=20_000, max_memory=200, max_seconds=0.2)
# Longer programs make slow pairs and targets cut at the model's target length.
MAX_LENGTH = 40
# Kinds of train pairs whose target is the sequence's program (formula, recurrence and synthetic
# pairs are made up, and their terms are computed, not known).
MENDABLE = ("own", "copy", "edit")


def near_miss_of(program, terms: Sequence[str], corpus: Corpus, rng: random.Random, min_terms: int,
                 tries: int = 6):
    """A one-change mutant of `program` whose first `min_terms` or more, but not all, of `terms`
    (formatted as in prompts) are right; None when `tries` mutants give none."""
    for _ in range(tries):
        wrong = mutate(program, rng, max_changes=1)
        try:
            got = [format_term(t) for t in evaluate(wrong, len(terms), corpus, LIMITS)]
        except (EvalError, ValueError, OverflowError):
            continue
        right = next((i for i, (g, t) in enumerate(zip(got, terms)) if g != t), len(got))
        if min_terms <= right < len(terms):
            return wrong
    return None


def mend_pairs(pairs: Sequence[Pair], corpus: Corpus, count: int, *, neighbours: int, min_terms: int = 3,
               seed: int = 0) -> list[Pair]:
    """Up to `count` mend pairs from the train `pairs` (their programs run against `corpus`, which
    must hide the validation programs)."""
    rng = random.Random(seed)
    pool = [p for p in pairs if p.kind in MENDABLE and p.length <= MAX_LENGTH]
    rng.shuffle(pool)
    out: list[Pair] = []
    for pair in pool:
        if len(out) >= count:
            break
        try:
            full = expand(pair.target, pair.source)
            program = from_target(full, source_offset(pair.source))
        except (TargetError, ValueError):
            continue
        wrong = near_miss_of(program, source_terms(pair.source), corpus, rng, min_terms)
        if wrong is None:
            continue
        source = with_near_miss(pair.source, to_target(wrong), max(1, neighbours))
        out.append(Pair(pair.a_number, source, abstract(full, source), pair.length, "mend"))
    return out
