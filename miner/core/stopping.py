"""Stopping long work at a safe point when the daemon is asked to stop (SIGTERM from systemd).

Refreshes read and compare everything before they write, in one transaction; raising `Stopped` while
reading leaves the database as it was, so the work is simply redone at the next start.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, TypeVar

T = TypeVar("T")


class Stopped(Exception):
    """A stop was requested: the work was abandoned before anything of it was stored."""


def check(stop_event: threading.Event | None, doing: str) -> None:
    """Raise `Stopped` if `stop_event` (a threading.Event, or None for never) is set."""
    if stop_event is not None and stop_event.is_set():
        raise Stopped(f"stopped while {doing}; nothing of it was stored")


def until_stopped(items: Iterable[T], stop_event: threading.Event | None, doing: str, every: int = 1000) -> Iterator[T]:
    """`items`, raising `Stopped` (checked every `every` items) once `stop_event` is set."""
    if stop_event is None:
        yield from items
        return
    for i, item in enumerate(items):
        if i % every == 0:
            check(stop_event, doing)
        yield item


def pause(seconds: float, stop_event: threading.Event | None, doing: str) -> None:
    """Sleep `seconds`, or raise `Stopped` as soon as `stop_event` is set."""
    if stop_event is None:
        time.sleep(seconds)
    elif stop_event.wait(seconds):
        check(stop_event, doing)


@contextmanager
def on_signals() -> Iterator[threading.Event]:
    """An event that the first SIGTERM or Ctrl-C inside the block sets, so long work can stop at a safe
    point; a second Ctrl-C raises KeyboardInterrupt. Main thread only (as `signal` requires)."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
