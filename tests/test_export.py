"""Export: loda-programs files with the usual header, written atomically, rebuilt from the database."""

from __future__ import annotations

import random

import storage
from miner.mine import bandit
from miner.core import config
from miner.service.export import export_all
from miner.sources.programs import export_program, program_path, render, terms_line

FIB = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
CODE = "mov $1,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$3\n"


def test_render_has_the_usual_header():
    text = render(45, "Fibonacci numbers.", FIB, CODE, "loda-miner")
    assert text == ("; A000045: Fibonacci numbers.\n; Submitted by loda-miner\n; 0,1,1,2,3,5,8,13,21,34\n\n"
                    + CODE)
    with_offset = render(27, "The natural numbers.", [1, 2, 3], "; old header\n#offset 1\n\nmov $0,$0\n", "me")
    assert with_offset.endswith("; 1,2,3\n\n#offset 1\n\nmov $0,$0\n")
    assert "old header" not in with_offset


def test_terms_line_is_capped_like_the_corpus():
    assert terms_line(list(range(200))).count(",") == 79
    big = [10**30] * 80
    line = terms_line(big)
    assert len(line) <= 500 and line.count(",") < 79


def test_export_writes_atomically_and_replaces(tmp_path):
    path = export_program(tmp_path, 45, "Fibonacci numbers.", FIB, CODE)
    assert path == tmp_path / "oeis" / "000" / "A000045.asm"
    assert path.read_text().endswith(CODE)
    shorter = "mov $0,1\n"
    export_program(tmp_path, 45, "Fibonacci numbers.", FIB, shorter)
    assert path.read_text().endswith("\n\n" + shorter)
    assert [p.name for p in path.parent.iterdir()] == ["A000045.asm"]  # no temporary files left


def test_export_all_rebuilds_every_file_from_the_database(tmp_path):
    cfg = config.defaults_in(tmp_path)
    engine = storage.connect(cfg["database"]["url"])
    storage.apply_refresh(engine, [storage.SequenceRecord(45, "Fibonacci numbers.", FIB, 0),
                                   storage.SequenceRecord(1234567, "A seven-digit one.", [1, 2, 3], 1)])
    storage.store_hit(engine, storage.Hit(45, CODE, "beam"))
    storage.store_hit(engine, storage.Hit(1234567, "#offset 1\n\nmov $0,$0\n", "formula"))
    assert export_all(engine, cfg) == 2
    fib = program_path(cfg["paths"]["export_dir"], 45)
    big = program_path(cfg["paths"]["export_dir"], 1234567)
    assert big.name == "A1234567.asm" and big.parent.name == "1234"
    assert big.read_text().startswith("; A1234567: A seven-digit one.\n")
    fib.unlink()  # a crash lost the file: the database still has the program
    assert export_all(engine, cfg) == 1
    assert fib.read_text().startswith("; A000045: Fibonacci numbers.\n; Submitted by loda-miner\n")
    assert export_all(engine, cfg) == 0  # idempotent


def test_bandit_prefers_the_better_rate_but_explores():
    rng = random.Random(3)
    tallies = {"good": bandit.Tally(hits=50, cpu_seconds=100), "bad": bandit.Tally(hits=1, cpu_seconds=1000)}
    picks = [bandit.choose(["good", "bad", "new"], tallies, rng, exploration=0.1) for _ in range(2000)]
    assert picks.count("good") > 1500
    assert picks.count("bad") > 20 and picks.count("new") > 20  # the floor (and the prior) keep them alive
    greedy = [bandit.choose(["good", "bad"], tallies, rng, exploration=0.0) for _ in range(500)]
    assert greedy.count("bad") < 5
