"""Importing a loda-programs corpus (folder, tarball, URL) and the data commands of the CLI."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest

import storage
from miner.core import config
from miner.cli import main
from miner.service.corpus_import import import_path, import_programs
from miner.sources.programs import CorpusError, strip_header
from miner.core.stopping import Stopped

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "oeis"

FIB = """; A000045: Fibonacci numbers.
; Submitted by Someone
; 0,1,1,2,3,5,8,13

; the classic loop
mov $3,1
lpb $0
  sub $0,1
  mov $2,$1
  add $1,$3
  mov $3,$2
lpe
mov $0,$1
"""
POWERS = """; A000079: Powers of 2.
; 1,2,4,8

mov $1,2
pow $1,$0
mov $0,$1
"""
BROKEN = """; A000290: The squares.
; 0,1,4,9

mov $1,$0
mul $1,$0 $0
mov $0,$1
"""
IDENTITY = """; A000027: The positive integers.
; 1,2,3,4

#offset 1
"""


def write_corpus(root: Path, programs: dict[str, str]) -> Path:
    for name, text in programs.items():
        path = root / "oeis" / name[1:4] / f"{name}.asm"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "README.md").write_text("not a program")
    return root


def make_tarball(folder: Path, target: Path, prefix: str = "loda-programs-main") -> Path:
    with tarfile.open(target, "w:gz") as tar:
        tar.add(folder, arcname=prefix)
    return target


@pytest.fixture
def cfg(tmp_path):
    c = config.defaults_in(tmp_path / "data")
    c["sources"].update(retries=1, backoff=0.05, min_interval=0.0, connect_timeout=1.0, read_timeout=2.0)
    return c


@pytest.fixture
def engine(cfg):
    eng = storage.connect(cfg["database"]["url"])
    yield eng
    eng.dispose()


def corpus_codes(engine) -> dict[int, str]:
    with storage.session_scope(engine, readonly=True) as s:
        return storage.program_codes(s, origin="corpus")


def test_strip_header_keeps_the_code_and_its_comments():
    assert strip_header(FIB).startswith("; the classic loop\nmov $3,1\n")
    assert strip_header(IDENTITY) == "#offset 1\n"
    assert strip_header("mov $0,1") == "mov $0,1\n"


def test_folder_import_reports_broken_files_and_is_idempotent(tmp_path, engine):
    root = write_corpus(tmp_path / "loda-programs",
                        {"A000045": FIB, "A000079": POWERS, "A000290": BROKEN, "A000027": IDENTITY})
    stats = import_path(engine, root)
    assert (stats.seen, stats.added, stats.changed, stats.unchanged) == (4, 3, 0, 0)
    assert len(stats.broken) == 1
    assert "A000290.asm:5:" in stats.broken[0]  # file and line of `mul $1,$0 $0`
    assert set(corpus_codes(engine)) == {27, 45, 79}
    again = import_path(engine, root)
    assert (again.added, again.changed, again.unchanged, len(again.broken)) == (0, 0, 3, 1)
    # Fixing the broken file and changing one program.
    write_corpus(root, {"A000290": BROKEN.replace("mul $1,$0 $0", "mul $1,$0"),
                        "A000079": POWERS.replace("; 1,2,4,8", "; 1,2,4,8,16")})
    fixed = import_path(engine, root)
    assert (fixed.added, fixed.changed, fixed.unchanged, fixed.broken) == (1, 0, 3, [])
    assert corpus_codes(engine)[290] == "mov $1,$0\nmul $1,$0\nmov $0,$1\n"


def test_a_stop_while_reading_stores_no_program(tmp_path, engine):
    root = write_corpus(tmp_path / "loda-programs", {"A000045": FIB, "A000079": POWERS})
    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped, match="reading programs"):
        import_path(engine, root, stop_event=stop)
    assert corpus_codes(engine) == {}
    assert import_path(engine, root, stop_event=threading.Event()).added == 2


def test_programs_count_once_their_sequences_arrive(tmp_path, engine):
    import_path(engine, write_corpus(tmp_path / "c", {"A000045": FIB}))
    with storage.session_scope(engine) as s:
        assert storage.lacking(s) == []
    storage.apply_refresh(engine, [storage.SequenceRecord(45, "Fibonacci", [0, 1, 1], 0),
                                   storage.SequenceRecord(79, "Powers of 2", [1, 2, 4], 0)])
    with storage.session_scope(engine) as s:
        assert storage.lacking(s) == [79]


def test_tarball_import_by_path_and_url(tmp_path, cfg, engine):
    from test_sources import Server

    folder = write_corpus(tmp_path / "src", {"A000045": FIB, "A000079": POWERS})
    tarball = make_tarball(folder, tmp_path / "main.tar.gz")
    stats, origin = import_programs(cfg, engine, str(tarball))
    assert (stats.added, origin) == (2, str(tarball))
    srv = Server()
    srv.thread.start()
    try:
        url = srv.serve("/main.tar.gz", (200, tarball.read_bytes(), {}))
        stats, origin = import_programs(cfg, engine, url)
        assert (stats.added, stats.unchanged, origin) == (0, 2, url)
        # A truncated archive fails the whole import and stores nothing.
        data = tarball.read_bytes()
        (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
        other = write_corpus(tmp_path / "src2", {"A000290": BROKEN.replace(" $0\n", "\n")})
        storage_before = corpus_codes(engine)
        with pytest.raises(CorpusError, match="cut.tar.gz"):
            import_programs(cfg, engine, str(tmp_path / "cut.tar.gz"))
        assert corpus_codes(engine) == storage_before
        assert other.is_dir()
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


def test_real_corpus_sample_imports(sample_tarball, tmp_path, engine):
    # The programs of the real sample tarball, repacked: all must parse.
    sample = tmp_path / "sample.tar.gz"
    with tarfile.open(sample_tarball, "r|gz") as src, tarfile.open(sample, "w:gz") as dst:
        count = 0
        for member in src:
            if member.isfile() and member.name.endswith(".asm"):
                dst.addfile(member, io.BytesIO(src.extractfile(member).read()))
                count += 1
    stats = import_path(engine, sample)
    assert count > 700 and stats.added == count and stats.broken == []
    code = corpus_codes(engine)[45]
    assert "Submitted by" not in code and not code.startswith("; A000045")


def write_config(tmp_path: Path, **sources: str) -> Path:
    lines = [f"[paths]\ndata_dir = '{tmp_path / 'data'}'\n", "[sources]"]
    lines += [f"{key} = '{value}'" for key, value in sources.items()]
    lines += ["retries = 0", "min_interval = 0.0"]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_fetch_import_and_programs(tmp_path, capsys):
    folder = write_corpus(tmp_path / "corpus", {"A000045": FIB})
    conf = write_config(tmp_path, names_url=str(FIXTURES / "names"), stripped_url=str(FIXTURES / "stripped"),
                        offsets_url=str(FIXTURES / "offsets"), programs_url=str(folder))
    assert main(["--config", str(conf), "fetch"]) == 0
    out = capsys.readouterr().out
    assert "5 added" in out and "programs from" in out and "1 added" in out
    assert main(["--config", str(conf), "import-programs", str(tmp_path / "missing")]) == 65
    assert "import failed, nothing changed" in capsys.readouterr().err

    engine = storage.connect(f"sqlite:///{tmp_path / 'data' / 'loda-miner.db'}")
    storage.store_hit(engine, storage.Hit(79, "mov $1,2\npow $1,$0\nmov $0,$1\n", "beam", None, 2, 1.25, 21))
    engine.dispose()

    assert main(["--config", str(conf), "programs", "--format", "json"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert (row["a_number"], row["name"], row["strategy"], row["beam_rank"]) == (
        "A000079", "Powers of 2: a(n) = 2^n.", "beam", 2)
    assert main(["--config", str(conf), "programs"]) == 0
    asm = capsys.readouterr().out
    assert asm.startswith("; A000079: Powers of 2: a(n) = 2^n.\n") and "pow $1,$0" in asm
    assert main(["--config", str(conf), "programs", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["--config", str(conf), "programs", "--since", "yesterday"]) == 2

    # The user's one-line SQL query.
    with sqlite3.connect(tmp_path / "data" / "loda-miner.db") as db:
        assert db.execute("select a_number, name from discovered_programs").fetchall() == [
            ("A000079", "Powers of 2: a(n) = 2^n.")]
