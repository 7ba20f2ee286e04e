"""Re-check the miner's hits when their sequences change: OEIS extends terms, and a program verified on
the old ones may be wrong on the new. Wrong ones are dropped (logged with their code) and their
sequences are lacking again; the others are marked verified on the new terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from miner.mine.checker import with_offset
from miner.mine.context import deep_limits, load_corpus
from miner.sources.programs import program_path
from miner.lang import check_terms, parse
from miner.lang.parser import ParseError
from miner.lang.anumber import format_a_number

if TYPE_CHECKING:
    from storage import Engine


log = structlog.get_logger(__name__)


@dataclass
class ReverifyReport:
    """How many hits were re-checked, kept and dropped."""

    checked: int = 0
    kept: int = 0
    dropped: int = 0

    def __str__(self) -> str:
        return f"re-verified {self.checked} hits: {self.kept} kept, {self.dropped} dropped"


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
            storage.drop_hit(session, a_number, why)
        report.dropped += 1
        program_path(cfg["paths"]["export_dir"], a_number).unlink(missing_ok=True)
    log.info("reverify_done", checked=report.checked, kept=report.kept, dropped=report.dropped)
    return report
