"""`loda-miner retrain`, the command the daemon's retrain job runs in a child process."""

import subprocess
import sys


def test_retrain_without_any_model_says_what_to_do(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"[paths]\ndata_dir = '{tmp_path}'\n[train]\nmodel_dir = '{tmp_path / 'nomodel'}'\n")
    done = subprocess.run([sys.executable, "-m", "miner", "--config", str(cfg), "retrain"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 65, done.stderr  # bad data: no model (README "Exit codes")
    assert "no model to fine-tune" in done.stderr and "loda-miner train" in done.stderr
