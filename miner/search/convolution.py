"""Convolutions named in the name: "Convolution of A.. and A.." and the truncated kind "a(n) = s(1)t(n) +
s(2)t(n-1) + ... + s(k)t(n+1-k), where k = [n/2], s = .., t = ..". Names leave the alignment of the two
sequences' indices open, so every small shift is tried on their known terms; each that gives the target's
known terms becomes a loop of two `seq` calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from miner.lang.anumber import mentioned_a_numbers
from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset, shift_input
from miner.search.types import Candidate, SearchContext, Target

# Sequences names call by their own name, plural or in parentheses: the words -> A-numbers to try.
SEQUENCE_WORDS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("composite", (2808,)), ("nonprime", (18252,)), ("1, p(1)", (8578,)), ("prime", (40,)),
    ("lucas", (32, 204)), ("fibonacci", (45,)), ("f(2)", (45,)), ("f(1)", (45,)),
    ("odd natural", (5408,)), ("odd number", (5408,)), ("even", (5843,)), ("square", (290,)),
    ("triangular", (217,)), ("catalan", (108,)), ("natural number", (27, 1477)), ("positive integer", (27,)),
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


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The aligned convolutions of the name whose two sequences have programs, shortest shift first."""
    if ctx.corpus is None:
        return
    for prog in programs_for(target, ctx.known, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "convolution", "from name")
