"""The daemon's scheduling pieces on a real SQLite file: job runs, fleet locks, the persistent job store."""

from __future__ import annotations

import copy
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy

import storage
from miner.core import config
from miner.service import daemon
from storage import status as st
from storage.locks import job_lock
from storage.schema import JobRun


@pytest.fixture
def d(tmp_path):
    cfg = copy.deepcopy(config.DEFAULTS)
    cfg["paths"].update(data_dir=str(tmp_path), export_dir=str(tmp_path / "programs"))
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = storage.connect(cfg["database"]["url"])
    state = daemon.Daemon(cfg=cfg, engine=engine, owner="test:1", stop_event=threading.Event())
    daemon._CURRENT = state
    yield state
    daemon._CURRENT = None
    engine.dispose()


def _runs(d, job):
    with storage.session_scope(d.engine, readonly=True) as session:
        return [r for r in storage.recent_jobs(session, 100) if r.job == job]


def test_each_job_run_is_a_row_with_outcome_and_message(d):
    d.cfg["daemon"]["keep_job_runs_days"] = 30.0
    daemon.run_job("housekeeping")
    (run,) = _runs(d, "housekeeping")
    assert run.outcome == "ok" and run.finished_at >= run.started_at
    assert "vacuum yes" in run.message
    assert len(_runs(d, "vacuum")) == 1
    # A failing job is recorded as an error and does not raise.
    daemon.JOBS["boom"] = (lambda _d: 1 / 0, daemon.JobSpec(lambda c: 60.0, False))
    try:
        daemon.run_job("boom")
    finally:
        del daemon.JOBS["boom"]
    (failed,) = _runs(d, "boom")
    assert failed.outcome == "error" and "ZeroDivisionError" in failed.message


def test_fleet_job_runs_once_per_interval(d):
    daemon.run_job("export")
    daemon.run_job("export")  # ran a moment ago (on this or another miner): skipped, no row
    assert len(_runs(d, "export")) == 1


def test_fleet_job_is_skipped_while_another_miner_holds_its_lock(d):
    with job_lock(d.engine, "export") as got:
        assert got
        daemon.run_job("export")
    assert _runs(d, "export") == []
    daemon.run_job("export")
    assert len(_runs(d, "export")) == 1


def test_retrain_waits_for_enough_hits(d):
    d.cfg["daemon"]["retrain_min_hits"] = 5
    daemon.run_job("retrain")
    (run,) = _runs(d, "retrain")
    assert run.outcome == "skipped" and "0 new hits" in run.message


def test_next_runs_follow_the_fleets_last_runs(d):
    run_id = storage.job_started(d.engine, "refresh")
    storage.job_finished(d.engine, run_id, "ok", "")
    scheduler = daemon.build_scheduler(d)
    scheduler.start(paused=True)
    try:
        jobs = {job.name: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"refresh", "export", "deep_check", "retrain", "trial", "housekeeping"}  # submit: off by default
        now = datetime.now(timezone.utc)
        assert jobs["refresh"].next_run_time > now + timedelta(hours=23)
        assert jobs["export"].next_run_time < now + timedelta(seconds=5)
        assert all(j.coalesce and j.max_instances == 1 for j in jobs.values())
        assert jobs["refresh"].misfire_grace_time == d.cfg["daemon"]["misfire_grace_seconds"]
        # A second daemon (a restart) derives the same times from job_runs: nothing is kept elsewhere.
        again = daemon.build_scheduler(d)
        again.start(paused=True)
        try:
            times = {job.name: job.next_run_time for job in again.get_jobs()}
        finally:
            again.shutdown(wait=False)
        assert abs((times["refresh"] - jobs["refresh"].next_run_time).total_seconds()) < 5
    finally:
        scheduler.shutdown(wait=False)


def test_a_refresh_that_failed_or_found_only_the_snapshot_is_tried_again_within_the_hour(d):
    from miner.sources import snapshot

    def refresh_due(outcome, source):
        if source:
            storage.apply_refresh(d.engine, [storage.SequenceRecord(1, "s", [1, 2, 3], 0)], source=source)
        run_id = storage.job_started(d.engine, "refresh")
        storage.job_finished(d.engine, run_id, outcome, "")
        return daemon._first_run_times(d)["refresh"] - datetime.now(timezone.utc)

    retry = timedelta(minutes=d.cfg["daemon"]["refresh_retry_minutes"])
    # Live data (from `loda-miner fetch`), then the daemon's refresh failed: retried within the hour.
    assert timedelta(minutes=59) < refresh_due("error", "https://oeis.org/names.gz") <= retry
    assert timedelta(minutes=59) < refresh_due("ok", snapshot.ORIGIN) <= retry  # a first start offline
    daemon.run_job("refresh")  # not yet: the fleet gap allows it again only after the retry interval
    assert len(_runs(d, "refresh")) == 2
    assert refresh_due("ok", "https://oeis.org/names.gz") > timedelta(hours=23)  # then once a day


