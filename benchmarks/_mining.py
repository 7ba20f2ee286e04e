"""Shared set-up of the mining benchmarks: the real data, a throw-away database, a config for it."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
TARBALL = DATA / "programs" / "loda-programs-oeis-2026-04-01.tar.gz"

from miner.mine.trust import MATCH_ROUTES as MATCHER_ROUTES  # noqa: E402 - after the path is set
MODEL = ("beam", "sample", "name_only", "terms_only")


def load_data() -> tuple[dict[int, Any], dict[int, str]]:
    """(every OEIS sequence, every corpus program text)."""
    from tests import testbed

    return testbed.read_oeis(DATA / "oeis"), testbed.read_corpus(TARBALL)


def bench_cfg(workdir: Path, workers: int = 1) -> dict[str, Any]:
    """Default config with every path inside `workdir`, offline deep checks, quiet logs; the environment's
    `LODA_MINER_<SECTION>_<KEY>` settings on top (for comparisons), but never its database or paths."""
    import os

    from miner.core import config, log

    cfg = config.defaults_in(workdir)
    cfg["mine"].update(workers=workers, deep_check=False, random_seed=1)
    config.apply_environment(cfg, {k: v for k, v in os.environ.items()
                                   if not k.startswith(("LODA_MINER_DATABASE_", "LODA_MINER_PATHS_"))})
    log.configure("warning", "json")
    return cfg


def workdir() -> Path:
    # Memory-backed when available: the database import is write-heavy.
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="loda-miner-bench-", dir=shm if shm.is_dir() else None))


def share(found: list[Any]) -> dict[str, float]:
    """Share of hits per source: matchers (sweep and matcher routes), repair, recurrence, formula,
    mutation, model."""
    groups: dict[str, int] = {}
    for h in found:
        if h.strategy == "corpus_sweep" or h.route in MATCHER_ROUTES:
            key = "matchers"
        elif h.strategy in MODEL:
            key = "model"
        else:
            key = h.strategy
        groups[key] = groups.get(key, 0) + 1
    total = max(len(found), 1)
    return {k: round(v / total, 3) for k, v in sorted(groups.items())}


def cpu_now() -> float:
    return time.process_time()
