"""Datasets: corpus programs (and verified hits) turned into train/validation pairs with retrieval.

Pairs are cached as JSON lines in a run folder so a resumed run trains on exactly the same data.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Mapping

import structlog

from miner.lang.program import Program
from training.pairs import Pair, SequenceInfo, dedupe, make_pairs, split_ids, to_target
from training.retrieval import Index, build_index

log = structlog.get_logger(__name__)


@dataclass
class Dataset:
    """Train and validation pairs and the retrieval index (built from the train split only)."""

    train: list[Pair]
    valid: list[Pair]
    index: Index | None


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


def corpus_programs(corpus, ids: Iterable[int] | None = None) -> dict[int, Program]:
    """{A-number: Program} for the given (default: all) visible ids; broken programs are skipped."""
    from miner.lang.parser import ParseError

    out = {}
    for a in (corpus.ids() if ids is None else ids):
        try:
            program = corpus.get(a)
        except ParseError as exc:
            log.warning("program_skipped", seq=f"A{a:06d}", error=str(exc))
            continue
        if program is not None and program.code():
            out[a] = program
    return out


def index_for(programs: Mapping[int, Program], sequences: Mapping[int, SequenceInfo]) -> Index:
    """A retrieval index over the given programs, keyed by their sequences' terms."""
    return build_index(
        (a, sequences[a][1], programs[a].offset, to_target(p))
        for a, p in programs.items() if a in sequences
    )


def build_dataset(corpus, *, num_terms: int, neighbours: int, valid_fraction: float,
                  sequences: Mapping[int, SequenceInfo] | None = None, limit: int = 0,
                  max_length: int = 0, seed: int = 0, synthetic: int = 0) -> Dataset:
    """Pairs from the corpus split by a hash of the A-number; `limit` > 0 keeps a random subset.

    `synthetic` > 0 adds that many mutant pairs (see `training.synthetic`) made from train programs.
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
    index = index_for({a: programs[a] for a in train_ids}, seqs) if neighbours else None
    kw = dict(num_terms=num_terms, index=index, neighbours=neighbours, max_length=max_length)
    train = make_pairs({a: programs[a] for a in train_ids}, seqs, **kw)
    valid = make_pairs({a: programs[a] for a in valid_ids}, seqs, **kw)
    if synthetic:
        from training.synthetic import synthetic_pairs

        train += synthetic_pairs({a: programs[a] for a in train_ids}, synthetic, num_terms=num_terms, seed=seed)
    log.info("dataset", train=len(train), valid=len(valid), indexed=len(index) if index else 0)
    return Dataset(train, valid, index)


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
              neighbours: int = 0) -> list[Pair]:
    """Training pairs from verified hits (`storage.programs.discovered` rows: a_number, name, terms, code).

    Hits of validation-split sequences are left out so that validation never leaks into training;
    rows whose code does not parse or whose sequence has no terms are skipped with a warning.
    """
    from miner.lang.parser import ParseError, parse
    from training.pairs import is_validation, make_source

    out = []
    for row in rows:
        if is_validation(row.a_number, valid_fraction) or not row.terms:
            continue
        try:
            program = parse(row.code, f"hit A{row.a_number:06d}")
        except ParseError as exc:
            log.warning("hit_skipped", seq=f"A{row.a_number:06d}", error=str(exc))
            continue
        nbs = []
        if index is not None and neighbours:
            nbs = [h.target for h in index.neighbours(row.terms, program.offset, k=neighbours,
                                                      exclude={row.a_number})]
        source = make_source(row.name, row.terms, nbs, offset=program.offset, num_terms=num_terms)
        out.append(Pair(row.a_number, source, to_target(program), len(program.code())))
    return dedupe(out)
