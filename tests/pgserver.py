"""A throw-away PostgreSQL server on 127.0.0.1 (initdb + pg_ctl in a temporary folder), for the tests
and `benchmarks/fleet.py`. Runs the server as the `postgres` user when we are root (it refuses root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


def binary(name: str) -> str | None:
    """Path of a PostgreSQL server program (Debian keeps them off PATH), or None."""
    for folder in BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def _as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: the URL of its `postgres` database, and how to stop it."""

    url: str
    root: Path
    pg_ctl: str

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        subprocess.run(_as_postgres(self.pg_ctl, "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"),
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def start(durable: bool = False, max_connections: int = 100) -> Server:
    """Start a server; `durable` keeps fsync on (benchmarks), tests run faster without it."""
    initdb, pg_ctl = binary("initdb"), binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    root = Path(tempfile.mkdtemp(prefix="loda-miner-pg-"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                "--no-sync"), check=True, capture_output=True)
    options = f"-p {port} -h 127.0.0.1 -k {root} -c max_connections={max_connections}"
    if not durable:
        options += " -F -c fsync=off -c full_page_writes=off"
    subprocess.run(_as_postgres(pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"),
                   check=True, capture_output=True)
    return Server(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", root, pg_ctl)
