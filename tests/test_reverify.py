"""Hits are re-checked when their sequence's terms change: wrong ones are superseded (kept with their
code, reason and old terms, their export file in the attic), right ones kept."""

from __future__ import annotations

import time

from sqlalchemy import text

import storage
from miner.core import config
from miner.sources.programs import attic_path, export_program, program_path
from miner.mine.reverify import reverify

SQUARES = [n * n for n in range(30)]
EVENS = [2 * n for n in range(30)]


def _cfg(tmp_path):
    cfg = config.defaults_in(tmp_path)
    return cfg


def test_changed_terms_supersede_a_wrong_hit_and_keep_a_right_one(tmp_path):
    cfg = _cfg(tmp_path)
    engine = storage.connect(cfg["database"]["url"])
    storage.apply_refresh(engine, [storage.SequenceRecord(900001, "Squares?", SQUARES[:20], 0),
                                   storage.SequenceRecord(900002, "Even numbers", EVENS[:20], 0)])
    # A program that fits the first 20 terms of a(n) = n^2 only by accident of the data: n^2 mod 400.
    wrong = "pow $0,2\nmod $0,400\n"
    right = "mul $0,2\n"
    for a, code, terms in ((900001, wrong, SQUARES[:20]), (900002, right, EVENS[:20])):
        assert storage.store_hit(engine, storage.Hit(a, code, "recurrence", terms_verified=20)) == "new"
        export_program(cfg["paths"]["export_dir"], a, "x", terms, code, "loda-miner")

    assert reverify(cfg, engine).checked == 0  # nothing changed since the hits were found

    time.sleep(0.01)
    storage.apply_refresh(engine, [storage.SequenceRecord(900001, "Squares?", SQUARES, 0),
                                   storage.SequenceRecord(900002, "Even numbers", EVENS, 0)])
    report = reverify(cfg, engine)
    assert (report.checked, report.kept, report.superseded) == (2, 1, 1)
    assert str(report) == "re-verified 2 hits: 1 kept, 1 superseded"
    with storage.session_scope(engine, readonly=True) as session:
        kept = {row.a_number: row for row in storage.discovered(session)}
        assert 900001 in storage.lacking(session)
        [(a, code, reason, old_terms)] = storage.superseded(session)
        view = dict(session.execute(text("SELECT a_number, status FROM discovered_programs")).all())
    assert set(kept) == {900002} and kept[900002].terms_verified == 30
    assert (a, code, old_terms) == (900001, wrong, ",".join(map(str, SQUARES[:20])))
    assert "term 20" in reason
    assert view == {"A900001": "superseded", "A900002": "verified"}
    assert not program_path(cfg["paths"]["export_dir"], 900001).exists()
    assert attic_path(cfg["paths"]["export_dir"], 900001).read_text().endswith(wrong)
    assert program_path(cfg["paths"]["export_dir"], 900002).exists()

    # Verified on the new terms: not checked again until the sequence changes once more.
    assert reverify(cfg, engine).checked == 0
