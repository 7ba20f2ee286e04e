"""Riordan arrays a name states, part of `convolution`: T(n,k) = [x^n] g(x) f(x)^k, read by rows. "Riordan
array (1/(1-x-x^3), x/(1-x))", "Riordan array (f(x), x*f(x)) where f(x) is the g.f. of A059738", "The Riordan
square of A001003", "Convolution triangle of A000958(n+1)", "Renewal array for 1/(1-x)^2", "column m is the
expansion of (x+2*x^2+x^3)^m", "T(n,k) = [x^n] x^k*(1+2*x+x^2)^k". g and f are rational functions or a cited
sequence's g.f. in a polynomial frame (a(x) + c x^e S(x)); the names leave the frame's conventions open (where
the cited g.f. starts, the triangle's first row and column), and the known terms pick them. The program finds
the row and column of n, fills g's and f's coefficients up to the row, multiplies by f column times and reads
the row's coefficient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Mapping

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.formula import FormulaError
from miner.search.gf import parse_gf
from miner.search.linalg import series
from miner.search.types import Target

MIN_TERMS = 6
_BASE = 30  # arrays from here, four interleaved: g, f, the power's coefficients, the next power's


@dataclass(frozen=True)
class Frame:
    """poly(x) + num(x)/den(x) + scale * x^shift * S(x), S the g.f. of `cited` (0: none) from its term
    `start` on: S(x) = sum_m A(start + m) x^m."""

    poly: tuple[int, ...] = ()
    num: tuple[int, ...] = ()
    den: tuple[int, ...] = (1,)
    cited: int = 0
    scale: int = 0
    shift: int = 0
    start: int = 0


@dataclass(frozen=True)
class Riordan:
    g: Frame
    f: Frame
    row0: int = 0  # the first row's n
    col0: int = 0  # each row's first k
    transposed: bool = False  # T(n,k) = [x^k] g f^n: how names mean an array whose f(0) is not 0


def _coefficients(frame: Frame, count: int, known: Mapping[int, Target]) -> list[int] | None:
    """The frame's first `count` coefficients (None: not integral, or the cited terms run out)."""
    out = [Fraction(0)] * count
    for i, c in enumerate(frame.poly[:count]):
        out[i] += c
    if frame.num:
        out = [a + b for a, b in zip(out, series(frame.num, frame.den, count) or [])]
    if frame.cited:
        terms = known[frame.cited].terms if frame.cited in known else ()
        for m in range(frame.shift, count):
            i = frame.start + m - frame.shift
            if i >= len(terms):
                return None
            out[m] += frame.scale * terms[i]
    if any(c.denominator != 1 for c in out):
        return None
    return [int(c) for c in out]


def triangle(r: Riordan, count: int, known: Mapping[int, Target]) -> list[int] | None:
    """The first `count` terms read by rows, or None when the frames cannot give them."""
    rows = r.row0
    while (rows - r.row0 + 1) * (rows - r.row0 + 2) // 2 < count:
        rows += 1
    size = rows + 2  # a first column of 1 reaches k = rows + 1
    g, f = _coefficients(r.g, size, known), _coefficients(r.f, size, known)
    if g is None or f is None:
        return None
    powers = [g]
    for _ in range(size):
        last = powers[-1]
        powers.append([sum(last[j] * f[m - j] for j in range(m + 1)) for m in range(size)])
    out = [powers[r.row0 + i][r.col0 + k] if r.transposed else powers[r.col0 + k][r.row0 + i]
           for i in range(rows - r.row0 + 1) for k in range(i + 1)]
    return out[:count]


# --- names ---------------------------------------------------------------------------------------------------

