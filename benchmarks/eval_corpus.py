"""Evaluation speed on a fixed, seeded sample of corpus programs (all header terms); prints one JSON object.

    python benchmarks/eval_corpus.py [--sample 2000] [--seed 2026] [--max-seconds 30] [--interpreter]

The corpus (and its memo of seq results) is shared across the sample, as in the miner.
Parsing and loading the tarball are not timed; compiling is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miner.lang import Corpus, Limits, check_terms, read_header  # noqa: E402
from miner.lang import evaluator  # noqa: E402

TARBALL = ROOT.parent / "shared" / "data" / "programs" / "loda-programs-oeis-2026-04-01.tar.gz"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--programs", default=str(TARBALL))
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--max-seconds", type=float, default=30.0)
    ap.add_argument("--interpreter", action="store_true", help="force the general interpreter (baseline)")
    args = ap.parse_args()

    corpus = Corpus.from_path(args.programs)
    ids = sorted(random.Random(args.seed).sample(corpus.ids(), args.sample))
    programs = {a: corpus.get(a) for a in ids}
    if args.interpreter:
        from miner.lang import compiler
        compiler.compile_run = lambda program, max_memory=0: None  # type: ignore[assignment]
        compiler.compile_dict_run = lambda program, max_memory=0: None  # type: ignore[assignment]
    limits = Limits(max_seconds=args.max_seconds)
    per_program, per_program_cpu, terms, steps, compiled = [], [], 0, 0, 0
    failed: list[dict] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for a in ids:
        program = programs[a]
        expected = read_header(program).terms
        t, c = time.perf_counter(), time.process_time()
        result = check_terms(program, expected, corpus, limits)
        per_program.append((time.perf_counter() - t, a))
        per_program_cpu.append(time.process_time() - c)
        compiled += evaluator.compile_program(program, limits.max_memory).compiled
        terms += result.matched
        steps += result.steps
        if not result.ok:
            failed.append({"id": f"A{a:06d}", "matched": result.matched, "error": result.error})
    total, cpu_total = time.perf_counter() - start, time.process_time() - cpu_start
    times = sorted(t for t, _ in per_program)
    cpu_times = sorted(per_program_cpu)
    print(json.dumps({
        "programs": len(ids), "seed": args.seed, "failed": len(failed), "compiled": compiled,
        "total_seconds": round(total, 2), "programs_per_s": round(len(ids) / total, 1),
        "terms_per_s": round(terms / total), "steps_per_s": round(steps / total),
        "median_ms": round(statistics.median(times) * 1000, 3),
        "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 3),
        "cpu_seconds": round(cpu_total, 2), "cpu_median_ms": round(statistics.median(cpu_times) * 1000, 3),
        "cpu_p90_ms": round(cpu_times[int(len(cpu_times) * 0.9)] * 1000, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "failures": failed,
        "slowest": [{"id": f"A{a:06d}", "seconds": round(t, 3)} for t, a in sorted(per_program, reverse=True)[:10]],
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
