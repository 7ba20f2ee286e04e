"""The database as the corpus: reading every program from it against reading the tarball.

    python benchmarks/corpus_read.py [--data ../shared/data] [--db PATH]

Ingests the full OEIS files and program tarball into a SQLite database (or reuses `--db`), then times
what a command does to get its corpus: `Corpus.from_path(tarball)` against the database read
(`miner.cli.corpus.from_database`: every program with its name and terms as a header), and parsing the
headers of both (`training.data.corpus_sequences`). Prints one JSON object; the goal is a database
read no slower than the tarball's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(out: dict, key: str, fn):  # noqa: ANN001, ANN202
    """Run fn(); the best of three wall and CPU times under key (the machine may be shared)."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    out[f"{key}_seconds"] = round(best_wall, 2)
    out[f"{key}_cpu_seconds"] = round(best_cpu, 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--db", type=Path, help="an ingested database to reuse (default: a fresh one)")
    args = parser.parse_args()

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    import storage
    from miner.cli import corpus as corpora
    from miner.core import config
    from miner.lang import Corpus
    from miner.service import refresh
    from miner.service.corpus_import import import_programs

    oeis = args.data / "oeis"
    tarball = sorted((args.data / "programs").glob("*.tar.gz"))[-1]
    with tempfile.TemporaryDirectory(prefix="corpus-read-") as tmp:
        cfg = config.defaults_in(tmp)
        if args.db:
            cfg["database"]["url"] = f"sqlite:///{args.db}"
        engine = storage.connect(cfg["database"]["url"])
        with storage.session_scope(engine, readonly=True) as session:
            empty = storage.summary(session).corpus_programs == 0
        if empty:
            cfg["sources"].update(names_url=str(oeis / "names.gz"), stripped_url=str(oeis / "stripped.gz"),
                                  offsets_url=str(oeis / "offsets.gz"), programs_url=str(tarball))
            refresh.refresh(cfg, engine, allow_snapshot=False)
            import_programs(cfg, engine, allow_snapshot=False)
        engine.dispose()
        out: dict[str, object] = {}
        from_tar = _timed(out, "tarball_read", lambda: Corpus.from_path(tarball))
        from_db = _timed(out, "database_read", lambda: corpora.from_database(cfg))
        from training.data import corpus_sequences

        with_terms_tar = _timed(out, "tarball_headers", lambda: corpus_sequences(from_tar))
        with_terms_db = _timed(out, "database_headers", lambda: corpus_sequences(from_db))
        out.update(tarball_programs=len(from_tar), database_programs=len(from_db),
                   tarball_with_terms=len(with_terms_tar), database_with_terms=len(with_terms_db))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
