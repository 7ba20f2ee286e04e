"""The dashboard and /metrics on a database with 1,000,000 attempts rows: build it, time the pages; print JSON.

    python benchmarks/dashboard.py [--attempts 1000000] [--days 60] [--repeat 5] [--keep DIR]

The database holds the real OEIS sequences and corpus (../shared/data), a million attempts spread over
`--days` days, the hits they found, models, job runs and two miners; it is filled at schema 0005 and
upgraded, so `migrate_seconds` is what the upgrade to the daily attempt totals costs. The dashboard runs as the real
`loda-miner dashboard` process; each page is fetched over HTTP, first cold (a fresh process), then
`--repeat` times. A page must load in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _mining import ROOT, load_data, workdir

from miner.core.config import STRATEGIES as ALL_STRATEGIES

STRATEGIES = [s for s in ALL_STRATEGIES if s != "combine"]


def build(path: Path, attempts: int, days: int, seed: int = 1) -> dict[str, float]:
    """Fill a new database at `path`; returns seconds per step."""
    from sqlalchemy import insert, update

    import storage
    from storage import housekeeping
    from storage.db import create, migrate
    from storage.records import Hit
    from storage.schema import Attempt, Effort, Miner, Program

    timings: dict[str, float] = {}
    t0 = time.monotonic()
    sequences, programs = load_data()
    # Filled at the schema before `attempt_days` (0005), then upgraded as an existing database would
    # be: the migration sums the million attempts into their daily totals.
    url = f"sqlite:///{path}"
    engine = create(url)
    migrate(engine, "0005_program_verified_at")
    storage.apply_refresh(engine, sequences.values(), source="testbed")
    storage.import_corpus_programs(engine, programs.items())
    timings["import_seconds"] = time.monotonic() - t0
    rng = random.Random(seed)
    lacking = sorted(a for a, r in sequences.items() if r.terms and a not in programs)
    now = datetime.now(timezone.utc)
    t0 = time.monotonic()
    with storage.session_scope(engine) as session:
        models = [storage.register_model(session, f"/models/{i}", "small", 100_000 + i,
                                         {"solve_rate": 0.2 + i / 100, "valid_rate": 0.99}, i == 3)
                  for i in range(1, 4)]
    effort: dict[int, list[float]] = {}
    hits: list[tuple[int, str, datetime]] = []
    rows = []
    for i in range(attempts):
        a = rng.choice(lacking)
        strategy = rng.choice(STRATEGIES)
        started = now - timedelta(seconds=rng.uniform(0, days * 86400))
        cpu = rng.expovariate(1 / 0.5)
        outcome = "hit" if rng.random() < 0.002 else "miss"
        if outcome == "hit":
            hits.append((a, strategy, started))
        rows.append({"a_number": a, "strategy": strategy, "candidates": rng.randint(1, 400),
                     "model_version": rng.choice(models) if strategy in ("beam", "sample") else None,
                     "valid": 1, "best_prefix": rng.randint(0, 20), "cpu_seconds": cpu, "outcome": outcome,
                     "started_at": started.replace(tzinfo=None)})
        e = effort.setdefault(a, [0, 0.0, 0.0])
        e[0] += 1
        e[1] += cpu
        e[2] = max(e[2], started.timestamp())
        if len(rows) == 50_000 or i == attempts - 1:
            with storage.session_scope(engine) as session:
                session.execute(insert(Attempt), rows)
            rows = []
    with storage.session_scope(engine) as session:
        session.execute(insert(Effort), [
            {"a_number": a, "attempts": int(n), "cpu_seconds": cpu,
             "last_attempt_at": datetime.fromtimestamp(last, timezone.utc).replace(tzinfo=None)}
            for a, (n, cpu, last) in effort.items()])
    for a, strategy, _started in hits:
        storage.store_hit(engine, Hit(a, f"mov $0,{a}\n", strategy, cpu_seconds=1.0, terms_verified=40,
                                      owner="bench:1"))
    with storage.session_scope(engine) as session:
        for a, _, started in hits:
            session.execute(update(Program).where(Program.a_number == a, Program.origin == "mined")
                            .values(found_at=started))
    for i in range(2000):
        run = storage.job_started(engine, rng.choice(["refresh", "export", "housekeeping", "retrain"]))
        storage.job_finished(engine, run, rng.choice(["ok", "ok", "ok", "skipped", "error"]), f"run {i}")
    storage.heartbeat(engine, "bench:1", {"host": "bench", "pid": 1, "doing": "mining", "hits": 3})
    with storage.session_scope(engine) as session:
        session.execute(insert(Miner), [{"owner": "old:2", "started_at": now - timedelta(days=9),
                                         "last_seen": now - timedelta(days=8), "state": {"doing": "stopped"}}])
    engine.dispose()
    timings["fill_seconds"] = time.monotonic() - t0
    t0 = time.monotonic()
    engine = storage.connect(url)
    timings["migrate_seconds"] = time.monotonic() - t0
    housekeeping.analyze(engine)
    engine.dispose()
    return timings


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[float, int]:
    t0 = time.monotonic()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    return time.monotonic() - t0, len(body)


def time_pages(config: Path, repeat: int) -> dict[str, object]:
    """Start `loda-miner dashboard`, fetch each page cold and `repeat` times; seconds per page."""
    port = _port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "miner", "--config", str(config), "dashboard",
                             "--listen", f"127.0.0.1:{port}"], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("dashboard did not start") from None
                time.sleep(0.2)
        out: dict[str, object] = {}
        for name, path in (("page", "/"), ("search_words", "/?q=prime+numbers"), ("search_a_number", "/?q=A000045")):
            cold, size = _get(base + path)
            warm = [_get(base + path)[0] for _ in range(repeat)]
            out[name] = {"cold_seconds": round(cold, 3), "median_seconds": round(statistics.median(warm), 3),
                         "max_seconds": round(max(warm), 3), "bytes": size}
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def time_metrics(url: str, repeat: int) -> dict[str, float]:
    """Seconds to gather and render the /metrics text (what a scrape costs)."""
    from prometheus_client import generate_latest

    import storage
    from miner.core import config
    from miner.service import metrics

    cfg = config.defaults_in(workdir())
    engine = storage.connect_readonly(url)
    registry = metrics.registry(engine, cfg)
    times = []
    for _ in range(repeat):
        t0 = time.monotonic()
        generate_latest(registry)
        times.append(time.monotonic() - t0)
    engine.dispose()
    return {"median_seconds": round(statistics.median(times), 3), "max_seconds": round(max(times), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", default="", help="reuse (or build and keep) the database in this folder")
    args = parser.parse_args()
    from miner.core import log

    log.configure("warning", "json")
    folder = Path(args.keep) if args.keep else workdir()
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "dashboard.db"
    timings: dict[str, float] = {}
    if not db.exists():
        timings = build(db, args.attempts, args.days)
    config = folder / "config.toml"
    config.write_text(f"[paths]\ndata_dir = '{folder}'\n[database]\nurl = 'sqlite:///{db}'\n"
                      "[log]\nlevel = 'warning'\n")
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
        hits = conn.execute("SELECT COUNT(*) FROM programs WHERE origin = 'mined'").fetchone()[0]
    result = {
        "benchmark": "dashboard",
        "attempts_rows": rows,
        "mined_programs": hits,
        "database_mb": round(db.stat().st_size / 2**20, 1),
        **{k: round(v, 1) for k, v in timings.items()},
        "pages": time_pages(config, args.repeat),
        "metrics": time_metrics(f"sqlite:///{db}", args.repeat),
    }
    result["under_one_second"] = all(p["cold_seconds"] < 1 and p["max_seconds"] < 1
                                     for p in result["pages"].values())
    print(json.dumps(result))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
