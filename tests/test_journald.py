"""Under journald (JOURNAL_STREAM names stderr's device:inode) every log line starts with its syslog
priority, so `journalctl -p warning` shows warnings and errors; elsewhere lines are left as they are."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import logging, structlog
from miner.core import log
log.configure("debug", "json")
structlog.get_logger("t").info("an_info", n=1)
structlog.get_logger("t").warning("a_warning")
structlog.get_logger("t").error("an_error")
try:
    1 / 0
except ZeroDivisionError:
    structlog.get_logger("t").exception("a_crash")
logging.getLogger("lib").warning("stdlib warning\\nsecond line")
"""


def _run(tmp_path, journal: bool) -> list[str]:
    err = tmp_path / "stderr.txt"
    with open(err, "w") as fh:
        st = os.fstat(fh.fileno())
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        if journal:
            env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        subprocess.run([sys.executable, "-c", CODE], stderr=fh, env=env, check=True, timeout=60)
    return err.read_text().splitlines()


def test_lines_carry_their_syslog_priority_under_journald(tmp_path):
    lines = _run(tmp_path, journal=True)
    by_event = {e: line for line in lines for e in ("an_info", "a_warning", "an_error", "a_crash") if e in line}
    assert by_event["an_info"].startswith("<6>{")
    assert by_event["a_warning"].startswith("<4>{")
    assert by_event["an_error"].startswith("<3>{")
    assert by_event["a_crash"].startswith("<3>{") and "ZeroDivisionError" in by_event["a_crash"]
    stdlib = [line for line in lines if "stdlib warning" in line or "second line" in line]
    assert stdlib == ["<4>WARNING:lib:stdlib warning", "<4>second line"]


def test_no_prefix_when_stderr_is_not_the_journal(tmp_path):
    lines = _run(tmp_path, journal=False)
    assert lines and not any(line.startswith("<") for line in lines)
    # An inherited JOURNAL_STREAM that names another file (a child whose stderr was redirected) is ignored.
    env_other = dict(os.environ, JOURNAL_STREAM="1:1")
    out = subprocess.run([sys.executable, "-c", CODE], check=False, capture_output=True, text=True, env=env_other,
                         timeout=60)
    assert out.stderr and not any(line.startswith("<") for line in out.stderr.splitlines())
