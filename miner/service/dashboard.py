"""`loda-miner dashboard`: a read-only web page over the database (stdlib WSGI server, inline SVG plots).

Why this stack: one server-rendered HTML page with SVG drawn here needs no JavaScript, no CDN and no
dependency, works offline and behind any reverse proxy, and its numbers can be checked in the DOM.
The database is opened read-only (`storage.connect_readonly`); each request is one read transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import structlog

import storage
from miner import __version__
from miner.core.config import DEFAULTS
from miner.lang.anumber import format_a_number
from miner.service import plots
from storage import observe
from storage import status as st
from storage.db import safe_url
from storage.records import (
    JobRunRow,
    MinerRow,
    ModelVersionRow,
    StrategyStats,
)

log = structlog.get_logger(__name__)

# Strategies in the order the config lists them, so each keeps its colour; others follow by name.
STRATEGY_ORDER = tuple(DEFAULTS["mine"]["strategies"])
MODEL_METRICS = ("solve_rate", "valid_rate", "exact_match_rate", "retrieval_solve_rate", "pipeline_solve_rate",
                 "model_only_solve_rate", "seconds_per_sequence")


@dataclass
class Page:
    """Everything one page shows, read in one transaction."""

    now: datetime
    database: str
    days: list[str]
    summary: observe.Counts
    activity: st.Activity
    strategies: dict[str, StrategyStats]
    hits_per_day: list[tuple[str, str, int]]
    effort_per_day: list[observe.DayEffort]
    programs: list[observe.ProgramView]
    models: list[ModelVersionRow]
    model_yield: dict[int, tuple[int, int, float]]
    jobs: list[JobRunRow]
    errors: list[JobRunRow]
    miners: list[MinerRow]
    hits_by_owner: dict[str, int]
    alive_seconds: float
    query: str = ""
    results: list[observe.SearchResult] = field(default_factory=list)


def gather(engine: storage.Engine, cfg: dict[str, Any], query: str = "", now: datetime | None = None) -> Page:
    """Read what the page shows (one read-only transaction)."""
    now = now or datetime.now(UTC)
    days = int(cfg["dashboard"]["days"])
    since = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), UTC)
    with storage.session_scope(engine, readonly=True) as session:
        page = Page(
            now=now,
            database=safe_url(cfg["database"]["url"]),
            days=[],
            summary=observe.counts(session),
            activity=st.activity(session, now),
            strategies=storage.strategy_stats(session),
            hits_per_day=observe.hits_per_day(session, since),
            effort_per_day=observe.effort_per_day(session, since),
            programs=observe.latest_programs(session, int(cfg["dashboard"]["programs"])),
            models=storage.model_versions(session),
            model_yield=observe.model_yield(session),
            jobs=observe.recent_job_runs(session, 15, skip_jobs=("mine",)),
            errors=observe.recent_job_runs(session, 10, errors_only=True),
            miners=storage.miners(session),
            hits_by_owner=st.hits_per_owner(session),
            alive_seconds=float(cfg["daemon"]["alive_seconds"]),
            query=query,
            results=observe.search(session, query) if query.strip() else [],
        )
    page.days = _day_axis(page, now.date(), days)
    return page


def _day_axis(page: Page, today: date, days: int) -> list[str]:
    """Consecutive days up to today: from the first day with data in the window, at least a week."""
    seen = [d for d, _, _ in page.hits_per_day] + [e.day for e in page.effort_per_day]
    first = min((date.fromisoformat(d) for d in seen), default=today)
    first = max(min(first, today - timedelta(days=6)), today - timedelta(days=days - 1))
    return [(first + timedelta(days=i)).isoformat() for i in range((today - first).days + 1)]


def _ordered(names: Iterable[str]) -> list[str]:
    rank = {n: i for i, n in enumerate(STRATEGY_ORDER)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _ago(now: datetime, value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = (now - value).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit} ago"
    return f"{seconds:.0f} s ago"


def _per_hour(hits: int, cpu: float) -> str:
    return f"{hits * 3600 / cpu:.1f}" if cpu > 0 else "-"


def _table(table_id: str, head: Iterable[str], rows: Iterable[str], empty: str) -> str:
    body = "".join(rows)
    if not body:
        return f'<p class="empty" id="{table_id}-empty">{escape(empty)}</p>'
    # A heading starting with "#" is a numeric column: right-aligned like its cells.
    cols = "".join(f'<th class="n">{escape(h[1:])}</th>' if h.startswith("#") else f"<th>{escape(h)}</th>"
                   for h in head)
    return f'<table id="{table_id}"><thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table>'


def _links(a_number: int) -> str:
    a = format_a_number(a_number)
    return (f'<a class="anum" href="https://oeis.org/{a}">{a}</a> '
            f'<a class="loda" href="https://loda-lang.org/edit/?oeis={a_number}" title="LODA page">LODA</a>')


def _hits_plot(page: Page) -> str:
    index = {d: i for i, d in enumerate(page.days)}
    names = _ordered(s for _, s, _ in page.hits_per_day)
    series = {n: [0] * len(page.days) for n in names}
    for day, strategy, n in page.hits_per_day:
        if day in index:
            series[strategy][index[day]] += n
    totals = [sum(v) for v in series.values()]
    return plots.stacked_bars("hits-per-day", page.days, series, "hits") + plots.legend(names, totals)


def _rate_plot(page: Page) -> str:
    by_day = {e.day: e for e in page.effort_per_day}
    values: list[float | None] = []
    notes = []
    data = []
    for day in page.days:
        e = by_day.get(day)
        values.append(e.hits * 3600 / e.cpu_seconds if e and e.cpu_seconds > 0 else None)
        notes.append(f"{e.hits} hits in {e.cpu_seconds:.0f} CPU-s, {e.candidates} candidates" if e else "")
        data.append({"hits": str(e.hits), "cpu-seconds": f"{e.cpu_seconds:.3f}", "candidates": str(e.candidates)}
                    if e else {})
    return plots.line("hits-per-cpu-hour", page.days, values, "hits per CPU-hour", notes, data)


def _strategies(page: Page) -> str:
    rows = []
    for name in _ordered(page.strategies):
        s = page.strategies[name]
        rows.append(
            f'<tr data-strategy="{escape(name)}"><td>{escape(name)}</td><td class="n attempts">{s.attempts}</td>'
            f'<td class="n candidates">{s.candidates}</td><td class="n hits">{s.hits}</td>'
            f'<td class="n cpu">{s.cpu_seconds:.1f}</td><td class="n rate">{_per_hour(s.hits, s.cpu_seconds)}</td></tr>'
        )
    total = StrategyStats()
    for s in page.strategies.values():
        total.attempts += s.attempts
        total.candidates += s.candidates
        total.hits += s.hits
        total.cpu_seconds += s.cpu_seconds
    if rows:
        rows.append(
            f'<tr class="total" data-strategy="all"><td>all</td><td class="n attempts">{total.attempts}</td>'
            f'<td class="n candidates">{total.candidates}</td><td class="n hits">{total.hits}</td>'
            f'<td class="n cpu">{total.cpu_seconds:.1f}</td>'
            f'<td class="n rate">{_per_hour(total.hits, total.cpu_seconds)}</td></tr>'
        )
    return _table("strategies", ("strategy", "#attempts", "#candidates", "#hits", "#CPU seconds", "#hits per CPU-hour"),
                  rows, "No attempts yet.")


def _terms(terms: list[int], n: int = 12) -> str:
    text = ", ".join(map(str, terms[:n]))
    return escape(text + (", ..." if len(terms) > n else ""))


def _programs(page: Page) -> str:
    rows = [
        f'<tr data-a-number="{format_a_number(p.a_number)}"><td class="nowrap">{_links(p.a_number)}</td>'
        f'<td class="name">{escape(p.name)}<div class="terms">{_terms(p.terms)}</div></td>'
        f'<td><pre>{escape(p.code.strip())}</pre></td><td class="status">{escape(p.status)}</td>'
        f'<td class="strategy">{escape(p.strategy or "-")}</td>'
        f'<td class="model">{"-" if p.model_version is None else p.model_version}</td>'
        f'<td class="nowrap">{_when(p.found_at)}</td></tr>'
        for p in page.programs
    ]
    return _table("programs", ("sequence", "name and terms", "code", "status", "strategy", "model", "found (UTC)"),
                  rows, "No programs discovered yet.")


def _search(page: Page) -> str:
    form = ('<form method="get" action="" id="search"><input type="search" name="q" '
            f'value="{escape(page.query)}" placeholder="A000045 or words of a name" size="40"> '
            '<button type="submit">Search</button></form>')
    if not page.query.strip():
        return form
    rows = [
        f'<tr data-a-number="{format_a_number(r.a_number)}" data-state="{r.state}"><td class="nowrap">'
        f'{_links(r.a_number)}</td><td>{escape(r.name)}</td><td class="state">{r.state}</td>'
        f'<td class="n">{r.attempts}</td><td class="n">{r.cpu_seconds:.1f}</td><td>{_when(r.last_attempt_at)}</td>'
        f'<td>{escape(r.leased_by or "")}</td>'
        f'<td>{"<pre>" + escape(r.mined_code.strip()) + "</pre>" if r.mined_code else ""}</td></tr>'
        for r in page.results
    ]
    table = _table("search-results", ("sequence", "name", "state", "#attempts", "#CPU s", "last attempt", "leased by",
                                      "mined program"), rows, f"Nothing matches {page.query!r}.")
    return form + table


def _metric(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:.3g}"
    return escape(str(value))


def _models(page: Page) -> str:
    rows = []
    for m in reversed(page.models):
        metrics = ", ".join(f"{k} {_metric(m.metrics[k])}" for k in MODEL_METRICS if k in m.metrics)
        attempts, hits, cpu = page.model_yield.get(m.id, (0, 0, 0.0))
        rows.append(
            f'<tr data-model="{m.id}"><td class="version">{m.id}{" (promoted)" if m.promoted else ""}'
            f'{f" (trial {m.trial})" if m.trial else ""}</td><td>{escape(m.preset)}</td>'
            f'<td class="n">{m.train_pairs}</td><td>{_when(m.created_at)}</td><td>{metrics}</td>'
            f'<td class="n attempts">{attempts}</td><td class="n hits">{hits}</td>'
            f'<td class="n rate">{_per_hour(hits, cpu)}</td></tr>'
        )
    return _table("models", ("version", "preset", "#pairs", "created (UTC)", "validation metrics", "#attempts",
                             "#hits", "#hits per CPU-hour"), rows,
                  "No model registered (the bundled model, if any, mines unregistered).")


def _runs(table_id: str, runs: list[JobRunRow], empty: str) -> str:
    rows = []
    for r in runs:
        outcome = r.outcome or "running"
        seconds = f"{(r.finished_at - r.started_at).total_seconds():.1f}" if r.finished_at else "-"
        rows.append(
            f'<tr class="{escape(outcome)}"><td>{escape(r.job)}</td><td>{_when(r.started_at)}</td>'
            f'<td class="n">{seconds}</td><td class="outcome">{escape(outcome)}</td>'
            f'<td class="msg">{escape(r.message[:300])}</td></tr>'
        )
    return _table(table_id, ("job", "started (UTC)", "#seconds", "outcome", "message"), rows, empty)


def _fleet(page: Page) -> str:
    rows = []
    for m in page.miners:
        alive = st.is_alive(m, page.now, page.alive_seconds)
        state = m.state or {}
        rows.append(
            f'<tr data-owner="{escape(m.owner)}" class="{"alive" if alive else "dead"}"><td>{escape(m.owner)}</td>'
            f'<td>{"alive" if alive else "dead"}</td><td>{escape(str(state.get("doing", "")))}</td>'
            f'<td class="n">{state.get("candidates_per_second") or 0}</td><td class="n">{state.get("hits") or 0}</td>'
            f'<td class="n">{page.hits_by_owner.get(m.owner, 0)}</td><td>{escape(str(state.get("version", "")))}</td>'
            f'<td>{_ago(page.now, m.last_seen)}</td></tr>'
        )
    return _table("fleet", ("miner", "state", "doing", "#candidates/s", "#hits this run", "#hits stored", "version",
                            "last heartbeat"), rows, "No miner has run on this database yet.")


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 24px 40px;color:#222;max-width:1200px}
h1{font-size:20px;margin:16px 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ccc}
.sub{color:#666}.counts span{display:inline-block;margin:4px 18px 4px 0}.counts b{font-size:18px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;
vertical-align:top}th{background:#f6f6f6}.n{text-align:right;font-variant-numeric:tabular-nums}
pre{margin:0;font-size:12px;max-height:9em;overflow:auto}.terms{color:#666;font-size:12px}
.nowrap{white-space:nowrap}.legend{margin:4px 0 0 56px}.key{margin-right:14px;white-space:nowrap}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px}tr.error td,tr.failed td{color:#a00}
tr.dead td{color:#888}.msg{font-size:12px;color:#555}.empty{color:#888}svg.chart{max-width:100%;height:auto}
"""


