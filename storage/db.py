"""Opening the database: engine set-up (SQLite pragmas, explicit BEGIN), migrations, sessions.

On SQLite every write transaction starts with BEGIN IMMEDIATE, so two writers queue on the busy
timeout instead of failing half-way; readers (`status`, the `sqlite3` shell) never wait thanks to WAL.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator, cast

import structlog
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 60_000
# Execution option naming how an SQLite transaction begins: "DEFERRED" (reads) or "IMMEDIATE" (writes).
SQLITE_BEGIN = "sqlite_begin"


class StorageError(Exception):
    """The database cannot be opened or migrated."""


def is_sqlite(bind: Engine | Connection | Session) -> bool:
    """True when the engine/connection/session talks to SQLite."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name == "sqlite"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below own the transactions (pysqlite's implicit ones are unreliable).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create(url: str) -> Engine:
    """An engine for `url` with our SQLite settings, without running migrations."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_events(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic autogenerate filter: views are created by hand in migrations, not tables to compare."""
    from storage.schema import VIEWS

    return not (type_ == "table" and reflected and compare_to is None and name in VIEWS)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` with alembic (a new database is created at head)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        # Two processes starting on a new database: the second waits, then finds it at head.
        # (SQLite: our BEGIN IMMEDIATE already serialises them.)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(2091357426)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _scripts():  # noqa: ANN202 - alembic.script.ScriptDirectory
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    """The newest revision shipped with this version of the code."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this version of the code ships migration `revision`."""
    return any(script.revision == revision for script in _scripts().walk_revisions())


def is_operational_error(exc: BaseException) -> bool:
    """A database that cannot be reached or used (server down, locked, disk full), not a bug of ours."""
    return isinstance(exc, OperationalError)


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file a URL names when that file does not exist yet (else None): read-only commands
    use it to say "no database" instead of creating an empty one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database).expanduser()
    return None if path.is_file() else path


def connect(url: str) -> Engine:
    """Open (creating folders and the database if needed) and migrate to head; returns the engine.

    SQLite gets WAL, a busy timeout and foreign keys; the same code runs on `postgresql+psycopg://`.
    """
    try:
        engine = create(url)
        current = current_revision(engine)
        if current != head_revision():
            if current is not None and not known_revision(current):
                raise StorageError(
                    f"database {make_url(url).render_as_string(hide_password=True)} has schema revision "
                    f"{current}, newer than this loda-miner knows (head {head_revision()}): upgrade loda-miner"
                )
            migrate(engine)
    except Exception as exc:  # noqa: BLE001 - rewrapped with the URL so the user knows which DB
        if isinstance(exc, StorageError):
            raise
        safe = make_url(url).render_as_string(hide_password=True)
        raise StorageError(f"cannot open database {safe}: {exc}") from exc
    return engine


def safe_url(url: str) -> str:
    """The database URL as people may see it (password hidden)."""
    return make_url(url).render_as_string(hide_password=True)


def connect_readonly(url: str) -> Engine:
    """Open an existing database for reading only: no migration, no folder or file created.

    SQLite is opened with `mode=ro` (the `-shm` index of a WAL database aside, nothing is written);
    PostgreSQL sessions default to read-only transactions. A schema older than this code is refused
    (StorageError: the reader cannot upgrade it), a newer one is logged.
    """
    parsed = make_url(url)
    safe = safe_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            missing = missing_sqlite_file(url)
            if missing is not None or parsed.database in (None, "", ":memory:"):
                raise StorageError(f"no database at {missing or parsed.database}")
            import sqlite3
            from urllib.parse import quote

            # An SQLite URI so that mode=ro applies; the path is %-quoted ("#", "?" and "%" are special).
            uri = f"file:{quote(str(Path(parsed.database).expanduser().resolve()))}?mode=ro"
            engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False))

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None
                dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                dbapi_conn.execute("PRAGMA query_only = ON")

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            engine = create_engine(url, pool_pre_ping=True,
                                   connect_args={"options": "-c default_transaction_read_only=on"})
        current = current_revision(engine)
    except StorageError:
        raise
    except Exception as exc:  # noqa: BLE001 - rewrapped with the URL so the user knows which DB
        raise StorageError(f"cannot open database {safe} read-only: {exc}") from exc
    if current != head_revision():
        if current is None or known_revision(current):
            engine.dispose()
            raise StorageError(
                f"database {safe} has schema revision {current}, older than this loda-miner's {head_revision()}: "
                "it is upgraded by the first `loda-miner run` or `loda-miner status`"
            )
        log.warning("schema_newer_than_code", database=safe, revision=current, head=head_revision())
    return engine


@contextlib.contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """One transaction as a Session: commit on success, rollback on error.

    `readonly=True` starts an SQLite transaction without taking the write lock.
    """
    bind = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED" if readonly else "IMMEDIATE"})
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def upsert(bind: Session | Connection, table: Any) -> Any:
    """An INSERT with `on_conflict_do_nothing/do_update` for the dialect of `bind`."""
    if is_sqlite(bind):
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(table)


def rowcount(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched, as the driver reports it."""
    # Session.execute returns a CursorResult for these statements, but its signature says Result.
    return int(cast(CursorResult[Any], result).rowcount or 0)


def chunked(items: Any, size: int) -> Iterator[list[Any]]:
    """Lists of up to `size` items from any iterable (streams stay streams)."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
