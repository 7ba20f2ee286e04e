"""The retrieval index saved between runs: building it parses every corpus program (a minute for 150,000),
and a start, a `mine --ids` run or a daemon's restart would otherwise pay that each time.

The file is named by a digest of everything the index is built from: each known sequence's program
text, name, terms and offset, and the source of the code that builds it. A changed program, sequence or
builder gives another digest, so a stale index is never loaded; the older file is removed once the new
one is written. The file is a pickle in the miner's own data folder, read by no one else.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any, Mapping

import structlog

from miner.search.types import Target

_log = structlog.get_logger(__name__)

PREFIX = "retrieval-"
SUFFIX = ".pickle"


def _builders() -> list[str]:
    from miner.lang import compact, parser
    from miner.search import family, retrieval

    return [str(m.__file__) for m in (compact, parser, retrieval, family)]


def digest(corpus: Any, known: Mapping[int, Target]) -> str:
    """A name for the index of `corpus`'s programs of the `known` sequences, as this code builds it."""
    h = hashlib.sha256()
    for path in _builders():
        h.update(Path(path).read_bytes())
    for a in sorted(known):
        text = corpus.text(a)
        if text is None:
            continue
        t = known[a]
        h.update(f"\0{a}\0{t.offset}\0{t.name}\0{','.join(map(str, t.terms))}\0{text}".encode())
    return h.hexdigest()[:32]


def path_for(folder: str | Path, key: str) -> Path:
    """The file holding the index named `key` in `folder`."""
    return Path(folder).expanduser() / f"{PREFIX}{key}{SUFFIX}"


def load(folder: str | Path, key: str) -> Any:
    """The index saved under `key`, or None when there is none (or it cannot be read: then it is rebuilt)."""
    from miner.search.retrieval import Index

    path = path_for(folder, key)
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: rebuilt and overwritten, never fatal
        _log.warning("retrieval_cache_unreadable", path=str(path), error=f"{type(exc).__name__}: {exc}")
        return None
    if not isinstance(index, Index):
        _log.warning("retrieval_cache_unreadable", path=str(path), error=f"holds a {type(index).__name__}")
        return None
    _log.info("retrieval_cache_loaded", path=str(path))
    return index


def save(index: Any, folder: str | Path, key: str) -> None:
    """Write the index under `key` (atomically) and remove the other saved indexes; a failure is logged."""
    path = path_for(folder, key)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        _log.warning("retrieval_cache_not_saved", path=str(path), error=str(exc))
        return
    for old in path.parent.glob(f"{PREFIX}*{SUFFIX}"):
        if old != path:
            old.unlink(missing_ok=True)
    _log.info("retrieval_cache_saved", path=str(path), programs=len(index))
