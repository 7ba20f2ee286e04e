"""The `loda-miner` command line: a thin layer that parses arguments and calls one function.

Each subcommand lives in its own module of this package with a `register(subparsers)` function;
heavy imports (torch, transformers) happen inside the command, never at start-up.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# Module names under miner.cli, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = ("lang", "daemon", "status", "web", "mine", "model", "data")


class CommandError(Exception):
    """An error the user can act on; printed without a traceback, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    from miner import __version__

    parser = argparse.ArgumentParser(
        prog="loda-miner",
        description="Discover LODA programs for OEIS sequences that lack one.",
    )
    parser.add_argument("--config", metavar="FILE", help="config file (default: ./config.toml, "
                        "then ~/.config/loda-miner/config.toml, then built-in defaults)")
    parser.add_argument("--version", action="version", version=f"loda-miner {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"miner.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    import structlog

    from miner.core import config as config_mod
    from miner.core import log

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        cfg = config_mod.load(args.config)
        log.configure(cfg["log"]["level"], cfg["log"]["format"])
        for note in cfg.get("_deprecated", []):
            structlog.get_logger(__name__).warning("config_key_deprecated", detail=note)
        return int(args.func(args, cfg) or 0)
    except (CommandError, config_mod.ConfigError) as exc:
        print(f"loda-miner: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
