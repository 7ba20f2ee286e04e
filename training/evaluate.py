"""Evaluation on the validation split: valid-program, exact-match, solve and sequence-match rates.

A sequence is solved at K when one of K candidates reproduces all its known terms under
`miner.lang`, with the validation sequences' own programs hidden from `seq` calls. The retrieval
baseline (neighbour programs mapped under a*x+b) and the miner's model-free searches given by the
caller (corpus sweep, family templates) are scored on the same sequences.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import structlog

from miner.core.progress import Progress
from miner.lang import Corpus, Limits, check_terms, format_program
from miner.lang.compact import TargetError, from_target
from miner.search.retrieval import Index
from training.data import Matcher
from training.pairs import Pair, SequenceInfo

log = structlog.get_logger(__name__)

# Candidates are checked with tighter limits than mining uses: validation needs speed, not depth.
EVAL_LIMITS = Limits(max_steps=2_000_000, max_memory=2000, max_seconds=2.0)


def solves(program_text: str, terms: Sequence[int], corpus: Corpus, limits: Limits = EVAL_LIMITS) -> int:
    """How many leading terms the program reproduces (len(terms) = all)."""
    return check_terms(program_text, list(terms), corpus, limits).matched


def baseline_candidates(index: Index, terms: Sequence[int], offset: int, k: int,
                        exclude: Sequence[int] = ()) -> list[str]:
    """The retrieval baseline's up to k programs in LODA syntax, best first."""
    out = []
    for hit in index.neighbours(terms, offset, k=k, exclude=exclude):
        try:
            out.append(format_program(from_target(hit.target, offset)))
        except TargetError:
            continue
    return out


def _any_solves(candidates: Sequence[str], terms: Sequence[int], corpus: Corpus) -> int:
    """1-based rank of the first candidate that reproduces all terms, 0 if none."""
    return first_solver(candidates, terms, corpus)[0]


def first_solver(candidates: Sequence[str], terms: Sequence[int], corpus: Corpus) -> tuple[int, int, str]:
    """(1-based rank of the first candidate that reproduces all terms, 0 if none; the most leading terms
    a candidate before it reproduces and that candidate, "" if none reproduces any: the best near miss)."""
    best, near = 0, ""
    for rank, text in enumerate(candidates, 1):
        matched = solves(text, terms, corpus)
        if matched == len(terms):
            return rank, best, near
        if matched > best:
            best, near = matched, text
    return 0, best, near


# (validation sequences, known sequences) -> candidate programs (LODA text) per validation A-number.
Search = Matcher


