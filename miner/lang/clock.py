"""The wall-clock budget of the evaluation running in this thread, for checks inside long operations.

The evaluator sets it for the length of one `evaluate`/`check_terms` call (compilation included); the
semantics of operations that can take milliseconds on huge numbers (nrt, dgs, lex, dir, log) and the
compiler check it as they go, so a time limit holds even where no loop end comes for a long while.
Outside an evaluation there is no budget and `check` does nothing.
"""

from __future__ import annotations

import threading
import time

from miner.lang.errors import TimeLimitError

_local = threading.local()
_NONE = (float("inf"), 0.0)


def start(deadline: float, seconds: float) -> tuple[float, float]:
    """Set this thread's budget (a `time.monotonic()` deadline); returns the one it replaces."""
    previous = getattr(_local, "budget", _NONE)
    _local.budget = (deadline, seconds)
    return previous


def restore(previous: tuple[float, float]) -> None:
    """Put back the budget `start` returned."""
    _local.budget = previous


def check() -> None:
    """Raise TimeLimitError once this thread's budget is spent."""
    deadline, seconds = getattr(_local, "budget", _NONE)
    if time.monotonic() > deadline:
        raise TimeLimitError(f"exceeded the time limit of {seconds:g} s")
