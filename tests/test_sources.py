"""Fetching the OEIS files from a real HTTP server on 127.0.0.1: retries, 429, timeouts, 304, bad data."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from structlog.testing import capture_logs

import storage
from miner.core import config
from miner.sources import snapshot
from miner import sources
from miner.service import refresh
from miner.sources import CorruptDownload, SourceUnavailable, fetch_bfile
from miner.sources.http import Fetcher
from miner.core.stopping import Stopped

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "oeis"


class Server:
    """A real HTTP server in a thread; `routes[path]` lists the responses to give, the last one repeating.

    A response is (status, body, headers) or ("slow", seconds, body); bodies get an ETag and 304 handling.
    """

    def __init__(self) -> None:
        self.routes: dict[str, list] = {}
        self.hits: dict[str, int] = {}
        self.conditional: dict[str, int] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # noqa: ANN002 - keep test output clean
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path
                outer.hits[path] = outer.hits.get(path, 0) + 1
                plan = outer.routes.get(path)
                if not plan:
                    self.send_error(404)
                    return
                step = plan[min(outer.hits[path], len(plan)) - 1]
                if step[0] == "slow":
                    time.sleep(step[1])
                    step = (200, step[2], {})
                if step[0] == "cut":  # the connection drops before Content-Length bytes were sent
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(step[1]) + 1000))
                    self.end_headers()
                    self.wfile.write(step[1])
                    self.close_connection = True
                    return
                status, body, headers = step
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    outer.conditional[path] = outer.conditional.get(path, 0) + 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status == 200:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, path: str, *steps) -> str:  # noqa: ANN002
        self.routes[path] = list(steps)
        return self.url + path


@pytest.fixture
def server():
    srv = Server()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def gz(name: str, extra: str = "") -> bytes:
    return gzip.compress(((FIXTURES / name).read_text() + extra).encode(), mtime=0)


@pytest.fixture
def cfg(tmp_path):
    c = config.defaults_in(tmp_path / "data")
    c["sources"].update(retries=2, backoff=0.05, min_interval=0.0, connect_timeout=1.0, read_timeout=0.5)
    return c


@pytest.fixture
def engine(cfg):
    eng = storage.connect(cfg["database"]["url"])
    yield eng
    eng.dispose()


def serve_oeis(server: Server, cfg: dict, stripped_steps=None, names_extra: str = "") -> None:
    ok = lambda body: (200, body, {})  # noqa: E731
    cfg["sources"]["names_url"] = server.serve("/names.gz", ok(gz("names", names_extra)))
    cfg["sources"]["stripped_url"] = server.serve("/stripped.gz", *(stripped_steps or [ok(gz("stripped"))]))
    cfg["sources"]["offsets_url"] = server.serve("/offsets.gz", ok(gz("offsets")))


def stored(engine) -> dict[int, storage.SequenceRecord]:
    with storage.session_scope(engine, readonly=True) as s:
        return storage.get_sequences(s, s.scalars(text("select a_number from sequences")).all())


def test_refresh_over_http_then_304(server, cfg, engine):
    serve_oeis(server, cfg)
    first = refresh.refresh(cfg, engine, allow_snapshot=False)
    assert (first.stats.added, first.stats.changed, first.origin) == (5, 0, "live sources")
    seqs = stored(engine)
    assert seqs[45].terms[:6] == [0, 1, 1, 2, 3, 5] and seqs[45].offset == 0
    assert seqs[999990] == storage.SequenceRecord(999990, "A sequence with a name but no terms yet.", [], 1)
    with storage.session_scope(engine) as s:
        assert storage.lacking(s) == [4, 45, 79, 290]
    second = refresh.refresh(cfg, engine, allow_snapshot=False)
    assert server.conditional == {"/names.gz": 1, "/stripped.gz": 1, "/offsets.gz": 1}
    assert second.not_modified == 3
    assert (second.stats.added, second.stats.changed, second.stats.unchanged) == (0, 0, 5)


def test_500_then_200_is_retried(server, cfg, engine):
    serve_oeis(server, cfg, stripped_steps=[(500, b"oops", {}), (503, b"busy", {}), (200, gz("stripped"), {})])
    report = refresh.refresh(cfg, engine, allow_snapshot=False)
    assert server.hits["/stripped.gz"] == 3
    assert report.stats.added == 5


def test_connection_cut_mid_body_is_retried(server, cfg):
    body = gz("names")
    url = server.serve("/cut.gz", ("cut", body[:40]), (200, body, {}))
    with Fetcher(cfg["sources"], Path(cfg["paths"]["data_dir"]) / "cache") as fetcher:
        download = fetcher.fetch(url)
    assert server.hits["/cut.gz"] == 2
    assert download.path.read_bytes() == body


@pytest.mark.slow  # over a second: the full tier
def test_429_honours_retry_after(server, cfg):
    url = server.serve("/x.gz", (429, b"slow down", {"Retry-After": "1"}), (200, gz("names"), {}))
    start = time.monotonic()
    with Fetcher(cfg["sources"], Path(cfg["paths"]["data_dir"]) / "cache") as fetcher:
        download = fetcher.fetch(url)
    assert time.monotonic() - start >= 1.0  # backoff alone would have waited 0.05 s
    assert server.hits["/x.gz"] == 2 and download.changed
    assert gzip.decompress(download.path.read_bytes()).startswith(b"# OEIS")


def test_requests_to_one_host_are_spaced(server, cfg):
    cfg["sources"]["min_interval"] = 0.3
    url = server.serve("/b.txt", (200, b"0 1\n", {}))
    start = time.monotonic()
    with Fetcher(cfg["sources"], Path(cfg["paths"]["data_dir"]) / "cache") as fetcher:
        for _ in range(3):
            fetcher.get(url).close()
    assert time.monotonic() - start >= 0.6 and server.hits["/b.txt"] == 3


def test_an_unreachable_host_is_not_asked_again_for_a_while(server, cfg):
    import socket

    with socket.socket() as sock:  # a port nobody listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with Fetcher(cfg["sources"], Path(cfg["paths"]["data_dir"]) / "cache") as fetcher:
        with pytest.raises(SourceUnavailable, match="gave up after 3 attempts"):
            fetcher.get(f"{dead}/b000045.txt")
        start = time.monotonic()
        with pytest.raises(SourceUnavailable, match="unreachable, not asked again"):
            fetcher.get(f"{dead}/b000046.txt")
        assert time.monotonic() - start < 0.05
        # A host that answers, even with errors, is not marked: other hosts are unaffected.
        url = server.serve("/b.txt", (500, b"", {}), (200, b"0 1\n", {}))
        fetcher.get(url).close()


@pytest.mark.slow  # over a second: the full tier
def test_slow_response_times_out_and_gives_up(server, cfg, engine):
    serve_oeis(server, cfg, stripped_steps=[("slow", 2.0, gz("stripped"))])
    start = time.monotonic()
    with pytest.raises(SourceUnavailable, match="gave up after 3 attempts"):
        refresh.refresh(cfg, engine, allow_snapshot=False)
    assert time.monotonic() - start < 6
    assert stored(engine) == {}


def test_truncated_gzip_fails_and_changes_nothing(server, cfg, engine):
    serve_oeis(server, cfg)
    refresh.refresh(cfg, engine, allow_snapshot=False)
    before = stored(engine)
    body = gzip.compress((FIXTURES / "stripped").read_text().replace("A000004 ,0,", "A000004 ,7,").encode())
    server.serve("/stripped.gz", (200, body[: len(body) // 2], {}))
    with pytest.raises(CorruptDownload, match="truncated"):
        refresh.refresh(cfg, engine)  # even with the snapshot allowed: a corrupt file is never replaced
    assert stored(engine) == before
    # The good copy in the cache is kept too, so a later 304 still reads a whole file.
    cached = list((Path(cfg["paths"]["data_dir"]) / "cache" / "sources").glob("*stripped.gz"))
    assert len(cached) == 1 and gzip.decompress(cached[0].read_bytes()).count(b"\n") == 5


def test_malformed_lines_are_counted_and_logged(server, cfg, engine):
    serve_oeis(server, cfg, names_extra="not a name line\nA12 too short\nA000100 fine name\n")
    with capture_logs() as logs:
        report = refresh.refresh(cfg, engine, allow_snapshot=False)
    assert report.parse.malformed == {cfg["sources"]["names_url"]: 2}
    bad = [e for e in logs if e["event"] == "malformed_line"]
    assert [(e["file"], e["line"]) for e in bad] == [(cfg["sources"]["names_url"], 7),
                                                     (cfg["sources"]["names_url"], 8)]
    assert "2 malformed line(s) skipped" in report.message()
    assert stored(engine)[100].name == "fine name"


def test_file_urls_and_plain_paths(tmp_path, cfg, engine):
    for name in ("names", "stripped", "offsets"):
        (tmp_path / f"{name}.gz").write_bytes(gz(name))
    cfg["sources"].update(names_url=f"file://{tmp_path / 'names.gz'}", stripped_url=str(tmp_path / "stripped.gz"),
                          offsets_url=str(FIXTURES / "offsets"))  # plain text works too
    report = refresh.refresh(cfg, engine, allow_snapshot=False)
    assert report.stats.added == 5


def test_truncated_local_file_fails_the_refresh(tmp_path, cfg, engine):
    for name in ("names", "offsets"):
        (tmp_path / f"{name}.gz").write_bytes(gz(name))
    (tmp_path / "stripped.gz").write_bytes(gz("stripped")[:-20])
    cfg["sources"].update(names_url=str(tmp_path / "names.gz"), stripped_url=str(tmp_path / "stripped.gz"),
                          offsets_url=str(tmp_path / "offsets.gz"))
    with pytest.raises(sources.SourceFormatError, match="stripped.gz: cannot be read to its end"):
        refresh.refresh(cfg, engine, allow_snapshot=False)
    assert stored(engine) == {}


def test_offline_first_run_uses_the_snapshot(tmp_path, cfg, engine, monkeypatch):
    # Small stand-ins for the bundled files keep this fast; the real ones are read in the next test.
    for name, attr in (("names", "NAMES"), ("stripped", "STRIPPED"), ("offsets", "OFFSETS")):
        (tmp_path / f"{name}.gz").write_bytes(gz(name))
        monkeypatch.setattr(snapshot, attr, tmp_path / f"{name}.gz")
    dead = "http://127.0.0.1:9/"  # nothing listens on the discard port
    cfg["sources"].update(names_url=dead + "names.gz", stripped_url=dead + "stripped.gz",
                          offsets_url=dead + "offsets.gz", retries=3, backoff=0.01, first_start_retries=1)
    with capture_logs() as logs:
        report = refresh.refresh(cfg, engine)
    assert report.origin == "bundled snapshot" and report.stats.added == 5
    assert any(e["event"] == "sources_unreachable_using_snapshot" and e["log_level"] == "warning" for e in logs)
    # With a snapshot to stand in, a first start gives up after first_start_retries (then the host is down).
    assert sum(e["event"] == "fetch_retry" for e in logs) == 1
    # With data stored, an unreachable source is an error (after every retry) and the data stays.
    with capture_logs() as logs, pytest.raises(SourceUnavailable):
        refresh.refresh(cfg, engine)
    assert sum(e["event"] == "fetch_retry" for e in logs) == 3
    assert stored(engine) and len(stored(engine)) == 5


def test_a_stop_ends_a_retry_wait_at_once_and_stores_nothing(server, cfg, engine):
    serve_oeis(server, cfg, stripped_steps=[(503, b"busy", {})])
    cfg["sources"].update(retries=3, backoff=30.0)  # without the stop: 30 s, then 60 s...
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    t0 = time.monotonic()
    with pytest.raises(Stopped, match="stripped.gz"):
        refresh.refresh(cfg, engine, allow_snapshot=False, stop_event=stop)
    assert time.monotonic() - t0 < 5
    assert server.hits["/stripped.gz"] == 1
    assert stored(engine) == {}


def test_a_stop_while_reading_keeps_the_stored_data(tmp_path, cfg, engine):
    for name in ("names", "stripped", "offsets"):
        (tmp_path / f"{name}.gz").write_bytes(gz(name))
    cfg["sources"].update(names_url=str(tmp_path / "names.gz"), stripped_url=str(tmp_path / "stripped.gz"),
                          offsets_url=str(tmp_path / "offsets.gz"))
    refresh.refresh(cfg, engine, allow_snapshot=False)
    before = stored(engine)
    renamed = (FIXTURES / "names").read_text().replace("Fibonacci numbers", "Fibonacci")
    (tmp_path / "names.gz").write_bytes(gzip.compress(renamed.encode()))
    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped, match="reading sequences"):
        refresh.refresh(cfg, engine, allow_snapshot=False, stop_event=stop)
    assert stored(engine) == before and len(before) == 5


@pytest.mark.slow
def test_bundled_snapshot_is_complete():
    from miner.sources.programs import iter_snapshot
    from miner.lang import parse
    from miner.sources.oeis import ParseReport, iter_sequences

    report = ParseReport()
    count = with_terms = 0
    for record in iter_sequences(*snapshot.sequence_files(), report):
        count += 1
        with_terms += bool(record.terms)
    assert count > 100_000 and with_terms > 100_000 and report.total_malformed == 0
    programs = 0
    for i, item in enumerate(iter_snapshot(snapshot.programs_file())):
        programs += 1
        if i % 300 == 0:
            parse(item.text, item.label)
    assert programs > 100_000
    text = snapshot.ATTRIBUTION.read_text()
    assert "CC BY-SA 4.0" in text and "Apache License 2.0" in text


def test_snapshot_keeps_every_known_term_of_the_sequences_lacking_programs(full_data):
    """A hit found offline is verified on the snapshot's terms: cutting them would let wrong programs in."""
    from miner.sources.programs import iter_snapshot
    from miner.sources.oeis import ParseReport, iter_sequences

    covered = {item.a_number for item in iter_snapshot(snapshot.programs_file())}
    bundled = {r.a_number: r.terms for r in iter_sequences(*snapshot.sequence_files(), ParseReport())
               if r.a_number not in covered}
    oeis = full_data / "oeis"
    live = {r.a_number: r.terms for r in iter_sequences(oeis / "names.gz", oeis / "stripped.gz",
                                                         oeis / "offsets.gz", ParseReport())
            if r.a_number in bundled}
    assert len(bundled) > 1000 and live.keys() == bundled.keys()
    assert all(bundled[a] == live[a] for a in live)


def test_bfile(server, cfg, tmp_path):
    body = (FIXTURES / "b000045.txt").read_bytes()
    server.serve("/b000045.txt", (200, body, {}))
    server.serve("/b000046.txt", (200, b"0 1\n1 x\n", {}))
    cfg["sources"]["bfile_url"] = server.url + "/b{number:06d}.txt"
    assert fetch_bfile(cfg, 45) == [0, 1, 1, 2, 3, 5, 8]
    assert fetch_bfile(cfg, 46) == [1]  # stops at the malformed line
    assert fetch_bfile(cfg, 47) is None  # 404
    (tmp_path / "b000045.txt.gz").write_bytes(gzip.compress(body))
    cfg["sources"]["bfile_url"] = str(tmp_path / "b{number:06d}.txt.gz")
    assert fetch_bfile(cfg, 45) == [0, 1, 1, 2, 3, 5, 8]
    assert fetch_bfile(cfg, 48) is None
