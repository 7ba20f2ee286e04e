"""A fresh clone passes alone: the repository copied into an empty folder (no ../shared/data beside it)
runs the README's test command, the fast tier, with nothing from outside the copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _repository_files() -> list[Path]:
    """Tracked and not-ignored files (what a clone of this work tree holds), relative to ROOT."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available to list the repository's files")
    return [Path(name) for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.mark.slow
def test_fast_tier_passes_in_a_copy_with_no_data_beside_it(tmp_path: Path) -> None:
    clone = tmp_path / "empty" / "loda-miner"
    for name in _repository_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    assert not (clone.parent / "shared").exists()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LODA_MINER_", "PYTEST_"))}
    # The copy's code, not this checkout's (the venv's editable install points here); no user config.
    env.update(PYTHONPATH=str(clone), HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         "--deselect", "tests/test_fresh_clone.py"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=1200)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
    assert result.returncode == 0, tail
    assert " passed" in tail and " failed" not in tail, tail
    # The venv may live inside this checkout (CI's does): only the project's own folders count.
    leaks = [line for line in result.stdout.splitlines()
             if any(f"{ROOT}/{folder}/" in line for folder in ("miner", "storage", "training", "tests"))]
    assert not leaks, f"the copy's run used files of this checkout: {leaks[:3]}"
