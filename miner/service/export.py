"""Export verified hits as loda-programs files (`oeis/NNN/ANNNNNN.asm`), written atomically.

A file holds the usual header (`; A000045: name`, `; Submitted by ...`, `; 0,1,1,2,...`), a blank line
and the program code (which carries its own `#offset` line when the offset is not 0).
`export_all` rewrites every file from the database, so a crash between storing and exporting loses nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from miner.sources.programs import export_records

if TYPE_CHECKING:
    from storage import Engine


log = structlog.get_logger(__name__)


def export_all(engine: Engine, cfg: dict[str, Any]) -> int:
    """Rewrite the file of every verified hit from the database (idempotent); returns files changed.
    Provisional hits are exported once a b-file check verifies them."""
    import storage

    with storage.session_scope(engine) as session:
        records = [(d.a_number, d.name, list(d.terms), d.code) for d in storage.discovered(session, status="verified")]
    changed = export_records(cfg["paths"]["export_dir"], records, cfg["mine"]["submitted_by"])
    log.info("export_all", programs=len(records), changed=changed, export_dir=cfg["paths"]["export_dir"])
    return changed
