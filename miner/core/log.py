"""structlog setup: readable lines on a terminal, JSON lines otherwise (journald, files).

Under journald each line starts with its syslog priority (`<3>` error, `<4>` warning...), which
journald strips and stores, so `journalctl -p warning` shows the warnings and errors.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog


class _CurrentStderr:
    """Writes to whatever sys.stderr is at call time (pytest and daemons swap it after setup)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


# sd-daemon(3) priority prefixes by structlog method name / stdlib level.
PRIORITIES = {"critical": 2, "exception": 3, "error": 3, "warning": 4, "warn": 4, "info": 6, "debug": 7}


def under_journald() -> bool:
    """True when stderr is the journal stream systemd handed us (JOURNAL_STREAM names its device:inode)."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    if not stream:
        return False
    try:
        st = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return stream == f"{st.st_dev}:{st.st_ino}"


def _prefixed(priority: int, text: str) -> str:
    # journald reads a stream line by line: every line of a traceback needs its own prefix.
    return "\n".join(f"<{priority}>{line}" for line in text.split("\n"))


def _journal_priority(_logger: Any, method: str, text: Any) -> str:
    return _prefixed(PRIORITIES.get(method, 6), text)


class _JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _prefixed(PRIORITIES.get(record.levelname.lower(), 6), super().format(record))


def configure(level: str = "info", fmt: str = "auto") -> None:
    """Configure structlog and stdlib logging once for the process; logs go to stderr."""
    numeric = getattr(logging, level.upper(), None)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level '{level}' (use debug, info, warning or error)")
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    if fmt not in ("console", "json"):
        raise ValueError(f"unknown log format '{fmt}' (use auto, console or json)")
    journal = under_journald()
    renderer = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if fmt == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
            *([_journal_priority] if journal else []),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]  # duck-typed stream
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=max(numeric, logging.WARNING), stream=sys.stderr)
    if journal:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(_JournalFormatter(logging.BASIC_FORMAT))
