"""Coxeter groups a name states: "Number of reduced words of length n in the Weyl group B_7" (the Poincaré
polynomial, prod [d_i]_t over the group's degrees d_i), "Growth series for affine Coxeter group D_9" (Bott's
formula, prod [d_i]_t / (1 - t^(d_i - 1))) and "Molien series for Weyl group E_8" (the invariants,
prod 1 / (1 - t^d_i)). The program multiplies the series out in memory cells up to t^n, so it holds for
every term; these series need far more terms than the recurrence fit gets.

"341st cyclotomic polynomial" and "Inverse of 30th cyclotomic polynomial" are the same products:
Phi_N(t) = prod over d | N of (1 - t^d)^mu(N/d), for N >= 2.

Also the 2,266 OEIS groups "on N generators S_i with relations (S_i)^2 = (S_i S_j)^k = I": their words
grow as the free product's, N*(N-1)^(n-1), up to n = k, and a match on fewer known terms is wrong from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset
from miner.search.primes import moebius
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 8
MAX_RANK = 64
_EXCEPTIONAL: dict[tuple[str, int], tuple[int, ...]] = {
    ("E", 6): (2, 5, 6, 8, 9, 12), ("E", 7): (2, 6, 8, 10, 12, 14, 18), ("E", 8): (2, 8, 12, 14, 18, 20, 24, 30),
    ("F", 4): (2, 6, 8, 12), ("G", 2): (2, 6), ("H", 3): (2, 6, 10), ("H", 4): (2, 12, 20, 30),
}
ARRAY = 10  # the series' coefficient of t^k is kept in cell ARRAY + k


def degrees(kind: str, rank: int) -> tuple[int, ...] | None:
    """The degrees of the basic invariants of the finite Coxeter group kind_rank (None if there is none)."""
    if not 1 <= rank <= MAX_RANK:
        return None
    if kind == "A":
        return tuple(range(2, rank + 2))
    if kind in ("B", "C") and rank >= 2:
        return tuple(range(2, 2 * rank + 1, 2))
    if kind == "D" and rank >= 3:
        return tuple(sorted((*range(2, 2 * rank - 1, 2), rank)))
    return _EXCEPTIONAL.get((kind, rank))


@dataclass(frozen=True)
class Series:
    """prod over the degrees d of [d]_t (if `words`) times 1 / (1 - t^(d + shift)) (if `shift` is not None)."""

    degrees: tuple[int, ...]
    words: bool
    shift: int | None

    def steps(self) -> list[tuple[str, int]]:
        """The multiplications in order: ("acc", e) by 1 / (1 - t^e), ("diff", d) by 1 - t^d."""
        out: list[tuple[str, int]] = []
        for d in self.degrees:
            if self.words:
                out += [("acc", 1), ("diff", d)]
            if self.shift is not None and d + self.shift > 0:
                out.append(("acc", d + self.shift))
        return out


@dataclass(frozen=True)
class Cyclotomic:
    """The coefficients of the N-th cyclotomic polynomial Phi_N (N >= 2), or of 1 / Phi_N (`inverse`)."""

    n: int
    inverse: bool

    def steps(self) -> list[tuple[str, int]]:
        """Phi_N's factors (1 - t^d)^mu(N/d) as multiplications, the inverse's the other way round."""
        out = []
        for d in range(1, self.n + 1):
            mu = moebius(self.n // d) if self.n % d == 0 else 0
            if mu:
                out.append(("acc" if (mu < 0) != self.inverse else "diff", d))
        # the multiplications by 1 - t^d first keep the cells' values small (Phi_N's own coefficients); the
        # divisions first would hold partition counts (7,480,046 at t^299 for N = 30030)
        return sorted(out, key=lambda step: step[0] != "diff")


MAX_CYCLOTOMIC = 10_000
_CYCLOTOMIC = re.compile(r"^(inverse of )?(\d+)(?:st|nd|rd|th) cyclotomic polynomial\.?$", re.I)
_GROUP = r"([A-H])_\{?(\d+)\}?"
_FINITE = re.compile(r"^(?:the )?number of (?:reduced words|elements) of length n in the (?:finite )?(?:Weyl|Coxeter) group "
                     + _GROUP + r"(?: \(or [A-H]_\d+\))?\.?$", re.I)
_AFFINE = re.compile(r"^(?:the )?(?:growth series for (?:the )?affine (?:Coxeter|Weyl) group(?: \(or affine Weyl group\))? "
                     + _GROUP + r"|number of reduced words of length n in the (?:infinite )?affine Weyl group \(" + _GROUP
                     + r"\)\^\{?~\}?(?: on \d+ generators)?)\.?$", re.I)
_MOLIEN = re.compile(r"^(?:Molien|Poincar\S*) series for (?:the )?(?:invariants of (?:the )?finite Coxeter group|Weyl group) "
                           + _GROUP + r"\.?$", re.I)


_RELATIONS = re.compile(r"^number of reduced words of length n in (?:the )?Coxeter group on (\d+) generators S_i "
                        r"with relations \(S_i\)\^2 = \(S_i S_j\)\^(\d+) = I\.?$", re.I)
MAX_RELATION = 1000


@dataclass(frozen=True)
class Relations:
    """The group on `generators` generators S_i with relations (S_i)^2 = (S_i S_j)^k = I (k >= 3)."""

    generators: int
    k: int


def relations(name: str) -> Relations | None:
    """The group of a name "... on N generators S_i with relations (S_i)^2 = (S_i S_j)^k = I", or None."""
    m = _RELATIONS.match(name.strip())
    if m is None or int(m[1]) < 2 or not 3 <= int(m[2]) <= MAX_RELATION:
        return None
    return Relations(int(m[1]), int(m[2]))


def parse_name(name: str) -> list[Series | Relations | Cyclotomic]:
    """The series the name may mean (none if it names no Coxeter group or cyclotomic polynomial this reads),
    likeliest first."""
    name = name.strip()
    if group := relations(name):
        return [group]
    if (m := _CYCLOTOMIC.match(name)) and 2 <= int(m[2]) <= MAX_CYCLOTOMIC:
        return [Cyclotomic(int(m[2]), bool(m[1]))]
    if m := _FINITE.match(name):
        ds = degrees(m[1].upper(), int(m[2]))
        return [Series(ds, True, None)] if ds else []
    if m := _AFFINE.match(name):
        kind, rank = (m[1], m[2]) if m[1] else (m[3], m[4])
        ds = degrees(kind.upper(), int(rank))
        return [Series(ds, True, -1)] if ds else []
    if m := _MOLIEN.match(name):
        ds = degrees(m[1].upper(), int(m[2]))
        if not ds:
            return []
        # A_n also acts on n + 1 coordinates by permuting them; that representation adds the invariant of degree 1
        extra = [Series((1, *ds), False, 0)] if m[1].upper() == "A" else []
        # with only even degrees the series is one in t^2, often listed as such
        extra += [Series(tuple(d // 2 for d in ds), False, 0)] if all(d % 2 == 0 for d in ds) else []
        return [Series(ds, False, 0), *extra]
    return []


def coefficients(series: Series | Cyclotomic, count: int) -> list[int]:
    """The first `count` coefficients (the Python twin of the program)."""
    c = [1] + [0] * (count - 1)
    for kind, e in series.steps():
        if kind == "acc":
            for k in range(e, count):
                c[k] += c[k - e]
        else:
            for k in range(count - 1, e - 1, -1):
                c[k] -= c[k - e]
    return c


def _step_lines(kind: str, e: int) -> list[str]:
    """Code multiplying the series in cells ARRAY.. up to t^$1 by 1 / (1 - t^e) ("acc", upwards) or by
    1 - t^e ("diff", downwards); $2..$6 scratch."""
    up = kind == "acc"
    lines = ["mov $2,$1", f"sub $2,{e}", "add $2,1",  # n - e + 1 coefficients change
             f"mov $3,{e}" if up else "mov $3,$1",
             "lpb $2",
             "  sub $2,1",
             "  mov $4,$3", f"  add $4,{ARRAY}",
             # the pass the loop undoes when n < e would read below cell 0
             "  mov $5,$4", f"  sub $5,{e}", "  max $5,0",
             "  mov $6,$$5",
             "  add $$4,$6" if up else "  sub $$4,$6",
             "  add $3,1" if up else "  sub $3,1",
             "lpe"]
    return lines


def program(series: Series | Cyclotomic, offset: int) -> Program:
    """The coefficient of t^n (n counted from the offset)."""
    lines = ["mov $1,$0", f"mov ${ARRAY},1"]
    for kind, e in series.steps():
        lines += _step_lines(kind, e)
    lines += [f"add $1,{ARRAY}", "mov $0,$$1"]
    return at_offset(parse("\n".join(lines) + "\n", "coxeter").ops, offset)


# Its growth series (the finite parabolic subgroups are the empty one, the N of order 2 and the C(N,2)
# dihedral ones of order 2k) is (1+t)[k]_t / ((1+t)[k]_t - N t [k]_t + C(N,2) t^k); times (1-t) above and
# below it is sparse: a(m) = [m<2] - [m=k or m=k+1] + (N-1) a(m-1) - (C-1) a(m-k) + (C+1-N) a(m-k-1).

def _recurrence(n: int, k: int) -> list[tuple[int, int]]:
    """(lag, coefficient) of the sparse recurrence of the group on n generators with (S_i S_j)^k = I."""
    c = n * (n - 1) // 2
    return [(1, n - 1), (k, 1 - c), (k + 1, c + 1 - n)]


def relation_terms(n: int, k: int, count: int) -> list[int]:
    """The first `count` terms (the Python twin of `relation_program`)."""
    out: list[int] = []
    for m in range(count):
        v = (m < 2) - (m in (k, k + 1))
        v += sum(coef * out[m - lag] for lag, coef in _recurrence(n, k) if m >= lag)
        out.append(v)
    return out


def relation_program(n: int, k: int, offset: int) -> Program:
    """a(m) for m = 0..n, each kept in cell base + m; the k + 1 cells below base stay 0 for m < lag."""
    base = k + 9
    lines = ["mov $1,$0", "add $1,1", "mov $2,0",
             "lpb $1",
             "  sub $1,1",
             "  mov $4,$2", "  leq $4,1",  # 1 for m < 2
             "  mov $5,$2", f"  equ $5,{k}", "  sub $4,$5",
             "  mov $5,$2", f"  equ $5,{k + 1}", "  sub $4,$5"]
    for lag, coef in _recurrence(n, k):
        lines += ["  mov $5,$2", f"  add $5,{base - lag}", "  mov $6,$$5", f"  mul $6,{coef}", "  add $4,$6"]
    lines += ["  mov $5,$2", f"  add $5,{base}", "  mov $$5,$4", "  add $2,1", "lpe", "mov $0,$4"]
    return at_offset(parse("\n".join(lines) + "\n", "coxeter").ops, offset)


def programs_for(target: Target) -> list[Program]:
    """The program of the first reading whose coefficients are the known terms."""
    terms = list(target.terms)
    if len(terms) < MIN_TERMS:
        return []
    for reading in parse_name(target.name):
        if isinstance(reading, Relations):
            if relation_terms(reading.generators, reading.k, len(terms)) == terms:
                return [relation_program(reading.generators, reading.k, target.offset)]
        elif coefficients(reading, len(terms)) == terms:
            return [program(reading, target.offset)]
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named Coxeter group's series when it gives the known terms."""
    for prog in programs_for(target)[: max(budget, 0)]:
        yield Candidate(prog, "coxeter", "from name")
