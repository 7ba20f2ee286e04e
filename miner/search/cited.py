"""Sequences a name defines through others by their A-numbers, each called with `seq`:

- positions of a value: "Position of n-th 2 in A030363";
- run lengths of a value: "Length of n-th run of digit 1 in A030341";
- row sums, alternating row sums, diagonal (antidiagonal) sums of a triangle: "Row sums of triangle A049029",
  "Alternating row sums of triangle A237591", "Diagonal sums of number triangle A109244";
- a column or diagonal of a triangle or of an array read by antidiagonals: "Column 4 of triangle A123610",
  "Second diagonal of A255494", "Main diagonal of square array A145153", "a(n) = A026615(2*n, n-1)";
- a triangle with its rows reversed: "Triangle in A071945 with rows reversed", "Mirror of the triangle A193897";
- matrix products of lower triangular matrices: "Matrix product of A008277(n,k) and |A008297(n,k)|",
  "A054522 * A054523", "Matrix square of triangle A063967", "A065941^2", "T(n,m) = sum_{k=m..n} A001263(k,m)";
- partial sums (also taken k times), partial products, k-th differences and sections of a sequence:
  "Partial sums of A165573", "Second partial sums of A001891", "Product of the first n perfect powers (A001597)",
  "First differences of A199716", "Third differences of Catalan numbers A000108", "Bisection of A002417".

How the triangle is laid out (rows from 0 or 1, their lengths, columns counted from 0 or 1, where the target
starts) is not in the name: each layout is a reading, and the cited sequences' known terms (when the context
has them) keep only the readings whose Python twin reproduces the target's terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from math import comb, isqrt
from operator import add, mul
from typing import Any, Iterator, Mapping

from miner.lang.parser import parse
from miner.lang.program import Operation, Program
from miner.search.build import at_offset, nth_passing
from miner.search.types import Candidate, SearchContext, Target

Shape = tuple[int, int]  # (first, growth): row r (from 0) of a triangle read by rows has first + growth*r entries

_CITES = re.compile(r"A\d{6}")
_POSITION = re.compile(r"^Positions? of (?:the )?n-th (\d+) in (A\d{6})\b")
_RUN = re.compile(r"^Length of (?:the )?n-th run of (?:digit )?(\d+)(?:'s|s)? in (A\d{6})\b")
# Words between an operation and its A-number ("of the Stirling2 triangle A048993"); no sentence ends.
_DESC = r"(?:(?!A\d{6})[^.;:]){0,80}?"
_OF = rf"\s+(?:of|in|from)\s+{_DESC}\(?\b(A\d{{6}})\b"
_ROW_SUMS = re.compile(rf"(?<!alternating )\brow sums{_OF}", re.I)
_ALT_ROW_SUMS = re.compile(rf"\balternating row sums{_OF}", re.I)
_DIAG_SUMS = re.compile(rf"\b(?:(?:rising|upward|shallow|ascending) )?(anti)?diagonal sums?{_OF}"
                        rf"|\bsums of (?:the )?(?:(?:rising|upward|shallow) )?(anti)?diagonals{_OF}", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
             "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "main": 0, "principal": 0, "central": 0}
_LINE = re.compile(
    rf"\b(?:(?P<ord>{'|'.join(_ORDINALS)}|\d+(?:st|nd|rd|th)|\d+-th)\s+)?(?P<what>column|diagonal)"
    r"(?:\s+sequence)?(?:\s+(?:[kmn]\s*=\s*)?(?P<num>\d+))?(?:\s+sequence)?"
    rf"(?:\s*\(\s*[kmn]\s*=\s*(?P<paren>\d+)\s*\))?{_OF}", re.I)
_LINEAR = r"\s*(?:\d+\s*\*?\s*)?n(?:\s*[+-]\s*\d+)?\s*|\s*\d+\s*"
_EXPLICIT = re.compile(rf"\ba\(n\)\s*=\s*(A\d{{6}})\(({_LINEAR}),({_LINEAR})\)\s*(?=$|[.;,=])")
_MIRROR = re.compile(
    r"\b(?:mirror(?:ed)?(?: image)?(?: of)?\s+(?:the )?(?:[\w'-]+ )?(?:triangle |array )?"
    r"|(?<!digit )(?<!binary )(?:row )?revers(?:e|al) of\s+(?:the )?(?:(?:[\w'-]+ )?(?:triangle|array) )?)"
    r"(?:in )?\(?\b(A\d{6})\b"
    r"|\b(A\d{6})\)?(?: formatted as a triangular array)? (?:with (?:its )?(?:rows reversed|row reversion"
    r"|reversed rows)|reversed)\b", re.I)
_FACTOR = r"(\|)?\(?\b(A\d{6})(?:\s*\(\s*[a-z]\s*,\s*[a-z]\s*\))?\)?(\|)?"
_PRODUCT = re.compile(
    rf"(?<![*^+/(\-] )(?<![*^+/(\-]){_FACTOR}\s*[*\u00b7]\s*{_FACTOR}"
    rf"|\bproduct of {_DESC}{_FACTOR},? (?:and|with|by|times) {_DESC}{_FACTOR}", re.I)
_SQUARE = re.compile(rf"(?<!convolution )(?<!riordan )(?<!inverse )\b(?:matrix )?square of (?:the )?"
                     rf"(?:(?!A\d{{6}})[^.;:()]){{0,60}}?{_FACTOR}"
                     rf"|(?<![*^+/(\[\-])\b(A\d{{6}})\^2\b", re.I)
# sum_{k=m..n} A(k,m) and sum_{k=m..n} A(n,k): the cited triangle times the all-ones one, A000012.
_ONES_SUM = re.compile(r"\bsum_\{([a-z])\s*=\s*([a-z])\s*\.\.\s*([a-z])\}\s*\(?\b(A\d{6})\(\s*([a-z])\s*,\s*([a-z])\s*\)",
                       re.I)
_ORDER = r"(?:(?P<order>first|second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th)|\d+-th) (?:forward )?)?"
_PARTIAL = re.compile(rf"\b{_ORDER}partial (?P<word>sums|products){_OF}"
                      rf"|\b(?P<first>sum|product) of (?:the )?first n {_DESC}\(?\b(A\d{{6}})\b", re.I)
_DIFFERENCES = re.compile(rf"(?<!absolute )\b{_ORDER}differences{_OF}", re.I)
_SECTION = re.compile(rf"\b(?:(even|odd|first|second|third) )?(bi|tri|quadri|quinti)section{_OF}", re.I)
_SECTIONS = {"bi": 2, "tri": 3, "quadri": 4, "quinti": 5}
# What may not follow a cited A-number (after its variables, "(n,k)"): an operator or an argument such as
# (n+1) makes it part of a larger expression; "(as infinite matrices)" does not.
_VARIABLES = re.compile(r"\(\s*[a-z]\s*(?:,\s*[a-z]\s*)?\)")
_AFTER = re.compile(r"\s*(?:[*^/+\[]|\(\s*(?:[\d+\-]|[a-z](?![a-z])(?!\s+[a-z]))|-\s*[A\d(]"
                    r"|,?\s*(?:read )?mod(?:ulo)?\b)", re.I)

# Rows of a triangle read by rows: row r (from 0) has first + growth * r entries; the target's first term is
# row `skip`.
ROW_SHAPES = tuple((first, growth, skip) for growth in (1, 2) for skip in (0, 1) for first in (1, 2, 3))
LINE_SHAPES: tuple[Shape, ...] = ((1, 1), (2, 1), (3, 1))
MIN_AGREE = 3  # terms a reading must reproduce from the cited sequence's known terms to be kept
MAX_JUDGED = 2  # readings kept that reproduce the target's terms, as many of them as any other reading
MAX_SHORT = 3  # readings kept, when none is judged, that the cited terms are too few to judge
MAX_UNJUDGED = 12  # readings kept without the cited terms
ALL_ONES = 12  # A000012, the all-ones triangle, for sums over a column or a row


@dataclass(frozen=True)
class Cited:
    """What the name asks of the cited sequence `a_number` (see the module docstring for the kinds).

    `value`: the value whose positions are sought, the column or diagonal number (-1: unstated), a section's
    modulus, or how many times sums or differences are taken (0: once);
    `second` and `absolute`: a matrix product's right factor and which factors are taken in absolute value;
    `line`: the row and column (dr, r0, dc, c0) of a(n) = A(dr*n + r0, dc*n + c0) as the name writes them.
    """

    kind: str
    a_number: int
    value: int = 0
    second: int = 0
    absolute: tuple[bool, bool] = (False, False)
    line: tuple[int, int, int, int] = (0, 0, 0, 0)

    def cites(self) -> tuple[int, ...]:
        """The A-numbers called."""
        return (self.a_number, self.second) if self.kind == "product" else (self.a_number,)


@dataclass(frozen=True)
class Reading:
    """One layout the name may mean: the operation `op` on a triangle of the given shape, with its parameters."""

    op: str
    shape: Shape = (1, 1)
    params: tuple[int, ...] = ()


# --- reading names -------------------------------------------------------------------------------------

def _free(name: str, end: int) -> bool:
    """Whether the A-number ending at `end` stands alone (no operator or argument list after it)."""
    variables = _VARIABLES.match(name, end)
    return not _AFTER.match(name, variables.end() if variables else end)


def _linear(text: str) -> tuple[int, int]:
    """(coefficient of n, constant) of `2*n-1`, `n+6`, `3`."""
    text = text.replace(" ", "").replace("*", "")
    if "n" not in text:
        return 0, int(text)
    coef, _, const = text.partition("n")
    return int(coef or 1), int(const or 0)


def _order(word: str | None) -> int:
    """How many times the sums or differences are taken: 0 (once) unless the name says "second", "3rd", ..."""
    if not word or word.lower() == "first":
        return 0
    digits = re.match(r"\d+", word)
    return int(digits[0]) if digits else _ORDINALS[word.lower()]


def _line_number(m: re.Match[str]) -> int | None:
    """The column or diagonal number the name states (0: the main diagonal, -1: "a diagonal"), or None."""
    if m["paren"]:
        return int(m["paren"])
    if m["num"]:
        return int(m["num"])
    if not m["ord"] and m["what"].lower() == "diagonal":
        return -1  # "A diagonal of A059419": which one, the terms tell
    word = (m["ord"] or "").lower()
    if word in _ORDINALS:
        return _ORDINALS[word]
    digits = re.match(r"\d+", word)
    return int(digits[0]) if digits else None


def _matches(name: str) -> Iterator[tuple[int, Cited]]:
    """Every reading the grammar finds in the name, with where it starts."""
    if m := _POSITION.match(name):
        yield 0, Cited("position", int(m[2][1:]), int(m[1]))
    if m := _RUN.match(name):
        yield 0, Cited("run", int(m[2][1:]), int(m[1]))
    for m in _EXPLICIT.finditer(name):
        (dr, r0), (dc, c0) = _linear(m[2]), _linear(m[3])
        if dr or dc:
            yield m.start(), Cited("line", int(m[1][1:]), line=(dr, r0, dc, c0))
    for pattern, kind in ((_ROW_SUMS, "rows"), (_ALT_ROW_SUMS, "altrows")):
        for m in pattern.finditer(name):
            if _free(name, m.end()):
                yield m.start(), Cited(kind, int(m[m.lastindex or 1][1:]))
    for m in _DIFFERENCES.finditer(name):
        if _free(name, m.end()):
            yield m.start(), Cited("diffs", int(m[m.lastindex or 1][1:]), _order(m["order"]))
    for m in _DIAG_SUMS.finditer(name):
        if _free(name, m.end()):
            a = m[2] or m[4]
            yield m.start(), Cited("antidiagsums" if m[1] or m[3] else "diagsums", int(a[1:]))
    for m in _LINE.finditer(name):
        number = _line_number(m)
        if number is not None and _free(name, m.end()):
            # A central column is a diagonal of the array the triangle comes from: T(2n, n).
            what = "diagonal" if (m["ord"] or "").lower() == "central" else m["what"].lower()
            yield m.start(), Cited(what, int(m[m.lastindex or 1][1:]), number)
    for m in _MIRROR.finditer(name):
        if _free(name, m.end(1) if m[1] else m.end(2)):
            yield m.start(), Cited("mirror", int((m[1] or m[2])[1:]))
    for m in _PRODUCT.finditer(name):
        g = m.groups()
        left, right = (g[0:3], g[3:6]) if g[1] else (g[6:9], g[9:12])
        if _free(name, m.end()) and not re.match(r"\s*[*^]", name[m.end():]):
            yield m.start(), Cited("product", int(left[1][1:]), second=int(right[1][1:]),
                                   absolute=(bool(left[0] and left[2]), bool(right[0] and right[2])))
    for m in _SQUARE.finditer(name):
        a, bars = (m[2], bool(m[1] and m[3])) if m[2] else (m[4], False)
        if _free(name, m.end()):
            yield m.start(), Cited("product", int(a[1:]), second=int(a[1:]), absolute=(bars, bars))
    for m in _ONES_SUM.finditer(name):
        var, low, high, a, row, col = m.groups()
        if row == var and col == low and high != low:  # sum over a column: all-ones * A
            yield m.start(), Cited("product", ALL_ONES, second=int(a[1:]))
        elif col == var and row == high and low != high:  # sum over the end of a row: A * all-ones
            yield m.start(), Cited("product", int(a[1:]), second=ALL_ONES)
    for m in _PARTIAL.finditer(name):
        kind = "psums" if (m["word"] or m["first"]).lower().startswith("sum") else "pprods"
        order = _order(m["order"])
        if _free(name, m.end()) and (kind == "psums" or order <= 1):
            yield m.start(), Cited(kind, int(m[m.lastindex or 1][1:]), order)
    for m in _SECTION.finditer(name):
        if _free(name, m.end()):
            yield m.start(), Cited("section", int(m[3][1:]), _SECTIONS[m[2].lower()])


# "a(n) = T(2n+1, n+4), T given by A027948", "T(2n,n-1), where T is the array in A026148": the cited array's
# entry, as "a(n) = A027948(2n+1, n+4)" reads it.
_NAMED_ARRAY = re.compile(r"\bT\(([^()]*(?:\([^()]*\)[^()]*)*)\),?\s*(?:where\s+)?T\s+(?:is\s+)?"
                          r"(?:given by|defined by|the (?:array|triangle|number triangle) (?:in|of|at)|=)\s+(A\d{6})")


def parse_name(name: str) -> Cited | None:
    """The reading of the cited sequence that comes first in the name (an explicit a(n) = A(.., ..) before
    any), or None."""
    if not _CITES.search(name):
        return None
    name = _NAMED_ARRAY.sub(lambda m: f"{m[2]}({m[1]})", name)
    found = sorted(_matches(name.strip()), key=lambda pair: (pair[1].kind != "line", pair[0]))
    return found[0][1] if found else None


# --- triangles -----------------------------------------------------------------------------------------

def row_start(shape: Shape, r: int) -> int:
    """Where row r starts among the terms."""
    first, growth = shape
    return first * r + growth * r * (r - 1) // 2


def row_length(shape: Shape, r: int) -> int:
    """How many entries row r has."""
    return shape[0] + shape[1] * r


def locate(shape: Shape, i: int) -> tuple[int, int]:
    """The row and column of the term i (from 0) of a triangle read by rows."""
    first, growth = shape
    a = 2 * first - growth
    r = (isqrt(8 * growth * i + a * a) - a) // (2 * growth)
    return r, i - row_start(shape, r)


def _locate_code(shape: Shape) -> str:
    """LODA setting $1, $2 to the row and column of the term $0 (from 0); $3 is scratch."""
    first, growth = shape
    a = 2 * first - growth
    return (f"mov $1,$0\nmul $1,{8 * growth}\nadd $1,{a * a}\nnrt $1,2\nsub $1,{a}\ndiv $1,{2 * growth}\n"
            + _start_code(3, 1, shape) + "mov $2,$0\nsub $2,$3\n")


def _start_code(dest: int, row: int, shape: Shape) -> str:
    """LODA setting $dest to where row $row starts: r (growth r + 2 first - growth) / 2."""
    first, growth = shape
    return f"mov ${dest},${row}\nmul ${dest},{growth}\nadd ${dest},{2 * first - growth}\nmul ${dest},${row}\ndiv ${dest},2\n"


def _asm(text: str) -> list[Operation]:
    """The LODA code, without the lines that do nothing (adding 0, multiplying by 1)."""
    kept = [ln for ln in text.splitlines() if ln and not re.fullmatch(r"(?:add|sub) \$\d+,0|(?:mul|div) \$\d+,1", ln)]
    return parse("\n".join(kept) + "\n").code()


# --- Python twins --------------------------------------------------------------------------------------

def positions(terms: tuple[int, ...], value: int, first: int, skip: int = 0) -> list[int]:
    """Where `value` occurs among the terms after the first `skip`, the first of those counted as `first` (the
    Python twin)."""
    return [first + i for i, t in enumerate(terms[skip:]) if t == value]


def run_lengths(terms: tuple[int, ...], value: int, skip: int = 0) -> list[int]:
    """The lengths of the complete runs of `value` among the terms after the first `skip` (the Python twin)."""
    out, length = [], 0
    for t in terms[skip:]:
        if t == value:
            length += 1
        elif length:
            out.append(length)
            length = 0
    return out


def row_sums(terms: tuple[int, ...], shape: tuple[int, int, int], alt: int = 0) -> list[int]:
    """The sums of the complete rows among the terms, from row `skip` on, signed by `alt` (see _sign)."""
    first, growth, skip = shape
    out, r = [], skip
    while row_start((first, growth), r + 1) <= len(terms):
        start, length = row_start((first, growth), r), row_length((first, growth), r)
        out.append(sum(_sign(alt, c, length) * terms[start + c] for c in range(length)))
        r += 1
    return out


def _sign(alt: int, c: int, length: int) -> int:
    """The sign of column c in a row of `length`: 1 (alt 0), (-1)^c (1), -(-1)^c (2), (-1)^(length-1-c) (3)."""
    if alt == 0:
        return 1
    exponent = c if alt == 1 else c + 1 if alt == 2 else length - 1 - c
    return -1 if exponent % 2 else 1


def _line(terms: tuple[int, ...], shape: Shape, dr: int, r0: int, dc: int, c0: int, zeros: int) -> list[int]:
    """`zeros` zeros, then T(r0 + dr*i, c0 + dc*i) for i = 0, 1, ..."""
    out = [0] * zeros
    while (at := row_start(shape, r0 + dr * (len(out) - zeros)) + c0 + dc * (len(out) - zeros)) < len(terms):
        out.append(terms[at])
    return out


def _mirror(terms: tuple[int, ...], shape: Shape, skip: int) -> list[int]:
    """The triangle's entries, from row `skip` on, each row reversed."""
    out: list[int] = []
    base = row_start(shape, skip)
    while True:
        r, c = locate(shape, base + len(out))
        at = row_start(shape, r + 1) - 1 - c
        if at >= len(terms):
            return out
        out.append(terms[at])


