"""b-files (`n a(n)` per line) for the miner's deep check of a hit."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import requests
import structlog

from miner.lang.anumber import format_a_number
from miner.lang.parser import split_lines
from miner.sources.http import Fetcher, FetchError, gunzip_capped, local_path, read_capped, with_retries

log = structlog.get_logger(__name__)

# ASCII digits only, at most Python's int() limit: a longer or foreign-digit term ends the b-file there.
_INTEGER = re.compile(r"-?[0-9]{1,4300}")
CAP = "[sources] max_bfile_mb"

_fetchers: dict[tuple[Any, ...], Fetcher] = {}
_lock = threading.Lock()


def _fetcher(cfg: dict[str, Any]) -> Fetcher:
    # A deep check must not stall the miner for minutes when offline: at most two retries.
    sources = with_retries(cfg["sources"], 2)
    key = tuple(sorted((k, str(v)) for k, v in sources.items()))
    with _lock:
        if key not in _fetchers:
            _fetchers[key] = Fetcher(sources, Path(cfg["paths"]["data_dir"]) / "cache" / "sources")
        return _fetchers[key]


def parse_bfile(text: str, source: str) -> list[int]:
    """The terms of a b-file, in order; stops (with a warning) at a malformed or out-of-order line."""
    terms: list[int] = []
    expected: int | None = None
    for number, line in enumerate(split_lines(text), 1):
        body = line.split("#", 1)[0].strip(" \t")
        if not body:
            continue
        parts = body.split()
        try:
            if len(parts) != 2 or not all(_INTEGER.fullmatch(p) for p in parts):
                raise ValueError("expected `n a(n)` in ASCII digits")
            n, value = int(parts[0]), int(parts[1])
        except ValueError as exc:
            log.warning("bfile_malformed_line", file=source, line=number, text=line[:80], error=str(exc))
            break
        if expected is not None and n != expected:
            log.warning("bfile_gap", file=source, line=number, expected=expected, got=n)
            break
        terms.append(value)
        expected = n + 1
    return terms


def fetch_bfile(cfg: dict[str, Any], a_number: int) -> list[int] | None:
    """The b-file terms of `a_number` from `[sources] bfile_url`, or None when it is unavailable."""
    url = cfg["sources"]["bfile_url"].format(number=a_number)
    max_bytes = int(cfg["sources"]["max_bfile_mb"]) << 20
    try:
        path = local_path(url)
        if path is not None:
            if not path.is_file():
                return None
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(f"{path}: larger than {max_bytes} bytes ({CAP})")
        else:
            fetcher = _fetcher(cfg)
            response = fetcher.get(url)
            if response is None:
                return None
            with response:
                data = read_capped(response, max_bytes, url, CAP, fetcher.max_seconds)
        if data[:2] == b"\x1f\x8b":
            data = gunzip_capped(data, max_bytes, url, CAP)
        text = data.decode("utf-8")
    except (FetchError, requests.RequestException, OSError, UnicodeDecodeError) as exc:
        log.info("bfile_unavailable", seq=format_a_number(a_number), url=url, error=str(exc))
        return None
    terms = parse_bfile(text, url)
    return terms or None
