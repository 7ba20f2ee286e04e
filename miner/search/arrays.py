"""Arrays with a rule for every cell's neighbours or every square block, part of `recurrence`: "Number of nX3
0..1 arrays with every element equal to 0, 2, 3 or 4 king-move adjacent elements, with upper left element zero.",
"... with each 1 horizontally or vertically adjacent to 0, 1 or 4 1s.", "Number of (n+1) X 6 0..3 arrays with
every 2 X 2 subblock summing to 6.", "... with each 3 X 3 subblock having clockwise perimeter pattern 00000001 or
00000011." With one side fixed the arrays are words in the rows, judged by a window of two or three rows, so
their numbers have a linear recurrence (a transfer matrix's); they are counted row by row in Python and
`recurrence` fits it on far more terms than the data's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from itertools import product

_SIDE = r"(?:(?P<n_first>n) ?X ?(?P<cols>\d+)|(?P<rows>\d+) ?X ?n)"
_SET = r"(?P<set>\d+(?:, \d+)*(?:,? or \d+)?)"
_DIRECTIONS = r"(?P<dirs>king-move|[a-z]+ly(?:, [a-z]+ly)*(?:,? or [a-z]+ly)?)"
_EVERY = re.compile(rf"^Number of {_SIDE} 0\.\.1 arrays with every element (?P<neg>un)?equal to {_SET} {_DIRECTIONS} adjacent "
                    r"elements, with upper left element zero\.?$")
_EACH_ONE = re.compile(rf"^Number of {_SIDE} 0\.\.1 arrays with each 1 (?:{_DIRECTIONS} )?adjacent to {_SET} "
                       r"(?:(?P<dirs2>king-move) )?(?:neighboring )?1(?:'?s)?\.?$")
_OFFSETS = {"horizontally": ((0, -1), (0, 1)), "vertically": ((-1, 0), (1, 0)),
            "diagonally": ((-1, -1), (1, 1)), "antidiagonally": ((-1, 1), (1, -1))}
MAX_WIDTH = 5  # 2^(2w) states of two rows, 2^w next rows each: w = 5 counts 200 rows in seconds


def _neighbourhood(words: str) -> tuple[tuple[int, int], ...] | None:
    if words == "king-move":
        return tuple((di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0))
    out: list[tuple[int, int]] = []
    for word in re.split(r",? or |, ", words):
        if word not in _OFFSETS:
            return None
        out.extend(_OFFSETS[word])
    return tuple(out)


def count_rows(width: int, offsets: tuple[tuple[int, int], ...], allowed: frozenset[int], ones_only: bool,
               unequal: bool, count: int) -> list[int]:
    """Numbers of 1..count-row arrays of the given width in which every cell (every 1 when `ones_only`, the
    first cell 0 otherwise) has a number of equal (`unequal`: unequal) neighbours in `allowed`."""
    rows = list(product((0, 1), repeat=width))

    def fine(above: tuple[int, ...] | None, row: tuple[int, ...], below: tuple[int, ...] | None) -> bool:
        window = {-1: above, 0: row, 1: below}
        for j, x in enumerate(row):
            if ones_only and not x:
                continue
            same = 0
            for di, dj in offsets:
                other = window[di]
                if other is not None and 0 <= j + dj < width and (other[j + dj] == x) != unequal:
                    same += 1
            if same not in allowed:
                return False
        return True

    # state: the last two rows (the first row's "above" is None); a row is judged once the row below is placed
    ways: dict[tuple[tuple[int, ...] | None, tuple[int, ...]], int] = {
        (None, row): 1 for row in rows if ones_only or not row[0]}
    out: list[int] = []
    judged: dict[tuple[tuple[int, ...] | None, tuple[int, ...], tuple[int, ...] | None], bool] = {}

    def ok(above: tuple[int, ...] | None, row: tuple[int, ...], below: tuple[int, ...] | None) -> bool:
        key = (above, row, below)
        if key not in judged:
            judged[key] = fine(above, row, below)
        return judged[key]
    for _ in range(count):
        out.append(sum(c for (above, row), c in ways.items() if ok(above, row, None)))
        step: dict[tuple[tuple[int, ...] | None, tuple[int, ...]], int] = defaultdict(int)
        for (above, row), c in ways.items():
            for below in rows:
                if ok(above, row, below):
                    step[(row, below)] += c
        ways = step
    return out


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named arrays' numbers from n = offset on, `count` of them; None unless a name states them."""
    return neighbour_terms(name, offset, count) or block_terms(name, offset, count)


def neighbour_terms(name: str, offset: int, count: int) -> list[int] | None:
    """Arrays whose every cell's neighbours keep a rule a name states, from n = offset on; None unless stated."""
    name = name.strip()
    m = _EVERY.match(name) or _EACH_ONE.match(name)
    if m is None or offset < 1:
        return None
    words = m["dirs"] or m.groupdict().get("dirs2")
    offsets = _neighbourhood(words) if words else None
    width = int(m["cols"] or m["rows"])
    if offsets is None or not 1 <= width <= MAX_WIDTH:
        return None
    if m["rows"]:  # k X n: the rows are the columns, and the neighbourhood turns with them
        offsets = tuple((dj, di) for di, dj in offsets)
    allowed = frozenset(int(x) for x in re.findall(r"\d+", m["set"]))
    return count_rows(width, offsets, allowed, m.re is _EACH_ONE, bool(m.groupdict().get("neg")),
                      offset + count - 1)[offset - 1:]


