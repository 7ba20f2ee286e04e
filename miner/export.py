"""Export verified hits as loda-programs files (`oeis/NNN/ANNNNNN.asm`), written atomically.

A file holds the usual header (`; A000045: name`, `; Submitted by ...`, `; 0,1,1,2,...`), a blank line
and the program code (which carries its own `#offset` line when the offset is not 0).
`export_all` rewrites every file from the database, so a crash between storing and exporting loses nothing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import structlog

log = structlog.get_logger(__name__)

# The reference corpus lists at most 80 terms on a header line of at most ~500 characters.
HEADER_MAX_TERMS = 80
HEADER_MAX_CHARS = 500


def a_name(a_number: int) -> str:
    """`A000045` for 45."""
    return f"A{a_number:06d}"


def program_path(export_dir: str | Path, a_number: int) -> Path:
    """Where the program of a sequence lives: `<export_dir>/oeis/000/A000045.asm`."""
    return Path(export_dir) / "oeis" / f"{a_number // 1000:03d}" / f"{a_name(a_number)}.asm"


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
    lines = code.strip("\n").splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith(";")):
        start += 1
    return "\n".join(line.rstrip() for line in lines[start:]) + "\n"


def render(a_number: int, name: str, terms: Sequence[int], code: str, submitted_by: str) -> str:
    """The full text of a loda-programs file for one sequence."""
    header = [f"; {a_name(a_number)}: {name.strip()}"]
    if submitted_by:
        header.append(f"; Submitted by {submitted_by}")
    header.append(f"; {terms_line(terms)}")
    return "\n".join(header) + "\n\n" + code_body(code)


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
        log.info("exported", seq=a_name(a_number), path=str(path))
    return path


def export_records(export_dir: str | Path, records: Iterable[tuple[int, str, Sequence[int], str]],
                   submitted_by: str = "loda-miner") -> int:
    """Write the files of (a_number, name, terms, code) records; returns how many files changed."""
    changed = 0
    for a_number, name, terms, code in records:
        path = program_path(export_dir, a_number)
        if write_atomic(path, render(a_number, name, terms, code, submitted_by)):
            changed += 1
    return changed


def export_all(engine: Any, cfg: dict[str, Any]) -> int:
    """Rewrite the file of every stored hit from the database (idempotent); returns files changed."""
    import storage

    with storage.session_scope(engine) as session:
        records = [(d.a_number, d.name, list(d.terms), d.code) for d in storage.discovered(session)]
    changed = export_records(cfg["paths"]["export_dir"], records, cfg["mine"]["submitted_by"])
    log.info("export_all", programs=len(records), changed=changed, export_dir=cfg["paths"]["export_dir"])
    return changed
