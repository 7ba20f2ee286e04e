"""Tilings of a k X n rectangle a name states, part of `recurrence`: "Number of tilings of a 4 X n rectangle
using dominoes and straight (3 X 1) trominoes", "... with n pentominoes of shapes P, X, Y". The tiles are read
from the name (each in every rotation and reflection), the tilings counted column by column in Python (the state
is which cells of the next columns are covered), and the counts' linear recurrence, which the transfer matrix
guarantees, becomes the program.
"""

from __future__ import annotations

import re
from functools import lru_cache

Shape = frozenset[tuple[int, int]]  # (row, column) cells


def _shape(rows: str) -> Shape:
    """The cells of a picture, rows separated by '/', 'X' filled."""
    return frozenset((r, c) for r, line in enumerate(rows.split("/")) for c, ch in enumerate(line) if ch == "X")


# The free polyominoes names call by letter (Golomb's names)
TETROMINOES = {"I": _shape("XXXX"), "O": _shape("XX/XX"), "T": _shape("XXX/.X."), "L": _shape("X./X./XX"),
               "S": _shape(".XX/XX.")}
PENTOMINOES = {"F": _shape(".XX/XX./.X."), "I": _shape("XXXXX"), "L": _shape("X./X./X./XX"), "N": _shape(".X/.X/XX/X."),
               "P": _shape("XX/XX/X."), "T": _shape("XXX/.X./.X."), "U": _shape("X.X/XXX"), "V": _shape("X../X../XXX"),
               "W": _shape("X../XX./.XX"), "X": _shape(".X./XXX/.X."), "Y": _shape(".X/XX/.X/.X"), "Z": _shape("XX./.X./.XX")}
# Tiles names call by name, longer phrases first
_TILES: tuple[tuple[str, tuple[Shape, ...]], ...] = (
    (r"straight (?:\(?3 ?x ?1\)? )?trominoes|(?:1 ?x ?3|3 ?x ?1) (?:tiles|rectangles|trominoes)", (_shape("XXX"),)),
    (r"(?:right|l-shaped|l) trominoes", (_shape("X./XX"),)),
    (r"trominoes(?: \(of any shape\)| of any shape)?", (_shape("XXX"), _shape("X./XX"))),
    (r"tetrominoes(?: \(of any shape\)| of any shape)?", tuple(TETROMINOES.values())),
    (r"dominoes|dominos|(?:1 ?x ?2|2 ?x ?1) (?:tiles|rectangles|dominoes)", (_shape("XX"),)),
    (r"(?:2 ?x ?2) (?:tiles|squares|blocks)|squares of side 2", (_shape("XX/XX"),)),
    (r"(?:1 ?x ?1) (?:tiles|squares)|monominoes|unit squares", (_shape("X"),)),
)
_NAME = re.compile(r"^(?:The )?number of tilings of an? (?P<k>\d+) ?[xX] ?(?P<c>\d*) ?\*?n (?:rectangle|board|strip)"
                   r"(?: using| with| by)? (?P<tiles>.+?)\.?$", re.I)
_LETTERS = re.compile(r"^(?:\d*n )?(?P<kind>tetrominoes|pentominoes) of shapes? (?P<letters>[A-Z](?:, ?[A-Z])*(?:,? and [A-Z])?)$")
MAX_WIDTH = 8
MAX_STATES = 20_000


def orientations(shape: Shape) -> list[Shape]:
    """The shape's distinct rotations and reflections, each moved to touch row 0 and column 0."""
    out: set[Shape] = set()
    cells = list(shape)
    for _ in range(2):
        for _ in range(4):
            cells = [(c, -r) for r, c in cells]
            r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
            out.add(frozenset((r - r0, c - c0) for r, c in cells))
        cells = [(r, -c) for r, c in cells]
    return sorted(out, key=sorted)


def parse_name(name: str) -> tuple[int, int, tuple[Shape, ...]] | None:
    """(k, c, tiles) for "tilings of a k X cn rectangle using <tiles>": the tiles in every orientation."""
    m = _NAME.match(name.strip())
    if m is None or not 1 <= int(m["k"]) <= MAX_WIDTH:
        return None
    text = m["tiles"].lower()
    shapes: list[Shape] = []
    if letters := _LETTERS.match(m["tiles"].strip()):
        table = TETROMINOES if letters["kind"] == "tetrominoes" else PENTOMINOES
        names = re.findall(r"[A-Z]", letters["letters"])
        if any(x not in table for x in names):
            return None
        shapes = [table[x] for x in names]
    else:
        text = re.sub(r"^(?:\d*n )", "", text)
        for part in re.split(r",? and |, ", text):
            found = next((tiles for pattern, tiles in _TILES if re.fullmatch(pattern, part.strip())), None)
            if found is None:
                return None
            shapes += found
    tiles = tuple(dict.fromkeys(o for s in shapes for o in orientations(s)))
    return (int(m["k"]), int(m["c"] or 1), tiles) if tiles else None


def counts(k: int, tiles: tuple[Shape, ...], columns: int) -> list[int] | None:
    """The numbers of tilings of k X m rectangles for m = 0 .. columns-1; None past MAX_STATES states."""
    width = max(max(c for _, c in t) for t in tiles) + 1
    # each placement anchored at its first cell in column-major order: (cells relative to the anchor)
    anchored = []
    for t in tiles:
        r0, c0 = min((c, r) for r, c in t)[::-1]
        anchored.append(tuple((r - r0, c - c0) for r, c in t))

    @lru_cache(maxsize=None)
    def fill(mask: int) -> tuple[int, ...]:
        """The masks of the next columns once column 0 of `mask` (bit c*k + r) is covered, with repeats."""
        free = next((r for r in range(k) if not mask >> r & 1), None)
        if free is None:
            return (mask >> k,)
        out: list[int] = []
        for cells in anchored:
            bits = 0
            for dr, dc in cells:
                r = free + dr
                if not 0 <= r < k or not 0 <= dc < width:
                    break
                bit = 1 << (dc * k + r)
                if mask & bit:
                    break
                bits |= bit
            else:
                out += fill(mask | bits)
        return tuple(out)

    states = {0: 1}
    out = [1]
    for _ in range(columns - 1):
        nxt: dict[int, int] = {}
        for mask, ways in states.items():
            for after in fill(mask):
                nxt[after] = nxt.get(after, 0) + ways
        states = nxt
        if len(states) > MAX_STATES:
            return None
        out.append(states.get(0, 0))
    return out


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named tilings' numbers from n = offset on, `count` of them; None unless the name states tilings."""
    parsed = parse_name(name)
    if parsed is None or offset < 0:
        return None
    k, c, tiles = parsed
    every = counts(k, tiles, c * (offset + count - 1) + 1)
    return None if every is None else every[c * offset::c][:count]
