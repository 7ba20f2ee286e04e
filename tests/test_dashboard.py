"""The dashboard in a real browser: `loda-miner dashboard` on a real SQLite database mined by the real loop,
loaded in headless Chromium (Debian's `chromium`); the plots and tables it rendered must show the numbers
`loda-miner status --json` and `loda-miner programs --format json` report, and the database file must be
byte for byte unchanged. The screenshot stays in the test's temporary folder (dash.png).

LODA_MINER_DASHBOARD_CONFIG=FILE runs the same checks on an existing database (e.g. one a 10-minute
`loda-miner mine` produced) instead of building one.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import storage
import testbed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")

# Held out of the corpus (found by the model-free strategies, see test_loop.py); the rest is a sample.
HIDDEN = [14335, 157878, 1453, 2, 17793]
ALWAYS = {108, 45, 27, 290, 5, 10, 40, 79, 17790, 17791, 17792, 17794, 17795}


def _cli(config: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "miner", "--config", str(config), *args],
                          check=False, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def mined(tmp_path_factory, real_data, sample_tarball) -> Path:
    """A config whose database was mined by `loda-miner mine` (the real loop), plus a model, job runs
    and a heartbeat stored through the storage API, so that every part of the page has rows."""
    given = os.environ.get("LODA_MINER_DASHBOARD_CONFIG")
    if given:
        return Path(given)
    folder = tmp_path_factory.mktemp("mined")
    programs = testbed.read_corpus(sample_tarball)
    chosen = set(random.Random(7).sample(sorted(programs), 300)) | ALWAYS
    keep = testbed.seq_closure(programs, chosen) - set(HIDDEN)
    sequences = testbed.read_oeis(real_data / "oeis", keep | set(HIDDEN))
    url = f"sqlite:///{folder / 'loda-miner.db'}"
    engine = testbed.build_db(url, sequences, {a: programs[a] for a in keep})
    with storage.session_scope(engine) as session:
        storage.register_model(session, str(folder / "model"), "small", 158796,
                               {"solve_rate": 0.263, "retrieval_solve_rate": 0.337, "pipeline_solve_rate": 0.357},
                               True)
        storage.register_model(session, str(folder / "candidate"), "small", 158796, {"solve_rate": 0.27}, False,
                               trial=True)
    storage.job_finished(engine, storage.job_started(engine, "refresh"), "ok", "sequences from testbed")
    storage.job_finished(engine, storage.job_started(engine, "export"), "error", "OSError: disk full")
    storage.heartbeat(engine, "bench:1", {"host": "bench", "pid": 1, "doing": "mining", "version": "0.1.0"})
    engine.dispose()
    config = folder / "config.toml"
    config.write_text(f"[paths]\ndata_dir = '{folder}'\n[database]\nurl = '{url}'\n"
                      "[mine]\nworkers = 1\ndeep_check = false\nbatch_size = 3\nseed = 11\n[log]\nlevel = 'warning'\n")
    out = _cli(config, "mine", "--strategies", "corpus_sweep,recurrence,family", "--minutes", "5", "--json")
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout)["hits"] >= 3, out.stdout
    return config


class Dom(HTMLParser):
    """The elements the checks read: bars, points, legend keys, counts and table rows with their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: list[dict] = []
        self.points: list[dict] = []
        self.keys: list[dict] = []
        self.counts: dict[str, str] = {}
        self.rows: dict[str, list[dict]] = {}
        self._table: list[str] = []
        self._row: dict | None = None
        self._cell: list[str] | None = None
        self._count: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "rect" and a.get("class") == "bar":
            self.bars.append(a)
        elif tag == "circle" and a.get("class") == "point":
            self.points.append(a)
        elif tag == "span" and a.get("class") == "key":
            self.keys.append(a)
        elif tag == "span" and "data-count" in a:
            self._count = a["data-count"]
        elif tag == "table":
            self._table.append(a.get("id", ""))
        elif tag == "tr" and self._table:
            self._row = {"attrs": a, "cells": []}
        elif tag == "td" and self._row is not None:
            self._cell = []
            self._row["cells"].append((a.get("class", ""), self._cell))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tr" and self._row is not None:
            if self._row["cells"]:
                self.rows.setdefault(self._table[-1], []).append(self._row)
            self._row = None
        elif tag == "td":
            self._cell = None
        elif tag == "span":
            self._count = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._count is not None and self._count not in self.counts and data.strip():
            self.counts[self._count] = data.strip()


