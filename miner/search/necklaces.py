"""Necklaces and bracelets a name counts: "Number of bracelets (turnover necklaces) with n beads of 5 colors",
"Number of n-bead necklaces with 3 colors", "Number of aperiodic necklaces of n beads of 6 colors", "Number of
primitive (period n) bracelets using exactly four different colored beads", "... using a maximum of six ...",
"Number of n-bead asymmetric bracelets with exactly 4 different colored beads", "Number of pairs of orientable
necklaces with n beads and up to 3 colors", "... of two colors with 10 red beads and n-10 black beads", "Number of
bracelets of n beads in up to n colors", and the tables "T(n,k) read by antidiagonals" / "Triangle ... read by rows"
of necklaces or bracelets with n beads of k colors. Palindromes too ("Number of primitive (aperiodic) palindromes
using exactly six different symbols", "... palindromic structures ..."): a palindrome is its first half, c^ceil(n/2)
of them, and a structure is a palindrome up to relabeling its symbols, so those using exactly c are 1/c! of theirs.

Burnside over the cyclic group: n N(n) = Sum_{j=1..n} c^gcd(j,n) (or, with r beads of one colour,
Sum_j [n/g | r] C(g, r g/n), g = gcd(j,n)); bracelets add the reflections, B = (n N + n R) / (2n); chiral pairs
are N - B, achiral ones 2B - N; primitive counts are Moebius sums Sum_{d|n} mu(d) X(n/d), "exactly c colours"
inclusion-exclusion Sum_{i=0..c} (-1)^(c-i) C(c,i) X_i. The count is computed exactly in Python and the same
formula, as a `formula.Node` tree with phi and mu unrolled into loops (no `seq`), compiled to LODA only when it
reproduces every known term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from math import comb, factorial, gcd
from typing import Any, Iterator

from miner.lang.program import Program
from miner.search.build import line
from miner.search.formula import (NUMBER_WORDS, TRIANGLE_LAYOUTS, Compiler, FormulaError, Node, binop, compile_array,
                                  compile_triangle)
from miner.search.primes import moebius
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 4
_NUMBERS = {**NUMBER_WORDS, "binary": 2, "ternary": 3}


@dataclass(frozen=True)
class Reading:
    """What a name counts: kind is necklace, bracelet, chiral (N - B) or achiral (2B - N); beads and colors
    are a number or a variable ("n", "k"); `black` fixes how many beads have the first of two colours."""

    kind: str
    primitive: bool
    exact: bool
    beads: int | str
    colors: int | str
    black: int | None = None
    extra_beads: int = 0  # "r black beads and n white beads": n + r beads
    extra_colors: int = 0  # a table whose rows start at 0 beads and columns at 1 colour: k + 1 colours
    shape: str = "seq"  # seq, triangle (read by rows) or array (read by antidiagonals)


# Phrases the reader understands, each rewritten to a marker; any word left over refuses the name.
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^(?:jablonski )?(?:table|array) t\(n, ?k\) read by antidiagonals:? ", " ARRAY "),
    (r"^array read by antidiagonals:? ", " ARRAY "),
    (r"^triangle t\(n, ?k\) read by rows,? giving ", " TRIANGLE "),
    (r"\(n >= 1, 1 <= k <= n\)", " "),
    (r"\bt\(n, ?k\) = ", " "),
    (r"\bturning over is not allowed\b|\bnot allowing reversal\b", " ROTATE "),
    (r"\ballowing turn(?:ing )?overs?\b|\bturning over is allowed\b|\(turn ?over necklaces\)|"
     r"\(these are also called bracelets\)|\(bracelets\)|\(reversible necklaces\)", " TURN "),
    (r"\(aperiodic necklaces\)|\(lyndon words\)", " "),
    (r"\blyndon words\b", " PRIMITIVE necklaces "),
    (r"\bprimitive \(aperiodic\)", " PRIMITIVE "),
    (r"\bprimitive \(period n\)", " PRIMITIVE PERIOD "),
    (r"\bprimitive period n\b|\baperiodic\b|\bprimitive\b", " PRIMITIVE "),
    (r"\bpairs of orientable\b|\bchiral pairs of\b", " CHIRAL "),
    (r"\bthat have no reflection symmetry\b", " CHIRAL "),
    (r"\bthat are the same when turned over\b", " ACHIRAL "),
    (r"\basymmetric\b", " ASYMMETRIC "),
    (r"\b(\d+) (?:red|black|white) beads and n ?- ?\1 (?:red|black|white) beads\b", r" BLACK\1 "),
    (r"\b(\d+) (?:red|black|white) beads and n (?:red|black|white) beads\b", r" BLACK\1 EXTRA "),
    (r"\b(\d+) of them black\b", r" BLACK\1 "),
    (r"\b(\d+) (?:red|black) beads\b", r" BLACK\1 "),
    (r"\b(?:of )?length (n)\b", r" BEADS\1 "),
    (r"\b(n|k|\d+)[- ]beads?\b", r" BEADS\1 "),
    (r"\b(exactly|a maximum of|up to|at most) ", r" \1 "),
    (r"\b(n|k|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:different )?"
     r"colou?r(?:s|ed beads)\b", r" COLORS\1 "),
    (r"\b(binary|ternary)\b", r" COLORS\1 "),
    (r"\bbracelets\b", " TURN "),
    (r"\bnecklaces\b", " NECKLACE "),
    (r"\bpalindromic structures\b", " PALSTRUCT "),
    (r"\bpalindromes\b", " PALINDROME "),
    (r"\b(n|k|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:different )?symbols\b", r" COLORS\1 "),
)
_FILLER = {"number", "of", "with", "and", "in", "using", "when", "different", ",", "beads", "exactly", "a",
           "maximum", "up", "to", "at", "most", "the", "giving", "consist"}


def parse_name(name: str) -> Reading | None:
    """The name's necklace count (the first `;`-separated part that reads as one), or None."""
    for part in name.split(";"):
        reading = _parse_part(part)
        if reading is not None:
            return reading
    return None


