"""A fleet of real miner processes on one database (a PostgreSQL server, and one SQLite file).

Each miner is a subprocess running `miner.mine.loop.mine` on a testbed built from real data with some programs
held out. The driver wraps `storage.claim`/`storage.lease`/`storage.release` (calling the real ones) to log every lease
grant and release with its owner and time, so the test can check that no sequence was leased to two
miners at once, that a miner killed with SIGKILL has its leases taken over only after they expire, and
that every hit is stored and exported exactly once.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

import storage
from miner.core import config
from miner.lang import parse_a_number
import testbed
from miner.cli import status
from miner.mine.reverify import deep_check_provisional
from miner.sources.programs import program_path, render
from storage.schema import Effort, Lease, Program

# Held out and solvable without a model (see tests/test_loop.py): two linear recurrences and
# Catalan - 1 (A000108 shifted, found by the corpus sweep). A000002 (Kolakoski) is not.
SOLVABLE = [14335, 157878, 1453]
HIDDEN = [*SOLVABLE, 2]
ALWAYS = {108, 45, 27, 290, 5, 10, 40, 79}
STRATEGIES = ["corpus_sweep", "recurrence"]
LEASE_SECONDS = 4.0
MINERS = 3
FLEET_SECONDS = 40.0

DRIVER = r'''
import json, os, sys, time

import storage
from sqlalchemy import select
from miner.core import log as miner_log
from miner.core.owner import default_owner
from miner.mine.loop import mine
from storage.schema import Effort



def claim(engine, owner, n, lease_seconds):
    t0 = time.time()
    got = real_claim(engine, owner, n, lease_seconds)
    log.write(json.dumps({"ev": "claim", "owner": owner, "t0": t0, "t1": time.time(),
                          "lease": lease_seconds, "got": got}) + "\n")
    if victim and got:
        time.sleep(3600)  # holding its leases until the test kills it with SIGKILL
    return got


def lease(engine, owner, a_numbers, n, lease_seconds):
    # The loop leases in its own priority order (`miner.mine.loop.plan`): logged as a claim.
    t0 = time.time()
    got = real_lease(engine, owner, a_numbers, n, lease_seconds)
    log.write(json.dumps({"ev": "claim", "owner": owner, "t0": t0, "t1": time.time(),
                          "lease": lease_seconds, "got": got}) + "\n")
    if victim and got:
        time.sleep(3600)
    return got


def release(engine, owner, a_numbers=None):
    a_numbers = None if a_numbers is None else list(a_numbers)
    # Logged before the call: the leases are held at least until then.
    log.write(json.dumps({"ev": "release", "owner": owner, "t0": time.time(), "a": a_numbers}) + "\n")
    return real_release(engine, owner, a_numbers)


if __name__ == "__main__":  # the checker's worker processes import this file again
    cfg = json.load(open(sys.argv[1]))
    log = open(sys.argv[2], "a", buffering=1)
    deadline = time.time() + float(sys.argv[3])
    victim = sys.argv[4] == "victim"
    real_claim, real_release, real_lease = storage.claim, storage.release, storage.lease
    storage.claim, storage.release, storage.lease = claim, release, lease
    miner_log.configure("warning", "json")
    engine = storage.connect(cfg["database"]["url"])
    found = []
    # Mine until every lacking sequence was tried by someone (the victim's after its leases expire).
    while time.time() < deadline:
        summary = mine(cfg, strategies=%(strategies)r, engine=engine)
        found += [[h["a_number"], h["outcome"]] for h in summary.to_json()["found"]]
        with storage.session_scope(engine, readonly=True) as session:
            untried = set(storage.lacking(session)) - set(session.scalars(select(Effort.a_number)))
        if not untried:
            break
        time.sleep(0.3)
    print(json.dumps({"owner": default_owner(), "untried": sorted(untried), "found": found}))
''' % {"strategies": STRATEGIES}


@pytest.fixture(scope="module")
def data(real_data, sample_tarball):
    """(sequences, corpus programs): a seeded subset of the real corpus, with HIDDEN and 16 more held out."""
    sequences, corpus = testbed.held_out_subset(real_data / "oeis", sample_tarball, ALWAYS, HIDDEN)
    extra = testbed.holdout_ids(corpus, sequences, 16, seed=3)
    return sequences, {a: code for a, code in corpus.items() if a not in extra}


def fleet_cfg(tmp_path: Path, url: str) -> dict:
    cfg = config.defaults_in(tmp_path / "data")
    cfg["database"]["url"] = url
    cfg["mine"].update(workers=1, deep_check=False, random_seed=11, batch_size=3, lease_seconds=LEASE_SECONDS)
    return cfg


def start(tmp_path: Path, cfg_file: Path, name: str, seconds: float, mode: str) -> subprocess.Popen:
    driver = tmp_path / "driver.py"
    if not driver.exists():  # rewriting it while a started miner still reads it would run a cut file
        driver.write_text(DRIVER)
    return subprocess.Popen(
        [sys.executable, str(driver), str(cfg_file), str(tmp_path / f"{name}.jsonl"), str(seconds), mode],
        stdout=subprocess.PIPE, stderr=open(tmp_path / f"{name}.err", "w"), text=True,
    )


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def lease_intervals(events: list[dict]) -> dict[int, list[tuple[float, float, str]]]:
    """Per sequence, (from, to, owner) intervals inside which the owner surely held the lease: from the
    claim's return to the earlier of its next release call and the claim's start + lease seconds."""
    out: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for i, ev in enumerate(events):
        if ev["ev"] != "claim":
            continue
        for a in ev["got"]:
            end = ev["t0"] + ev["lease"]
            for later in events[i + 1:]:
                if later["ev"] == "release" and later["owner"] == ev["owner"] and (
                        later["a"] is None or a in later["a"]):
                    end = min(end, later["t0"])
                    break
            out[a].append((ev["t1"], end, ev["owner"]))
    return out


@pytest.mark.slow
def test_fleet_leases_hits_and_a_killed_miner(tmp_path, data, database_url):
    sequences, programs = data
    cfg = fleet_cfg(tmp_path, database_url)
    testbed.build_db(database_url, sequences, programs).dispose()
    cfg_file = tmp_path / "cfg.json"
    cfg_file.write_text(json.dumps(cfg, default=str))
    engine = storage.connect(database_url)
    with storage.session_scope(engine, readonly=True) as s:
        targets = set(storage.lacking(s))
    assert set(HIDDEN) <= targets and len(targets) >= 15

    # A miner that claims a batch and is killed with SIGKILL while holding it.
    victim = start(tmp_path, cfg_file, "victim", 60, "victim")
    victim_log = tmp_path / "victim.jsonl"
    miners: list[subprocess.Popen] = []
    outputs = []
    try:
        deadline = time.monotonic() + 30
        while not any(e["ev"] == "claim" and e["got"]
                      for e in (read_log(victim_log) if victim_log.exists() else [])):
            assert victim.poll() is None and time.monotonic() < deadline, (tmp_path / "victim.err").read_text()
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait()

        # The fleet.
        miners = [start(tmp_path, cfg_file, f"m{i}", FLEET_SECONDS, "miner") for i in range(MINERS)]
        for i, proc in enumerate(miners):
            out, _ = proc.communicate(timeout=FLEET_SECONDS + 60)
            assert proc.returncode == 0, (tmp_path / f"m{i}.err").read_text()[-3000:]
            outputs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in [victim, *miners]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    (victim_claim,) = [e for e in read_log(victim_log) if e["ev"] == "claim" and e["got"]]
    assert all(o["untried"] == [] for o in outputs), outputs

    events = sorted((e for name in ["victim", *(f"m{i}" for i in range(MINERS))]
                     for e in read_log(tmp_path / f"{name}.jsonl")), key=lambda e: e["t0"])
    owners = {e["owner"] for e in events}
    assert len(owners) == MINERS + 1

    # No sequence leased to two miners at once.
    intervals = lease_intervals(events)
    for a, spans in intervals.items():
        for i, (s1, e1, o1) in enumerate(spans):
            for s2, e2, o2 in spans[i + 1:]:
                assert not (o1 != o2 and s1 < e2 and s2 < e1), (a, (s1, e1, o1), (s2, e2, o2))

    # The killed miner's leases were taken over by the fleet, only after they expired, and mined.
    # (A corpus sweep may solve one meanwhile without a lease: then nobody needs to claim it.)
    with storage.session_scope(engine, readonly=True) as s:
        tried = set(s.scalars(select(Effort.a_number)))
        per_sequence = dict(s.execute(select(Program.a_number, func.count()).where(Program.origin == "mined")
                                      .group_by(Program.a_number)).all())
        rows = storage.discovered(s)
    expiry = victim_claim["t0"] + victim_claim["lease"]
    taken_over = 0
    for a in victim_claim["got"]:
        later = [s for s, _e, o in intervals[a] if o != victim_claim["owner"]]
        assert all(t >= expiry for t in later), (a, later, expiry)
        assert later or a in per_sequence, a
        taken_over += bool(later)
        assert a in tried | set(per_sequence), a
    assert taken_over >= 1

    # Every hit stored exactly once, the solvable held-out ones among them, and exported as stored.
    assert set(SOLVABLE) <= set(per_sequence) <= targets
    assert set(per_sequence.values()) == {1}
    export_dir = Path(cfg["paths"]["export_dir"])
    # Offline, every hit is provisional and not exported; a b-file check (here: b-files of the known
    # terms) verifies and exports them.
    assert {row.status for row in rows} == {"provisional"} and not list(export_dir.rglob("A*.asm"))
    bfiles = tmp_path / "bfiles"
    bfiles.mkdir()
    for row in rows:
        (bfiles / f"b{row.a_number:06d}.txt").write_text(
            "".join(f"{sequences[row.a_number].offset + i} {t}\n" for i, t in enumerate(row.terms)))
    checked = dict(cfg, mine=dict(cfg["mine"], deep_check=True),
                   sources=dict(cfg["sources"], bfile_url=f"{bfiles}/b{{number:06d}}.txt"))
    assert deep_check_provisional(checked, engine).verified == len(rows)
    files = {int(p.stem[1:]) for p in export_dir.rglob("A*.asm")}
    assert files == set(per_sequence)
    for row in rows:
        text = program_path(export_dir, row.a_number).read_text()
        assert text == render(row.a_number, row.name, row.terms, row.code, cfg["mine"]["submitted_by"])
    # Each stored hit was new to exactly one miner; whatever a miner found is stored.
    news = Counter(parse_a_number(a) for o in outputs for a, outcome in o["found"] if outcome == "new")
    assert news == Counter(set(per_sequence))
    assert {parse_a_number(a) for o in outputs for a, _ in o["found"]} <= set(per_sequence)
    # Each stored program names the miner that stored it, and `status` counts hits per miner.
    with storage.session_scope(engine, readonly=True) as s:
        stored_by = dict(s.execute(select(Program.a_number, Program.owner).where(Program.origin == "mined")).all())
    for a, owner in stored_by.items():
        (out,) = [o for o in outputs if o["owner"] == owner]
        assert any(parse_a_number(x) == a and r in ("new", "replaced") for x, r in out["found"]), (a, owner)
    fleet = status.collect(cfg)["fleet"]
    assert fleet["hits_by_owner"] == dict(Counter(stored_by.values()))
    assert "hits stored by other runs" in status.render(status.collect(cfg))
    # The fleet released everything; only the killed miner's (expired) leases on sequences solved
    # meanwhile remain, since nobody had to claim them again.
    with storage.session_scope(engine, readonly=True) as s:
        left = s.execute(select(Lease.a_number, Lease.owner)).all()
    assert all(o == victim_claim["owner"] and a in per_sequence for a, o in left), left
    engine.dispose()


@pytest.mark.slow
def test_a_model_promoted_by_another_miner_is_picked_up_without_a_restart(tmp_path, data):
    # The daemon calls refresh_context every [daemon] reload_minutes; the next batch then loads the model.
    from miner.mine.context import build_context, load_model, refresh_context

    sequences, programs = data
    url = f"sqlite:///{tmp_path / 'miner.db'}"
    cfg = fleet_cfg(tmp_path, url)
    engine = testbed.build_db(url, sequences, programs)
    ctx = build_context(cfg, engine)
    try:
        ctx.state.model_checked = True  # as after a batch that found no promoted model
        assert not refresh_context(ctx, engine)
        other = storage.connect(url)  # another machine of the fleet retrains and promotes
        with storage.session_scope(other) as s:
            version = storage.register_model(s, str(tmp_path / "no-such-model"), "tiny", 10, {}, True)
        other.dispose()
        assert refresh_context(ctx, engine) and not ctx.state.model_checked
        handle = load_model(ctx, engine)
        # The files are missing here, so it is recorded as unavailable, but under the new version.
        assert handle.version == version and handle.loaded is None and handle.error
    finally:
        ctx.close()
        engine.dispose()


def test_a_promoted_model_reaches_a_miner_that_cannot_see_its_folder(tmp_path, data):
    import shutil

    from miner.mine.context import build_context, load_model
    from training.model import build_model, save
    from training.registry import register
    from training.tokenizer import train_tokenizer

    sequences, programs = data
    url = f"sqlite:///{tmp_path / 'miner.db'}"
    engine = testbed.build_db(url, sequences, programs)
    # The miner that retrains: its run folder is on its own disk.
    tokenizer = train_tokenizer(["o 0 t 1 2 n x", "mov $1 $0 add $0 1"] * 20, vocab_size=120)
    trained = save(build_model("tiny", tokenizer.get_vocab_size()), tokenizer, tmp_path / "trainer" / "model",
                   {"num_terms": 8})
    version, outcome = register(engine, str(trained), "tiny", 10, {"solve_rate": 0.1, "validation_key": "v"})
    assert outcome == "promoted"
    shutil.rmtree(tmp_path / "trainer")
    # Another miner, with its own data folder, finds the promoted model in the shared database.
    cfg = fleet_cfg(tmp_path / "other", url)
    ctx = build_context(cfg, engine)
    try:
        handle = load_model(ctx, engine)
        assert handle.version == version and handle.loaded is not None, handle.error
        assert handle.path.startswith(str(tmp_path / "other" / "data" / "models" / str(version)))
        assert (tmp_path / "other" / "data" / "models" / str(version) / "model.safetensors").is_file()
    finally:
        ctx.close()
        engine.dispose()


@pytest.mark.slow
def test_during_a_trial_batches_mine_with_either_model_and_credit_it(tmp_path, data):
    from sqlalchemy import func, select

    from miner.mine.context import build_context, load_model
    from miner.mine.loop import mine_batch
    from storage.schema import Attempt
    from training.model import build_model, save
    from training.tokenizer import train_tokenizer

    sequences, programs = data
    url = f"sqlite:///{tmp_path / 'miner.db'}"
    engine = testbed.build_db(url, sequences, programs)
    tokenizer = train_tokenizer(["o 0 t 1 2 n x", "mov $1 $0 add $0 1"] * 20, vocab_size=120)
    folders = [save(build_model("tiny", tokenizer.get_vocab_size()), tokenizer, tmp_path / name, {"num_terms": 8})
               for name in ("current", "candidate")]
    with storage.session_scope(engine) as s:
        current = storage.register_model(s, str(folders[0]), "tiny", 10, {}, True)
        candidate = storage.register_model(s, str(folders[1]), "tiny", 10, {}, False, trial=True)
    cfg = fleet_cfg(tmp_path, url)
    cfg["mine"]["budget"]["beam"] = 2
    ctx = build_context(cfg, engine)
    try:
        picked = {load_model(ctx, engine).version for _ in range(40)}
        assert picked == {current, candidate}
        # Asking only whether a model is there keeps the batch's draw.
        drawn = ctx.state.model.version
        assert {load_model(ctx, engine, pick=False).version for _ in range(20)} == {drawn}
        assert [h.version for h in ctx.state.models] == [current, candidate]
        for _ in range(8):
            mine_batch(ctx, engine, strategies=["beam"], size=1)
    finally:
        ctx.close()
    with storage.session_scope(engine, readonly=True) as s:
        per_version = dict(s.execute(select(Attempt.model_version, func.count()).where(Attempt.strategy == "beam")
                                     .group_by(Attempt.model_version)).all())
        figures = storage.trial_figures(s, [current, candidate], storage.model_on_trial(s).created_at)
    # Both models mined (8 batches, each side picked with probability 1/2), and the trial sees both.
    assert set(per_version) == {current, candidate}, per_version
    assert all(figures[v][1] > 0 for v in (current, candidate)), figures
    engine.dispose()