_SYMBOL = re.compile(r"\b([A-Za-z])\(x\),? (?:is )?(?:the )?(?:o\.)?g\.f\.? (?:of|for) (?:the )?(?:[^A(),;]*? )?A(\d{6})")
# the array itself: at the start, or after a description ("Number triangle T(n,k)=...; Riordan array (...)")
_ARRAY = re.compile(r"(?:^|^Triangle read by rows: |^The |; |\. )Riordan (?:array|matrix) ?\(", re.I)
_SQUARE = re.compile(r"^(?:Triangle read by rows: )?The Riordan square of (?:the )?(?:[^(),;]*? )?A(\d{6})(?:,|\.|$)")
_CONVOLUTION = re.compile(r"^(?:A |The )?convolution triangle of (?:numbers (?:obtained from|based on) |the )?A(\d{6})"
                          r"(?:\(n(?:\+(\d))?\))?(?:[ ,(].*)?\.?$", re.I)
# families the squares and convolution triangles name by name alone ("The Riordan square of the Motzkin numbers")
_FAMILIES = {"catalan numbers": 108, "motzkin numbers": 1006, "fibonacci numbers": 45, "little schröder numbers": 1003,
             "large schröder numbers": 6318, "schröder numbers": 6318, "central binomial coefficients": 984, "bell numbers": 110,
             "pell numbers": 129, "lucas numbers": 32, "riordan numbers": 5043, "fine numbers": 957}
_FAMILY = re.compile(r"^(?:Triangle read by rows: )?(?P<what>The Riordan square|(?:A |The )?convolution triangle) of (?:the )?"
                     r"(?P<family>[a-zö ]+?)(?:,|\.|$)", re.I)
_RENEWAL = re.compile(r"^Renewal array for (.+?)\.?$", re.I)
_COLUMN_POWER = re.compile(r"^Triangle T\(n, ?([mk])\):? column \1 is the expansion of \((.+)\)\^\1\.?$")
_COEFF_POWER = re.compile(r"^Triangle (?:T\(n, ?[km]\) ?= ?|T\(n,k\) of the )?coefficients? (?:of x\^n in (?:the )?expansion of |"
                          r"\[x\^n\] )(?P<e>\[.+?\]|.+?)\^(?P<k>[km])(?:, (?P<lo>[01]) ?<= ?(?P=k) ?<= ?n| = sum\(.*)?\.?$")


def _balanced(text: str, start: int) -> tuple[str, int] | None:
    """The text inside the parenthesis opened at text[start - 1], and where it closes."""
    depth = 1
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i], i
    return None


def _split_pair(text: str) -> tuple[str, str] | None:
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            return text[:i].strip(), text[i + 1:].strip()
    return None


def _ints(p: list[Fraction]) -> tuple[int, ...] | None:
    return tuple(int(c) for c in p) if all(c.denominator == 1 for c in p) else None


def _frame(text: str, symbols: Mapping[str, int]) -> list[Frame]:
    """The frame an expression is (in a list: none when it is neither): rational in x, or a polynomial plus a
    multiple of x^e times one cited g.f."""
    found = [s for s in symbols if re.search(rf"\b{s}\(x\)", text)]
    if len(found) > 1:
        return []
    try:
        if not found:
            num, den = parse_gf(text)
            if den[0] == 0 or abs(den[0]) != 1 and any(c % den[0] for c in num):
                return []
            n, d = _ints(num), _ints(den)
            return [] if n is None or d is None else [Frame(num=n, den=d)]
        sym = found[0]
        at = [parse_gf(re.sub(rf"\b{sym}\(x\)", f"({v})", text)) for v in (0, 1, 2)]
    except (FormulaError, ZeroDivisionError, RecursionError, ValueError):
        return []
    # linear in S with a polynomial rest: E(S) = E(0) + (E(1) - E(0)) S, checked at S = 2
    if any(len(d) != 1 or d[0] != 1 for _, d in at):
        return []
    rest, one, two = (list(n) for n, _ in at)
    width = max(map(len, (rest, one, two)))
    rest, one, two = ([c for c in p] + [Fraction(0)] * (width - len(p)) for p in (rest, one, two))
    slope = [b - a for a, b in zip(rest, one)]
    if any(c - a != 2 * s for a, c, s in zip(rest, two, slope)):
        return []
    nonzero = [i for i, s in enumerate(slope) if s]
    if len(nonzero) != 1 or slope[nonzero[0]].denominator != 1:
        return []
    poly = _ints(rest)
    if poly is None:
        return []
    return [Frame(poly=poly, cited=symbols[sym], scale=int(slope[nonzero[0]]), shift=nonzero[0])]


