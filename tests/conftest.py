"""Shared test fixtures and the test tiers.

Tiers: the default run (`python -m pytest -q`) is the fast tier; tests marked `slow` (training more than a
few steps, long runs), `postgres` (a PostgreSQL server) or `corpus` (the full data in ../shared/data) are
skipped there with a one-line reason. `python -m pytest --full` runs every tier; `-m "slow or postgres or corpus"` selects the others (`.ci/run` runs
the fast tier, then those).

Data: `real_data` is a small cut of the real data committed under tests/fixtures/data (same layout as
../shared/data; rebuilt by scripts/make_test_fixtures.py), so a fresh clone passes alone. `full_data` is
the whole of ../shared/data, for `corpus` tests only; they skip when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
SAMPLE_TARBALL = FIXTURE_DATA / "programs" / "loda-programs-sample.tar.gz"
SHARED_DATA = ROOT.parent / "shared" / "data"
CORPUS_TARBALL = SHARED_DATA / "programs" / "loda-programs-oeis-2026-04-01.tar.gz"
TIERS = ("slow", "postgres", "corpus")
# Fixtures that need the full data: a test using one is in the `corpus` tier whether marked or not.
FULL_DATA_FIXTURES = ("full_data", "full_tarball")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true",
                     help="run every tier: also the slow, postgres and corpus tests")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker: the tiers below are markers too
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    full = config.getoption("--full")
    for item in items:
        names = getattr(item, "fixturenames", ())
        if any(name in names for name in FULL_DATA_FIXTURES):
            item.add_marker(pytest.mark.corpus)
        if "postgres_server" in names:
            item.add_marker(pytest.mark.postgres)
        if full:
            continue
        tier = next((t for t in TIERS if t in item.keywords), None)
        if tier is not None:
            item.add_marker(pytest.mark.skip(reason=f"{tier} tier: run with --full"))


@pytest.fixture(autouse=True)
def _reset_logging():
    """A test that runs main() configures structlog (level, stream); undo it so the next test in the same
    worker sees the defaults (a leftover `warning` level hides info events from capture_logs)."""
    yield
    import structlog

    structlog.reset_defaults()


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The small real-data fixtures: oeis/{names,stripped,offsets}.gz, programs/*.tar.gz, semantics/."""
    return FIXTURE_DATA


@pytest.fixture(scope="session")
def sample_tarball() -> Path:
    """A loda-programs .tar.gz of 791 real programs, closed under `seq` calls."""
    return SAMPLE_TARBALL


@pytest.fixture(scope="session")
def full_data() -> Path:
    """The whole real data (../shared/data); skips when it is absent."""
    if not CORPUS_TARBALL.is_file():
        pytest.skip(f"full data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def full_tarball(full_data: Path) -> Path:
    """The loda-programs tarball of 2026-04-01 (149,988 programs)."""
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
