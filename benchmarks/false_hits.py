"""How many stored hits are wrong: mine held-out corpus sequences shown only a prefix of their terms,
then judge every stored hit against the full terms and the sequence's own program evaluated further.

    python benchmarks/false_hits.py [--sample 1500] [--minutes 60] [--rounds 1] [--mode offline|bfile] [--seed 1]
                                    [--strategies a,b] [--judge-terms 250] [--bfile-terms 150]

Held out: the training split's validation sequences (`training.pairs.is_validation`) that no other
program calls, topped up with a random sample of the other uncalled corpus sequences, their programs
removed from the corpus. Each is shown a prefix whose length is drawn from the real distribution of
known-term counts in stripped.gz (capped at its real count). `--mode bfile` serves longer terms (the
full terms, then its own program's, up to `--bfile-terms`) as b-files through `[sources] bfile_url`
(a local path), so hits are deep-checked; `offline` has no b-files. The truth of a hit is its sequence's
full terms followed by its own program's terms up to `--judge-terms`; a hit is false when any term it
evaluates differs. Prints one JSON object: hits, false hits and rate per strategy, per known-term
bucket and per status. `false_past_oeis` counts the false hits that agree with every OEIS term (shown or hidden) and
differ only from the own program's extension: for a finite sequence ("Divisors of 282.") that extension is no
truth, and the corpus programs of digit lists and Coxeter groups leave their sequences past the OEIS terms.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from _mining import MODEL, bench_cfg, cpu_now, load_data, workdir

from miner.core.config import STRATEGIES

BUCKETS = ((10, "1-10"), (20, "11-20"), (40, "21-40"), (79, "41-79"), (10**9, "80+"))


def bucket(count: int) -> str:
    return next(label for top, label in BUCKETS if count <= top)


def held_out(sequences: dict[int, Any], programs: dict[int, str], sample: int, seed: int) -> list[int]:
    """Validation sequences first, then a random sample of other uncalled ones, `sample` in all."""
    from miner.core import config
    from tests import testbed
    from training.pairs import is_validation

    fraction = float(config.DEFAULTS.get("train", {}).get("valid_fraction", 0.02))
    pool = testbed.holdout_ids(programs, sequences, len(programs), seed)
    rng = random.Random(seed)
    valid = [a for a in pool if is_validation(a, fraction)]
    rng.shuffle(valid)
    chosen = valid[:sample]
    rest = [a for a in pool if not is_validation(a, fraction)]
    chosen += rng.sample(rest, max(0, sample - len(chosen)))
    return sorted(chosen)


def truth_terms(full: list[int], own: Any, corpus: Any, count: int, limits: Any) -> list[int]:
    """The full known terms, then the sequence's own program's further terms (when it agrees on them)."""
    from miner.lang import evaluate_partial

    if len(full) >= count:
        return full[:count]
    terms, _ = evaluate_partial(own, count, corpus, limits)
    if terms[:len(full)] != full[:len(terms)] or len(terms) <= len(full):
        return full
    return terms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1500)
    parser.add_argument("--minutes", type=float, default=60.0, help="wall-clock bound of the mining")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the held-out sequences")
    parser.add_argument("--mode", choices=("offline", "bfile"), default="offline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strategies", default=",".join(s for s in STRATEGIES if s not in MODEL),
                        help="default: every strategy but the model's")
    parser.add_argument("--judge-terms", type=int, default=250)
    parser.add_argument("--bfile-terms", type=int, default=150)
    parser.add_argument("--list", default="", help="write every judged hit as JSON lines to this file")
    args = parser.parse_args()

    import storage
    from miner.lang import Corpus, Limits, evaluate_partial, parse
    from miner.lang.sequence import SequenceRecord
    from miner.mine.checker import with_offset
    from miner.mine.context import build_context
    from miner.mine.loop import BatchSummary, staged_pass
    from tests import testbed

    setup = cpu_now()
    wall = time.monotonic()
    sequences, programs = load_data()
    hidden = held_out(sequences, programs, args.sample, args.seed)
    hidden_set = set(hidden)
    counts = [len(r.terms) for r in sequences.values() if r.terms]
    rng = random.Random(args.seed + 1)
    shown: dict[int, int] = {a: min(len(sequences[a].terms), rng.choice(counts)) for a in hidden}
    keep = {a: t for a, t in programs.items() if a not in hidden_set}
    seqs = {a: r for a, r in sequences.items() if a in keep}
    for a in hidden:
        r = sequences[a]
        seqs[a] = SequenceRecord(a, r.name, list(r.terms[:shown[a]]), r.offset)
    own_corpus = Corpus(programs)  # the held-out programs and what they call
    truth_limits = Limits(max_steps=20_000_000, max_memory=2000, max_seconds=3.0)
    truth_cache: dict[int, list[int]] = {}

    def truth(a: int) -> list[int]:
        if a not in truth_cache:
            own = with_offset(parse(programs[a]), sequences[a].offset)
            truth_cache[a] = truth_terms(list(sequences[a].terms), own, own_corpus, args.judge_terms, truth_limits)
        return truth_cache[a]

    folder = workdir()
    cfg = bench_cfg(folder)
    if args.mode == "bfile":
        bdir = folder / "bfiles"
        bdir.mkdir()
        for a in hidden:
            terms = truth(a)[:args.bfile_terms]
            off = sequences[a].offset
            (bdir / f"b{a:06d}.txt").write_text("".join(f"{off + i} {t}\n" for i, t in enumerate(terms)))
        cfg["mine"]["deep_check"] = True
        cfg["sources"]["bfile_url"] = str(bdir / "b{number:06d}.txt")
    engine = testbed.build_db(cfg["database"]["url"], seqs, keep)
    ctx = build_context(cfg, engine)
    setup_cpu = cpu_now() - setup
    strategies = [s for s in args.strategies.split(",") if s] or None
    total = BatchSummary()
    start = time.monotonic()
    deadline = start + args.minutes * 60
    rounds = 0
    try:
        while time.monotonic() < deadline and rounds < args.rounds:
            rounds += 1  # a round: the first pass's stages before the late one, each on every sequence
            total.add(staged_pass(ctx, engine, hidden, strategies, deadline))
    finally:
        ctx.close()
    mining_wall = time.monotonic() - start

    with storage.session_scope(engine, readonly=True) as session:
        rows = storage.discovered(session)
        codes = storage.program_codes(session)
    hit_corpus = Corpus(codes)
    judge_limits = Limits(max_steps=20_000_000, max_memory=2000, max_seconds=5.0)
    table: dict[str, dict[str, dict[str, int]]] = {"strategy": {}, "bucket": {}, "status": {}}
    listing = []
    judged = false = unjudgeable = past_oeis = 0
    for row in rows:
        a = row.a_number
        if a not in hidden_set:
            continue
        want = truth(a)
        if len(want) <= shown[a]:
            unjudgeable += 1
            continue
        program = with_offset(parse(row.code), sequences[a].offset)
        got, error = evaluate_partial(program, len(want), hit_corpus, judge_limits)
        n = min(len(got), len(want))
        differs = next((i for i in range(n) if got[i] != want[i]), None)
        is_false = differs is not None
        judged += 1
        false += is_false
        oeis = len(sequences[a].terms)
        past_oeis += is_false and differs is not None and differs >= oeis
        status = getattr(row, "status", "") or "stored"
        for kind, key in (("strategy", row.strategy or "?"), ("bucket", bucket(shown[a])), ("status", status)):
            cell = table[kind].setdefault(key, {"hits": 0, "false": 0})
            cell["hits"] += 1
            cell["false"] += is_false
        listing.append({"a_number": a, "strategy": row.strategy, "status": status, "shown": shown[a],
                        "truth": len(want), "compared": n, "differs_at": differs, "error": error,
                        "name": row.name[:100], "code": row.code})
    for kind in table.values():
        for cell in kind.values():
            cell["rate"] = round(cell["false"] / cell["hits"], 4) if cell["hits"] else 0.0
    if args.list:
        Path(args.list).write_text("".join(json.dumps(x) + "\n" for x in listing))
    print(json.dumps({
        "benchmark": "false_hits",
        "mode": args.mode,
        "held_out": len(hidden),
        "minutes": args.minutes,
        "rounds": rounds,
        "shown_terms_by_bucket": {b: sum(1 for a in hidden if bucket(shown[a]) == b) for _, b in BUCKETS},
        "stored_hits": len(rows),
        "judged": judged,
        "unjudgeable": unjudgeable,
        "false_hits": false,
        "false_rate": round(false / judged, 4) if judged else None,
        "false_past_oeis": past_oeis,
        "per_strategy": dict(sorted(table["strategy"].items())),
        "per_bucket": dict(sorted(table["bucket"].items())),
        "per_status": dict(sorted(table["status"].items())),
        "mining_cpu_seconds": round(total.cpu_seconds, 1),
        "mining_wall_seconds": round(mining_wall, 1),
        "setup_cpu_seconds": round(setup_cpu, 1),
        "total_wall_seconds": round(time.monotonic() - wall, 1),
    }))


if __name__ == "__main__":
    main()
