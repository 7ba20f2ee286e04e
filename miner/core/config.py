"""Configuration: typed defaults (one dataclass per section, with the allowed range or choices of each
key), overlaid by one `config.toml` (read with tomllib) and by `LODA_MINER_<SECTION>_<KEY>` variables.

The dataclasses below are the single source of truth; the runtime value stays a plain nested dict
(`cfg["mine"]["batch_size"]`), which `load()` validates and returns. The project's `config.toml`
documents every key with the same default, and a test keeps the two in step.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ENV_PREFIX = "LODA_MINER_"
# Environment variables of that prefix that are not settings.
ENV_RESERVED = ("LODA_MINER_CONFIG", "LODA_MINER_DEBUG")


def key(default: Any, *, min: float | None = None, max: float | None = None,  # noqa: A002 - bounds
        above: float | None = None, choices: tuple[Any, ...] | None = None,
        items: tuple[Any, ...] | None = None, check: Callable[[Any], str | None] | None = None) -> Any:
    """A config key: its default, and what values it allows (`above`: strictly greater; `items`:
    choices of a list's members; `check`: returns a message for a bad value, else None)."""
    meta = {"min": min, "max": max, "above": above, "choices": choices, "items": items, "check": check}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


def _placeholder(url: str) -> str | None:
    """A b-file URL must format with `{number}` (e.g. `b{number:06d}.txt`), and use it."""
    try:
        first, second = url.format(number=45), url.format(number=46)
    except (KeyError, IndexError, ValueError) as exc:
        return f"bad placeholder ({exc}): use {{number}} or {{number:06d}} and no other braces"
    if first == second:
        return "must contain the placeholder {number} (e.g. b{number:06d}.txt)"
    return None


STRATEGIES = ("corpus_sweep", "transforms", "compositions", "recurrence", "formula", "family", "holonomic", "gf", "euler", "algebraic",
              "convolution", "contfrac",
              "digits", "coxeter", "descents", "beatty", "primes", "juxtapose", "cited", "products", "theta",
              "eisenstein", "constants", "forms", "egf", "selfref", "partitions", "necklaces", "adjacent", "contains",
              "suchthat", "combine",
              "beam", "sample", "name_only", "terms_only",
              "family_deep", "neighbours", "mutation", "repair")
PRESETS = ("tiny", "small", "medium", "base", "large")
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("auto", "console", "json")


@dataclass
class PathsConfig:
    data_dir: str = key("")
    export_dir: str = key("")


@dataclass
class DatabaseConfig:
    url: str = key("")


@dataclass
class SourcesConfig:
    names_url: str = key("https://oeis.org/names.gz")
    stripped_url: str = key("https://oeis.org/stripped.gz")
    offsets_url: str = key("https://api.loda-lang.org/v2/sequences/data/oeis/offsets.gz")
    programs_url: str = key("https://github.com/loda-lang/loda-programs/archive/refs/heads/main.tar.gz")
    bfile_url: str = key("https://api.loda-lang.org/v2/sequences/data/oeis/b{number:06d}.txt.gz",
                         check=_placeholder)
    connect_timeout: float = key(10.0, above=0)
    read_timeout: float = key(60.0, above=0)
    retries: int = key(5, min=0)
    first_start_retries: int = key(1, min=0)
    backoff: float = key(2.0, min=0)
    min_interval: float = key(1.0, min=0)
    unreachable_seconds: float = key(600.0, min=0)
    max_download_mb: int = key(1024, min=1)
    max_uncompressed_mb: int = key(2048, min=1)
    max_line_bytes: int = key(1048576, min=1)
    max_bfile_mb: int = key(64, min=1)
    max_program_bytes: int = key(1048576, min=1)
    max_download_seconds: float = key(3600.0, above=0)
    max_change_share: float = key(0.05, min=0, max=1)


@dataclass
class MineConfig:
    batch_size: int = key(8, min=1)
    workers: int = key(0, min=0)
    lease_seconds: int = key(1800, min=1)
    check_terms: int = key(1000, min=1)
    min_check_terms: int = key(80, min=1)
    deep_check: bool = key(True)
    max_candidate_steps: int = key(10_000_000, min=1)
    max_seconds: float = key(2.0, above=0)
    blind_max_seconds: float = key(0.05, above=0)
    blind_match_seconds: float = key(0.25, above=0)
    candidate_timeout: float = key(30.0, above=0)
    worker_memory_mb: int = key(2048, min=1)
    chunk_size: int = key(16, min=1)
    strategies: list[str] = key(list(STRATEGIES), items=STRATEGIES)
    sample_temperature: float = key(0.8, above=0)
    exploration: float = key(0.1, min=0, max=1)
    prior_hits: float = key(1.0, above=0)
    prior_seconds: float = key(30.0, above=0)
    near_miss_min_terms: int = key(8, min=1)
    near_miss_fraction: float = key(0.3, min=0, max=1)
    near_miss_prompt_terms: int = key(3, min=0)
    match_terms: int = key(24, min=1)
    submitted_by: str = key("loda-miner")
    random_seed: int = key(0, min=0)
    rounds: int = key(6, min=1)
    budget_growth: float = key(2.0, min=1)
    sample_temperatures: list[float] = key([1.0, 1.2, 0.6], min=0)
    costly_strategies: list[str] = key(["algebraic", "euler", "suchthat", "primes", "digits", "theta", "products"],
                                       items=STRATEGIES)
    late_strategies: list[str] = key(["combine", "family"], items=STRATEGIES)
    attempt_cpu_min: float = key(2.0, above=0)
    attempt_cpu_max: float = key(30.0, above=0)
    model_max_candidates: int = key(128, min=1)
    trust_match_bits: float = key(600.0, min=0)
    trust_fit_bits: float = key(150.0, min=0)
    trust_long_order: int = key(6, min=1)
    trust_step_bits: float = key(50.0, min=0)
    # Candidates per attempt of each strategy (a table: `[mine.budget]`).
    budget: dict[str, int] = key({
        "beam": 16, "sample": 16, "name_only": 8, "terms_only": 8, "recurrence": 200, "formula": 200,
        "family": 60, "holonomic": 20, "gf": 20, "euler": 1, "algebraic": 1, "convolution": 4, "contfrac": 2, "digits": 1,
        "coxeter": 1, "descents": 1, "beatty": 1, "primes": 1, "juxtapose": 3, "cited": 12, "products": 1, "theta": 1,
        "eisenstein": 1, "constants": 1, "forms": 2, "egf": 1, "selfref": 1, "partitions": 1,
        "necklaces": 1, "adjacent": 1, "contains": 1, "suchthat": 1,
        "combine": 8,
        "family_deep": 60, "neighbours": 400, "mutation": 400, "repair": 100, "corpus_sweep": 0, "transforms": 0, "compositions": 0,
    }, min=0)


@dataclass
class DaemonConfig:
    owner: str = key("")
    heartbeat_seconds: float = key(15.0, above=0)
    alive_seconds: float = key(90.0, above=0)
    refresh_hours: float = key(24.0, above=0)
    refresh_retry_minutes: float = key(60.0, above=0)
    export_minutes: float = key(10.0, above=0)
    retrain_min_hits: int = key(50, min=1)
    retrain_hours: float = key(24.0, above=0)
    retrain_check_minutes: float = key(60.0, above=0)
    trial_check_minutes: float = key(30.0, above=0)
    housekeeping_hours: float = key(6.0, above=0)
    vacuum_days: float = key(7.0, min=0)
    keep_job_runs_days: float = key(30.0, min=0)
    misfire_grace_seconds: int = key(3600, min=1)
    job_lock_seconds: float = key(7200.0, above=0)
    idle_seconds: float = key(60.0, min=0)
    reload_minutes: float = key(10.0, min=0)
    stall_seconds: float = key(1800.0, above=0)
    stop_grace_seconds: float = key(8.0, min=0)
    max_memory: int = key(0, min=0)
    deep_check_minutes: float = key(60.0, above=0)
    deep_check_batch: int = key(200, min=1)


@dataclass
class SubmitConfig:
    enabled: bool = key(False)
    api_url: str = key("https://api.loda-lang.org")
    submitter: str = key("")
    interval_minutes: float = key(5.0, above=0)
    max_per_window: int = key(100, min=1)
    window_seconds: float = key(600.0, above=0)
    retry_seconds: float = key(60.0, min=0)
    max_retry_seconds: float = key(21600.0, min=0)
    max_attempts: int = key(20, min=1)
    timeout: float = key(30.0, above=0)
    max_response_bytes: int = key(65536, min=1)


@dataclass
class LogConfig:
    level: str = key("info", choices=LOG_LEVELS)
    format: str = key("auto", choices=LOG_FORMATS)


@dataclass
class SearchConfig:
    recurrence_max_order: int = key(10, min=1)
    recurrence_rational_max_order: int = key(36, min=1)
    recurrence_margin: int = key(6, min=0)
    match_key_length: int = key(10, min=1)
    match_max_delta: int = key(1, min=0)
    match_max_shift: int = key(2, min=0)
    sweep_per_target: int = key(4, min=1)
    mutation_max_changes: int = key(3, min=1)
    similar_programs: int = key(10, min=0)
    holonomic_max_order: int = key(5, min=1)
    holonomic_max_degree: int = key(3, min=0)
    holonomic_max_inhom_degree: int = key(2, min=0)
    holonomic_margin: int = key(6, min=0)
    euler_max_period: int = key(24, min=1, max=40)
    euler_margin: int = key(6, min=0)
    algebraic_margin: int = key(15, min=0)
    family_templates: int = key(10, min=1)
    combine_key_length: int = key(20, min=4)


@dataclass
class TrainConfig:
    model_dir: str = key("")
    corpus: str = key("")
    preset: str = key("small", choices=PRESETS)
    num_terms: int = key(16, min=1)
    neighbours: int = key(2, min=0)
    matched_neighbours: bool = key(True)
    number_tags: bool = key(True)
    similar_names: int = key(0, min=0)
    valid_fraction: float = key(0.02, min=0, max=0.9)
    max_program_length: int = key(12, min=1)
    synthetic_pairs: int = key(30000, min=0)
    formula_pairs: int = key(20000, min=0)
    recurrence_pairs: int = key(20000, min=0)
    mend_pairs: int = key(0, min=0)
    reader_pairs: bool = key(True)
    vocab_size: int = key(4000, min=100)
    max_source_len: int = key(256, min=8)
    max_target_len: int = key(128, min=8)
    batch_size: int = key(32, min=1)
    lr: float = key(0.001, above=0, max=1)
    warmup_steps: int = key(500, min=0)
    train_steps: int = key(40000, min=1)
    grad_clip: float = key(1.0, min=0)
    weight_decay: float = key(0.01, min=0, max=1)
    curriculum: bool = key(True)
    checkpoint_minutes: float = key(5.0, min=0)
    checkpoint_steps: int = key(0, min=0)
    threads: int = key(1, min=1)
    train_seed: int = key(0, min=0)
    init_from: str = key("")
    runs_dir: str = key("")
    finetune_steps: int = key(500, min=1)
    finetune_replay_ratio: float = key(3.0, min=0)
    finetune_epochs: float = key(2.0, min=0)
    keep_finetune_runs: int = key(3, min=0)
    trial_cpu_hours: float = key(2.0, min=0)
    trial_max_days: float = key(14.0, above=0)
    eval_k: int = key(32, min=1)
    eval_limit: int = key(300, min=1)


@dataclass
class LangConfig:
    programs: str = key("")


@dataclass
class EvalConfig:
    max_term_steps: int = key(100_000_000, min=1)
    max_memory: int = key(2000, min=1)
    max_seconds: float = key(10.0, above=0)


def _listen(text: str) -> str | None:
    """Empty (off) or HOST:PORT."""
    try:
        if text:
            parse_listen(text)
    except ConfigError as exc:
        return str(exc).partition(": ")[2]
    return None


@dataclass
class MetricsConfig:
    listen: str = key("", check=_listen)
    textfile: str = key("")
    textfile_seconds: float = key(60.0, above=0)


@dataclass
class DashboardConfig:
    listen: str = key("127.0.0.1:8080", check=_listen)
    days: int = key(60, min=1)
    programs: int = key(50, min=1)


# The sections in config.toml's order.
SECTIONS: dict[str, type] = {
    "paths": PathsConfig, "database": DatabaseConfig, "sources": SourcesConfig, "mine": MineConfig,
    "daemon": DaemonConfig, "submit": SubmitConfig, "log": LogConfig, "search": SearchConfig,
    "train": TrainConfig, "lang": LangConfig, "eval": EvalConfig,
    "metrics": MetricsConfig, "dashboard": DashboardConfig,
}
DEFAULTS: dict[str, Any] = {name: dataclasses.asdict(section()) for name, section in SECTIONS.items()}


# Keys renamed so that one word has one meaning: (section, old name) -> new name. The old names are still
# read, with a one-line warning naming the file and the new key.
RENAMED: dict[tuple[str, str], str] = {
    ("mine", "max_steps"): "max_candidate_steps",
    ("mine", "seed"): "random_seed",
    ("train", "max_steps"): "train_steps",
    ("train", "seed"): "train_seed",
    ("eval", "max_steps"): "max_term_steps",
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
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    for candidate in (Path("config.toml"), user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def _meta(section: str, name: str) -> dict[str, Any]:
    for f in dataclasses.fields(SECTIONS[section]):
        if f.name == name:
            return dict(f.metadata)
    return {}


def _show(value: Any) -> str:
    """A value as TOML writes it (the way the user typed it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _unknown(origin: str, where: str, name: str, known: list[str]) -> ConfigError:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
    return ConfigError(f"{origin}: [{where}] {name}: unknown key{hint}" if where else
                       f"{origin}: [{name}]: unknown section{hint}")


def _typed(default: Any, value: Any) -> Any:
    """`value` as the type of `default`, or raise TypeError naming the type wanted."""
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string", list: "a list"}
    raise TypeError(f"must be {names.get(expected, expected.__name__)}")


def _check(meta: dict[str, Any], value: Any) -> str | None:
    """Why `value` is not allowed by the key's metadata, or None."""
    values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            if meta.get("min") is not None and item < meta["min"]:
                return f"must be >= {meta['min']}"
            if meta.get("above") is not None and item <= meta["above"]:
                return f"must be > {meta['above']}"
            if meta.get("max") is not None and item > meta["max"]:
                return f"must be <= {meta['max']}"
    if meta.get("choices") and value not in meta["choices"]:
        return f"must be one of {', '.join(map(str, meta['choices']))}"
    if meta.get("items"):
        bad = [v for v in value if v not in meta["items"]]
        if bad:
            return f"unknown {', '.join(map(str, bad))} (known: {', '.join(meta['items'])})"
    if meta.get("check"):
        return meta["check"](value)
    return None


def _set(config: dict[str, Any], section: str, name: str, value: Any, origin: str) -> None:
    """Validate one key of one section and store it (a table key such as `budget` key by key)."""
    base = config[section]
    if name not in base:
        raise _unknown(origin, section, name, sorted(base))
    default = DEFAULTS[section][name]
    meta = _meta(section, name)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ConfigError(f"{origin}: [{section}] {name}: must be a table ([{section}.{name}])")
        for sub, item in value.items():
            if sub not in default:
                raise _unknown(origin, f"{section}.{name}", sub, sorted(default))
            try:
                typed = _typed(default[sub], item)
            except TypeError as exc:
                raise ConfigError(f"{origin}: [{section}.{name}] {sub} = {_show(item)}: {exc}") from None
            problem = _check({"min": meta.get("min"), "max": meta.get("max")}, typed)
            if problem:
                raise ConfigError(f"{origin}: [{section}.{name}] {sub} = {_show(item)}: {problem}")
            base[name][sub] = typed
        return
    raw = value
    try:
        value = _typed(default, value)
        if isinstance(value, list):
            # Members take the type of the default's members (strings when the default is empty).
            member = type(default[0]) if default else str
            try:
                value = [_typed(member(), v) for v in value]
            except TypeError:
                raise TypeError(f"must be a list of {'numbers' if member is float else 'strings'}") from None
    except TypeError as exc:
        raise ConfigError(f"{origin}: [{section}] {name} = {_show(raw)}: {exc}") from None
    problem = _check(meta, value)
    if problem:
        raise ConfigError(f"{origin}: [{section}] {name} = {_show(raw)}: {problem}")
    base[name] = value


def _renamed(values: dict[str, Any], section: str, origin: str, notes: list[str]) -> dict[str, Any]:
    """The table with deprecated key names replaced by their new names (a note for each)."""
    out = dict(values)
    for name in values:
        new = RENAMED.get((section, name))
        if new is None:
            continue
        if new in values:
            raise ConfigError(f"{origin}: [{section}] has both {name} and its new name {new}; keep only {new}")
        out[new] = out.pop(name)
        notes.append(f"{origin}: [{section}] {name} is deprecated, use [{section}] {new}")
    return out


def _merge(config: dict[str, Any], data: dict[str, Any], origin: str, notes: list[str]) -> None:
    for section, values in data.items():
        if section not in config or section.startswith("_"):
            raise _unknown(origin, "", section, list(SECTIONS))
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: {section} = {_show(values)}: must be a table [{section}]")
        for name, value in _renamed(values, section, origin, notes).items():
            _set(config, section, name, value, origin)


def _env_value(default: Any, text: str) -> Any:
    """An environment variable's text as the type of the key it sets."""
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        return text
    if isinstance(default, (int, float)):
        try:
            return type(default)(text.strip())
        except ValueError:
            try:
                return float(text.strip()) if isinstance(default, float) else text
            except ValueError:
                return text
    if isinstance(default, list):
        parts = [part.strip() for part in text.split(",") if part.strip()]
        return [_env_value(default[0], part) for part in parts] if default else parts
    return text


def apply_environment(config: dict[str, Any], environ: dict[str, str] | None = None) -> None:
    """`LODA_MINER_<SECTION>_<KEY>=value` overrides (e.g. LODA_MINER_DATABASE_URL, LODA_MINER_MINE_BUDGET_BEAM);
    a list is comma-separated, a boolean 1/0/true/false."""
    environ = dict(os.environ if environ is None else environ)
    for var in sorted(environ):
        if not var.startswith(ENV_PREFIX) or var in ENV_RESERVED:
            continue
        rest = var[len(ENV_PREFIX):].lower()
        origin = f"environment {var}"
        section = next((s for s in SECTIONS if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(f"{origin}: no such section (LODA_MINER_<SECTION>_<KEY> with a section of "
                              f"{', '.join(SECTIONS)})")
        name = rest[len(section) + 1:]
        table = next((t for t, d in DEFAULTS[section].items()
                      if isinstance(d, dict) and name.startswith(t + "_") and name[len(t) + 1:] in d), None)
        if table is not None:
            sub = name[len(table) + 1:]
            _set(config, section, table, {sub: _env_value(DEFAULTS[section][table][sub], environ[var])}, origin)
        elif name in DEFAULTS[section]:
            _set(config, section, name, _env_value(DEFAULTS[section][name], environ[var]), origin)
        else:
            raise _unknown(origin, section, name, sorted(DEFAULTS[section]))


def load(path: str | Path | None = None) -> dict[str, Any]:
    """Defaults overlaid with the given (or discovered) config file and the environment, validated,
    with paths resolved. ConfigError (one line naming the file, key and value) when anything is wrong."""
    config = copy.deepcopy(DEFAULTS)
    found = find_config(str(path) if path else os.environ.get("LODA_MINER_CONFIG") or None)
    if found is not None:
        try:
            with open(found, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{found}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{found}: not UTF-8 text: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{found}: {exc.strerror or exc}") from exc
        notes: list[str] = []
        _merge(config, data, str(found), notes)
        config["_source"] = str(found)
        # Deprecated key names in the file, one line each; the CLI logs them once logging is set up.
        config["_deprecated"] = notes
    else:
        config["_source"] = "built-in defaults"
    apply_environment(config)
    resolve_paths(config)
    return config


def defaults_in(data_dir: str | Path) -> dict[str, Any]:
    """The built-in defaults with the database, exports and caches under `data_dir` (tests, benchmarks)."""
    config = copy.deepcopy(DEFAULTS)
    config["paths"]["data_dir"] = str(data_dir)
    resolve_paths(config)
    return config


def parse_listen(text: str, what: str = "listen") -> tuple[str, int]:
    """'127.0.0.1:9464' (or '[::1]:9464') -> (host, port); ConfigError naming `what` otherwise."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{what}: expected HOST:PORT such as 127.0.0.1:9464, got {text!r}")
    return host, int(port)


def resolve_paths(config: dict[str, Any]) -> None:
    """Fill the empty path-like settings with their documented fallbacks."""
    paths = config["paths"]
    data_dir = Path(os.path.expanduser(paths["data_dir"])) if paths["data_dir"] else default_data_dir()
    paths["data_dir"] = str(data_dir)
    if not paths["export_dir"]:
        paths["export_dir"] = str(data_dir / "programs")
    if not config["database"]["url"]:
        config["database"]["url"] = f"sqlite:///{data_dir / 'loda-miner.db'}"
