"""Prometheus metrics of the miner, read from the database at each scrape (prometheus_client).

Why from the database: every miner of a fleet then reports the same totals (scrape any one of them),
and a restart loses nothing. Counters are totals over the stored rows (`hits` can drop when a hit is
re-checked and removed; `job_runs` when housekeeping prunes old runs), which `rate()` tolerates as it
tolerates a restart. Label values come from fixed sets: strategies, hit statuses, jobs and outcomes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import structlog
from prometheus_client import write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

import storage
from miner.core.config import DEFAULTS
from storage import observe, submissions
from storage import status as st

log = structlog.get_logger(__name__)

PREFIX = "loda_miner"


def _strategy(name: str) -> str:
    # Bounded: a strategy this version does not know (an old row, a newer miner) is "other".
    return name if name in DEFAULTS["mine"]["strategies"] else "other"


def _seconds(when: datetime) -> float:
    return when.astimezone(UTC).timestamp()


class DatabaseCollector(Collector):
    """Collects every metric from one read-only transaction per scrape."""

    def __init__(self, engine: storage.Engine, cfg: dict[str, Any]) -> None:
        self.engine = engine
        self.cfg = cfg

    def collect(self) -> Iterator[Metric]:
        t0 = time.monotonic()
        up = GaugeMetricFamily(f"{PREFIX}_database_up", "1 when the database could be read at this scrape")
        try:
            families = list(self._families(datetime.now(UTC)))
        except Exception as exc:  # noqa: BLE001 - a scrape reports the failure instead of failing
            log.warning("metrics_failed", error=f"{type(exc).__name__}: {exc}")
            families = []
        up.add_metric([], 1.0 if families else 0.0)
        yield up
        yield from families
        took = GaugeMetricFamily(f"{PREFIX}_scrape_duration_seconds", "Seconds spent reading the database")
        took.add_metric([], time.monotonic() - t0)
        yield took

    def _families(self, now: datetime) -> Iterator[Metric]:
        with storage.session_scope(self.engine, readonly=True) as session:
            summary = storage.summary(session)
            tried = st.activity(session, now).attempted
            hits = observe.hits_by_strategy_status(session)
            attempts = observe.attempt_totals(session)
            last_hit = observe.last_hit_at(session)
            model = storage.promoted_model(session)
            runs = observe.job_outcomes(session)
            last_ok = observe.last_success(session)
            queue = submissions.counts(session)
            miners = storage.miners(session)
            leases = st.lease_counts(session, now)

        family: CounterMetricFamily | GaugeMetricFamily
        family = CounterMetricFamily(f"{PREFIX}_hits", "Mined programs stored, by strategy and submission status",
                                     labels=["strategy", "status"])
        merged: dict[tuple[str, str], int] = {}
        for (strategy, status), n in hits.items():
            key = (_strategy(strategy), status)
            merged[key] = merged.get(key, 0) + n
        for labels, n in sorted(merged.items()):
            family.add_metric(list(labels), n)
        yield family

        by_outcome: dict[tuple[str, str], int] = {}
        candidates: dict[str, int] = {}
        cpu: dict[str, float] = {}
        for t in attempts:
            s = _strategy(t.strategy)
            for outcome, n in (("hit", t.hits), ("error", t.errors), ("miss", t.attempts - t.hits - t.errors)):
                by_outcome[(s, outcome)] = by_outcome.get((s, outcome), 0) + n
            candidates[s] = candidates.get(s, 0) + t.candidates
            cpu[s] = cpu.get(s, 0.0) + t.cpu_seconds
        family = CounterMetricFamily(f"{PREFIX}_attempts", "Mining attempts (one sequence, one strategy) by outcome",
                                     labels=["strategy", "outcome"])
        for labels, n in sorted(by_outcome.items()):
            family.add_metric(list(labels), n)
        yield family
        family = CounterMetricFamily(f"{PREFIX}_candidates", "Candidate programs checked", labels=["strategy"])
        for s, n in sorted(candidates.items()):
            family.add_metric([s], n)
        yield family
        family = CounterMetricFamily(f"{PREFIX}_cpu_seconds", "CPU seconds spent mining", labels=["strategy"])
        for s, seconds in sorted(cpu.items()):
            family.add_metric([s], seconds)
        yield family

        yield GaugeMetricFamily(f"{PREFIX}_sequences", "Sequences known", value=summary.sequences)
        yield GaugeMetricFamily(f"{PREFIX}_sequences_lacking", "Sequences with terms and no program",
                                value=summary.lacking)
        yield GaugeMetricFamily(f"{PREFIX}_sequences_tried", "Sequences attempted at least once", value=tried)
        family = GaugeMetricFamily(f"{PREFIX}_programs", "Programs stored, by origin", labels=["origin"])
        family.add_metric(["corpus"], summary.corpus_programs)
        family.add_metric(["mined"], summary.mined_programs)
        yield family
        if last_hit is not None:
            yield GaugeMetricFamily(f"{PREFIX}_last_hit_timestamp_seconds", "When the newest hit was stored",
                                    value=_seconds(last_hit))
            yield GaugeMetricFamily(f"{PREFIX}_last_hit_age_seconds", "Seconds since the newest hit was stored",
                                    value=max(0.0, (now - last_hit).total_seconds()))

        yield GaugeMetricFamily(f"{PREFIX}_model_version", "Id of the promoted model (0: none registered)",
                                value=model.id if model else 0)
        rate = model.metrics.get("solve_rate") if model else None
        if isinstance(rate, (int, float)):
            yield GaugeMetricFamily(f"{PREFIX}_model_validation_solve_rate",
                                    "Validation solve rate (0-1) of the promoted model", value=float(rate))

        family = CounterMetricFamily(f"{PREFIX}_job_runs", "Job runs kept in job_runs, by job and outcome",
                                     labels=["job", "outcome"])
        for labels, n in sorted(runs.items()):
            family.add_metric(list(labels), n)
        yield family
        family = GaugeMetricFamily(f"{PREFIX}_job_last_success_timestamp_seconds",
                                   "When each job last finished with outcome ok", labels=["job"])
        for job, when in sorted(last_ok.items()):
            family.add_metric([job], _seconds(when))
        yield family

        yield GaugeMetricFamily(f"{PREFIX}_submissions_queued", "Submissions waiting to be sent",
                                value=queue.get("queued", 0))
        family = GaugeMetricFamily(f"{PREFIX}_submissions", "Submissions by status", labels=["status"])
        for status in submissions.STATUSES:
            family.add_metric([status], queue.get(status, 0))
        yield family

        if summary.last_refresh is not None:
            yield GaugeMetricFamily(f"{PREFIX}_refresh_age_seconds", "Seconds since the last applied refresh",
                                    value=max(0.0, (now - summary.last_refresh).total_seconds()))
        alive_seconds = float(self.cfg["daemon"]["alive_seconds"])
        alive = sum(st.is_alive(m, now, alive_seconds) for m in miners)
        yield GaugeMetricFamily(f"{PREFIX}_miners_alive", "Miners of the fleet with a fresh heartbeat", value=alive)
        yield GaugeMetricFamily(f"{PREFIX}_miners", "Miners that ever sent a heartbeat", value=len(miners))
        yield GaugeMetricFamily(f"{PREFIX}_leases_active", "Sequences leased to a miner now", value=leases.active)


def registry(engine: storage.Engine, cfg: dict[str, Any]) -> CollectorRegistry:
    """A registry holding only the database collector (no process metrics of whichever miner answers)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(DatabaseCollector(engine, cfg))
    return reg


