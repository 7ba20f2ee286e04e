"""Polite, resumable-by-cache downloads: one requests.Session, timeouts, retries with exponential
backoff (honouring Retry-After), a per-host rate limit, and conditional GET against a small cache.

A download is checked before it replaces the cached copy: a gzip body must decompress to its end, so a
truncated or corrupt file is never cached and never parsed. A body larger than `[sources]
max_download_mb`, or a gzip body larger than `max_uncompressed_mb` once decompressed, is refused the same
way (`TooLarge`), as is a redirect from https to plain http.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import os
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlparse

import requests
import structlog
import urllib3

from miner.core import progress, stopping

log = structlog.get_logger(__name__)

USER_AGENT = "loda-miner/0.1 (+https://loda-lang.org)"
CHUNK = 1 << 16
MAX_RETRY_AFTER = 600.0
GZIP_MAGIC = b"\x1f\x8b"


class FetchError(Exception):
    """A source could not be fetched."""


class SourceUnavailable(FetchError):
    """The source could not be reached (network down, timeouts, 5xx/429 after every retry, 404)."""


class CorruptDownload(FetchError):
    """The source answered but the file is truncated or corrupt; nothing was kept."""


class TooLarge(CorruptDownload):
    """The file is larger than a `[sources]` cap allows (as sent or decompressed); nothing was kept."""


@dataclass
class Download:
    """A fetched file on local disk; `changed` is False when the server said 304 Not Modified."""

    url: str
    path: Path
    changed: bool


def local_path(url: str) -> Path | None:
    """The file behind a `file://` URL or a plain path, or None for http(s)."""
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https"):
        return None
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:
        raise FetchError(f"unsupported URL scheme {parsed.scheme!r} in {url}")
    return Path(url).expanduser()


def check_gzip(path: Path, max_bytes: int = 0) -> None:
    """Decompress a whole gzip file (all members) and raise CorruptDownload if it is cut short or broken,
    TooLarge if it holds more than `max_bytes` (0: no cap)."""
    with open(path, "rb") as fh:
        _check_gzip_stream(iter(lambda: fh.read(CHUNK), b""), str(path), max_bytes)


def _check_gzip_stream(chunks: Any, name: str, max_bytes: int = 0, out: bytearray | None = None,
                       cap: str = "[sources] max_uncompressed_mb") -> None:
    """Decompress `chunks` of gzip data to their end; the output goes to `out` if given, else nowhere."""
    decomp = zlib.decompressobj(wbits=31)
    open_member = False
    total = 0
    try:
        for chunk in chunks:
            while chunk:
                open_member = True
                # At most CHUNK at a time (a bomb is caught before it fills the memory), until this
                # input is used up and no output is left pending.
                piece = decomp.decompress(chunk, CHUNK)
                while True:
                    total += len(piece)
                    if out is not None:
                        out += piece
                    if max_bytes and total > max_bytes:
                        raise TooLarge(f"{name}: more than {max_bytes} bytes once decompressed ({cap}); "
                                       "refused")
                    if decomp.unconsumed_tail or decomp.eof or len(piece) < CHUNK:
                        break
                    piece = decomp.decompress(b"", CHUNK)
                chunk = decomp.unconsumed_tail
                if decomp.eof:
                    # A new gzip member may start in the unused tail.
                    chunk, decomp, open_member = decomp.unused_data, zlib.decompressobj(wbits=31), False
    except zlib.error as exc:
        raise CorruptDownload(f"{name}: corrupt gzip data ({exc})") from exc
    if open_member:
        raise CorruptDownload(f"{name}: truncated gzip file (ends before the end of its compressed data)")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else min(MAX_RETRY_AFTER, max(0.0, seconds))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, when.timestamp() - time.time()))


def _too_large(url: str, max_bytes: int) -> TooLarge:
    return TooLarge(f"{url}: larger than {max_bytes >> 20} MB ([sources] max_download_mb); not kept")


def _check_length(url: str, response: requests.Response, max_bytes: int) -> None:
    """Refuse a body whose announced length is past the cap before reading any of it."""
    try:
        length = int(response.headers.get("Content-Length", "0"))
    except ValueError:
        return
    if length > max_bytes:
        raise _too_large(url, max_bytes)


def _check_redirects(url: str, response: requests.Response) -> None:
    """An https source redirected to plain http could be anyone's: refuse it."""
    if urlparse(url).scheme != "https":
        return
    for step in [*response.history, response]:
        if urlparse(step.url).scheme != "https":
            response.close()
            raise SourceUnavailable(f"{url}: redirected to plain http ({step.url}); refused")


