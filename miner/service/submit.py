"""Sharing hits with the LODA API (`[submit]`, off by default): a persistent queue, a rate limit, retries.

Each mined program is queued once (storage.submissions) and POSTed to `{api_url}/v2/submissions` as
loda-cpp's ApiClient does: `{"id": "A000045", "submitter": ..., "mode": "add"|"update",
"type": "program", "content": <the program file with its header>}`. At most `max_per_window`
submissions per `window_seconds` (counted in the database, so restarts and the fleet share it);
connection errors, 429 and 5xx are retried with exponential backoff (429's Retry-After honoured);
any other 4xx is given up at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import requests
import structlog

import storage
from miner import __version__
from miner.lang.anumber import format_a_number
from miner.sources.http import body_chunks
from miner.sources.programs import render
from storage import submissions as queue

if TYPE_CHECKING:
    from storage import Engine


log = structlog.get_logger(__name__)


@dataclass
class SubmitSummary:
    """What one round did: newly queued, sent, to be retried, given up, left for the next window."""

    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0

    def __str__(self) -> str:
        return (f"queued {self.queued}, sent {self.sent}, retried {self.retried}, failed {self.failed}, "
                f"deferred {self.deferred}")


def payload(a_number: int, content: str, mode: str, submitter: str) -> dict[str, str]:
    """The JSON body loda-cpp posts for a program."""
    return {"id": format_a_number(a_number), "submitter": submitter, "mode": mode, "type": "program",
            "content": content}


def _retry_after(response: requests.Response, now: datetime, most: float) -> float | None:
    """The wait a 429 asks for, in seconds, at most `most` (a huge value would overflow a datetime)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return min(float(value), most)
    try:
        return min(max(0.0, (parsedate_to_datetime(value) - now).total_seconds()), most)
    except (TypeError, ValueError, OverflowError):
        return None


def submit_pending(
    engine: Engine,
    cfg: dict[str, Any],
    stop_event: threading.Event | None = None,
    http: requests.Session | None = None,
    now: datetime | None = None,
) -> SubmitSummary:
    """Queue new hits, then send the due ones the rate limit allows; returns what happened."""
    sub = cfg["submit"]
    now = now or datetime.now(timezone.utc)
    submitter = sub["submitter"] or cfg["mine"]["submitted_by"]
    url = sub["api_url"].rstrip("/") + "/v2/submissions"
    summary = SubmitSummary()
    with storage.session_scope(engine) as session:
        summary.queued = queue.enqueue_new(session, now)
    with storage.session_scope(engine, readonly=True) as session:
        budget = int(sub["max_per_window"]) - queue.sent_since(session, now - timedelta(seconds=sub["window_seconds"]))
        pending = queue.due(session, now, limit=max(0, budget) + 1000)
        sequences = storage.get_sequences(session, {p.a_number for p in pending})
    own_http = http is None
    http = http or requests.Session()
    http.headers.setdefault("User-Agent", f"loda-miner/{__version__}")
    try:
        for item in pending:
            if stop_event is not None and stop_event.is_set():
                break
            if summary.sent >= budget:
                summary.deferred = len(pending) - summary.sent - summary.retried - summary.failed
                break
            seq = sequences.get(item.a_number)
            content = render(item.a_number, seq.name if seq else "", seq.terms if seq else [], item.code, submitter)
            outcome = _post(http, url, payload(item.a_number, content, item.mode, submitter), sub, now)
            with storage.session_scope(engine) as session:
                if outcome is None:
                    queue.mark_sent(session, item.id, now)
                    summary.sent += 1
                    log.info("submitted", seq=format_a_number(item.a_number), mode=item.mode)
                    continue
                error, retryable, wait = outcome
                if not retryable or item.attempts + 1 >= sub["max_attempts"]:
                    queue.mark_failed(session, item.id, error)
                    summary.failed += 1
                    log.warning("submission_failed", seq=format_a_number(item.a_number), error=error)
                    continue
                backoff = min(sub["retry_seconds"] * 2**item.attempts, sub["max_retry_seconds"])
                queue.mark_retry(session, item.id, now + timedelta(seconds=max(backoff, wait or 0.0)), error)
                summary.retried += 1
                log.info("submission_retry", seq=format_a_number(item.a_number), error=error,
                         attempts=item.attempts + 1, backoff=max(backoff, wait or 0.0))
            if wait is not None or "connection" in error:
                break  # the server asked us to slow down or is unreachable: leave the rest queued
    finally:
        if own_http:
            http.close()
    return summary


def _post(
    http: requests.Session, url: str, body: dict[str, str], sub: dict[str, Any], now: datetime
) -> tuple[str, bool, float | None] | None:
    """POST one submission: None on success, else (error, retryable, Retry-After seconds)."""
    try:
        with http.post(url, json=body, timeout=sub["timeout"], stream=True) as response:
            if 200 <= response.status_code < 300:
                return None
            text = _body(response, int(sub["max_response_bytes"]), float(sub["timeout"]))
    except requests.RequestException as exc:
        return f"connection error: {exc}", True, None
    error = f"HTTP {response.status_code}: {text[:200]}"
    if response.status_code == 429:
        return error, True, _retry_after(response, now, float(sub["max_retry_seconds"])) or 0.0
    return error, response.status_code >= 500, None


def _body(response: requests.Response, max_bytes: int, seconds: float) -> str:
    """The start of an error response's body: never more than `max_bytes` of it, nor for longer than
    `seconds` (a server may send a byte now and then)."""
    data = bytearray()
    try:
        for chunk in body_chunks(response, response.url, seconds):
            data += chunk
            if len(data) >= max_bytes:
                break
    except requests.Timeout:
        pass  # what came in time is enough to say what went wrong
    return bytes(data[:max_bytes]).decode("utf-8", errors="replace")