def _diagonal_sums(terms: tuple[int, ...], shape: Shape, skip: int, mirrored: int) -> list[int]:
    """Sum_k T(m-k, k) (T(m-k, length-1-k) if mirrored) over the entries there are, m = skip, skip+1, ..."""
    out: list[int] = []
    while True:
        m, total = skip + len(out), 0
        for k in range(m + 1):
            length = row_length(shape, m - k)
            if k < length:
                at = row_start(shape, m - k) + (length - 1 - k if mirrored else k)
                if at >= len(terms):
                    return out
                total += terms[at]
        out.append(total)


def _product(left: tuple[int, ...], right: tuple[int, ...], absolute: tuple[bool, bool], skip: int) -> list[int]:
    """The entries of the product of two lower triangular matrices read by rows, from row `skip` on."""
    out: list[int] = []
    base = row_start((1, 1), skip)
    a = [abs(t) for t in left] if absolute[0] else left
    b = [abs(t) for t in right] if absolute[1] else right
    while True:
        r, c = locate((1, 1), base + len(out))
        if row_start((1, 1), r + 1) > min(len(a), len(b)):
            return out
        out.append(sum(a[row_start((1, 1), r) + j] * b[row_start((1, 1), j) + c] for j in range(c, r + 1)))


def _partial(terms: tuple[int, ...], shift: int, multiply: bool, order: int = 1) -> list[int]:
    """a(i) = the sum (product) of the terms up to i + shift (nothing: 0 or 1 when that is below the first),
    the sums taken `order` times."""
    running = list(terms)
    for _ in range(order):
        running = list(accumulate(running, mul if multiply else add))
    return ([int(multiply)] + running)[shift + 1:]


