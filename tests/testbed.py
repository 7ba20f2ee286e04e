"""A mining database built from local OEIS files and a loda-programs corpus, with some programs held out.

For benchmarks and tests: the held-out sequences become the sequences lacking a program, so mining
them measures what the miner finds on sequences whose programs it has never seen.
"""

from __future__ import annotations

import gzip
import re
import tarfile
from pathlib import Path
from typing import Any, Callable, Iterable

_LINE = re.compile(r"^A(\d+)\s+(.*)$")
_MEMBER = re.compile(r"(?:^|/)oeis/\d{3}/A(\d{6,7})\.asm$")
_SEQ_CALL = re.compile(r"^\s*(?:seq|prg)\s+\$+\d+\s*,\s*(\d+)", re.MULTILINE)


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip():
                continue
            m = _LINE.match(line.strip())
            if not m:
                raise ValueError(f"{path}:{number}: not an OEIS record: {line[:60]!r}")
            yield int(m.group(1)), m.group(2)


def read_oeis(oeis_dir: str | Path, ids: set[int] | None = None) -> dict[int, Any]:
    """{A-number: SequenceRecord} from names.gz, stripped.gz and offsets.gz (only `ids`, if given)."""
    from storage import SequenceRecord

    folder = Path(oeis_dir)
    names = {a: text for a, text in _lines(folder / "names.gz") if ids is None or a in ids}
    terms: dict[int, list[int]] = {}
    for a, text in _lines(folder / "stripped.gz"):
        if ids is None or a in ids:
            terms[a] = [int(t) for t in text.strip().strip(",").split(",") if t.strip()]
    offsets: dict[int, int] = {}
    with gzip.open(folder / "offsets.gz", "rt") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key.startswith("A") and value.strip():
                a = int(key[1:])
                if ids is None or a in ids:
                    offsets[a] = int(value.strip().split(",")[0])
    return {a: SequenceRecord(a, names.get(a, ""), t, offsets.get(a, 0)) for a, t in terms.items()}


def first_names(oeis_dir: str | Path, keep: Callable[[str], bool], count: int) -> dict[int, str]:
    """{A-number: name} of the first `count` sequences of names.gz whose name `keep` accepts."""
    out: dict[int, str] = {}
    for a, name in _lines(Path(oeis_dir) / "names.gz"):
        if len(out) >= count:
            break
        if keep(name):
            out[a] = name
    return out


def read_corpus(tarball: str | Path, ids: set[int] | None = None) -> dict[int, str]:
    """{A-number: program text} of every `oeis/NNN/ANNNNNN.asm` (only `ids`, if given) in a .tar.gz
    or an unpacked loda-programs folder."""
    out: dict[int, str] = {}
    folder = Path(tarball)
    if folder.is_dir():
        if ids is None:
            files = [(int(m.group(1)), f) for f in folder.rglob("A*.asm") if (m := _MEMBER.search(f.as_posix()))]
        else:
            files = [(a, folder / "oeis" / f"{a // 1000:03d}" / f"A{a:06d}.asm") for a in ids]
        for a, file in files:
            if file.is_file():
                out[a] = file.read_text(encoding="utf-8", errors="replace")
        return out
    with tarfile.open(tarball, "r:*") as tar:
        for member in tar:
            m = _MEMBER.search(member.name)
            if m and member.isfile() and (ids is None or int(m.group(1)) in ids):
                fh = tar.extractfile(member)
                if fh is not None:
                    out[int(m.group(1))] = fh.read().decode("utf-8", errors="replace")
    return out


def seq_closure(programs: dict[int, str], roots: Iterable[int]) -> set[int]:
    """The roots and every program they call through `seq`/`prg`, transitively."""
    done: set[int] = set()
    todo = [a for a in roots if a in programs]
    while todo:
        a = todo.pop()
        if a in done:
            continue
        done.add(a)
        todo.extend(int(k) for k in _SEQ_CALL.findall(programs[a]) if int(k) in programs)
    return done


def build_db(url: str, sequences: dict[int, Any], programs: dict[int, str]) -> Any:
    """A migrated database holding `sequences` and, as the corpus, `programs`; returns its engine."""
    import storage
    from storage import apply_refresh, import_corpus_programs

    engine = storage.connect(url)
    apply_refresh(engine, sequences.values(), source="testbed")
    import_corpus_programs(engine, programs.items())
    return engine


def holdout_ids(programs: dict[int, str], sequences: dict[int, Any], count: int, seed: int) -> list[int]:
    """A seeded sample of corpus sequences with known terms whose programs no other program calls."""
    import random

    called = {int(k) for text in programs.values() for k in _SEQ_CALL.findall(text)}
    pool = sorted(a for a in programs if a in sequences and sequences[a].terms and a not in called)
    return sorted(random.Random(seed).sample(pool, min(count, len(pool))))


def real_targets(sequences: dict[int, Any], programs: dict[int, str]) -> list[int]:
    """Sequences with known terms and no program in the corpus: the miner's real targets."""
    return sorted(a for a, r in sequences.items() if r.terms and a not in programs)


def held_out_subset(oeis_dir: str | Path, tarball: str | Path, always: set[int], hidden: Iterable[int],
                    size: int = 300, seed: int = 7) -> tuple[dict[int, Any], dict[int, str]]:
    """(sequences, corpus programs) of `size` seeded corpus programs plus `always`, closed under `seq`
    calls, without the `hidden` programs (their sequences are kept: they become the lacking ones)."""
    import random

    programs = read_corpus(tarball)
    chosen = set(random.Random(seed).sample(sorted(programs), size)) | set(always)
    keep = seq_closure(programs, chosen) - set(hidden)
    sequences = read_oeis(oeis_dir, keep | set(hidden))
    return sequences, {a: programs[a] for a in keep}



def mine_subset(tmp_path: Path, sequences: dict[int, Any], programs: dict[int, str],
                strategies: list[str]) -> dict[int, Any]:
    """Mine a fresh SQLite database of `sequences` and `programs` with only `strategies` (one worker, no
    deep check); the discovered programs by A-number."""
    import storage
    from miner.core import config
    from miner.mine.loop import mine

    cfg = config.defaults_in(tmp_path)
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'miner.db'}"
    cfg["mine"].update(workers=1, deep_check=False, random_seed=3, strategies=strategies)
    engine = build_db(cfg["database"]["url"], sequences, programs)
    mine(cfg, engine=engine)
    with storage.session_scope(engine, readonly=True) as session:
        found = {row.a_number: row for row in storage.discovered(session)}
    engine.dispose()
    return found


def digits_of(k: int, base: int) -> list[int]:
    """k's digits in base `base`, least significant first (none for 0): an independent reading."""
    out = []
    while k:
        k, d = divmod(k, base)
        out.append(d)
    return out


def listed(test: Any, start: int, count: int) -> list[int]:
    """The first `count` numbers k >= start for which test(k) holds: an independent listing of a filter."""
    out, k = [], start
    while len(out) < count:
        if test(k):
            out.append(k)
        k += 1
    return out
