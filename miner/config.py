"""Configuration: built-in defaults, overlaid by one `config.toml` (read with tomllib).

The defaults below are the single source of truth; the project's `config.toml` documents every key
with the same default, and a test keeps the two in step.
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "paths": {
        "data_dir": "",
        "export_dir": "",
    },
    "database": {
        "url": "",
    },
    "sources": {
        "names_url": "https://oeis.org/names.gz",
        "stripped_url": "https://oeis.org/stripped.gz",
        "offsets_url": "https://api.loda-lang.org/v2/sequences/data/oeis/offsets.gz",
        "programs_url": "https://github.com/loda-lang/loda-programs/archive/refs/heads/main.tar.gz",
        "bfile_url": "https://api.loda-lang.org/v2/sequences/data/oeis/b{number:06d}.txt.gz",
        "connect_timeout": 10.0,
        "read_timeout": 60.0,
        "retries": 5,
        "backoff": 2.0,
        "min_interval": 1.0,
    },
    "log": {
        "level": "info",
        "format": "auto",
    },
}


class ConfigError(Exception):
    """A config file that cannot be read or has a key of the wrong type."""


def user_config_path() -> Path:
    """Where the user's own config lives (XDG_CONFIG_HOME/loda-miner/config.toml)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "loda-miner" / "config.toml"


def default_data_dir() -> Path:
    """Where data goes when `[paths] data_dir` is empty (XDG_DATA_HOME/loda-miner)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "loda-miner"


def find_config(explicit: str | None) -> Path | None:
    """The config file to read: the explicit one, ./config.toml, the user's, or None (defaults)."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    for candidate in (Path("config.toml"), user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def _merge(base: dict[str, Any], over: dict[str, Any], where: str, origin: str) -> None:
    for key, value in over.items():
        name = f"{where}.{key}" if where else key
        if key not in base:
            raise ConfigError(f"{origin}: unknown key '{name}'")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: '{name}' must be a table")
            _merge(base[key], value, name, origin)
            continue
        expected = type(base[key])
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"{origin}: '{name}' must be {expected.__name__}, got {type(value).__name__}"
            )
        base[key] = value


def load(path: str | Path | None = None) -> dict[str, Any]:
    """Defaults overlaid with the given (or discovered) config file, with paths resolved."""
    config = copy.deepcopy(DEFAULTS)
    found = find_config(str(path) if path else None)
    if found is not None:
        try:
            with open(found, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: {exc}") from exc
        _merge(config, data, "", str(found))
        config["_source"] = str(found)
    else:
        config["_source"] = "built-in defaults"
    resolve_paths(config)
    return config


def resolve_paths(config: dict[str, Any]) -> None:
    """Fill the empty path-like settings with their documented fallbacks."""
    paths = config["paths"]
    data_dir = Path(os.path.expanduser(paths["data_dir"])) if paths["data_dir"] else default_data_dir()
    paths["data_dir"] = str(data_dir)
    if not paths["export_dir"]:
        paths["export_dir"] = str(data_dir / "programs")
    if not config["database"]["url"]:
        config["database"]["url"] = f"sqlite:///{data_dir / 'loda-miner.db'}"