def _cell(row: dict, cls: str) -> str:
    return "".join(next(parts for c, parts in row["cells"] if cls in c.split())).strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium(url: str, profile: Path, *extra: str) -> str:
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         *extra, url],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def _database_file(config: Path) -> Path:
    from miner.core import config as config_mod

    return Path(config_mod.load(config)["database"]["url"].removeprefix("sqlite:///"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def dashboard(mined, tmp_path):
    """`loda-miner dashboard` on the mined database; yields its base URL."""
    port = _free_port()
    log = open(tmp_path / "dashboard.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "miner", "--config", str(mined), "dashboard",
                             "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()
            break
        except OSError:
            assert proc.poll() is None, (tmp_path / "dashboard.log").read_text()
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
    yield base
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    log.close()


@pytest.mark.slow  # over a second: the full tier
def test_the_page_in_chromium_shows_what_status_reports(mined, dashboard, tmp_path):
    status = _cli(mined, "status", "--json")
    report = json.loads(status.stdout)
    listed = [json.loads(line) for line in _cli(mined, "programs", "--format", "json").stdout.splitlines()]
    db = _database_file(mined)
    before = _digest(db)

    profile = tmp_path / "chromium"
    dom = Dom()
    dom.feed(_chromium(dashboard + "/", profile, "--dump-dom"))
    shot = tmp_path / "dash.png"
    _chromium(dashboard + "/", profile, f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The counts line.
    counts = report["counts"]
    for key in ("sequences", "lacking", "attempted", "solved", "hits_24h", "hits_7d"):
        assert int(dom.counts[key]) == counts[key], key
    assert counts["solved"] >= 3

    # The plot of hits per day: every hit is a bar segment of its strategy, per strategy as `programs` lists.
    by_strategy = Counter(p["strategy"] for p in listed)
    plotted: Counter = Counter()
    for bar in dom.bars:
        plotted[bar["data-series"]] += int(bar["data-value"])
    assert sum(plotted.values()) == counts["solved"] == len(listed)
    assert plotted == by_strategy
    assert {k["data-series"]: int(k["data-total"]) for k in dom.keys} == dict(by_strategy)
    days = Counter(p["found_at"][:10] for p in listed)
    assert {b["data-day"] for b in dom.bars} == set(days)
    for day, n in days.items():
        assert sum(int(b["data-value"]) for b in dom.bars if b["data-day"] == day) == n

    # The plot of hits per CPU-hour: its points add up to the attempts' totals.
    throughput = report["throughput"]
    assert sum(int(p["data-hits"]) for p in dom.points) == throughput["hits"]
    assert sum(float(p["data-cpu-seconds"]) for p in dom.points) == pytest.approx(throughput["cpu_seconds"], abs=0.01)
    if len(dom.points) == 1:
        assert float(dom.points[0]["data-value"]) == pytest.approx(throughput["hits_per_cpu_hour"], abs=0.01)

    # The strategies table.
    rows = {r["attrs"]["data-strategy"]: r for r in dom.rows["strategies"]}
    assert set(rows) == set(report["strategies"]) | {"all"}
    for name, s in report["strategies"].items():
        row = rows[name]
        assert (int(_cell(row, "attempts")), int(_cell(row, "candidates")), int(_cell(row, "hits"))) == (
            s["attempts"], s["candidates"], s["hits"]), name
        assert float(_cell(row, "cpu")) == pytest.approx(s["cpu_seconds"], abs=0.06)
    assert float(_cell(rows["all"], "rate")) == pytest.approx(throughput["hits_per_cpu_hour"], abs=0.06)
    # ... and what the attempts table itself sums to (the page reads the daily totals).
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        raw = conn.execute("SELECT strategy, COUNT(*), SUM(candidates), SUM(outcome = 'hit') FROM attempts "
                           "GROUP BY strategy").fetchall()
    assert {s: (n, c, h) for s, n, c, h in raw} == {
        name: (int(_cell(r, "attempts")), int(_cell(r, "candidates")), int(_cell(r, "hits")))
        for name, r in rows.items() if name != "all"}

    # The latest programs, newest first, with their strategy and links.
    newest = sorted(listed, key=lambda p: p["found_at"], reverse=True)
    shown = dom.rows["programs"]
    assert [r["attrs"]["data-a-number"] for r in shown] == [p["a_number"] for p in newest][:len(shown)]
    assert len(shown) == min(len(listed), 50)
    assert [_cell(r, "strategy") for r in shown] == [p["strategy"] for p in newest][:len(shown)]

    # Models, job runs, errors and fleet as stored.
    models = {r["attrs"]["data-model"]: r for r in dom.rows["models"]}
    assert _cell(models[str(report["model"]["version"])], "version").endswith("(promoted)")
    assert _cell(models[str(report["trial"]["candidate"]["version"])], "version").endswith("(trial running)")
    assert {r["attrs"]["data-owner"] for r in dom.rows.get("fleet", [])} == {m["owner"] for m in report["fleet"]["miners"]}
    if "export" in report["jobs"] and report["jobs"]["export"]["outcome"] == "error":
        assert any(_cell(r, "outcome") == "error" for r in dom.rows["errors"])

    # A search by words of a hit's name finds it, mined; a search by A-number finds that sequence.
    hit = newest[0]
    words = " ".join(hit["name"].split()[:2])
    found = Dom()
    found.feed(_chromium(dashboard + "/?q=" + urllib.request.quote(words), profile, "--dump-dom"))
    states = {r["attrs"]["data-a-number"]: r["attrs"]["data-state"] for r in found.rows["search-results"]}
    assert states[hit["a_number"]] == "mined"
    found = Dom()
    found.feed(_chromium(dashboard + "/?q=" + hit["a_number"].lower(), profile, "--dump-dom"))
    assert [r["attrs"]["data-a-number"] for r in found.rows["search-results"]] == [hit["a_number"]]

    # Read-only: nothing written to the database, and writes are refused.
    request = urllib.request.Request(dashboard + "/", data=b"x=1", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 405
    assert _digest(db) == before


def test_a_missing_database_is_one_clear_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f"[database]\nurl = 'sqlite:///{tmp_path / 'none.db'}'\n")
    out = _cli(config, "dashboard", "--listen", f"127.0.0.1:{_free_port()}", timeout=60)
    assert out.returncode == 65  # bad data: see tests/test_cli_errors.py
    assert out.stderr.strip() == f"loda-miner: error: no database at {tmp_path / 'none.db'}"
    assert not (tmp_path / "none.db").exists()


def test_an_old_schema_is_refused_not_upgraded(tmp_path):
    from storage.db import create, current_revision, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create(url)
    migrate(old, "0005_program_verified_at")
    old.dispose()
    with pytest.raises(storage.StorageError, match="schema revision 0005_program_verified_at, older than"):
        storage.connect_readonly(url)
    assert current_revision(create(url)) == "0005_program_verified_at"