def parse_name(name: str) -> list[Riordan]:
    """Every reading of the Riordan array the name states (frames before their start conventions)."""
    name = name.strip()
    symbols = {m[1]: int(m[2]) for m in _SYMBOL.finditer(name)}
    pairs: list[tuple[list[Frame], list[Frame]]] = []
    if (m := _FAMILY.match(name)) and (family := _FAMILIES.get(m["family"].lower())):
        name = f"{m['what']} of A{family:06d}."
    if m := _ARRAY.search(name):
        inside = _balanced(name, m.end())
        pair = _split_pair(inside[0]) if inside else None
        if pair:
            pairs.append((_frame(pair[0], symbols), _frame(pair[1], symbols)))
    elif m := _SQUARE.match(name):
        a = int(m[1])  # (S, x S), or Luschny's (S, S - 1) for S(0) = 1
        pairs.append(([Frame(cited=a, scale=1)], [Frame(cited=a, scale=1, shift=1), Frame(poly=(-1,), cited=a, scale=1)]))
    elif m := _CONVOLUTION.match(name):
        a, skip = int(m[1]), int(m[2] or 0)
        for start in sorted({skip, max(skip - 1, 0)}):  # A(n+1) from n = 0 or from the offset
            f = [Frame(cited=a, scale=1, shift=1, start=start)]
            pairs += [([Frame(poly=(1,))], f), ([Frame(cited=a, scale=1, start=start)], f)]
    elif m := _RENEWAL.match(name):
        renewed = _frame(m[1], symbols)
        pairs.append((renewed, [Frame(num=(0, *fr.num), den=fr.den) for fr in renewed if not fr.cited]))
    elif (m := _COLUMN_POWER.match(name)) or (m := _COEFF_POWER.match(name)):
        text = m[2] if m.re is _COLUMN_POWER else re.sub(r"^x\^[km]\s*\*\s*", "x*", m["e"])  # x^k P^k = (x P)^k
        text = re.sub(r"^\[(.*)\]$", r"(\1)", text)
        pairs.append(([Frame(poly=(1,))], _frame(text, symbols)))
    return [Riordan(g, f) for gs, fs in pairs for g in gs for f in fs]


def _starts(frame: Frame, offsets: Mapping[int, int]) -> list[Frame]:
    """A cited g.f. from its first term, or from index 0 with the terms before its offset as zeros."""
    if not frame.cited:
        return [frame]
    first = offsets.get(frame.cited, 0)
    return [frame, replace(frame, shift=frame.shift + first)] if first and not frame.start else [frame]


# --- programs ------------------------------------------------------------------------------------------------

def _fill(frame: Frame, lane: int, offsets: Mapping[int, int]) -> list[str]:
    """Lines setting lane's coefficient m ($2) to the frame's ($4; $5..$9 scratch)."""
    lines = ["mov $4,0"]
    # a polynomial's coefficient m: [m = i] c_i summed (a rational part's numerator, the same way)
    for i, c in enumerate(frame.poly or frame.num):
        if c:
            lines += ["mov $5,$2", f"equ $5,{i}", f"mul $5,{c}", "add $4,$5"]
    if frame.num:  # num/den by its recurrence over the lane's earlier coefficients (no poly or cited part beside it)
        for j, c in enumerate(frame.den[1:], 1):
            if c:
                lines += ["mov $5,$2", f"sub $5,{j}", "mov $6,$5", "max $5,0", "mul $5,4", f"add $5,{_BASE + lane}",
                          "mov $5,$$5", "mov $7,$6", "add $7,1", "min $7,1", "max $7,0", "mul $5,$7", f"mul $5,{c}",
                          "sub $4,$5"]
        if frame.den[0] != 1:
            lines.append(f"div $4,{frame.den[0]}")
    if frame.cited:
        first = offsets.get(frame.cited, 0)
        lines += ["mov $5,$2", f"sub $5,{frame.shift}", "mov $6,$5", "add $6,1", "min $6,1", "max $6,0",
                  "max $5,0", f"add $5,{frame.start + first}", f"seq $5,{frame.cited}", "mul $5,$6",
                  *([f"mul $5,{frame.scale}"] if frame.scale != 1 else []), "add $4,$5"]
    return lines


