"""Where one of a sequence's programs was read from its name, it decides past the known terms: a short match
neither displaces nor outlasts it where they part (a real database, the real loop and its checker worker)."""

from __future__ import annotations

import storage
import testbed
from miner.core import config
from miner.lang import evaluate, parse
from miner.lang.sequence import SequenceRecord
from miner.mine.loop import mine
from miner.search.coxeter import relation_terms

FREE, GROUP = 900001, 900002
# The free product of 36 groups of order 2: 1, 36, 36*35, ... The Coxeter group with (S_i S_j)^26 = I has
# as many words of each length up to 25, then fewer.
FREE_PROGRAM = "mov $1,35\npow $1,$0\nmul $1,36\ndiv $1,35\nmov $0,$1\n"
GROUP_NAME = ("Number of reduced words of length n in Coxeter group on 36 generators S_i with relations "
              "(S_i)^2 = (S_i S_j)^26 = I.")


def _database(tmp_path):
    cfg = config.defaults_in(tmp_path)
    cfg["mine"].update(workers=1, deep_check=False, random_seed=3)
    sequences = {FREE: SequenceRecord(FREE, "Growth series of a free product of 36 groups of order 2.",
                                      evaluate(parse(FREE_PROGRAM), 20), 0),
                 GROUP: SequenceRecord(GROUP, GROUP_NAME, relation_terms(36, 26, 16), 0)}
    return cfg, testbed.build_db(cfg["database"]["url"], sequences, {FREE: FREE_PROGRAM})


def _stored(engine):
    with storage.session_scope(engine, readonly=True) as session:
        return storage.mined_hit(session, GROUP), storage.superseded(session)


def test_the_free_product_fits_every_known_term_and_parts_later():
    free = evaluate(parse(FREE_PROGRAM), 30)
    assert free[:16] == relation_terms(36, 26, 16)
    assert free[:26] == relation_terms(36, 26, 26) and free[26] != relation_terms(36, 26, 27)[26]


def test_the_name_supersedes_a_shorter_match_stored_before(tmp_path):
    cfg, engine = _database(tmp_path)
    mine(cfg, engine=engine, strategies=["corpus_sweep"])
    (code, strategy, status), gone = _stored(engine)
    assert f"seq $0,{FREE}" in code and strategy.startswith("corpus_sweep") and status == "provisional"
    assert gone == []

    summary = mine(cfg, engine=engine, strategies=["coxeter"], ids=[GROUP])
    assert [h.outcome for h in summary.found] == ["replaced"]  # not a new sequence
    (code, strategy, status), gone = _stored(engine)
    assert strategy == "coxeter" and status == "provisional"
    assert evaluate(parse(code), 30) == relation_terms(36, 26, 30)
    assert [(a, "seq $0," + str(FREE) in old) for a, old, _, _ in gone] == [(GROUP, True)]
    assert "read from the name" in gone[0][2]
    engine.dispose()


def test_a_shorter_match_does_not_replace_the_name(tmp_path):
    cfg, engine = _database(tmp_path)
    mine(cfg, engine=engine, strategies=["coxeter"])
    (_, strategy, _), _ = _stored(engine)
    assert strategy == "coxeter"

    mine(cfg, engine=engine, strategies=["corpus_sweep"])
    (code, strategy, _), gone = _stored(engine)
    assert strategy == "coxeter" and f"seq $0,{FREE}" not in code
    assert gone == []
    engine.dispose()


def test_together_the_name_wins(tmp_path):
    cfg, engine = _database(tmp_path)
    mine(cfg, engine=engine, strategies=["corpus_sweep", "coxeter"])
    (code, strategy, _), _ = _stored(engine)
    assert strategy == "coxeter"
    assert evaluate(parse(code), 30) == relation_terms(36, 26, 30)
    engine.dispose()
