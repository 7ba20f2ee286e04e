"""The bundled offline snapshot: OEIS names/terms/offsets and the loda-programs code (see ATTRIBUTION).

Used only when the live sources cannot be reached on a machine whose database is still empty.
Rebuilt from the shared data by `scripts/make_snapshot.py`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMES = HERE / "names.gz"
STRIPPED = HERE / "stripped.gz"
OFFSETS = HERE / "offsets.gz"
PROGRAMS = HERE / "programs.asm.gz"
ATTRIBUTION = HERE / "ATTRIBUTION.md"
# Where data loaded from here says it came from (refreshes, imports, `status`).
ORIGIN = "bundled snapshot"
# Each program in PROGRAMS starts with a line `@A000045`; '@' never begins a LODA line.
RECORD_MARK = "@"


def sequence_files() -> tuple[Path, Path, Path]:
    """(names, stripped, offsets) of the snapshot; FileNotFoundError if the package lacks them."""
    files = (NAMES, STRIPPED, OFFSETS)
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"bundled snapshot file missing: {path} (run scripts/make_snapshot.py)")
    return files


def programs_file() -> Path:
    """The snapshot's program corpus (a gzipped stream of `@ANNNNNN` records)."""
    if not PROGRAMS.is_file():
        raise FileNotFoundError(f"bundled snapshot file missing: {PROGRAMS} (run scripts/make_snapshot.py)")
    return PROGRAMS
