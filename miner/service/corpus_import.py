"""Importing the loda-programs corpus: from a checkout folder, a .tar.gz (path or URL), or the snapshot.

Each program is parsed with `miner.lang`; a broken file is reported (file and line) and skipped. The
import is one transaction, and code that did not change is neither re-parsed nor rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import structlog

import storage
from miner.sources import snapshot
from miner.core import progress, stopping
from miner.lang import ParseError, parse, read_header
from miner.sources.http import CorruptDownload, Fetcher, SourceUnavailable, fetch_settings, local_path
from miner.sources.programs import MAX_PROGRAM_BYTES, CorpusError, ProgramFile, iter_corpus, strip_header
from miner.lang.anumber import format_a_number

if TYPE_CHECKING:
    import threading
    from storage import Engine


log = structlog.get_logger(__name__)

# Broken files listed one by one in the log; the rest only counted.
LOGGED_BROKEN = 50


def _checked(files: Iterator[ProgramFile], stored: dict[int, str], stats: storage.ImportStats) -> Iterator[tuple[int, str]]:
    """(a_number, code) of every program that parses; broken ones land in `stats.broken`.

    A second file for one A-number (two top folders in an archive) is broken too: the first is kept."""
    first: dict[int, str] = {}
    for item in files:
        if item.error or item.a_number in first:
            stats.broken.append(item.error or f"{item.label}: {format_a_number(item.a_number)} again (first in "
                                              f"{first[item.a_number]}); this copy is skipped")
            if len(stats.broken) <= LOGGED_BROKEN:
                log.warning("broken_program", error=stats.broken[-1])
            continue
        first[item.a_number] = item.label
        code = strip_header(item.text)
        if stored.get(item.a_number) == code:
            yield item.a_number, code  # unchanged since it was last checked
            continue
        try:
            if "\0" in item.text:
                raise ValueError(f"{item.label}: not a UTF-8 text file")
            header = read_header(item.text)
            if header.a_number is not None and header.a_number != item.a_number:
                raise ValueError(
                    f"{item.label}:1: header names {format_a_number(header.a_number)}, "
                    f"the file is {format_a_number(item.a_number)}"
                )
            parse(item.text, item.label)  # an empty program is valid: a(n) = n
        except (ParseError, ValueError) as exc:
            stats.broken.append(str(exc))
            if len(stats.broken) <= LOGGED_BROKEN:
                log.warning("broken_program", error=str(exc))
            continue
        yield item.a_number, code


def import_path(engine: Engine, path: Path, label: str | None = None, stop_event: threading.Event | None = None,
                max_bytes: int = MAX_PROGRAM_BYTES) -> storage.ImportStats:
    """Import every program under `path` (folder, tarball or snapshot) as origin='corpus'; nothing
    if `stop_event` is set before all were read (`miner.core.stopping.Stopped`). A file larger than
    `max_bytes` is reported as broken without being read."""
    with storage.session_scope(engine, readonly=True) as session:
        stored = storage.program_codes(session, origin="corpus")
    broken = storage.ImportStats()
    files = progress.track(stopping.until_stopped(iter_corpus(path, label, max_bytes), stop_event,
                                                  f"reading programs from {label or path}"),
                           "import programs", unit="file")
    stats = storage.import_corpus_programs(engine, _checked(files, stored, broken))
    stats.broken = broken.broken
    stats.seen += len(broken.broken)
    if stats.broken:
        log.warning("broken_programs_skipped", count=len(stats.broken))
    return stats


def _has_corpus(engine: Engine) -> bool:
    with storage.session_scope(engine, readonly=True) as session:
        return storage.summary(session).corpus_programs > 0


def import_programs(cfg: dict[str, Any], engine: Engine, source: str | None = None,
                    allow_snapshot: bool = True, stop_event: threading.Event | None = None) -> tuple[storage.ImportStats, str]:
    """Import the corpus from `source` (path or URL; default `[sources] programs_url`).

    Returns the stats and where the programs came from. When the URL cannot be reached and the database
    has no corpus yet, the bundled snapshot is used instead, with a warning.
    """
    url = source or cfg["sources"]["programs_url"]
    max_bytes = int(cfg["sources"]["max_program_bytes"])
    path = local_path(url)
    if path is not None:
        return import_path(engine, path, str(path), stop_event, max_bytes), str(path)
    cache = Path(cfg["paths"]["data_dir"]) / "cache" / "sources"
    first_start = allow_snapshot and not _has_corpus(engine)
    try:
        with Fetcher(fetch_settings(cfg["sources"], first_start), cache, stop_event) as fetcher:
            download = fetcher.fetch(url)
    except SourceUnavailable as exc:
        if not first_start:
            raise
        log.warning("programs_unreachable_using_snapshot", url=url, error=str(exc),
                    snapshot=str(snapshot.PROGRAMS))
        return import_path(engine, snapshot.programs_file(), stop_event=stop_event), snapshot.ORIGIN
    except CorruptDownload as exc:
        raise CorpusError(str(exc)) from exc
    return import_path(engine, download.path, url, stop_event, max_bytes), url
