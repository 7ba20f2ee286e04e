"""Refresh the database from the sources: OEIS names/terms/offsets and the program corpus.

`refresh` fetches the three OEIS files (conditional GET, retries, rate limit) and applies them in one
transaction; `refresh_all` also imports the program corpus. On a first run without internet both fall
back to the bundled snapshot (`miner.sources.snapshot`), with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

import storage
from miner.core import stopping
from miner.sources import snapshot
from miner.sources.http import Fetcher, SourceUnavailable, fetch_settings
from miner.service.corpus_import import import_programs
from miner.sources.oeis import ParseReport, iter_sequences

if TYPE_CHECKING:
    import threading
    from storage import Engine


log = structlog.get_logger(__name__)

SEQUENCE_KEYS = ("names_url", "stripped_url", "offsets_url")


@dataclass
class RefreshReport:
    """What a refresh did, where the data came from ('live' URLs or 'bundled snapshot'), bad lines."""

    stats: storage.RefreshStats
    origin: str
    parse: ParseReport = field(default_factory=ParseReport)
    not_modified: int = 0

    def message(self) -> str:
        """One line for logs, job runs and the CLI."""
        s = self.stats
        text = (f"sequences from {self.origin}: {s.seen} seen, {s.added} added, {s.changed} changed, "
                f"{s.unchanged} unchanged")
        if self.not_modified:
            text += f"; {self.not_modified} file(s) not modified since last fetch"
        if self.parse.total_malformed:
            text += f"; {self.parse.total_malformed} malformed line(s) skipped"
        return text


def cache_dir(cfg: dict[str, Any]) -> Path:
    """The conditional-GET cache folder under the data dir."""
    return Path(cfg["paths"]["data_dir"]) / "cache" / "sources"


def _database_empty(engine: Engine) -> bool:
    with storage.session_scope(engine, readonly=True) as session:
        return storage.summary(session).sequences == 0


def refresh(cfg: dict[str, Any], engine: Engine, allow_snapshot: bool = True,
            stop_event: threading.Event | None = None, accept_changes: bool = False) -> RefreshReport:
    """Fetch names.gz, stripped.gz and offsets.gz and apply them in one transaction (all or nothing).

    If a source cannot be reached and the database holds no sequences yet, the bundled snapshot is used
    (with a warning); with data already stored the error is raised and the data kept. A truncated or
    corrupt file always fails the refresh. Once `stop_event` is set it raises `miner.core.stopping.Stopped`
    before anything is stored. Files that would change the names, offsets or terms of more than
    `[sources] max_change_share` of the stored sequences raise `storage.RefreshRejected` (nothing stored)
    unless `accept_changes`.
    """
    urls = [cfg["sources"][key] for key in SEQUENCE_KEYS]
    not_modified = 0
    first_start = allow_snapshot and _database_empty(engine)
    try:
        with Fetcher(fetch_settings(cfg["sources"], first_start), cache_dir(cfg), stop_event) as fetcher:
            downloads = [fetcher.fetch(url) for url in urls]
        paths = [d.path for d in downloads]
        labels = tuple(urls)
        not_modified = sum(not d.changed for d in downloads)
        origin = "live sources"
    except SourceUnavailable as exc:
        if not first_start:
            raise
        log.warning("sources_unreachable_using_snapshot", error=str(exc),
                    snapshot=str(snapshot.HERE), note="sequence terms in the snapshot are cut short")
        paths = list(snapshot.sequence_files())
        labels = tuple(str(p) for p in paths)
        origin = snapshot.ORIGIN
    report = ParseReport()
    limits = (int(cfg["sources"]["max_line_bytes"]), int(cfg["sources"]["max_uncompressed_mb"]) << 20)
    records = iter_sequences(paths[0], paths[1], paths[2], report, labels, limits)
    records = stopping.until_stopped(records, stop_event, f"reading sequences from {origin}")
    share = None if accept_changes else float(cfg["sources"]["max_change_share"])
    stats = storage.apply_refresh(engine, records, source=origin, max_change_share=share)
    result = RefreshReport(stats, origin, report, not_modified)
    log.info("refresh_done", message=result.message())
    return result


def refresh_all(cfg: dict[str, Any], engine: Engine, allow_snapshot: bool = True,
                stop_event: threading.Event | None = None, accept_changes: bool = False) -> str:
    """Refresh the sequences, then import the program corpus; returns a one-line summary.

    A stop (`stop_event`) between the two keeps the refreshed sequences and raises `Stopped`."""
    report = refresh(cfg, engine, allow_snapshot, stop_event, accept_changes)
    stats, origin = import_programs(cfg, engine, allow_snapshot=allow_snapshot, stop_event=stop_event)
    programs = (f"programs from {origin}: {stats.added} added, {stats.changed} changed, "
                f"{stats.unchanged} unchanged, {len(stats.broken)} broken")
    return f"{report.message()}; {programs}"