def test_dead_local_owner_leases_are_released(d):
    storage.apply_refresh(d.engine, [storage.SequenceRecord(a, f"s{a}", [1, 2, 3], 0) for a in (1, 2, 3)])
    dead = "thishost:999999"
    assert len(storage.claim(d.engine, dead, 2, 3600)) == 2
    import socket
    storage.heartbeat(d.engine, dead, {"host": socket.gethostname(), "pid": 2**22 + 12345})
    daemon._release_dead_local_owners(d)
    with storage.session_scope(d.engine, readonly=True) as session:
        assert st.lease_counts(session).active == 0


def test_a_first_start_stopped_before_the_programs_seeds_again(d):
    assert daemon._needs_seed(d)
    storage.apply_refresh(d.engine, [storage.SequenceRecord(45, "Fibonacci", [0, 1, 1, 2], 0)])
    assert daemon._needs_seed(d), "sequences without the corpus: every one would look lacking"
    storage.import_corpus_programs(d.engine, [(45, "mov $1,1\n")])
    assert not daemon._needs_seed(d)


def _mine_as(d, version, hits, cpu_seconds, first_a):
    """Record what a model's batches would: one attempt per sequence and a stored hit for the first `hits`."""
    now = datetime.now(timezone.utc)
    with storage.session_scope(d.engine) as session:
        for i in range(4):
            a = first_a + i
            storage.record_attempt(session, storage.Attempt(a, "beam", version, 8, 8, 3, cpu_seconds / 4,
                                                            "hit" if i < hits else "miss", now))
            if i < hits:
                storage.store_hit(session, storage.Hit(a, "mov $0 1\n", "beam", model_version=version))


def test_the_trial_job_promotes_the_new_model_only_when_it_mined_more_hits_per_cpu_hour(d):
    d.cfg["train"]["trial_cpu_hours"] = 1.0
    with storage.session_scope(d.engine) as session:
        current = storage.register_model(session, "old", "tiny", 10, {"solve_rate": 0.2}, True)
        candidate = storage.register_model(session, "new", "tiny", 10, {"solve_rate": 0.2}, False, trial=True)
    _mine_as(d, current, 1, 5000.0, 100)
    _mine_as(d, candidate, 3, 3000.0, 200)  # more hits per CPU-second, but short of the hour
    daemon.run_job("trial")
    (run,) = _runs(d, "trial")
    assert run.outcome == "ok" and run.message.startswith("trial running")
    from miner.cli.status import collect, render

    report = collect(d.cfg)
    assert report["trial"]["candidate"] == {"version": candidate, "hits": 3, "cpu_seconds": 3000.0,
                                            "hits_per_cpu_hour": 3.6}
    assert f"trial     model {candidate} vs {current}" in render(report)
    # Retraining waits while a trial runs.
    d.cfg["daemon"]["retrain_min_hits"] = 1
    daemon.run_job("retrain")
    (retrain,) = _runs(d, "retrain")
    assert retrain.outcome == "skipped" and f"model {candidate} is on trial" in retrain.message
    _mine_as(d, candidate, 0, 1000.0, 300)
    storage.job_finished(d.engine, storage.job_started(d.engine, "trial"), "ok", "")  # not yet due again
    with storage.session_scope(d.engine) as session:
        session.execute(sqlalchemy.update(JobRun).values(started_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    daemon.run_job("trial")
    decided = [r for r in _runs(d, "trial") if "won" in r.message]
    assert len(decided) == 1 and decided[0].outcome == "ok", _runs(d, "trial")
    with storage.session_scope(d.engine, readonly=True) as session:
        assert storage.promoted_model(session).id == candidate and storage.model_on_trial(session) is None
        won = {v.id: v for v in storage.model_versions(session)}[candidate]
    assert won.trial == "won" and won.metrics["solve_rate"] == 0.2
    assert won.metrics["trial"]["hits"] == 3 and won.metrics["trial"]["cpu_seconds"] == 4000.0
    assert won.metrics["trial"]["against"] == current and won.metrics["trial"]["against_hits"] == 1
    assert d.reload_model.is_set()


def test_a_model_that_mines_no_better_loses_its_trial_and_the_current_one_stays(d):
    d.cfg["train"]["trial_cpu_hours"] = 0.5
    with storage.session_scope(d.engine) as session:
        current = storage.register_model(session, "old", "tiny", 10, {}, True)
        candidate = storage.register_model(session, "new", "tiny", 10, {}, False, trial=True)
        storage.store_model_files(session, candidate, {"config.json": b"{}"})
    _mine_as(d, current, 2, 2000.0, 100)
    _mine_as(d, candidate, 2, 2000.0, 200)  # as many hits per CPU-hour is not better
    daemon.run_job("trial")
    (run,) = _runs(d, "trial")
    assert run.outcome == "ok" and run.message.startswith("trial lost"), run.message
    with storage.session_scope(d.engine, readonly=True) as session:
        assert storage.promoted_model(session).id == current
        assert {v.id: v.trial for v in storage.model_versions(session)} == {current: None, candidate: "lost"}
        assert storage.model_files(session, candidate) == {}  # 40 MB a model: a lost one leaves the database
    from miner.cli.status import collect, render

    text = render(collect(d.cfg))
    assert f"  {candidate}  no" in text and "lost" in text