def _differences(terms: tuple[int, ...], shift: int, sign: int, order: int = 1) -> list[int]:
    """a(i) = sign * (the `order`-th forward difference of S at i + shift), S before the first term being 0."""
    padded = (0,) + terms
    weights = [(-1) ** (order - j) * comb(order, j) for j in range(order + 1)]
    return [sign * sum(w * padded[i + shift + 1 + j] for j, w in enumerate(weights))
            for i in range(len(terms) - order - shift)]


def twin(c: Cited, rd: Reading, terms: Mapping[int, tuple[int, ...]]) -> list[int]:
    """The target's terms the reading computes from the cited sequences' known terms (the Python twin)."""
    t = terms[c.a_number]
    p = rd.params
    if rd.op == "position":
        return positions(t, c.value, *p)
    if rd.op == "run":
        return run_lengths(t, c.value, *p)
    if rd.op == "rows":
        return row_sums(t, (*rd.shape, p[0]), p[1])
    if rd.op == "line":
        return _line(t, rd.shape, *p)
    if rd.op == "mirror":
        return _mirror(t, rd.shape, p[0])
    if rd.op == "diagsums":
        return _diagonal_sums(t, rd.shape, p[0], p[1])
    if rd.op == "product":
        return _product(t, terms[c.second], c.absolute, p[0])
    if rd.op in ("psums", "pprods"):
        return _partial(t, p[0], rd.op == "pprods", c.value or 1)
    if rd.op == "diffs":
        return _differences(t, p[0], p[1], c.value or 1)
    if rd.op == "section":
        return list(t[p[1]::p[0]])
    raise ValueError(f"unknown reading {rd.op}")


