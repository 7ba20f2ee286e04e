"""The daemon (`loda-miner run`): mining in the main thread, scheduled jobs beside it.

Why this shape: mining is the daemon's real work and owns the heavy state (worker pool, corpus, model),
so the main thread runs `loop.mine_batch` back to back and applies reloads between batches. The periodic
jobs (refresh, export, retrain, trial, submit, housekeeping) run in an APScheduler 3 `BackgroundScheduler` whose
jobs live in memory (a job store in the shared database would pickle job state there, and whoever could
write that table could run code on every miner), one at a time (a single worker thread,
`max_instances=1`, `coalesce=True`, a misfire grace), so a job never competes with another job, and a
machine that slept runs each due job once, not a backlog. When a job is next due is derived from the
fleet's `job_runs` on start, so restarts neither skip nor repeat work. Fleet-wide jobs run under a
`storage.job_lock` and re-check `job_runs` inside the lock, so one machine of a fleet runs each.
A heartbeat thread writes liveness to the database and pings the systemd watchdog only while the
mining loop and the scheduler are healthy.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import structlog

import storage
from miner import __version__
from miner.service import notify
from miner.core.owner import default_owner, pid_alive
from miner.core.stopping import Stopped
from miner.mine.checker import limit_memory
from storage import housekeeping as hk
from storage import status as st
from storage.locks import job_lock

if TYPE_CHECKING:
    from storage import Engine


log = structlog.get_logger(__name__)

# Where earlier versions kept pickled jobs; dropped on start, so no one's pickle is ever loaded.
OLD_SCHEDULER_TABLE = "apscheduler_jobs"


@dataclass
class Daemon:
    """What the running daemon's threads share: config, engine, stop flag and what it is doing."""

    cfg: dict[str, Any]
    engine: Engine
    owner: str
    stop_event: threading.Event
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    doing: str = "starting"
    batch_started: float | None = None  # time.monotonic() of the running batch, None between batches
    reload_data: threading.Event = field(default_factory=threading.Event)
    reload_model: threading.Event = field(default_factory=threading.Event)
    batches: int = 0
    candidates: int = 0
    hits: int = 0
    cpu_seconds: float = 0.0
    last_batch: dict[str, Any] = field(default_factory=dict)
    running_jobs: set[str] = field(default_factory=set)
    next_runs: dict[str, str | None] = field(default_factory=dict)
    child: subprocess.Popen | None = None  # the retraining process, terminated on stop
    exporter: Any = None  # miner.service.metrics.Exporter: /metrics endpoint and textfile
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class JobSpec:
    """A scheduled job: how often (seconds, from config) and whether one machine of a fleet runs it."""

    interval: Callable[[dict[str, Any]], float]
    fleet_wide: bool
    enabled: Callable[[dict[str, Any]], bool] = lambda cfg: True


class DaemonError(Exception):
    """The daemon cannot start (e.g. no sequence data on a first run); the message says why."""


class Skipped(Exception):
    """Raised by a job that found nothing to do; recorded with outcome 'skipped'."""


# The daemon of this process, for the job function the scheduler calls by reference.
_CURRENT: Daemon | None = None


# ---------------------------------------------------------------------------------------------- jobs


def job_refresh(d: Daemon) -> str:
    """Refresh names/terms/offsets and the program corpus (bundled snapshot when offline), then
    re-check the hits whose sequences changed."""
    from miner.service import refresh
    from miner.mine.reverify import reverify

    message = refresh.refresh_all(d.cfg, d.engine, stop_event=d.stop_event)
    if d.stop_event.is_set():
        return f"{message}; hits not re-checked (stopping)"  # the next refresh re-checks them
    checked = reverify(d.cfg, d.engine)
    d.reload_data.set()
    return f"{message}; {checked}"


def job_deep_check(d: Daemon) -> str:
    """Check provisional hits (known terms only) on their b-files: verified ones are exported."""
    from miner.mine.reverify import deep_check_provisional

    report = deep_check_provisional(d.cfg, d.engine, int(d.cfg["daemon"]["deep_check_batch"]), d.stop_event)
    return str(report)


def job_export(d: Daemon) -> str:
    """Rewrite the export folder from the database (idempotent)."""
    from miner.service import export

    changed = export.export_all(d.engine, d.cfg)
    return f"{changed} files written"


