"""The mining loop end to end: a real SQLite database, real corpus programs, real worker processes.

Some real sequences have their programs held out of the corpus; model-free strategies must find them,
store each once, export the file and record the attempts.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
import subprocess
from math import comb
import sys
import threading

import pytest

import storage
from miner.core import config
import testbed
from miner.sources.programs import program_path
from miner.mine.loop import mine, mine_batch
from miner.mine.reverify import deep_check_provisional

# Held out: A014335 and A157878 have linear recurrences; A001453 (Catalan - 1) is A000108 shifted,
# found by the corpus sweep; A000002 (Kolakoski) has neither.
# A017793 (Binomial coefficients C(77, n)) is held out of its family: the family strategy finds it
# by rewriting a sibling's program.
HIDDEN = [14335, 157878, 1453, 2, 17793]
ALWAYS = {108, 45, 27, 290, 5, 10, 40, 79, 17790, 17791, 17792, 17794, 17795}
MODEL_FREE = ["corpus_sweep", "recurrence"]


@pytest.fixture(scope="module")
def data(real_data, sample_tarball):
    """(sequences, corpus programs) for a seeded subset of the real corpus, with HIDDEN held out."""
    return testbed.held_out_subset(real_data / "oeis", sample_tarball, ALWAYS, HIDDEN)


def make_cfg(tmp_path, **mine_overrides):
    cfg = config.defaults_in(tmp_path)
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'miner.db'}"
    cfg["mine"].update(workers=1, deep_check=False, random_seed=11, batch_size=3)
    cfg["mine"].update(mine_overrides)
    return cfg


@pytest.fixture
def mined_db(tmp_path, data):
    sequences, programs = data
    cfg = make_cfg(tmp_path)
    engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
    return cfg, engine


def stored(engine) -> dict[int, str]:
    with storage.session_scope(engine, readonly=True) as session:
        return {row.a_number: row.code for row in storage.discovered(session)}


def test_family_strategy_rewrites_a_siblings_program(mined_db):
    cfg, engine = mined_db
    summary = mine(cfg, strategies=["family"], engine=engine)
    found = stored(engine)
    assert 17793 in found, summary.found
    assert "mov $1,77" in found[17793]
    with storage.session_scope(engine, readonly=True) as session:
        assert storage.strategy_stats(session)["family"].hits >= 1


def test_model_free_strategies_find_held_out_programs(mined_db, data, tmp_path):
    cfg, engine = mined_db
    summary = mine(cfg, strategies=MODEL_FREE, engine=engine)
    found = stored(engine)
    assert {14335, 157878, 1453} <= set(found), summary.found
    assert 2 not in found
    assert summary.hits == len(found) == len({h.a_number for h in summary.found})
    # Offline, every hit is provisional: stored and shown, not exported until a b-file check.
    with storage.session_scope(engine, readonly=True) as session:
        assert {row.status for row in storage.discovered(session)} == {"provisional"}
    assert not program_path(cfg["paths"]["export_dir"], 1453).exists()
    bfiles = tmp_path / "bfiles"
    bfiles.mkdir()
    for a in found:
        _bfile(bfiles / f"b{a:06d}.txt", data[0][a].offset, list(data[0][a].terms))
    cfg = dict(cfg, mine=dict(cfg["mine"], deep_check=True),
               sources=dict(cfg["sources"], bfile_url=f"{bfiles}/b{{number:06d}}.txt"))
    report = deep_check_provisional(cfg, engine)
    assert (report.checked, report.verified) == (len(found), len(found))
    # Exported with the usual header; the offset line when the offset is not 0.
    text = program_path(cfg["paths"]["export_dir"], 1453).read_text()
    assert text.startswith("; A001453: Catalan numbers - 1.\n; Submitted by loda-miner\n; 1,4,13,41,131,")
    assert "\n#offset 2\n" in text
    # One attempt per (sequence, strategy), with candidates and CPU seconds.
    with storage.session_scope(engine, readonly=True) as session:
        stats = storage.strategy_stats(session)
    assert stats["recurrence"].hits >= 1 and stats["corpus_sweep"].hits >= 1
    assert sum(s.hits for s in stats.values()) == len(found)
    assert sum(s.attempts for s in stats.values()) >= len(HIDDEN)
    assert all(s.cpu_seconds > 0 for s in stats.values() if s.candidates)
    assert summary.per_strategy["recurrence"].candidates >= 1

    # The same sequences mined again (a fresh context): nothing is stored twice.
    again = mine(cfg, ids=HIDDEN, strategies=MODEL_FREE, engine=engine)
    assert stored(engine) == found
    assert {h.outcome for h in again.found} <= {"kept"}


def test_a_shorter_program_replaces_a_longer_one(mined_db):
    cfg, engine = mined_db
    long_code = "mov $1,1\n" * 40 + "mov $0,0\n"  # stored as if an earlier miner had found it offline
    assert storage.store_hit(engine, storage.Hit(14335, long_code, "mutation", status="provisional")) == "new"
    summary = mine(cfg, ids=[14335], strategies=["recurrence"], engine=engine)
    assert [h.outcome for h in summary.found] == ["replaced"]
    code = stored(engine)[14335]
    assert len(code.splitlines()) < 40
    # A shorter provisional program is no new sequence: the bandit does not count it as the strategy's hit.
    assert [r.outcome for r in _attempt_rows(engine) if r.a_number == 14335] == ["miss"]
    with storage.session_scope(engine, readonly=True) as session:
        assert storage.strategy_stats(session)["recurrence"].hits == 0
    assert not program_path(cfg["paths"]["export_dir"], 14335).exists()  # provisional: not exported
    # A provisional program never replaces a verified one, however short.
    assert storage.store_hit(engine, storage.Hit(14335, long_code, "mutation")) == "replaced"
    assert storage.store_hit(engine, storage.Hit(14335, code, "recurrence", status="provisional")) == "kept"


def test_a_set_stop_event_ends_the_batch_and_releases_leases(mined_db):
    from miner.mine.context import build_context

    cfg, engine = mined_db
    ctx = build_context(cfg, engine)
    try:
        stop = threading.Event()
        stop.set()
        summary = mine_batch(ctx, engine, stop, strategies=["recurrence"])
        assert summary.stopped
        assert stored(engine) == {}
        with storage.session_scope(engine, readonly=True) as session:
            assert storage.summary(session).leased == 0
    finally:
        ctx.close()


@pytest.mark.slow  # over a second: the full tier
def test_mine_command_prints_a_json_summary(mined_db, tmp_path):
    cfg, _engine = mined_db
    conf = tmp_path / "config.toml"
    conf.write_text(
        f"[paths]\ndata_dir = '{tmp_path}'\n[database]\nurl = '{cfg['database']['url']}'\n"
        "[mine]\nworkers = 1\ndeep_check = false\n[log]\nlevel = 'warning'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "miner", "--config", str(conf), "mine", "--ids", "A014335,A000002",
         "--strategies", "recurrence,formula", "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["tried"] == 2 and summary["hits"] == 1
    assert summary["found"][0]["a_number"] == "A014335"
    bad = subprocess.run([sys.executable, "-m", "miner", "--config", str(conf), "mine", "--strategies", "nope"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unknown nope" in bad.stderr


def _bfile(path, offset: int, terms: list[int]) -> None:
    path.write_text("# b-file\n" + "".join(f"{offset + i} {t}\n" for i, t in enumerate(terms)))


@pytest.mark.slow  # over a second: the full tier
def test_deep_check_uses_the_bfile_and_rejects_a_program_it_contradicts(tmp_path, data):
    sequences, programs = data
    record = sequences[157878]
    terms = list(record.terms)
    while len(terms) < 300:  # a(n) = 30*a(n-1) - a(n-2), the sequence's own recurrence
        terms.append(30 * terms[-1] - terms[-2])
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    _bfile(good / "b157878.txt", record.offset, terms)
    _bfile(bad / "b157878.txt", record.offset, terms[:200] + [terms[200] + 1] + terms[201:])

    cfg = make_cfg(tmp_path, deep_check=True, check_terms=250)
    engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
    cfg["sources"]["bfile_url"] = f"file://{bad}/b{{number:06d}}.txt"
    contradicted = mine(cfg, ids=[157878], strategies=["recurrence"], engine=engine)
    assert contradicted.hits == 0 and stored(engine) == {}

    cfg["sources"]["bfile_url"] = f"file://{good}/b{{number:06d}}.txt"
    summary = mine(cfg, ids=[157878], strategies=["recurrence"], engine=engine)
    assert [(h.terms_verified, h.status) for h in summary.found] == [(250, "verified")]
    with storage.session_scope(engine, readonly=True) as session:
        row = storage.discovered(session)[0]
    assert (row.terms_verified, row.status, row.bfile_checked) == (250, "verified", True)
    assert program_path(cfg["paths"]["export_dir"], 157878).exists()

    # No b-file at all (offline): the known terms are the deep check.
    cfg["sources"]["bfile_url"] = f"file://{tmp_path}/absent/b{{number:06d}}.txt"
    offline = mine(cfg, ids=[14335], strategies=["recurrence"], engine=engine)
    assert [(h.terms_verified, h.status) for h in offline.found] == [(len(sequences[14335].terms), "provisional")]
    assert not program_path(cfg["paths"]["export_dir"], 14335).exists()


def test_model_strategies_run_with_a_promoted_tiny_model(mined_db, tmp_path):
    from sqlalchemy import select

    from storage.schema import Attempt
    from training.model import build_model, save
    from training.tokenizer import train_tokenizer

    cfg, engine = mined_db
    texts = ["o 0 t 1 31 929 n expansion of x", "mov $1 $0 add $0 1 lpb $0 sub $0 1 lpe mul $0 2"] * 20
    tokenizer = train_tokenizer(texts, vocab_size=120)
    model = build_model("tiny", tokenizer.get_vocab_size())
    path = save(model, tokenizer, tmp_path / "model", {"num_terms": 8, "max_target_len": 16})
    with storage.session_scope(engine) as session:
        model_id = storage.register_model(session, str(path), "tiny", 0, {}, True)
    cfg["mine"]["budget"].update(beam=4, sample=4)
    summary = mine(cfg, ids=[2, 157878], strategies=["beam", "sample"], engine=engine)
    assert summary.tried == 2
    assert sum(t.attempts for t in summary.per_strategy.values()) == 2
    assert all(t.candidates <= 4 for t in summary.per_strategy.values())
    with storage.session_scope(engine, readonly=True) as session:
        rows = session.execute(select(Attempt.strategy, Attempt.model_version, Attempt.outcome)).all()
    assert {r.strategy for r in rows} <= {"beam", "sample"} and len(rows) == 2
    assert {r.model_version for r in rows} == {model_id}
    assert {r.outcome for r in rows} <= {"miss", "hit"}


def test_model_prompts_show_the_sweeps_programs_and_keep_them_when_a_new_program_is_swept(mined_db, tmp_path):
    from miner.mine.context import build_context, load_model, refresh_context
    from miner.lang import format_program
    from miner.mine.loop import _model_sources, run_sweep
    from miner.search.corpus_sweep import matched_programs
    from training.model import build_model, save
    from miner.lang.compact import to_target
    from training.tokenizer import train_tokenizer

    cfg, engine = mined_db
    tokenizer = train_tokenizer(["o 0 t 1 2 n x p: seq $0 A000108"] * 20, vocab_size=120)
    path = save(build_model("tiny", tokenizer.get_vocab_size()), tokenizer, tmp_path / "model",
                {"num_terms": 8, "neighbours": 2, "matched_neighbours": True})
    with storage.session_scope(engine) as session:
        storage.register_model(session, str(path), "tiny", 0, {}, True)
    ctx = build_context(cfg, engine)
    try:
        load_model(ctx, engine)
        target = ctx.state.targets[1453]  # Catalan numbers minus 1: the sweep calls A000108
        run_sweep(ctx, engine)
        found = matched_programs(target, ctx.state.search)
        assert found and any("seq $0,108" in format_program(p) for p in found), [format_program(p) for p in found]
        source = _model_sources(ctx, engine, [target], "beam")[0]
        assert source.split(" p: ")[1] == min((to_target(p) for p in found), key=lambda t: len(t.split()))
        # The sweep's hit is provisional (no b-file): the sequence stays a target, behind every lacking
        # one. Its new program's terms are what is swept next, against the lacking sequences alone;
        # the earlier matches stay in the prompts.
        assert refresh_context(ctx, engine) and 1453 in ctx.state.provisional
        assert not ctx.state.sweep_due and 1453 in ctx.state.fresh_known
        again = run_sweep(ctx, engine)
        assert not ctx.state.fresh_known and again.tried <= 1
        assert matched_programs(target, ctx.state.search) == found
    finally:
        ctx.close()


def test_model_prompts_show_the_best_near_miss_once_one_is_good_enough(mined_db, tmp_path):
    from miner.lang import parse
    from miner.lang.compact import to_target
    from miner.mine.context import build_context, load_model
    from miner.mine.loop import _model_sources
    from training.model import build_model, save
    from training.tokenizer import train_tokenizer

    cfg, engine = mined_db
    cfg["mine"]["near_miss_prompt_terms"] = 4
    tokenizer = train_tokenizer(["o 0 t 1 2 n x p: seq $0 A000108"] * 20, vocab_size=120)
    path = save(build_model("tiny", tokenizer.get_vocab_size()), tokenizer, tmp_path / "model",
                {"num_terms": 8, "neighbours": 2, "mend_pairs": 100})
    with storage.session_scope(engine) as session:
        storage.register_model(session, str(path), "tiny", 0, {}, True)
    ctx = build_context(cfg, engine)
    try:
        load_model(ctx, engine)
        target = next(iter(ctx.state.targets.values()))
        before = {s: _model_sources(ctx, engine, [target], s)[0] for s in ("beam", "name_only")}
        weak, good, best = (parse(f"mov $0,{c}\n", "t") for c in (5, 6, 7))
        ctx.state.model_seeds[target.a_number] = [(3, weak)]
        assert _model_sources(ctx, engine, [target], "beam")[0] == before["beam"]  # 3 terms: not shown
        ctx.state.model_seeds[target.a_number] = [(5, good), (3, weak)]
        ctx.state.near_misses[target.a_number] = [(9, best)]
        shown = _model_sources(ctx, engine, [target], "beam")[0]
        assert shown.split(" p: ")[1] == to_target(best)
        assert shown.count(" p: ") == min(2, before["beam"].count(" p: ") + 1)
        assert shown.split(" p: ")[0] == before["beam"].split(" p: ")[0]  # the same terms and name
        assert _model_sources(ctx, engine, [target], "name_only")[0] == before["name_only"]
        cfg["mine"]["near_miss_prompt_terms"] = 0
        assert _model_sources(ctx, engine, [target], "beam")[0] == before["beam"]
    finally:
        ctx.close()


def test_a_provisional_program_found_again_is_no_new_hit(mined_db):
    from sqlalchemy import select

    from miner.mine.context import build_context
    from miner.mine.loop import run_sweep
    from storage.schema import Attempt

    cfg, engine = mined_db
    outcomes = []
    for _ in range(2):  # two miner processes in turn (a restarted daemon): each sweeps afresh
        ctx = build_context(cfg, engine)
        try:
            summary = run_sweep(ctx, engine)
        finally:
            ctx.close()
        outcomes.append({h.a_number: h.outcome for h in summary.found})
    assert outcomes[0].get(1453) in ("new", "kept") and outcomes[1][1453] == "kept"  # provisional: still a target
    assert summary.hits == sum(o in ("new", "replaced") for o in outcomes[1].values()) < len(outcomes[1])
    with storage.session_scope(engine, readonly=True) as session:
        rows = session.execute(select(Attempt.outcome).where(Attempt.a_number == 1453, Attempt.strategy == "corpus_sweep")
                               .order_by(Attempt.id)).scalars().all()
    assert rows[-1] == "miss"  # no credit to the strategy for a program it had already stored


def _corpus_sweeps(cfg, engine, a_number: int, deep_checks: list[bool]) -> list:
    """One corpus sweep by each of several miner processes in turn (a restarted daemon: each sweeps
    afresh), with or without b-files; the (candidates, valid) of each one's attempt on `a_number`."""
    from sqlalchemy import select

    from miner.mine.context import build_context
    from miner.mine.loop import run_sweep
    from storage.schema import Attempt

    for online in deep_checks:
        cfg["mine"]["deep_check"] = online
        ctx = build_context(cfg, engine)
        try:
            run_sweep(ctx, engine, only=["corpus_sweep"])
        finally:
            ctx.close()
    with storage.session_scope(engine, readonly=True) as session:
        return list(session.execute(select(Attempt.candidates, Attempt.valid).where(
            Attempt.a_number == a_number, Attempt.strategy == "corpus_sweep").order_by(Attempt.id)).all())