def program(r: Riordan, offsets: Mapping[int, int], offset: int) -> Program:
    """Row $1 and column $3 of term n; lanes 0 (g), 1 (f), 2 (the power) filled for m = 0..row; column times
    lane 2 becomes lane 2 times f (through lane 3); the result is lane 2's coefficient at the row."""
    if any(fr.num and (fr.cited or fr.poly) for fr in (r.g, r.f)):
        raise ValueError("a rational part beside another in one frame")
    lines = [f"sub $0,{offset}", "mov $1,$0", "mul $1,8", "add $1,1", "nrt $1,2", "sub $1,1", "div $1,2",
             "mov $3,$1", "add $3,1", "mul $3,$1", "div $3,2", "sub $0,$3", "mov $3,$0",  # row, column from 0
             f"add $1,{r.row0}", f"add $3,{r.col0}", "mov $10,$1", "add $10,2", "mov $2,0"]
    if r.transposed:
        lines += ["mov $17,$1", "mov $1,$3", "mov $3,$17"]  # raise to the row's power, read the column

    def lane_loop(body: list[str]) -> list[str]:
        return ["mov $11,$10", "mov $2,0", "lpb $11", *[f"  {x}" for x in body], "  add $2,1", "  sub $11,1", "lpe"]

    def store(lane: int) -> list[str]:
        return ["mov $8,$2", "mul $8,4", f"add $8,{_BASE + lane}", "mov $$8,$4"]
    lines += lane_loop([*_fill(r.g, 0, offsets), *store(0), *store(2)])
    lines += lane_loop([*_fill(r.f, 1, offsets), *store(1)])
    # multiply lane 2 by f, column times: lane 3 = sum_j lane2[j] f[m - j], then copied back
    product = ["mov $4,0", "mov $12,$2", "add $12,1", "mov $13,0", "lpb $12",
               "  mov $14,$13", "  mul $14,4", f"  add $14,{_BASE + 2}", "  mov $14,$$14",
               "  mov $15,$2", "  sub $15,$13", "  mul $15,4", f"  add $15,{_BASE + 1}", "  mov $15,$$15",
               "  mul $14,$15", "  add $4,$14", "  add $13,1", "  sub $12,1", "lpe", *store(3)]
    copy = ["mov $8,$2", "mul $8,4", f"add $8,{_BASE + 3}", "mov $4,$$8", *store(2)]
    lines += ["mov $16,$3", "lpb $16", *[f"  {x}" for x in lane_loop(product) + lane_loop(copy)], "  sub $16,1", "lpe"]
    lines += ["mul $1,4", f"add $1,{_BASE + 2}", "mov $0,$$1"]
    ops = parse("\n".join(lines) + "\n", "riordan").ops
    return Program(ops=ops, directives={"offset": offset} if offset else {})


def programs_for(target: Target, known: Mapping[int, Target], corpus: Any = None) -> list[Program]:
    """The program of the first reading whose triangle is the known terms."""
    if len(target.terms) < MIN_TERMS:
        return []
    for base in parse_name(target.name):
        cited = {fr.cited for fr in (base.g, base.f) if fr.cited}
        if any(a not in known or (corpus is not None and a not in corpus) for a in cited):
            continue
        offsets = {a: known[a].offset for a in cited}
        for g in _starts(base.g, offsets):
            for f in _starts(base.f, offsets):
                for transposed in (False, True):
                    for row0, col0 in ((0, 0), (1, 1), (1, 0), (0, 1)):
                        r = Riordan(g, f, row0, col0, transposed)
                        if triangle(r, len(target.terms), known) == list(target.terms):
                            return [program(r, offsets, target.offset)]
    return []