# --- LODA programs -------------------------------------------------------------------------------------

def position_program(a_number: int, value: int, first: int, callee_offset: int, offset: int, skip: int = 0) -> Program:
    """The position of the n-th `value` in the cited sequence after its first `skip` terms, the first of those
    counted as `first`."""
    setup = parse(f"mov $1,{first - 1}\nmov $2,$0\nadd $2,10\npow $2,3\n").code()
    step = parse(f"add $1,1\nmov $3,$1\nadd $3,{callee_offset + skip - first}\nseq $3,{a_number}\nequ $3,{value}\n").code()
    return nth_passing(setup, step, offset)


def run_program(a_number: int, value: int, callee_offset: int, offset: int, skip: int = 0) -> Program:
    """The length of the n-th run of `value` in the cited sequence after its first `skip` terms: a scan that
    counts the runs begun ($6, against n in $9) and the length of the n-th ($7), and ends the pass that leaves it."""
    return at_offset(_asm(
        f"mov $9,$0\nadd $9,1\nmov $1,{callee_offset + skip - 1}\nmov $2,$0\nadd $2,10\npow $2,3\n"
        f"lpb $2\nsub $2,1\nadd $1,1\nmov $3,$1\nseq $3,{a_number}\nequ $3,{value}\n"
        "mov $4,$3\nsub $4,$5\nmax $4,0\nadd $6,$4\nmov $8,$6\nequ $8,$9\nmov $10,$8\nmul $10,$3\nadd $7,$10\n"
        "mov $11,$3\nequ $11,0\nmul $11,$8\nequ $11,0\nmul $2,$11\nmov $5,$3\nlpe\nmov $0,$7\n"), offset)


