"""loda-programs files: read a corpus (checkout folder, .tar.gz or the bundled snapshot stream) and
write one program file with its header, atomically. No database.
"""

from __future__ import annotations

import gzip
import os
import re
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import structlog

from miner.lang.anumber import format_a_number
from miner.lang.corpus import MAX_PROGRAM_BYTES, PROGRAM_PATH, program_number  # noqa: F401 - re-exported
from miner.lang.parser import split_lines
from miner.sources import snapshot

log = structlog.get_logger(__name__)

# What export writes as a space in a header line: every character some reader takes as a line end.
LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
HEADER_LINES = (
    re.compile(r";\s*A[0-9]{6,7}:.*"),
    re.compile(r";\s*Submitted by .*"),
    re.compile(r";\s*-?[0-9]+(?:\s*,\s*-?[0-9]+)*\s*"),
)

# The reference corpus lists at most 80 terms on a header line of at most ~500 characters.
HEADER_MAX_TERMS = 80
HEADER_MAX_CHARS = 500


def program_path(export_dir: str | Path, a_number: int) -> Path:
    """Where the program of a sequence lives: `<export_dir>/oeis/000/A000045.asm`."""
    return Path(export_dir) / "oeis" / f"{a_number // 1000:03d}" / f"{format_a_number(a_number)}.asm"


def terms_line(terms: Sequence[int]) -> str:
    """The known terms as the header shows them: up to 80, cut before the line grows past ~500 chars."""
    shown: list[str] = []
    length = 0
    for term in terms[:HEADER_MAX_TERMS]:
        text = str(term)
        extra = len(text) + (1 if shown else 0)
        if shown and length + extra > HEADER_MAX_CHARS:
            break
        shown.append(text)
        length += extra
    return ",".join(shown)


def code_body(code: str) -> str:
    """The program without a header: leading comment and blank lines removed, one final newline."""
    lines = split_lines(code.strip("\n"))
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith(";")):
        start += 1
    return "\n".join(line.rstrip() for line in lines[start:]) + "\n"


def render(a_number: int, name: str, terms: Sequence[int], code: str, submitted_by: str) -> str:
    """The full text of a loda-programs file for one sequence."""
    # A line break in a name would end the comment: the rest would be read back as code.
    header = [f"; {format_a_number(a_number)}: {one_line(name)}"]
    if submitted_by:
        header.append(f"; Submitted by {one_line(submitted_by)}")
    header.append(f"; {terms_line(terms)}")
    return "\n".join(header) + "\n\n" + code_body(code)


def one_line(text: str) -> str:
    """`text` with every line break made a space, stripped: safe inside one comment line."""
    return LINE_BREAKS.sub(" ", text).strip()


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` to `path` via a temporary file and rename; False when the file already holds it."""
    try:
        if path.read_text() == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def export_program(export_dir: str | Path, a_number: int, name: str, terms: Sequence[int], code: str,
                   submitted_by: str = "loda-miner") -> Path:
    """Write (or replace) the file of one sequence; returns its path."""
    path = program_path(export_dir, a_number)
    if write_atomic(path, render(a_number, name, terms, code, submitted_by)):
        log.info("exported", seq=format_a_number(a_number), path=str(path))
    return path


def attic_path(export_dir: str | Path, a_number: int) -> Path:
    """Where the export file of a superseded program is kept: `<export_dir>/attic/oeis/NNN/ANNNNNN.asm`."""
    return program_path(Path(export_dir) / "attic", a_number)


def move_to_attic(export_dir: str | Path, a_number: int) -> Path | None:
    """Move a sequence's export file to the attic (never deleted); returns its new path, None if absent."""
    path = program_path(export_dir, a_number)
    if not path.is_file():
        return None
    target = attic_path(export_dir, a_number)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    log.info("exported_to_attic", seq=format_a_number(a_number), path=str(target))
    return target


def export_records(export_dir: str | Path, records: Iterable[tuple[int, str, Sequence[int], str]],
                   submitted_by: str = "loda-miner") -> int:
    """Write the files of (a_number, name, terms, code) records; returns how many files changed."""
    changed = 0
    for a_number, name, terms, code in records:
        path = program_path(export_dir, a_number)
        if write_atomic(path, render(a_number, name, terms, code, submitted_by)):
            changed += 1
    return changed



class CorpusError(Exception):
    """The corpus source cannot be read (missing, truncated or corrupt archive)."""


@dataclass
class ProgramFile:
    """One program file of a corpus: where it came from, its A-number and its text."""

    label: str
    a_number: int
    text: str
    error: str = ""  # why the file cannot be imported (then `text` is empty)


def strip_header(text: str) -> str:
    """The program without its loda-programs header (`; A..: name`, `; Submitted by`, `; terms`)."""
    lines = split_lines(text)
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


def _refused(where: str, size: int, max_bytes: int) -> str:
    return f"{where}: {size} bytes, more than the {max_bytes} a program file may have ([sources] max_program_bytes)"


def iter_folder(root: Path, max_bytes: int = MAX_PROGRAM_BYTES) -> Iterator[ProgramFile]:
    """Program files under a loda-programs checkout (or its `oeis/` folder), in path order."""
    for path in sorted(root.rglob("A*.asm")):
        rel = path.relative_to(root.parent).as_posix()
        number, why = program_number(rel)
        if why:
            yield ProgramFile(str(path), -1, "", why)
        if number is None:
            continue
        size = path.stat().st_size
        if size > max_bytes:
            yield ProgramFile(str(path), number, "", _refused(str(path), size, max_bytes))
            continue
        text = _decode(path.read_bytes(), str(path))
        yield ProgramFile(str(path), number, text if text is not None else "\0")


def iter_tarball(path: Path, label: str, max_bytes: int = MAX_PROGRAM_BYTES) -> Iterator[ProgramFile]:
    """Program files of a loda-programs .tar.gz, streamed (any top folder, e.g. GitHub's `repo-main/`)."""
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                where = f"{label}:{member.name}"
                number, why = program_number(member.name)
                if why:
                    yield ProgramFile(where, -1, "", f"{label}:{why}")
                if number is None:
                    continue
                if member.size > max_bytes:
                    # Not read: a small archive can hold a member that decompresses to gigabytes.
                    yield ProgramFile(where, number, "", _refused(where, member.size, max_bytes))
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                text = _decode(handle.read(), where)
                yield ProgramFile(where, number, text if text is not None else "\0")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise CorpusError(f"{label}: cannot read the archive to its end ({type(exc).__name__}: {exc})") from exc


def iter_snapshot(path: Path) -> Iterator[ProgramFile]:
    """Programs of the bundled snapshot: a gzipped stream of `@ANNNNNN` lines each followed by code."""
    label = str(path)
    current: int | None = None
    start = 0
    lines: list[str] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as fh:
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


def iter_corpus(path: Path, label: str | None = None, max_bytes: int = MAX_PROGRAM_BYTES) -> Iterator[ProgramFile]:
    """Program files of a folder, a tarball or a snapshot stream, by what `path` is; files larger than
    `max_bytes` come with an `error` and no text."""
    label = label or str(path)
    if path.is_dir():
        return iter_folder(path, max_bytes)
    if not path.is_file():
        raise CorpusError(f"{label}: no such file or folder")
    if path.name.endswith(".asm.gz"):
        return iter_snapshot(path)
    return iter_tarball(path, label, max_bytes)