_BLOCKS = re.compile(r"^(?P<half>Half the number|Number) of \(n\+(?P<extra>\d)\) ?X ?(?:\((?P<w1>\d+)\+(?P<w2>\d+)\)|(?P<w>\d+)) "
                     r"(?:0\.\.(?P<top>\d+)|binary) arrays with (?P<cond>.+?)\.?$")
_SUM = re.compile(r"^every (?P<h>[23]) ?[xX] ?(?P=h) subblock summing to (?P<sum>\d+)$")
_PATTERN = re.compile(r"^each (?P<h>[23]) ?X ?(?P=h) subblock having clockwise (?:perimeter )?pattern "
                      r"(?P<pats>[01]+(?:,? (?:or )?[01]+)*)$")
_ONES = re.compile(r"^no (?P<h>[23]) ?X ?(?P=h) subblock having exactly (?P<ones>\d+) ones?$")
_STRESS = re.compile(r"^every (?P<h>2) ?X ?2 subblock having its diagonal sum differing from its antidiagonal sum by (?P<by>\d+) "
                     r"\(constant-stress 1 X 1 tilings\)$")
MAX_STATES = 1024  # the last h-1 rows: at most this many distinct ones
MAX_CHECKS = 2 ** 18  # windows of h rows judged


def _perimeter(block: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    """A square block's border clockwise from its top left cell."""
    h = len(block)
    return (*block[0], *(block[i][h - 1] for i in range(1, h)), *block[h - 1][-2::-1], *(block[i][0] for i in range(h - 2, 0, -1)))


def _block_rule(cond: str) -> tuple[int, Callable[[tuple[tuple[int, ...], ...]], bool]] | None:
    if m := _SUM.match(cond):
        total = int(m["sum"])
        return int(m["h"]), lambda b: sum(map(sum, b)) == total
    if m := _PATTERN.match(cond):
        pats = re.findall(r"[01]+", m["pats"])
        h = int(m["h"])
        if any(len(p) != 4 * h - 4 for p in pats):
            return None
        # a pattern is read from any border cell, and the centre of a 3 X 3 block is free
        shapes = {tuple(int(c) for c in p[k:] + p[:k]) for p in pats for k in range(len(p))}
        return h, lambda b: _perimeter(b) in shapes
    if m := _ONES.match(cond):
        ones = int(m["ones"])
        return int(m["h"]), lambda b: sum(map(sum, b)) != ones
    if m := _STRESS.match(cond):
        by = int(m["by"])
        return 2, lambda b: abs(b[0][0] + b[1][1] - b[0][1] - b[1][0]) == by
    return None


def count_blocks(width: int, values: int, h: int, rule: Callable[[tuple[tuple[int, ...], ...]], bool],
                 count: int) -> list[int] | None:
    """Numbers of arrays of h-1+1 .. h-1+count rows in which every h X h block keeps the rule; None when the
    last h-1 rows take more than MAX_STATES values."""
    if (values ** width) ** (h - 1) > MAX_STATES or (values ** width) ** h > MAX_CHECKS:
        return None
    rows = list(product(range(values), repeat=width))

    def fits(window: tuple[tuple[int, ...], ...]) -> bool:
        return all(rule(tuple(row[j:j + h] for row in window)) for j in range(width - h + 1))

    ways: dict[tuple[tuple[int, ...], ...], int] = {state: 1 for state in product(rows, repeat=h - 1)}
    nexts: dict[tuple[tuple[int, ...], ...], list[tuple[int, ...]]] = {}
    out: list[int] = []
    for _ in range(count):
        step: dict[tuple[tuple[int, ...], ...], int] = defaultdict(int)
        for state, c in ways.items():
            if state not in nexts:
                nexts[state] = [row for row in rows if fits((*state, row))]
            for row in nexts[state]:
                step[(*state[1:], row)] += c
        ways = step
        if len(ways) > MAX_STATES:
            return None
        out.append(sum(ways.values()))
    return out


def block_terms(name: str, offset: int, count: int) -> list[int] | None:
    """Arrays whose every h X h block keeps a rule a name states, from n = offset on; None unless a name states them."""
    m = _BLOCKS.match(name.strip())
    rule = _block_rule(m["cond"]) if m else None
    if m is None or rule is None:
        return None
    h, keep = rule
    width = int(m["w"]) if m["w"] else int(m["w1"]) + int(m["w2"])
    values = int(m["top"] or 1) + 1
    extra = int(m["extra"])
    if extra != h - 1 or width < h or offset < 0:
        return None
    counted = count_blocks(width, values, h, keep, offset + extra - h + 1 + count)
    if counted is None:
        return None
    by_rows = [values ** (width * rows) for rows in range(h)] + counted  # fewer than h rows hold no block
    out = by_rows[offset + extra:offset + extra + count]
    if m["half"] != "Number":
        if any(c % 2 for c in out):
            return None
        out = [c // 2 for c in out]
    return out
