"""A real `loda-miner train` run killed after a checkpoint resumes from it and finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


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


def test_killed_run_resumes_from_its_checkpoint(tmp_path, corpus_tarball):
    config = _config(tmp_path)
    out = tmp_path / "run"
    first = _run(["--config", str(config), "train", "--corpus", str(corpus_tarball), "--limit", "250",
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

    second = _run(["--config", str(config), "train", "--resume", "--out", str(out),
                   "--max-steps", str(killed_at + 15), "--no-eval"])
    log_second = second.communicate(timeout=240)[0]
    assert second.returncode == 0, log_second[-3000:]
    events = [json.loads(line) for line in log_second.splitlines() if line.startswith("{")]
    resumed = [e for e in events if e.get("event") == "resumed"]
    assert resumed and resumed[0]["step"] == killed_at
    steps = [e["step"] for e in events if e.get("event") == "train_step"]
    assert steps and min(steps) > killed_at and steps[-1] == killed_at + 15

    from training.generate import generate
    from training.model import load

    loaded = load(out / "model", threads=1)
    assert loaded.meta["step"] == killed_at + 15
    source = json.loads((out / "pairs" / "valid.jsonl").read_text().splitlines()[0])["source"]
    assert len(generate(loaded, [source], 2)) == 1
