"""Check candidate programs in worker processes that no candidate can stall or crash.

Each worker loads the corpus once, runs under an address-space limit (`resource.setrlimit`), dies
with the process that started it (a thread waits on the parent's pidfd), and
streams one outcome per candidate back over a pipe. The parent kills a worker that stays silent past
the per-candidate wall-clock timeout or that dies, starts a fresh one, counts that candidate as an
error and resubmits the rest of its chunk. Candidates travel in chunks to amortise the IPC cost.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import structlog

from miner.core.owner import pid_alive
from miner.lang.program import Program

if TYPE_CHECKING:
    import threading
    from multiprocessing.context import ForkServerContext, SpawnContext


log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CorpusSpec:
    """How a worker builds its corpus: every program stored in a database, or a tarball/folder; ids to hide."""

    db_url: str = ""
    path: str = ""
    hidden: frozenset[int] = frozenset()


@dataclass(frozen=True)
class CheckItem:
    """One candidate to check against one sequence's terms (from its offset).

    `required`: leading terms that must evaluate without error (0: all); later terms may stop at a
    resource limit. `match_terms`: when the check fails, how many leading terms to evaluate for the
    matchers (0: none). `evaluate` > 0: no check, the first `evaluate` terms go to `evaluated`.
    """

    program: Program
    a_number: int
    offset: int
    terms: tuple[int, ...]
    required: int = 0
    match_terms: int = 0
    limits: Any = None  # None: the pool's limits
    evaluate: int = 0


@dataclass
class CheckOutcome:
    """What checking one candidate gave: ok, leading terms matched, the error if any, cost."""

    ok: bool
    matched: int = 0
    error: str = ""
    steps: int = 0
    cpu_seconds: float = 0.0
    evaluated: tuple[int, ...] = field(default_factory=tuple)


# --- the check itself (runs in a worker, or in-process in tests) -----------------------------------

def build_corpus(spec: CorpusSpec) -> Any:
    """The `miner.lang.Corpus` a spec describes."""
    from miner.lang.corpus import Corpus

    if spec.db_url:
        import storage

        engine = storage.connect(spec.db_url)
        try:
            with storage.session_scope(engine, readonly=True) as session:
                corpus = Corpus(storage.program_codes(session), origin="database")
        finally:
            engine.dispose()
    elif spec.path:
        corpus = Corpus.from_path(spec.path)
    else:
        corpus = Corpus({})
    return corpus.without(spec.hidden) if spec.hidden else corpus


# The matchers key on this many leading terms; a program that fails earlier cannot match anything.
MIN_MATCH_TERMS = 10


def check_one(item: CheckItem, corpus: Any, limits: Any) -> CheckOutcome:
    """Check one candidate: every term must match; the first `required` must evaluate without error.

    As in loda-cpp's checker, an evaluation error (a limit, an undefined value) after the first
    `required` terms ends the check without failing it; a wrong term always fails it.
    """
    from miner.lang import check_terms, evaluate_partial

    start = time.process_time()
    program = with_offset(item.program, item.offset)
    try:
        if item.evaluate:
            values, error = evaluate_partial(program, item.evaluate, corpus, limits)
            outcome = CheckOutcome(ok=error is None, matched=len(values), error=error or "", evaluated=tuple(values))
        else:
            result = check_terms(program, list(item.terms), corpus, limits, prefix=item.match_terms)
            tolerated = (item.required > 0 and result.error is not None and result.got is None
                         and result.matched >= item.required)
            outcome = CheckOutcome(ok=bool(result.ok or tolerated), matched=int(result.matched),
                                   error=result.error or "", steps=int(result.steps))
            if not outcome.ok and len(result.terms) >= min(item.match_terms, MIN_MATCH_TERMS):
                outcome.evaluated = result.terms
    except MemoryError:
        outcome = CheckOutcome(ok=False, error="memory limit exceeded")
    except RecursionError:
        outcome = CheckOutcome(ok=False, error="recursion too deep")
    except Exception as exc:  # noqa: BLE001 - a broken candidate must never take the worker down
        outcome = CheckOutcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    outcome.cpu_seconds = time.process_time() - start
    return outcome


def with_offset(program: Program, offset: int) -> Program:
    """The program with its `#offset` set to the sequence's offset."""
    if program.offset == offset:
        return program
    directives = dict(program.directives)
    if offset:
        directives["offset"] = offset
    else:
        directives.pop("offset", None)
    return Program(list(program.ops), directives)



# --- worker process ------------------------------------------------------------------------------

