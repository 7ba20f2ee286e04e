"""Prometheus metrics on a real SQLite file: served over real HTTP on 127.0.0.1 and written as a textfile,
both parsed with prometheus_client's own text parser."""

from __future__ import annotations

import socket
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

import storage
from miner.core import config
from miner.service import metrics
from storage import submissions
from storage.records import Attempt, Hit, SequenceRecord


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cfg(tmp_path):
    cfg = config.defaults_in(tmp_path)
    engine = storage.connect(cfg["database"]["url"])
    now = datetime.now(timezone.utc)
    storage.apply_refresh(engine, [SequenceRecord(a, f"seq {a}", [1, 2, 3, 5, 8], 0) for a in range(1, 21)])
    storage.import_corpus_programs(engine, [(a, "mov $0,1\n") for a in range(1, 6)])
    with storage.session_scope(engine) as session:
        model = storage.register_model(session, "/m/1", "small", 1000, {"solve_rate": 0.263}, True)
    for a, strategy in ((7, "recurrence"), (8, "recurrence"), (9, "formula"), (10, "beam")):
        storage.store_hit(engine, Hit(a, f"mov $0,{a}\n", strategy, model if strategy == "beam" else None))
    with storage.session_scope(engine) as session:
        submissions.enqueue_new(session, now)  # four queued ...
        sub = session.scalars(select(submissions.Submission.id).where(submissions.Submission.a_number == 9)).one()
        submissions.mark_sent(session, sub, now)  # ... one of them sent
        for a, strategy, cands, cpu, outcome in ((7, "recurrence", 40, 2.0, "hit"), (8, "recurrence", 40, 2.5, "hit"),
                                                (11, "recurrence", 40, 1.5, "miss"), (12, "mutation", 400, 6.0, "miss"),
                                                (12, "mutation", 400, 4.0, "error")):
            storage.record_attempt(session, Attempt(a, strategy, None, cands, cands, 3, cpu, outcome, now))
    for job, outcome in (("refresh", "ok"), ("export", "ok"), ("export", "error"), ("mine", "ok")):
        storage.job_finished(engine, storage.job_started(engine, job), outcome, "")
    storage.job_started(engine, "mine")  # a batch in flight
    storage.heartbeat(engine, "here:1", {"host": "here", "pid": 1, "doing": "mining"})
    storage.heartbeat(engine, "gone:2", {"host": "gone", "pid": 2, "doing": "stopped"})
    engine.dispose()
    return cfg


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _check(values: dict) -> None:
    def v(name: str, **labels: str) -> float:
        return values[(name, tuple(sorted(labels.items())))]

    assert v("loda_miner_database_up") == 1
    assert v("loda_miner_hits_total", strategy="recurrence", status="queued") == 2
    assert v("loda_miner_hits_total", strategy="formula", status="sent") == 1
    assert v("loda_miner_hits_total", strategy="beam", status="queued") == 1
    assert v("loda_miner_attempts_total", strategy="recurrence", outcome="hit") == 2
    assert v("loda_miner_attempts_total", strategy="mutation", outcome="error") == 1
    assert v("loda_miner_candidates_total", strategy="recurrence") == 120
    assert v("loda_miner_candidates_total", strategy="mutation") == 800
    assert v("loda_miner_cpu_seconds_total", strategy="recurrence") == pytest.approx(6.0)
    assert v("loda_miner_cpu_seconds_total", strategy="mutation") == pytest.approx(10.0)
    # 20 sequences, 5 with corpus programs, 4 solved by the miner.
    assert v("loda_miner_sequences") == 20
    assert v("loda_miner_sequences_lacking") == 11
    assert v("loda_miner_sequences_tried") == 4
    assert v("loda_miner_programs", origin="mined") == 4
    assert 0 <= v("loda_miner_last_hit_age_seconds") < 600
    assert v("loda_miner_model_version") == 1
    assert v("loda_miner_model_validation_solve_rate") == pytest.approx(0.263)
    assert v("loda_miner_job_runs_total", job="export", outcome="error") == 1
    assert v("loda_miner_job_runs_total", job="export", outcome="ok") == 1
    assert v("loda_miner_job_runs_total", job="mine", outcome="running") == 1
    now = datetime.now(timezone.utc).timestamp()
    assert now - 600 < v("loda_miner_job_last_success_timestamp_seconds", job="refresh") <= now
    assert ("loda_miner_job_last_success_timestamp_seconds", (("job", "vacuum"),)) not in values
    assert v("loda_miner_submissions_queued") == 3
    assert v("loda_miner_submissions", status="sent") == 1
    assert 0 <= v("loda_miner_refresh_age_seconds") < 600
    assert v("loda_miner_miners_alive") == 1 and v("loda_miner_miners") == 2