def evaluate(loaded, pairs: Sequence[Pair], sequences: Mapping[int, SequenceInfo], corpus: Corpus, *,
             k: int = 32, limit: int = 0, index: Index | None = None,
             searches: Mapping[str, Mapping[int, Sequence[str]]] | None = None,
             batch_size: int = 4, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Metrics of a loaded model (or only the retrieval when `loaded` is None) on validation pairs.

    `searches` holds the candidates per A-number of the miner's model-free searches by name
    (`sweep`, `family`); with them come each one's solve rate (`sweep_solve_rate`...), retrieval
    (baseline or any search), pipeline (model or retrieval) and model-only rates. `rows`, if given,
    receives one record per sequence: its name and which of them solved it (the model's as the rank
    of its first correct candidate, 0 for none).
    """
    from training.generate import generate_targets, to_loda

    pairs = [p for p in pairs if p.a_number in sequences]
    if limit:
        pairs = pairs[:limit]
    if not pairs:
        raise ValueError("no validation pairs to evaluate on")
    hidden = corpus.without(p.a_number for p in pairs)
    n = len(pairs)
    counts = dict(valid=0, candidates=0, exact=0, solved=0, top1=0, baseline=0, combined=0,
                  retrieval=0, pipeline=0, model_only=0, **{name: 0 for name in searches or {}})
    gen_seconds = 0.0
    shown = Progress("evaluate", n, unit="seq")
    for start in range(0, n, batch_size):
        chunk = pairs[start:start + batch_size]
        raw: list[list[str]] = [[] for _ in chunk]
        if loaded is not None:
            t0 = time.monotonic()
            raw = generate_targets(loaded, [p.source for p in chunk], k, batch_size=batch_size)
            gen_seconds += time.monotonic() - t0
        for pair, texts in zip(chunk, raw):
            seq_name, terms, offset = sequences[pair.a_number]
            programs: list[str] = []
            for text in texts:
                counts["candidates"] += 1
                program = to_loda(text, pair.source)
                if program is None:
                    continue
                counts["valid"] += 1
                if program not in programs:
                    programs.append(program)
            if texts and texts[0].split() == pair.target.split():
                counts["exact"] += 1
            rank, near_terms, near_miss = first_solver(programs, terms, hidden)
            counts["solved"] += rank > 0
            counts["top1"] += rank == 1
            solved_base = False
            if index is not None:
                base = baseline_candidates(index, terms, offset, k, exclude=[pair.a_number])
                solved_base = _any_solves(base, terms, hidden) > 0
                counts["baseline"] += solved_base
            counts["combined"] += rank > 0 or solved_base
            row: dict[str, Any] = {"a_number": pair.a_number, "name": seq_name, "model_rank": rank,
                                   "baseline": solved_base, "near_miss": near_miss, "near_miss_terms": near_terms}
            if searches is not None:
                solved_search = False
                for name, found in searches.items():
                    solved = _any_solves(found.get(pair.a_number, ()), terms, hidden) > 0
                    counts[name] += solved
                    row[name] = solved
                    solved_search = solved_search or solved
                counts["retrieval"] += solved_base or solved_search
                counts["pipeline"] += rank > 0 or solved_base or solved_search
                counts["model_only"] += rank > 0 and not (solved_base or solved_search)
            if rows is not None:
                rows.append(row)
        shown.update(len(chunk), solved=counts["solved"])
        log.info("evaluate_progress", done=min(n, start + batch_size), of=n, solved=counts["solved"],
                 baseline=counts["baseline"])
    shown.close()
    metrics: dict[str, Any] = {"sequences": n, "k": k}
    if loaded is not None:
        metrics.update(
            valid_program_rate=counts["valid"] / max(1, counts["candidates"]),
            exact_match_rate=counts["exact"] / n,
            solve_rate=counts["solved"] / n,
            sequence_match_rate=counts["top1"] / n,
            generation_seconds_per_sequence=gen_seconds / n,
        )
    if index is not None:
        metrics["baseline_solve_rate"] = counts["baseline"] / n
        if loaded is not None:
            metrics["combined_solve_rate"] = counts["combined"] / n
    if searches is not None:
        for name in searches:
            metrics[f"{name}_solve_rate"] = counts[name] / n
        if index is not None:
            metrics["retrieval_solve_rate"] = counts["retrieval"] / n
        if loaded is not None:
            metrics["pipeline_solve_rate"] = counts["pipeline"] / n
            metrics["model_only_solve_rate"] = counts["model_only"] / n
    return metrics


@dataclass
class Validation:
    """What a model is scored on: the loaded model, its validation pairs (a reproducible sample), every
    sequence's (name, terms, offset), the baseline's index and the searches' candidates (train split)."""

    loaded: Any
    pairs: list[Pair]
    sequences: Mapping[int, SequenceInfo]
    index: Index
    found: dict[str, Mapping[int, Sequence[str]]] | None


def validation_for(model_dir, corpus: Corpus, *, limit: int = 0, valid: Sequence[Pair] | None = None,
                   threads: int = 1, defaults: Mapping[str, Any] | None = None,
                   searches: Mapping[str, Search] | None = None, matcher: Matcher | None = None,
                   stored: bool = True) -> Validation:
    """The validation set of a model folder (None: the bundled model), as `evaluate_folder` scores it.

    The validation pairs are the run's stored ones when the folder sits in a run (and `stored`), else rebuilt from
    the corpus with the model's source settings (the `matcher`'s programs and number tags when the
    model was trained with them); the baseline index, the matcher and the `searches` see the train split only.
    """
    from miner.search.retrieval import corpus_programs, index_for
    from training.data import corpus_sequences, load_pairs, make_pairs, matched_by_sequence
    from training.model import load
    from training.pairs import split_ids, tagged_pair

    defaults = defaults or {}
    loaded = load(str(model_dir) if model_dir else None, threads=threads)
    meta = loaded.meta
    programs = corpus_programs(corpus)
    sequences = corpus_sequences(corpus)
    fraction = float(meta.get("valid_fraction", defaults.get("valid_fraction", 0.02)))
    train_ids, valid_ids = split_ids([a for a in programs if a in sequences], fraction)
    index = index_for({a: programs[a] for a in train_ids}, sequences)
    if valid is None:
        kept = loaded.path.parent / "pairs" / "valid.jsonl" if loaded.path and stored else None
        if kept is not None and kept.is_file():
            valid = load_pairs(kept)
        else:
            matched = None
            if matcher is not None and meta.get("matched_neighbours"):
                matched = matched_by_sequence(matcher({a: sequences[a] for a in valid_ids if a in sequences},
                                                      {a: sequences[a] for a in train_ids}, workers=threads))
            valid = make_pairs({a: programs[a] for a in valid_ids}, sequences,
                               num_terms=int(meta.get("num_terms", defaults.get("num_terms", 16))),
                               index=index, neighbours=int(meta.get("neighbours", defaults.get("neighbours", 1))),
                               examples=int(meta.get("similar_names", 0)),
                               corpus=corpus.without(valid_ids), matched=matched)
            if meta.get("number_tags"):
                valid = [tagged_pair(p) for p in valid]
    valid = list(valid)
    random.Random(0).shuffle(valid)  # a limit then takes a random, reproducible sample
    valid = valid[:limit] if limit else valid
    found = None
    if searches is not None:
        queries = {p.a_number: sequences[p.a_number] for p in valid if p.a_number in sequences}
        known = {a: sequences[a] for a in train_ids}
        found = {name: search(queries, known) for name, search in searches.items()}
    return Validation(loaded, valid, sequences, index, found)


def evaluate_folder(model_dir, corpus: Corpus, *, k: int = 32, limit: int = 0, valid: Sequence[Pair] | None = None,
                    threads: int = 1, defaults: Mapping[str, Any] | None = None,
                    searches: Mapping[str, Search] | None = None, matcher: Matcher | None = None,
                    rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Metrics of a model folder (None: the bundled model) on its validation set (`validation_for`).
    `rows` receives the per-sequence records of `evaluate`."""
    from training.registry import validation_key

    v = validation_for(model_dir, corpus, limit=limit, valid=valid, threads=threads, defaults=defaults,
                       searches=searches, matcher=matcher)
    metrics = evaluate(v.loaded, v.pairs, v.sequences, corpus, k=k, index=v.index, searches=v.found, rows=rows)
    metrics["validation_key"] = validation_key((p.a_number for p in v.pairs), k)
    metrics["model"] = str(v.loaded.path)
    return metrics