def _base_model_available(cfg: dict[str, Any]) -> bool:
    # Checked by file, not by loading: torch stays out of the daemon process.
    from training.model import BUNDLED_DIR

    folder = Path(cfg["train"]["model_dir"]).expanduser() if cfg["train"]["model_dir"] else BUNDLED_DIR
    return (folder / "config.json").is_file()


def job_retrain(d: Daemon) -> str:
    """Fine-tune on the hits since the current model when enough accumulated; promote if not worse."""

    daemon_cfg = d.cfg["daemon"]
    with storage.session_scope(d.engine, readonly=True) as session:
        model = storage.promoted_model(session)
        on_trial = storage.model_on_trial(session)
        since = model.created_at if model is not None else None
        new_hits = len(storage.discovered(session, since=since))
    if on_trial is not None:
        raise Skipped(f"model {on_trial.id} is on trial")
    if new_hits < daemon_cfg["retrain_min_hits"]:
        raise Skipped(f"{new_hits} new hits < retrain_min_hits {daemon_cfg['retrain_min_hits']}")
    if model is None and not _base_model_available(d.cfg):
        raise Skipped("no model to fine-tune (none promoted, no [train] model_dir, none bundled)")
    # Training runs in its own process: torch stays out of the daemon, a crash there stays there,
    # and SIGTERM on stop reaches it (it checkpoints and exits; killed after stop_grace_seconds).
    cmd = [sys.executable, "-m", "miner"]
    if d.cfg.get("_source") and d.cfg["_source"] != "built-in defaults":
        cmd += ["--config", d.cfg["_source"]]
    cmd += ["retrain"]
    log.info("retrain_start", new_hits=new_hits, cmd=" ".join(cmd))
    with d.lock:
        if d.stop_event.is_set():
            return "stopped before start"
        d.child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    try:
        code = d.child.wait()
    finally:
        with d.lock:
            d.child = None
    if d.stop_event.is_set():
        return f"stopped (exit {code})"
    if code != 0:
        raise RuntimeError(f"retraining exited with code {code}")
    d.reload_model.set()
    return f"retrained on {new_hits} new hits"


def job_trial(d: Daemon) -> str:
    """Decide the running model trial once both models mined `[train] trial_cpu_hours` (or it expired):
    the model on trial replaces the promoted one only with more hits per CPU-hour."""
    from training.registry import trial_verdict

    tc = d.cfg["train"]
    with storage.session_scope(d.engine) as session:
        state = storage.running_trial(session)
        if state is None:
            raise Skipped("no model on trial")
        mined, other = state.candidate, state.against
        age_days = (datetime.now(timezone.utc) - state.model.created_at).total_seconds() / 86400
        verdict = trial_verdict((mined.hits, mined.cpu_seconds), (other.hits, other.cpu_seconds),
                                float(tc["trial_cpu_hours"]) * 3600, expired=age_days >= float(tc["trial_max_days"]))
        summary = (f"model {mined.version}: {mined.hits} hits in {mined.cpu_seconds:.0f} CPU-s; "
                   f"model {other.version or '-'}: {other.hits} hits in {other.cpu_seconds:.0f} CPU-s")
        if verdict is None:
            return f"trial running ({summary})"

        def side(prefix: str, s: storage.TrialSide) -> dict[str, Any]:
            return {f"{prefix}hits": s.hits, f"{prefix}cpu_seconds": round(s.cpu_seconds, 1),
                    f"{prefix}hits_per_cpu_hour": s.hits_per_cpu_hour or 0.0}

        storage.end_trial(session, state.model.id, verdict == "won", {
            **side("", mined), "against": other.version, **side("against_", other),
            "days": round(age_days, 2), "verdict": verdict})
    log.info("model_trial_decided", version=mined.version, verdict=verdict, summary=summary)
    d.reload_model.set()
    return f"trial {verdict} ({summary})"


def job_housekeeping(d: Daemon) -> str:
    """Drop expired leases and old job runs, ANALYZE, and VACUUM at most every `vacuum_days`."""

    daemon_cfg = d.cfg["daemon"]
    now = datetime.now(timezone.utc)
    expired = hk.drop_expired_leases(d.engine, now)
    pruned = hk.prune_job_runs(d.engine, now - timedelta(days=daemon_cfg["keep_job_runs_days"]))
    with _session(d, readonly=True) as session:
        # Only a VACUUM that finished counts: one killed half-way is done again on the next round.
        last_vacuum = storage.last_run(session, "vacuum", outcome="ok")
    vacuum = last_vacuum is None or (
        last_vacuum.started_at < now - timedelta(days=daemon_cfg["vacuum_days"])
    )
    if vacuum:
        run_id = _job_started(d, "vacuum")
        t0 = time.monotonic()
        hk.vacuum(d.engine)
        _job_finished(d, run_id, "ok", f"{time.monotonic() - t0:.1f} s")
    hk.analyze(d.engine)
    return f"expired leases {expired}, pruned job runs {pruned}, vacuum {'yes' if vacuum else 'no'}"


