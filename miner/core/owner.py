"""This process's name in leases, heartbeats and stored hits."""

from __future__ import annotations

import os
import socket


def default_owner() -> str:
    """`<hostname>:<pid>`: what `[daemon] owner` falls back to."""
    return f"{socket.gethostname()}:{os.getpid()}"