def body_chunks(response: requests.Response, url: str, seconds: float) -> Iterator[bytes]:
    """A streamed response's body as it arrives; past `seconds` in all, `requests.Timeout`.

    One read each (`read1`): a sender of a byte now and then never trips read_timeout, and a
    `read(CHUNK)` would wait for a whole chunk before anyone looked at the clock.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            chunk = response.raw.read1(CHUNK, decode_content=True)
        except urllib3.exceptions.HTTPError as exc:
            raise requests.exceptions.ConnectionError(f"{url}: {exc}") from exc
        if not chunk:
            return
        yield chunk
        if time.monotonic() > deadline:
            # A Timeout, so that the download is retried like one cut by read_timeout.
            raise requests.exceptions.ReadTimeout(
                f"{url}: body not complete after {seconds:g} s ([sources] max_download_seconds)")


def read_capped(response: requests.Response, max_bytes: int, url: str, cap: str, seconds: float) -> bytes:
    """A streamed response's body, at most `max_bytes` of it (`TooLarge` naming the key `cap` past that)
    and within `seconds` (`requests.Timeout` past that)."""
    data = bytearray()
    for chunk in body_chunks(response, url, seconds):
        data += chunk
        if len(data) > max_bytes:
            raise TooLarge(f"{url}: larger than {max_bytes} bytes ({cap}); not read further")
    return bytes(data)


def gunzip_capped(data: bytes, max_bytes: int, name: str, cap: str) -> bytes:
    """Decompress gzip `data` (all members), refusing more than `max_bytes` of output (`TooLarge`
    naming the config key `cap`)."""
    out = bytearray()
    _check_gzip_stream([data], name, max_bytes, out, cap)
    return bytes(out)


def with_retries(sources_cfg: dict[str, Any], most: int) -> dict[str, Any]:
    """`[sources]` settings with at most `most` retries."""
    return {**sources_cfg, "retries": min(int(sources_cfg["retries"]), int(most))}


def fetch_settings(sources_cfg: dict[str, Any], first_start: bool) -> dict[str, Any]:
    """`[sources]` settings for a refresh or import: on a first start, where the bundled snapshot
    stands in for an unreachable source, at most `first_start_retries` retries."""
    return with_retries(sources_cfg, sources_cfg["first_start_retries"]) if first_start else sources_cfg


class Fetcher:
    """Downloads with retries, a per-host rate limit and a conditional-GET cache in `cache_dir`."""

    def __init__(self, sources_cfg: dict[str, Any], cache_dir: Path | str, stop_event: threading.Event | None = None) -> None:
        self.timeout = (float(sources_cfg["connect_timeout"]), float(sources_cfg["read_timeout"]))
        self.retries = int(sources_cfg["retries"])
        self.backoff = float(sources_cfg["backoff"])
        self.min_interval = float(sources_cfg["min_interval"])
        self.unreachable_seconds = float(sources_cfg["unreachable_seconds"])
        self.max_download = int(sources_cfg["max_download_mb"]) << 20
        self.max_uncompressed = int(sources_cfg["max_uncompressed_mb"]) << 20
        self.max_seconds = float(sources_cfg["max_download_seconds"])
        # Hosts that could not be reached at all, and until when they are not asked again.
        self._down_until: dict[str, float] = {}
        self.cache_dir = Path(cache_dir)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        # Set by a stopping daemon: waits between retries end at once with `Stopped`.
        self.stop_event = stop_event

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._last.get(host, -1e9) + self.min_interval - now
            self._last[host] = now + max(0.0, wait)
        if wait > 0:
            time.sleep(wait)

    def _cache_paths(self, url: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        base = Path(urlparse(url).path).name or "index"
        stem = self.cache_dir / f"{digest}-{base}"
        return stem, stem.with_name(stem.name + ".meta.json")

    def fetch(self, url: str) -> Download:
        """The file at `url` on local disk: a plain path / file:// as is, http(s) via the cache."""
        path = local_path(url)
        if path is not None:
            if not path.is_file():
                raise SourceUnavailable(f"{path}: no such file")
            return Download(url, path, True)
        return self._download(url)

    def get(self, url: str, allow: tuple[int, ...] = (200,)) -> requests.Response | None:
        """GET `url` (small bodies) with retries; None when the status is 404/410."""
        response = self._request(url, {})
        if response.status_code in (404, 410):
            response.close()
            return None
        if response.status_code not in allow:
            response.close()
            raise SourceUnavailable(f"{url}: HTTP {response.status_code}")
        return response

    def _request(self, url: str, headers: dict[str, str]) -> requests.Response:
        host = urlparse(url).netloc
        down = self._down_until.get(host, 0.0) - time.monotonic()
        if down > 0:
            # Offline or a dead host: a b-file per hit must not cost a round of retries each time.
            raise SourceUnavailable(f"{url}: {host} unreachable, not asked again for {down:.0f} s")
        last = ""
        unreachable = True
        for attempt in range(self.retries + 1):
            stopping.check(self.stop_event, f"fetching {url}")
            self._wait_turn(host)
            delay = self.backoff * (2**attempt)
            try:
                response = self.session.get(url, headers=headers, timeout=self.timeout, stream=True)
            except requests.RequestException as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                unreachable = False
                _check_redirects(url, response)
                if response.status_code != 429 and response.status_code < 500:
                    return response
                last = f"HTTP {response.status_code}"
                delay = _retry_after(response) or delay
                response.close()
            if attempt < self.retries:
                log.warning("fetch_retry", url=url, error=last, attempt=attempt + 1, wait=round(delay, 2))
                stopping.pause(delay, self.stop_event, f"fetching {url}")
        if unreachable and self.unreachable_seconds > 0:
            self._down_until[host] = time.monotonic() + self.unreachable_seconds
        raise SourceUnavailable(f"{url}: {last} (gave up after {self.retries + 1} attempts)")

    def _download(self, url: str) -> Download:
        target, meta_path = self._cache_paths(url)
        meta: dict[str, str] = {}
        if target.is_file() and meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                meta = {}
        last = ""
        for attempt in range(self.retries + 1):
            headers = {}
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
            response = self._request(url, headers)
            if response.status_code == 304 and meta:
                response.close()
                log.info("fetch_not_modified", url=url)
                return Download(url, target, False)
            if response.status_code != 200:
                response.close()
                raise SourceUnavailable(f"{url}: HTTP {response.status_code}")
            try:
                self._save(url, response, target)
            except (requests.RequestException, ConnectionError) as exc:
                # Cut mid-body (timeout, reset, short Content-Length): try again from the start.
                last = f"{type(exc).__name__}: {exc}"
                if attempt < self.retries:
                    delay = self.backoff * (2**attempt)
                    log.warning("fetch_retry", url=url, error=last, attempt=attempt + 1, wait=round(delay, 2))
                    stopping.pause(delay, self.stop_event, f"fetching {url}")
                continue
            finally:
                response.close()
            new_meta = {"url": url, "etag": response.headers.get("ETag", ""),
                        "last_modified": response.headers.get("Last-Modified", "")}
            meta_path.write_text(json.dumps(new_meta))
            log.info("fetch_downloaded", url=url, bytes=target.stat().st_size)
            return Download(url, target, True)
        raise SourceUnavailable(f"{url}: {last} (gave up after {self.retries + 1} attempts)")

    def _save(self, url: str, response: requests.Response, target: Path) -> None:
        """Stream the body to a temp file, check it, then move it over the cached copy."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        _check_length(url, response, self.max_download)
        fd, tmp_name = tempfile.mkstemp(dir=self.cache_dir, prefix=".part-")
        tmp = Path(tmp_name)
        try:
            size = 0
            length = response.headers.get("Content-Length", "")
            name = Path(urlparse(url).path).name or url
            with os.fdopen(fd, "wb") as out, progress.Progress(f"download {name}", int(length) if length.isdigit()
                                                               else None, unit="B", unit_scale=True) as shown:
                for chunk in stopping.until_stopped(body_chunks(response, url, self.max_seconds), self.stop_event,
                                                    f"downloading {url}", every=1):
                    size += len(chunk)
                    if size > self.max_download:
                        raise _too_large(url, self.max_download)
                    out.write(chunk)
                    shown.update(len(chunk))
            with open(tmp, "rb") as fh:
                gzipped = fh.read(2) == GZIP_MAGIC
            if gzipped:
                check_gzip(tmp, self.max_uncompressed)
            elif urlparse(url).path.endswith(".gz"):
                raise CorruptDownload(f"{url}: expected a gzip file, got something else")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