def job_submit(d: Daemon) -> str:
    """Queue new hits and send what the rate limit allows to the LODA API."""
    from miner.service import submit

    return str(submit.submit_pending(d.engine, d.cfg, stop_event=d.stop_event))


JOBS: dict[str, tuple[Callable[[Daemon], str], JobSpec]] = {
    # Due every refresh_retry_minutes; `_min_gap` skips it until refresh_hours after the last good one.
    "refresh": (job_refresh, JobSpec(lambda c: min(c["daemon"]["refresh_hours"] * 60,
                                                   c["daemon"]["refresh_retry_minutes"]) * 60, True)),
    "export": (job_export, JobSpec(lambda c: c["daemon"]["export_minutes"] * 60, True)),
    "deep_check": (job_deep_check, JobSpec(lambda c: c["daemon"]["deep_check_minutes"] * 60, True,
                                           lambda c: c["mine"]["deep_check"])),
    "retrain": (job_retrain, JobSpec(lambda c: c["daemon"]["retrain_check_minutes"] * 60, True)),
    "trial": (job_trial, JobSpec(lambda c: c["daemon"]["trial_check_minutes"] * 60, True)),
    "housekeeping": (job_housekeeping, JobSpec(lambda c: c["daemon"]["housekeeping_hours"] * 3600, True)),
    "submit": (
        job_submit,
        JobSpec(lambda c: c["submit"]["interval_minutes"] * 60, True, lambda c: c["submit"]["enabled"]),
    ),
}


def _session(d: Daemon, readonly: bool = False) -> Any:
    return storage.session_scope(d.engine, readonly=readonly)


def _job_started(d: Daemon, name: str) -> int:
    return storage.job_started(d.engine, name)


def _job_finished(d: Daemon, run_id: int, outcome: str, message: str) -> None:
    storage.job_finished(d.engine, run_id, outcome, message[:2000])


def _min_gap(d: Daemon, name: str) -> float:
    """Seconds that must separate two fleet runs of a job (the retrain job's own pace is retrain_hours)."""
    spec = JOBS[name][1]
    gap = spec.interval(d.cfg) * 0.9
    if name == "retrain":
        gap = max(gap, d.cfg["daemon"]["retrain_hours"] * 3600 * 0.9)
    if name == "refresh" and not _on_snapshot(d):
        gap = max(gap, d.cfg["daemon"]["refresh_hours"] * 3600 * 0.9)
    return gap


def _on_snapshot(d: Daemon) -> bool:
    """Whether the sequences come from the bundled snapshot (no live refresh has succeeded yet)."""
    from miner.sources import snapshot

    with _session(d, readonly=True) as session:
        return storage.last_refresh_source(session) == snapshot.ORIGIN


def run_job(name: str) -> None:
    """Run one job of the current daemon: lock (fleet-wide jobs), a job_runs row, one log event."""
    d = _CURRENT
    if d is None or d.stop_event.is_set():
        return
    func, spec = JOBS[name]

    lock = job_lock(d.engine, name) if spec.fleet_wide else _no_lock()
    with lock as got:
        if not got:
            log.info("job_skipped", job=name, reason="running on another miner")
            return
        if spec.fleet_wide:
            with _session(d, readonly=True) as session:
                last = st.last_ok_run(session, name)
            now = datetime.now(timezone.utc)
            if last is not None and (now - last.started_at).total_seconds() < _min_gap(d, name):
                log.info("job_skipped", job=name, reason="ran recently", last=last.started_at.isoformat())
                return
        _run_recorded(d, name, func)


class _no_lock:
    def __enter__(self) -> bool:
        return True

    def __exit__(self, *exc: object) -> None:
        return None


