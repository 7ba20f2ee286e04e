"""Rebuild the bundled offline snapshot (miner/sources/snapshot/) from the shared data.

    python scripts/make_snapshot.py [--data ../shared/data] [--terms 0] [--covered-terms 16]

Writes names.gz and offsets.gz as they are; stripped.gz with every known term of the sequences lacking
a program (`--terms N` would cut them, but a hit must be verified on every known term, so keep 0 = all),
and those of sequences whose program is bundled (it can recompute them)
cut to `--covered-terms` and at most `--covered-chars` characters; programs.asm.gz (code only: no
header or comment lines, one `@ANNNNNN` line before each program) and ATTRIBUTION.md.
Prints the sizes as JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
import tarfile
from pathlib import Path

SEQ_LINE = re.compile(r"A\d{6,7} ,")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miner.sources import snapshot  # noqa: E402
from miner.sources.programs import program_number, strip_header  # noqa: E402

ATTRIBUTION = """# Attribution of the bundled snapshot

This folder holds an offline snapshot so that loda-miner can run its first job without internet.
It was built by `scripts/make_snapshot.py` from {source} and is replaced by live data at the first
successful refresh.

- `names.gz`, `stripped.gz`, `offsets.gz`: sequence names, known terms and offsets from
  **The On-Line Encyclopedia of Integer Sequences (OEIS)**, https://oeis.org, licensed under
  **CC BY-SA 4.0** (https://creativecommons.org/licenses/by-sa/4.0/, OEIS End-User License
  https://oeis.org/LICENSE). Modified: in `stripped.gz` the terms are kept {terms} for
  sequences without a bundled program, and cut to the first {covered_terms} (at most {covered_chars}
  characters) for the others ({sequences} sequences). Offsets as published by the LODA API
  (https://loda-lang.org).
- `programs.asm.gz`: {programs} programs of **loda-programs** (https://github.com/loda-lang/loda-programs),
  licensed under the **Apache License 2.0** (https://www.apache.org/licenses/LICENSE-2.0), copyright
  their authors. Modified: the header lines (`; A-number: name`, `; Submitted by ...`, terms) and all
  other comment-only lines were removed and the files concatenated, each preceded by a line `@ANNNNNN`.
"""


def _write_gz(path: Path, lines) -> None:  # noqa: ANN001 - an iterable of str
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        for line in lines:
            gz.write(line.encode("utf-8"))


def cut_terms(line: str, keep: int, chars: int | None = None) -> str:
    """`A000045 ,0,1,1,2,...,` with only the first `keep` terms (and at most `chars` characters); 0 keeps all."""
    if line.startswith("#") or " ," not in line or keep <= 0:
        return line
    head, body = line.rstrip("\n").split(" ,", 1)
    kept: list[str] = []
    used = 0
    for term in (t for t in body.split(",") if t):
        if len(kept) == keep or (chars is not None and kept and used + len(term) > chars):
            break
        kept.append(term)
        used += len(term) + 1
    return f"{head} ,{','.join(kept)},\n" if kept else line


def code_only(code: str) -> str:
    """The program without comment-only lines (inline comments stay)."""
    lines = [line for line in code.splitlines() if line.strip() and not line.lstrip().startswith(";")]
    return "\n".join(lines) + "\n"


def build(data: Path, terms: int, covered_terms: int, covered_chars: int) -> dict[str, int]:
    """Write the snapshot files; returns their sizes in bytes."""
    oeis = data / "oeis"
    shutil.copyfile(oeis / "names.gz", snapshot.NAMES)
    shutil.copyfile(oeis / "offsets.gz", snapshot.OFFSETS)
    tarballs = sorted((data / "programs").glob("*.tar.gz"))
    if not tarballs:
        raise SystemExit(f"no program tarball in {data / 'programs'}")
    programs: list[tuple[int, str]] = []
    with tarfile.open(tarballs[-1], "r|*") as tar:
        for member in tar:
            number, _ = program_number(member.name)
            handle = tar.extractfile(member) if number is not None and member.isfile() else None
            if handle is not None:
                programs.append((number, code_only(strip_header(handle.read().decode("utf-8")))))
    programs.sort()
    covered = {a for a, _ in programs}
    sequences = 0
    with gzip.open(oeis / "stripped.gz", "rt", encoding="utf-8") as fh:
        lines = []
        for line in fh:
            if line.startswith("#") or not SEQ_LINE.match(line):
                lines.append(line)
                continue
            sequences += 1
            if int(line[1:line.index(" ")]) in covered:
                lines.append(cut_terms(line, covered_terms, covered_chars))
            else:
                lines.append(cut_terms(line, terms))
    _write_gz(snapshot.STRIPPED, lines)
    _write_gz(snapshot.PROGRAMS, (f"{snapshot.RECORD_MARK}A{a:06d}\n{code}" for a, code in programs))
    snapshot.ATTRIBUTION.write_text(ATTRIBUTION.format(
        source=f"{oeis.name}/ and {tarballs[-1].name}",
        terms="in full" if not terms else f"only up to the first {terms}", covered_terms=covered_terms,
        covered_chars=covered_chars, sequences=sequences, programs=len(programs)))
    files = [snapshot.NAMES, snapshot.STRIPPED, snapshot.OFFSETS, snapshot.PROGRAMS, snapshot.ATTRIBUTION]
    sizes = {p.name: p.stat().st_size for p in files}
    sizes["total"] = sum(sizes.values())
    sizes["programs"] = len(programs)
    sizes["sequences"] = sequences
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--terms", type=int, default=0,
                        help="terms kept of sequences lacking a program (0: all; hits are verified on them)")
    parser.add_argument("--covered-terms", type=int, default=16, help="terms kept of the others")
    parser.add_argument("--covered-chars", type=int, default=80, help="characters of terms kept of the others")
    args = parser.parse_args()
    print(json.dumps(build(args.data, args.terms, args.covered_terms, args.covered_chars)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