def _parse_part(part: str) -> Reading | None:
    text = part.strip().rstrip(".").strip().lower()
    text = re.sub(r"^number of ", " ", text) if not text.startswith(("table", "array", "jablonski", "triangle")) \
        else re.sub(r"\bnumber of ", " ", text)
    if "number" in text:
        return None
    for pattern, marker in _PHRASES:
        text = re.sub(pattern, marker, text)
    words = re.findall(r"[A-Z]+\w*|[a-z0-9]+|[^\sa-z0-9]", re.sub(r"\s*,\s*", " , ", text))
    markers = [w for w in words if w[0].isupper()]
    if any(w not in _FILLER for w in words if not w[0].isupper()):
        return None
    quals = [w for w in words if w in ("exactly", "maximum", "up", "most")]
    palindromes = [m for m in markers if m in ("PALINDROME", "PALSTRUCT")]
    if ("NECKLACE" not in markers and "TURN" not in markers) == (len(palindromes) != 1) or \
            ("TURN" in markers and "ROTATE" in markers):
        return None
    kind = "palindrome" if "PALINDROME" in palindromes else "palstructure" if palindromes else \
        "bracelet" if "TURN" in markers else "necklace"
    if kind.startswith("pal") and (set(markers) & {"ROTATE", "CHIRAL", "ACHIRAL", "ASYMMETRIC", "ARRAY", "TRIANGLE"}
                                   or (kind == "palstructure" and quals != ["exactly"])):
        return None
    mods = [m for m in markers if m in ("CHIRAL", "ACHIRAL", "ASYMMETRIC")]
    if len(mods) > 1:
        return None
    primitive = "PRIMITIVE" in markers
    if mods:
        kind = "achiral" if mods[0] == "ACHIRAL" else "chiral"
        primitive = primitive or mods[0] == "ASYMMETRIC"
    beads = {m[5:] for m in markers if m.startswith("BEADS")}
    colors = {m[6:] for m in markers if m.startswith("COLORS")}
    black = {m[5:] for m in markers if m.startswith("BLACK")}
    if len(beads) > 1 or len(colors) > 1 or len(black) > 1 or len(quals) > 1:
        return None
    shape = "array" if "ARRAY" in markers else "triangle" if "TRIANGLE" in markers else "seq"
    color = _value(colors.pop()) if colors else (2 if black else None)
    bead = _value(beads.pop()) if beads else ("n" if black or "PERIOD" in markers or kind.startswith("pal") else None)
    if color is None or bead is None or (black and color != 2) or (black and quals):
        return None
    variables = {v for v in (color, bead) if isinstance(v, str)}
    if variables != ({"n", "k"} if shape != "seq" else {"n"}):
        return None
    if shape != "seq" and (primitive or black or quals == ["exactly"]):
        return None
    first = int(black.pop()) if black else None
    return Reading(kind, primitive, quals == ["exactly"], bead, color, first,
                   extra_beads=first or 0 if "EXTRA" in markers else 0, shape=shape)


def _value(word: str) -> int | str:
    return word if word in ("n", "k") else _NUMBERS[word] if word in _NUMBERS else int(word)


# --- exact values ---------------------------------------------------------------------------------------