def _run_recorded(d: Daemon, name: str, func: Callable[[Daemon], str]) -> str:
    """Run `func` as job `name`: a job_runs row (start, end, outcome, message) and a log event."""
    run_id = _job_started(d, name)
    with d.lock:
        d.running_jobs.add(name)
    t0 = time.monotonic()
    outcome, message = "ok", ""
    try:
        message = func(d) or ""
    except Skipped as exc:
        outcome, message = "skipped", str(exc)
    except Stopped as exc:
        outcome, message = "stopped", str(exc)
    except Exception as exc:  # noqa: BLE001 - a failing job must not take the daemon down
        outcome, message = "error", f"{type(exc).__name__}: {exc}"
        log.exception("job_error", job=name)
    finally:
        with d.lock:
            d.running_jobs.discard(name)
    seconds = time.monotonic() - t0
    _job_finished(d, run_id, outcome, message)
    log.info("job", job=name, outcome=outcome, seconds=round(seconds, 3), message=message)
    return outcome


# ------------------------------------------------------------------------------------------ schedule


def _first_run_times(d: Daemon) -> dict[str, datetime]:
    """When each job is next due: its last fleet-wide start plus its interval, at the earliest now
    (a refresh: its last good one plus refresh_hours, and its last try plus refresh_retry_minutes)."""

    now = datetime.now(timezone.utc)
    due: dict[str, datetime] = {}
    gaps = {name: _min_gap(d, name) / 0.9 for name in JOBS}
    with _session(d, readonly=True) as session:
        for name, (_, spec) in JOBS.items():
            last = storage.last_run(session, name)
            if name == "refresh":
                ok = st.last_ok_run(session, name)
                times = [now]
                times += [ok.started_at + timedelta(seconds=gaps[name])] if ok else []
                times += [last.started_at + timedelta(seconds=spec.interval(d.cfg))] if last else []
                due[name] = max(times)
                continue
            due[name] = max(now, last.started_at + timedelta(seconds=gaps[name])) if last else now
    return due


