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
        "first_start_retries": 1,
        "backoff": 2.0,
        "min_interval": 1.0,
        "unreachable_seconds": 600.0,
        "max_change_share": 0.05,
    },
    "mine": {
        "batch_size": 8,
        "workers": 0,
        "lease_seconds": 1800,
        "check_terms": 1000,
        "min_check_terms": 80,
        "deep_check": True,
        "max_steps": 10_000_000,
        "max_seconds": 2.0,
        "candidate_timeout": 30.0,
        "worker_memory_mb": 2048,
        "chunk_size": 16,
        "strategies": [
            "corpus_sweep", "recurrence", "formula", "family", "holonomic", "gf",
            "beam", "sample", "name_only", "terms_only", "mutation", "repair",
        ],
        "sample_temperature": 0.8,
        "exploration": 0.1,
        "prior_hits": 1.0,
        "prior_seconds": 30.0,
        "near_miss_min_terms": 8,
        "near_miss_fraction": 0.3,
        "match_terms": 24,
        "submitted_by": "loda-miner",
        "seed": 0,
        "trust_match_bits": 600.0,
        "trust_fit_bits": 150.0,
        "budget": {
            "beam": 16,
            "sample": 16,
            "name_only": 8,
            "terms_only": 8,
            "recurrence": 200,
            "formula": 200,
            "family": 60,
            "holonomic": 20,
            "gf": 20,
            "mutation": 400,
            "repair": 100,
            "corpus_sweep": 0,
        },
    },
    "daemon": {
        "owner": "",
        "heartbeat_seconds": 15.0,
        "alive_seconds": 90.0,
        "refresh_hours": 24.0,
        "refresh_retry_minutes": 60.0,
        "export_minutes": 10.0,
        "retrain_min_hits": 50,
        "retrain_hours": 24.0,
        "retrain_check_minutes": 60.0,
        "housekeeping_hours": 6.0,
        "vacuum_days": 7.0,
        "keep_job_runs_days": 30.0,
        "misfire_grace_seconds": 3600,
        "job_lock_seconds": 7200.0,
        "idle_seconds": 60.0,
        "reload_minutes": 10.0,
        "stall_seconds": 1800.0,
        "stop_grace_seconds": 8.0,
        "deep_check_minutes": 60.0,
        "deep_check_batch": 200,
    },
    "submit": {
        "enabled": False,
        "api_url": "https://api.loda-lang.org",
        "submitter": "",
        "interval_minutes": 5.0,
        "max_per_window": 100,
        "window_seconds": 600.0,
        "retry_seconds": 60.0,
        "max_retry_seconds": 21600.0,
        "max_attempts": 20,
        "timeout": 30.0,
    },
    "log": {
        "level": "info",
        "format": "auto",
    },
    "search": {
        "recurrence_max_order": 10,
        "recurrence_margin": 6,
        "match_key_length": 10,
        "match_max_delta": 1,
        "match_max_shift": 2,
        "sweep_per_target": 4,
        "mutation_max_changes": 3,
        "holonomic_max_order": 5,
        "holonomic_max_degree": 3,
        "holonomic_max_inhom_degree": 2,
        "holonomic_margin": 6,
        "family_templates": 10,
    },
    "train": {
        "model_dir": "",
        "corpus": "",
        "preset": "small",
        "num_terms": 16,
        "neighbours": 2,
        "matched_neighbours": True,
        "number_tags": True,
        "similar_names": 0,
        "valid_fraction": 0.02,
        "max_program_length": 12,
        "synthetic_pairs": 30000,
        "formula_pairs": 20000,
        "recurrence_pairs": 20000,
        "vocab_size": 4000,
        "max_source_len": 256,
        "max_target_len": 128,
        "batch_size": 32,
        "lr": 0.001,
        "warmup_steps": 500,
        "max_steps": 40000,
        "grad_clip": 1.0,
        "weight_decay": 0.01,
        "curriculum": True,
        "checkpoint_minutes": 5.0,
        "checkpoint_steps": 0,
        "threads": 1,
        "seed": 0,
        "init_from": "",
        "runs_dir": "",
        "finetune_steps": 500,
        "finetune_replay_ratio": 3.0,
        "eval_k": 32,
        "eval_limit": 300,
    },
    "lang": {
        "programs": "",
    },
    "eval": {
        "max_steps": 100_000_000,
        "max_memory": 2000,
        "max_seconds": 10.0,
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


def defaults_in(data_dir: str | Path) -> dict[str, Any]:
    """The built-in defaults with the database, exports and caches under `data_dir` (tests, benchmarks)."""
    config = copy.deepcopy(DEFAULTS)
    config["paths"]["data_dir"] = str(data_dir)
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
