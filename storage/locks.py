"""Fleet-wide job locks: one machine at a time runs a job such as the refresh or retraining.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`), held on its own connection.
SQLite (one machine): an exclusive `flock` on a file beside the database. Both are released by the
operating system or the server when the holder dies, so a crashed miner never blocks the fleet.
(Added by the daemon helper; no table, no migration.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, text


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key per job name (Python's hash() is salted per process).
    return zlib.crc32(f"loda-miner-job:{name}".encode()) - 2**31


@contextlib.contextmanager
def job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the fleet-wide lock of job `name` without waiting; yields whether it was taken."""
    if engine.dialect.name == "postgresql":
        key = _lock_key(name)
        with engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield True  # a private in-memory database has no other process to exclude
        return
    path = Path(database).expanduser().with_name(f"{Path(database).name}.{name}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