def test_a_sweep_candidate_that_got_a_term_wrong_is_not_checked_again_after_a_restart(mined_db):
    from storage.records import SequenceRecord

    cfg, engine = mined_db
    # Catalan numbers on every term A000108 has (the sweep's lookup compares those), then not
    catalan = [comb(2 * n, n) // (n + 1) for n in range(56)]
    storage.apply_refresh(engine, [SequenceRecord(990010, "Catalan numbers until they are not.",
                                                  catalan[:50] + [c + 1 for c in catalan[50:]], 0)])
    rows = _corpus_sweeps(cfg, engine, 990010, [False, False])
    with storage.session_scope(engine, readonly=True) as session:
        assert 990010 in storage.failed_candidates(session)
    assert rows[0].candidates >= 1 and rows[0].valid >= 1  # checked, and wrong at term 50
    assert rows[1].candidates == rows[1].valid == 0  # matched again, not checked again


def test_a_sweep_candidate_the_trust_rules_refused_offline_is_not_checked_again_until_online(mined_db, tmp_path):
    from storage.records import SequenceRecord

    cfg, engine = mined_db
    # Twelve Catalan numbers under a name that cites nothing: too few bits for a hit on the known terms alone.
    catalan = [comb(2 * n, n) // (n + 1) for n in range(1, 13)]
    storage.apply_refresh(engine, [SequenceRecord(990011, "Counts of some structure.", catalan, 1)])
    bfiles = tmp_path / "bfiles"
    bfiles.mkdir()
    _bfile(bfiles / "b990011.txt", 1, catalan)  # a b-file with no more terms than the known ones
    cfg["sources"]["bfile_url"] = f"file://{bfiles}/b{{number:06d}}.txt"
    rows = _corpus_sweeps(cfg, engine, 990011, [False, False, True, True])
    assert 990011 not in stored(engine)
    assert rows[0].candidates >= 1 and rows[0].valid >= 1  # checked: right on all twelve, and refused
    assert rows[1].candidates == rows[1].valid == 0  # offline again: not checked again
    assert rows[2].candidates >= 1  # online, a b-file may decide: checked again, and refused again
    assert rows[3].candidates == rows[3].valid == 0  # its b-file had no more terms: not checked again


def test_mutation_attempts_share_one_retrieval_index(mined_db):
    # Each mutation attempt gets a copy of the search context (its own seeds); an index built on the copy
    # was built again for every attempt (a minute each on the real corpus).
    from miner.mine.context import build_context
    from miner.mine.loop import _search_context

    cfg, engine = mined_db
    ctx = build_context(cfg, engine)
    try:
        assert ctx.state.search.known
        targets = list(ctx.state.targets.values())[:2]
        copies = [_search_context(ctx, t, "mutation") for t in targets]
        assert ctx.state.search.retrieval is not None
        assert all(c.retrieval is ctx.state.search.retrieval for c in copies)
    finally:
        ctx.close()


def test_sweep_budget_caps_the_candidates_checked_per_run_not_what_prompts_see(mined_db):
    from miner.mine.context import build_context
    from miner.mine.loop import run_sweep
    from miner.search.corpus_sweep import CACHE_KEY

    cfg, engine = mined_db
    cfg["mine"]["budget"]["corpus_sweep"] = 1
    ctx = build_context(cfg, engine)
    try:
        summary = run_sweep(ctx, engine)
        matched = ctx.state.search.settings[CACHE_KEY]
        assert 1453 in matched  # a held-out sequence matches a known one (Catalan numbers, shifted)
        assert max(len(v) for v in matched.values()) <= cfg["search"]["sweep_per_target"]
        swept = summary.per_strategy["corpus_sweep"]
        assert swept.attempts == swept.candidates == 1  # but one candidate was checked
    finally:
        ctx.close()


def test_deterministic_strategies_run_once_per_sequence_then_the_bandit(mined_db):
    from sqlalchemy import func, select

    from storage.schema import Attempt

    cfg, engine = mined_db
    cfg["mine"]["exploration"] = 1.0  # the bandit picks uniformly, so mutation gets its turns
    strategies = ["recurrence", "formula", "mutation"]
    cfg["mine"]["budget"]["mutation"] = 5
    mine(cfg, limit=4, strategies=strategies, engine=engine)
    mine(cfg, limit=4, strategies=strategies, engine=engine)

    with storage.session_scope(engine, readonly=True) as session:
        rows = session.execute(select(Attempt.a_number, Attempt.strategy, func.count())
                               .group_by(Attempt.a_number, Attempt.strategy)).all()
    per_pair = {(a, s): n for a, s, n in rows}
    assert per_pair, "no attempts recorded"
    # A claimed sequence gets each deterministic strategy once, however often it is claimed.
    assert all(n == 1 for (a, s), n in per_pair.items() if s in ("recurrence", "formula"))
    # The second run met the same never-solved sequences again and gave them to the bandit instead.
    assert any(s == "mutation" for (a, s) in per_pair)
    assert all(("recurrence" in {s for (b, s) in per_pair if b == a}) for (a, s) in per_pair)


def test_a_revised_strategy_runs_again_where_it_ran_before_the_revision(mined_db, monkeypatch):
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from miner.search import REVISED
    from storage.schema import Attempt

    cfg, engine = mined_db

    def attempts() -> dict[tuple[int, str], int]:
        with storage.session_scope(engine, readonly=True) as session:
            rows = session.execute(select(Attempt.a_number, Attempt.strategy, func.count())
                                   .group_by(Attempt.a_number, Attempt.strategy)).all()
        return {(a, s): n for a, s, n in rows}

    for _ in range(3):  # every lacking sequence gets both, once
        mine(cfg, limit=4, strategies=["recurrence", "formula"], engine=engine)
    before = attempts()
    assert before and set(before.values()) == {1}
    monkeypatch.setitem(REVISED, "formula", datetime.now(UTC).isoformat())
    mine(cfg, limit=4, strategies=["recurrence", "formula"], engine=engine)
    after = attempts()
    # formula runs again on sequences it tried before its revision (those still lacking); recurrence does not
    assert any(n == 2 for (a, s), n in after.items() if s == "formula")
    assert all(n == 1 for (a, s), n in after.items() if s == "recurrence")


def _cite_a014335(engine, data) -> None:
    """Add A990001, whose name calls A014335 (held out: lacking until recurrence finds it)."""
    from storage.records import SequenceRecord

    cited = data[0][14335]
    storage.apply_refresh(engine, [SequenceRecord(990001, "a(n) = A014335(n) + 7.",
                                                  [t + 7 for t in cited.terms], cited.offset)])


def test_a_name_is_read_again_once_the_sequence_it_cites_gains_a_program(mined_db, data):
    cfg, engine = mined_db
    _cite_a014335(engine, data)
    mine(cfg, strategies=["formula"], engine=engine)  # every lacking sequence, once
    assert 990001 not in stored(engine)  # its name calls a sequence without a program yet
    mine(cfg, ids=[14335], strategies=["recurrence"], engine=engine)
    assert 14335 in stored(engine)
    mine(cfg, strategies=["formula"], engine=engine)
    assert "seq $0,14335" in stored(engine)[990001]


def test_a_running_miner_reads_an_unlocked_name_again_after_a_reload_at_most_every_two_minutes(mined_db, data):
    from miner.mine.context import build_context, refresh_context
    from miner.mine.loop import UNLOCK_RELOAD_SECONDS, reload_due

    cfg, engine = mined_db
    _cite_a014335(engine, data)
    ctx = build_context(cfg, engine)
    try:
        mine_batch(ctx, engine, strategies=["formula"])
        assert (990001, "formula") in ctx.state.once_done and 990001 not in stored(engine)
        unlocking = mine_batch(ctx, engine, ids=[14335], strategies=["recurrence"], rerun=True)
        assert [h.a_number for h in unlocking.found] == [14335]
        # Just built: the reload waits, and is owed.
        assert not reload_due(ctx, unlocking) and ctx.state.unlocked
        assert not reload_due(ctx, mine_batch(ctx, engine, strategies=["formula"]))
        assert reload_due(ctx, unlocking, wait=False)
        ctx.state.reloaded -= UNLOCK_RELOAD_SECONDS
        assert reload_due(ctx, unlocking)
        assert refresh_context(ctx, engine) and (990001, "formula") not in ctx.state.once_done
        assert not ctx.state.unlocked and not reload_due(ctx, mine_batch(ctx, engine, strategies=["formula"]))
        assert "seq $0,14335" in stored(engine)[990001]
    finally:
        ctx.close()


def test_a_new_program_is_swept_alone_and_new_lacking_sequences_meet_every_program(mined_db, data):
    from miner.mine.context import build_context, refresh_context
    from miner.mine.loop import run_sweep
    from storage.records import SequenceRecord

    cfg, engine = mined_db
    cited = data[0][14335]  # held out: lacking until recurrence finds it
    shifted = SequenceRecord(990002, "A sequence.", [t + 7 for t in cited.terms], cited.offset)
    storage.apply_refresh(engine, [shifted])
    ctx = build_context(cfg, engine)
    try:
        run_sweep(ctx, engine)
        assert 990002 not in stored(engine) and not ctx.state.sweep_due
        mine_batch(ctx, engine, ids=[14335], strategies=["recurrence"], rerun=True)
        assert refresh_context(ctx, engine)
        # The first sweep's own hit (A001453) and the recurrence's: the programs this context lacked.
        assert not ctx.state.sweep_due and ctx.state.fresh_known == {1453, 14335}
        swept = run_sweep(ctx, engine)
        assert "seq $0,14335" in stored(engine)[990002] and swept.tried == 1
        assert not ctx.state.fresh_known
        storage.apply_refresh(engine, [SequenceRecord(990003, "A sequence.", [t + 1 for t in cited.terms],
                                                      cited.offset)])
        assert refresh_context(ctx, engine) and ctx.state.sweep_due
        run_sweep(ctx, engine)
        assert "seq $0,14335" in stored(engine)[990003]
    finally:
        ctx.close()


@pytest.mark.slow  # over a second: the full tier
def test_the_memory_of_checked_candidates_is_bounded(mined_db, monkeypatch):
    from miner.mine import loop
    from miner.mine.context import build_context

    cfg, engine = mined_db
    monkeypatch.setattr(loop, "SEEN_PER_TARGET", 3)
    monkeypatch.setattr(loop, "SEEN_TOTAL", 5)
    cfg["mine"]["budget"]["mutation"] = 10
    ctx = build_context(cfg, engine)
    try:
        for _ in range(3):
            mine_batch(ctx, engine, ids=HIDDEN[:2], strategies=["mutation"])
            assert all(len(s) <= 3 for s in ctx.state.seen.values())
            assert ctx.state.seen_count <= 5 + 3 * len(HIDDEN)
    finally:
        ctx.close()


def _attempt_rows(engine):
    from sqlalchemy import select

    from storage.schema import Attempt

    with storage.session_scope(engine, readonly=True) as session:
        return session.execute(select(Attempt.id, Attempt.a_number, Attempt.strategy, Attempt.candidates, Attempt.outcome)
                               .order_by(Attempt.id)).all()


def test_mine_ids_with_minutes_goes_on_in_rounds_of_growing_budget_until_spent(mined_db):
    cfg, engine = mined_db
    cfg["mine"].update(rounds=3, budget_growth=2.0, attempt_cpu_min=1000.0, attempt_cpu_max=1000.0)
    cfg["mine"]["budget"]["mutation"] = 4
    # Kolakoski (A000002) falls to neither: after its recurrence attempt, mutation gets three rounds
    # (4, 8 and 16 candidates), then every strategy is spent and the run ends long before its 30 minutes.
    summary = mine(cfg, ids=[2], minutes=30, strategies=["recurrence", "mutation"], engine=engine)
    rows = [r for r in _attempt_rows(engine) if r.a_number == 2]
    assert [r.strategy for r in rows] == ["recurrence", "mutation", "mutation", "mutation"]
    sizes = [r.candidates for r in rows[1:]]
    # Each round's budget doubles (an attempt also counts the matcher follow-ups its candidates led to).
    assert sizes[0] <= 4 < sizes[1] < sizes[2], sizes
    assert 2 not in {h.a_number for h in summary.found}
    # Without --minutes the named sequences get one pass, as before.
    once = mine(cfg, ids=[2], strategies=["recurrence", "mutation"], engine=engine)
    assert sum(t.attempts for t in once.per_strategy.values()) == 1


def test_mine_with_minutes_runs_bandit_rounds_on_every_sequence_still_lacking(mined_db):
    cfg, engine = mined_db
    cfg["mine"].update(rounds=2, attempt_cpu_min=1000.0, attempt_cpu_max=1000.0)
    cfg["mine"]["budget"]["mutation"] = 3
    summary = mine(cfg, minutes=30, strategies=["recurrence", "mutation"], engine=engine)
    found = stored(engine)
    rows = _attempt_rows(engine)
    lacking = {r.a_number for r in rows} - set(found)
    assert lacking and 2 in lacking
    for a in lacking:
        assert [r.strategy for r in rows if r.a_number == a] == ["recurrence", "mutation", "mutation"]
    # Mutation's matcher hits for other sequences are attempts too.
    assert summary.per_strategy["mutation"].attempts >= 2 * len(lacking)


def test_first_pass_runs_each_stage_everywhere_before_the_next(mined_db):
    cfg, engine = mined_db
    cfg["mine"]["costly_strategies"] = ["suchthat", "euler"]  # each alone, in this order
    mine(cfg, strategies=["recurrence", "euler", "suchthat", "family"], engine=engine)
    rows = _attempt_rows(engine)
    # Offline, a hit is provisional: its sequence stays in play, behind every lacking one.
    held = {r.a_number for r in rows if r.strategy == "recurrence" and r.outcome == "hit"}
    assert held

    def ids(strategy: str, provisional: bool = False) -> list[int]:
        return [r.id for r in rows if r.strategy == strategy and (r.a_number in held) == provisional]

    assert len(ids("recurrence")) + len(ids("recurrence", True)) == len(HIDDEN)
    assert max(ids("recurrence") + ids("recurrence", True)) < min(ids("suchthat"))
    assert max(ids("suchthat")) < min(ids("euler")) <= max(ids("euler")) < min(ids("family"))
    assert max(ids("euler")) < min(ids("euler", True))
    # Every sequence still lacking after recurrence got family in the same run (one pass is whole).
    assert {r.a_number for r in rows if r.strategy == "family"} >= set(HIDDEN) - set(stored(engine)) - {17793}


def test_a_staged_pass_runs_the_stages_before_the_late_one_then_the_late_one(mined_db):
    from miner.mine.context import build_context
    from miner.mine.loop import staged_pass

    cfg, engine = mined_db
    only = ["recurrence", "euler", "family"]
    ctx = build_context(cfg, engine)
    try:
        ctx.state.transforms_due = True
        staged_pass(ctx, engine, list(HIDDEN), only + ["transforms"])
        assert not ctx.state.transforms_due  # the sweep that waited for the stages ran after them
        ran = {(r.a_number, r.strategy) for r in _attempt_rows(engine)}
        assert {a for a, s in ran if s == "recurrence"} == set(HIDDEN)
        assert {a for a, s in ran if s == "euler"} and not {a for a, s in ran if s == "family"}
        staged_pass(ctx, engine, list(HIDDEN), only)  # what is left: the late stage, one pass
        family = {r.a_number for r in _attempt_rows(engine) if r.strategy == "family"}
        assert family and family == {a for a in HIDDEN if a not in ctx.state.solved}
    finally:
        ctx.close()


def test_plan_puts_likely_sequences_first_and_spent_ones_last(mined_db):
    from miner.mine.context import build_context
    from miner.mine.loop import plan, yield_score
    from miner.search.types import Target

    assert yield_score(Target(100, "a(n) = 3*a(n-1) + 2.", (1,), 0)) > \
        yield_score(Target(300000, "Number of self-avoiding walks of length n on the square lattice.", (1,), 0))
    # a name a strategy reads exactly comes first, even about primes
    assert yield_score(Target(100, "Numbers k such that 12*k+1, 12*k+5 and 12*k+7 are primes.", (1,), 0)) > \
        yield_score(Target(390000, "a(n) = 3*a(n-1) + 2.", (1,), 0), newest=400000)
    assert yield_score(Target(300000, "Number of graphs.", (1,), 0)) > \
        yield_score(Target(100, "Number of graphs.", (1,), 0))
    assert yield_score(Target(390000, "Number of graphs.", (1,), 0), newest=400000) > \
        yield_score(Target(300000, "Number of graphs.", (1,), 0), newest=400000)
    assert yield_score(Target(300000, "Number of graphs.", (1,), 0)) > \
        yield_score(Target(300001, "Triangle read by rows: T(n,k) = number of graphs.", (1,), 0))
    assert yield_score(Target(100, "Expansion of eta(q)^3 * eta(q^5)^9 in powers of q.", (1,), 0)) > \
        yield_score(Target(300000, "Number of graphs.", (1,), 0))
    cfg, engine = mined_db
    cfg["mine"]["rounds"] = 1
    ctx = build_context(cfg, engine)
    try:
        available = ["recurrence", "euler", "family", "mutation"]  # a cheap, a costly and a late stage
        first = plan(ctx, available)
        assert sorted(first) == sorted(ctx.state.targets)
        newest = max(ctx.state.targets)
        assert first == sorted(first, key=lambda a: -yield_score(ctx.state.targets[a], newest))
        a, b, c, d = first[:4]
        ctx.state.once_done.add((a, "recurrence"))  # a owes euler now, the others still recurrence
        ctx.state.once_done |= {(b, "recurrence"), (b, "euler")}  # b owes family
        ctx.state.once_done |= {(d, "recurrence"), (d, "euler"), (d, "family")}  # d owes the bandit only
        ctx.state.once_done |= {(c, "recurrence"), (c, "euler"), (c, "family")}
        ctx.state.rounds[(c, "mutation", None)] = 1  # c: every strategy spent (rounds = 1)
        order = plan(ctx, available)
        assert order[-3:] == [a, b, d] and c not in order
        assert plan(ctx, available, again={d}) == order[:-1]
    finally:
        ctx.close()


def test_an_attempt_past_its_cpu_cap_checks_no_more_candidates(mined_db):
    from miner.mine.loop import CAP_WAVE

    cfg, engine = mined_db
    cfg["mine"].update(attempt_cpu_min=0.0, attempt_cpu_max=0.0)
    cfg["mine"]["budget"]["mutation"] = 5 * CAP_WAVE
    summary = mine(cfg, ids=[2], strategies=["mutation"], engine=engine)
    # Its first wave is always checked; after it the attempt is past a cap of 0 CPU-seconds.
    assert 0 < summary.per_strategy["mutation"].candidates <= CAP_WAVE


def test_model_rounds_end_before_their_candidates_pass_the_cap(tmp_path):
    from types import SimpleNamespace

    from miner.mine.loop import budget_for, rounds_of

    cfg = make_cfg(tmp_path, rounds=6, budget_growth=2.0, model_max_candidates=128)
    ctx = SimpleNamespace(cfg=cfg)
    cfg["mine"]["budget"].update(beam=16, name_only=8, mutation=400)
    assert [budget_for(ctx, "beam", r) for r in range(rounds_of(ctx, "beam"))] == [16, 32, 64, 128]
    assert rounds_of(ctx, "name_only") == 5 and rounds_of(ctx, "mutation") == 6
    assert budget_for(ctx, "mutation", 5) == 400 * 32


def test_a_provisional_hit_stays_a_target_behind_every_lacking_sequence(mined_db):
    from miner.mine.context import build_context, refresh_context
    from miner.mine.loop import plan
    from storage import Hit

    cfg, engine = mined_db
    ctx = build_context(cfg, engine)
    try:
        lacking = set(ctx.state.targets)
        a = min(lacking)
        storage.store_hit(engine, Hit(a, "mov $0,1\n", "recurrence", terms_verified=10, status="provisional"))
        refresh_context(ctx, engine)
        assert a in ctx.state.targets and ctx.state.provisional == {a}
        order = plan(ctx, ["recurrence", "mutation"])
        assert order[-1] == a and set(order) == lacking
        assert storage.lease(engine, "other:1", [a], 1, 60.0) == [a]  # still leased for mining
        # A verified hit settles it: no longer a target.
        storage.store_hit(engine, Hit(a, "mov $0,2\n", "recurrence", terms_verified=1000, status="verified"))
        refresh_context(ctx, engine)
        assert a not in ctx.state.targets and not ctx.state.provisional
    finally:
        ctx.close()


def test_a_target_every_linear_candidate_matches_gets_few_follow_ups():
    # The target's first 40 terms are 5n, so every candidate giving a*n+b matches it under a*x+b; its
    # follow-ups would all fail at term 41. After MATCH_FOLLOW_UPS they come only at powers of two.
    from types import SimpleNamespace

    from miner.lang.parser import parse
    from miner.mine.checker import CheckOutcome
    from miner.mine.context import MiningState
    from miner.mine.loop import MATCH_FOLLOW_UPS, _Attempt, _Cand, _matches, _now
    from miner.search.matchers import TermIndex
    from miner.search.types import Target

    target = Target(172336, "a(n) = floor(n*(sqrt(13)+sqrt(2))).", tuple(5 * n for n in range(40)) + (201, 206), 0)
    other = Target(1, "x", tuple(range(3, 45)), 0)
    state = MiningState(targets={target.a_number: target, other.a_number: other},
                        index=TermIndex.build([target, other]), search=None, corpus=None, corpus_key="")  # type: ignore[arg-type]
    ctx = SimpleNamespace(state=state)
    attempt = _Attempt(other, "mutation", _now())
    followed = []
    for k in range(1, 101):
        cand = _Cand(attempt, other, parse(f"mul $0,{k}\nadd $0,1\n", "x"), blind=True)
        outcome = CheckOutcome(ok=False, evaluated=tuple(k * n + 1 for n in range(24)))
        followed.append(sum(1 for c in _matches(ctx, cand, outcome) if c.target is target))
    assert all(c.blind for c in _matches(ctx, cand, outcome))
    # the first MATCH_FOLLOW_UPS matches, then those whose count is a power of two (the 101st call is the check above)
    expected = sorted(set(range(1, MATCH_FOLLOW_UPS + 1)) | {2**i for i in range(7)})
    assert [i + 1 for i, f in enumerate(followed) if f] == expected


def _eta_cubed(count: int) -> list[int]:
    series = [1] + [0] * (count - 1)
    for k in range(1, count):
        for _ in range(3):  # times (1 - q^k)
            for i in range(count - 1, k - 1, -1):
                series[i] -= series[i - k]
    return series


def test_a_named_program_is_stored_though_the_same_program_as_a_fit_was_refused(mined_db):
    from storage.records import SequenceRecord

    cfg, engine = mined_db
    terms = _eta_cubed(40)  # mostly zeros: far below trust_fit_bits, so euler's fit of them is refused
    storage.apply_refresh(engine, [SequenceRecord(990003, "Expansion of eta(q)^3 in powers of q.", terms, 0)])
    mine(cfg, ids=[990003], strategies=["euler", "theta"], engine=engine)
    with storage.session_scope(engine, readonly=True) as session:
        rows = [row for row in storage.discovered(session) if row.a_number == 990003]
    assert [row.strategy for row in rows] == ["theta"]
    # one check: the fit's copy of the named program is dropped, not checked again
    assert sorted((row.strategy, row.candidates) for row in _attempt_rows(engine) if row.a_number == 990003
                  and row.strategy in ("euler", "theta")) == [("euler", 0), ("theta", 1)]


def test_every_strategy_module_imports_and_every_revision_is_a_past_time_of_a_strategy():
    import importlib
    from datetime import datetime, timezone

    from miner.search import DETERMINISTIC, NAME_READERS, REVISED, STRATEGY_MODULES

    for name, module in STRATEGY_MODULES.items():
        assert hasattr(importlib.import_module(module), "propose"), name
    assert set(NAME_READERS) <= set(DETERMINISTIC) <= set(STRATEGY_MODULES) | {"corpus_sweep"}
    for name, when in REVISED.items():
        assert name in DETERMINISTIC and datetime.fromisoformat(when) <= datetime.now(timezone.utc), name


def test_the_program_stored_is_the_optimized_one_the_deep_check_ran(mined_db):
    from storage.records import SequenceRecord

    cfg, engine = mined_db
    storage.apply_refresh(engine, [SequenceRecord(990004, "a(n) = 11*n + 3.", [11 * n + 3 for n in range(40)], 0)])
    mine(cfg, ids=[990004], strategies=["formula"], engine=engine)
    # the compiler writes `mov $1,$0 / mov $0,11 / mul $0,$1 / add $0,3`; what is stored is two operations
    assert [line.strip() for line in stored(engine)[990004].splitlines() if line.strip()] == ["mul $0,11", "add $0,3"]


def test_the_transform_sweep_waits_until_the_early_strategies_reached_every_lacking_sequence(mined_db):
    from miner.mine.context import build_context
    from miner.mine.loop import enabled_strategies, once_stages

    cfg, engine = mined_db
    ctx = build_context(cfg, engine)
    try:
        first = mine_batch(ctx, engine, size=1)
        assert "corpus_sweep" in first.per_strategy and "transforms" not in first.per_strategy
        assert ctx.state.transforms_due and not ctx.state.sweep_due
        cheap, *costly, _ = once_stages(ctx, enabled_strategies(ctx))
        assert costly and all(len(stage) <= 1 for stage in costly)
        ctx.state.once_done |= {(a, s) for a in ctx.state.targets for s in cheap}
        mine_batch(ctx, engine, size=1)
        assert ctx.state.transforms_due  # the costly stages are owed too
        ctx.state.once_done |= {(a, s) for a in ctx.state.targets for stage in costly for s in stage}
        mine_batch(ctx, engine, size=1)
        assert not ctx.state.transforms_due
        # named sequences wait for their own stages only; one pass over them (rerun) waits for nothing
        ctx.state.transforms_due = True
        ctx.state.once_done = set()
        mine_batch(ctx, engine, ids=[2], strategies=["transforms", "recurrence"])
        assert ctx.state.transforms_due and (2, "recurrence") in ctx.state.once_done
        mine_batch(ctx, engine, ids=[2], strategies=["transforms", "recurrence"])
        assert not ctx.state.transforms_due
        ctx.state.transforms_due = True
        ctx.state.once_done = set()
        mine_batch(ctx, engine, ids=[2], strategies=["transforms", "recurrence"], rerun=True)
        assert not ctx.state.transforms_due
    finally:
        ctx.close()


def test_the_compositions_sweep_runs_after_the_first_pass_one_slice_per_batch(mined_db):
    from miner.mine.context import build_context
    from miner.mine.loop import enabled_strategies, once_stages
    from miner.search.compositions import COMPOSITIONS

    cfg, engine = mined_db
    only = ["compositions", "recurrence", "family"]
    ctx = build_context(cfg, engine)
    try:
        mine_batch(ctx, engine, size=1, strategies=only)
        assert ctx.state.compositions_next == 0  # the once-per-sequence work is owed
        early, *costly, late = once_stages(ctx, enabled_strategies(ctx, only))
        assert early == ["recurrence"] and not any(costly) and late == ["family"]
        ctx.state.once_done |= {(a, s) for a in ctx.state.targets for s in early}
        mine_batch(ctx, engine, size=1, strategies=only)
        assert ctx.state.compositions_next == 0  # the late ones too
        ctx.state.once_done |= {(a, s) for a in ctx.state.targets for s in late}
        for slices in (1, 2):
            mine_batch(ctx, engine, size=1, strategies=only)
            assert ctx.state.compositions_next == slices
        # one pass over named sequences leaves the compositions to mining with a time limit
        mine_batch(ctx, engine, ids=[2], strategies=only, rerun=True)
        assert ctx.state.compositions_next == 2
    finally:
        ctx.close()
    # asked for alone, every slice runs
    assert mine(cfg, strategies=["compositions"], engine=engine).batches == len(COMPOSITIONS)


@contextmanager
def opened(cfg, engine):
    """A mining context on the database, closed after the block."""
    from miner.mine.context import build_context

    ctx = build_context(cfg, engine)
    try:
        yield ctx
    finally:
        ctx.close()


def test_a_blind_guess_is_evaluated_only_as_far_as_the_matchers_key(mined_db):
    # A blind guess is wrong for its own sequence almost always; the matcher index keys on its first
    # key_length + max_shift terms, so no more are evaluated, and a match is still found and checked.
    from miner.lang.parser import parse
    from miner.mine.loop import _Attempt, _Cand, _check, _now, check_round

    cfg, engine = mined_db
    with opened(cfg, engine) as ctx:
        target = ctx.state.targets[14335]
        catalan = parse("mov $1,$0\nmul $0,2\nbin $0,$1\nadd $1,1\ndiv $0,$1\n", "catalan")
        attempt = _Attempt(target, "mutation", _now())
        blind, seen = _Cand(attempt, target, catalan, 1, blind=True), _Cand(attempt, target, catalan, 2)
        (_, quick), (_, full) = _check(ctx, [blind, seen], None)
        keyed = ctx.state.index.key_length + ctx.state.index.max_shift
        assert not quick.ok and len(quick.evaluated) == keyed < cfg["mine"]["match_terms"]
        assert len(full.evaluated) == cfg["mine"]["match_terms"]
        winners: dict = {}
        check_round(ctx, [blind], None, winners)
        assert [(c.route, c.blind) for c in winners[1453]] == [("match", True)]  # Catalan - 1


def test_new_programs_join_the_retrieval_index_a_changed_one_rebuilds_it(mined_db):
    # Rebuilding the index takes a minute on the real corpus, and a daemon refreshes every 10 minutes.
    from dataclasses import replace

    from miner.mine.context import refresh_context
    from miner.search.family import corpus_index
    from storage import Hit

    def contents(index):
        return ({k: [index.entries[i].a_number for i in v] for k, v in index.buckets.items() if v},
                sorted((e.a_number, e.target, e.name) for e in index.entries),
                {w: round(index.idf[i], 12) for w, i in index.word_ids.items()})

    cfg, engine = mined_db
    with opened(cfg, engine) as ctx:
        index = corpus_index(ctx.state.search)
        assert 14335 not in {e.a_number for e in index.entries}
        storage.store_hit(engine, Hit(14335, "mov $1,2\nmul $1,$0\nmov $0,$1\n", "recurrence",
                                      terms_verified=1000, status="verified"))
        refresh_context(ctx, engine)
        assert ctx.state.search.retrieval is index and 14335 in {e.a_number for e in index.entries}
        fresh = corpus_index(replace(ctx.state.search, retrieval=None))
        assert fresh is not index and contents(fresh) == contents(index)
        storage.store_hit(engine, Hit(14335, "mul $0,2\n", "recurrence", terms_verified=1000, status="verified"))
        refresh_context(ctx, engine)
        assert ctx.state.search.retrieval is None  # a changed program: built again on next use


def test_a_restart_resumes_the_sweeps_a_miner_completed_until_a_lacking_sequence_arrives(mined_db):
    # After the first pass over the real targets the transform and compositions sweeps took 120 and 860
    # CPU-seconds at every start; done once on a database that has not changed since, they are not redone.
    from miner.mine.loop import run_sweep
    from miner.search.compositions import COMPOSITIONS
    from storage import Hit, SequenceRecord

    cfg, engine = mined_db
    with opened(cfg, engine) as ctx:
        assert ctx.state.transforms_due and ctx.state.compositions_next == 0
        run_sweep(ctx, engine, only=["transforms"], wait=False)
        while ctx.state.compositions_next < len(COMPOSITIONS):
            run_sweep(ctx, engine, only=["compositions"], wait=False)
        with storage.session_scope(engine, readonly=True) as session:
            jobs = {r.job: r.outcome for r in storage.recent_jobs(session)}
        assert jobs == {"transforms sweep": "done", "compositions sweep": "done"}
    mined = set(stored(engine))  # by the compositions, after the sweeps began: new known sequences for both
    with opened(cfg, engine) as ctx:
        assert mined and not ctx.state.transforms_due and ctx.state.transforms_fresh == mined
        assert ctx.state.compositions_next == len(COMPOSITIONS) and ctx.state.compositions_fresh == mined
        lacking = min(set(ctx.state.targets) - mined)
    storage.store_hit(engine, Hit(lacking, "mov $1,2\nmul $1,$0\nmov $0,$1\n", "recurrence",
                                  terms_verified=1000, status="verified"))
    # a shorter program replacing a provisional one takes no program away
    assert storage.store_hit(engine, Hit(min(mined), "mov $0,1\n", "recurrence", terms_verified=40,
                                         status="provisional")) == "replaced"
    with opened(cfg, engine) as ctx:  # a sequence that gained a program since is swept alone
        assert not ctx.state.transforms_due and ctx.state.transforms_fresh == mined | {lacking}
        assert ctx.state.compositions_fresh == mined | {lacking}
    storage.apply_refresh(engine, [SequenceRecord(999999, "a new lacking sequence", list(range(1, 30)), 0)])
    with opened(cfg, engine) as ctx:  # a new lacking sequence meets every known one: the whole sweeps again
        assert ctx.state.transforms_due and ctx.state.compositions_next == 0


def test_a_blind_guess_made_before_for_another_sequence_is_not_evaluated_again(mined_db):
    from miner.lang.parser import parse
    from miner.mine.checker import CheckItem, check_one
    from miner.mine.context import mining_limits
    from miner.mine.loop import _Attempt, _Cand, _check, _dedupe, _now
    from miner.search.types import Target

    cfg, engine = mined_db
    with opened(cfg, engine) as ctx:
        guess = parse("mul $0,3\nadd $0,1\n", "guess")  # 1, 4, 7, ...: wrong for both
        first = ctx.state.targets[14335]
        second = next(t for t in ctx.state.targets.values() if t.offset == first.offset and t is not first)

        def checked(target):
            return _check(ctx, _dedupe(ctx, [_Cand(_Attempt(target, "mutation", _now()), target, guess, 1,
                                                   blind=True)]), None)[0][1]

        before = checked(first)
        assert not before.ok and before.cpu_seconds > 0 and before.evaluated[:3] == (1, 4, 7)
        again = checked(second)
        real = check_one(CheckItem(guess, second.a_number, second.offset, second.terms), ctx.state.corpus,
                         mining_limits(cfg, blind=True))
        assert again.cpu_seconds == 0 and not real.ok and (again.ok, again.matched) == (real.ok, real.matched)
        # terms that agree with what was kept as far as it goes: checked for real
        alike = Target(999998, "x", tuple(3 * n + 1 for n in range(30)), 0)
        assert checked(alike).ok


def test_each_round_of_a_streamed_strategy_takes_the_next_part_of_its_stream(mined_db):
    # `neighbours` gives the same edits in the same order each time: a round that drew them afresh at a
    # larger budget checked again what the rounds before it had.
    from miner.mine.loop import _Attempt, _generate_search, _now, budget_for
    from miner.search.neighbours import propose

    cfg, engine = mined_db
    cfg["mine"]["budget"]["neighbours"] = 30
    with opened(cfg, engine) as ctx:
        target = ctx.state.targets[14335]
        stream = [str(c.program.code()) for c in propose(target, ctx.state.search, 10_000, None)]
        taken = []
        for round_ in range(3):
            got = _generate_search(ctx, _Attempt(target, "neighbours", _now(), round=round_), None)
            assert len(got) == budget_for(ctx, "neighbours", round_) == 30 * 2 ** round_
            assert got[0].rank == len(taken) + 1
            taken += [str(c.program.code()) for c in got]
        assert len(stream) > len(taken) and taken == stream[:len(taken)]


def test_kept_terms_of_blind_guesses_outlive_a_hit_but_not_a_new_lacking_sequence(mined_db):
    # A daemon reloads every 10 minutes, and after the first pass there is mostly a hit to reload; the
    # kept terms were cleared each time. New lacking sequences were never looked up in them: those clear them.
    from miner.lang.parser import parse
    from miner.mine.context import refresh_context
    from miner.mine.loop import _Attempt, _Cand, _check, _dedupe, _now
    from storage import Hit
    from storage.records import SequenceRecord

    cfg, engine = mined_db
    with opened(cfg, engine) as ctx:
        target = ctx.state.targets[14335]
        guess = parse("mul $0,3\nadd $0,1\n", "guess")
        _check(ctx, _dedupe(ctx, [_Cand(_Attempt(target, "mutation", _now()), target, guess, 1, blind=True)]), None)
        kept = dict(ctx.state.evaluated)
        assert kept
        solved = next(a for a in ctx.state.targets if a != 14335)
        storage.store_hit(engine, Hit(solved, "mov $0,1\n", "recurrence", terms_verified=1000, status="verified"))
        assert refresh_context(ctx, engine) and solved not in ctx.state.targets
        assert ctx.state.evaluated == kept
        storage.apply_refresh(engine, [SequenceRecord(990012, "Something new.", [5, 1, 4, 1, 5, 9, 2, 6], 0)])
        assert refresh_context(ctx, engine) and 990012 in ctx.state.targets
        assert ctx.state.evaluated == {}


def test_a_shorter_program_for_a_provisional_hit_keeps_the_retrieval_index(mined_db):
    # After the first pass a daemon replaces a provisional hit's program every few minutes; rebuilding the
    # index for it took a minute of every reload. The entry keeps the older program, right on every known
    # term, and the saved index is not rewritten under a name it no longer matches.
    from pathlib import Path

    from miner.mine.context import refresh_context
    from miner.search.family import corpus_index
    from storage import Hit

    cfg, engine = mined_db
    with opened(cfg, engine) as ctx:
        index = corpus_index(ctx.state.search)
        a = 14335
        storage.store_hit(engine, Hit(a, "mov $1,2\nmul $1,$0\nmov $0,$1\nadd $0,0\n", "recurrence",
                                      terms_verified=10, status="provisional"))
        refresh_context(ctx, engine)
        assert a in ctx.state.provisional and ctx.state.search.retrieval is index
        saved = sorted(p.name for p in Path(ctx.state.search.cache_dir).glob("retrieval-*"))
        assert saved
        storage.store_hit(engine, Hit(a, "mov $1,2\nmul $1,$0\nmov $0,$1\n", "recurrence",
                                      terms_verified=10, status="provisional"))
        refresh_context(ctx, engine)
        assert "add $0,0" not in ctx.state.corpus.text(a)  # replaced
        assert ctx.state.search.retrieval is index
        assert sorted(p.name for p in Path(ctx.state.search.cache_dir).glob("retrieval-*")) == saved


def test_an_exact_reading_past_the_quick_checks_step_limit_is_checked_again_under_the_deep_limits(tmp_path, data):
    from storage.records import SequenceRecord

    sequences, programs = data
    name = "a(n) = Sum_{k=1..300*n} (k mod 7)."  # a few thousand steps a term per n
    terms = [sum(k % 7 for k in range(1, 300 * n + 1)) for n in range(40)]
    # the quick check's limit stops it past 10 terms (checked again) or before (not: a reading that slow is
    # as likely wrong as right)
    for steps, stored_hit in ((40_000, True), (2_000, False)):
        cfg = make_cfg(tmp_path / str(steps), max_candidate_steps=steps)
        cfg["eval"]["max_term_steps"] = 1_000_000
        engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
        storage.apply_refresh(engine, [SequenceRecord(990004, name, terms, 0)])
        mine(cfg, ids=[990004], strategies=["formula"], engine=engine)
        assert (990004 in stored(engine)) is stored_hit
