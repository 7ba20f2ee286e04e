"""Where commands read programs and the database: a path when one is given, else the database.

Read-only commands open the database with `open_existing`, which never creates one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from miner.cli import CommandError, Unavailable

if TYPE_CHECKING:
    from miner.lang import Corpus
    from storage import Engine

DATABASE = "database"


def open_existing(cfg: dict[str, Any], hint: str = "run `loda-miner fetch` or `loda-miner run` first") -> "Engine":
    """The configured database if it exists (never creates one); CommandError naming it otherwise."""
    import storage

    url = cfg["database"]["url"]
    missing = storage.missing_sqlite_file(url)
    if missing is not None:
        raise CommandError(f"no database at {missing}: {hint}")
    return open_database(cfg)


def open_database(cfg: dict[str, Any]) -> "Engine":
    """The configured database, created and migrated if needed (commands that write)."""
    import storage

    try:
        return storage.connect(cfg["database"]["url"])
    except storage.StorageError as exc:
        raise Unavailable(str(exc)) from exc


def from_path(path: str | Path) -> "Corpus":
    """A loda-programs folder or .tar.gz; CommandError when it is missing or unreadable."""
    from miner.lang import Corpus

    location = Path(path).expanduser()
    if not location.exists():
        raise CommandError(f"program corpus not found: {path}")
    try:
        return Corpus.from_path(location)
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc)) from exc


def from_database(cfg: dict[str, Any]) -> "Corpus":
    """Every stored program (corpus and mined, the shortest per sequence) with its sequence's name and
    terms as a header, as a Corpus; CommandError when there is no database or it holds no program."""
    import storage
    from miner.lang import Corpus

    engine = open_existing(cfg, "pass a corpus path, or run `loda-miner fetch` to fill the database")
    try:
        with storage.session_scope(engine, readonly=True) as session:
            files = storage.program_files(session)
        url = engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()
    if not files:
        raise CommandError(f"the database {url} holds no program: run `loda-miner fetch` or "
                           "`loda-miner import-programs`, or pass a corpus path")
    return Corpus(files, origin=f"{DATABASE} {url}")


def location(given: str | None, cfg: dict[str, Any], *keys: tuple[str, str]) -> str:
    """The corpus path to read: the option, else the first config key set (`[lang] programs`...);
    "" means the database."""
    if given:
        return given
    for section, key in keys:
        value = cfg.get(section, {}).get(key, "")
        if value:
            return str(value)
    return ""


def load(path: str, cfg: dict[str, Any]) -> "Corpus":
    """The corpus at `path`, or the database's when `path` is ""."""
    return from_path(path) if path else from_database(cfg)
