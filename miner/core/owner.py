"""This process's name in leases, heartbeats and stored hits, and whether another process still runs."""

from __future__ import annotations

import os
import socket


def default_owner() -> str:
    """`<hostname>:<pid>`: what `[daemon] owner` falls back to."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(pid: object) -> bool:
    """Whether a process with this id runs on this machine (True for ours; False for no valid id)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True
