"""The config file documents every built-in default, and bad config files fail clearly."""

import tomllib
from pathlib import Path

import pytest

from miner.core import config

ROOT = Path(__file__).resolve().parent.parent


def test_config_toml_lists_every_default():
    with open(ROOT / "config.toml", "rb") as fh:
        documented = tomllib.load(fh)
    assert documented == config.DEFAULTS


def test_every_key_has_a_comment():
    lines = (ROOT / "config.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            above = lines[i - 1].strip()
            assert above.startswith("#") or "=" in above, f"config.toml:{i + 1} has no comment: {line}"


def test_unknown_key_names_the_file(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[sources]\nnames_ur = 'x'\n")
    with pytest.raises(config.ConfigError, match=r"c\.toml.*sources\.names_ur"):
        config.load(bad)


def test_wrong_type_is_an_error(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[sources]\nretries = 'five'\n")
    with pytest.raises(config.ConfigError, match="retries. must be int"):
        config.load(bad)


def test_paths_resolve_under_data_dir(tmp_path):
    good = tmp_path / "c.toml"
    good.write_text(f"[paths]\ndata_dir = '{tmp_path / 'd'}'\n")
    cfg = config.load(good)
    assert cfg["database"]["url"] == f"sqlite:///{tmp_path / 'd' / 'loda-miner.db'}"
    assert cfg["paths"]["export_dir"] == str(tmp_path / "d" / "programs")


def test_old_key_names_still_read_with_a_note_naming_file_and_new_key(tmp_path):
    old = tmp_path / "old.toml"
    old.write_text("[mine]\nmax_steps = 5000\nseed = 3\n[train]\nmax_steps = 7\nseed = 0\n[eval]\nmax_steps = 9\n")
    cfg = config.load(old)
    assert (cfg["mine"]["max_candidate_steps"], cfg["mine"]["random_seed"]) == (5000, 3)
    assert (cfg["train"]["train_steps"], cfg["eval"]["max_term_steps"]) == (7, 9)
    assert "max_steps" not in cfg["mine"] and "seed" not in cfg["train"]
    assert f"{old}: [mine] max_steps is deprecated, use [mine] max_candidate_steps" in cfg["_deprecated"]
    assert len(cfg["_deprecated"]) == 5 and all("\n" not in note for note in cfg["_deprecated"])


def test_old_and_new_key_together_is_an_error(tmp_path):
    both = tmp_path / "both.toml"
    both.write_text("[eval]\nmax_steps = 9\nmax_term_steps = 9\n")
    with pytest.raises(config.ConfigError, match=r"both\.toml.*keep only max_term_steps"):
        config.load(both)


def test_cli_logs_each_deprecated_key_once(tmp_path):
    import subprocess
    import sys

    old = tmp_path / "old.toml"
    old.write_text(f"[paths]\ndata_dir = '{tmp_path}'\n[train]\nmax_steps = 7\n[log]\nformat = 'json'\n")
    run = subprocess.run([sys.executable, "-m", "miner", "--config", str(old), "status"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    notes = [line for line in run.stderr.splitlines() if "config_key_deprecated" in line]
    assert len(notes) == 1 and "[train] train_steps" in notes[0] and str(old) in notes[0], run.stderr


def test_train_settings_read_the_new_key_names():
    from training.train import TrainSettings

    settings = TrainSettings.from_config({"train_steps": 12, "train_seed": 5, "lr": 0.5})
    assert (settings.max_steps, settings.seed, settings.lr) == (12, 5, 0.5)
