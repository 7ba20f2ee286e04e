"""sd_notify without a dependency: READY/STATUS/WATCHDOG datagrams to systemd's NOTIFY_SOCKET.

Outside systemd (no NOTIFY_SOCKET) every call is a cheap no-op that returns False.
"""

from __future__ import annotations

import os
import socket

import structlog

log = structlog.get_logger(__name__)


def _address(raw: str) -> str | bytes:
    # A leading '@' names a Linux abstract socket, whose real address starts with a NUL byte.
    if raw.startswith("@"):
        return b"\0" + raw[1:].encode()
    return raw


def notify(message: str, socket_path: str | None = None) -> bool:
    """Send one sd_notify message (e.g. "READY=1\\nSTATUS=mining"); True if it was delivered."""
    raw = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET", "")
    if not raw:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(_address(raw))
            sock.sendall(message.encode())
        return True
    except OSError as exc:
        # systemd going away must never take the daemon down with it.
        log.warning("sd_notify_failed", socket=raw, error=str(exc))
        return False


def ready(status: str = "") -> bool:
    """Tell systemd that start-up is complete (Type=notify), with an optional status line."""
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def status(text: str) -> bool:
    """Update the one-line status that `systemctl status` shows."""
    return notify(f"STATUS={text}")


def watchdog() -> bool:
    """Ping the watchdog; call only from a loop that has just shown it is healthy."""
    return notify("WATCHDOG=1")


def stopping(text: str = "") -> bool:
    """Tell systemd that a clean shutdown has begun."""
    return notify("STOPPING=1" + (f"\nSTATUS={text}" if text else ""))


def watchdog_interval() -> float | None:
    """Seconds between watchdog pings (half of WatchdogSec), or None when no watchdog is armed."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None  # the watchdog is meant for another process (e.g. our parent)
    return int(usec) / 2_000_000
