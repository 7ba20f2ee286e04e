"""Mine held-out corpus sequences (their programs removed) with a fixed budget; print one JSON object.

    python benchmarks/mine_holdout.py [--count 200] [--rounds 2 | --minutes M] [--seed 1] [--strategies a,b]

The held-out ids are the training split's validation sequences (`training.pairs.is_validation`) that no
other program calls, sampled with the seed. Every held-out sequence gets `rounds` rounds after the corpus
sweep (`miner.mine.loop.staged_pass`): the first the once-per-sequence stages before the late one, the next
the late stage, then one bandit strategy each. Reports solve rate, hits per CPU-hour (mining CPU of
this process and the checker workers; the one-off set-up is reported apart), candidates checked per
CPU-second and the share of hits per source. With `--minutes` the held-out ids are mined as
`loda-miner mine --ids ... --minutes M` does (`miner.mine.loop.mine`): rounds until the time is up.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from _mining import bench_cfg, cpu_now, load_data, share, workdir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strategies", default="")
    parser.add_argument("--minutes", type=float, default=0.0, help="mine the ids as `mine --ids --minutes` does")
    args = parser.parse_args()

    from miner.core import config
    from tests import testbed
    from miner.mine.context import build_context
    from miner.mine.loop import BatchSummary, mine, staged_pass
    from training.pairs import is_validation

    setup = cpu_now()
    wall = time.monotonic()
    sequences, programs = load_data()
    fraction = float(config.DEFAULTS.get("train", {}).get("valid_fraction", 0.02))
    pool = [a for a in testbed.holdout_ids(programs, sequences, len(programs), args.seed)
            if is_validation(a, fraction)]
    hidden = sorted(random.Random(args.seed).sample(pool, min(args.count, len(pool))))
    keep = {a: t for a, t in programs.items() if a not in set(hidden)}
    # Only the held-out sequences lack a program: the real targets stay out of this database.
    seqs = {a: r for a, r in sequences.items() if a in keep or a in set(hidden)}
    cfg = bench_cfg(workdir())
    engine = testbed.build_db(cfg["database"]["url"], seqs, keep)
    ctx = build_context(cfg, engine)
    setup_cpu = cpu_now() - setup
    strategies = [s for s in args.strategies.split(",") if s] or None
    total = BatchSummary()
    start = time.monotonic()
    try:
        for _ in range(0 if args.minutes else args.rounds):  # a round: the first pass's early stages
            total.add(staged_pass(ctx, engine, hidden, strategies))
    finally:
        ctx.close()
    if args.minutes:
        total = mine(cfg, ids=hidden, minutes=args.minutes, strategies=strategies, engine=engine)
    solved = {h.a_number for h in total.found if h.stored}
    hours = total.cpu_seconds / 3600
    print(json.dumps({
        "benchmark": "mine_holdout",
        "held_out": len(hidden),
        "rounds": None if args.minutes else args.rounds,
        "minutes": args.minutes or None,
        "solved": len(solved),
        "solve_rate": round(len(solved) / max(len(hidden), 1), 4),
        "mining_cpu_seconds": round(total.cpu_seconds, 2),
        "hits_per_cpu_hour": round(len(solved) / hours, 1) if hours else None,
        "candidates": total.candidates,
        "candidates_per_cpu_second": round(total.candidates / total.cpu_seconds, 1) if total.cpu_seconds else None,
        "share_of_hits": share(total.found),
        "hits_by_strategy": {s: sum(1 for h in total.found if h.strategy == s and h.stored)
                             for s in sorted({h.strategy for h in total.found})},
        "per_strategy": {k: vars(v) for k, v in sorted(total.per_strategy.items())},
        "mining_wall_seconds": round(time.monotonic() - start, 1),
        "setup_cpu_seconds": round(setup_cpu, 1),
        "total_wall_seconds": round(time.monotonic() - wall, 1),
        "model": ctx.state.model.path or (ctx.state.model.error and f"unavailable: {ctx.state.model.error[:120]}"),
    }))


if __name__ == "__main__":
    main()
