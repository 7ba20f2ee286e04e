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
