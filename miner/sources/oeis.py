"""Strict, streaming parsers of the OEIS files (names.gz, stripped.gz, offsets.gz).

A malformed line is counted, logged with its file and line number, and skipped; a file that cannot be
decompressed or decoded to its end (truncated, corrupt) raises, so a refresh never applies half a file.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import structlog

from miner.lang.sequence import SequenceRecord

log = structlog.get_logger(__name__)

NAME_LINE = re.compile(r"A(\d{6,7}) (.*)")
TERMS_LINE = re.compile(r"A(\d{6,7}) ,((?:-?\d+,)*)")
OFFSET_LINE = re.compile(r"A(\d{6,7}): ?(-?\d+)")
# Malformed lines logged one by one per file; the rest only counted.
LOGGED_PER_FILE = 20


class SourceFormatError(Exception):
    """A source file that cannot be read to its end (truncated, corrupt, not UTF-8)."""


@dataclass
class ParseReport:
    """Malformed lines per file, with the first few (file:line: text) for the user."""

    malformed: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    missing_offset: int = 0

    @property
    def total_malformed(self) -> int:
        """Malformed lines over all files."""
        return sum(self.malformed.values())


def _lines(path: Path, name: str) -> Iterator[tuple[int, str]]:
    """(line number, line without newline) of a gzip or plain text file; comments and blanks skipped."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    try:
        binary = gzip.open(path, "rb") if gzipped else open(path, "rb")
        with io.TextIOWrapper(binary, encoding="utf-8", newline=None) as text:
            for number, line in enumerate(text, 1):
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    yield number, line
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{name}: cannot be read to its end ({type(exc).__name__}: {exc})") from exc


def _parse(path: Path, name: str, pattern: re.Pattern[str], report: ParseReport) -> Iterator[re.Match[str]]:
    bad = 0
    for number, line in _lines(path, name):
        match = pattern.fullmatch(line.rstrip())
        if match is None:
            bad += 1
            if bad <= LOGGED_PER_FILE:
                log.warning("malformed_line", file=name, line=number, text=line[:80])
                report.examples.append(f"{name}:{number}: {line[:80]}")
            continue
        yield match
    if bad:
        report.malformed[name] = report.malformed.get(name, 0) + bad
        log.warning("malformed_lines", file=name, count=bad)


def read_names(path: Path, report: ParseReport, name: str = "names.gz") -> dict[int, str]:
    """A-number -> sequence name."""
    return {int(m.group(1)): m.group(2).strip() for m in _parse(path, name, NAME_LINE, report)}


def read_offsets(path: Path, report: ParseReport, name: str = "offsets.gz") -> dict[int, int]:
    """A-number -> offset (index of the first term)."""
    return {int(m.group(1)): int(m.group(2)) for m in _parse(path, name, OFFSET_LINE, report)}


def iter_terms(path: Path, report: ParseReport, name: str = "stripped.gz") -> Iterator[tuple[int, str]]:
    """(A-number, terms as stored: '1,1,2') per line, streamed; the line format guarantees integers."""
    for m in _parse(path, name, TERMS_LINE, report):
        yield int(m.group(1)), m.group(2)[:-1]


def iter_sequences(
    names: Path, stripped: Path, offsets: Path, report: ParseReport, labels: tuple[str, str, str] | None = None
) -> Iterator[SequenceRecord]:
    """Every sequence of the three files as SequenceRecord, streaming the big terms file.

    Sequences without terms yet (only a name) come last with `terms == []`; a missing offset counts
    in `report.missing_offset` and defaults to 0 (LODA's default). Each record lists in `missing` the
    fields the files lacked, so a refresh keeps what is stored for them (a partial file loses nothing).
    """
    n_label, s_label, o_label = labels or (names.name, stripped.name, offsets.name)
    all_names = read_names(names, report, n_label)
    all_offsets = read_offsets(offsets, report, o_label)
    for a_number, text in iter_terms(stripped, report, s_label):
        missing = set()
        offset = all_offsets.get(a_number)
        if offset is None:
            report.missing_offset += 1
            offset = 0
            missing.add("offset")
        name = all_names.pop(a_number, None)
        if name is None:
            missing.add("name")
        terms = list(map(int, text.split(","))) if text else []
        yield SequenceRecord(a_number, name or "", terms, offset, terms_text=text, missing=frozenset(missing))
    for a_number, name in sorted(all_names.items()):
        missing = {"terms"} if a_number in all_offsets else {"terms", "offset"}
        yield SequenceRecord(a_number, name, [], all_offsets.get(a_number, 0), missing=frozenset(missing))