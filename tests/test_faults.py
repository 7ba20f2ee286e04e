"""Faults (issue #23): checker workers die with their parent; the scheduler's jobs are never unpickled
from the database; training checkpoints load as plain data and fall back to the previous one; the
daemon's own address-space limit."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PARENT = textwrap.dedent("""
    from miner.lang import Limits, parse
    from miner.mine.checker import CheckerPool, CheckItem, CorpusSpec

    if __name__ == "__main__":
        pool = CheckerPool(CorpusSpec(), Limits(max_steps=10**15, max_seconds=120), workers=1,
                           candidate_timeout=300)
        pool._ensure()
        print(pool._workers[0].process.pid, flush=True)
        endless = parse("mov $1,1000000000000\\nlpb $1\\nsub $1,1\\nlpe\\n")
        pool.check([CheckItem(endless, 1, 0, (1, 2, 3))])
""")


def _state(pid: int) -> str | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except FileNotFoundError:
        return None
    return None


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to watch the worker")
@pytest.mark.slow  # over a second: the full tier
def test_a_checker_worker_dies_with_its_parent_quietly(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=ROOT)
    worker = int(parent.stdout.readline())
    # Let the worker take the endless candidate, then kill the parent as the OOM killer would.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{worker}/stat").read_text().split()
        if int(stat[13]) > 50:  # utime in clock ticks: it is computing
            break
        time.sleep(0.1)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _state(worker) not in (None, "Z"):
        time.sleep(0.1)
    assert _state(worker) in (None, "Z"), "the worker outlived its parent"
    _, err = parent.communicate(timeout=30)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


# --- the scheduler never loads a pickle from the shared database --------------------------------------

class _Planted:
    """What someone with write access to a fleet's database could store as a pickled job."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "pwned"))


def test_a_pickle_planted_in_the_old_job_table_is_never_loaded(tmp_path):
    import copy
    import threading

    import sqlalchemy

    import storage
    from miner.core import config
    from miner.service import daemon

    cfg = copy.deepcopy(config.DEFAULTS)
    cfg["paths"].update(data_dir=str(tmp_path), export_dir=str(tmp_path / "programs"))
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = storage.connect(cfg["database"]["url"])
    marker = tmp_path / "marker"
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, "
                             "next_run_time FLOAT, job_state BLOB NOT NULL)")
        conn.execute(sqlalchemy.text("INSERT INTO apscheduler_jobs VALUES ('planted', 0, :state)"),
                     {"state": pickle.dumps(_Planted(str(marker)))})
    d = daemon.Daemon(cfg=cfg, engine=engine, owner="test:1", stop_event=threading.Event())
    scheduler = daemon.build_scheduler(d)
    scheduler.start(paused=True)
    try:
        names = {job.name for job in scheduler.get_jobs()}
        assert names == {"refresh", "export", "retrain", "trial", "housekeeping", "deep_check"}
        assert all(job.func_ref == "miner.service.daemon:run_job" and job.args == (job.name,)
                   for job in scheduler.get_jobs())
    finally:
        scheduler.shutdown(wait=False)
    assert not marker.exists()
    assert not sqlalchemy.inspect(engine).has_table("apscheduler_jobs")
    engine.dispose()


# --- training checkpoints: plain data only, and a fallback ------------------------------------------

def _pairs():
    from training.pairs import Pair

    return [Pair(i, f"o 0 t {i} {i + 1} {i + 2} n number {i}", f"mov $0 {i} add $0 $1", 2) for i in range(24)]


def _settings(max_steps: int):
    from training.train import TrainSettings

    return TrainSettings(preset="tiny", batch_size=8, max_steps=max_steps, warmup_steps=1, vocab_size=300,
                         max_source_len=32, max_target_len=16, log_every=1, checkpoint_steps=2)


@pytest.mark.slow  # over a second: the full tier
def test_resume_loads_no_code_and_falls_back_to_the_previous_checkpoint(tmp_path):
    pytest.importorskip("torch")
    import json

    from structlog.testing import capture_logs

    from training.train import train

    out = tmp_path / "run"
    train(out, _settings(4), train_pairs=_pairs())
    steps = {name: json.loads((out / name / "training.json").read_text())["step"]
             for name in ("checkpoint", "checkpoint.old")}
    assert steps == {"checkpoint": 4, "checkpoint.old": 2}
    # The newest checkpoint's state replaced by a pickle that would run code when loaded.
    marker = tmp_path / "marker"
    (out / "checkpoint" / "state.pt").write_bytes(pickle.dumps(_Planted(str(marker))))
    with capture_logs() as logs:
        train(out, _settings(6), resume=True)
    assert not marker.exists()
    events = {e["event"]: e for e in logs}
    assert events["checkpoint_fallback"]["step"] == 2 and events["resumed"]["step"] == 2
    assert json.loads((out / "model" / "training.json").read_text())["step"] == 6


def test_resume_after_a_kill_between_the_two_renames(tmp_path):
    pytest.importorskip("torch")
    from training.train import train

    out = tmp_path / "run"
    train(out, _settings(2), train_pairs=_pairs())
    # Killed after `checkpoint` became `checkpoint.old` and before the new one took its name.
    (out / "checkpoint").rename(out / "checkpoint.old")
    train(out, _settings(4), resume=True)
    assert (out / "model").is_dir()


# --- the daemon's own memory limit -------------------------------------------------------------------

def test_max_memory_limits_the_daemons_address_space(tmp_path):
    script = tmp_path / "limit.py"
    script.write_text(textwrap.dedent("""
        import resource, threading
        from miner.core import config
        from miner.service import daemon

        cfg = config.defaults_in(r"%s")
        cfg["daemon"]["max_memory"] = 3000
        stop = threading.Event()
        stop.set()  # stop at once: only the start matters here
        try:
            daemon.run(cfg, stop)
        except Exception as exc:
            print("run:", type(exc).__name__)
        print(resource.getrlimit(resource.RLIMIT_AS)[0] >> 20)
        try:
            block = bytearray(4000 << 20)
            print("allocated")
        except MemoryError:
            print("MemoryError")
    """ % (tmp_path / "data")))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False, env=env, timeout=300)
    lines = done.stdout.split()
    assert "3000" in lines and lines[-1] == "MemoryError", done.stdout + done.stderr