def render(page: Page) -> str:
    """The whole page as HTML."""
    s, a = page.summary, page.activity
    alive = sum(st.is_alive(m, page.now, page.alive_seconds) for m in page.miners)
    cpu = sum(v.cpu_seconds for v in page.strategies.values())
    hits = sum(v.hits for v in page.strategies.values())
    counts = [("sequences", s.sequences), ("lacking", s.lacking), ("attempted", a.attempted),
              ("solved", s.mined_programs), ("hits_24h", a.hits_24h), ("hits_7d", a.hits_7d),
              ("miners_alive", alive)]
    labels = {"sequences": "sequences", "lacking": "lacking a program", "attempted": "attempted",
              "solved": "solved", "hits_24h": "in 24 h", "hits_7d": "in 7 days", "miners_alive": "miners alive"}
    count_html = "".join(f'<span data-count="{k}"><b>{v}</b> {labels[k]}</span>' for k, v in counts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>loda-miner dashboard</title><style>{STYLE}</style></head><body>
<h1>loda-miner</h1>
<div class="sub">{escape(page.database)} &middot; {_when(page.now)} UTC &middot; version {escape(__version__)}
&middot; last refresh {_ago(page.now, s.last_refresh)} &middot; {_per_hour(hits, cpu)} hits per CPU-hour overall</div>
<div class="counts" id="counts">{count_html}</div>
<h2>Search</h2>{_search(page)}
<h2>Hits per day by strategy</h2>{_hits_plot(page)}
<h2>Hits per CPU-hour</h2>{_rate_plot(page)}
<h2>Strategies</h2>{_strategies(page)}
<h2>Latest discovered programs</h2>{_programs(page)}
<h2>Models</h2>{_models(page)}
<h2>Recent job runs</h2>{_runs("jobs", page.jobs, "No scheduled job has run yet.")}
<h2>Errors</h2>{_runs("errors", page.errors, "No job ended in an error.")}
<h2>Fleet</h2>{_fleet(page)}
</body></html>
"""


def app(engine: storage.Engine, cfg: dict[str, Any]) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: GET / (with ?q= to search) and /healthz; nothing else, nothing written."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        if method not in ("GET", "HEAD"):
            return _reply(start_response, "405 Method Not Allowed", "read-only\n", "text/plain", [("Allow", "GET, HEAD")])
        if path == "/healthz":
            return _reply(start_response, "200 OK", "ok\n", "text/plain")
        if path not in ("/", ""):
            return _reply(start_response, "404 Not Found", "not found\n", "text/plain")
        query = parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0][:200]
        try:
            html = render(gather(engine, cfg, query))
        except Exception as exc:
            log.exception("dashboard_error", path=path)
            return _reply(start_response, "500 Internal Server Error", f"error: {type(exc).__name__}: {exc}\n",
                          "text/plain")
        return _reply(start_response, "200 OK", html, "text/html; charset=utf-8")

    return application


def _reply(start_response: Callable[..., Any], status: str, body: str, ctype: str,
           extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data))),
                            ("Cache-Control", "no-store"), *(extra or [])])
    return [data]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("dashboard_request", client=self.client_address[0], line=format % args)


def serve(cfg: dict[str, Any], host: str, port: int, stop_event: threading.Event | None = None) -> None:
    """Serve the dashboard on host:port until `stop_event` is set (or Ctrl-C / SIGTERM in the CLI)."""
    engine = storage.connect_readonly(cfg["database"]["url"])
    server = make_server(host, port, app(engine, cfg), server_class=_Server, handler_class=_QuietHandler)
    log.info("dashboard_start", url=f"http://{host}:{server.server_port}/", database=safe_url(cfg["database"]["url"]))
    stop_event = stop_event or threading.Event()
    def shut_down_on_stop() -> None:
        stop_event.wait()
        server.shutdown()

    watcher = threading.Thread(target=shut_down_on_stop, daemon=True)
    watcher.start()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        stop_event.set()
        server.server_close()
        engine.dispose()
        log.info("dashboard_stop")
