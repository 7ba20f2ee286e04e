"""Storage on a real SQLite file and a real PostgreSQL 15 server: schema, refresh, programs, leases."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

import storage
from storage.db import head_revision, include_object, current_revision
from storage.schema import Base, Sequence
from storage.records import Attempt, Hit, SequenceRecord


@pytest.fixture
def engine(database_url):
    eng = storage.connect(database_url)
    yield eng
    eng.dispose()


def seqs(*items):
    return [SequenceRecord(a, name, terms, offset) for a, name, terms, offset in items]


def now():
    return datetime.now(timezone.utc)


def test_new_database_is_at_head_and_matches_the_models(engine, database_url):
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
    # Connecting again to a migrated database is a no-op.
    storage.connect(database_url).dispose()
    assert current_revision(engine) == head_revision()


def test_old_database_is_upgraded(database_url):
    from storage.db import create, migrate

    old = create(database_url)
    migrate(old, "0001")
    assert current_revision(old) == "0001"
    old.dispose()
    eng = storage.connect(database_url)
    assert current_revision(eng) == head_revision()
    eng.dispose()


def test_newer_database_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    storage.connect(url).dispose()
    with sqlite3.connect(tmp_path / "x.db") as db:
        db.execute("update alembic_version set version_num = '9999_future'")
    with pytest.raises(storage.StorageError, match="9999_future, newer than this loda-miner knows"):
        storage.connect(url)


def test_sqlite_pragmas(tmp_path):
    eng = storage.connect(f"sqlite:///{tmp_path / 'a' / 'b' / 'x.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    eng.dispose()


def test_bad_url_names_the_database(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(storage.StorageError, match="cannot open database"):
        storage.connect(f"sqlite:///{tmp_path / 'file' / 'x.db'}")


def test_refresh_writes_only_changed_rows(engine):
    first = storage.apply_refresh(engine, seqs((45, "Fibonacci", [0, 1, 1, 2], 0), (1, "One", [1], 1),
                                               (2, "No terms yet", [], 0)))
    assert (first.seen, first.added, first.changed, first.unchanged) == (3, 3, 0, 0)
    with storage.session_scope(engine) as s:
        before = {r.a_number: r.changed_at for r in s.scalars(select(Sequence))}
    time.sleep(0.01)
    second = storage.apply_refresh(engine, seqs((45, "Fibonacci", [0, 1, 1, 2], 0), (1, "One", [1, 1], 1),
                                                (2, "No terms yet", [], 0)))
    assert (second.seen, second.added, second.changed, second.unchanged) == (3, 0, 1, 2)
    with storage.session_scope(engine) as s:
        after = {r.a_number: r.changed_at for r in s.scalars(select(Sequence))}
        got = storage.get_sequences(s, [1, 45, 999])
    assert after[45] == before[45] and after[2] == before[2] and after[1] > before[1]
    assert got[1] == SequenceRecord(1, "One", [1, 1], 1)
    assert set(got) == {1, 45}
    # Big terms survive exactly.
    big = 2**200 + 1
    storage.apply_refresh(engine, seqs((7, "Big", [big, -big], 3)))
    with storage.session_scope(engine) as s:
        assert storage.get_sequences(s, [7])[7].terms == [big, -big]


def test_failed_refresh_stores_nothing(engine):
    storage.apply_refresh(engine, seqs((1, "One", [1], 1)))

    def broken():
        yield from seqs((1, "Changed", [1], 1), (3, "Three", [3], 0))
        raise EOFError("truncated download")

    with pytest.raises(EOFError):
        storage.apply_refresh(engine, broken())
    with storage.session_scope(engine) as s:
        assert {a: r.name for a, r in storage.get_sequences(s, [1, 3]).items()} == {1: "One"}


def test_refresh_does_not_block_writers_while_it_reads(engine):
    # A miner storing a hit while a long refresh is still parsing its input must not wait for it.
    def slow_stream():
        yield from seqs((1, "One", [1], 1))
        start = time.monotonic()
        assert storage.store_hit(engine, Hit(2, "mov $0,2\n", "beam")) == "new"
        assert time.monotonic() - start < 5
        yield from seqs((2, "Two", [2], 0))

    assert storage.apply_refresh(engine, slow_stream()).added == 2
    with storage.session_scope(engine) as s:
        assert storage.lacking(s) == [1]


def test_lacking_counts_programs_that_arrived_first(engine):
    storage.import_corpus_programs(engine, [(10, "mov $0,1\n")])  # its sequence is not known yet
    storage.apply_refresh(engine, seqs((5, "a", [1], 0), (10, "b", [2], 0), (11, "c", [], 0), (12, "d", [3], 0)))
    with storage.session_scope(engine) as s:
        assert storage.lacking(s) == [5, 12]
        assert storage.lacking(s, limit=1) == [5]
        summary = storage.summary(s)
    assert (summary.sequences, summary.with_terms, summary.with_program, summary.lacking) == (4, 3, 1, 2)
    storage.store_hit(engine, Hit(12, "mov $0,3\n", "beam"))
    with storage.session_scope(engine) as s:
        assert storage.lacking(s) == [5]


def test_lacking_query_uses_the_index(tmp_path):
    eng = storage.connect(f"sqlite:///{tmp_path / 'x.db'}")
    with eng.connect() as conn:
        from sqlalchemy.dialects import sqlite

        from storage.sequences import lacking_condition

        query = select(Sequence.a_number).where(lacking_condition()).order_by(Sequence.a_number)
        sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "ix_sequences_with_terms" in plan and "uq_programs_a_number_origin" in plan.replace(
        "sqlite_autoindex_programs_1", "uq_programs_a_number_origin"), plan
    eng.dispose()


def test_corpus_import_is_idempotent(engine):
    items = [(1, "mov $0,1\n"), (2, "; comment\n#offset 1\nmov $0,2\nadd $0,1 ; two\n")]
    first = storage.import_corpus_programs(engine, items)
    assert (first.added, first.changed, first.unchanged) == (2, 0, 0)
    again = storage.import_corpus_programs(engine, items)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    changed = storage.import_corpus_programs(engine, [(1, "mov $0,1\nmul $0,1\n")])
    assert (changed.added, changed.changed) == (0, 1)
    with storage.session_scope(engine) as s:
        assert storage.program_codes(s) == {1: "mov $0,1\nmul $0,1\n", 2: items[1][1]}
    assert storage.program_length(items[1][1]) == 2


def test_store_hit_keeps_the_shortest(engine):
    storage.apply_refresh(engine, seqs((45, "Fibonacci numbers", [0, 1, 1], 0)))
    long = Hit(45, "mov $1,1\nmov $0,0\nadd $0,0\n", "beam", None, 3, 1.5, 60)
    assert storage.store_hit(engine, long) == "new"
    assert storage.store_hit(engine, long) == "kept"
    assert storage.store_hit(engine, Hit(45, "mov $1,1\nmov $0,0\nadd $0,1\n", "sample")) == "kept"
    with storage.session_scope(engine) as s:
        mid = storage.register_model(s, "/models/1", "tiny", 10, {"loss": 1.0}, True)
        assert storage.store_hit(s, Hit(45, "mov $1,1\nmov $0,0\n", "mutation", mid, 1, 0.5, 80)) == "replaced"
    with storage.session_scope(engine) as s:
        rows = storage.discovered(s)
        assert len(rows) == 1
        row = rows[0]
        assert (row.a_number, row.name, row.strategy, row.model_version, row.length, row.terms_verified) == (
            45, "Fibonacci numbers", "mutation", mid, 2, 80)
        assert row.terms == [0, 1, 1]
        assert storage.discovered(s, since=row.found_at + timedelta(seconds=1)) == []
        assert len(storage.discovered(s, since=row.found_at - timedelta(seconds=1))) == 1
        view = s.execute(text("select a_number, name, code, strategy, model_version from discovered_programs")).all()
    assert [tuple(v) for v in view] == [("A000045", "Fibonacci numbers", "mov $1,1\nmov $0,0\n", "mutation", mid)]


def test_store_hit_before_the_sequence_is_known(engine):
    assert storage.store_hit(engine, Hit(123456, "mov $0,7\n", "beam")) == "new"
    with storage.session_scope(engine) as s:
        assert [tuple(r) for r in s.execute(text("select a_number, name from discovered_programs"))] == [
            ("A123456", "")]


def test_two_owners_never_get_the_same_sequence(engine):
    storage.apply_refresh(engine, seqs(*[(a, f"s{a}", [a], 0) for a in range(1, 11)]))
    a = storage.claim(engine, "a", 4, 60)
    b = storage.claim(engine, "b", 4, 60)
    a2 = storage.claim(engine, "a", 4, 60)
    assert len(a) == 4 and len(b) == 4 and len(a2) == 2
    assert not set(a) & set(b) and not set(a2) & (set(a) | set(b))
    assert storage.claim(engine, "c", 4, 60) == []
    assert storage.release(engine, "b", b[:2]) == 2
    assert sorted(storage.claim(engine, "c", 4, 60)) == sorted(b[:2])
    assert storage.release(engine, "a") == 6


def test_expired_lease_is_taken_over(engine):
    storage.apply_refresh(engine, seqs((1, "x", [1], 0), (2, "y", [2], 0)))
    start = time.monotonic()
    # A lease long enough that a loaded machine still claims again inside it (0.2 s was not, under CI load).
    assert storage.claim(engine, "dead", 2, 2.0) == [1, 2]
    assert storage.claim(engine, "alive", 2, 60) == []
    time.sleep(max(0.0, start + 2.3 - time.monotonic()))
    assert storage.claim(engine, "alive", 2, 60) == [1, 2]
    assert storage.extend_leases(engine, "dead", [1, 2], 60) == 0
    assert storage.extend_leases(engine, "alive", [1, 2], 60) == 2
    with storage.session_scope(engine) as s:
        assert storage.summary(s).leased == 2


def test_claim_priority_never_tried_then_least_cpu_then_oldest(engine):
    storage.apply_refresh(engine, seqs(*[(a, f"s{a}", [a], 0) for a in range(1, 6)]))
    t0 = now() - timedelta(hours=1)
    with storage.session_scope(engine) as s:
        storage.record_attempt(s, Attempt(1, "beam", None, 10, 1, 3, 5.0, "miss", t0))
        storage.record_attempt(s, Attempt(2, "beam", None, 10, 1, 3, 1.0, "miss", t0 + timedelta(minutes=5)))
        storage.record_attempt(s, Attempt(3, "beam", None, 10, 1, 3, 1.0, "miss", t0))
        storage.record_attempt(s, Attempt(1, "mutation", None, 100, 0, 0, 2.0, "error", t0))
    assert storage.claim(engine, "x", 5, 60) == [4, 5, 3, 2, 1]
    with storage.session_scope(engine) as s:
        stats = storage.strategy_stats(s)
    assert stats["beam"].attempts == 3 and stats["beam"].candidates == 30 and stats["beam"].hits == 0
    assert stats["beam"].cpu_seconds == pytest.approx(7.0)
    assert stats["mutation"].attempts == 1 and stats["mutation"].valid == 0
    with pytest.raises(ValueError, match="outcome"):
        with storage.session_scope(engine) as s:
            storage.record_attempt(s, Attempt(1, "beam", None, 1, 1, 1, 1.0, "maybe", t0))  # type: ignore[arg-type]


def test_attempts_recorded_together_keep_the_same_totals_as_one_at_a_time(engine, tmp_path):
    from storage.schema import AttemptDay, Effort

    t0 = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    attempts = [Attempt(1, "beam", None, 10, 1, 3, 5.0, "miss", t0), Attempt(1, "beam", None, 4, 4, 9, 1.5, "hit", t0),
                Attempt(2, "formula", None, 1, 1, 0, 0.25, "error", t0 + timedelta(days=1)),
                Attempt(1, "formula", None, 2, 2, 1, 0.5, "miss", t0 + timedelta(days=1, minutes=1))]
    single = storage.connect(f"sqlite:///{tmp_path / 'single.db'}")
    for eng in (engine, single):
        storage.apply_refresh(eng, seqs(*[(a, f"s{a}", [a], 0) for a in (1, 2)]))
    with storage.session_scope(engine) as s:
        storage.record_attempts(s, attempts)
    with storage.session_scope(single) as s:
        for attempt in attempts:
            storage.record_attempt(s, attempt)

    def totals(eng):
        with storage.session_scope(eng, readonly=True) as s:
            efforts = sorted((r.a_number, r.attempts, r.cpu_seconds, r.last_attempt_at)
                             for r in s.execute(select(Effort)).scalars())
            days = sorted((r.day, r.strategy, r.model_version, r.attempts, r.candidates, r.valid, r.hits, r.errors,
                           r.cpu_seconds) for r in s.execute(select(AttemptDay)).scalars())
            return efforts, days, storage.strategy_stats(s)

    together = totals(engine)
    assert together == totals(single)
    efforts, days, stats = together
    assert [(a, n) for a, n, _, _ in efforts] == [(1, 3), (2, 1)] and efforts[0][2] == pytest.approx(7.0)
    assert [(day, strategy, n, hits, errors) for day, strategy, _, n, _, _, hits, errors, _ in days] == \
        [("2026-01-05", "beam", 2, 1, 0), ("2026-01-06", "formula", 2, 0, 1)]
    assert stats["beam"].hits == 1 and stats["formula"].attempts == 2
    single.dispose()


def test_tried_pairs_count_only_attempts_since_a_strategy_changed(engine):
    storage.apply_refresh(engine, seqs(*[(a, f"s{a}", [a], 0) for a in range(1, 4)]))
    revised = now() - timedelta(hours=1)
    with storage.session_scope(engine) as s:
        storage.record_attempt(s, Attempt(1, "digits", None, 1, 0, 0, 0.1, "miss", revised - timedelta(days=3)))
        storage.record_attempt(s, Attempt(2, "digits", None, 1, 0, 0, 0.1, "miss", revised + timedelta(minutes=1)))
        storage.record_attempt(s, Attempt(3, "formula", None, 1, 0, 0, 0.1, "miss", revised - timedelta(days=3)))
    with storage.session_scope(engine, readonly=True) as s:
        assert storage.tried_pairs(s, ["digits", "formula"]) == {(1, "digits"), (2, "digits"), (3, "formula")}
        assert storage.tried_pairs(s, ["digits", "formula"], since={"digits": revised}) == {(2, "digits"), (3, "formula")}
        assert storage.tried_pairs(s, ["formula"], since={"digits": revised}) == {(3, "formula")}


def test_an_attempt_before_a_cited_sequence_gained_a_program_does_not_count(engine):
    storage.apply_refresh(engine, seqs(*[(a, f"s{a}", [a], 0) for a in range(1, 5)]))
    with storage.session_scope(engine) as s:
        storage.record_attempt(s, Attempt(1, "formula", None, 1, 0, 0, 0.1, "miss", now() - timedelta(days=2)))
        storage.record_attempt(s, Attempt(2, "formula", None, 1, 0, 0, 0.1, "miss", now() - timedelta(days=2)))
    assert storage.store_hit(engine, Hit(4, "mov $0,4\n", "formula")) == "new"
    with storage.session_scope(engine, readonly=True) as s:
        found = storage.first_found(s, [3, 4])
        assert set(found) == {4} and now() - timedelta(minutes=5) < found[4] <= now()
        # sequence 1's name cites 4, which gained its program after 1 was tried: 1 is owed another try
        assert storage.tried_pairs(s, ["formula"], unlocked={1: found[4]}) == {(2, "formula")}
    with storage.session_scope(engine) as s:
        storage.record_attempt(s, Attempt(1, "formula", None, 1, 0, 0, 0.1, "miss", now()))
    with storage.session_scope(engine, readonly=True) as s:
        assert storage.tried_pairs(s, ["formula"], unlocked={1: found[4]}) == {(1, "formula"), (2, "formula")}


def test_concurrent_claimers_are_disjoint(engine):
    # 12 claims of 5 for 60 free sequences: claims never overlap, and since each claim takes at most 5,
    # at least 5 are free and unclaimed whenever one starts, so each gets exactly 5. (A PostgreSQL claim
    # whose snapshot predates a rival's commit used to lose those rows and return short: see `claim`.)
    storage.apply_refresh(engine, seqs(*[(a, f"s{a}", [a], 0) for a in range(1, 61)]))
    got: dict[str, list[list[int]]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(owner: str) -> None:
        try:
            start.wait()
            got[owner] = [storage.claim(engine, owner, 5, 60) for _ in range(3)]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [len(c) for claims in got.values() for c in claims] == [5] * 12
    everything = [a for claims in got.values() for c in claims for a in c]
    assert sorted(everything) == list(range(1, 61))
    with storage.session_scope(engine) as s:
        held = dict(s.execute(text("select a_number, owner from leases")).all())
    assert held == {a: owner for owner, claims in got.items() for c in claims for a in c}


def test_models_jobs_and_heartbeats(engine):
    with storage.session_scope(engine) as s:
        assert storage.promoted_model(s) is None
        first = storage.register_model(s, "/m/1", "tiny", 100, {"exact": 0.1}, True)
        second = storage.register_model(s, "/m/2", "tiny", 200, {"exact": 0.2}, False)
        assert storage.promoted_model(s).id == first
        storage.promote_model(s, second)
        promoted = storage.promoted_model(s)
        assert promoted.id == second and promoted.metrics == {"exact": 0.2}
        assert [m.promoted for m in storage.model_versions(s)] == [False, True]
        with pytest.raises(KeyError):
            storage.promote_model(s, 999)
    run = storage.job_started(engine, "refresh")
    with storage.session_scope(engine) as s:
        assert storage.last_run(s, "refresh").outcome is None
    storage.job_finished(engine, run, "ok", "3 changed")
    storage.heartbeat(engine, "host:1", {"doing": "mining", "pid": 1})
    storage.heartbeat(engine, "host:1", {"doing": "training", "pid": 1})
    with storage.session_scope(engine, readonly=True) as s:
        last = storage.last_run(s, "refresh", outcome="ok")
        assert last is not None and last.message == "3 changed" and last.finished_at >= last.started_at
        assert storage.last_run(s, "refresh", outcome="failed") is None
        (miner,) = storage.miners(s)
        assert miner.owner == "host:1" and miner.state == {"doing": "training", "pid": 1}
        assert miner.last_seen >= miner.started_at
    with storage.session_scope(engine) as s:
        assert [(r.job, r.outcome) for r in storage.recent_jobs(s)] == [("refresh", "ok")]


def test_failed_candidates_are_recorded_once_each(engine):
    with storage.session_scope(engine) as session:
        storage.record_failed(session, [(5, -3), (5, 2**62), (7, 1), (5, -3)])
    with storage.session_scope(engine) as session:
        storage.record_failed(session, [(5, -3), (7, -(2**63))])  # a second miner's: no error, no second row
    with storage.session_scope(engine, readonly=True) as session:
        assert storage.failed_candidates(session) == {5: {-3, 2**62}, 7: {1, -(2**63)}}
