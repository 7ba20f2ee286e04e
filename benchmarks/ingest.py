"""Ingest benchmark: the full shared OEIS files and program tarball into an empty SQLite database.

    python benchmarks/ingest.py [--data ../shared/data]

Prints one JSON object: seconds for the first refresh, the corpus import, an unchanged refresh, an
unchanged re-import and the lacking query; peak RSS (MB) of the process. Goals: ingest < 60 s,
unchanged refresh < 15 s, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(out: dict, key: str, fn):  # noqa: ANN001, ANN202
    """Run fn(); record wall and CPU seconds under key (the machine may be shared: CPU is the fair figure)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    out[f"{key}_seconds"] = round(time.perf_counter() - wall, 2)
    out[f"{key}_cpu_seconds"] = round(time.process_time() - cpu, 2)
    return result


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    import storage
    from miner.core import config
    from miner.service import refresh
    from miner.service.corpus_import import import_programs

    oeis = args.data / "oeis"
    tarball = sorted((args.data / "programs").glob("*.tar.gz"))[-1]
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        cfg = config.defaults_in(tmp)
        cfg["sources"].update(names_url=str(oeis / "names.gz"), stripped_url=str(oeis / "stripped.gz"),
                              offsets_url=str(oeis / "offsets.gz"), programs_url=str(tarball))
        engine = storage.connect(cfg["database"]["url"])
        out: dict[str, object] = {}

        first = _timed(out, "refresh", lambda: refresh.refresh(cfg, engine, allow_snapshot=False))
        imported, _ = _timed(out, "import", lambda: import_programs(cfg, engine, allow_snapshot=False))
        for kind in ("", "_cpu"):
            out[f"ingest{kind}_seconds"] = round(out[f"refresh{kind}_seconds"] + out[f"import{kind}_seconds"], 2)
        out["peak_rss_mb_after_ingest"] = _peak_mb()
        again = _timed(out, "unchanged_refresh", lambda: refresh.refresh(cfg, engine, allow_snapshot=False))
        reimported, _ = _timed(out, "unchanged_import", lambda: import_programs(cfg, engine, allow_snapshot=False))

        t0 = time.perf_counter()
        with storage.session_scope(engine, readonly=True) as session:
            lacking = storage.lacking(session)
        out["lacking_query_seconds"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        claimed = storage.claim(engine, "bench", 16, 60)
        out["claim_seconds"] = round(time.perf_counter() - t0, 3)

        out.update(
            sequences_added=first.stats.added, malformed_lines=first.parse.total_malformed,
            programs_added=imported.added, programs_broken=len(imported.broken),
            unchanged_refresh_changed=again.stats.changed + again.stats.added,
            unchanged_import_changed=reimported.changed + reimported.added,
            lacking=len(lacking), claimed=len(claimed),
            database_mb=round(Path(engine.url.database).stat().st_size / 2**20, 1),
            peak_rss_mb=_peak_mb(),
        )
        engine.dispose()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
