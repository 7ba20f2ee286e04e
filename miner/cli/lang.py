"""`loda-miner eval` and `loda-miner check`: run LODA programs from the command line (no torch)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from miner.cli import CommandError, UsageError
from miner.cli import corpus as corpora
from miner.lang.anumber import format_a_number


def register(subparsers: Any) -> None:
    """Add the `eval` and `check` subcommands."""
    ev = subparsers.add_parser("eval", help="print the first terms of a LODA program",
                               description="Evaluate a program (a file or an A-number from the corpus).")
    ev.add_argument("program", metavar="PROGRAM", help="a .asm file, or an A-number such as A000045")
    ev.add_argument("-t", "--terms", type=int, default=10, metavar="N", help="number of terms (default 10)")
    ev.add_argument("--programs", metavar="DIR|TARBALL",
                    help="corpus for seq calls (default: [lang] programs, else the database)")
    ev.set_defaults(func=eval_command)

    ck = subparsers.add_parser("check", help="check programs against the terms in their own headers",
                               description="Check each program against the `; 0,1,1,2,...` terms of its header.")
    ck.add_argument("files", nargs="+", metavar="FILE")
    ck.add_argument("--programs", metavar="DIR|TARBALL",
                    help="corpus for seq calls (default: [lang] programs, else the database)")
    ck.set_defaults(func=check_command)


def _corpus(args: argparse.Namespace, cfg: dict, wanted: bool, needed: bool = False) -> Any:
    """The corpus for seq calls: --programs, [lang] programs, else the database if `wanted` (None when
    there is none and it is not `needed`: a program whose seq calls cannot resolve fails on its own)."""
    path = corpora.location(args.programs, cfg, ("lang", "programs"))
    if path or needed:
        return corpora.load(path, cfg)
    if not wanted:
        return None
    try:
        return corpora.from_database(cfg)
    except CommandError:
        return None


def _calls_seq(program: Any) -> bool:
    return any(op.op in ("seq", "prg") for op in program.code())


def _limits(cfg: dict) -> Any:
    from miner.lang import Limits

    return Limits.from_config(cfg["eval"])


def _load(path: str) -> Any:
    from miner.lang import parse

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise CommandError(f"{path}:{line}: not UTF-8 text (byte {exc.object[exc.start]:#04x})") from None
    return parse(text, path)


def eval_command(args: argparse.Namespace, cfg: dict) -> int:
    """Print the first N terms comma-separated."""
    from miner.lang import EvalError, ParseError, evaluate, parse_a_number

    if args.terms < 0:
        raise UsageError("-t/--terms must not be negative")
    try:
        if Path(args.program).is_file():
            program = _load(args.program)
            corpus = _corpus(args, cfg, wanted=_calls_seq(program))
        else:
            try:
                number = parse_a_number(args.program)
            except ValueError:
                raise CommandError(f"no such file and not an A-number: {args.program}") from None
            corpus = _corpus(args, cfg, wanted=True, needed=True)
            program = corpus.get(number)
            if program is None:
                raise CommandError(f"{format_a_number(number)} is not in {corpus.origin}")
        print(",".join(str(t) for t in evaluate(program, args.terms, corpus, _limits(cfg))))
    except ParseError as exc:
        raise CommandError(str(exc)) from exc
    except EvalError as exc:
        raise CommandError(f"{args.program}: {exc.reason}: {exc}") from exc
    return 0


def check_command(args: argparse.Namespace, cfg: dict) -> int:
    """Check each file against its header terms; one line per file; 1 if any fails."""
    from miner.lang import ParseError, read_header
    from miner.lang.conformance import check_program

    limits = _limits(cfg)
    failed = False
    # Every file is read first (the corpus is opened only when one calls `seq`); lines in file order.
    loaded: list[tuple[str, Any]] = []
    for path in args.files:
        try:
            loaded.append((path, _load(path)))
        except (ParseError, CommandError) as exc:
            loaded.append((path, exc))
    corpus = _corpus(args, cfg, wanted=any(_calls_seq(p) for _, p in loaded if not isinstance(p, Exception)))
    for path, program in loaded:
        if isinstance(program, Exception):
            print(f"{path} FAIL {program}")
            failed = True
            continue
        header = read_header(program)
        label = format_a_number(header.a_number) if header.a_number is not None else path
        if not header.terms:
            print(f"{label} FAIL no terms in the header")
            failed = True
            continue
        outcome = check_program(program, corpus, limits)
        if outcome["status"] == "reproduced":
            print(f"{label} ok {outcome['terms']} terms")
            continue
        failed = True
        if outcome["status"] == "mismatched":
            print(f"{label} FAIL {outcome['reason']}")
        else:
            n = program.offset + outcome["matched"]
            print(f"{label} FAIL term {outcome['matched'] + 1} (n={n}): {outcome['reason']}")
    return 1 if failed else 0
