"""Mine the real targets (OEIS sequences without a program in the corpus) for a fixed time; print JSON.

    python benchmarks/mine_targets.py [--minutes 30] [--strategies a,b] [--model DIR] [--workers N]

Checker workers as configured by default (one per CPU core); every hit reproduces every known term (the
deep check here uses the known terms, offline). Reports hits per CPU-hour of mining (this process and the
workers), overall and per strategy.
"""

from __future__ import annotations

import argparse
import json
import time

from _mining import bench_cfg, cpu_now, load_data, share, workdir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--strategies", default="")
    parser.add_argument("--model", default="", help="model folder (default: the bundled model)")
    parser.add_argument("--workers", type=int, default=0, help="checker workers (default 0: one per CPU core)")
    args = parser.parse_args()

    from tests import testbed
    from miner.mine.context import build_context, refresh_context
    from miner.mine.loop import BatchSummary, mine_batch, reload_due

    setup = cpu_now()
    wall = time.monotonic()
    sequences, programs = load_data()
    targets = testbed.real_targets(sequences, programs)
    cfg = bench_cfg(workdir(), workers=args.workers)
    cfg["train"]["model_dir"] = args.model
    engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
    ctx = build_context(cfg, engine)
    setup_cpu = cpu_now() - setup
    strategies = [s for s in args.strategies.split(",") if s] or None
    total = BatchSummary()
    start = time.monotonic()
    deadline = start + args.minutes * 60
    batches = 0
    try:
        while time.monotonic() < deadline:
            batch = mine_batch(ctx, engine, strategies=strategies)
            total.add(batch)
            batches += 1
            if batch.tried == 0 and not ctx.state.unlocked:
                break
            if reload_due(ctx, batch):  # as the daemon does: a name citing a new program is read again
                refresh_context(ctx, engine)
    finally:
        ctx.close()
    solved = {h.a_number for h in total.found if h.stored}
    hours = total.cpu_seconds / 3600
    per_hour = {}
    for h in total.found:
        per_hour[h.strategy] = per_hour.get(h.strategy, 0) + 1
    print(json.dumps({
        "benchmark": "mine_targets",
        "targets": len(targets),
        "minutes": args.minutes,
        "batches": batches,
        "sequences_tried": total.tried,
        "hits": len(solved),
        "mining_cpu_seconds": round(total.cpu_seconds, 1),
        "hits_per_cpu_hour": round(len(solved) / hours, 1) if hours else None,
        "hits_per_cpu_hour_by_strategy": {k: round(v / hours, 1) for k, v in sorted(per_hour.items())} if hours else {},
        "share_of_hits": share(total.found),
        "candidates": total.candidates,
        "candidates_per_cpu_second": round(total.candidates / total.cpu_seconds, 1) if total.cpu_seconds else None,
        "per_strategy": {k: vars(v) for k, v in sorted(total.per_strategy.items())},
        "setup_cpu_seconds": round(setup_cpu, 1),
        "total_wall_seconds": round(time.monotonic() - wall, 1),
        "model": ctx.state.model.path or (ctx.state.model.error and f"unavailable: {ctx.state.model.error[:120]}"),
        "found": sorted(solved),
    }))


if __name__ == "__main__":
    main()
