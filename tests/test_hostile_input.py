"""Hostile input, one finding of issue #23 per test: line ends, sizes, digits, duplicates, names,
time limits inside costly operations and compilation, Retry-After, the job store, checkpoints."""

from __future__ import annotations

import gzip
import io
import resource
import tarfile
import time
from pathlib import Path

import pytest

import storage
from miner.core import config
from miner.lang import Limits, check_terms, evaluate, parse, read_header
from miner.lang import parser as lang_parser
from miner.lang.corpus import Corpus
from miner.lang.errors import TimeLimitError
from miner.lang.parser import ParseError
from miner.service import corpus_import, refresh
from miner.sources import bfile, oeis
from miner.sources.programs import export_program, render, strip_header

BREAKS = ["\u2028", "\u2029", "\x0c", "\x0b", "\x85", "\r", "\x1c", "\x1e"]


# --- lines end at \n or \r\n only, as loda-cpp reads them --------------------------------------------

@pytest.mark.parametrize("brk", BREAKS)
def test_a_line_break_character_inside_a_comment_stays_comment(brk):
    program = parse(f"mov $0,1 ; one{brk}mov $0,2\nadd $0,1\n")
    assert evaluate(program, 1) == [2]  # not 3: `mov $0,2` is comment text
    assert [op.op for op in program.ops] == ["mov", "add"]


def test_crlf_ends_a_line():
    assert evaluate("mov $0,1\r\nadd $0,1\r\n", 1) == [2]


@pytest.mark.parametrize("brk", BREAKS)
def test_a_name_with_a_line_break_is_exported_on_one_line(tmp_path, brk):
    name = f"Evil{brk}mov $0,42"
    path = export_program(tmp_path, 7, name, [1, 1], "mov $0,1\n")
    text = path.read_text()
    assert text.splitlines()[0] == "; A000007: Evil mov $0,42"  # no reader splits the header line
    assert evaluate(text, 2) == [1, 1]
    assert read_header(text).a_number == 7
    assert strip_header(render(7, name, [1], "mov $0,1\n", f"me{brk}add $0,1")) == "mov $0,1\n"


@pytest.mark.parametrize("brk", BREAKS)
def test_oeis_and_bfile_lines_end_at_newline_only(tmp_path, brk):
    names = tmp_path / "names"
    names.write_bytes(f"A000001 Name with{brk}A000002 fake\nA000003 Third\r\n".encode())
    report = oeis.ParseReport()
    assert oeis.read_names(names, report) == {1: f"Name with{brk}A000002 fake".strip(), 3: "Third"}
    assert bfile.parse_bfile(f"0 1\n1 2{brk}2 3\n2 5\r\n", "b") == [1]  # the second line is malformed


# --- OEIS files: digits, long terms, duplicates, long lines ----------------------------------------

def _oeis_files(tmp_path: Path, names: str, stripped: str, offsets: str = "") -> list[Path]:
    paths = []
    for name, text in (("names", names), ("stripped", stripped), ("offsets", offsets)):
        path = tmp_path / f"{name}.gz"
        path.write_bytes(gzip.compress(text.encode()))
        paths.append(path)
    return paths


def test_non_ascii_digits_are_malformed_not_stored(tmp_path):
    report = oeis.ParseReport()
    names, stripped, offsets = _oeis_files(tmp_path, "A000001 One\nA000002 Two\n",
                                           "A000001 ,1,\u0662,3,\nA000002 ,1,2,\n", "A000001: \u0661\n")
    records = list(oeis.iter_sequences(names, stripped, offsets, report))
    assert [(r.a_number, r.terms, r.offset) for r in records] == [(2, [1, 2], 0), (1, [], 0)]
    assert report.total_malformed == 2


def test_a_term_over_4300_digits_skips_its_line_not_the_refresh(tmp_path):
    report = oeis.ParseReport()
    huge = "9" * 5000
    names, stripped, offsets = _oeis_files(tmp_path, "A000001 One\nA000002 Two\n",
                                           f"A000001 ,1,{huge},\nA000002 ,1,2,\n", "A000001: 0\nA000002: 0\n")
    records = {r.a_number: r for r in oeis.iter_sequences(names, stripped, offsets, report)}
    assert records[2].terms == [1, 2] and records[1].terms == []
    assert report.malformed == {stripped.name: 1} and "5000" not in report.examples[0][:60]


def test_a_repeated_a_number_keeps_its_first_line_and_name(tmp_path):
    report = oeis.ParseReport()
    names, stripped, offsets = _oeis_files(tmp_path, "A000001 One\nA000001 Other\nA0000002 Seven digits\n",
                                           "A000001 ,1,2,\nA000001 ,3,4,\n", "A000001: 0\n")
    records = list(oeis.iter_sequences(names, stripped, offsets, report))
    assert [(r.a_number, r.name, r.terms) for r in records] == [(1, "One", [1, 2])]
    assert report.total_malformed == 3


