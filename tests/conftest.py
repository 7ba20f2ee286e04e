"""Shared test fixtures: where the real data lives (../shared/data beside the project root)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
CORPUS_TARBALL = SHARED_DATA / "programs" / "loda-programs-oeis-2026-04-01.tar.gz"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real OEIS files and program corpus; tests that need them fail loudly if absent."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data not found at {SHARED_DATA} (expected ../shared/data beside the project)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def corpus_tarball(shared_data: Path) -> Path:
    """The loda-programs tarball of 2026-04-01."""
    return CORPUS_TARBALL


# --- storage: a real PostgreSQL 15 server for the session, and a fresh database per test --------------

import itertools  # noqa: E402
import os  # noqa: E402

import pgserver  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL server for the session; yields the URL of its `postgres` database.

    Skips when the server binaries are not installed (`.ci/run` installs them).
    """
    try:
        server = pgserver.start()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


_database_numbers = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A URL of an empty database: a real SQLite file, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'loda-miner.db'}"
    import sqlalchemy

    server = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"