def row_sum_program(a_number: int, shape: tuple[int, int, int], callee_offset: int, offset: int,
                    alt: int = 0) -> Program:
    """The sum of row n of the cited triangle in the given shape (see ROW_SHAPES), signed by `alt` (see _sign)."""
    first, growth, skip = shape
    signs = {0: "", 1: "mov $6,$4\nmod $6,2\nmul $6,-2\nadd $6,1\nmul $5,$6\n",
             2: "mov $6,$4\nmod $6,2\nmul $6,2\nsub $6,1\nmul $5,$6\n",
             3: "mov $6,$7\nsub $6,$4\nmod $6,2\nmul $6,-2\nadd $6,1\nmul $5,$6\n"}
    # $4 counts the row's entries down; $7 keeps the row's length less one.
    return at_offset(_asm(
        f"add $0,{skip}\nmov $1,$0\n" + _start_code(2, 1, (first, growth)) + f"add $2,{callee_offset}\n"
        f"mov $4,$1\nmul $4,{growth}\nadd $4,{first}\nmov $7,$4\nsub $7,1\nmov $0,0\n"
        # The pass lpb undoes at the end sees $4 = -1: max keeps its `seq` argument valid.
        f"lpb $4\nsub $4,1\nmov $5,$2\nadd $5,$4\nmax $5,{callee_offset}\n"
        f"seq $5,{a_number}\n{signs[alt]}add $0,$5\nlpe\n"), offset)