def test_a_line_past_the_cap_fails_the_refresh_and_keeps_the_database(tmp_path):
    cfg = config.defaults_in(tmp_path / "data")
    engine = storage.connect(cfg["database"]["url"])
    good = _oeis_files(tmp_path, "A000001 One\n", "A000001 ,1,2,\n", "A000001: 0\n")
    for key, path in zip(refresh.SEQUENCE_KEYS, good):
        cfg["sources"][key] = str(path)
    refresh.refresh(cfg, engine, allow_snapshot=False)
    # A 200 kB names.gz holding one 20 MB line (the review's had 200 MB).
    bomb = tmp_path / "bomb"
    bomb.mkdir()
    names = bomb / "names.gz"
    with gzip.open(names, "wb") as fh:
        fh.write(b"A000001 " + b"x" * (20 << 20) + b"\n")
    assert names.stat().st_size < 200_000
    cfg["sources"]["names_url"] = str(names)
    cfg["sources"]["max_line_bytes"] = 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(oeis.SourceFormatError, match="longer than 1048576 bytes"):
        refresh.refresh(cfg, engine, allow_snapshot=False)
    # The line was never held whole (peak RSS grew by far less than the 20 MB line).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 15_000
    with storage.session_scope(engine, readonly=True) as session:
        assert storage.get_sequences(session, [1])[1].name == "One"
    engine.dispose()


# --- the program corpus: names, sizes, duplicates ----------------------------------------------------

def _tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_corpus_file_names_sizes_and_duplicates_are_reported(tmp_path):
    cfg = config.defaults_in(tmp_path / "data")
    engine = storage.connect(cfg["database"]["url"])
    tarball = _tarball(tmp_path / "p.tar.gz", {
        "top/oeis/000/A000007.asm": b"; A000007: real\nmov $0,1\n",
        "top/oeis/000/A0000007.asm": b"; A000007: shadow\nmov $0,2\n",
        "top/oeis/001/A000008.asm": b"mov $0,3\n",
        "other/oeis/000/A000007.asm": b"mov $0,4\n",
        "top/oeis/000/A000009.asm": b"mov $0,5\n" + b"; " + b"x" * 3000 + b"\n",
    })
    cfg["sources"]["programs_url"] = str(tarball)
    cfg["sources"]["max_program_bytes"] = 2000
    stats, _ = corpus_import.import_programs(cfg, engine)
    with storage.session_scope(engine, readonly=True) as session:
        codes = storage.program_codes(session, origin="corpus")
    assert codes == {7: "mov $0,1\n"}
    broken = "\n".join(stats.broken)
    assert "A0000007.asm: not a loda-programs file name" in broken
    assert "A000008 belongs in oeis/000/" in broken
    assert "other/oeis/000/A000007.asm: A000007 again" in broken
    assert "A000009.asm: 3012 bytes, more than the 2000" in broken
    assert evaluate(Corpus.from_path(tarball).get(7), 1) == [1]
    engine.dispose()


@pytest.mark.slow  # over a second: the full tier
def test_a_huge_tarball_member_is_not_read(tmp_path):
    # A 300 kB archive whose member decompresses to 300 MB: refused from its header, never read.
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("oeis/000/A000001.asm")
        info.size = 300 << 20
        tar.addfile(info, io.BytesIO(b"\0" * info.size))
    assert path.stat().st_size < 400_000
    cfg = config.defaults_in(tmp_path / "data")
    engine = storage.connect(cfg["database"]["url"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stats = corpus_import.import_path(engine, path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000
    assert stats.added == 0 and "more than the 1048576 a program file may have" in stats.broken[0]
    engine.dispose()


# --- time limits inside costly operations and compilation -----------------------------------------

def _cpu(fn):
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def test_time_limit_holds_inside_huge_number_nrt():
    # 3,000 nrt steps on 3,840-bit numbers without a loop end: 10 s and more before the fix.
    program = "mov $1,2\npow $1,3839\nsub $1,1\n" + "mov $2,$1\nnrt $2,2\n" * 3000
    result, cpu = _cpu(lambda: check_terms(program, [0], None, Limits(max_seconds=0.2)))
    assert result.error and result.error.startswith("time limit")
    assert cpu < 2.0


@pytest.mark.parametrize("op", ["dgs $2,2", "lex $2,2", "dir $2,2"])
def test_time_limit_holds_inside_other_slow_operations(op):
    program = "mov $1,2\npow $1,3839\n" + f"mov $2,$1\n{op}\n" * 3000
    result, cpu = _cpu(lambda: check_terms(program, [0], None, Limits(max_seconds=0.2)))
    assert result.error and result.error.startswith("time limit")
    assert cpu < 2.0


def test_a_huge_program_is_refused_before_it_costs_seconds_and_memory():
    text = "add $0,1\n" * 100_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, cpu = _cpu(lambda: check_terms(text, [100_000], None, Limits(max_seconds=1)))
    assert result.error and f"longer than {lang_parser.MAX_OPERATIONS} operations" in result.error
    assert cpu < 1.0 and resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000
    with pytest.raises(ParseError, match="100001|10001"):
        parse(text)


def test_compiling_counts_against_the_time_limit():
    # The longest program allowed, compiled under a deadline that has passed: the clock is checked
    # while translating, not only once terms run.
    text = "mov $1,$0\n" + "lpb $1\nsub $1,1\nadd $0,1\nlpe\n" * (lang_parser.MAX_OPERATIONS // 4 - 1)
    result = check_terms(text, [0], None, Limits(max_seconds=1e-9))
    assert result.error and result.error.startswith("time limit")
    with pytest.raises(TimeLimitError):
        evaluate(text, 1, None, Limits(max_seconds=1e-9))


def test_no_stale_deadline_after_an_evaluation():
    from miner.lang import semantics as S

    check_terms("mov $0,1\n", [1], None, Limits(max_seconds=0.001))
    time.sleep(0.01)
    assert S.nrt(1 << 3000, 2) == 1 << 1500  # outside an evaluation: no budget to run out of
