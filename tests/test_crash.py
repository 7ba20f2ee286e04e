"""kill -9 in the middle of a write (issue #23): a refresh, a corpus import, a migration and a
housekeeping VACUUM, each in a real subprocess killed once its write transaction is under way (the
SQLite WAL is growing). Afterwards PRAGMA integrity_check says ok, the data from before is intact,
and a restart of the same work completes it."""

from __future__ import annotations

import gzip
import io
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args], capture_output=True, text=True, check=False,
                          env=env, timeout=900)


def _kill_during(script: str, db: Path, *args: str, wal_bytes: int = 2 << 20) -> None:
    """Start `script`, SIGKILL it once the database's WAL has grown past `wal_bytes` since the start."""
    wal = Path(str(db) + "-wal")
    if db.exists():
        # An empty WAL to start with: writes after a checkpoint reuse the file from its start, so
        # growth is only seen from zero.
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    start = wal.stat().st_size if wal.exists() else 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 600
    while child.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size - start > wal_bytes:
            break
        time.sleep(0.01)
    assert child.poll() is None, f"finished before the kill (too little data?):\n{child.communicate()[1][-2000:]}"
    child.send_signal(signal.SIGKILL)
    child.wait()


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def _oeis(folder: Path, count: int) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "names.gz": "".join(f"A{a:06d} Sequence number {a} of the crash test.\n" for a in range(1, count + 1)),
        "stripped.gz": "".join(f"A{a:06d} ," + ",".join(str(a * i + i * i) for i in range(40)) + ",\n"
                               for a in range(1, count + 1)),
        "offsets.gz": "".join(f"A{a:06d}: {a % 3}\n" for a in range(1, count + 1)),
    }
    for name, text in files.items():
        (folder / name).write_bytes(gzip.compress(text.encode(), compresslevel=1))
    return folder / "names.gz", folder / "stripped.gz", folder / "offsets.gz"


REFRESH = """
    import sys
    from miner.core import config
    from miner.service import refresh
    import storage

    cfg = config.defaults_in(sys.argv[1])
    folder = sys.argv[2]
    for key, name in zip(refresh.SEQUENCE_KEYS, ("names.gz", "stripped.gz", "offsets.gz")):
        cfg["sources"][key] = f"{folder}/{name}"
    engine = storage.connect(cfg["database"]["url"])
    print(refresh.refresh(cfg, engine, allow_snapshot=False).message())
"""


def test_kill_during_a_refresh_write(tmp_path):
    data, db = tmp_path / "data", tmp_path / "data" / "loda-miner.db"
    _oeis(tmp_path / "small", 10)
    done = _run(REFRESH, str(data), str(tmp_path / "small"))
    assert done.returncode == 0, done.stderr
    _oeis(tmp_path / "big", 150_000)
    _kill_during(REFRESH, db, str(data), str(tmp_path / "big"))
    assert _integrity(db) == "ok"
    assert _count(db, "select count(*) from sequences") == 10  # the killed refresh stored nothing
    done = _run(REFRESH, str(data), str(tmp_path / "big"))
    assert done.returncode == 0 and _integrity(db) == "ok", done.stderr
    assert _count(db, "select count(*) from sequences") == 150_000


IMPORT = """
    import sys
    from pathlib import Path
    from miner.service import corpus_import
    import storage

    engine = storage.connect(f"sqlite:///{sys.argv[1]}")
    print(corpus_import.import_path(engine, Path(sys.argv[2])).added)
"""


def test_kill_during_an_import(tmp_path):
    db, tarball = tmp_path / "db.sqlite", tmp_path / "programs.tar.gz"
    with tarfile.open(tarball, "w:gz", compresslevel=1) as tar:
        for a in range(1, 60_001):
            body = (f"; A{a:06d}: crash test\n; 1,2,3\n\nmov $1,{a}\nlpb $0\n  sub $0,1\n  add $1,{a % 7}\n"
                    f"lpe\nmov $0,$1\n").encode()
            info = tarfile.TarInfo(f"oeis/{a // 1000:03d}/A{a:06d}.asm")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    _kill_during(IMPORT, db, str(db), str(tarball), wal_bytes=1 << 20)
    assert _integrity(db) == "ok"
    assert _count(db, "select count(*) from programs") == 0
    done = _run(IMPORT, str(db), str(tarball))
    assert done.returncode == 0 and done.stdout.split()[-1] == "60000", done.stderr
    assert _integrity(db) == "ok" and _count(db, "select count(*) from programs") == 60_000


MIGRATE = """
    import sys
    import storage

    engine = storage.connect(f"sqlite:///{sys.argv[1]}")
    print(storage.db.current_revision(engine))
"""


def test_kill_during_a_migration(tmp_path):
    from alembic import command
    from alembic.config import Config

    import storage

    db = tmp_path / "db.sqlite"
    engine = storage.connect(f"sqlite:///{db}")
    head = storage.db.head_revision()
    with sqlite3.connect(db) as conn:  # 2 million rows for the index of 0003 to be built over
        conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) "
                     "INSERT INTO effort (a_number, attempts, cpu_seconds, last_attempt_at) "
                     "SELECT i, i % 5, (i * 7919) % 1000 / 10.0, '2026-01-01 00:00:00' FROM n")
    cfg = Config()
    cfg.set_main_option("script_location", str(storage.db.MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_submissions")
    engine.dispose()
    _kill_during(MIGRATE, db, str(db), wal_bytes=4 << 20)
    assert _integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version_num from alembic_version").fetchone()[0] == "0002_submissions"
    done = _run(MIGRATE, str(db))
    assert done.returncode == 0 and done.stdout.split()[-1] == head, done.stderr
    assert _integrity(db) == "ok" and _count(db, "select count(*) from effort") == 2_000_000
    assert _count(db, "select count(*) from sqlite_master where name = 'ix_effort_priority'") == 1


HOUSEKEEPING = """
    import copy, sys, threading
    from miner.core import config
    from miner.service import daemon
    import storage

    cfg = copy.deepcopy(config.DEFAULTS)
    cfg["paths"].update(data_dir=sys.argv[2], export_dir=sys.argv[2] + "/programs")
    cfg["database"]["url"] = f"sqlite:///{sys.argv[1]}"
    engine = storage.connect(cfg["database"]["url"])
    daemon._CURRENT = daemon.Daemon(cfg=cfg, engine=engine, owner="crash:1", stop_event=threading.Event())
    daemon.run_job("housekeeping")
"""


def test_kill_during_a_housekeeping_vacuum(tmp_path):
    import storage

    db = tmp_path / "db.sqlite"
    storage.connect(f"sqlite:///{db}").dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500000) "
                     "INSERT INTO effort (a_number, attempts, cpu_seconds, last_attempt_at) "
                     "SELECT i, i % 5, i / 10.0, '2026-01-01 00:00:00' FROM n")
        conn.execute("DELETE FROM effort WHERE a_number > 750000")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    free_before = _count(db, "PRAGMA freelist_count")
    assert free_before > 1000
    _kill_during(HOUSEKEEPING, db, str(db), str(tmp_path), wal_bytes=4 << 20)
    assert _integrity(db) == "ok" and _count(db, "select count(*) from effort") == 750_000
    done = _run(HOUSEKEEPING, str(db), str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert _integrity(db) == "ok" and _count(db, "select count(*) from effort") == 750_000
    # The restart did the VACUUM the kill interrupted (an unfinished one does not count as done).
    assert _count(db, "PRAGMA freelist_count") == 0
    assert _count(db, "select count(*) from job_runs where job = 'vacuum' and outcome = 'ok'") == 1
