"""Datasets: corpus programs (and verified hits) turned into train/validation pairs with retrieval.

Each prompt shows the nearest other sequences' programs (first those a caller's term matcher found,
such as the miner's corpus sweep, then the retrieval index's); the target is chosen by
`training.targets.choose` (a correct neighbour is copied). Pairs are cached as JSON lines in a run
folder so a resumed run trains on exactly the same data.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, Protocol, Sequence

import structlog

from miner.core import progress
from miner.lang.compact import from_target, to_target
from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.retrieval import Hit, Index, corpus_programs, index_for
from training.pairs import (Pair, SequenceInfo, abstract, dedupe, format_term, make_source, source_terms, split_ids,
                            tagged_pair)
from training.targets import Choice, choose, shown_examples, shown_text
from miner.lang.anumber import format_a_number

log = structlog.get_logger(__name__)

class Matcher(Protocol):
    """(query sequences, known sequences, worker processes) -> LODA programs per query A-number that reproduce
    each query from a known sequence (the miner's corpus sweep is one); training only calls it, never imports it."""

    def __call__(self, queries: Mapping[int, SequenceInfo], known: Mapping[int, SequenceInfo],
                 workers: int = 1) -> Mapping[int, Sequence[str]]: ...


@dataclass
class Dataset:
    """Train and validation pairs, the retrieval index and the sequences it holds (train split only)."""

    train: list[Pair]
    valid: list[Pair]
    index: Index | None
    known: Mapping[int, SequenceInfo] | None = None


def corpus_sequences(corpus, ids: Iterable[int] | None = None) -> dict[int, SequenceInfo]:
    """{A-number: (name, terms, offset)} from the program headers of a `miner.lang` Corpus."""
    from miner.lang.header import read_header
    from miner.lang.parser import ParseError

    out: dict[int, SequenceInfo] = {}
    for a in (corpus.ids() if ids is None else ids):
        text = corpus.text(a)
        if text is None:
            continue
        header = read_header(text)
        try:
            program = corpus.get(a)
        except ParseError:
            continue
        if header.terms and program is not None:
            out[a] = (header.name, header.terms, program.offset)
    return out


def matched_hits(texts: Sequence[str]) -> list[Hit]:
    """A matcher's programs (LODA text) for one sequence as neighbours: compact text calling the
    matched sequence, shortest first (the simplest transform); texts that do not parse or call
    nothing are skipped."""
    from miner.lang.parser import ParseError, parse

    hits = []
    for text in texts:
        try:
            program = parse(text, "matched program")
        except ParseError:
            continue
        callee = next((int(o.source.value) for o in program.code() if o.op == "seq"), 0)
        if callee:
            target = to_target(program)
            hits.append(Hit(callee, target, 0, 0, 0, target))
    return sorted(hits, key=lambda h: len(h.target.split()))


def matched_by_sequence(found: Mapping[int, Sequence[str]]) -> dict[int, list[Hit]]:
    """`matched_hits` per A-number of a matcher's result."""
    return {a: hits for a, texts in found.items() if (hits := matched_hits(texts))}


def merge_hits(matched: Sequence[Hit], hits: Sequence[Hit]) -> list[Hit]:
    """Matched programs first (they reproduce every known term compared), then index hits of other
    sequences."""
    seen = {h.a_number for h in matched}
    return [*matched, *(h for h in hits if h.a_number not in seen)]


# Hits fetched per prompt beyond the shown neighbours, so that a correct one ranked lower is found.
EXTRA_HITS = 2
# Longest edit target kept (compact words): longer ones would be cut at the target length anyway.
MAX_EDIT_WORDS = 100
# State of a `make_pairs` call, set before worker processes fork (so the corpus is not pickled).
_JOB: dict = {}


def _choice(a: int) -> Choice:
    job = _JOB
    name, terms, _ = job["sequences"][a]
    program = job["programs"][a]
    return choose_for(program, terms, a, job["index"], job["neighbours"], job["corpus"], job["promote"],
                      name=name, examples=job["examples"], matched=job["matched"].get(a, ()))


def choose_for(program: Program, terms: list[int], a_number: int, index: Index | None, shown: int,
               corpus, promote: bool = False, *, name: str = "", examples: int = 0,
               matched: Sequence[Hit] = ()) -> Choice:
    """The target and shown neighbours (`matched` ones first, and `examples` similar-name sequences)
    for one sequence's program (see `training.targets.choose`); without an index only the own
    program, without a `corpus` no neighbour is checked."""
    own = to_target(program)
    if index is None or not (shown or examples):
        return Choice(own, "own", ())
    hits = index.neighbours(terms, program.offset, k=shown + EXTRA_HITS, exclude={a_number}) if shown else []
    hits = merge_hits(matched, hits) if shown else hits
    similar = index.similar(name, k=examples, exclude={a_number}, near=a_number) if examples and name else []
    if corpus is None:
        return Choice(own, "own", shown_text(hits[:shown]), shown_examples(similar))
    return choose(own, hits, terms, program.offset, corpus, shown, promote=promote, examples=similar)


def _pair(a_number: int, name: str, terms: list[int], program: Program, choice: Choice, length: int,
          num_terms: int) -> Pair:
    source = make_source(name, terms, choice.neighbours, offset=program.offset, num_terms=num_terms,
                         examples=choice.examples)
    return Pair(a_number, source, abstract(choice.target, source), length, choice.kind)


def pair_kinds(pairs: Iterable[Pair]) -> dict[str, int]:
    """How many pairs of each kind (copy, edit, own, synthetic, formula, recurrence)."""
    return dict(Counter(p.kind for p in pairs))


def make_pairs(programs: Mapping[int, Program], sequences: Mapping[int, SequenceInfo], *,
               num_terms: int = 16, index: Index | None = None, neighbours: int = 1, examples: int = 0,
               max_length: int = 0, corpus=None, promote: bool = False, workers: int = 1,
               matched: Mapping[int, Sequence[Hit]] | None = None, keep: Collection[int] = ()) -> list[Pair]:
    """Pairs for every program whose sequence is known, deduplicated, sorted by A-number.

    With a retrieval `index` each prompt shows up to `neighbours` programs: the `matched` ones of
    the sequence first (see `matched_by_sequence`), then those of the nearest other sequences; and
    up to `examples` programs of sequences with similar names. With a `corpus` (for `seq` calls)
    too, targets are chosen by `training.targets.choose` (`promote` for training pairs
    only). `max_length` > 0 (training) drops own programs with more operations; copies stay, and
    edits up to MAX_EDIT_WORDS words: their prompt shows most of their code, and long programs are
    where a template helps most; so do the programs of `keep` (readers' programs, already short enough to
    teach). Without it (validation) every sequence stays.
    """
    ids = [a for a in sorted(programs) if a in sequences and programs[a].code()]
    _JOB.update(programs=programs, sequences=sequences, index=index, neighbours=neighbours, corpus=corpus,
                promote=promote, examples=examples, matched=matched or {})
    try:
        choices = progress.mapped(_choice, ids, "build pairs", workers=workers, unit="seq", chunksize=256)
    finally:
        _JOB.clear()
    out = []
    for a, choice in zip(ids, choices):
        program = programs[a]
        length = len(program.code()) if choice.kind != "copy" else len(from_target(choice.target).code())
        if not choice.target or (max_length and choice.kind == "own" and a not in keep
                                   and len(program.code()) > max_length):
            continue
        if max_length and choice.kind == "edit" and len(choice.target.split()) > MAX_EDIT_WORDS:
            continue
        name, terms, _ = sequences[a]
        out.append(_pair(a, name, terms, program, choice, length, num_terms))
    return dedupe(out)


def build_dataset(corpus, *, num_terms: int, neighbours: int, valid_fraction: float, similar_names: int = 0,
                  sequences: Mapping[int, SequenceInfo] | None = None, limit: int = 0,
                  max_length: int = 0, seed: int = 0, synthetic: int = 0, formulas: int = 0, recurrences: int = 0,
                  mend: int = 0, workers: int = 1, matcher: Matcher | None = None,
                  number_tags: bool = False, train_sample: int = 0,
                  readers: Mapping[str, int] | None = None, search_settings: Mapping[str, Any] | None = None) -> Dataset:
    """Pairs from the corpus split by a hash of the A-number; `limit` > 0 keeps a random subset.

    `train_sample` > 0 makes training pairs for that many random train sequences only, their
    neighbours still drawn from the whole train split (a replay sample, built in seconds).

    Neighbours come from the train split only, and targets are checked with the validation
    programs hidden from `seq` calls. `synthetic` > 0 adds that many mutant pairs (see
    `training.synthetic`) made from train programs, `formulas` > 0 that many formula-name pairs
    (`training.formulas`) calling train sequences only, `recurrences` > 0 that many linear recurrence
    and rational g.f. pairs (`training.recurrences`), `mend` > 0 that many train pairs with a near
    miss of their program shown (`training.mend`); none may share its terms with a validation
    sequence. A `matcher` puts what it finds among the train sequences first in the prompts;
    `number_tags` tags the names' numbers (`training.pairs.tagged_pair`). With `readers` (candidates per
    reader, as `[mine.budget]`) a train sequence whose name a model-free reader compiles is taught the
    reader's program in place of the corpus's (`training.readers`; kind `reader`), unless a neighbour is copied.
    """
    ids = corpus.ids()
    if limit:
        ids = sorted(random.Random(seed).sample(ids, min(limit, len(ids))))
    programs = corpus_programs(corpus, ids)
    seqs = dict(corpus_sequences(corpus, ids))
    if sequences:
        seqs.update({a: v for a, v in sequences.items() if a in programs})
    ids = sorted(a for a in programs if a in seqs)
    train_ids, valid_ids = split_ids(ids, valid_fraction)
    index = index_for({a: programs[a] for a in train_ids}, seqs) if neighbours or similar_names else None
    known = {a: seqs[a] for a in train_ids}
    paired = train_ids
    if train_sample and train_sample < len(train_ids):
        paired = sorted(random.Random(seed).sample(train_ids, train_sample))
    matched = None
    if matcher is not None and neighbours:
        # One pass for both splits; a matcher never offers a sequence as its own match.
        matched = matched_by_sequence(matcher({a: seqs[a] for a in [*paired, *valid_ids]}, known, workers=workers))
    kw = dict(num_terms=num_terms, index=index, neighbours=neighbours, examples=similar_names,
              corpus=corpus.without(valid_ids), workers=workers, matched=matched)
    taught = {a: programs[a] for a in paired}
    read: dict[int, str] = {}
    if readers is not None:
        read = _read_names(taught, seqs, corpus.without(valid_ids), known, readers, search_settings, workers)
        taught.update({a: parse(text) for a, text in read.items()})
    train = make_pairs(taught, seqs, max_length=max_length, promote=True, keep=read, **kw)
    if read:
        train = [replace(p, kind="reader") if p.a_number in read and p.kind != "copy" else p for p in train]
    # Validation keeps every sequence, long programs included: the solve rate is over a random split.
    valid = make_pairs({a: programs[a] for a in valid_ids}, seqs, **kw)
    made: list[Pair] = []
    if mend and neighbours:
        from training.mend import mend_pairs

        made += mend_pairs(train, corpus.without(valid_ids), mend, neighbours=neighbours, seed=seed)
    if synthetic:
        from training.synthetic import synthetic_pairs

        made += synthetic_pairs({a: programs[a] for a in train_ids}, synthetic, num_terms=num_terms, seed=seed)
    if formulas:
        from training.formulas import formula_pairs

        made += formula_pairs(corpus.without(valid_ids), seqs, formulas, callees=formula_callees(programs, train_ids),
                              num_terms=num_terms, seed=seed)
    if recurrences:
        from training.recurrences import recurrence_pairs

        made += recurrence_pairs(recurrences, num_terms=num_terms, seed=seed)
    held_out = {tuple(format_term(t) for t in seqs[a][1][:num_terms]) for a in valid_ids}
    train += [p for p in made if source_terms(p.source) not in held_out]
    if number_tags:
        train, valid = [tagged_pair(p) for p in train], [tagged_pair(p) for p in valid]
    log.info("dataset", train=len(train), valid=len(valid), indexed=len(index) if index else 0,
             **pair_kinds(train))
    return Dataset(train, valid, index, known)


def _read_names(programs: Mapping[int, Program], sequences: Mapping[int, SequenceInfo], corpus,
                known: Mapping[int, SequenceInfo], budgets: Mapping[str, int],
                settings: Mapping[str, Any] | None, workers: int) -> dict[int, str]:
    """The readers' program texts of the sequences of `programs`, those short enough to teach."""
    from training.readers import reader_programs

    found = reader_programs({a: sequences[a] for a in programs if a in sequences}, corpus, budgets=budgets,
                            settings=settings, known=known, workers=workers)
    return {a: text for a, (_, text) in found.items() if len(to_target(parse(text)).split()) <= MAX_EDIT_WORDS}


def formula_callees(programs: Mapping[int, Program], ids: Iterable[int], count: int = 2000,
                    max_length: int = 20, seed: int = 0) -> list[int]:
    """Sequences formula pairs may call: the well-known ones, plus a sample of short programs
    (short, so that computing the pairs' terms stays fast)."""
    from training.formulas import NAMED

    ids = sorted(ids)
    short = [a for a in ids if len(programs[a].code()) <= max_length]
    sample = random.Random(seed).sample(short, min(count, len(short)))
    return sorted(set(sample) | (set(NAMED) & set(ids)))


def save_pairs(pairs: Iterable[Pair], path: str | Path) -> None:
    """Write pairs as JSON lines (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps(asdict(p)) + "\n")
    tmp.replace(path)


def load_pairs(path: str | Path) -> list[Pair]:
    """Read pairs written by `save_pairs`; a broken line raises ValueError naming file and line."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                out.append(Pair(**json.loads(line)))
            except (json.JSONDecodeError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a pair record: {exc}") from None
    return out


def hit_pairs(rows: Iterable, valid_fraction: float, *, num_terms: int, index: Index | None = None,
              neighbours: int = 0, similar_names: int = 0, corpus=None, matcher: Matcher | None = None,
              known: Mapping[int, SequenceInfo] | None = None, number_tags: bool = False) -> list[Pair]:
    """Training pairs from verified hits (`storage.programs.discovered` rows: a_number, name, terms, code).

    Hits of validation-split sequences are left out so that validation never leaks into training;
    rows whose code does not parse or whose sequence has no terms are skipped with a warning.
    Targets are chosen as for corpus pairs when a `corpus` (for `seq` calls) is given; a `matcher`
    puts what it finds among the `known` sequences first in the prompts, and `number_tags` tags the
    names' numbers, as in `build_dataset`.
    """
    from miner.lang.parser import ParseError, parse
    from training.pairs import is_validation

    parsed = []
    for row in rows:
        if is_validation(row.a_number, valid_fraction) or not row.terms:
            continue
        try:
            parsed.append((row, parse(row.code, f"hit {format_a_number(row.a_number)}")))
        except ParseError as exc:
            log.warning("hit_skipped", seq=format_a_number(row.a_number), error=str(exc))
    matched: dict[int, list[Hit]] = {}
    if matcher is not None and known and neighbours:
        queries = {row.a_number: (row.name, list(row.terms), program.offset) for row, program in parsed}
        matched = matched_by_sequence(matcher(queries, known))
    out = []
    for row, program in parsed:
        choice = choose_for(program, row.terms, row.a_number, index, neighbours, corpus, name=row.name,
                            examples=similar_names, matched=matched.get(row.a_number, ()))
        pair = _pair(row.a_number, row.name, row.terms, program, choice, len(program.code()), num_terms)
        out.append(tagged_pair(pair) if number_tags else pair)
    return dedupe(out)
