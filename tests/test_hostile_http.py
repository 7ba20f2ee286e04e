"""Hostile servers on 127.0.0.1 (issue #23): slow bodies, huge bodies, gzip bombs, a wrong content
type, a redirect from https to plain http, huge or past Retry-After, 5xx storms. Each ends within
bounds, and the database keeps what it had."""

from __future__ import annotations

import copy
import gzip
import http.server
import shutil
import ssl
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

import storage
from miner.core import config
from miner.service import refresh, submit
from miner.sources import bfile
from miner.sources.http import CorruptDownload, Fetcher, SourceUnavailable, _retry_after
from storage import submissions as queue
from storage.records import Hit, SequenceRecord

NAMES = b"A000001 One\n"
STRIPPED = b"A000001 ,1,2,3,\n"
OFFSETS = b"A000001: 0\n"


class Hostile:
    """A real HTTP(S) server in a thread; `routes[path]` is a function(handler) that answers."""

    def __init__(self, tls_dir: Path | None = None) -> None:
        self.routes: dict[str, object] = {}
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):  # noqa: ANN002 - keep test output clean
                pass

            def _answer(self):
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                route = outer.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _answer  # noqa: N815 - http.server's naming
            do_POST = _answer  # noqa: N815

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls_dir is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_dir / "cert.pem", tls_dir / "key.pem")
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(status: int, body: bytes, headers: dict[str, str] | None = None, length: bool = True):
    def route(h):
        if h.command == "POST":
            h.rfile.read(int(h.headers.get("Content-Length", "0")))
        h.send_response(status)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        if length:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return route


def drip(body: bytes, every: float, status: int = 200):
    """The body one byte at a time, `every` seconds apart (each byte well within read_timeout)."""
    def route(h):
        if h.command == "POST":
            h.rfile.read(int(h.headers.get("Content-Length", "0")))
        h.send_response(status)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        for i in range(len(body)):
            h.wfile.write(body[i:i + 1])
            h.wfile.flush()
            time.sleep(every)
    return route


@pytest.fixture
def server():
    srv = Hostile()
    yield srv
    srv.close()


@pytest.fixture
def cfg(tmp_path):
    c = config.defaults_in(tmp_path / "data")
    c["sources"].update(retries=1, backoff=0.05, min_interval=0.0, connect_timeout=1.0, read_timeout=1.0,
                        max_download_seconds=1.0, unreachable_seconds=0.0)
    return c


@pytest.fixture
def engine(cfg, server):
    eng = storage.connect(cfg["database"]["url"])
    for key, path, body in (("names_url", "/names.gz", NAMES), ("stripped_url", "/stripped.gz", STRIPPED),
                            ("offsets_url", "/offsets.gz", OFFSETS)):
        server.routes[path] = send(200, gzip.compress(body))
        cfg["sources"][key] = server.url + path
    refresh.refresh(cfg, eng, allow_snapshot=False)
    yield eng
    eng.dispose()


def _names(engine) -> dict[int, str]:
    with storage.session_scope(engine, readonly=True) as session:
        return {a: r.name for a, r in storage.get_sequences(session, [1, 2]).items()}


def _timed(fn):
    start = time.monotonic()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - returned for the test to look at
        return exc, time.monotonic() - start
    return None, time.monotonic() - start


@pytest.mark.slow  # over a second: the full tier
def test_a_slow_body_is_cut_and_retried_then_given_up(server, cfg, engine):
    body = gzip.compress(b"A000002 Two\n" * 50)
    server.routes["/names.gz"] = drip(body, 0.05)  # ~10 s for the whole body at one byte per 50 ms
    server.hits.clear()
    exc, seconds = _timed(lambda: refresh.refresh(cfg, engine, allow_snapshot=False))
    assert isinstance(exc, SourceUnavailable) and "max_download_seconds" in str(exc)
    assert server.hits["/names.gz"] == 2 and seconds < 6
    assert _names(engine) == {1: "One"}


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "until-close"])
def test_a_huge_body_is_refused(server, cfg, engine, length):
    cfg["sources"]["max_download_mb"] = 1
    server.routes["/names.gz"] = send(200, gzip.compress(NAMES) + b"\0" * (3 << 20), length=length)
    with pytest.raises(CorruptDownload, match="max_download_mb"):
        refresh.refresh(cfg, engine)
    assert _names(engine) == {1: "One"}
    assert not list((Path(cfg["paths"]["data_dir"]) / "cache" / "sources").glob(".part-*"))


def test_a_gzip_bomb_is_refused(server, cfg, engine):
    cfg["sources"]["max_uncompressed_mb"] = 8
    server.routes["/stripped.gz"] = send(200, gzip.compress(STRIPPED + b"#" * (64 << 20)))
    with pytest.raises(CorruptDownload, match="max_uncompressed_mb"):
        refresh.refresh(cfg, engine)
    assert _names(engine) == {1: "One"}


def test_a_wrong_content_type_is_refused(server, cfg, engine):
    server.routes["/names.gz"] = send(200, b"<html><body>Service moved</body></html>",
                                      {"Content-Type": "text/html"})
    with pytest.raises(CorruptDownload, match="expected a gzip file"):
        refresh.refresh(cfg, engine)
    assert _names(engine) == {1: "One"}


def test_a_5xx_storm_gives_up_after_the_retries(server, cfg, engine):
    cfg["sources"]["retries"] = 3
    server.routes["/names.gz"] = send(503, b"busy", {"Retry-After": "0"})
    server.hits.clear()
    exc, seconds = _timed(lambda: refresh.refresh(cfg, engine, allow_snapshot=False))
    assert isinstance(exc, SourceUnavailable) and "gave up after 4 attempts" in str(exc)
    assert server.hits["/names.gz"] == 4 and seconds < 5
    assert _names(engine) == {1: "One"}


