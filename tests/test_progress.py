"""Progress of long steps: a bar on a terminal, log lines without one (systemd) or with --json."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
import structlog

from miner.core import progress

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def restore_bars():
    yield
    progress.configure(None)


def test_without_a_terminal_progress_is_log_lines_with_eta(restore_bars) -> None:
    progress.configure(False)
    with structlog.testing.capture_logs() as logs:
        with progress.Progress("build pairs", total=4, unit="seq", log_seconds=0.0) as shown:
            for _ in range(3):
                shown.update(1, kept=7)
    events = [e for e in logs if e["event"] == "progress"]
    assert [e["done"] for e in events] == [1, 2, 3]
    assert events[-1]["total"] == 4 and events[-1]["task"] == "build pairs" and events[-1]["kept"] == 7
    assert "eta_seconds" in events[-1]
    assert logs[-1]["event"] == "progress_done"


def test_on_a_terminal_it_is_a_bar(restore_bars, capsys) -> None:
    progress.configure(True)
    assert list(progress.track(range(5), "evaluate", unit="seq")) == [0, 1, 2, 3, 4]
    err = capsys.readouterr().err
    assert "evaluate" in err and "5/5" in err


def test_import_shows_a_bar_in_a_terminal(tmp_path: Path, sample_tarball: Path) -> None:
    """The real CLI with its stderr on a pseudo-terminal: `import-programs` draws a bar of files."""
    config = tmp_path / "config.toml"
    config.write_text(f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n[log]\nlevel = 'warning'\n")
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    env = {k: v for k, v in os.environ.items() if not k.startswith("LODA_MINER_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "miner", "--config", str(config), "import-programs",
                             str(sample_tarball)], stdout=subprocess.PIPE, stderr=child, env=env)
    os.close(child)
    out, _ = proc.communicate(timeout=300)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert proc.returncode == 0 and b"792 added" in out
    assert b"import programs: " in shown and b"792file" in shown.replace(b" ", b"")


_SHARED: dict[str, int] = {}


def _scaled(x: int) -> tuple[int, int]:
    return x * _SHARED["factor"], os.getpid()


@pytest.mark.parametrize("ordered", [True, False])
def test_mapped_runs_in_forked_workers_that_see_the_callers_state(ordered):
    from miner.core.progress import mapped

    _SHARED["factor"] = 3  # set before the fork: the workers read it without pickling
    try:
        rows = mapped(_scaled, list(range(1500)), "scale", workers=2, ordered=ordered, chunksize=50)
        few = mapped(_scaled, list(range(10)), "scale", workers=2, ordered=ordered)
    finally:
        _SHARED.clear()
    values = [v for v, _ in rows]
    assert (values if ordered else sorted(values)) == [3 * x for x in range(1500)]
    assert os.getpid() not in {pid for _, pid in rows}
    # few items are not worth a pool: they run in this process
    assert [v for v, _ in few] == [3 * x for x in range(10)] and {pid for _, pid in few} == {os.getpid()}


def test_mapped_workers_die_of_sigterm_inside_the_stop_handlers_of_a_long_command():
    """Retraining builds its pairs with `mapped` inside `stopping.on_signals`. Forked workers inherited the
    handler that turns SIGTERM into a flag, and a pool ends its workers by SIGTERM: a real `retrain` hung
    for ever in the pool's exit, its last worker waiting for a lock. Workers must keep SIGTERM's default
    (and leave Ctrl-C to the caller). Run in a child so that a hang fails the test instead of the run."""
    script = (
        "import signal\n"
        "from miner.core import stopping\n"
        "from miner.core.progress import mapped\n"
        "def dispositions(x):\n"
        "    return (signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, signal.getsignal(signal.SIGINT) == signal.SIG_IGN)\n"
        "with stopping.on_signals():\n"
        "    out = mapped(dispositions, list(range(3000)), 'signals', workers=2, chunksize=16)\n"
        "    caller = signal.getsignal(signal.SIGTERM) != signal.SIG_DFL\n"
        "print(len(out), sorted(set(out)), caller)\n"
    )
    try:
        proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("mapped() never returned: the pool waited for workers that survive SIGTERM")
    assert proc.returncode == 0, proc.stderr
    # every item ran in a worker with SIGTERM at its default, and the caller kept its own handler
    assert proc.stdout.strip() == "3000 [(True, True)] True"
