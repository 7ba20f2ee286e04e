"""`loda-miner run`: the foreground daemon (mining plus scheduled jobs; see miner/service/daemon.py)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `run` command."""
    parser = subparsers.add_parser(
        "run",
        help="run the mining daemon in the foreground (SIGTERM/Ctrl-C stops it cleanly)",
        description="Mine continuously and run the scheduled jobs (refresh, export, retrain, submit, "
        "housekeeping) until stopped. Under systemd it reports READY/STATUS and pings the watchdog.",
    )
    parser.add_argument("--owner", help="name of this miner in leases and the fleet view "
                        "(default: [daemon] owner, else <hostname>:<pid>)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Run the daemon; exits hard only if a job thread would not stop within the grace period."""
    from miner.service import daemon
    from miner.cli import CommandError, Unavailable
    from storage import StorageError

    if args.owner:
        cfg["daemon"]["owner"] = args.owner
    try:
        code = daemon.run(cfg)
    except StorageError as exc:
        raise Unavailable(str(exc)) from exc
    except daemon.DaemonError as exc:
        raise CommandError(str(exc)) from exc
    if daemon.abandoned_jobs():
        # A job thread (e.g. a long refresh transaction) is still busy: leave now; the database
        # rolls its transaction back, so nothing is half-written.
        sys.stderr.flush()
        os._exit(code)
    return code