def line_program(a_number: int, shape: Shape, line: tuple[int, ...], callee_offset: int, offset: int) -> Program:
    """`zeros` zeros (the rows above where a column starts), then T(r0 + dr*i, c0 + dc*i), i = 0, 1, ..., of
    the cited triangle in the given shape."""
    dr, r0, dc, c0, zeros = line
    # $4 is 0 for the leading zeros, else 1; i is kept at least 0 there so that `seq` gets a valid argument.
    pad = f"mov $4,$0\nsub $4,{zeros - 1}\nmax $4,0\nmin $4,1\nsub $0,{zeros}\nmax $0,0\n" if zeros else ""
    return at_offset(_asm(
        pad + f"mov $1,$0\nmul $1,{dr}\nadd $1,{r0}\n" + _start_code(2, 1, shape)
        + (f"mul $0,{dc}\nadd $0,$2\n" if dc else "mov $0,$2\n")
        + f"add $0,{c0 + callee_offset}\nseq $0,{a_number}\n" + ("mul $0,$4\n" if zeros else "")), offset)


def mirror_program(a_number: int, shape: Shape, skip: int, callee_offset: int, offset: int) -> Program:
    """The cited triangle with each row reversed, from row `skip` on."""
    # Column c of row r is the entry just before the next row's start, c back.
    return at_offset(_asm(
        f"add $0,{row_start(shape, skip)}\n" + _locate_code(shape) + "add $1,1\n" + _start_code(3, 1, shape)
        + f"sub $3,$2\nadd $3,{callee_offset - 1}\nmov $0,$3\nseq $0,{a_number}\n"), offset)


def diagonal_sum_program(a_number: int, shape: Shape, skip: int, mirrored: int, callee_offset: int,
                         offset: int) -> Program:
    """Sum_k T(m-k, k) over the entries there are, m = n + skip (T(m-k, length-1-k) if mirrored)."""
    first, growth = shape
    flip = "mov $10,$9\nsub $10,$7\nmov $7,$10\n" if mirrored else ""
    # k = $4 runs m..0: row $5 = m-k has length $6; $8 is 1 if column k is in it; $7 is k kept in the row so
    # that `seq` gets a valid argument either way (also in the pass lpb undoes, where k = -1).
    return at_offset(_asm(
        f"add $0,{skip}\nmov $1,$0\nmov $4,$0\nadd $4,1\nmov $0,0\n"
        f"lpb $4\nsub $4,1\nmov $5,$1\nsub $5,$4\nmov $6,$5\nmul $6,{growth}\nadd $6,{first}\n"
        "mov $7,$4\nmax $7,0\nmov $8,$6\nsub $8,$7\nmin $8,1\nmax $8,0\nmov $9,$6\nsub $9,1\nmin $7,$9\n"
        + flip + _start_code(10, 5, shape)
        + f"add $10,$7\nadd $10,{callee_offset}\nseq $10,{a_number}\nmul $10,$8\nadd $0,$10\nlpe\n"), offset)


def product_program(c: Cited, skip: int, offsets: Mapping[int, int], offset: int) -> Program:
    """Entry (r, k) of the product of the two cited lower triangular matrices: Sum_{j=k..r} A(r,j) B(j,k)."""
    left, right = ("gcd $6,0\n" if c.absolute[0] else ""), ("gcd $7,0\n" if c.absolute[1] else "")
    # j = k + $4 runs r..k; the pass lpb undoes sees $4 = -1, so j is kept at least k there.
    return at_offset(_asm(
        f"add $0,{row_start((1, 1), skip)}\n" + _locate_code((1, 1))
        + "mov $4,$1\nsub $4,$2\nadd $4,1\nmov $0,0\n"
        "lpb $4\nsub $4,1\nmov $5,$4\nmax $5,0\nadd $5,$2\n"
        f"mov $6,$1\nadd $6,1\nmul $6,$1\ndiv $6,2\nadd $6,$5\nadd $6,{offsets[c.a_number]}\nseq $6,{c.a_number}\n"
        f"{left}mov $7,$5\nadd $7,1\nmul $7,$5\ndiv $7,2\nadd $7,$2\nadd $7,{offsets[c.second]}\n"
        f"seq $7,{c.second}\n{right}mul $6,$7\nadd $0,$6\nlpe\n"), offset)


def partial_program(a_number: int, shift: int, multiply: bool, callee_offset: int, offset: int,
                    order: int = 1) -> Program:
    """The sum (product) of the cited sequence's terms S(j) up to m = n + shift (counted from the offsets),
    the sums taken `order` times: Sum_j binomial(m - j + order - 1, order - 1) S(j)."""
    op = "mul" if multiply else "add"
    weight = f"mov $4,$3\nsub $4,$1\nadd $4,{order - 1}\nbin $4,{order - 1}\nmul $2,$4\n" if order > 1 else ""
    # $1 counts the terms down; the pass lpb undoes sees $1 = -1, kept a valid `seq` argument by max.
    return at_offset(_asm(
        f"add $0,{shift + 1}\nmov $1,$0\nmov $3,$0\nsub $3,1\nmov $0,{int(multiply)}\n"
        f"lpb $1\nsub $1,1\nmov $2,$1\nmax $2,0\nadd $2,{callee_offset}\nseq $2,{a_number}\n{weight}{op} $0,$2\nlpe\n"),
        offset)


