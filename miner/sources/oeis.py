"""Strict, streaming parsers of the OEIS files (names.gz, stripped.gz, offsets.gz).

A malformed line (a term too long for Python's int, a repeated A-number) is counted, logged with its
file and line number, and skipped; a file that cannot be decompressed or decoded to its end
(truncated, corrupt), a line longer than `max_line` bytes or a file larger than `max_bytes` once
decompressed raises, so a refresh never applies half a file. Lines end at `\n` or `\r\n` only.
"""

from __future__ import annotations

import gzip
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import structlog

from miner.lang.sequence import SequenceRecord

log = structlog.get_logger(__name__)

# ASCII digits only: `\d` would take Arabic-Indic or full-width digits, which int() reads, into the data.
# A 7-digit A-number with a leading zero would be a second spelling of a 6-digit one.
NAME_LINE = re.compile(r"A([0-9]{6}|[1-9][0-9]{6}) (.*)")
TERMS_LINE = re.compile(r"A([0-9]{6}|[1-9][0-9]{6}) ,((?:-?[0-9]+,)*)")
OFFSET_LINE = re.compile(r"A([0-9]{6}|[1-9][0-9]{6}): ?(-?[0-9]{1,18})")
# Malformed lines logged one by one per file; the rest only counted.
LOGGED_PER_FILE = 20
# Defaults of `[sources] max_line_bytes` and `max_uncompressed_mb`: the real files' longest line has
# 602 bytes, the largest file (stripped.gz) 48 MB.
MAX_LINE = 1 << 20
MAX_BYTES = 4096 << 20
# The longest term int() reads (Python's guard against quadratic conversions).
MAX_TERM_DIGITS = sys.get_int_max_str_digits() or 4300


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


def _lines(path: Path, name: str, max_line: int = MAX_LINE, max_bytes: int = MAX_BYTES) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) of a gzip or plain text file; comments and blanks skipped."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    total = 0
    try:
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as binary:
            number = 0
            while True:
                # Read at most one byte past the cap: a 200 MB line must not be held whole.
                data = binary.readline(max_line + 2)
                if not data:
                    break
                number += 1
                total += len(data)
                if len(data) > max_line + 1 or (len(data) == max_line + 1 and not data.endswith(b"\n")):
                    raise SourceFormatError(f"{name}:{number}: line longer than {max_line} bytes "
                                            "([sources] max_line_bytes); nothing of the file was used")
                if total > max_bytes:
                    raise SourceFormatError(f"{name}: more than {max_bytes >> 20} MB decompressed "
                                            "([sources] max_uncompressed_mb); nothing of the file was used")
                line = data.decode("utf-8")
                line = line[:-2] if line.endswith("\r\n") else line.rstrip("\n")
                if line and not line.startswith("#"):
                    yield number, line
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{name}: cannot be read to its end ({type(exc).__name__}: {exc})") from exc


def _malformed(report: ParseReport, name: str, number: int, line: str, bad: int, why: str = "") -> None:
    if bad <= LOGGED_PER_FILE:
        log.warning("malformed_line", file=name, line=number, text=line[:80], **({"error": why} if why else {}))
        report.examples.append(f"{name}:{number}: {line[:80]}" + (f" ({why})" if why else ""))


def _parse(path: Path, name: str, pattern: re.Pattern[str], report: ParseReport,
           limits: tuple[int, int] = (MAX_LINE, MAX_BYTES)) -> Iterator[re.Match[str]]:
    bad = 0
    seen: set[int] = set()
    for number, line in _lines(path, name, *limits):
        match = pattern.fullmatch(line.rstrip())
        why = ""
        if match is None:
            pass
        elif int(match.group(1)) in seen:
            why = f"A{match.group(1)} again; its first line is kept"
        elif (pattern is TERMS_LINE and len(line) > MAX_TERM_DIGITS
              and any(len(t.lstrip("-")) > MAX_TERM_DIGITS for t in match.group(2).split(","))):
            why = f"a term of more than {MAX_TERM_DIGITS} digits"
        if match is None or why:
            bad += 1
            _malformed(report, name, number, line, bad, why)
            continue
        seen.add(int(match.group(1)))
        yield match
    if bad:
        report.malformed[name] = report.malformed.get(name, 0) + bad
        log.warning("malformed_lines", file=name, count=bad)


def read_names(path: Path, report: ParseReport, name: str = "names.gz",
               limits: tuple[int, int] = (MAX_LINE, MAX_BYTES)) -> dict[int, str]:
    """A-number -> sequence name."""
    return {int(m.group(1)): m.group(2).strip() for m in _parse(path, name, NAME_LINE, report, limits)}


def read_offsets(path: Path, report: ParseReport, name: str = "offsets.gz",
                 limits: tuple[int, int] = (MAX_LINE, MAX_BYTES)) -> dict[int, int]:
    """A-number -> offset (index of the first term)."""
    return {int(m.group(1)): int(m.group(2)) for m in _parse(path, name, OFFSET_LINE, report, limits)}


def iter_terms(path: Path, report: ParseReport, name: str = "stripped.gz",
               limits: tuple[int, int] = (MAX_LINE, MAX_BYTES)) -> Iterator[tuple[int, str]]:
    """(A-number, terms as stored: '1,1,2') per line, streamed; the line format guarantees integers."""
    for m in _parse(path, name, TERMS_LINE, report, limits):
        yield int(m.group(1)), m.group(2)[:-1]


def iter_sequences(
    names: Path, stripped: Path, offsets: Path, report: ParseReport, labels: tuple[str, str, str] | None = None,
    limits: tuple[int, int] = (MAX_LINE, MAX_BYTES),
) -> Iterator[SequenceRecord]:
    """Every sequence of the three files as SequenceRecord, streaming the big terms file.

    Sequences without terms yet (only a name) come last with `terms == []`; a missing offset counts
    in `report.missing_offset` and defaults to 0 (LODA's default). Each record lists in `missing` the
    fields the files lacked, so a refresh keeps what is stored for them (a partial file loses nothing).
    `limits`: (longest line, most bytes of a file once decompressed); past them `SourceFormatError`.
    """
    n_label, s_label, o_label = labels or (names.name, stripped.name, offsets.name)
    all_names = read_names(names, report, n_label, limits)
    all_offsets = read_offsets(offsets, report, o_label, limits)
    for a_number, text in iter_terms(stripped, report, s_label, limits):
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
