"""`loda-miner mine`: run the mining loop in the foreground once, with progress and a summary."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `mine` command."""
    parser = subparsers.add_parser(
        "mine",
        help="mine sequences lacking programs in the foreground, then print a summary",
        description="Claim sequences lacking a program (or the given ones), generate and check candidates, "
                    "store and export verified hits. Without --limit or --minutes every lacking sequence "
                    "(or each given one) is tried once. With --minutes mining goes on until the time is up: "
                    "after the once-per-sequence strategies, the model, mutation and repair take turns on "
                    "the sequences still lacking, in rounds of growing budget, until all are spent. "
                    "Ctrl-C stops after the current candidate; hits found so far are kept.",
    )
    parser.add_argument("--ids", metavar="A123456,...", help="mine exactly these sequences")
    parser.add_argument("--limit", type=int, metavar="N", help="try at most N sequences")
    parser.add_argument("--minutes", type=float, metavar="M",
                        help="mine until M minutes are up (no new batch starts after that)")
    parser.add_argument("--strategies", metavar="a,b", help="only these strategies (default: [mine] strategies)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(func=handle)


def _ids(text: str | None) -> list[int] | None:
    from miner.cli import UsageError
    from miner.lang import parse_a_number

    if not text:
        return None
    out = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            out.append(parse_a_number(part))
        except ValueError as exc:
            raise UsageError(f"--ids: {exc}") from None
    return out


def _strategies(text: str | None, cfg: dict[str, Any]) -> list[str] | None:
    from miner.cli import UsageError
    from miner.mine.context import MODEL_STRATEGIES, SEARCH_MODULES

    if not text:
        return None
    known = set(MODEL_STRATEGIES) | set(SEARCH_MODULES)
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in known]
    if unknown:
        raise UsageError(f"--strategies: unknown {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return names


class Progress:
    """Sequences tried, candidates, hits: a bar on a terminal, else a log line every half minute."""

    def __init__(self, total: int | None = None) -> None:
        from miner.core.progress import Progress as Shown

        self.shown = Shown("mine", total, unit="seq")

    def __call__(self, summary: Any) -> None:
        self.shown.update(summary.tried - self.shown.done, candidates=summary.candidates, valid=summary.valid,
                          hits=summary.hits, cpu=f"{summary.cpu_seconds:.0f}s")

    def done(self) -> None:
        self.shown.close()


def render(summary: Any) -> str:
    """The summary as a small table."""
    from miner.lang import format_a_number

    per_hour = summary.hits * 3600 / summary.cpu_seconds if summary.cpu_seconds else 0.0
    lines = [
        f"tried {summary.tried} sequences in {summary.batches} batches, {summary.wall_seconds:.0f}s wall, "
        f"{summary.cpu_seconds:.0f} CPU-s",
        f"candidates {summary.candidates}, valid {summary.valid}, hits {summary.hits} "
        f"({per_hour:.1f} per CPU-hour)",
        "",
        f"{'strategy':<14}{'attempts':>9}{'candidates':>12}{'valid':>9}{'hits':>6}{'cpu s':>9}",
    ]
    for name, t in sorted(summary.per_strategy.items()):
        lines.append(f"{name:<14}{t.attempts:>9}{t.candidates:>12}{t.valid:>9}{t.hits:>6}{t.cpu_seconds:>9.1f}")
    if summary.found:
        lines.append("")
        for h in summary.found:
            lines.append(f"{format_a_number(h.a_number)}  {h.strategy}/{h.route}  {h.length} ops  "
                         f"{h.terms_verified} terms  {h.outcome}")
    return "\n".join(lines)


def handle(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Run the loop once; exit 0 (also when nothing was found)."""
    import storage
    from miner.cli import Unavailable, UsageError
    from miner.mine.loop import mine
    from miner.core.stopping import on_signals

    ids = _ids(args.ids)
    strategies = _strategies(args.strategies, cfg)
    if args.limit is not None and args.limit <= 0:
        raise UsageError("--limit must be positive")
    progress = Progress(len(ids) if ids else args.limit)
    # First Ctrl-C / SIGTERM: finish the current candidate, keep the hits, print the summary.
    try:
        with on_signals() as stop:
            summary = mine(cfg, ids=ids, limit=args.limit, minutes=args.minutes, stop_event=stop,
                           strategies=strategies, progress=progress)
    except storage.StorageError as exc:
        raise Unavailable(str(exc)) from exc
    finally:
        progress.done()
    print(json.dumps(summary.to_json(), indent=2, default=str) if args.json else render(summary))
    return 0
