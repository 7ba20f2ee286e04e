"""The `loda-miner` command line: a thin layer that parses arguments and calls one function.

Each subcommand lives in its own module of this package with a `register(subparsers)` function;
heavy imports (torch, transformers) happen inside the command, never at start-up.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import NoReturn, Sequence

# Module names under miner.cli, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = ("lang", "daemon", "status", "web", "mine", "model", "data")

# Exit codes (README "Exit codes"): 0 ok, 1 a negative answer (a check failed, no miner alive),
# then the sysexits.h values for errors.
EXIT_USAGE = 2  # bad command line: unknown option, missing or malformed argument
EXIT_DATA = 65  # bad input: a file, a config value, a program, a missing database or corpus
EXIT_UNAVAILABLE = 69  # a service cannot be reached: the network sources, the database server
EXIT_INTERNAL = 70  # a bug: reported in one line (LODA_MINER_DEBUG=1 shows the traceback)
CONFIG_HELP = ("config file (default: $LODA_MINER_CONFIG, ./config.toml, ~/.config/loda-miner/config.toml, "
               "then built-in defaults); before or after the command")


class CommandError(Exception):
    """An error the user can act on; printed as one line without a traceback, exit code `code`."""

    def __init__(self, message: str, code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.code = code


class UsageError(CommandError):
    """A bad option value or combination (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)


class Unavailable(CommandError):
    """A service (network source, database server) that cannot be reached (exit 69)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_UNAVAILABLE)


class _Parser(argparse.ArgumentParser):
    """argparse with its errors as one line on stderr (exit 2), not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    from miner import __version__

    parser = _Parser(
        prog="loda-miner",
        description="Discover LODA programs for OEIS sequences that lack one.",
    )
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    parser.add_argument("--version", action="version", version=f"loda-miner {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"miner.cli.{name}").register(sub)
    for command in sub.choices.values():
        # SUPPRESS: given after the command it overrides, absent it keeps the one given before.
        command.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    return parser


def _error_code(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, message) for the errors of bad input and unreachable services; None for a bug."""
    from miner.core import config as config_mod
    from miner.lang import EvalError, ParseError

    if isinstance(exc, CommandError):
        return exc.code, str(exc)
    if isinstance(exc, config_mod.ConfigError):
        return EXIT_DATA, str(exc)
    if isinstance(exc, (ParseError, EvalError)):
        return EXIT_DATA, str(exc)
    if isinstance(exc, RecursionError):
        return EXIT_DATA, "input nested too deeply (e.g. a chain of seq calls): recursion limit reached"
    if isinstance(exc, UnicodeDecodeError):
        return EXIT_DATA, f"not UTF-8 text: {exc}"
    if isinstance(exc, OSError) and exc.filename:
        return EXIT_DATA, f"{exc.filename}: {exc.strerror or exc}"
    if type(exc).__module__.split(".")[0] not in ("storage", "sqlalchemy"):
        return None  # (and no need to import the database layer to say so)
    from storage import StorageError, is_operational_error

    if isinstance(exc, StorageError):
        return EXIT_UNAVAILABLE, str(exc)
    if is_operational_error(exc):
        return EXIT_UNAVAILABLE, f"database: {str(exc).splitlines()[0]}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    import structlog

    from miner.core import config as config_mod
    from miner.core import log, progress

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    # Log lines, not bars, beside JSON output; else bars only on a terminal.
    progress.configure(False if getattr(args, "json", False) else None)
    try:
        cfg = config_mod.load(args.config)
        log.configure(cfg["log"]["level"], cfg["log"]["format"])
        for note in cfg.get("_deprecated", []):
            structlog.get_logger(__name__).warning("config_key_deprecated", detail=note)
        return int(args.func(args, cfg) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns any error into one line
        known = _error_code(exc)
        if known is None and os.environ.get("LODA_MINER_DEBUG"):
            raise
        if known is None and args.command == "run":
            # A daemon's journal keeps the traceback of a bug (a log event, not a crash dump).
            import structlog

            structlog.get_logger(__name__).error("internal_error", exc_info=True)
        code, message = known or (EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc} "
                                                 "(LODA_MINER_DEBUG=1 shows the traceback)")
        message = " ".join(part.strip() for part in message.splitlines() if part.strip())  # one line
        print(f"loda-miner: error: {message}", file=sys.stderr)
        if getattr(args, "json", False):
            # Scripts reading --json output always get one JSON object.
            print(json.dumps({"error": message, "exit_code": code}))
        return code


if __name__ == "__main__":
    sys.exit(main())