def _rotations(n: int, c: int, black: int | None) -> int:
    """Sum over the n rotations of the colourings each fixes (n times the number of necklaces)."""
    total = 0
    for j in range(1, n + 1):
        g = gcd(j, n)
        if black is None:
            total += c ** g
        elif black % (n // g) == 0:
            total += comb(g, black * g // n)
    return total


def _reflections(n: int, c: int, black: int | None) -> int:
    """The colourings a reflection fixes, averaged over the n reflections (n >= 1)."""
    if black is None:
        return (c ** ((n + 1) // 2) + c ** (n // 2 + 1)) // 2
    return comb((n - black % 2) // 2, black // 2)


def _plain(kind: str, n: int, c: int, black: int | None) -> int:
    if kind in ("palindrome", "palstructure"):  # a palindrome is its first half; structures are divided later
        return c ** ((n + 1) // 2)
    if n == 0:
        return 1 if kind in ("necklace", "bracelet", "achiral") and black is None else 0
    necklaces = _rotations(n, c, black) // n
    bracelets = (_rotations(n, c, black) + n * _reflections(n, c, black)) // (2 * n)
    return {"necklace": necklaces, "bracelet": bracelets, "chiral": necklaces - bracelets,
            "achiral": 2 * bracelets - necklaces}[kind]


def count(reading: Reading, n: int, c: int) -> int:
    """The number the reading counts with n beads of (at most, or exactly) c colours."""
    def base(m: int, colors: int) -> int:
        if not reading.primitive or m == 0:
            return _plain(reading.kind, m, colors, reading.black)
        # A period-d necklace with r beads of the first colour repeats one with r/d of them.
        return sum(moebius(d) * _plain(reading.kind, m // d, colors, None if reading.black is None else reading.black // d)
                   for d in range(1, m + 1) if m % d == 0 and (reading.black or 0) % d == 0)
    if reading.exact:
        labelled = sum((-1) ** (c - i) * comb(c, i) * base(n, i) for i in range(c + 1))
        # structures: the c symbols' c! relabelings of each palindrome using all of them
        return labelled // factorial(c) if reading.kind == "palstructure" else labelled
    return base(n, c)


def _arguments(reading: Reading, n: int, k: int = 0) -> tuple[int, int]:
    vals = {"n": n, "k": k}
    beads = reading.beads if isinstance(reading.beads, int) else vals[reading.beads]
    colors = reading.colors if isinstance(reading.colors, int) else vals[reading.colors]
    return beads + reading.extra_beads, colors + reading.extra_colors


def triangle_cell(layout: tuple[int, int, int], i: int) -> tuple[int, int]:
    """Row and column of entry i (from 0) of a triangle read by rows in `formula.TRIANGLE_LAYOUTS` layout."""
    first_row, first_col, extra = layout
    n = first_row
    while i >= n + extra - first_col + 1:
        i -= n + extra - first_col + 1
        n += 1
    return n, first_col + i


def array_cell(layout: tuple[int, bool], i: int) -> tuple[int, int]:
    """Row and column of entry i (from 0) of an array read by antidiagonals, as `formula.compile_array` reads it."""
    first, flip = layout
    d = 0
    while i > d:
        i -= d + 1
        d += 1
    n, k = first + d - i, first + i
    return (k, n) if flip else (n, k)


def values(reading: Reading, count_: int, offset: int, layout: Any = None) -> list[int]:
    """The first `count_` terms of the reading from index `offset` (a table's in the given layout)."""
    out = []
    for i in range(count_):
        if reading.shape == "seq":
            out.append(count(reading, *_arguments(reading, offset + i)))
        else:
            n, k = triangle_cell(layout, i) if reading.shape == "triangle" else array_cell(layout, i)
            out.append(count(reading, *_arguments(reading, n, k)))
    return out


# --- the formula as a tree ------------------------------------------------------------------------------

def _num(v: int) -> Node:
    return Node("num", v)


def _var(v: str) -> Node:
    return Node("var", v)


def _call(name: str, a: Node, b: Node) -> Node:
    return Node("call", name, (a, b))


def _is_zero(x: Node) -> Node:
    """[x = 0] for x >= 0, with the formula compiler's own operations (the table layouts use its Compiler)."""
    return binop("-", _num(1), _call("min", x, _num(1)))


def _rotations_node(b: Node, c: Node, black: Node | None) -> Node:
    j = _var("j")
    g = _call("gcd", j, b)
    if black is None:
        term = binop("^", c, g)
    else:
        period = binop("/", b, g)
        term = binop("*", _is_zero(binop("mod", black, period)), _call("binomial", g, binop("/", binop("*", black, g), b)))
    return Node("sum", "j", (_num(1), b, term))


def _reflections_node(b: Node, c: Node, black: Node | None) -> Node:
    if black is None:
        return binop("/", binop("+", binop("^", c, binop("/", binop("+", b, _num(1)), _num(2))),
                            binop("^", c, binop("+", binop("/", b, _num(2)), _num(1)))), _num(2))
    # LODA's division truncates, so at b = 0 the row is 0 (not -1); it is multiplied by b = 0 there anyway.
    return _call("binomial", binop("/", binop("-", b, binop("mod", black, _num(2))), _num(2)), binop("/", black, _num(2)))


def _plain_node(kind: str, b: Node, c: Node, black: Node | None) -> Node:
    if kind in ("palindrome", "palstructure"):
        return binop("^", c, binop("/", binop("+", b, _num(1)), _num(2)))
    rot = _rotations_node(b, c, black)
    empty = _is_zero(b) if black is None else _num(0)
    size = _call("max", b, _num(1))
    neck = binop("/", binop("+", rot, empty), size)
    brace = binop("/", binop("+", binop("+", rot, binop("*", b, _reflections_node(b, c, black))), binop("*", _num(2), empty)),
                binop("*", _num(2), size))
    if kind == "necklace":
        return neck
    if kind == "bracelet":
        return brace
    if kind == "chiral":
        return binop("-", neck, brace)
    return binop("-", binop("*", _num(2), brace), neck)


def _mu_node(d: Node) -> Node:
    """mu(d) for d >= 1: [d squarefree] (-1)^log2(tau(d)), tau(d) a power of 2 when d is squarefree."""
    t = _var("t")
    squarefree = Node("prod", "t", (_num(2), d, _call("min", binop("mod", d, binop("*", t, t)), _num(1))))
    tau = Node("sum", "t", (_num(1), d, _is_zero(binop("mod", d, t))))
    return binop("*", squarefree, binop("^", Node("neg", None, (_num(1),)), _call("log", tau, _num(2))))


def formula(reading: Reading, b: Node, c: Node) -> Node:
    """The count as a formula tree in the beads `b` and colours `c`."""
    def base(colors: Node) -> Node:
        plain = _plain_node(reading.kind, b, colors, None if reading.black is None else _num(reading.black))
        if not reading.primitive:
            return plain
        d = _var("d")
        if reading.black is None:
            body = binop("*", _mu_node(d), _plain_node(reading.kind, binop("/", b, d), colors, None))
        else:
            body = binop("*", binop("*", _mu_node(d), _is_zero(binop("mod", _num(reading.black), d))),
                       _plain_node(reading.kind, binop("/", b, d), colors, binop("/", _num(reading.black), d)))
        # The divisor sum is empty at b = 0; the empty necklace counts as the plain one does.
        empty = reading.black is None and reading.kind != "chiral"
        return binop("+", Node("dsum", "d", (b, body)), _is_zero(b) if empty else _num(0))
    if not reading.exact:
        return base(c)
    i = _var("i")
    sign = binop("^", Node("neg", None, (_num(1),)), binop("-", c, i))
    labelled = Node("sum", "i", (_num(0), c, binop("*", binop("*", sign, _call("binomial", c, i)), base(i))))
    if reading.kind == "palstructure":
        fact = Node("prod", "t", (_num(1), c, _var("t")))
        return binop("/", labelled, fact)
    return labelled


class _Compiler(Compiler):
    """The formula compiler with LODA's `log` (for mu)."""

    _LODA = {**Compiler._LODA, "log": "log"}


def compile_reading(reading: Reading, offset: int = 0, layout: Any = None) -> Program:
    """The LODA program of the reading (a table's in the given layout)."""
    def arg(v: int | str) -> Node:
        return _num(v) if isinstance(v, int) else _var(v)
    b = arg(reading.beads)
    if reading.extra_beads:
        b = binop("+", b, _num(reading.extra_beads))
    c = arg(reading.colors)
    if reading.extra_colors:
        c = binop("+", c, _num(reading.extra_colors))
    node = formula(reading, b, c)
    if reading.shape == "triangle":
        return compile_triangle(node, layout, offset)
    if reading.shape == "array":
        return compile_array(node, layout, offset)
    comp = _Compiler()
    comp.ops.append(line("mov", 1, 0, direct=True))
    comp.value(node, 0)
    return Program(ops=comp.ops, directives={"offset": offset} if offset else {})


def _layouts(reading: Reading) -> list[Any]:
    if reading.shape == "triangle":
        return list(TRIANGLE_LAYOUTS)
    if reading.shape == "array":
        return [(first, flip) for first in (0, 1) for flip in (False, True)]
    return [None]


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the named count when its exact values are every known term."""
    reading = parse_name(target.name)
    if reading is None or len(target.terms) < MIN_TERMS:
        return []
    # compile_array starts rows and columns at the same index; 1 + k colours starts the columns one later.
    variants = [reading] + ([replace(reading, extra_colors=1)] if reading.shape == "array" else [])
    out = []
    for variant in variants:
        for layout in _layouts(variant):
            try:
                if values(variant, len(target.terms), target.offset, layout) != list(target.terms):
                    continue
                out.append(compile_reading(variant, target.offset, layout))
            except (FormulaError, KeyError, ValueError):
                continue
    return out


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named necklace count's program."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "necklaces", "from name")