def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (soft RLIMIT_AS) at `megabytes`; 0: no cap."""
    if megabytes <= 0:
        return
    try:
        import resource

        size = megabytes * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            size = min(size, hard)
        resource.setrlimit(resource.RLIMIT_AS, (size, hard))
    except (ImportError, ValueError, OSError) as exc:  # not fatal: the wall-clock guard still holds
        log.warning("memory_limit_unavailable", error=str(exc))


def die_with_parent(parent_pid: int) -> None:
    """End this process at once when the process that started it (`parent_pid`) ends, by any death.

    Our parent process is the forkserver, which lives on while any worker does, so PR_SET_PDEATHSIG
    would not fire: a thread waits on a pidfd of the miner instead (Linux 5.3+), or looks every second.
    """
    import threading

    def watch() -> None:
        try:
            import select

            fd = os.pidfd_open(parent_pid)
            select.select([fd], [], [])  # readable once the process has ended
        except (AttributeError, OSError):
            while pid_alive(parent_pid):
                time.sleep(1.0)
        os._exit(0)

    if not pid_alive(parent_pid):
        os._exit(0)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(conn: Connection, spec: CorpusSpec, limits: Any, memory_mb: int, parent_pid: int = 0) -> None:
    """Worker loop: build the corpus once, then answer chunks with one message per candidate."""
    # Ctrl-C reaches the whole process group; the parent stops its workers itself, and a
    # KeyboardInterrupt here would only print a traceback over the daemon's clean shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid:
        die_with_parent(parent_pid)
    limit_memory(memory_mb)
    try:
        try:
            corpus = build_corpus(spec)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which gives up cleanly
            conn.send(("fatal", f"cannot build the corpus: {type(exc).__name__}: {exc}"))
            return
        conn.send(("ready", os.getpid(), time.process_time()))
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            for index, item in enumerate(message):
                conn.send(("result", index, check_one(item, corpus, item.limits or limits)))
            conn.send(("done", len(message), time.process_time()))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent is gone: nobody is left to tell


# --- the pool ------------------------------------------------------------------------------------

class CheckerError(RuntimeError):
    """The worker pool cannot do its job at all (e.g. workers cannot load the corpus)."""


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    chunk: list[tuple[int, CheckItem]] = field(default_factory=list)
    position: int = 0  # results received for the current chunk
    last_heard: float = 0.0
    # the worker's own CPU seconds when it was ready and when it last finished a chunk
    cpu_ready: float = 0.0
    cpu_done: float = 0.0


def default_workers() -> int:
    """One per CPU core: the mining process waits while they check, and they wait while it generates."""
    return max(1, os.cpu_count() or 1)


class CheckerPool:
    """Worker processes that check `CheckItem`s; stateful because it owns processes and pipes."""

    def __init__(self, spec: CorpusSpec, limits: Any = None, workers: int = 0,
                 candidate_timeout: float = 10.0, memory_mb: int = 2048, chunk_size: int = 16,
                 start_timeout: float = 600.0) -> None:
        self.spec = spec
        self.limits = limits
        self.size = workers if workers > 0 else default_workers()
        self.candidate_timeout = candidate_timeout
        self.memory_mb = memory_mb
        self.chunk_size = max(1, chunk_size)
        self.start_timeout = start_timeout
        self.restarts = 0
        self._retired_cpu = 0.0
        # Workers never fork from this process (which may hold torch threads and database handles).
        self._ctx: ForkServerContext | SpawnContext = (
            multiprocessing.get_context("forkserver") if os.name == "posix" else multiprocessing.get_context("spawn"))
        if os.name == "posix":
            self._ctx.set_forkserver_preload(["miner.mine.checker", "miner.lang"])
        self._workers: list[_Worker] = []

    def __enter__(self) -> "CheckerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_main,
                                    args=(child, self.spec, self.limits, self.memory_mb, os.getpid()),
                                    daemon=True, name="loda-miner-checker")
        process.start()
        child.close()
        return _Worker(process=process, conn=parent, last_heard=time.monotonic())

    def _ensure(self) -> None:
        alive = []
        for worker in self._workers:
            if worker.process.is_alive() or worker.chunk:
                alive.append(worker)
            else:  # died while idle: nothing lost, just replace it
                worker.conn.close()
        self._workers = alive
        while len(self._workers) < self.size:
            self._workers.append(self._start())

    def cpu_seconds(self) -> float:
        """CPU seconds the workers spent since they were ready, as they last reported it (a chunk's end):
        candidates and what goes with them (the pipe, unpickling), beyond each candidate's own share."""
        return self._retired_cpu + sum(w.cpu_done - w.cpu_ready for w in self._workers)

    def _kill(self, worker: _Worker) -> None:
        self._retired_cpu += worker.cpu_done - worker.cpu_ready
        try:
            worker.process.kill()
            worker.process.join(5)
        except (OSError, ValueError):
            pass
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker (politely, then by force)."""
        self._retired_cpu += sum(w.cpu_done - w.cpu_ready for w in self._workers)
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 2.0
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.conn.close()
        self._workers = []

    def restart(self, spec: CorpusSpec | None = None) -> None:
        """Replace every worker (e.g. with a refreshed corpus)."""
        self.close()
        if spec is not None:
            self.spec = spec

    def check(self, items: Sequence[CheckItem], stop_event: threading.Event | None = None) -> list[CheckOutcome | None]:
        """Outcomes in the order of `items`; None for items not checked because `stop_event` was set."""
        results: list[CheckOutcome | None] = [None] * len(items)
        pending: deque[list[tuple[int, CheckItem]]] = deque()
        indexed = list(enumerate(items))
        # Few items are spread over every worker: a dozen slow readings in one chunk kept the others idle.
        size = max(1, min(self.chunk_size, -(-len(indexed) // self.size)))
        for start in range(0, len(indexed), size):
            pending.append(indexed[start:start + size])
        self._ensure()
        while pending or any(w.chunk for w in self._workers):
            if stop_event is not None and stop_event.is_set():
                self._abandon()
                break
            now = time.monotonic()
            for worker in self._workers:
                if worker.ready and not worker.chunk and pending:
                    worker.chunk = pending.popleft()
                    worker.position = 0
                    worker.last_heard = now
                    try:
                        worker.conn.send([item for _, item in worker.chunk])
                    except (OSError, ValueError):
                        self._fail(worker, results, pending, "checker worker died")
            self._collect(results, pending)
        return results

    def _deadline(self, worker: _Worker) -> float:
        limit = self.candidate_timeout if worker.ready else self.start_timeout
        return worker.last_heard + limit

    def _collect(self, results: list[CheckOutcome | None], pending: deque) -> None:
        waiting = [w for w in self._workers if w.chunk or not w.ready]
        if not waiting:
            return
        now = time.monotonic()
        timeout = max(0.0, min(self._deadline(w) for w in waiting) - now)
        # Poll in short slices so a stop request is seen quickly.
        handles: list[Any] = [w.conn for w in waiting] + [w.process.sentinel for w in waiting]
        ready = wait(handles, timeout=min(timeout, 0.5))
        for worker in waiting:
            if worker.conn in ready:
                try:
                    while worker.conn.poll():
                        self._handle(worker, worker.conn.recv(), results)
                except (EOFError, OSError):
                    self._fail(worker, results, pending, "checker worker died")
                    continue
            if worker.process.sentinel in ready and not worker.conn.poll():
                self._fail(worker, results, pending, f"checker worker died (exit {worker.process.exitcode})")
            elif time.monotonic() > self._deadline(worker):
                what = "timeout" if worker.ready else "start timeout"
                self._fail(worker, results, pending, f"{what} after {self.candidate_timeout:g}s")

    def _handle(self, worker: _Worker, message: tuple, results: list[CheckOutcome | None]) -> None:
        worker.last_heard = time.monotonic()
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            worker.cpu_ready = worker.cpu_done = message[2]
        elif kind == "result":
            key = worker.chunk[message[1]][0]
            results[key] = message[2]
            worker.position = message[1] + 1
        elif kind == "done":
            worker.chunk = []
            worker.position = 0
            worker.cpu_done = message[2]
        elif kind == "fatal":
            self.close()
            raise CheckerError(message[1])

    def _fail(self, worker: _Worker, results: list[CheckOutcome | None], pending: deque, reason: str) -> None:
        """Replace a dead or hung worker; its current candidate fails, the rest of its chunk is retried."""
        if not worker.ready and not worker.chunk:
            self._kill(worker)
            self.close()
            raise CheckerError(f"checker worker could not start: {reason}")
        chunk, position = worker.chunk, worker.position
        # The time since the worker last answered is (at most) the CPU the lost candidate burned.
        burned = time.monotonic() - worker.last_heard
        self._kill(worker)
        self._workers.remove(worker)
        self.restarts += 1
        if position < len(chunk):
            key = chunk[position][0]
            results[key] = CheckOutcome(ok=False, error=reason, cpu_seconds=burned)
            rest = chunk[position + 1:]
            if rest:
                pending.appendleft(rest)
        log.warning("checker_worker_replaced", reason=reason, restarts=self.restarts)
        self._workers.append(self._start())

    def _abandon(self) -> None:
        """Stop now: busy workers are killed (they are replaced on the next `check`)."""
        for worker in list(self._workers):
            if worker.chunk:
                self._kill(worker)
                self._workers.remove(worker)


def check_in_process(items: Iterable[CheckItem], corpus: Any, limits: Any) -> list[CheckOutcome]:
    """The same checks without worker processes (for tools and tests that trust their candidates)."""
    return [check_one(item, corpus, limits) for item in items]
