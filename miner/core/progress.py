"""Progress of long steps (downloads, imports, building pairs, training, evaluation): a tqdm bar on a
terminal; without one (systemd, pipes) or with `--json`, a log line every half minute and at the end."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")
R = TypeVar("R")
# None: bars when stderr is a terminal; the CLI sets False for --json.
_bars: dict[str, bool | None] = {"enabled": None}
LOG_SECONDS = 30.0


def configure(bars: bool | None) -> None:
    """Force bars on or off (None: only on a terminal)."""
    _bars["enabled"] = bars


def bars_enabled() -> bool:
    enabled = _bars["enabled"]
    return sys.stderr.isatty() if enabled is None else enabled


class Progress:
    """`update(n, **shown)` as work gets done; `close()` at the end (or use as a context manager)."""

    def __init__(self, desc: str, total: int | None = None, unit: str = "it", unit_scale: bool = False,
                 initial: int = 0, log_seconds: float = LOG_SECONDS) -> None:
        self.desc, self.total, self.unit, self.done = desc, total, unit, initial
        self.start_done, self.t0 = initial, time.monotonic()
        self.last_log, self.log_seconds = self.t0, log_seconds
        self.shown: dict[str, Any] = {}
        self.bar: Any = None
        if bars_enabled():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, initial=initial,
                            file=sys.stderr, dynamic_ncols=True, leave=True)

    def update(self, n: int = 1, **shown: Any) -> None:
        self.done += n
        if shown:
            self.shown = shown
        if self.bar is not None:
            if shown:
                self.bar.set_postfix(shown, refresh=False)
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last_log >= self.log_seconds:
            self.last_log = now
            self._log("progress")

    def _log(self, event: str) -> None:
        elapsed = max(1e-9, time.monotonic() - self.t0)
        rate = (self.done - self.start_done) / elapsed
        fields: dict[str, Any] = {"task": self.desc, "done": self.done, "unit": self.unit,
                                  "per_second": round(rate, 2), "seconds": round(elapsed, 1)}
        if self.total:
            fields["total"] = self.total
            if rate > 0:
                fields["eta_seconds"] = round((self.total - self.done) / rate, 1)
        log.info(event, **fields, **self.shown)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif time.monotonic() - self.t0 >= self.log_seconds:
            self._log("progress_done")  # only steps long enough to have logged progress

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def track(items: Iterable[T], desc: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """`items`, with a Progress counting them."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(desc, total, unit) as progress:
        for item in items:
            yield item
            progress.update()


def mapped(fn: Callable[[T], R], items: Sequence[T], desc: str, *, workers: int = 1, unit: str = "it",
           chunksize: int = 64, ordered: bool = True) -> list[R]:
    """`fn` over `items` with progress, in `workers` forked processes when there are enough items: state
    the caller puts in module globals before the call reaches the workers by fork, unpickled."""
    if workers > 1 and len(items) > 1000:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals) as pool:
            results = (pool.imap if ordered else pool.imap_unordered)(fn, items, chunksize=chunksize)
            return list(track(results, desc, len(items), unit=unit))
    return [fn(item) for item in track(items, desc, unit=unit)]


def _worker_signals() -> None:
    """A forked worker inherits the caller's stop handlers (`miner.core.stopping.on_signals`): with them, the
    SIGTERM by which the pool ends its workers only set a flag and the pool waited for them for ever. The
    worker dies of SIGTERM and leaves Ctrl-C to the caller."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
