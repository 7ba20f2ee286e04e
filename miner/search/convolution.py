"""Convolutions named in the name: "Convolution of A.. and A.." and the truncated kind "a(n) = s(1)t(n) +
s(2)t(n-1) + ... + s(k)t(n+1-k), where k = [n/2], s = .., t = ..". Names leave the alignment of the two
sequences' indices open, so every small shift is tried on their known terms; each that gives the target's
known terms becomes a loop of two `seq` calls. "Number of ways to write n as an ordered sum of 6 squarefree numbers"
is [x^n] S(x)^6, S the set's indicator: marked in memory from the cited sequence's `seq` values, then raised to
the power by J. C. P. Miller's recurrence. Riordan arrays and convolution triangles are `riordan`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from miner.lang.anumber import mentioned_a_numbers
from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset, shift_input
from miner.search import riordan
from miner.search.formula import NUMBER_WORDS
from miner.search.types import Candidate, SearchContext, Target

# Sequences names call by their own name, plural or in parentheses: the words -> A-numbers to try.
SEQUENCE_WORDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("composite", (2808,)), ("nonprime", (18252,)), ("1, p(1)", (8578,)), ("prime", (40,)),
    ("lucas", (32, 204)), ("fibonacci", (45,)), ("f(2)", (45,)), ("f(1)", (45,)),
    ("odd natural", (5408,)), ("odd number", (5408,)), ("even", (5843,)), ("square", (290,)),
    ("triangular", (217,)), ("catalan", (108,)), ("natural number", (27, 1477)), ("positive integer", (27,)),
    ("partition number", (41,)), ("number of partitions", (41,)), ("bell", (110,)), ("overpartition", (15128,)),
)
MIN_COMPARED = 8  # known terms a shift must reproduce (all that the two sequences' known terms give)
SHIFTS = range(-1, 3)

_CONVOLUTION = re.compile(r"^convolution of (.+?) (?:and|with) (.+?)\.?$", re.I)
_TRUNCATED = re.compile(
    r"s\(1\)\*?t\(n\) \+ s\(2\)\*?t\(n-1\) \+ \.\.\. \+ s\(k\)\*?t\(n(?:\+1-k|-k\+1)\),? where k = "
    r"(?P<k>\[ ?n/2 ?\]|\[ ?\(n\+1\)/2 ?\]|floor\(n/2\)|floor\(\(n\+1\)/2\))\s*,\s*s = (?P<s>.+?),\s*t = (?P<t>.+?)\.?$",
    re.I)


@dataclass(frozen=True)
class Convolution:
    """a(n) = sum_{j=1..K} s[j - 1 + es] * t[n' - j + et] with n' = n + shift, K = n' (full) or
    floor((n' + half) / 2); s[i], t[i] are the i-th known terms (from each sequence's offset)."""

    s: int
    t: int
    full: bool
    half: int = 0
    shift: int = 0
    es: int = 0
    et: int = 0


def _sequences(text: str) -> tuple[int, ...]:
    """The A-numbers a side of the name means: the one it writes, else the sequences its words name."""
    written = sorted(mentioned_a_numbers(text))
    if written:
        return (written[0],)
    low = text.lower()
    return next((numbers for word, numbers in SEQUENCE_WORDS if word in low), ())


def parse_name(name: str) -> list[Convolution]:
    """The convolutions the name states, alignment unset: one per reading of its two sequences."""
    full = _CONVOLUTION.search(name.strip())
    trunc = _TRUNCATED.search(name.strip())
    if trunc:
        sides, is_full, half = (trunc["s"], trunc["t"]), False, 1 if "+1" in trunc["k"] else 0
    elif full:
        sides, is_full, half = (full[1], full[2]), True, 0
    else:
        return []
    return [Convolution(s, t, is_full, half) for s in _sequences(sides[0]) for t in _sequences(sides[1])]


def values(c: Convolution, s: Sequence[int], t: Sequence[int], offset: int, count: int) -> list[int] | None:
    """The first terms the convolution gives from the known terms s, t (fewer where those run out);
    None when an index falls below either sequence's first term."""
    out: list[int] = []
    for i in range(count):
        n = offset + i + c.shift
        k = n if c.full else (n + c.half) // 2
        total = 0
        for j in range(1, k + 1):
            si, ti = j - 1 + c.es, n - j + c.et
            if si < 0 or ti < 0:
                return None
            if si >= len(s) or ti >= len(t):
                return out
            total += s[si] * t[ti]
        out.append(total)
    return out


def convolution_program(c: Convolution, s_offset: int, t_offset: int, offset: int) -> Program:
    """The loop over j = K..1; the loop's last, discarded pass (j = 0) calls both at their offsets."""
    lines = ["mov $1,$0",
             "mov $2,$0",
             *([] if c.full else ([f"add $2,{c.half}"] if c.half else []) + ["div $2,2"]),
             "lpb $2",
             "  mov $5,$2",
             f"  add $5,{s_offset - 1 + c.es}",
             f"  max $5,{s_offset}",
             f"  seq $5,{c.s}",
             "  mov $6,$1",
             "  sub $6,$2",
             f"  add $6,{t_offset + c.et}",
             f"  max $6,{t_offset}",
             f"  seq $6,{c.t}",
             "  mul $5,$6",
             "  add $3,$5",
             "  sub $2,1",
             "lpe",
             "mov $0,$3"]
    # the code reads n' = n + shift, n the term's index (the offset's included)
    code = parse("\n".join(x for x in lines if x) + "\n", "convolution").ops
    return at_offset(shift_input(code, offset + c.shift), offset)


def programs_for(target: Target, known: Mapping[int, Target], corpus: Any = None) -> list[Program]:
    """Programs of every alignment of the named convolution that gives all the known terms it can reach
    (with a corpus, only of sequences it has programs for)."""
    out = []
    for base in parse_name(target.name):
        s, t = known.get(base.s), known.get(base.t)
        if s is None or t is None or (corpus is not None and (base.s not in corpus or base.t not in corpus)):
            continue
        natural = -target.offset + 1 if base.full else 0
        for shift in sorted({natural + d for d in (-1, 0, 1)} | {0}):
            for es in SHIFTS:
                for et in SHIFTS:
                    c = Convolution(base.s, base.t, base.full, base.half, shift, es, et)
                    got = values(c, s.terms, t.terms, target.offset, len(target.terms))
                    if got is not None and len(got) >= min(MIN_COMPARED, len(target.terms)) \
                            and list(target.terms[:len(got)]) == got:
                        out.append(convolution_program(c, s.offset, t.offset, target.offset))
    return out


# --- ordered sums: "Number of ways to write n as an ordered sum of 6 squarefree numbers" -----------------------

_ORDERED = re.compile(r"^Number of (?:ways to write n as an ordered sum|ordered ways of writing n as (?:a|the) sum) of "
                      r"(?P<k>\d+|two|three|four|five|six|seven|eight|nine|ten) (?P<set>[^;]+?)\.?$")
# Sets names call by their own name, the longer phrases first (each checked before SEQUENCE_WORDS)
_SETS: tuple[tuple[str, int], ...] = (
    ("counting 1 as a prime", 8578), ("prime or 1", 8578), ("odd prime", 65091), ("palindrome", 2113),
    ("squarefree", 5117), ("tetrahedral", 292), ("cube", 578), ("generalized pentagonal", 1318),
    ("squares of nonnegative integers", 290), ("square", 290), ("nonprime", 18252), ("prime", 40),
    ("triangular", 217), ("fibonacci", 45),
)
MAX_PARTS = 12


@dataclass(frozen=True)
class OrderedSum:
    """a(n) = [x^n] S(x)^parts, S the set of the cited sequence's values (0 left out when `positive`)."""

    a_number: int
    parts: int
    positive: bool


def ordered_sum(name: str) -> list[OrderedSum]:
    """The ordered sums the name states: one per reading of its set, with and without 0 unless it says."""
    m = _ORDERED.match(name.strip())
    if m is None or not 1 <= (parts := NUMBER_WORDS.get(m["k"]) or int(m["k"])) <= MAX_PARTS:
        return []
    text = m["set"].lower()
    numbers = sorted(mentioned_a_numbers(m["set"]))[:1] or [a for word, a in _SETS if word in text][:1] \
        or list(_sequences(text))
    positive = (True,) if re.search(r"\b(?:nonzero|positive)\b", text) else (False, True)
    return [OrderedSum(a, parts, p) for a in numbers for p in positive]


def _elements(r: OrderedSum, values: Sequence[int]) -> tuple[int, list[int]] | None:
    """The index of the cited sequence's first value in the set and the set's elements from its known values,
    increasing, when no value repeats (0 only where allowed)."""
    kept = [(i, v) for i, v in enumerate(values) if v > 0 or (v == 0 and not r.positive)]
    elements = sorted({v for _, v in kept})
    return (kept[0][0], elements) if kept and len(elements) == len(kept) else None


def ordered_sum_values(r: OrderedSum, elements: Sequence[int], count: int) -> list[int]:
    """a(0), ..., a(count-1) by K convolutions of the set's indicator, as far as its known elements reach."""
    reach = min(count, elements[-1] + 1)
    indicator = [0] * reach
    for e in elements:
        if e < reach:
            indicator[e] = 1
    power = [1] + [0] * (reach - 1)
    for _ in range(r.parts):
        power = [sum(power[i] * indicator[j - i] for i in range(j + 1)) for j in range(reach)]
    return power


_ORDERED_BASE = 20  # the set's indicator T[i] at BASE + 2i (i = element - least), the power's coefficients at + 1


def ordered_sum_program(r: OrderedSum, first: int, least: int, callee_offset: int, offset: int) -> Program:
    """T marks the elements from the cited sequence's `first` index on (each shifted down by the least), then
    P = T^K by J. C. P. Miller's recurrence j P[j] = Sum_{i=1..j} ((K+1) i - j) T[i] P[j-i], and a(n) is
    P[n - K*least] (0 below)."""
    b, k = _ORDERED_BASE, r.parts
    code = f"""mov $1,$0
add $1,{offset}
mov $2,{callee_offset + first}
mov $3,$1
add $3,1
lpb $3
  mov $4,$2
  seq $4,{r.a_number}
  add $2,1
  mov $5,$4
  sub $5,{least}
  mov $16,$1
  add $16,1
  min $5,$16
  mul $5,2
  add $5,{b}
  mov $$5,1
  mov $3,$1
  sub $3,$4
lpe
mov $6,$1
sub $6,{k * least}
mov ${b + 1},1
mov $8,0
mov $9,$6
lpb $9
  sub $9,1
  add $8,1
  mov $10,0
  mov $11,0
  mov $12,$8
  lpb $12
    sub $12,1
    add $11,1
    mov $13,$11
    mul $13,{k + 1}
    sub $13,$8
    mov $14,$11
    mul $14,2
    add $14,{b}
    mul $13,$$14
    mov $14,$8
    sub $14,$11
    mul $14,2
    add $14,{b + 1}
    mul $13,$$14
    add $10,$13
  lpe
  div $10,$8
  mov $14,$8
  mul $14,2
  add $14,{b + 1}
  mov $$14,$10
lpe
mov $7,$6
max $7,0
mul $7,2
add $7,{b + 1}
mov $0,$$7
mov $15,$6
add $15,1
min $15,1
max $15,0
mul $0,$15
"""
    return at_offset(parse(code, "convolution").ops, offset)


def ordered_sum_programs(target: Target, known: Mapping[int, Target], corpus: Any = None) -> list[Program]:
    """The program of each reading of the named ordered sum whose values are all the known terms they reach."""
    out = []
    for r in ordered_sum(target.name):
        cited = known.get(r.a_number)
        if cited is None or (corpus is not None and r.a_number not in corpus):
            continue
        found = _elements(r, cited.terms)
        if found is None:
            continue
        first, elements = found
        got = ordered_sum_values(r, elements, target.offset + len(target.terms))[target.offset:]
        if len(got) >= min(MIN_COMPARED, len(target.terms)) and list(target.terms[:len(got)]) == got:
            out.append(ordered_sum_program(r, first, elements[0], cited.offset, target.offset))
    return out


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The aligned convolutions of the name whose two sequences have programs, shortest shift first; the ordered
    sums of a named set."""
    if ctx.corpus is None:
        return
    found = programs_for(target, ctx.known, ctx.corpus) + ordered_sum_programs(target, ctx.known, ctx.corpus) \
        + riordan.programs_for(target, ctx.known, ctx.corpus)
    for prog in found[: max(budget, 0)]:
        yield Candidate(prog, "convolution", "from name")
