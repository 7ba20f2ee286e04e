"""Submitting hits to the LODA API: against a real HTTP server on 127.0.0.1, with a real SQLite queue."""

from __future__ import annotations

import copy
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import storage
from miner.core import config
from miner.service import submit
from storage import submissions as queue
from storage.records import Hit, SequenceRecord

FIB = "mov $1,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$3\n"


class Api:
    """A tiny stand-in for api.loda-lang.org: records bodies, answers with scripted status codes."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers["Content-Length"])
                api.paths.append(self.path)
                api.bodies.append(json.loads(self.rfile.read(length)))
                status, headers = api.script.pop(0) if api.script else (200, {})
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def api():
    server = Api()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def setup(tmp_path, api):
    cfg = copy.deepcopy(config.DEFAULTS)
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'db.sqlite'}"
    cfg["submit"].update(enabled=True, api_url=api.url + "/", submitter="tester", max_per_window=100,
                         retry_seconds=60.0, max_attempts=3)
    engine = storage.connect(cfg["database"]["url"])
    storage.apply_refresh(engine, [
        SequenceRecord(45, "Fibonacci numbers.", [0, 1, 1, 2, 3, 5, 8, 13], 0),
        SequenceRecord(27, "The positive integers.", [1, 2, 3, 4, 5], 1),
        SequenceRecord(5, "Number of divisors.", [1, 2, 2, 3, 2], 1),
    ])
    return cfg, engine


def _hit(engine, a_number: int, code: str) -> None:
    assert storage.store_hit(engine, Hit(a_number, code, "recurrence", cpu_seconds=0.1, terms_verified=8)) in (
        "new", "replaced")


T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_payload_as_loda_cpp_posts_it_and_never_twice(setup, api):
    cfg, engine = setup
    _hit(engine, 45, FIB)
    first = submit.submit_pending(engine, cfg, now=T0)
    assert (first.queued, first.sent) == (1, 1)
    assert api.paths == ["/v2/submissions"]
    body = api.bodies[0]
    assert {k: body[k] for k in ("id", "submitter", "mode", "type")} == {
        "id": "A000045", "submitter": "tester", "mode": "add", "type": "program"}
    assert body["content"].startswith("; A000045: Fibonacci numbers.\n; Submitted by tester\n; 0,1,1,2,3,5,8,13\n\n")
    assert body["content"].endswith(FIB)
    again = submit.submit_pending(engine, cfg, now=T0 + timedelta(hours=1))
    assert (again.queued, again.sent) == (0, 0)
    assert len(api.bodies) == 1


def test_a_shorter_program_is_sent_as_an_update(setup, api):
    cfg, engine = setup
    _hit(engine, 27, "mov $0,$0\nadd $0,1\nmul $0,1\n#offset 1\n")
    submit.submit_pending(engine, cfg, now=T0)
    _hit(engine, 27, "#offset 1\nmov $0,$0\n")
    second = submit.submit_pending(engine, cfg, now=T0 + timedelta(minutes=1))
    assert second.sent == 1
    assert [b["mode"] for b in api.bodies] == ["add", "update"]


def test_server_errors_are_retried_with_backoff(setup, api):
    cfg, engine = setup
    _hit(engine, 45, FIB)
    api.script = [(500, {})]
    first = submit.submit_pending(engine, cfg, now=T0)
    assert (first.sent, first.retried) == (0, 1)
    # Not due before the backoff has passed ...
    assert submit.submit_pending(engine, cfg, now=T0 + timedelta(seconds=30)).sent == 0
    assert len(api.bodies) == 1
    # ... then sent.
    assert submit.submit_pending(engine, cfg, now=T0 + timedelta(seconds=61)).sent == 1
    assert len(api.bodies) == 2


def test_429_honours_retry_after_and_unreachable_server_keeps_the_queue(setup, api):
    cfg, engine = setup
    _hit(engine, 45, FIB)
    api.script = [(429, {"Retry-After": "300"})]
    assert submit.submit_pending(engine, cfg, now=T0).retried == 1
    assert submit.submit_pending(engine, cfg, now=T0 + timedelta(seconds=200)).sent == 0
    cfg["submit"]["api_url"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    cfg["submit"]["timeout"] = 2.0
    later = submit.submit_pending(engine, cfg, now=T0 + timedelta(seconds=301))
    assert (later.sent, later.retried) == (0, 1)
    with storage.session_scope(engine, readonly=True) as session:
        assert queue.counts(session) == {"queued": 1}


def test_rejected_submission_is_given_up_at_once(setup, api):
    cfg, engine = setup
    _hit(engine, 45, FIB)
    api.script = [(400, {})]
    assert submit.submit_pending(engine, cfg, now=T0).failed == 1
    assert submit.submit_pending(engine, cfg, now=T0 + timedelta(days=1)).sent == 0
    with storage.session_scope(engine, readonly=True) as session:
        assert queue.counts(session) == {"failed": 1}


def test_rate_limit_counts_across_rounds(setup, api):
    cfg, engine = setup
    cfg["submit"]["max_per_window"] = 2
    for a, code in ((45, FIB), (27, "#offset 1\nmov $0,$0\n"), (5, "#offset 1\nmov $1,$0\nmov $0,2\n")):
        _hit(engine, a, code)
    first = submit.submit_pending(engine, cfg, now=T0)
    assert (first.sent, first.deferred) == (2, 1)
    assert submit.submit_pending(engine, cfg, now=T0 + timedelta(minutes=5)).sent == 0
    assert submit.submit_pending(engine, cfg, now=T0 + timedelta(minutes=11)).sent == 1
    assert sorted(b["id"] for b in api.bodies) == ["A000005", "A000027", "A000045"]
