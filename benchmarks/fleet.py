"""Fleet benchmark: lease and hit throughput of 1, 2, 4 and 8 miner processes on one PostgreSQL server.

    python benchmarks/fleet.py [--url postgresql+psycopg://...] [--seconds 4] [--batch 8]

Without --url it starts a throw-away PostgreSQL server (initdb + pg_ctl, as in the tests). Each miner
process runs, in a tight loop, what a miner does around a batch: claim `batch` sequences, record an
attempt for each, store a synthetic hit, release the leases. Prints one JSON object: per process count,
claims/s, sequences leased/s, hits stored/s, seconds per batch for each step, and the lease-contention
rate (claims that returned fewer than asked although thousands of sequences were free); and, relative to
the mean wall time of real model-free batches (on a testbed from the real data; model batches take
longer, so the fractions are upper bounds), the coordination cost (claim + release + storing the hit)
and all the bookkeeping around a batch (plus recording its attempts, which a lone miner does too).
Goals: claim throughput grows with miners; coordination < 1% of mining time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POOL = 20_000
PROCESSES = (1, 2, 4, 8)


def start_postgres() -> tuple[str, Any]:
    """A throw-away server with durable commits (fsync on), as a real one has; returns (URL, stop)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import pgserver

    try:
        server = pgserver.start(durable=True)
    except FileNotFoundError as exc:
        raise SystemExit(f"{exc}: install the PostgreSQL server or pass --url") from exc
    return server.url, server.stop


def _worker(url: str, index: int, batch: int, seconds: float, barrier: Any, out: Any) -> None:
    """One miner's coordination loop; puts its counters on `out`."""
    import storage
    from miner.core import log
    from storage.schema import utcnow

    log.configure("warning", "json")
    owner = f"bench-{index}-{os.getpid()}"
    engine = storage.connect(url)
    stats = {"claims": 0, "short": 0, "leased": 0, "hits": 0, "coord_seconds": 0.0,
             "claim": 0.0, "attempts": 0.0, "hit": 0.0, "release": 0.0}
    serial = 0
    barrier.wait()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        got = storage.claim(engine, owner, batch, 600)
        t1 = time.perf_counter()
        with storage.session_scope(engine) as session:
            for a in got:
                storage.record_attempt(session, storage.Attempt(a, "bench", None, 10, 1, 2, 0.01, "miss", utcnow()))
        t2 = time.perf_counter()
        serial += 1
        # Synthetic hits on A-numbers outside the pool (unique per process and level), so the pool of
        # free sequences never shrinks.
        storage.store_hit(engine, storage.Hit(100_000_000 + index * 1_000_000 + serial, "mov $0,1\n", "bench"))
        t3 = time.perf_counter()
        storage.release(engine, owner, got)
        t4 = time.perf_counter()
        for key, spent in (("claim", t1 - t0), ("attempts", t2 - t1), ("hit", t3 - t2), ("release", t4 - t3)):
            stats[key] += spent
        stats["coord_seconds"] += t4 - t0
        stats["claims"] += 1
        stats["short"] += len(got) < batch
        stats["leased"] += len(got)
        stats["hits"] += 1
    engine.dispose()
    out.put(stats)


