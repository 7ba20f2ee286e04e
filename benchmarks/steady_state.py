"""Mining after the first pass: verified hits per CPU-hour on the real targets the first pass left; JSON.

    python benchmarks/steady_state.py [--minutes 15] [--model DIR] [--cache DIR] [--rebuild]

The state is built once and cached (`--cache`, default `tmp/steady_state` in the checkout; not in git):
the real targets (OEIS sequences without a program in the corpus), the corpus sweep and every
once-per-sequence strategy run on all of them, their hits stored. Building it is a complete first pass
and its figures are kept beside the database (`first_pass.json`). Before mining, the first pass is
settled: the corpus sweep again (the hits are new known sequences, with new matches) and any
once-per-sequence strategy added to the defaults since, pass after pass until one stores nothing, then
the compositions sweep, which runs once after the first pass; their hits are counted to the first pass
(`added`). The sweeps' completion is recorded in the database, so a run resumes them as a daemon's
restart does. Each run mines a copy of that database for `--minutes` with the default strategies (the
model's, mutation, repair through the bandit; the corpus sweep runs again at start, as when a daemon
starts) and reports hits per CPU-hour of mining (this process and the checker worker), overall and per
strategy, and how many hits came from model candidates, directly or through a matcher. The retrieval
index of the settled database is saved beside it and put in the run's data folder, as a restarted
daemon finds it. A hit is a
sequence that gains its first program; a shorter program replacing a provisional one is counted apart
("replaced"). One checker worker; every hit reproduces every known term.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from contextlib import closing
from pathlib import Path

from _mining import MATCHER_ROUTES, MODEL, ROOT, bench_cfg, cpu_now, load_data, share, workdir

STATE_DB = "steady_state.db"


def build_state(cache: Path) -> dict:
    """Run the complete first pass on the real targets into `cache/steady_state.db`; its figures."""
    from tests import testbed
    from miner.mine.loop import FIRST_PASS_SWEEPS, mine
    from miner.search import DETERMINISTIC

    sequences, programs = load_data()
    targets = testbed.real_targets(sequences, programs)
    work = workdir()
    cfg = bench_cfg(work)
    engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
    del sequences, programs
    strategies = [s for s in cfg["mine"]["strategies"] if s in FIRST_PASS_SWEEPS or s in DETERMINISTIC]
    start = time.monotonic()
    summary = mine(cfg, strategies=strategies, engine=engine)
    engine.dispose()
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(cfg["database"]["url"].removeprefix("sqlite:///")), cache / STATE_DB)
    shutil.rmtree(work, ignore_errors=True)
    figures = {"targets": len(targets), "strategies": strategies, "wall_seconds": round(time.monotonic() - start, 1),
               "cpu_seconds": round(summary.cpu_seconds, 1), "hits": summary.hits,
               "sequences_tried": summary.tried, "share_of_hits": share(summary.found),
               "per_strategy": {k: vars(v) for k, v in sorted(summary.per_strategy.items())}}
    (cache / "first_pass.json").write_text(json.dumps(figures, indent=1) + "\n")
    return figures


def bring_up_to_date(cache: Path, first_pass: dict) -> dict:
    """Finish the cached first pass with today's defaults: the corpus sweep (hits make new known
    sequences, and those new matches) and the once-per-sequence work still owed (strategies added or
    revised since, sequences a strategy never reached), until a pass stores nothing; its figures."""
    import storage
    from miner.mine.context import build_context
    from miner.mine.loop import FIRST_PASS_SWEEPS, BatchSummary, mine, run_sweep, sweeps_due
    from miner.search import DETERMINISTIC, REVISED
    from miner.search.transforms import TRANSFORMS

    work = workdir()
    cfg = bench_cfg(work)
    wanted = [s for s in cfg["mine"]["strategies"] if s in FIRST_PASS_SWEEPS or s in DETERMINISTIC]
    # a strategy revised since runs again on the sequences it tried before (`miner.search.REVISED`)
    settled = wanted + [f"{s} revised {t}" for s, t in sorted(REVISED.items()) if s in wanted]
    if "transforms" in wanted:  # a sweep has no REVISED time: a new transform settles again
        settled.append("transforms: " + ", ".join(t.name for t in TRANSFORMS))
    # the sweeps' wrong and refused candidates remembered, as a daemon that ran the first pass has them
    settled += ["failed candidates", "refused candidates"]
    # the compositions sweep, once after the first pass: recorded, so a start resumes it as a daemon's does
    settled.append("compositions swept")
    # The sweeps are run on their own: `mine` runs them only before a batch, and with every once-per-sequence
    # strategy spent it claims no batch.
    if first_pass.get("settled") == settled:
        return first_pass
    cfg["database"]["url"] = f"sqlite:///{cache / STATE_DB}"
    engine = storage.connect(cfg["database"]["url"])
    added = first_pass.setdefault("added", {})
    for _ in range(5):
        start = time.monotonic()
        ctx = build_context(cfg, engine)
        try:
            swept = run_sweep(ctx, engine, only=wanted)
        finally:
            ctx.close()
        summary = mine(cfg, strategies=wanted, engine=engine)
        # sequences that gained their first program (a shorter one for a provisional hit is no new sequence)
        hits = sum(1 for h in swept.found + summary.found if h.outcome == "new")
        added[f"pass {len(added) + 1}"] = {
            "strategies": wanted, "hits": hits, "sweep_hits": swept.hits,
            "cpu_seconds": round(swept.cpu_seconds + summary.cpu_seconds, 1),
            "wall_seconds": round(time.monotonic() - start, 1), "sequences_tried": summary.tried,
            "by_strategy": {k: v.hits for k, v in sorted(summary.per_strategy.items()) if v.hits}}
        first_pass["hits"] += hits
        if not hits:
            first_pass["settled"] = settled
            break
    if "compositions" in cfg["mine"]["strategies"]:
        start = time.monotonic()
        ctx = build_context(cfg, engine)
        swept = BatchSummary()
        try:
            while sweeps_due(ctx, ["compositions"], wait=False):
                swept.add(run_sweep(ctx, engine, only=["compositions"], wait=False))
        finally:
            ctx.close()
        hits = sum(1 for h in swept.found if h.outcome == "new")
        added["compositions"] = {"hits": hits, "cpu_seconds": round(swept.cpu_seconds, 1),
                                 "wall_seconds": round(time.monotonic() - start, 1)}
        first_pass["hits"] += hits
    (cache / "first_pass.json").write_text(json.dumps(first_pass, indent=1) + "\n")
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return first_pass


def mined_sequences(path: Path) -> int:
    """The targets with a program the miner found, in the cached database."""
    import sqlite3

    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("select count(distinct a_number) from programs where origin = 'mined'").fetchone()[0])


def saved_index(cache: Path) -> Path:
    """The folder holding the retrieval index of the cached database, as a daemon's data folder holds it
    after its first pass (`corpus_index` loads it, or builds and saves it when missing or stale)."""
    import storage
    from miner.mine.context import load_corpus, load_known
    from miner.search.family import corpus_index
    from miner.search.types import SearchContext

    folder = cache / "cache" / "retrieval"
    engine = storage.connect(f"sqlite:///{cache / STATE_DB}")
    try:
        corpus, _ = load_corpus(engine)
        known = load_known(engine, corpus.ids())
    finally:
        engine.dispose()
    corpus_index(SearchContext(corpus=corpus, known=known, cache_dir=str(folder)))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--model", default="", help="model folder (default: the promoted, else the bundled model)")
    parser.add_argument("--cache", default=str(ROOT / "tmp" / "steady_state"),
                        help="folder of the cached first-pass database")
    parser.add_argument("--rebuild", action="store_true", help="run the first pass again")
    parser.add_argument("--strategies", default="", help="only these strategies (default: [mine] strategies)")
    parser.add_argument("--seed", type=int, default=1, help="[mine] seed (bandit, mutation)")
    args = parser.parse_args()

    from miner.mine.loop import FIRST_PASS_SWEEPS, mine

    cache = Path(args.cache)
    if args.rebuild or not (cache / STATE_DB).is_file():
        build_state(cache)
    first_pass = bring_up_to_date(cache, json.loads((cache / "first_pass.json").read_text()))
    programmed = mined_sequences(cache / STATE_DB)
    saved = saved_index(cache)
    work = workdir()
    shutil.copy(cache / STATE_DB, work / STATE_DB)
    shutil.copytree(saved, work / "cache" / "retrieval")
    cfg = bench_cfg(work)
    cfg["database"]["url"] = f"sqlite:///{work / STATE_DB}"
    cfg["train"]["model_dir"] = args.model
    cfg["mine"]["random_seed"] = args.seed
    strategies = [s for s in args.strategies.split(",") if s] or None
    cpu = cpu_now()
    summary = mine(cfg, minutes=args.minutes, strategies=strategies)
    main_cpu = cpu_now() - cpu
    all_cpu = main_cpu + summary.worker_process_seconds
    shutil.rmtree(work, ignore_errors=True)
    hours = summary.cpu_seconds / 3600
    sweep_cpu = sum(summary.per_strategy[s].cpu_seconds for s in FIRST_PASS_SWEEPS if s in summary.per_strategy)
    # A sequence whose only program was provisional stays a target, and a shorter program for it is stored
    # ("replaced"): an improvement, not a sequence solved, so it is counted apart.
    verified = [h for h in summary.found if h.outcome == "new"]
    replaced = [h for h in summary.found if h.outcome == "replaced"]
    from_model = [h for h in verified if h.strategy in MODEL]
    by_strategy: dict[str, int] = {}
    for h in verified:
        by_strategy[h.strategy] = by_strategy.get(h.strategy, 0) + 1
    print(json.dumps({
        "benchmark": "steady_state",
        "minutes": args.minutes,
        "first_pass": {k: first_pass[k] for k in ("targets", "hits", "cpu_seconds", "wall_seconds", "added")
                       if k in first_pass},
        # what the database holds: the sum of the passes' hits counted shorter programs too until 2026-12-05
        "sequences_with_a_program": programmed,
        "left_after_first_pass": first_pass["targets"] - programmed,
        "sequences_tried": summary.tried,
        "batches": summary.batches,
        "hits": len(verified),
        "replaced": len(replaced),
        "mining_cpu_seconds": round(summary.cpu_seconds, 1),
        "hits_per_cpu_hour": round(len(verified) / hours, 1) if hours else None,
        # The sweeps at start find nothing the first pass did not: a start-up cost, shown apart.
        "hits_per_cpu_hour_without_start_sweep": round(len(verified) * 3600 / (summary.cpu_seconds - sweep_cpu), 1)
        if summary.cpu_seconds > sweep_cpu else None,
        "hits_per_cpu_hour_by_strategy": {k: round(v / hours, 1) for k, v in sorted(by_strategy.items())}
        if hours else {},
        "model_hits": len(from_model),
        "model_hits_direct": sum(1 for h in from_model if h.route == "direct"),
        "model_hits_via_matcher": sum(1 for h in from_model if h.route in MATCHER_ROUTES),
        "share_of_hits": share(verified),
        "candidates": summary.candidates,
        "per_strategy": {k: vars(v) for k, v in sorted(summary.per_strategy.items())},
        "main_process_cpu_seconds": round(main_cpu, 1),
        "checker_process_cpu_seconds": round(summary.worker_process_seconds, 1),
        # every CPU second of the run: the setup (corpus, index, model) and the workers' pipe included
        "hits_per_cpu_hour_all_processes": round(len(verified) * 3600 / all_cpu, 1) if all_cpu else None,
        "wall_seconds": round(summary.wall_seconds, 1),
        "found": sorted(f"{h.a_number} {h.strategy}/{h.route}" for h in verified),
        "replaced_programs": sorted(f"{h.a_number} {h.strategy}/{h.route}" for h in replaced),
    }))


if __name__ == "__main__":
    main()
