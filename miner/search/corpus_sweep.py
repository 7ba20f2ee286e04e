"""Corpus sweep: match every target against the known terms of every sequence that has a program,
before any model runs. A match becomes `seq $0,K` plus the matcher's transform lines, so the
candidate is short and needs no evaluation to be found (the loop still checks it on every term).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from miner.core import progress
from miner.lang import format_a_number, format_program
from miner.lang.program import Program
from miner.search.build import line
from miner.search.matchers import TermIndex
from miner.search.types import Candidate, SearchContext, Target

# Candidates kept per target when the caller's settings lack `[search] sweep_per_target`.
PER_TARGET = 4


def seq_program(a_number: int, offset: int) -> Program:
    """`seq $0,K` with K's offset: the sequence K itself, by calling its program."""
    return Program(ops=[line("seq", 0, a_number)], directives={"offset": offset} if offset else {})


@dataclass
class Cap:
    """A sweep's candidates per target so far; a target with `per_target` of them is `full`, and the index
    lookups skip it."""

    per_target: int
    full: set[int] = field(default_factory=set)
    counts: dict[int, int] = field(default_factory=dict)

    def take(self, a_number: int) -> None:
        self.counts[a_number] = self.counts.get(a_number, 0) + 1
        if self.counts[a_number] >= self.per_target:
            self.full.add(a_number)


def sweep(index: TermIndex, known: Iterable[Target], terms_used: int = 40,
          per_target: int = PER_TARGET) -> Iterator[tuple[int, Candidate]]:
    """(target A-number, candidate) for every target that an affine/delta/digit transform of a known
    sequence matches, at most `per_target` candidates per target."""
    cap = Cap(per_target)
    for seq in known:
        if len(seq.terms) < index.key_length:
            continue
        source = seq_program(seq.a_number, seq.offset)
        for a_number, program in index.match(list(seq.terms[:terms_used]), source, skip=cap.full):
            if a_number != seq.a_number:
                cap.take(a_number)
                yield a_number, Candidate(program, "corpus_sweep", f"from {format_a_number(seq.a_number)}")


def per_target(settings: Mapping[str, Any]) -> int:
    """Candidates the sweep keeps per target: `[search] sweep_per_target`, else `PER_TARGET`."""
    return int(settings.get("sweep_per_target", PER_TARGET))


# Known sequences per unit of work of `sweep_programs`: each chunk has its own cap, and the chunks' finds are
# capped again in order, so any number of workers keeps what one sweep in order keeps.
CHUNK = 100
# State of a `sweep_programs` call, set before its workers fork (the index is not pickled).
_JOB: dict[str, Any] = {}


def _sweep_chunk(start: int) -> list[tuple[int, Program]]:
    known = _JOB["known"][start:start + CHUNK]
    return [(a, cand.program) for a, cand in sweep(_JOB["index"], known, per_target=_JOB["per_target"])]


def sweep_programs(targets: Iterable[Target], known: Iterable[Target],
                   settings: Mapping[str, Any] | None = None, workers: int = 1) -> dict[int, list[Program]]:
    """The sweep's candidate programs per target A-number, with the `[search]` match_* options, in `workers`
    processes, with progress (a sweep of the whole corpus takes minutes)."""
    settings = settings or {}
    known = list(known)
    cap = Cap(per_target(settings))
    _JOB.update(index=TermIndex.from_settings(targets, dict(settings)), known=known, per_target=cap.per_target)
    try:
        parts = progress.mapped(_sweep_chunk, range(0, len(known), CHUNK), "corpus sweep", workers=workers,
                                unit="chunk", chunksize=4)
    finally:
        _JOB.clear()
    found: dict[int, list[Program]] = {}
    for part in parts:
        for a_number, program in part:
            if a_number not in cap.full:
                cap.take(a_number)
                found.setdefault(a_number, []).append(program)
    return found


def sweep_texts(targets: Mapping[int, tuple[str, Sequence[int], int]],
                known: Mapping[int, tuple[str, Sequence[int], int]],
                settings: Mapping[str, Any] | None = None, workers: int = 1) -> dict[int, list[str]]:
    """`sweep_programs` on (name, terms, offset) records by integer A-number, programs as LODA text
    (the form `training.evaluate` scores the sweep in)."""
    def records(seqs: Mapping[int, tuple[str, Sequence[int], int]]) -> list[Target]:
        return [Target(a, name, tuple(terms), offset) for a, (name, terms, offset) in seqs.items()]

    found = sweep_programs(records(targets), records(known), settings, workers)
    return {a: [format_program(p) for p in programs] for a, programs in found.items()}


# Where a context keeps the sweep's candidates per target; dropped when its targets or corpus change.
CACHE_KEY = "_sweep_cache"


def _cached(ctx: SearchContext) -> Mapping[int, list[Candidate]]:
    """The sweep's candidates per target: the full sweep runs once per context."""
    cache: Mapping[int, list[Candidate]] | None = ctx.settings.get(CACHE_KEY)
    if cache is None:
        found: dict[int, list[Candidate]] = {}
        if ctx.index is not None:
            for a_number, cand in sweep(ctx.index, ctx.known.values(), per_target=per_target(ctx.settings)):
                found.setdefault(a_number, []).append(cand)
        ctx.settings[CACHE_KEY] = cache = found
    return cache


def matched_programs(target: Target, ctx: SearchContext) -> list[Program]:
    """The sweep's programs for one target (what models with `matched_neighbours` see first)."""
    return [c.program for c in _cached(ctx).get(target.a_number, [])]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The sweep's candidates for one target."""
    yield from _cached(ctx).get(target.a_number, [])[: max(budget, 0)]
