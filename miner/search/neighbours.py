"""Neighbour edits: every single edit of the programs of the sequences most like the target, by their
first terms (under a*x+b, adapted to it) and by their names.

A sequence without a program often has a neighbour one edit away: a constant, an operand, an operation
kind or one line more or less (`repair.edits`, simplest first). On 300 held-out corpus sequences, 44 have a
neighbour that is right as it is (the corpus sweep and family find those); of the other 256, up to 400
single edits of their 20 neighbours' programs solved 28 in 59 CPU-seconds, where 400 random mutants of
the same programs solved 10 in 72 (both at 0.05 s a candidate: the edits are checked under `[mine]
blind_max_seconds`, as mutants are). The edits of all neighbours are taken in turn, nearest first, and
when those run out (about 100 per program), their double edits; each round of the loop takes the next
part of that stream.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any, Iterator

from miner.lang.program import Program
from miner.search.types import Candidate, SearchContext, Target

# Neighbours by terms, and as many by name, whose programs are edited (`[search] similar_programs`).
SIMILAR = 10


def programs(target: Target, ctx: SearchContext, k: int = SIMILAR) -> list[Program]:
    """The programs of the k sequences whose first terms match the target's longest (adapted to it) and of
    the k whose names are most like its own (`family`'s tf-idf index), at its offset; no duplicates."""
    from miner.lang.compact import TargetError, from_target
    from miner.search.family import corpus_index

    if k <= 0 or ctx.corpus is None or not ctx.known:
        return []
    index = corpus_index(ctx)
    texts = [hit.target for hit in index.neighbours(target.terms, target.offset, k=k, exclude={target.a_number})]
    if target.name:
        texts += [example.target for example in index.similar(target.name, k=k, exclude={target.a_number},
                                                              near=target.a_number, max_words=0)]
    out = []
    for text in dict.fromkeys(texts):
        try:
            out.append(from_target(text, target.offset))
        except TargetError:
            continue
    return out


def double_edits(program: Program) -> Iterator[Program]:
    """Every edit of every single edit of the program, the first edit of each single edit, then the
    second of each, and so on (so a prefix of the stream changes every part of the program)."""
    from miner.search.repair import edits

    for group in zip_longest(*(edits(e) for e in edits(program))):
        yield from (p for p in group if p is not None)


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Single edits of the neighbours' programs, one of each in turn, then their double edits; at most
    `budget`, always in the same order (the loop's rounds take the stream a part at a time)."""
    from miner.search.repair import edits

    near = programs(target, ctx, int(ctx.settings.get("similar_programs", SIMILAR)))
    made = 0
    seen: set[tuple] = set()
    for kind, stream in (("edit", edits), ("double edit", double_edits)):
        for group in zip_longest(*(stream(p) for p in near)):
            for rank, program in enumerate(group, 1):
                if program is None:
                    continue
                key = (tuple(program.code()), tuple(sorted(program.directives.items())))
                if key in seen:
                    continue
                seen.add(key)
                yield Candidate(program, "neighbours", f"{kind} of neighbour {rank}", blind=True)
                made += 1
                if made >= budget:
                    return
