"""`loda-miner status`: whether the daemon is alive, what it is doing, counts, jobs, model, fleet.

Reads the database in one read-only transaction (WAL: never waits for the daemon's writes);
imports neither torch nor the mining code, so it answers in well under a second.
"""

from __future__ import annotations

import argparse
import json
import socket
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import storage


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `status` command."""
    parser = subparsers.add_parser(
        "status",
        help="is the daemon alive, what is it doing, counts, jobs, model, throughput, fleet",
        description="Exit code 0 when a miner is alive, 1 when none is, 65 when there is no database "
                    "(with --json: {\"error\": ..., \"exit_code\": 65}).",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object for scripts")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Print the status; exit code 0 when a miner is alive, 1 otherwise."""
    report = collect(cfg)
    print(json.dumps(report, indent=2, default=_json_default) if args.json else render(report))
    return 0 if report["daemon"]["alive"] else 1


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _per_hour(hits: int, cpu_seconds: float) -> float | None:
    return round(hits * 3600 / cpu_seconds, 3) if cpu_seconds > 0 else None


def _open(cfg: dict[str, Any]) -> Any:
    from miner.cli import corpus as corpora

    return corpora.open_existing(cfg, "start the miner with `loda-miner run`")


def collect(cfg: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Everything `status` shows, as a JSON-ready dict with at least {"daemon": {"alive": ...}}."""
    import storage
    from storage import status as st

    now = now or datetime.now(timezone.utc)
    alive_seconds = float(cfg["daemon"]["alive_seconds"])
    engine = _open(cfg)
    try:
        with storage.session_scope(engine, readonly=True) as session:
            summary = storage.summary(session)
            activity = st.activity(session, now)
            runs = st.last_runs(session)
            model = storage.promoted_model(session)
            strategies = storage.strategy_stats(session)
            miners = storage.miners(session)
            leases = st.lease_counts(session, now)
            hits_by_owner = st.hits_per_owner(session)
            versions = storage.model_versions(session)
            hits_by_version = st.hits_per_model_version(session)
            statuses = st.hit_statuses(session)
            trial = storage.running_trial(session)
    finally:
        engine.dispose()

    fleet: list[dict[str, Any]] = []
    for m in miners:
        age = (now - m.last_seen).total_seconds()
        state = m.state or {}
        fleet.append({
            "owner": m.owner,
            "alive": st.is_alive(m, now, alive_seconds),
            "heartbeat_age_seconds": round(age, 1),
            "last_seen": m.last_seen,
            "started_at": m.started_at,
            **{k: state.get(k) for k in ("host", "pid", "version", "doing", "jobs_running", "uptime_seconds",
                                         "batches", "candidates", "hits", "cpu_seconds",
                                         "candidates_per_second")},
            "next_runs": state.get("next_runs", {}),
            "hits_stored": hits_by_owner.get(m.owner, 0),
        })
    alive = [m for m in fleet if m["alive"]]
    host = socket.gethostname()
    # "The daemon": this machine's most recent miner, else the fleet's most recent one.
    local = [m for m in fleet if m.get("host") == host] or fleet
    daemon: dict[str, Any] = dict(local[0]) if local else {"owner": None, "doing": None}
    daemon["alive"] = bool(local and local[0]["alive"])
    next_runs: dict[str, Any] = {}
    for alive_miner in alive:
        for job, when in (alive_miner.get("next_runs") or {}).items():
            if when and (next_runs.get(job) is None or str(when) < _iso(next_runs[job])):
                next_runs[job] = when

    jobs: dict[str, Any] = {}
    for name in sorted(set(runs) | set(next_runs)):
        run = runs.get(name)
        jobs[name] = {
            "last_started": run.started_at if run else None,
            "last_finished": run.finished_at if run else None,
            "outcome": (run.outcome or "running") if run else None,
            "seconds": round((run.finished_at - run.started_at).total_seconds(), 3)
            if run and run.finished_at else None,
            "message": run.message if run else "",
            "next_run": "continuous" if name == "mine" else next_runs.get(name),
        }

    total_cands = sum(s.candidates for s in strategies.values())
    total_hits = sum(s.hits for s in strategies.values())
    total_cpu = sum(s.cpu_seconds for s in strategies.values())
    return {
        "database": engine.url.render_as_string(hide_password=True),
        "daemon": daemon,
        "counts": {
            "sequences": summary.sequences,
            "with_terms": summary.with_terms,
            "lacking": summary.lacking,
            "attempted": activity.attempted,
            "solved": summary.mined_programs,
            "verified": statuses["verified"],
            "provisional": statuses["provisional"],
            "superseded": statuses["superseded"],
            "corpus_programs": summary.corpus_programs,
            "hits_24h": activity.hits_24h,
            "hits_7d": activity.hits_7d,
            "last_refresh": summary.last_refresh,
        },
        "jobs": jobs,
        "model": None if model is None else {
            "version": model.id, "path": model.path, "preset": model.preset, "train_pairs": model.train_pairs,
            "created_at": model.created_at, "metrics": model.metrics,
        },
        "trial": None if trial is None else _trial(trial, cfg),
        # Every registered version (the history of retraining rounds) with its validation figures and
        # its trial's hits per CPU-hour (the steady-state yield it was judged on).
        "models": [{"version": v.id, "promoted": v.promoted, "path": v.path, "created_at": v.created_at,
                    **{k: v.metrics.get(k) for k in MODEL_FIGURES}, "hits": hits_by_version.get(v.id, 0),
                    "trial": v.trial, "trial_hits_per_cpu_hour": (v.metrics.get("trial") or {}).get("hits_per_cpu_hour")}
                   for v in versions],
        "throughput": {
            "candidates_per_second": round(sum(m.get("candidates_per_second") or 0 for m in alive), 3),
            "candidates": total_cands,
            "cpu_seconds": round(total_cpu, 3),
            "candidates_per_cpu_second": round(total_cands / total_cpu, 3) if total_cpu > 0 else None,
            "hits": total_hits,
            "hits_per_cpu_hour": _per_hour(total_hits, total_cpu),
        },
        "strategies": {
            name: {
                "attempts": s.attempts, "candidates": s.candidates, "valid": s.valid, "hits": s.hits,
                "cpu_seconds": round(s.cpu_seconds, 3), "hits_per_cpu_hour": _per_hour(s.hits, s.cpu_seconds),
            }
            for name, s in sorted(strategies.items())
        },
        "fleet": {
            "miners_alive": len(alive),
            "miners": fleet,
            "leases": {"active": leases.active, "stale": leases.stale, "owners": leases.owners},
            "hits_by_owner": hits_by_owner,
        },
    }


def _trial(trial: storage.TrialState, cfg: dict[str, Any]) -> dict[str, Any]:
    """Both sides of the running model trial so far: hits, CPU seconds, hits per CPU-hour."""
    def side(s: storage.TrialSide) -> dict[str, Any]:
        return {"version": s.version, "hits": s.hits, "cpu_seconds": round(s.cpu_seconds, 1),
                "hits_per_cpu_hour": s.hits_per_cpu_hour}

    return {"started_at": trial.model.created_at, "need_cpu_seconds": float(cfg["train"]["trial_cpu_hours"]) * 3600,
            "candidate": side(trial.candidate), "current": side(trial.against)}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _when(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value.replace("T", " ")[:19]
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# Validation figures of each model version shown by `status`, and how many versions the text lists.
MODEL_FIGURES = ("solve_rate", "model_only_solve_rate", "pipeline_solve_rate", "k", "sequences")
MODEL_ROWS = 8


def _rate(value: Any) -> str:
    return "-" if value is None else f"{100 * float(value):.1f}%"


def render(report: dict[str, Any]) -> str:
    """The report as readable lines for a terminal."""
    d, c, t = report["daemon"], report["counts"], report["throughput"]
    lines = [f"database  {report['database']}"]
    if d.get("owner"):
        state = "alive" if d["alive"] else "NOT RUNNING"
        lines.append(f"daemon    {state}: {d['owner']} (version {d.get('version')}, heartbeat "
                     f"{d.get('heartbeat_age_seconds')} s ago), doing: {d.get('doing')}")
    else:
        lines.append("daemon    never ran on this database")
    lines.append(
        f"counts    {c['sequences']} sequences, {c['lacking']} lacking a program, {c['attempted']} attempted, "
        f"{c['solved']} solved ({c['hits_24h']} in 24 h, {c['hits_7d']} in 7 days); "
        f"last refresh {_when(c['last_refresh'])}"
    )
    lines.append(f"hits      {c['verified']} verified on b-files (exported), {c['provisional']} provisional "
                 f"(known terms only: not exported until a b-file check), {c['superseded']} superseded")
    refresh = report["jobs"].get("refresh") or {}
    if refresh.get("outcome") in ("failed", "error") and "not applied" in (refresh.get("message") or ""):
        lines.append(f"refresh   NOT APPLIED: {refresh['message']}")
    lines.append("jobs      job            last run (UTC)       outcome   seconds  next run")
    for name, j in report["jobs"].items():
        seconds = "-" if j["seconds"] is None else f"{j['seconds']:.1f}"
        lines.append(f"          {name:<14} {_when(j['last_started']):<20} {str(j['outcome'] or '-'):<9} "
                     f"{seconds:>7}  {_when(j['next_run']) if j['next_run'] != 'continuous' else 'continuous'}")
    m = report["model"]
    if m is None:
        lines.append("model     none promoted (bundled model if present, else model-free strategies)")
    else:
        metrics = ", ".join(f"{k}={v}" for k, v in sorted(m["metrics"].items()) if not isinstance(v, (dict, list)))
        lines.append(f"model     version {m['version']} ({m['preset']}, {m['train_pairs']} pairs): {metrics}")
    tr = report.get("trial")
    if tr is not None:
        new, cur = tr["candidate"], tr["current"]
        lines.append(f"trial     model {new['version']} vs {cur['version'] or 'none'} since {_when(tr['started_at'])}: "
                     f"{new['hits']} hits in {new['cpu_seconds']:.0f} CPU-s vs {cur['hits']} in "
                     f"{cur['cpu_seconds']:.0f} CPU-s (decided at {tr['need_cpu_seconds']:.0f} CPU-s each)")
    if report["models"]:
        lines.append("versions  id  promoted  solve@K  model-only  hits  trial    hits/CPU-h")
        for v in report["models"][-MODEL_ROWS:]:
            promoted = "yes" if v["promoted"] else "no"
            per_hour = v["trial_hits_per_cpu_hour"]
            lines.append(f"          {v['version']:>2}  {promoted:<8}  {_rate(v['solve_rate']):>7}  "
                         f"{_rate(v['model_only_solve_rate']):>10}  {v['hits']:>4}  {v['trial'] or '-':<7}  "
                         f"{'-' if per_hour is None else per_hour:>10}")
    lines.append(f"speed     {t['candidates_per_second']} candidates/s now; overall "
                 f"{t['candidates_per_cpu_second']} candidates per CPU-second, "
                 f"{t['hits_per_cpu_hour']} hits per CPU-hour")
    if report["strategies"]:
        lines.append("strategy  name            attempts  candidates     hits  CPU s      hits/CPU-h")
        for name, s in report["strategies"].items():
            lines.append(f"          {name:<15} {s['attempts']:>8} {s['candidates']:>11} {s['hits']:>8} "
                         f"{s['cpu_seconds']:>9.0f}  "
                         f"{s['hits_per_cpu_hour'] if s['hits_per_cpu_hour'] is not None else '-'}")
    f = report["fleet"]
    lines.append(f"fleet     {f['miners_alive']} miner(s) alive; leases: {f['leases']['active']} active, "
                 f"{f['leases']['stale']} stale")
    for mm in f["miners"]:
        lines.append(f"          {mm['owner']:<28} {'alive' if mm['alive'] else 'dead ':<6} "
                     f"{mm.get('candidates_per_second') or 0} cand/s, {mm.get('hits') or 0} hits this run, "
                     f"{mm.get('hits_stored', 0)} stored in all, "
                     f"seen {mm['heartbeat_age_seconds']} s ago, {mm.get('doing')}")
    registered = {mm["owner"] for mm in f["miners"]}
    others = {o: n for o, n in f.get("hits_by_owner", {}).items() if o not in registered}
    if others:  # `loda-miner mine` runs and miners whose heartbeat row is gone
        lines.append("          hits stored by other runs: " + ", ".join(f"{o} {n}" for o, n in others.items()))
    return "\n".join(lines)
