"""`loda-miner fetch`, `import-programs` and `programs`: the data the miner works on and what it found."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import Any

from miner.cli import CommandError, Unavailable, UsageError
from miner.cli import corpus as corpora


def register(subparsers: Any) -> None:
    """Add the `fetch`, `import-programs` and `programs` subcommands."""
    fetch = subparsers.add_parser(
        "fetch", help="refresh OEIS names/terms/offsets (and the program corpus) from the sources",
        description="Download the [sources] files (only if changed) and apply them in one transaction. "
                    "Offline on a fresh database, the bundled snapshot is used.")
    fetch.add_argument("--no-programs", action="store_true", help="do not import the program corpus")
    fetch.add_argument("--no-snapshot", action="store_true", help="never fall back to the bundled snapshot")
    fetch.add_argument("--accept-changes", action="store_true",
                       help="apply files that change more than [sources] max_change_share of the stored sequences")
    fetch.set_defaults(func=fetch_command)

    imp = subparsers.add_parser(
        "import-programs", help="import a loda-programs checkout or .tar.gz (path or URL)",
        description="Parse and store every oeis/NNN/ANNNNNN.asm; broken files are reported and skipped.")
    imp.add_argument("source", nargs="?", metavar="PATH|URL", help="default: [sources] programs_url")
    imp.set_defaults(func=import_command)

    progs = subparsers.add_parser("programs", help="print the programs the miner discovered",
                                  description="The mined programs, oldest first.")
    progs.add_argument("--since", metavar="DATE", help="only those found at or after DATE (ISO, UTC if no zone)")
    progs.add_argument("--format", choices=("asm", "json"), default="asm",
                       help="asm: loda-programs files with headers; json: one object per line")
    progs.set_defaults(func=programs_command)


def _engine(cfg: dict[str, Any]) -> Any:
    return corpora.open_database(cfg)


def _failed(what: str, exc: Exception) -> CommandError:
    """An unreachable source is exit 69, a corrupt or malformed one 65."""
    from miner.sources.http import SourceUnavailable

    message = f"{what} failed, nothing changed: {exc}"
    return Unavailable(message) if isinstance(exc, SourceUnavailable) else CommandError(message)


def fetch_command(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Refresh the sequences (and the corpus); prints what changed."""
    import storage
    from miner import sources
    from miner.service import refresh
    from miner.service.corpus_import import import_programs
    from miner.sources.programs import CorpusError

    engine = _engine(cfg)
    allow = not args.no_snapshot
    try:
        report = refresh.refresh(cfg, engine, allow_snapshot=allow, accept_changes=args.accept_changes)
        print(report.message())
        for example in report.parse.examples[:10]:
            print(f"  malformed: {example}")
        if not args.no_programs:
            stats, origin = import_programs(cfg, engine, allow_snapshot=allow)
            print(_import_line(stats, origin))
    except storage.RefreshRejected as exc:
        # Recorded as a failed refresh, so `status` shows it until a refresh is applied.
        storage.job_finished(engine, storage.job_started(engine, "refresh"), "failed", str(exc))
        raise CommandError(f"fetch failed, nothing changed: {exc}") from exc
    except (sources.FetchError, sources.SourceFormatError, CorpusError, FileNotFoundError) as exc:
        raise _failed("fetch", exc) from exc
    finally:
        engine.dispose()
    return 0


def _import_line(stats: Any, origin: str) -> str:
    line = (f"programs from {origin}: {stats.added} added, {stats.changed} changed, "
            f"{stats.unchanged} unchanged, {len(stats.broken)} broken")
    return line + "".join(f"\n  broken: {b}" for b in stats.broken[:20])


def import_command(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Import a corpus; prints counts and the first broken files."""
    from miner import sources
    from miner.service.corpus_import import import_programs
    from miner.sources.programs import CorpusError

    engine = _engine(cfg)
    try:
        stats, origin = import_programs(cfg, engine, args.source, allow_snapshot=args.source is None)
    except (sources.FetchError, CorpusError, FileNotFoundError) as exc:
        raise _failed("import", exc) from exc
    finally:
        engine.dispose()
    print(_import_line(stats, origin))
    return 0


def parse_since(text: str) -> datetime:
    """An ISO date or date-time; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since: not an ISO date: {text!r} (e.g. 2026-04-01 or 2026-04-01T12:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def programs_command(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Print the discovered programs as loda-programs files or JSON lines."""
    import storage
    from miner.lang import format_a_number
    from miner.sources.programs import render

    since = parse_since(args.since) if args.since else None
    engine = corpora.open_existing(cfg)
    try:
        with storage.session_scope(engine, readonly=True) as session:
            rows = storage.discovered(session, since)
    finally:
        engine.dispose()
    for row in rows:
        if args.format == "json":
            print(json.dumps({
                "a_number": format_a_number(row.a_number), "name": row.name, "code": row.code,
                "found_at": row.found_at.isoformat(), "model_version": row.model_version,
                "strategy": row.strategy, "beam_rank": row.beam_rank, "cpu_seconds": row.cpu_seconds,
                "terms_verified": row.terms_verified, "length": row.length,
                "status": row.status, "bfile_checked": row.bfile_checked,
            }))
        else:
            print(render(row.a_number, row.name, row.terms, row.code, cfg["mine"]["submitted_by"]))
    return 0
