"""Cut the small real-data fixtures under tests/fixtures/data from the full data in ../shared/data.

    python scripts/make_test_fixtures.py [--data ../shared/data] [--out tests/fixtures/data]

The fixtures have the layout of the full data (oeis/*.gz, programs/*.tar.gz, semantics/*.csv), so a
test reads either the same way. The program sample is closed under `seq` calls (every program it holds
can be evaluated with it alone); the OEIS files hold every sequence of the sample, the first ones in
A-number order (real names for the name parsers) and some sequences lacking a program. Deterministic:
the same data gives byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import re
import shutil
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import testbed  # noqa: E402

TARBALL = "loda-programs-oeis-2026-04-01.tar.gz"
SAMPLE_TARBALL = "loda-programs-sample.tar.gz"
# Programs every test may ask for by number (held-out examples, families, matcher and search examples).
NAMED = {
    2, 4, 5, 10, 12, 27, 32, 35, 40, 45, 71, 79, 85, 108, 129, 142, 166, 203, 217, 225, 290, 330, 984, 1006, 1045,
    1453, 1477, 5408, 5843, 6318, 14335, 157878, *range(17765, 17800),
}
# Every program below this A-number (the daemon end-to-end test serves them), and a random sample.
BELOW = 300
SAMPLE = 400
SEED = 2026
# OEIS lines: the sample's, every sequence below FIRST_LINES, LACKING sequences without a program, and
# the first A0 names that the name parsers' tests read (g.f. names, `a(n) =` formulas, recurrences).
FIRST_LINES = 300
LACKING = 60
NAME_KINDS = ((re.compile(r"^Expansion of \("), 150), (re.compile(r"a\(n\) = "), 400),
              (re.compile(r"a\(n\) = .*a\(n-1\)"), 200))


def _gzip_lines(path: Path, lines: list[str]) -> None:
    # mtime=0 and no file name: the same lines give the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
        fh.write("".join(lines).encode("utf-8"))


def _key(line: str) -> int | None:
    m = re.match(r"A(\d+)", line)
    return int(m.group(1)) if m else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "data"))
    args = parser.parse_args()
    data, out = Path(args.data), Path(args.out)
    programs = testbed.read_corpus(data / "programs" / TARBALL)
    roots = set(NAMED) | {a for a in programs if a < BELOW}
    roots |= set(random.Random(SEED).sample(sorted(programs), SAMPLE))
    chosen = testbed.seq_closure(programs, roots)

    names_lines: dict[int, str] = {}
    with gzip.open(data / "oeis" / "names.gz", "rt", encoding="utf-8") as fh:
        header = []
        for line in fh:
            if line.startswith("#"):
                header.append(line)
                continue
            a = _key(line)
            if a is not None:
                names_lines[a] = line
    lacking = sorted(a for a in names_lines if a not in programs)
    keep = chosen | {a for a in names_lines if a < FIRST_LINES} | set(lacking[:: max(1, len(lacking) // LACKING)][:LACKING])
    for pattern, count in NAME_KINDS:
        found = [a for a in sorted(names_lines) if a < 100_000
                 and pattern.search(names_lines[a].rstrip("\n").partition(" ")[2])]
        keep |= set(found[:count])

    (out / "oeis").mkdir(parents=True, exist_ok=True)
    (out / "programs").mkdir(parents=True, exist_ok=True)
    _gzip_lines(out / "oeis" / "names.gz", header + [names_lines[a] for a in sorted(keep) if a in names_lines])
    for name in ("stripped", "offsets"):
        kept = []
        with gzip.open(data / "oeis" / f"{name}.gz", "rt", encoding="utf-8") as fh:
            for line in fh:
                a = _key(line)
                if a is None or a in keep:
                    kept.append(line)
        _gzip_lines(out / "oeis" / f"{name}.gz", kept)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for a in sorted(chosen):
            body = programs[a].encode("utf-8")
            info = tarfile.TarInfo(f"oeis/{a // 1000:03d}/A{a:06d}.asm")
            info.size, info.mtime, info.mode = len(body), 0, 0o644
            tar.addfile(info, io.BytesIO(body))
    _gzip_lines_bytes = buffer.getvalue()
    with open(out / "programs" / SAMPLE_TARBALL, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
        fh.write(_gzip_lines_bytes)

    if (data / "semantics").is_dir():
        (out / "semantics").mkdir(exist_ok=True)
        for csv_file in sorted((data / "semantics").glob("*.csv")):
            shutil.copyfile(csv_file, out / "semantics" / csv_file.name)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{len(chosen)} programs, {len(keep)} sequences ({len(lacking[:LACKING])} lacking), "
          f"{size / 1024:.0f} kB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
