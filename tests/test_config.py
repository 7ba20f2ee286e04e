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
    with pytest.raises(config.ConfigError, match=r"c\.toml: \[sources\] names_ur: unknown key \(did you mean names_url\?\)"):
        config.load(bad)


def test_wrong_type_is_an_error(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[sources]\nretries = 'five'\n")
    with pytest.raises(config.ConfigError, match=r'\[sources\] retries = "five": must be an integer'):
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
def test_config_toml_matches_the_dataclasses_key_by_key():
    """Every key of every section dataclass is in config.toml with the same default and a comment."""
    import dataclasses

    with open(ROOT / "config.toml", "rb") as fh:
        documented = tomllib.load(fh)
    assert list(documented) == list(config.SECTIONS)
    for name, section in config.SECTIONS.items():
        for f in dataclasses.fields(section):
            default = f.default_factory() if f.default is dataclasses.MISSING else f.default
            assert documented[name][f.name] == default, f"[{name}] {f.name}"
            assert config._check(dict(f.metadata), default) is None, f"[{name}] {f.name}: default not allowed"


@pytest.mark.parametrize("text,message", [
    ('[mine]\nbatch_size = -1', '[mine] batch_size = -1: must be >= 1'),
    ('[daemon]\nrefresh_hours = 0', '[daemon] refresh_hours = 0: must be > 0'),
    ('[eval]\nmax_memory = -1', '[eval] max_memory = -1: must be >= 1'),
    ('[log]\nlevel = "loud"', '[log] level = "loud": must be one of debug, info, warning, error'),
    ('[mine]\nstrategies = ["beem"]', '[mine] strategies = ["beem"]: unknown beem'),
    ('[mine.budget]\nbeam = -1', '[mine.budget] beam = -1: must be >= 0'),
    ('[sources]\nbfile_url = "https://x/b{numbr:06d}.txt"', "bad placeholder ('numbr')"),
    ('[sources]\nbfile_url = "https://x/b.txt"', "must contain the placeholder {number}"),
    ('[train]\npreset = "huge"', '[train] preset = "huge": must be one of tiny, small'),
    ('[mine]\ndeep_check = "yes"', '[mine] deep_check = "yes": must be true or false'),
    ('[moan]\nx = 1', '[moan]: unknown section'),
])
def test_bad_values_are_one_line_naming_file_key_and_value(tmp_path, text, message):
    bad = tmp_path / "config.toml"
    bad.write_text(text + "\n")
    with pytest.raises(config.ConfigError) as info:
        config.load(bad)
    assert str(info.value).startswith(f"{bad}: ") and message in str(info.value)
    assert "\n" not in str(info.value)


def test_environment_overrides_any_key_and_names_the_variable(tmp_path, monkeypatch):
    good = tmp_path / "c.toml"
    good.write_text("[mine]\nbatch_size = 3\n")
    monkeypatch.setenv("LODA_MINER_DATABASE_URL", "postgresql+psycopg://u:secret@db/miner")
    monkeypatch.setenv("LODA_MINER_MINE_BATCH_SIZE", "5")
    monkeypatch.setenv("LODA_MINER_MINE_DEEP_CHECK", "false")
    monkeypatch.setenv("LODA_MINER_MINE_STRATEGIES", "recurrence, formula")
    monkeypatch.setenv("LODA_MINER_MINE_BUDGET_BEAM", "4")
    cfg = config.load(good)
    assert cfg["database"]["url"] == "postgresql+psycopg://u:secret@db/miner"
    assert cfg["mine"]["batch_size"] == 5 and cfg["mine"]["deep_check"] is False
    assert cfg["mine"]["strategies"] == ["recurrence", "formula"] and cfg["mine"]["budget"]["beam"] == 4
    monkeypatch.setenv("LODA_MINER_MINE_BATCH_SIZE", "-2")
    with pytest.raises(config.ConfigError, match=r"^environment LODA_MINER_MINE_BATCH_SIZE: \[mine\] batch_size"):
        config.load(good)
    monkeypatch.setenv("LODA_MINER_MINE_BATCH_SIZE", "2")
    monkeypatch.setenv("LODA_MINER_MINE_BATCHSIZE", "2")
    with pytest.raises(config.ConfigError, match="LODA_MINER_MINE_BATCHSIZE.*did you mean batch_size"):
        config.load(good)


def test_loda_miner_config_names_the_file(tmp_path, monkeypatch):
    chosen = tmp_path / "chosen.toml"
    chosen.write_text("[mine]\nbatch_size = 7\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LODA_MINER_CONFIG", str(chosen))
    assert config.load()["mine"]["batch_size"] == 7
    other = tmp_path / "other.toml"
    other.write_text("[mine]\nbatch_size = 9\n")
    assert config.load(other)["mine"]["batch_size"] == 9  # --config wins


def test_strategy_and_preset_choices_are_the_ones_the_code_knows():
    from miner.mine.context import MODEL_STRATEGIES, SEARCH_MODULES
    from training.model import PRESETS

    assert set(config.STRATEGIES) == set(MODEL_STRATEGIES) | set(SEARCH_MODULES)
    assert set(config.PRESETS) == set(PRESETS)
