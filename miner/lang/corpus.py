"""A lazily parsed collection of programs by A-number: a loda-programs folder, its .tar.gz, or a dict."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from miner.lang.anumber import format_a_number
from miner.lang.parser import parse
from miner.lang.program import Program

PROGRAM_PATH = re.compile(r"(?:^|/)oeis/([0-9]{3,4})/A([0-9]+)\.asm$")
# A program file larger than this is not read (the corpus's largest has 24 kB).
MAX_PROGRAM_BYTES = 1 << 20


def program_number(path: str) -> tuple[int | None, str]:
    """(A-number, "") of a loda-programs file path `.../oeis/NNN/ANNNNNN.asm`; (None, "") for other
    files; (None, why) for a program path that names no A-number the way loda-programs does
    (`A0000007.asm`, a file in the wrong NNN folder), which would shadow the real one."""
    match = PROGRAM_PATH.search(path)
    if not match:
        return None, ""
    folder, digits = match.groups()
    if not (len(digits) == 6 or (len(digits) == 7 and digits[0] != "0")):
        return None, f"{path}: not a loda-programs file name (A-numbers have 6 digits, or 7 from A1000000)"
    number = int(digits)
    if int(folder) != number // 1000:
        return None, f"{path}: {format_a_number(number)} belongs in oeis/{number // 1000:03d}/"
    return number, ""


class Corpus:
    """Programs keyed by A-number; text is parsed only when a program is first asked for.

    Build with `Corpus.from_path(folder_or_tarball)` or `Corpus({45: program_or_text})`.
    `without(ids)` gives a view that hides some programs (e.g. held-out validation sequences).
    Each Corpus (and each view) keeps its own memo of `seq` results, because hiding a program
    changes what its callers compute.
    """

    def __init__(self, programs: Mapping[int, Program | str | bytes] | None = None,
                 origin: str = "<dict>") -> None:
        self._raw: dict[int, Program | str | bytes] = dict(programs or {})
        self._parsed: dict[int, Program] = {}
        self._hidden: frozenset[int] = frozenset()
        self.origin = origin
        # Evaluation state owned by miner.lang.evaluator: compiled programs and seq memo.
        self.eval_cache: dict = {}

    @classmethod
    def from_path(cls, path: str | Path) -> "Corpus":
        """A loda-programs folder (with oeis/NNN/ANNNNNN.asm) or a .tar.gz of one; of two files for one
        A-number the first is kept, misnamed and oversized files are left out."""
        path = Path(path)
        raw: dict[int, bytes | str] = {}
        if path.is_dir():
            for file in sorted(path.rglob("A*.asm")):
                number, _ = program_number(file.as_posix())
                if number is not None and number not in raw and file.stat().st_size <= MAX_PROGRAM_BYTES:
                    raw[number] = file  # type: ignore[assignment]
        elif path.is_file():
            try:
                with tarfile.open(path, "r:*") as tar:
                    for member in tar:
                        number, _ = program_number(member.name)
                        if (number is not None and number not in raw and member.isfile()
                                and member.size <= MAX_PROGRAM_BYTES):
                            fh = tar.extractfile(member)
                            if fh is not None:
                                raw[number] = fh.read()
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise ValueError(f"{path}: cannot read program archive: {exc}") from exc
        else:
            raise FileNotFoundError(f"programs not found: {path}")
        return cls(raw, origin=str(path))

    def get(self, a_number: int) -> Program | None:
        """The program for `a_number`, parsed on first use; None if absent or hidden.

        A program that fails to parse raises ParseError naming its file.
        """
        if a_number in self._hidden:
            return None
        program = self._parsed.get(a_number)
        if program is not None:
            return program
        raw = self._raw.get(a_number)
        if raw is None:
            return None
        if isinstance(raw, Program):
            program = raw
        else:
            name = f"{self.origin}:{format_a_number(a_number)}.asm"
            if isinstance(raw, Path):
                name = str(raw)
                raw = raw.read_text(encoding="utf-8", errors="replace")
            elif isinstance(raw, bytes):
                raw = raw.decode("utf-8", errors="replace")
            program = parse(raw, name)
        self._parsed[a_number] = program
        return program

    def text(self, a_number: int) -> str | None:
        """The raw text of a program as stored (formatted if it was given as a Program)."""
        if a_number in self._hidden or a_number not in self._raw:
            return None
        raw = self._raw[a_number]
        if isinstance(raw, Path):
            return raw.read_text(encoding="utf-8", errors="replace")
        if isinstance(raw, bytes):
            return raw.decode("utf-8", errors="replace")
        if isinstance(raw, Program):
            from miner.lang.formatter import format_program
            return format_program(raw)
        return raw

    def ids(self) -> list[int]:
        """All visible A-numbers, sorted."""
        return sorted(k for k in self._raw if k not in self._hidden)

    def __contains__(self, a_number: object) -> bool:
        return a_number in self._raw and a_number not in self._hidden

    def __len__(self) -> int:
        return sum(1 for k in self._raw if k not in self._hidden)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids())

    def without(self, ids: Iterable[int]) -> "Corpus":
        """A view sharing this corpus's programs that hides `ids` (fresh evaluation caches)."""
        view = Corpus.__new__(Corpus)
        view._raw = self._raw
        view._parsed = self._parsed
        view._hidden = self._hidden | frozenset(ids)
        view.origin = self.origin
        view.eval_cache = {}
        return view