class Exporter:
    """The daemon's metrics: an HTTP endpoint and/or a textfile, per the `[metrics]` config."""

    def __init__(self, engine: storage.Engine, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.registry = registry(engine, cfg)
        self.server: Any = None
        self.textfile = cfg["metrics"]["textfile"]
        self.every = float(cfg["metrics"]["textfile_seconds"])
        self.last_write = float("-inf")

    def start(self) -> None:
        """Listen on `[metrics] listen` if set (a thread of its own)."""
        listen = self.cfg["metrics"]["listen"]
        if not listen:
            return
        from prometheus_client import start_http_server

        from miner.core.config import parse_listen

        host, port = parse_listen(listen, "[metrics] listen")
        self.server, _ = start_http_server(port, addr=host, registry=self.registry)
        log.info("metrics_listening", url=f"http://{host}:{self.server.server_port}/metrics")

    def tick(self) -> None:
        """Write the textfile when due (called from the heartbeat thread); errors are logged, not raised."""
        if not self.textfile or time.monotonic() - self.last_write < self.every:
            return
        self.last_write = time.monotonic()
        try:
            write_textfile(self.textfile, self.registry)
        except OSError as exc:
            log.warning("metrics_textfile_failed", path=self.textfile, error=str(exc))

    def stop(self) -> None:
        """Stop listening."""
        if self.server is not None:
            server, self.server = self.server, None
            server.shutdown()
            server.server_close()


def write_textfile(path: str, reg: CollectorRegistry) -> None:
    """Write the metrics for node_exporter's textfile collector: a temporary file renamed over `path`."""
    from pathlib import Path

    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(target), reg)
