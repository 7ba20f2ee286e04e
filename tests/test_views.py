"""The SQL views for people (migration 0007) on a real SQLite file and a real PostgreSQL server, and the
datasette canned queries shipped beside them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text, update

import storage
from storage.db import create, current_revision, head_revision, migrate
from storage.records import Attempt, Hit, SequenceRecord
from storage.schema import Program

ROOT = Path(__file__).resolve().parent.parent
DAY1 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
DAY2 = DAY1 + timedelta(days=1, hours=3)


@pytest.fixture
def engine(database_url):
    eng = storage.connect(database_url)
    storage.apply_refresh(eng, [SequenceRecord(a, f"seq {a}", [1, 2, 3] if a != 9 else [], 0) for a in range(1, 10)])
    storage.import_corpus_programs(eng, [(1, "mov $0,1\n"), (2, "mov $0,1\n")])
    with storage.session_scope(eng) as s:
        model = storage.register_model(s, "/m/1", "small", 100, {"solve_rate": 0.25}, True)
    storage.store_hit(eng, Hit(3, "mov $0,3\n", "recurrence"))
    storage.store_hit(eng, Hit(4, "mov $0,4\n", "recurrence"))
    storage.store_hit(eng, Hit(5, "mov $0,5\n", "beam", model))
    with storage.session_scope(eng) as s:
        s.execute(update(Program).where(Program.a_number.in_([3, 5])).values(found_at=DAY1))
        s.execute(update(Program).where(Program.a_number == 4).values(found_at=DAY2))
        for a, strategy, mv, cands, cpu, outcome, when in (
            (5, "beam", model, 16, 3.0, "hit", DAY1), (6, "beam", model, 16, 4.0, "miss", DAY1),
            (6, "sample", None, 16, 2.0, "miss", DAY2), (6, "recurrence", None, 200, 0.5, "miss", DAY2),
            (7, "mutation", None, 400, 9.0, "miss", DAY1),
        ):
            storage.record_attempt(s, Attempt(a, strategy, mv, cands, cands, 1, cpu, outcome, when))
    storage.claim(eng, "miner:1", 1, 600)  # the first in the queue: 8, never tried
    yield eng, model
    eng.dispose()


def _rows(engine, sql: str) -> list[tuple]:
    with storage.session_scope(engine, readonly=True) as s:
        return [tuple(r) for r in s.execute(text(sql))]


def test_hits_per_day_by_strategy(engine):
    eng, _ = engine
    assert _rows(eng, "SELECT day, strategy, hits FROM hits_per_day ORDER BY day, strategy") == [
        ("2026-11-30", "beam", 1), ("2026-11-30", "recurrence", 1), ("2026-12-01", "recurrence", 1)]


def test_model_yield(engine):
    eng, model = engine
    rows = _rows(eng, "SELECT model_version, preset, attempts, candidates, cpu_seconds, hits, hits_per_cpu_hour "
                      "FROM model_yield ORDER BY model_version")
    # The bundled (unregistered) model's attempts come as model_version NULL; non-model strategies not at all.
    assert sorted(rows, key=lambda r: (r[0] is None, r[0])) == [
        (model, "small", 2, 32, 7.0, 1, pytest.approx(3600 / 7.0)), (None, None, 1, 16, 2.0, 0, 0.0)]


def test_lacking_queue_in_claim_order(engine):
    eng, _ = engine
    rows = _rows(eng, "SELECT priority, a_number, attempts, cpu_seconds, leased_by FROM lacking_queue ORDER BY priority")
    # Lacking: 6, 7, 8 (9 has no terms; 1-2 corpus, 3-5 mined). Never tried first, then least CPU.
    assert rows == [(1, "A000008", 0, 0.0, "miner:1"), (2, "A000006", 3, 6.5, None), (3, "A000007", 1, 9.0, None)]


def test_views_go_down_and_up_with_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'v.db'}"
    eng = create(url)
    migrate(eng, head_revision())
    migrate_down(eng, "0005_program_verified_at")
    assert current_revision(eng) == "0005_program_verified_at"
    with eng.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type IN ('view', 'index')")}
    assert "hits_per_day" not in names and "ix_attempts_started_at" not in names
    eng.dispose()
    eng = storage.connect(url)
    assert current_revision(eng) == head_revision()
    assert _rows(eng, "SELECT COUNT(*) FROM lacking_queue") == [(0,)]
    eng.dispose()


def migrate_down(engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_datasette_canned_queries_run(engine):
    eng, _ = engine
    if eng.dialect.name != "sqlite":
        pytest.skip("datasette reads SQLite files")
    meta = json.loads((ROOT / "deploy" / "datasette-metadata.json").read_text())
    queries = meta["databases"]["loda-miner"]["queries"]
    assert len(queries) >= 5
    for name, query in queries.items():
        sql = query["sql"]
        params = {p: "7" for p in query.get("params", [])}
        if ":" in sql and not params:
            pytest.fail(f"{name}: named parameters must be listed")
        _rows_params(eng, sql, params)


def _rows_params(engine, sql: str, params: dict) -> list[tuple]:
    with storage.session_scope(engine, readonly=True) as s:
        return [tuple(r) for r in s.execute(text(sql), params)]


RAW_TOTALS = ("SELECT strategy, COUNT(*), SUM(candidates), SUM(valid), "
              "SUM(CASE WHEN outcome = 'hit' THEN 1 ELSE 0 END), SUM(cpu_seconds) FROM attempts GROUP BY strategy")


def _stats(engine) -> dict:
    with storage.session_scope(engine, readonly=True) as s:
        return {k: (v.attempts, v.candidates, v.valid, v.hits, pytest.approx(v.cpu_seconds))
                for k, v in storage.strategy_stats(s).items()}


def test_daily_totals_match_the_attempts(engine):
    eng, model = engine
    raw = {s: (n, c, v, h, cpu) for s, n, c, v, h, cpu in _rows(eng, RAW_TOTALS)}
    assert _stats(eng) == raw
    days = _rows(eng, "SELECT day, strategy, model_version, attempts, hits, errors FROM attempt_days "
                      "ORDER BY day, strategy, model_version")
    assert days == [("2026-11-30", "beam", model, 2, 1, 0), ("2026-11-30", "mutation", 0, 1, 0, 0),
                    ("2026-12-01", "recurrence", 0, 1, 0, 0), ("2026-12-01", "sample", 0, 1, 0, 0)]


def test_the_upgrade_sums_existing_attempts_into_daily_totals(tmp_path):
    from sqlalchemy import insert

    from storage.schema import Attempt as AttemptRow

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create(url)
    migrate(old, "0005_program_verified_at")
    with old.begin() as conn:
        conn.execute(insert(AttemptRow), [
            {"a_number": a, "strategy": s, "model_version": None, "candidates": c, "valid": c, "best_prefix": 0,
             "cpu_seconds": cpu, "outcome": o, "started_at": when.replace(tzinfo=None)}
            for a, s, c, cpu, o, when in ((1, "recurrence", 10, 1.0, "hit", DAY1), (2, "recurrence", 20, 2.0, "miss", DAY1),
                                          (3, "mutation", 30, 3.0, "error", DAY2))])
    old.dispose()
    eng = storage.connect(url)
    raw = {s: (n, c, v, h, cpu) for s, n, c, v, h, cpu in _rows(eng, RAW_TOTALS)}
    assert _stats(eng) == raw == {"recurrence": (2, 30, 30, 1, 3.0), "mutation": (1, 30, 30, 0, 3.0)}
    assert _rows(eng, "SELECT day, strategy, attempts, errors FROM attempt_days ORDER BY day") == [
        ("2026-11-30", "recurrence", 2, 0), ("2026-12-01", "mutation", 1, 1)]
    eng.dispose()


def test_the_dashboard_and_metrics_read_it_read_only(engine, database_url):
    from prometheus_client import generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from miner.core import config
    from miner.service import dashboard, metrics

    eng, model = engine
    cfg = config.defaults_in("/nonexistent")
    cfg["database"]["url"] = database_url
    ro = storage.connect_readonly(database_url)
    try:
        page = dashboard.gather(ro, cfg, "seq 5", now=DAY2 + timedelta(hours=1))
        assert page.hits_per_day == [("2026-11-30", "beam", 1), ("2026-11-30", "recurrence", 1),
                                     ("2026-12-01", "recurrence", 1)]
        assert [(e.day, e.attempts, e.hits) for e in page.effort_per_day] == [("2026-11-30", 3, 1), ("2026-12-01", 2, 0)]
        assert [r.a_number for r in page.results] == [5] and page.results[0].state == "mined"
        assert page.model_yield == {model: (2, 1, 7.0)}
        html = dashboard.render(page)
        assert 'data-series="recurrence" data-total="2"' in html
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for f in text_string_to_metric_families(generate_latest(metrics.registry(ro, cfg)).decode())
                   for s in f.samples}
        assert samples[("loda_miner_hits_total", (("status", "unsubmitted"), ("strategy", "recurrence")))] == 2
        with pytest.raises(Exception, match="(?i)read-only|readonly"):
            with storage.session_scope(ro) as s:
                s.execute(text("DELETE FROM programs"))
    finally:
        ro.dispose()
    assert _rows(eng, "SELECT COUNT(*) FROM programs") == [(5,)]