def build_scheduler(d: Daemon) -> Any:
    """The BackgroundScheduler with every enabled job, by reference with plain arguments, in memory."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    with d.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {OLD_SCHEDULER_TABLE}")
    grace = int(d.cfg["daemon"]["misfire_grace_seconds"])
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        # One worker: jobs run one after another beside the mining loop, never two at once.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=timezone.utc,
    )
    due = _first_run_times(d)
    for name, (_, spec) in JOBS.items():
        if not spec.enabled(d.cfg):
            continue
        seconds = max(1.0, spec.interval(d.cfg))
        scheduler.add_job(
            "miner.service.daemon:run_job",
            IntervalTrigger(seconds=seconds, start_date=due[name], timezone=timezone.utc),
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
            next_run_time=due[name],
        )
    return scheduler


# ----------------------------------------------------------------------------------------- heartbeat


def _state(d: Daemon) -> dict[str, Any]:
    with d.lock:
        uptime = (datetime.now(timezone.utc) - d.started_at).total_seconds()
        return {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "version": __version__,
            "doing": d.doing,
            "jobs_running": sorted(d.running_jobs),
            "next_runs": dict(d.next_runs),
            "started_at": d.started_at.isoformat(),
            "uptime_seconds": round(uptime, 1),
            "batches": d.batches,
            "candidates": d.candidates,
            "hits": d.hits,
            "cpu_seconds": round(d.cpu_seconds, 3),
            "candidates_per_second": round(d.candidates / uptime, 3) if uptime > 0 else 0.0,
            "last_batch": dict(d.last_batch),
        }


def _healthy(d: Daemon, scheduler: Any, main: threading.Thread) -> bool:
    if not main.is_alive() or (scheduler is not None and not scheduler.running):
        return False
    started = d.batch_started
    return started is None or time.monotonic() - started < d.cfg["daemon"]["stall_seconds"]


def _heartbeat_loop(d: Daemon, scheduler_ref: list[Any], main: threading.Thread) -> None:
    every = float(d.cfg["daemon"]["heartbeat_seconds"])
    watchdog = notify.watchdog_interval()
    if watchdog:
        every = min(every, watchdog)
    last_status = ""
    while not d.stop_event.is_set():
        scheduler = scheduler_ref[0]
        if scheduler is not None:
            for job in scheduler.get_jobs():
                d.next_runs[job.name] = job.next_run_time.isoformat() if job.next_run_time else None
        ok = False
        try:
            storage.heartbeat(d.engine, d.owner, _state(d))
            ok = True
        except Exception as exc:  # noqa: BLE001 - a locked or unreachable DB: retry next beat
            log.warning("heartbeat_failed", error=str(exc))
        if ok and _healthy(d, scheduler, main):
            notify.watchdog()
        if d.exporter is not None:
            d.exporter.tick()
        if d.doing != last_status:
            notify.status(d.doing)
            last_status = d.doing
        d.stop_event.wait(every)


# ------------------------------------------------------------------------------------------- mining


def _mine_forever(d: Daemon) -> None:
    """Mine batch after batch until stopped; reload data/model between batches when due."""
    from miner.mine import context, loop

    idle = float(d.cfg["daemon"]["idle_seconds"])
    reload_every = float(d.cfg["daemon"]["reload_minutes"]) * 60
    if d.stop_event.is_set():
        return
    d.doing = "loading corpus and targets"
    ctx = context.build_context(d.cfg, d.engine, owner=d.owner)
    last_reload = time.monotonic()
    failures = 0
    try:
        while not d.stop_event.is_set():
            # Another miner of the fleet may have refreshed, promoted a model or solved targets.
            due = time.monotonic() - last_reload >= reload_every
            if due or d.reload_data.is_set() or d.reload_model.is_set():
                d.doing = "reloading data and model"
                d.reload_data.clear()
                d.reload_model.clear()
                context.refresh_context(ctx, d.engine)
                last_reload = time.monotonic()
            d.doing = "mining"
            d.batch_started = time.monotonic()
            run_id = _job_started(d, "mine")
            try:
                summary = loop.mine_batch(ctx, d.engine, d.stop_event)
            except Exception as exc:  # noqa: BLE001 - log, back off and carry on mining
                seconds = time.monotonic() - d.batch_started
                d.batch_started = None
                failures += 1
                _job_finished(d, run_id, "error", f"{type(exc).__name__}: {exc}")
                log.exception("job", job="mine", outcome="error", seconds=round(seconds, 3), failures=failures)
                d.doing = f"waiting after a failed batch ({failures} in a row)"
                d.stop_event.wait(min(idle, 2.0**failures))
                continue
            seconds = time.monotonic() - d.batch_started
            d.batch_started = None
            failures = 0
            info = summary.as_dict()
            with d.lock:
                d.batches += 1
                d.candidates += int(info.get("candidates", 0) or 0)
                d.hits += int(info.get("hits", 0) or 0)
                d.cpu_seconds += float(info.get("cpu_seconds", 0.0) or 0.0)
                d.last_batch = info
            outcome = "stopped" if d.stop_event.is_set() else "ok"
            _job_finished(d, run_id, outcome, " ".join(f"{k}={v}" for k, v in info.items()))
            log.info("job", job="mine", outcome=outcome, seconds=round(seconds, 3), **info)
            if loop.reload_due(ctx, summary):
                d.reload_data.set()  # a new program is what a lacking name cites: reload before the next batch
            if not info.get("tried") and not d.reload_data.is_set() and not loop.sweeps_due(ctx, None) \
                    and not d.stop_event.is_set():
                # Nothing claimable (every strategy spent on every lacking sequence): do not spin. A batch
                # whose strategies found no candidate still made progress (its attempts are recorded).
                d.doing = "idle: nothing left to try"
                d.stop_event.wait(idle)
    finally:
        ctx.close()


# ------------------------------------------------------------------------------------------ startup


def _prepare(cfg: dict[str, Any]) -> None:
    for key in ("data_dir", "export_dir"):
        Path(cfg["paths"][key]).expanduser().mkdir(parents=True, exist_ok=True)


def _release_dead_local_owners(d: Daemon) -> None:
    """Free the leases of this machine's miners whose process is gone (a crash or kill -9)."""

    host = socket.gethostname()
    with _session(d, readonly=True) as session:
        rows = storage.miners(session)
    for row in rows:
        state = row.state or {}
        if row.owner == d.owner or (state.get("host") == host and not pid_alive(state.get("pid"))):
            released = storage.release(d.engine, row.owner)
            if released:
                log.info("released_leases", owner=row.owner, leases=released,
                         reason="same owner" if row.owner == d.owner else "process gone")


def _needs_seed(d: Daemon) -> bool:
    # Programs too: a first start stopped between the sequences and the programs must not mine
    # every sequence as lacking one.
    with _session(d, readonly=True) as session:
        counts = storage.summary(session)
    return counts.sequences == 0 or counts.corpus_programs == 0


