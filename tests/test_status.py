"""`loda-miner status` on a real SQLite file: alive/dead from the heartbeat, counts, jobs, fleet, no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

import storage
from storage.records import Attempt, Hit, SequenceRecord
from storage.schema import Miner


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = storage.connect(url)
    storage.apply_refresh(engine, [SequenceRecord(a, f"seq {a}", [1, 2, 3, 5, 8], 0) for a in range(1, 11)])
    storage.import_corpus_programs(engine, [(a, "mov $0,1\n") for a in range(1, 6)])
    storage.store_hit(engine, Hit(7, "mov $0,2\n", "recurrence", cpu_seconds=2.0, terms_verified=5))
    with storage.session_scope(engine) as session:
        storage.record_attempt(session, Attempt(7, "recurrence", None, 40, 30, 5, 2.0, "hit",
                                                datetime.now(timezone.utc)))
        storage.record_attempt(session, Attempt(8, "mutation", None, 400, 300, 2, 6.0, "miss",
                                                datetime.now(timezone.utc)))
    run = storage.job_started(engine, "refresh")
    storage.job_finished(engine, run, "ok", "sequences from live sources")
    storage.heartbeat(engine, "here:1", {"host": "here", "pid": 1, "doing": "mining", "candidates_per_second": 12.5,
                                         "hits": 1, "next_runs": {"refresh": "2030-01-01T00:00:00+00:00"}})
    storage.heartbeat(engine, "there:2", {"host": "there", "pid": 2, "doing": "mining"})
    config = tmp_path / "config.toml"
    config.write_text(f"[database]\nurl = '{url}'\n[paths]\ndata_dir = '{tmp_path}'\n")
    yield engine, config
    engine.dispose()


def _status(config, *extra):
    code = ("import json, sys\nfrom miner.cli import main\nrc = main(sys.argv[1:])\n"
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'status imported torch'\n"
            "sys.exit(rc)\n")
    return subprocess.run([sys.executable, "-c", code, "--config", str(config), "status", *extra],
                          capture_output=True, text=True, timeout=60)


def test_status_json_while_alive(db):
    _, config = db
    out = _status(config, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["daemon"]["alive"] is True and report["daemon"]["doing"] == "mining"
    counts = report["counts"]
    assert (counts["sequences"], counts["lacking"], counts["solved"], counts["attempted"]) == (10, 4, 1, 2)
    assert counts["hits_24h"] == counts["hits_7d"] == 1
    assert report["jobs"]["refresh"]["outcome"] == "ok"
    assert report["jobs"]["refresh"]["next_run"] == "2030-01-01T00:00:00+00:00"
    assert report["strategies"]["recurrence"]["hits_per_cpu_hour"] == 1800.0
    assert report["throughput"]["hits_per_cpu_hour"] == 450.0
    assert report["throughput"]["candidates_per_second"] == 12.5
    assert report["fleet"]["miners_alive"] == 2
    assert report["model"] is None


@pytest.mark.slow  # over a second: the full tier
def test_status_when_the_daemon_is_gone(db):
    engine, config = db
    with storage.session_scope(engine) as session:
        session.execute(update(Miner).values(last_seen=datetime.now(timezone.utc) - timedelta(minutes=10)))
    out = _status(config, "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["daemon"]["alive"] is False and report["fleet"]["miners_alive"] == 0
    text = _status(config)
    assert "NOT RUNNING" in text.stdout and "4 lacking a program" in text.stdout


def test_status_without_a_database_says_what_to_do(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f"[paths]\ndata_dir = '{tmp_path / 'nothing'}'\n")
    out = _status(config)
    assert out.returncode == 65 and "loda-miner run" in out.stderr
    out = _status(config, "--json")
    assert out.returncode == 65 and "loda-miner run" in json.loads(out.stdout)["error"]
    assert not (tmp_path / "nothing").exists()  # read-only: no database created


@pytest.mark.slow  # over a second: the full tier
def test_status_lists_model_versions_with_their_figures_and_hits(db):
    engine, config = db
    with storage.session_scope(engine) as session:
        bundled = storage.register_model(session, "", "small", 0, {"solve_rate": 0.263, "k": 32}, True)
        retrained = storage.register_model(session, "/runs/r1", "small", 500,
                                           {"solve_rate": 0.29, "model_only_solve_rate": 0.04, "k": 32}, True)
    storage.store_hit(engine, Hit(8, "mov $0,3\n", "beam", model_version=retrained, beam_rank=1))
    storage.store_hit(engine, Hit(9, "mov $0,4\n", "sample", model_version=bundled))
    report = json.loads(_status(config, "--json").stdout)
    assert report["model"]["version"] == retrained
    rows = {v["version"]: v for v in report["models"]}
    assert rows[bundled]["promoted"] is False and rows[bundled]["hits"] == 1
    assert rows[retrained]["promoted"] is True and rows[retrained]["hits"] == 1
    assert rows[retrained]["model_only_solve_rate"] == 0.04
    with storage.session_scope(engine) as session:
        lost = storage.register_model(session, "/runs/r2", "small", 500, {"solve_rate": 0.3, "k": 32}, False,
                                      trial=True)
        storage.end_trial(session, lost, False, {"hits_per_cpu_hour": 1.5, "verdict": "lost"})
    text = _status(config).stdout

    def row(version):
        return [line.split() for line in text.splitlines() if line.startswith(f"          {version:>2} ")]

    assert row(retrained) == [[str(retrained), "yes", "29.0%", "4.0%", "1", "-", "-"]]
    assert row(lost) == [[str(lost), "no", "30.0%", "-", "0", "lost", "1.5"]]  # its trial's hits per CPU-hour