def difference_program(a_number: int, shift: int, sign: int, callee_offset: int, offset: int,
                       order: int = 1) -> Program:
    """sign * (the `order`-th forward difference at n + shift) of the cited sequence S (0 before its first
    term): Sum_j (-1)^(order-j) binomial(order, j) S(n + shift + j)."""
    code = f"add $0,{shift}\nmov $5,$0\nmov $0,0\n"
    for j in range(order + 1):
        code += f"mov $1,$5\nadd $1,{j}\n"
        if shift + j < 0:  # S(-1) at n = 0: $2 is 0 there, and $1 a valid `seq` argument
            code += "mov $2,$1\nadd $2,1\nmin $2,1\nmax $1,0\n"
        code += f"add $1,{callee_offset}\nseq $1,{a_number}\nmul $1,{sign * (-1) ** (order - j) * comb(order, j)}\n"
        code += "mul $1,$2\nadd $0,$1\n" if shift + j < 0 else "add $0,$1\n"
    return at_offset(_asm(code), offset)


def section_program(a_number: int, modulus: int, rest: int, callee_offset: int, offset: int) -> Program:
    """S(modulus * n + rest) of the cited sequence S (both counted from the offsets)."""
    return at_offset(_asm(f"mul $0,{modulus}\nadd $0,{rest + callee_offset}\nseq $0,{a_number}\n"), offset)


def program(c: Cited, rd: Reading, offsets: Mapping[int, int], offset: int) -> Program:
    """The LODA program of the reading (`offsets`: the cited programs' offsets)."""
    own, p = offsets[c.a_number], rd.params
    if rd.op == "position":
        return position_program(c.a_number, c.value, p[0], own, offset, p[1])
    if rd.op == "run":
        return run_program(c.a_number, c.value, own, offset, p[0])
    if rd.op == "rows":
        return row_sum_program(c.a_number, (*rd.shape, p[0]), own, offset, p[1])
    if rd.op == "line":
        return line_program(c.a_number, rd.shape, p, own, offset)
    if rd.op == "mirror":
        return mirror_program(c.a_number, rd.shape, p[0], own, offset)
    if rd.op == "diagsums":
        return diagonal_sum_program(c.a_number, rd.shape, p[0], p[1], own, offset)
    if rd.op == "product":
        return product_program(c, p[0], offsets, offset)
    if rd.op in ("psums", "pprods"):
        return partial_program(c.a_number, p[0], rd.op == "pprods", own, offset, c.value or 1)
    if rd.op == "diffs":
        return difference_program(c.a_number, p[0], p[1], own, offset, c.value or 1)
    if rd.op == "section":
        return section_program(c.a_number, p[0], p[1], own, offset)
    raise ValueError(f"unknown reading {rd.op}")


# --- readings ------------------------------------------------------------------------------------------

def _fits(shape: Shape, dr: int, r0: int, dc: int, c0: int, zeros: int = 0) -> bool:
    """Whether every T(r0 + dr*i, c0 + dc*i), i >= 0, lies in the triangle."""
    return r0 >= 0 and c0 >= 0 and c0 < row_length(shape, r0) and dc <= shape[1] * dr


