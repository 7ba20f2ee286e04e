"""Importing the loda-programs corpus: from a checkout folder, a .tar.gz (path or URL), or the snapshot.

Each program is parsed with `miner.lang`; a broken file is reported (file and line) and skipped. The
import is one transaction, and code that did not change is neither re-parsed nor rewritten.
"""

from __future__ import annotations

import gzip
import re
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import structlog

import storage
from miner import snapshot, stopping
from miner.lang import ParseError, parse, read_header
from miner.sources.http import CorruptDownload, Fetcher, SourceUnavailable, fetch_settings, local_path

log = structlog.get_logger(__name__)

PROGRAM_PATH = re.compile(r"(?:^|/)oeis/\d{3}/A(\d{6,7})\.asm$")
HEADER_LINES = (
    re.compile(r";\s*A\d{6,7}:.*"),
    re.compile(r";\s*Submitted by .*"),
    re.compile(r";\s*-?\d+(?:\s*,\s*-?\d+)*\s*"),
)
# Broken files listed one by one in the log; the rest only counted.
LOGGED_BROKEN = 50


class CorpusError(Exception):
    """The corpus source cannot be read (missing, truncated or corrupt archive)."""


@dataclass
class ProgramFile:
    """One program file of a corpus: where it came from, its A-number and its text."""

    label: str
    a_number: int
    text: str


def strip_header(text: str) -> str:
    """The program without its loda-programs header (`; A..: name`, `; Submitted by`, `; terms`)."""
    lines = text.splitlines()
    start = 0
    for pattern in HEADER_LINES:
        if start < len(lines) and pattern.fullmatch(lines[start].strip()):
            start += 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    body = "\n".join(line.rstrip() for line in lines[start:]).strip("\n")
    return body + "\n" if body else ""


def _decode(data: bytes, label: str) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.warning("broken_program", file=label, error=f"not UTF-8: {exc}")
        return None


def iter_folder(root: Path) -> Iterator[ProgramFile]:
    """Program files under a loda-programs checkout (or its `oeis/` folder), in path order."""
    for path in sorted(root.rglob("A*.asm")):
        rel = path.relative_to(root.parent).as_posix()
        match = PROGRAM_PATH.search(rel)
        if match:
            text = _decode(path.read_bytes(), str(path))
            yield ProgramFile(str(path), int(match.group(1)), text if text is not None else "\0")


def iter_tarball(path: Path, label: str) -> Iterator[ProgramFile]:
    """Program files of a loda-programs .tar.gz, streamed (any top folder, e.g. GitHub's `repo-main/`)."""
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                match = PROGRAM_PATH.search(member.name)
                if not match or not member.isfile():
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                where = f"{label}:{member.name}"
                text = _decode(handle.read(), where)
                yield ProgramFile(where, int(match.group(1)), text if text is not None else "\0")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise CorpusError(f"{label}: cannot read the archive to its end ({type(exc).__name__}: {exc})") from exc


def iter_snapshot(path: Path) -> Iterator[ProgramFile]:
    """Programs of the bundled snapshot: a gzipped stream of `@ANNNNNN` lines each followed by code."""
    label = str(path)
    current: int | None = None
    start = 0
    lines: list[str] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if line.startswith(snapshot.RECORD_MARK):
                    if current is not None:
                        yield ProgramFile(f"{label}:{start}", current, "".join(lines))
                    current, start, lines = int(line[2:].strip()), number, []
                else:
                    lines.append(line)
    except (EOFError, OSError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise CorpusError(f"{label}: cannot read the snapshot to its end ({exc})") from exc
    if current is not None:
        yield ProgramFile(f"{label}:{start}", current, "".join(lines))


def iter_corpus(path: Path, label: str | None = None) -> Iterator[ProgramFile]:
    """Program files of a folder, a tarball or a snapshot stream, by what `path` is."""
    label = label or str(path)
    if path.is_dir():
        return iter_folder(path)
    if not path.is_file():
        raise CorpusError(f"{label}: no such file or folder")
    if path.name.endswith(".asm.gz"):
        return iter_snapshot(path)
    return iter_tarball(path, label)


def _checked(files: Iterator[ProgramFile], stored: dict[int, str], stats: storage.ImportStats) -> Iterator[tuple[int, str]]:
    """(a_number, code) of every program that parses; broken ones land in `stats.broken`."""
    for item in files:
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
                    f"{item.label}:1: header names A{header.a_number:06d}, the file is A{item.a_number:06d}"
                )
            parse(item.text, item.label)  # an empty program is valid: a(n) = n
        except (ParseError, ValueError) as exc:
            stats.broken.append(str(exc))
            if len(stats.broken) <= LOGGED_BROKEN:
                log.warning("broken_program", error=str(exc))
            continue
        yield item.a_number, code


def import_path(engine: Any, path: Path, label: str | None = None, stop_event: Any = None) -> storage.ImportStats:
    """Import every program under `path` (folder, tarball or snapshot) as origin='corpus'; nothing
    if `stop_event` is set before all were read (`miner.stopping.Stopped`)."""
    with storage.session_scope(engine, readonly=True) as session:
        stored = storage.program_codes(session, origin="corpus")
    broken = storage.ImportStats()
    files = stopping.until_stopped(iter_corpus(path, label), stop_event, f"reading programs from {label or path}")
    stats = storage.import_corpus_programs(engine, _checked(files, stored, broken))
    stats.broken = broken.broken
    stats.seen += len(broken.broken)
    if stats.broken:
        log.warning("broken_programs_skipped", count=len(stats.broken))
    return stats


def _has_corpus(engine: Any) -> bool:
    with storage.session_scope(engine, readonly=True) as session:
        return storage.summary(session).corpus_programs > 0


def import_programs(cfg: dict[str, Any], engine: Any, source: str | None = None,
                    allow_snapshot: bool = True, stop_event: Any = None) -> tuple[storage.ImportStats, str]:
    """Import the corpus from `source` (path or URL; default `[sources] programs_url`).

    Returns the stats and where the programs came from. When the URL cannot be reached and the database
    has no corpus yet, the bundled snapshot is used instead, with a warning.
    """
    url = source or cfg["sources"]["programs_url"]
    path = local_path(url)
    if path is not None:
        return import_path(engine, path, str(path), stop_event), str(path)
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
    return import_path(engine, download.path, url, stop_event), url
