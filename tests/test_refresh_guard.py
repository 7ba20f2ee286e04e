"""No upstream file can drop a hit: empty, partial, one-line and shuffled names.gz, stripped.gz and
offsets.gz (real OEIS lines) leave every hit, name, term, offset and export in place; a refresh that
would change too much is not applied, shown in `status`, and applied by `fetch --accept-changes`, after
which a hit that no longer fits is superseded (kept, its file in the attic), never deleted."""

from __future__ import annotations

import gzip
import random
import subprocess
import sys

import pytest
import testbed

import storage
from miner.core import config
from miner.mine.reverify import reverify
from miner.service.export import export_all
from miner.service.refresh import refresh
from miner.sources.programs import attic_path, code_body, program_path, strip_header

FILES = ("names", "stripped", "offsets")
# Real sequences: A000002 (Kolakoski, offset 1) and A000045 (Fibonacci, offset 0) carry the hits.
HITS = (2, 45)
COUNT = 600


def _records(path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line for line in fh if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def real_lines(real_data):
    """The first COUNT sequences of each real file (the same A-numbers in all three)."""
    lines = {kind: _records(real_data / "oeis" / f"{kind}.gz") for kind in ("names", "offsets")}
    ids = {line.split()[0].rstrip(":") for line in lines["offsets"][:COUNT]}
    out = {kind: [line for line in lines[kind] if line.split()[0].rstrip(":") in ids] for kind in lines}
    with gzip.open(real_data / "oeis" / "stripped.gz", "rt", encoding="utf-8") as fh:
        out["stripped"] = [line for line in fh if line.split(" ", 1)[0] in ids]
    return out


def _write(folder, lines: dict[str, list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, rows in lines.items():
        with gzip.open(folder / f"{kind}.gz", "wt", encoding="utf-8") as fh:
            fh.write("# real OEIS lines\n" + "".join(rows))


def _shuffled(rows: list[str], kind: str) -> list[str]:
    """Each A-number keeps its place; the names, terms or offsets are dealt out at random."""
    sep = ": " if kind == "offsets" else " "
    keys = [row.split(sep, 1)[0] for row in rows]
    values = [row.split(sep, 1)[1] for row in rows]
    random.Random(5).shuffle(values)
    return [f"{k}{sep}{v}" for k, v in zip(keys, values)]


def _variants(good: dict[str, list[str]]):
    for kind in FILES:
        rows = good[kind]
        for label, bad in (("empty", []), ("partial", rows[: len(rows) // 3]), ("one-line", rows[-1:]),
                           ("shuffled", _shuffled(rows, kind))):
            yield f"{label} {kind}.gz", {**good, kind: bad}


def _cfg(tmp_path, folder):
    cfg = config.defaults_in(tmp_path)
    for kind in FILES:
        cfg["sources"][f"{kind}_url"] = f"file://{folder}/{kind}.gz"
    return cfg


def _state(cfg, engine) -> tuple:
    with storage.session_scope(engine, readonly=True) as session:
        sequences = storage.get_sequences(session, storage.lacking(session) + list(HITS) + list(range(1, 700)))
        hits = [(r.a_number, r.code, r.status) for r in storage.discovered(session)]
    files = {a: program_path(cfg["paths"]["export_dir"], a).read_text() for a in HITS}
    return {a: (r.name, r.terms, r.offset) for a, r in sequences.items()}, hits, files


@pytest.fixture
def stored(tmp_path, real_lines, sample_tarball):
    """A database refreshed from the good files, with two verified, exported hits."""
    good = tmp_path / "good"
    _write(good, real_lines)
    cfg = _cfg(tmp_path, good)
    engine = storage.connect(cfg["database"]["url"])
    refresh(cfg, engine, allow_snapshot=False)
    corpus = testbed.read_corpus(sample_tarball, set(HITS))
    for a in HITS:
        hit = storage.Hit(a, strip_header(corpus[a]), "formula", terms_verified=100, bfile_checked=True)
        assert storage.store_hit(engine, hit) == "new"
    assert export_all(engine, cfg) == len(HITS)
    return cfg, engine


def test_broken_upstream_files_change_nothing(tmp_path, stored, real_lines):
    cfg, engine = stored
    before = _state(cfg, engine)
    assert before[0][2][2] == 1 and len(before[0]) >= COUNT  # A000002's offset, every sequence stored
    outcomes = {}
    for label, lines in _variants(real_lines):
        folder = tmp_path / label.replace(" ", "_")
        _write(folder, lines)
        try:
            refresh(_cfg(tmp_path, folder), engine, allow_snapshot=False)
            outcomes[label] = "applied"
        except storage.RefreshRejected as exc:
            assert "not applied" in str(exc)
            outcomes[label] = "rejected"
        assert str(reverify(cfg, engine)) == "re-verified 0 hits: 0 kept, 0 superseded", label
        export_all(engine, cfg)
        assert _state(cfg, engine) == before, label
    # Missing lines keep what is stored; other values for most sequences are refused.
    assert {k for k, v in outcomes.items() if v == "rejected"} == {f"shuffled {kind}.gz" for kind in FILES}


@pytest.mark.slow  # over a second: the full tier
def test_a_rejected_refresh_shows_in_status_and_accepting_it_supersedes_never_deletes(tmp_path, stored,
                                                                                      real_lines):
    cfg, engine = stored
    folder = tmp_path / "shuffled"
    _write(folder, {**real_lines, "offsets": _shuffled(real_lines["offsets"], "offsets")})
    conf = tmp_path / "config.toml"
    conf.write_text(f"[paths]\ndata_dir = '{tmp_path}'\n[database]\nurl = '{cfg['database']['url']}'\n"
                    + "[sources]\n" + "".join(f"{k}_url = 'file://{folder}/{k}.gz'\n" for k in FILES)
                    + "[log]\nlevel = 'warning'\n")
    base = [sys.executable, "-m", "miner", "--config", str(conf)]
    fetch = subprocess.run(base + ["fetch", "--no-programs", "--no-snapshot"], capture_output=True, text=True,
                           check=False, timeout=120)
    assert fetch.returncode != 0 and "not applied" in fetch.stderr, fetch.stderr
    status = subprocess.run(base + ["status"], capture_output=True, text=True, timeout=120, check=False)
    assert "refresh   NOT APPLIED" in status.stdout, status.stdout
    assert "2 verified on b-files" in status.stdout

    accepted = subprocess.run(base + ["fetch", "--no-programs", "--no-snapshot", "--accept-changes"],
                              capture_output=True, text=True, timeout=120, check=False)
    assert accepted.returncode == 0, accepted.stderr
    report = reverify(cfg, engine)
    with storage.session_scope(engine, readonly=True) as session:
        offsets = {a: r.offset for a, r in storage.get_sequences(session, HITS).items()}
        kept = {r.a_number for r in storage.discovered(session)}
        superseded = {a: (code, reason) for a, code, reason, _ in storage.superseded(session)}
    moved = {a for a in HITS if offsets[a] != (1 if a == 2 else 0)}
    assert moved and report.superseded == len(moved)  # a hit whose offset moved no longer fits
    for a in HITS:
        if a in moved:
            assert a in superseded and a not in kept
            assert attic_path(cfg["paths"]["export_dir"], a).read_text().endswith(code_body(superseded[a][0]))
            assert not program_path(cfg["paths"]["export_dir"], a).exists()
        else:
            assert a in kept and program_path(cfg["paths"]["export_dir"], a).exists()
