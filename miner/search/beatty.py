"""Iterated Beatty maps a name states: "a(n) = r(n,n), where r(1,k)=f(k)=floor(k*c), r(n,k)=f(r(n-1,k)),
c=sqrt(2)", with floor, ceiling or round and c rational, sqrt(d), the golden ratio or its square. For
c = (p + sqrt(d))/q, floor(k*c) = floor((k*p + isqrt(k^2*d))/q) in integers, so the program applies f
to n, n times, exactly for every term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import isqrt
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
_NAME = re.compile(r"^a\(n\) = r\(n,n\), where r\(1,k\)=f\(k\)=(floor|ceiling|round)\(k\*c\), r\(n,k\)=f\(r\(n-1,k\)\), "
                   r"c=([^,]+?)\.?$", re.I)
_CONSTANTS = {"golden ratio": (1, 5, 2), "(golden ratio)^2": (3, 5, 2), "phi": (1, 5, 2)}


@dataclass(frozen=True)
class Map:
    """f(k) = kind(k * (p + sqrt(d)) / q), kind floor, ceiling or round (half up); q > 0, d >= 0."""

    kind: str
    p: int
    d: int
    q: int

    def __call__(self, k: int) -> int:
        root = isqrt(k * k * self.d)
        if self.kind == "floor":
            return (k * self.p + root) // self.q
        if self.kind == "ceiling":
            exact = root * root == k * k * self.d
            return -(-(k * self.p + root + (0 if exact else 1)) // self.q)
        # round half up: floor(k*c + 1/2) = floor((2kp + q + isqrt(4 k^2 d)) / 2q)
        return (2 * k * self.p + self.q + isqrt(4 * k * k * self.d)) // (2 * self.q)


def constant(text: str) -> tuple[int, int, int] | None:
    """c as (p, d, q) with c = (p + sqrt(d))/q, or None."""
    text = text.strip().lower()
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if m := re.fullmatch(r"(\d+)(?:/(\d+))?", text):
        q = int(m[2] or 1)
        return (int(m[1]), 0, q) if q else None
    if m := re.fullmatch(r"sqrt\((\d+)\)", text):
        return 0, int(m[1]), 1
    return None


def parse_name(name: str) -> Map | None:
    """The map f the name states, or None."""
    m = _NAME.match(name.strip())
    if not m:
        return None
    c = constant(m[2])
    return Map(m[1].lower(), *c) if c else None


def iterate(f: Map, n: int) -> int:
    """f applied n times to n (the program's Python twin)."""
    k = n
    for _ in range(n):
        k = f(k)
    return k


def _map_lines(f: Map) -> list[str]:
    """Code setting $1 to f($1) ($3..$5 scratch)."""
    scale = 4 if f.kind == "round" else 1
    lines = ["mov $3,$1", "mul $3,$1", f"mul $3,{f.d * scale}", "nrt $3,2"]
    if f.kind == "ceiling":  # isqrt rounded up unless k^2 d is a square
        lines += ["mov $4,$3", "mul $4,$3", "mov $5,$1", "mul $5,$1", f"mul $5,{f.d}", "neq $4,$5", "add $3,$4"]
    lines += ["mov $4,$1", f"mul $4,{f.p * (2 if f.kind == 'round' else 1)}", "add $3,$4"]
    if f.kind == "ceiling":
        lines += [f"add $3,{f.q - 1}", f"div $3,{f.q}"]
    elif f.kind == "round":
        lines += [f"add $3,{f.q}", f"div $3,{2 * f.q}"]
    else:
        lines += [f"div $3,{f.q}"]
    return lines + ["mov $1,$3"]


def program(f: Map, shift: int, offset: int) -> Program:
    """a(n) = f applied n + shift times to n + shift (n counted from the offset)."""
    # index form: $0 = n - offset
    lines = [f"add $0,{offset + shift}" if offset + shift else "", "mov $1,$0", "mov $2,$0",
             "lpb $2", "  sub $2,1", *("  " + x for x in _map_lines(f)), "lpe", "mov $0,$1"]
    code = parse("\n".join(x for x in lines if x) + "\n", "beatty").ops
    return at_offset(code, offset)


def programs_for(target: Target) -> list[Program]:
    """The program of the map the name states, at the index shift (0 or 1) that gives the known terms."""
    f = parse_name(target.name)
    terms = target.terms
    if f is None or len(terms) < MIN_TERMS or any(t < 0 for t in terms):
        return []
    for shift in (0, 1):
        if all(iterate(f, target.offset + i + shift) == t for i, t in enumerate(terms)):
            return [program(f, shift, target.offset)]
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The iterated Beatty map the name states, when it gives the known terms."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "beatty", "from name")
