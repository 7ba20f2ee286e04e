"""A real `loda-miner train` run killed after a checkpoint resumes from it; one stopped by SIGTERM
saves a checkpoint where it stopped and resumes from there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "data"}"\n'
        '[log]\nformat = "json"\n'
        '[train]\npreset = "tiny"\nvocab_size = 600\nmax_source_len = 96\nmax_target_len = 64\n'
        'batch_size = 8\nwarmup_steps = 5\nthreads = 1\n'
    )
    return path


def _run(args: list[str], **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "miner", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, **kw)


def _checkpoint_step(out: Path) -> int | None:
    meta = out / "checkpoint" / "training.json"
    if not (out / "checkpoint" / "state.pt").is_file() or not meta.is_file():
        return None
    try:
        return json.loads(meta.read_text())["step"]
    except (json.JSONDecodeError, KeyError):
        return None


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_killed_and_stopped_runs_resume_from_their_checkpoints(tmp_path, sample_tarball):
    config = _config(tmp_path)
    out = tmp_path / "run"
    first = _run(["--config", str(config), "train", "--corpus", str(sample_tarball), "--limit", "250",
                  "--out", str(out), "--max-steps", "5000", "--checkpoint-steps", "10", "--no-eval"])
    deadline = time.monotonic() + 240
    step = None
    while time.monotonic() < deadline and first.poll() is None:
        step = _checkpoint_step(out)
        if step:
            break
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    log_first = first.communicate()[0]
    assert step, f"no checkpoint before the deadline:\n{log_first[-3000:]}"
    killed_at = _checkpoint_step(out)
    assert killed_at and killed_at % 10 == 0 and killed_at < 5000
    assert not (out / "model").exists()

    # Resumed, then SIGTERM (as systemd stops it) once it trained past the kill: no periodic
    # checkpoint is due, yet it saves one at the step it stopped at, and exits 130.
    log_path = tmp_path / "second.log"
    with open(log_path, "w") as log:
        second = subprocess.Popen(
            [sys.executable, "-m", "miner", "--config", str(config), "train", "--resume", "--out", str(out),
             "--max-steps", "5000", "--checkpoint-steps", "0", "--no-eval"],
            stdout=log, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        while time.monotonic() < deadline + 240 and second.poll() is None:
            if any(e.get("event") == "train_step" for e in _events(log_path.read_text())):
                break
            time.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 130, log_path.read_text()[-3000:]
    events = _events(log_path.read_text())
    resumed = [e for e in events if e.get("event") == "resumed"]
    assert resumed and resumed[0]["step"] == killed_at
    (stopped,) = [e["step"] for e in events if e.get("event") == "train_stopped"]
    assert stopped > killed_at and _checkpoint_step(out) == stopped
    assert "training stopped at step" in log_path.read_text()
    assert not (out / "model").exists()

    third = _run(["--config", str(config), "train", "--resume", "--out", str(out),
                  "--max-steps", str(stopped + 15), "--no-eval"])
    log_third = third.communicate(timeout=240)[0]
    assert third.returncode == 0, log_third[-3000:]
    events = _events(log_third)
    assert [e["step"] for e in events if e.get("event") == "resumed"] == [stopped]
    steps = [e["step"] for e in events if e.get("event") == "train_step"]
    assert steps and min(steps) > stopped and steps[-1] == stopped + 15

    from training.generate import generate
    from training.model import load

    loaded = load(out / "model", threads=1)
    assert loaded.meta["step"] == stopped + 15
    source = json.loads((out / "pairs" / "valid.jsonl").read_text().splitlines()[0])["source"]
    assert len(generate(loaded, [source], 2)) == 1
