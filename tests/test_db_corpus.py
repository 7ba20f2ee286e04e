"""The database is the corpus: right after `fetch`, the commands that read programs (eval, check,
train, generate...) use the stored ones when no path is given; a path still overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIB_TERMS = "0,1,1,2,3,5,8,13,21,34"


def _cli(config: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LODA_MINER_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "miner", *args, "--config", str(config)], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory, real_data: Path, sample_tarball: Path) -> Path:
    """A config whose sources are the real-data fixtures, after one `loda-miner fetch`."""
    folder = tmp_path_factory.mktemp("fetched")
    oeis = real_data / "oeis"
    config = folder / "config.toml"
    config.write_text(
        f"[paths]\ndata_dir = '{folder / 'data'}'\n"
        f"[sources]\nnames_url = '{oeis / 'names.gz'}'\nstripped_url = '{oeis / 'stripped.gz'}'\n"
        f"offsets_url = '{oeis / 'offsets.gz'}'\nprograms_url = '{sample_tarball}'\nretries = 0\n"
        "[log]\nformat = 'json'\nlevel = 'warning'\n"
        "[train]\npreset = 'tiny'\nvocab_size = 600\nmax_source_len = 96\nmax_target_len = 64\n"
        "batch_size = 8\nwarmup_steps = 2\nsynthetic_pairs = 20\nformula_pairs = 20\nrecurrence_pairs = 20\n"
    )
    done = _cli(config, "fetch")
    assert done.returncode == 0, done.stderr
    return config


@pytest.mark.slow  # over a second: the full tier
def test_eval_an_a_number_right_after_fetch(fetched: Path) -> None:
    done = _cli(fetched, "eval", "A000045", "-t", "10")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == FIB_TERMS
    # A program calling another through seq resolves it from the database too.
    caller = fetched.parent / "caller.asm"
    caller.write_text("; A999999: Fibonacci numbers doubled\n; 0,2,2,4,6,10\n\nseq $0,45\nmul $0,2\n")
    done = _cli(fetched, "check", str(caller))
    assert done.returncode == 0 and "ok 6 terms" in done.stdout, done.stdout + done.stderr


def test_a_path_still_overrides_the_database(fetched: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus" / "oeis" / "000"
    folder.mkdir(parents=True)
    (folder / "A000045.asm").write_text("; A000045: not Fibonacci\n; 7,7\n\nmov $0,7\n")
    done = _cli(fetched, "eval", "A000045", "-t", "3", "--programs", str(tmp_path / "corpus"))
    assert done.returncode == 0 and done.stdout.strip() == "7,7,7", done.stderr


@pytest.mark.slow
def test_train_reads_the_database_with_no_corpus_given(fetched: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _cli(fetched, "train", "--limit", "60", "--max-steps", "2", "--out", str(out), "--no-eval")
    assert done.returncode == 0, done.stderr
    assert (out / "model" / "config.json").is_file()
    assert sum(1 for _ in open(out / "pairs" / "train.jsonl")) > 20
    assert "from the cache" not in done.stderr
    # The same corpus and settings again: the pairs come from the cache, not rebuilt.
    again = _cli(fetched, "train", "--limit", "60", "--max-steps", "2", "--out", str(tmp_path / "again"), "--no-eval")
    assert again.returncode == 0 and "training pairs from the cache" in again.stderr, again.stderr
    assert (tmp_path / "again" / "pairs" / "train.jsonl").read_text() == (out / "pairs" / "train.jsonl").read_text()


def test_program_files_carry_the_sequences_name_and_terms(fetched: Path) -> None:
    import storage
    from miner.core import config as config_mod
    from miner.lang import read_header

    cfg = config_mod.load(fetched)
    engine = storage.connect(cfg["database"]["url"])
    try:
        with storage.session_scope(engine, readonly=True) as session:
            files = storage.program_files(session)
    finally:
        engine.dispose()
    header = read_header(files[45])
    assert header.a_number == 45 and header.name.startswith("Fibonacci numbers")
    assert ",".join(map(str, header.terms[:10])) == FIB_TERMS
