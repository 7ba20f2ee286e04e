"""What the model is taught to write for a sequence: a copy or an edit of a shown neighbour if possible.

Asking for the corpus's own program when an equivalent neighbour is in the prompt teaches the
model to ignore its prompt (only 2.7% of corpus programs equal their neighbour's text). So the
target is the first retrieved neighbour that reproduces the sequence's known terms, written as a
`seq` call of it (`copy`: a few words), else the sequence's own program, marked `edit` when it is
close to the code of a shown neighbour or of a shown similar-name example, and `own` when not.
Neighbours are shown as `seq` calls, examples with their code.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Sequence

from miner.lang import Corpus, EvalError, Limits, check_terms
from miner.lang.compact import TargetError, from_target
from miner.search.retrieval import Example, Hit

# Neighbours are checked with tight limits: a correct copy of a corpus program is fast.
CHECK_LIMITS = Limits(max_steps=300_000, max_memory=1000, max_seconds=0.3)
# Word-level similarity (difflib ratio) from which the own program counts as an edit of a neighbour.
EDIT_SIMILARITY = 0.7


@dataclass(frozen=True)
class Choice:
    """The target text and how it relates to the shown neighbours: copy, edit or own."""

    target: str
    kind: str
    neighbours: tuple[str, ...]  # the neighbour targets to show in the prompt, best first
    examples: tuple[tuple[str, str], ...] = ()  # (name, program) of similar-name sequences to show


def reproduces(target: str, terms: Sequence[int], offset: int, corpus: Corpus | None,
               limits: Limits = CHECK_LIMITS) -> bool:
    """Whether the compact program text reproduces all the given terms."""
    try:
        program = from_target(target, offset)
        return check_terms(program, list(terms), corpus, limits).matched == len(terms)
    except (TargetError, EvalError, ValueError):
        return False


def similarity(a: str, b: str) -> float:
    """Word-level similarity of two target texts in [0, 1]."""
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def choose(own: str, hits: Sequence[Hit], terms: Sequence[int], offset: int, corpus: Corpus | None,
           shown: int, promote: bool = False, limits: Limits = CHECK_LIMITS,
           examples: Sequence[Example] = ()) -> Choice:
    """The target for a sequence with program text `own` and retrieval `hits` (best first).

    The first `shown` hits go into the prompt, as at generation time. With `promote` (training
    only: it peeks at the answer) a correct hit ranked below them replaces the last one, so that
    more copy targets are visible.
    """
    candidates = hits if promote else hits[:shown]
    correct = next((h for h in candidates if reproduces(h.target, terms, offset, corpus, limits)), None)
    visible = list(hits[:shown])
    templates = shown_examples(examples)
    if correct is not None:
        if correct not in visible:
            visible = visible[:shown - 1] + [correct]
        return Choice(correct.call or correct.target, "copy", shown_text(visible), templates)
    close = any(similarity(t, own) >= EDIT_SIMILARITY for t in [*(h.target for h in visible),
                                                                 *(e.target for e in examples)])
    return Choice(own, "edit" if close else "own", shown_text(visible), templates)


def shown_text(hits: Sequence[Hit]) -> tuple[str, ...]:
    """The neighbours as the prompt shows them: each a `seq` call of the neighbour, adapted."""
    return tuple(h.call or h.target for h in hits)


def shown_examples(examples: Sequence[Example]) -> tuple[tuple[str, str], ...]:
    """The similar-name examples as the prompt shows them: (name, program) with its code."""
    return tuple((e.name, e.target) for e in examples)