def test_retry_after_values_are_bounded(server):
    cases = {"/huge": "999999999999", "/past": "Wed, 21 Oct 2015 07:28:00 GMT", "/nan": "nan",
             "/far": "Fri, 31 Dec 99999 23:59:59 GMT", "/junk": "soon"}
    for path, value in cases.items():
        server.routes[path] = send(503, b"", {"Retry-After": value})
    got = {}
    for path in cases:
        with requests.get(server.url + path, timeout=5) as response:
            got[path] = _retry_after(response)
    assert got == {"/huge": 600.0, "/past": 0.0, "/nan": None, "/far": None, "/junk": None}


@pytest.mark.slow  # over a second: the full tier
def test_hostile_bfiles_are_treated_as_missing(server, cfg):
    cfg["sources"]["max_bfile_mb"] = 1
    cases = {
        1: send(200, b"0 1\n" * 400_000),  # 1.6 MB
        2: send(200, gzip.compress(b"0 1\n" * 1_000_000)),  # 4 MB once decompressed
        3: send(200, b"<html>Not here</html>", {"Content-Type": "text/html"}),
        4: drip(b"0 1\n1 2\n" * 100, 0.05),  # ~40 s
        5: send(503, b""),
    }
    for number, route in cases.items():
        server.routes[f"/b{number:06d}.txt"] = route
    cfg["sources"]["bfile_url"] = server.url + "/b{number:06d}.txt"
    start = time.monotonic()
    assert [bfile.fetch_bfile(cfg, n) for n in cases] == [None] * len(cases)
    assert time.monotonic() - start < 15


def test_a_redirect_from_https_to_plain_http_is_refused(tmp_path, server, cfg, monkeypatch):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate for the loopback https server")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "cert.pem"))
    tls = Hostile(tmp_path)
    try:
        server.routes["/names.gz"] = send(200, gzip.compress(b"A000009 Spoofed\n"))
        tls.routes["/names.gz"] = send(302, b"", {"Location": server.url + "/names.gz"})
        tls.routes["/direct.gz"] = send(200, gzip.compress(NAMES))
        with Fetcher(cfg["sources"], tmp_path / "cache") as fetcher:
            assert fetcher.fetch(tls.url + "/direct.gz").path.is_file()  # https itself works
            with pytest.raises(SourceUnavailable, match="redirected to plain http"):
                fetcher.fetch(tls.url + "/names.gz")
    finally:
        tls.close()


# --- submissions --------------------------------------------------------------------------------

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def queued(tmp_path, server):
    cfg = copy.deepcopy(config.DEFAULTS)
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'db.sqlite'}"
    cfg["submit"].update(enabled=True, api_url=server.url, submitter="tester", max_attempts=3, timeout=2.0)
    engine = storage.connect(cfg["database"]["url"])
    storage.apply_refresh(engine, [SequenceRecord(45, "Fibonacci numbers.", [0, 1, 1, 2, 3, 5], 0)])
    storage.store_hit(engine, Hit(45, "mov $1,1\nlpb $0\nsub $0,1\nmov $2,$1\nadd $1,$3\nmov $3,$2\nlpe\n"
                                      "mov $0,$3\n", "recurrence", cpu_seconds=0.1, terms_verified=6))
    yield cfg, engine
    engine.dispose()


def _item(engine):
    with storage.session_scope(engine, readonly=True) as session:
        (row,) = session.query(queue.Submission).all()
        return row.status, row.attempts, row.next_try_at


def test_a_huge_retry_after_on_a_submission_is_capped(server, queued):
    cfg, engine = queued
    server.routes["/v2/submissions"] = send(429, b"{}", {"Retry-After": "999999999999"})
    summary = submit.submit_pending(engine, cfg, now=T0)
    assert summary.retried == 1
    status, attempts, when = _item(engine)
    assert status == "queued" and attempts == 1
    assert when.replace(tzinfo=timezone.utc) == T0 + timedelta(seconds=cfg["submit"]["max_retry_seconds"])


def test_a_past_retry_after_means_the_usual_backoff(server, queued):
    cfg, engine = queued
    server.routes["/v2/submissions"] = send(429, b"{}", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert submit.submit_pending(engine, cfg, now=T0).retried == 1
    _, attempts, when = _item(engine)
    assert attempts == 1 and when.replace(tzinfo=timezone.utc) == T0 + timedelta(seconds=cfg["submit"]["retry_seconds"])


def test_a_5xx_storm_gives_a_submission_up_after_max_attempts(server, queued):
    cfg, engine = queued
    server.routes["/v2/submissions"] = send(503, b"down")
    now = T0
    for _ in range(3):
        submit.submit_pending(engine, cfg, now=now)
        now += timedelta(seconds=cfg["submit"]["max_retry_seconds"] + 1)
    status, _, _ = _item(engine)
    assert status == "failed" and server.hits["/v2/submissions"] == 3


@pytest.mark.slow  # over a second: the full tier
def test_a_slow_or_huge_error_body_is_read_only_so_far(server, queued):
    cfg, engine = queued
    server.routes["/v2/submissions"] = drip(b"x" * 2000, 0.05, status=500)  # 100 s in full
    exc, seconds = _timed(lambda: submit.submit_pending(engine, cfg, now=T0))
    assert exc is None and seconds < 2 * cfg["submit"]["timeout"] + 2
    assert _item(engine)[:2] == ("queued", 1)