def run_level(url: str, processes: int, batch: int, seconds: float) -> dict[str, Any]:
    """Counters of `processes` miners running the loop together for `seconds`."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, processes * 10 + i, batch, seconds, barrier, out))
             for i in range(processes)]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    claims = sum(r["claims"] for r in results)
    return {
        "processes": processes,
        "claims_per_second": round(claims / seconds, 1),
        "sequences_leased_per_second": round(sum(r["leased"] for r in results) / seconds, 1),
        "hits_stored_per_second": round(sum(r["hits"] for r in results) / seconds, 1),
        "coordination_seconds_per_batch": round(sum(r["coord_seconds"] for r in results) / max(claims, 1), 5),
        "contention_rate": round(sum(r["short"] for r in results) / max(claims, 1), 4),
        "seconds_per_batch_by_step": {k: round(sum(r[k] for r in results) / max(claims, 1), 5)
                                      for k in ("claim", "attempts", "hit", "release")},
    }


def batch_mining_seconds(batches: int = 5) -> dict[str, float]:
    """Wall and CPU seconds of real model-free batches (8 sequences) on a small testbed of real data."""

    from miner.core import config, log
    from tests import testbed
    from miner.mine.context import MODEL_STRATEGIES, build_context
    from miner.mine.loop import mine_batch

    data = ROOT.parent / "shared" / "data"
    programs = testbed.read_corpus(data / "programs" / "loda-programs-oeis-2026-04-01.tar.gz")
    chosen = testbed.seq_closure(programs, random.Random(5).sample(sorted(programs), 2000))
    sequences = testbed.read_oeis(data / "oeis", chosen)
    held = set(testbed.holdout_ids({a: programs[a] for a in chosen}, sequences, 8 * batches, seed=5))
    work = Path(tempfile.mkdtemp(prefix="loda-miner-fleet-"))
    cfg = config.defaults_in(work)
    cfg["database"]["url"] = f"sqlite:///{work / 'miner.db'}"
    cfg["mine"].update(workers=1, deep_check=False, random_seed=1)
    log.configure("warning", "json")
    engine = testbed.build_db(cfg["database"]["url"], sequences, {a: programs[a] for a in chosen - held})
    ctx = build_context(cfg, engine)
    strategies = [s for s in cfg["mine"]["strategies"] if s not in MODEL_STRATEGIES]
    walls, cpus = [], []
    try:
        for _ in range(batches):
            wall = time.perf_counter()
            summary = mine_batch(ctx, engine, strategies=strategies)
            walls.append(time.perf_counter() - wall)
            cpus.append(summary.cpu_seconds)
    finally:
        ctx.close()
        engine.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return {"batch_size": int(cfg["mine"]["batch_size"]), "batch_wall_seconds": [round(w, 3) for w in walls],
            "mean_wall_seconds": round(sum(walls) / batches, 3), "mean_cpu_seconds": round(sum(cpus) / batches, 3)}


def _fill(url: str) -> None:
    import storage

    def records() -> Iterator[Any]:
        for a in range(1, POOL + 1):
            yield storage.SequenceRecord(a, f"synthetic {a}", [a, a + 1, a + 2], 0)

    engine = storage.connect(url)
    storage.apply_refresh(engine, records(), source="benchmark")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty PostgreSQL database (default: start a throw-away server)")
    parser.add_argument("--seconds", type=float, default=4.0, help="measuring time per process count")
    parser.add_argument("--batch", type=int, default=8, help="sequences per claim ([mine] batch_size)")
    parser.add_argument("--no-mining", action="store_true", help="skip measuring a real batch's mining time")
    args = parser.parse_args()
    from miner.core import log

    log.configure("warning", "json")
    stop = None
    url = args.url
    if url is None:
        url, stop = start_postgres()
    try:
        _fill(url)
        levels = [run_level(url, k, args.batch, args.seconds) for k in PROCESSES]
    finally:
        if stop is not None:
            stop()
    report: dict[str, Any] = {"cores": os.cpu_count(), "pool": POOL, "batch": args.batch,
                              "seconds_per_level": args.seconds, "levels": levels}
    base = levels[0]["claims_per_second"]
    report["claim_speedup"] = {str(lv["processes"]): round(lv["claims_per_second"] / base, 2) for lv in levels}
    if not args.no_mining:
        mining = batch_mining_seconds()
        report["real_batch"] = mining
        mean = mining["mean_wall_seconds"]
        # Fleet coordination proper: leasing (claim + release) and the hit's unique-constraint store.
        report["coordination_fraction_of_mining"] = {
            str(lv["processes"]): round(sum(lv["seconds_per_batch_by_step"][k] for k in ("claim", "release", "hit"))
                                        / mean, 5) for lv in levels}
        # Everything around a batch, including recording its attempts (a single miner does that too).
        report["bookkeeping_fraction_of_mining"] = {
            str(lv["processes"]): round(lv["coordination_seconds_per_batch"] / mean, 5) for lv in levels}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