def test_metrics_endpoint_parses_and_reports_the_database(cfg):
    port = _free_port()
    cfg["metrics"]["listen"] = f"127.0.0.1:{port}"
    engine = storage.connect_readonly(cfg["database"]["url"])
    exporter = metrics.Exporter(engine, cfg)
    exporter.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            text = response.read().decode()
    finally:
        exporter.stop()
        engine.dispose()
    _check(_samples(text))
    # Counters follow the naming rules: one _total sample per label set, no process metrics of the miner.
    families = {f.name: f.type for f in text_string_to_metric_families(text)}
    assert families["loda_miner_hits"] == "counter" and families["loda_miner_cpu_seconds"] == "counter"
    assert not any(name.startswith(("process_", "python_")) for name in families)


def test_textfile_is_written_atomically_and_parses(cfg, tmp_path):
    target = tmp_path / "textfile" / "loda_miner.prom"
    cfg["metrics"]["textfile"] = str(target)
    engine = storage.connect_readonly(cfg["database"]["url"])
    exporter = metrics.Exporter(engine, cfg)
    exporter.tick()
    first = target.read_text()
    _check(_samples(first))
    # Not due again before textfile_seconds; no temporary file is left beside it.
    exporter.tick()
    assert sorted(p.name for p in target.parent.iterdir()) == ["loda_miner.prom"]
    engine.dispose()


def test_an_unreadable_database_reports_database_up_0(tmp_path, cfg):
    engine = storage.connect(cfg["database"]["url"])
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE submissions")
    engine.dispose()
    engine = storage.connect_readonly(cfg["database"]["url"])
    from prometheus_client import generate_latest

    values = _samples(generate_latest(metrics.registry(engine, cfg)).decode())
    engine.dispose()
    assert values[("loda_miner_database_up", ())] == 0
    assert not any(name == "loda_miner_hits_total" for name, _ in values)


def test_listen_must_be_host_and_port(cfg):
    cfg["metrics"]["listen"] = "9464"
    with pytest.raises(config.ConfigError, match=r"\[metrics\] listen: expected HOST:PORT"):
        metrics.Exporter(None, cfg).start()


def test_last_hit_age_follows_the_newest_hit(cfg):
    engine = storage.connect(cfg["database"]["url"])
    from sqlalchemy import update

    from storage.schema import Program

    with storage.session_scope(engine) as session:
        session.execute(update(Program).where(Program.origin == "mined")
                        .values(found_at=datetime.now(timezone.utc) - timedelta(hours=2)))
    from prometheus_client import generate_latest

    values = _samples(generate_latest(metrics.registry(engine, cfg)).decode())
    engine.dispose()
    assert 7200 <= values[("loda_miner_last_hit_age_seconds", ())] < 7800


def test_the_grafana_dashboard_queries_only_metrics_that_exist(cfg):
    import json
    import re
    from pathlib import Path

    from prometheus_client import generate_latest

    engine = storage.connect_readonly(cfg["database"]["url"])
    names = {s.name for f in text_string_to_metric_families(generate_latest(metrics.registry(engine, cfg)).decode())
             for s in f.samples}
    engine.dispose()
    dashboard = json.loads((Path(__file__).resolve().parent.parent / "deploy" / "grafana-dashboard.json").read_text())
    used = {m for p in dashboard["panels"] for t in p["targets"] for m in re.findall(r"loda_miner_\w+", t["expr"])}
    assert used and used <= names, used - names


def test_metrics_and_dashboard_never_load_torch():
    import subprocess
    import sys

    code = ("import sys, miner.service.metrics, miner.service.dashboard, miner.cli.web\n"
            "sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=120).returncode == 0