def run(cfg: dict[str, Any], stop_event: threading.Event | None = None) -> int:
    """Run the daemon until SIGTERM/SIGINT (or `stop_event`); returns the exit code.

    Returns with every stored hit committed; if a job thread is still busy after `stop_grace_seconds`
    it is abandoned (its transaction rolls back when the process exits).
    """
    global _CURRENT

    _prepare(cfg)
    limit_memory(int(cfg["daemon"]["max_memory"]))
    stop_event = stop_event or threading.Event()
    engine = storage.connect(cfg["database"]["url"])
    owner = cfg["daemon"]["owner"] or default_owner()
    d = Daemon(cfg=cfg, engine=engine, owner=owner, stop_event=stop_event)
    _CURRENT = d
    previous = _install_signals(stop_event)
    log.info("daemon_start", owner=owner, version=__version__, database=engine.url.render_as_string(),
             export_dir=cfg["paths"]["export_dir"])
    scheduler_ref: list[Any] = [None]
    beat = threading.Thread(
        target=_heartbeat_loop, args=(d, scheduler_ref, threading.current_thread()),
        name="heartbeat", daemon=True,
    )
    scheduler = None
    try:
        _start_metrics(d)
        _release_dead_local_owners(d)
        beat.start()
        if _needs_seed(d):
            # A fresh machine: fetch (or fall back to the bundled snapshot) before the first batch.
            d.doing = "first run: fetching sources and importing programs"
            notify.status(d.doing)
            outcome = _run_recorded(d, "refresh", job_refresh)
            if stop_event.is_set():
                return 0
            if outcome != "ok" or _needs_seed(d):
                raise DaemonError("first run: no sequence data could be loaded (see the refresh error above)")
        scheduler = build_scheduler(d)
        scheduler.start()
        scheduler_ref[0] = scheduler
        notify.ready("mining")
        _mine_forever(d)
        return 0
    finally:
        stop_event.set()
        d.doing = "stopping"
        notify.stopping("stopping")
        _shutdown(d, scheduler, beat)
        _restore_signals(previous)
        _CURRENT = None


def _start_metrics(d: Daemon) -> None:
    """Serve /metrics and write the textfile as `[metrics]` asks; a port in use is logged, not fatal."""
    from miner.service import metrics

    if not (d.cfg["metrics"]["listen"] or d.cfg["metrics"]["textfile"]):
        return
    d.exporter = metrics.Exporter(d.engine, d.cfg)
    try:
        d.exporter.start()
    except OSError as exc:
        log.error("metrics_listen_failed", listen=d.cfg["metrics"]["listen"], error=str(exc))


def _shutdown(d: Daemon, scheduler: Any, beat: threading.Thread) -> None:
    with d.lock:
        child = d.child
    if child is not None and child.poll() is None:
        child.terminate()
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    deadline = time.monotonic() + float(d.cfg["daemon"]["stop_grace_seconds"])
    while d.running_jobs and time.monotonic() < deadline:
        time.sleep(0.1)
    if child is not None and child.poll() is None:
        # Not stopped within the grace period (building its data stops only when done): a retraining
        # stores nothing before it registers, so killing it loses work only, and leaves no orphan.
        child.kill()
        log.warning("retrain_killed", pid=child.pid)
    _LAST_ABANDONED[:] = sorted(d.running_jobs)
    if d.running_jobs:
        log.warning("stop_abandons_jobs", jobs=sorted(d.running_jobs))
    if beat.is_alive():
        beat.join(timeout=5)  # so that its last beat cannot land after the "stopped" one below
    if d.exporter is not None:
        d.exporter.stop()
    try:
        storage.release(d.engine, d.owner)
        state = _state(d)
        state["doing"] = "stopped"
        storage.heartbeat(d.engine, d.owner, state)
    except Exception as exc:  # noqa: BLE001 - the leases expire anyway
        log.warning("stop_cleanup_failed", error=str(exc))
    log.info("daemon_stop", owner=d.owner, batches=d.batches, hits=d.hits, abandoned=sorted(d.running_jobs))


def abandoned_jobs() -> bool:
    """True if the last `run` left a job thread behind (the caller should exit the process hard)."""
    return bool(_LAST_ABANDONED)


_LAST_ABANDONED: list[str] = []


def _install_signals(stop_event: threading.Event) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def _stop(signum: int, _frame: Any) -> None:
        log.info("signal", signal=signal.Signals(signum).name)
        stop_event.set()

    return {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
