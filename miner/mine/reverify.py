"""Re-check the miner's hits when their sequences change: OEIS extends terms, and a program verified on
the old ones may be wrong on the new. Nothing is deleted: a program that no longer fits is superseded
(kept in `superseded_programs` with its code, the reason and the terms it was checked on; its export
file moves to the attic folder) and its sequence is lacking again; the others are marked checked on the
new terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from miner.mine.checker import with_offset
from miner.mine.context import deep_limits, load_corpus
from miner.sources.programs import move_to_attic
from miner.lang import check_terms, parse
from miner.lang.parser import ParseError
from miner.lang.anumber import format_a_number

if TYPE_CHECKING:
    import threading

    from storage import Engine


log = structlog.get_logger(__name__)


@dataclass
class ReverifyReport:
    """How many hits were re-checked, kept and superseded."""

    checked: int = 0
    kept: int = 0
    superseded: int = 0

    def __str__(self) -> str:
        return f"re-verified {self.checked} hits: {self.kept} kept, {self.superseded} superseded"


def reverify(cfg: dict[str, Any], engine: Engine) -> ReverifyReport:
    """Check every mined program whose sequence changed since its last check against the current terms."""
    import storage

    report = ReverifyReport()
    with storage.session_scope(engine, readonly=True) as session:
        stale = storage.hits_to_reverify(session)
    if not stale:
        return report
    corpus, _ = load_corpus(engine)
    limits = deep_limits(cfg)
    for a_number, code, terms, offset in stale:
        report.checked += 1
        try:
            program = with_offset(parse(code, f"{format_a_number(a_number)} (stored)"), offset)
            result = check_terms(program, terms, corpus, limits)
            ok, why = result.ok, result.error or f"term {result.matched} differs"
        except ParseError as exc:
            ok, why = False, str(exc)
        with storage.session_scope(engine) as session:
            if ok:
                storage.mark_verified(session, a_number, len(terms))
                report.kept += 1
                continue
            # The terms it was checked on before this change are those of its export file's header,
            # or, failing that, what it still reproduces of the current ones.
            storage.supersede_hit(session, a_number, why, _old_terms(cfg, a_number, terms), offset)
        report.superseded += 1
        move_to_attic(cfg["paths"]["export_dir"], a_number)
    log.info("reverify_done", checked=report.checked, kept=report.kept, superseded=report.superseded)
    return report


def _old_terms(cfg: dict[str, Any], a_number: int, terms: list[int]) -> list[int]:
    """The terms in the header of the hit's export file (what it was verified on), else `terms`."""
    from miner.lang import read_header
    from miner.sources.programs import program_path

    path = program_path(cfg["paths"]["export_dir"], a_number)
    try:
        header = read_header(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return terms
    return list(header.terms) if header is not None and header.terms else terms


@dataclass
class DeepCheckReport:
    """Provisional hits checked on their b-files: verified, superseded, still without a b-file."""

    checked: int = 0
    verified: int = 0
    superseded: int = 0
    no_bfile: int = 0

    def __str__(self) -> str:
        return (f"deep-checked {self.checked} provisional hits: {self.verified} verified, "
                f"{self.superseded} superseded, {self.no_bfile} without a b-file")


def deep_check_provisional(cfg: dict[str, Any], engine: Engine, limit: int | None = None,
                           stop_event: threading.Event | None = None) -> DeepCheckReport:
    """Check provisional hits (known terms only) on their b-files: a pass makes them verified and
    exported, a wrong term supersedes them; without a b-file they stay provisional (checked again later)."""
    import storage
    from miner.mine.checker import CheckItem, check_one
    from miner.mine.loop import deep_terms
    from miner.search.types import Target
    from miner.sources.programs import export_program

    report = DeepCheckReport()
    with storage.session_scope(engine, readonly=True) as session:
        todo = storage.provisional_hits(session, limit)
        names = {a: r.name for a, r in storage.get_sequences(session, [a for a, *_ in todo]).items()}
    if not todo:
        return report
    corpus, _ = load_corpus(engine)
    limits = deep_limits(cfg)
    m = cfg["mine"]
    for a_number, code, known, offset in todo:
        if stop_event is not None and stop_event.is_set():
            break
        report.checked += 1
        target = Target(a_number, names.get(a_number, ""), tuple(known), offset)
        terms, origin = deep_terms(cfg, target)
        try:
            program = parse(code, f"{format_a_number(a_number)} (stored)")
        except ParseError as exc:
            ok, matched, why = False, 0, str(exc)
        else:
            required = min(int(m["min_check_terms"]), len(known))
            outcome = check_one(CheckItem(program, a_number, offset, tuple(terms), required=required), corpus,
                                limits)
            ok, matched = outcome.ok, outcome.matched
            why = outcome.error or f"term {outcome.matched} differs from the b-file"
        with storage.session_scope(engine) as session:
            if origin != "bfile" and ok:
                storage.mark_verified(session, a_number, matched)  # rotates it to the back of the queue
                report.no_bfile += 1
                continue
            if ok:
                storage.mark_verified(session, a_number, matched, bfile_checked=True)
                report.verified += 1
            else:
                storage.supersede_hit(session, a_number, why, known, offset)
                report.superseded += 1
        if ok:
            export_program(cfg["paths"]["export_dir"], a_number, target.name, known, code, m["submitted_by"])
    log.info("deep_check_provisional_done", checked=report.checked, verified=report.verified,
             superseded=report.superseded, no_bfile=report.no_bfile)
    return report
