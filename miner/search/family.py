"""Family templates: the programs of sequences with similar names, with the changed numbers put in.

OEIS is full of families whose names differ only in a parameter ("Binomial coefficients C(9,n)." and
"C(77, n).", "... Coxeter group on 18 generators" and "on 46 generators"), and their programs usually
differ only in the constants that encode it. For each similar name (tf-idf over name words, see
`miner.search.retrieval.Index.similar`) the numbers that changed are found by aligning the two names word
by word, and the template's constants equal to an old number (or one off it, or its negation) are
rewritten to the new one, for every subset of the changes.
"""

from __future__ import annotations

from dataclasses import replace
from difflib import SequenceMatcher
from itertools import combinations, islice
from typing import Any, Iterable, Iterator, Mapping, Sequence

import structlog

from miner.lang.anumber import format_a_number
from miner.lang.program import CONSTANT, Operand, Program
from miner.search.types import Candidate, SearchContext, Target

_log = structlog.get_logger(__name__)

# Similar names whose programs are tried as templates (`[search] family_templates`).
TEMPLATES = 10
# Changed numbers per name pair taken into account (subsets of them are tried: 2^n - 1 variants).
MAX_CHANGES = 4


# Numbers names spell out ("with exactly six sorts of part 1", "the third power").
_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                                     "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_WORDS.update({w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)})


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else _WORDS.get(word)


def number_changes(old_name: str, new_name: str) -> list[tuple[int, int]]:
    """(old, new) for each number of `old_name` (digits, or a word up to "twenty") that `new_name` replaces
    at the same place; when the words do not align, the n-th number of each name, if both have as many."""
    from miner.search.retrieval import name_words

    old, new = name_words(old_name), name_words(new_name)
    pairs: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs += [(_number(x), _number(y)) for x, y in zip(old[i1:i2], new[j1:j2])]
    if not any(x is not None and y is not None for x, y in pairs):
        old_numbers, new_numbers = [w for w in old if w.isdigit()], [w for w in new if w.isdigit()]
        pairs = [(int(x), int(y)) for x, y in zip(old_numbers, new_numbers)] if len(old_numbers) == len(new_numbers) else []
    changes: list[tuple[int, int]] = []
    for x, y in pairs:
        if x is not None and y is not None and x != y and (x, y) not in changes:
            changes.append((x, y))
    return changes[:MAX_CHANGES]


def _rewrite(value: int, changes: Sequence[tuple[int, int]]) -> int:
    # Programs often hold a parameter k as k-1 (a loop bound), k+1 or -k (a subtraction).
    for old, new in changes:
        if value == old:
            return new
        if value == old - 1:
            return new - 1
        if value == old + 1:
            return new + 1
        if value == -old:
            return -new
    return value


def rewritten(program: Program, changes: Sequence[tuple[int, int]]) -> Program:
    """The program with every constant operand (not a `seq` A-number) rewritten by `changes`."""
    ops = []
    for o in program.ops:
        if o.source.kind == CONSTANT and o.op not in ("seq", "prg"):
            o = replace(o, source=Operand(CONSTANT, _rewrite(o.source.value, changes)))
        ops.append(o)
    return Program(ops, dict(program.directives))


def variants(program: Program, changes: Sequence[tuple[int, int]]) -> Iterator[Program]:
    """The template rewritten by each non-empty subset of the changes, all changes first; unchanged
    programs are skipped."""
    seen = {str(program.code())}
    for size in range(len(changes), 0, -1):
        for subset in combinations(changes, size):
            out = rewritten(program, subset)
            key = str(out.code())
            if key not in seen:
                seen.add(key)
                yield out


def corpus_index(ctx: SearchContext) -> Any:
    """The corpus programs of the known sequences indexed by terms and names
    (`miner.search.retrieval.Index`): kept in the context, loaded from `ctx.cache_dir` when it holds the
    index of these very programs and sequences, else built and saved there."""
    if ctx.retrieval is None:
        from miner.search import index_cache

        digest = index_cache.digest(ctx.corpus, ctx.known) if ctx.cache_dir else ""
        ctx.retrieval = index_cache.load(ctx.cache_dir, digest) if digest else None
        if ctx.retrieval is None:
            ctx.retrieval = _indexed(ctx, ctx.known)
            if digest:
                index_cache.save(ctx.retrieval, ctx.cache_dir, digest)
        _log.info("retrieval_index", programs=len(ctx.retrieval))
    return ctx.retrieval


def extend_corpus_index(ctx: SearchContext, ids: Iterable[int], save: bool = True) -> None:
    """Add the programs of `ids`, known sequences new to the corpus, to the index `corpus_index` built:
    a few hits need not rebuild it (a minute for 150,000 programs). The saved index follows (`save`)."""
    if ctx.retrieval is None:
        return
    added = [a for a in ids if a in ctx.known]
    if added:
        from miner.search import index_cache

        _indexed(ctx, added, ctx.retrieval)
        if ctx.cache_dir and save:
            index_cache.save(ctx.retrieval, ctx.cache_dir, index_cache.digest(ctx.corpus, ctx.known))


def _indexed(ctx: SearchContext, ids: Iterable[int], index: Any = None) -> Any:
    from miner.search.retrieval import corpus_programs, index_for

    sequences = {a: (ctx.known[a].name, list(ctx.known[a].terms), ctx.known[a].offset) for a in ids}
    return index_for(corpus_programs(ctx.corpus, [a for a in sequences if a in ctx.corpus]), sequences, index)


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Variants of the programs of the sequences whose names are most like the target's."""
    templates = int(ctx.settings.get("family_templates", TEMPLATES))
    yield from islice(ranked_variants(target, ctx, templates, "family"), max(budget, 0))


def ranked_variants(target: Target, ctx: SearchContext, names: int, strategy: str) -> Iterator[Candidate]:
    """Variants of the programs of the `names` sequences whose names are most like the target's, best first."""
    from miner.lang.compact import TargetError, from_target

    if not target.name or ctx.corpus is None or not ctx.known:
        return
    a = target.a_number
    for example in corpus_index(ctx).similar(target.name, k=names, exclude={a}, near=a, max_words=0):
        changes = number_changes(example.name, target.name)
        if not changes:
            continue
        try:
            template = from_target(example.target, target.offset)
        except TargetError:
            continue
        for program in variants(template, changes):
            yield Candidate(program, strategy, f"from {format_a_number(example.a_number)}")


def family_texts(targets: Mapping[int, tuple[str, Sequence[int], int]],
                 known: Mapping[int, tuple[str, Sequence[int], int]], *, corpus: Any,
                 budget: int = 60, settings: Mapping[str, Any] | None = None) -> dict[int, list[str]]:
    """`propose` for (name, terms, offset) records by integer A-number, with templates from the
    `known` sequences' programs in `corpus` only; programs as LODA text (for `training.evaluate`)."""
    from miner.lang import format_program

    def record(a: int, info: tuple[str, Sequence[int], int]) -> Target:
        return Target(a, info[0], tuple(info[1]), info[2])

    ctx = SearchContext(corpus=corpus, known={a: record(a, v) for a, v in known.items()},
                        settings=dict(settings or {}))
    return {a: [format_program(c.program) for c in propose(record(a, v), ctx, budget, None)]
            for a, v in targets.items()}