def _line_readings(c: Cited) -> list[Reading]:
    """Column k (rows from where it starts, a few later, or with zeros for the rows above) or diagonal k
    (counted from the right), k as stated or one less (columns counted from 1), any small k for "a diagonal";
    a square array read by antidiagonals gives both, and its diagonals are every other row's middle entries."""
    numbers = range(4) if c.value < 0 else dict.fromkeys((c.value, c.value - 1) if c.value else (0,))
    lines: list[tuple[Shape, tuple[int, ...]]] = []
    for skip in range(3):
        for shape in LINE_SHAPES:
            first, growth = shape
            for k in numbers:
                top = max(0, -(-(k - first + 1) // growth))  # the first row column k is in
                column = (1, top + skip, 0, k, 0)
                start = max(0, k - first + 1) + skip  # the first row diagonal k (from the right) is in
                diagonal = (1, start, 1, start + first - 1 - k, 0)
                pair = (column, diagonal) if c.kind == "column" else (diagonal, column)
                lines += [(shape, pair[0]), (shape, pair[1])]
                if c.kind == "diagonal" and shape == (1, 1):
                    lines += [(shape, (2, k + 2 * skip, 1, skip, 0)), (shape, (2, k + 2 * skip, 1, k + skip, 0))]
                if c.kind == "column" and skip == 0:
                    lines += [(shape, (1, top, 0, k, zeros)) for zeros in range(1, min(top + 1, 4) + 1)]
    return list(dict.fromkeys(Reading("line", shape, ln) for shape, ln in lines if _fits(shape, *ln)))


def _explicit_readings(c: Cited, offset: int) -> list[Reading]:
    """a(n) = A(dr*n + r0, dc*n + c0): the triangle's rows and columns counted from 0 or 1, its rows n + 1,
    n + 2 or 2n + 1 long."""
    dr, r0, dc, c0 = c.line
    out = []
    for shape in ((1, 1), (2, 1), (1, 2)):
        for row_base in (0, 1):
            for col_base in (0, 1):
                line = (dr, dr * offset + r0 - row_base, dc, dc * offset + c0 - col_base, 0)
                if _fits(shape, *line):
                    out.append(Reading("line", shape, line))
    # A square array read by antidiagonals: A(i, j) is entry j (or i) of antidiagonal i + j.
    for row_base in (0, 1):
        for col_base in (0, 1):
            diagonal = (dr + dc) * offset + r0 + c0 - row_base - col_base
            for line in ((dr + dc, diagonal, dc, dc * offset + c0 - col_base, 0),
                         (dr + dc, diagonal, dr, dr * offset + r0 - row_base, 0)):
                if _fits((1, 1), *line):
                    out.append(Reading("line", (1, 1), line))
    return list(dict.fromkeys(out))


def readings(c: Cited, offset: int = 0, callee_offset: int = 0) -> list[Reading]:
    """The layouts the name may mean, the likeliest first."""
    kind = c.kind
    if kind == "run":
        return [Reading("run", params=(skip,)) for skip in (0, 1, 2)]
    if kind == "position":
        # skip 1 or 2: positions in an earlier version of the cited sequence, before it gained its first terms
        return [Reading("position", params=(first, skip)) for skip in (0, 1, 2) for first in dict.fromkeys((callee_offset, 1, 0))]
    if kind in ("rows", "altrows"):
        alts = (0,) if kind == "rows" else (1, 2, 3)
        return [Reading("rows", (f, g), (s, alt)) for alt in alts for f, g, s in ROW_SHAPES]
    if kind in ("column", "diagonal"):
        return _line_readings(c)
    if kind == "line":
        return _explicit_readings(c, offset)
    if kind == "mirror":
        return [Reading("mirror", (f, g), (s,)) for f, g, s in ROW_SHAPES]
    if kind in ("diagsums", "antidiagsums"):
        # An array read by antidiagonals: its antidiagonal sums are the row sums of the triangle.
        rows = [Reading("rows", (1, 1), (s, 0)) for s in (0, 1)] if kind == "antidiagsums" else []
        return rows + [Reading("diagsums", shape, (s, mirrored)) for mirrored in (0, 1) for s in (0, 1)
                       for shape in ((1, 1), (2, 1), (3, 1), (1, 2))]
    if kind == "product":
        return [Reading("product", params=(s,)) for s in (0, 1)]
    if kind in ("psums", "pprods"):
        return [Reading(kind, params=(s,)) for s in (0, -1, 1)]
    if kind == "diffs":
        return [Reading("diffs", params=(s, sign)) for sign in (1, -1) for s in (0, 1, -1)]
    if kind == "section":
        return [Reading("section", params=(c.value, r)) for r in range(2 * c.value)]
    return []


def _agrees(values: list[int], terms: tuple[int, ...]) -> bool:
    """Whether the Python twin's terms, where it has any, are the target's (too few to judge: kept)."""
    shared = min(len(values), len(terms))
    return shared < MIN_AGREE or list(values[:shared]) == list(terms[:shared])


def _kept(c: Cited, options: list[Reading], target: Target, terms: Mapping[int, tuple[int, ...]]) -> list[Reading]:
    """The readings the cited terms do not rule out: those that reproduce the most of the target's terms (one
    per distinct list of terms), else those too few terms can judge (most terms first)."""
    judged: list[tuple[int, Reading]] = []
    unjudged: list[tuple[int, Reading]] = []
    seen: set[tuple[int, ...]] = set()
    for rd in options:
        values = twin(c, rd, terms)
        shared = min(len(values), len(target.terms))
        if not _agrees(values, target.terms):
            continue
        if shared < MIN_AGREE:
            unjudged.append((shared, rd))
        elif tuple(values[:len(target.terms)]) not in seen:
            seen.add(tuple(values[:len(target.terms)]))
            judged.append((shared, rd))
    if judged:
        most = max(shared for shared, _ in judged)
        return [rd for shared, rd in judged if shared == most][:MAX_JUDGED]
    unjudged.sort(key=lambda pair: -pair[0])
    return [rd for _, rd in unjudged[:MAX_SHORT]]


def programs_for(target: Target, known: Mapping[int, Target], corpus: Any = None) -> list[Program]:
    """A program for each reading of the cited sequences that their known terms (if given) do not rule out."""
    c = parse_name(target.name)
    if c is None or target.a_number in c.cites() or corpus is None:
        return []
    offsets: dict[int, int] = {}
    for a in c.cites():
        callee = corpus.get(a) if a in corpus else None
        if callee is None:
            return []
        offsets[a] = callee.offset
    options = readings(c, target.offset, offsets[c.a_number])
    if all(a in known for a in c.cites()):
        options = _kept(c, options, target, {a: known[a].terms for a in c.cites()})
    else:  # a position past skipped terms differs from a shifted count only where the cited terms can tell
        options = [rd for rd in options if not (rd.op == "position" and rd.params[1] or rd.op == "run" and rd.params[0])]
        options = options[:MAX_UNJUDGED]
    return [program(c, rd, offsets, target.offset) for rd in options]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The readings of the cited sequences, as `seq` programs."""
    for prog in programs_for(target, ctx.known, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "cited", "from name")
