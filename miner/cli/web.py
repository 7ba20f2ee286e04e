"""`loda-miner dashboard`: the read-only web page over the database (see miner/service/dashboard.py)."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `dashboard` command."""
    parser = subparsers.add_parser(
        "dashboard",
        help="serve a read-only web page: hits per day, yield, latest programs, search, models, jobs, fleet",
        description="Serve the dashboard until Ctrl-C/SIGTERM. It opens the database read-only and never writes.",
    )
    parser.add_argument("--listen", metavar="HOST:PORT", help="address to listen on (default: [dashboard] listen, "
                        "127.0.0.1:8080)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Serve until stopped."""
    import storage
    from miner.cli import CommandError
    from miner.core.config import parse_listen
    from miner.service import dashboard

    host, port = parse_listen(args.listen or cfg["dashboard"]["listen"], "--listen" if args.listen
                              else "[dashboard] listen")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        dashboard.serve(cfg, host, port, stop)
    except storage.StorageError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc}") from exc
    return 0
