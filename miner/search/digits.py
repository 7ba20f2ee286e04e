"""Digit filters named in the name: "Numbers whose base-6 representation has the same nonzero number of 1's
and 4's", "... contains exactly two 1's and no 3's", "... whose set of base-5 digits is {0,4}", "... has
exactly 3 runs", "Every run of digits of n in base 4 has length 2", "... has no run of digits with length < 2",
"Numbers whose sum of digits is 7", "Primes having only {2, 3, 4} as digits", "Numbers having two 8's in
base 9", "Numbers n such that number of runs in the base 3 representation of n is congruent to 1 mod 4". The name
becomes a predicate on the digits of k; the program counts the digits of k = k0, k0+1, ... and returns
the n-th k that passes, so it holds for every term. When the digits must come from a set D, the program
walks only the numbers written with D (the j-th of them is j in base |D| with D's digits), so terms near
10^7 cost |D|^7 tests, not 10^7. "Unhappy numbers which enter the cycle (4, 16, ...) at 145" iterates the sum of the
squares of the digits on each k.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import lists_exactly, nth_passing
from miner.search.primes import PRIMES, is_prime
from miner.search.types import Candidate, SearchContext, Target

MIN_TERMS = 6
_LONG = 1000  # longer than any run: the shortest run's start, and what a step that closes none offers it
MAX_SCAN = 300_000  # numbers tested in Python to confirm the known terms (the program scans as many)
_COUNT_WORDS = {"no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class Filter:
    """k passes when its base-`base` digits meet every condition, and k is prime if `prime`.

    A condition (left, op, right) compares features: "c<d>" the count of digit d, "bad" the count of digits
    outside `allowed`, "runs" the number of runs of equal digits, "minrun"/"maxrun" the shortest/longest run,
    "sum" the digit sum, or an int; op is "==", ">" or "%m" (left mod m equals right). The digits of 0 are one 0."""

    base: int
    conditions: tuple[tuple[str | int, str, str | int], ...]
    allowed: frozenset[int] = frozenset()
    prime: bool = False

    def features(self) -> list[str]:
        """The features the conditions read, in order."""
        out: list[str] = []
        for left, _, right in self.conditions:
            for side in (left, right):
                if isinstance(side, str) and side not in out:
                    out.append(side)
        return out

    def counted(self) -> list[int]:
        """The digits whose counts the conditions read, in order."""
        return [int(name[1:]) for name in self.features() if name.startswith("c")]


def _digits(k: int, base: int) -> list[int]:
    if k == 0:
        return [0]
    out = []
    while k > 0:
        out.append(k % base)
        k //= base
    return out


def passes(f: Filter, k: int) -> bool:
    """Whether k passes the filter (the Python twin of the program's test)."""
    digits = _digits(k, f.base)
    features: dict[str, int] = {f"c{d}": digits.count(d) for d in f.counted()}
    features["bad"] = sum(1 for d in digits if d not in f.allowed)
    features["runs"] = sum(1 for i, d in enumerate(digits) if i == 0 or d != digits[i - 1])
    starts = [i for i, d in enumerate(digits) if i == 0 or d != digits[i - 1]] + [len(digits)]
    lengths = [b - a for a, b in zip(starts, starts[1:])]
    features["minrun"], features["maxrun"] = min(lengths), max(lengths)
    features["sum"] = sum(digits)

    def value(side: str | int) -> int:
        return side if isinstance(side, int) else features[side]

    for left, op, right in f.conditions:
        a, b = value(left), value(right)
        if (op == "==" and a != b) or (op == ">" and a <= b) or (op.startswith("%") and a % int(op[1:]) != b):
            return False
    return not f.prime or is_prime(k)


def walks(f: Filter) -> bool:
    """Whether the filter only admits digits from `allowed`, so the scan may walk just those numbers."""
    return ("bad", "==", 0) in f.conditions and 2 <= len(f.allowed) < f.base


def _bijective(f: Filter) -> bool:
    # Without the digit 0, the numbers written with D are the bijective base-|D| numerals j >= 1.
    return 0 not in f.allowed


def written(f: Filter, j: int) -> int:
    """The j-th number written with the allowed digits, in increasing order (j >= 1 when 0 is not allowed)."""
    digits, m = sorted(f.allowed), len(f.allowed)
    x, place = 0, 1
    while j > 0:
        if _bijective(f):
            j -= 1
        x += digits[j % m] * place
        place *= f.base
        j //= m
    return x


def _first_index(f: Filter, first: int) -> int:
    """The least j whose written number is at least `first` (the numbers grow with j)."""
    low = 1 if _bijective(f) else 0
    high = max(low, 1)
    while written(f, high) < first:
        high *= 2
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if written(f, mid) < first else (low, mid)
    return low


def _digit_list(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", text)]


def _count(word: str) -> int | None:
    word = word.lower().replace("exactly ", "").strip()
    return int(word) if word.isdigit() else _COUNT_WORDS.get(word)


_SAME = re.compile(r"^numbers whose base-(\d+) (?:representation|expansion) has the same (nonzero )?number of "
                   r"(\d+)'s and (\d+)'s\.?$", re.I)
_CONTAINS = re.compile(r"^numbers whose base-(\d+) (?:representation|expansion) contains ((?:exactly )?\w+) (\d+)(?:'s)? "
                       r"and ((?:exactly )?\w+) (\d+)(?:'s)?\.?$", re.I)
_SET = re.compile(r"^numbers whose set of base-(\d+) digits is \{([\d, ]+)\}\.?$", re.I)
_RUNS = re.compile(r"^numbers whose base-(\d+) (?:representation|expansion) has exactly (\d+) runs?\.?$", re.I)
_RUNS_MOD = re.compile(r"^(?:numbers (?:n |k )?(?:such that )?(?:whose )?)?(?:the )?number of runs in (?:the |their )?base[- ](\d+) "
                       r"representation(?: of [nk])? is congruent to (\d+) \(?mod (\d+)\)?\.?$", re.I)
_EVERY_RUN = re.compile(r"^every run of digits of n in base (\d+) has length (\d+)\.?$", re.I)
_NO_SHORT_RUN = re.compile(r"^numbers whose base-(\d+) (?:representation|expansion) has no run of digits with length < (\d+)\.?$",
                           re.I)
_SUM = re.compile(r"^numbers whose sum of digits is (\d+)\.?$", re.I)
_ONLY = re.compile(r"^(numbers|primes) (?:having|with) only \{([\d, ]+)\} as digits\.?$", re.I)
# "Numbers having two 8's in base 9", "... with a single 0 in their base 4 expansion", "... no 2's in base-4
# expansion", "... at least one 7 in their representation in base 8"
_ONE_COUNT = re.compile(r"^numbers (?:having|with) (exactly \w+|\w+|a single|at least one) (\d+)(?:'s)? in (?:their )?"
                        r"(?:representation in )?base[- ](\d+)(?: (?:expansion|representation))?\.?$", re.I)
_ONLY_PAIR = re.compile(r"^(numbers|primes) that contain (?:the )?digits (\d) and (\d) only\.?$", re.I)


def parse_name(name: str) -> list[Filter]:
    """The digit filters the name may mean (none if it states none), likeliest first."""
    name = name.strip()
    if m := _SAME.match(name):
        d1, d2 = int(m[3]), int(m[4])
        conds: list[tuple[str | int, str, str | int]] = [(f"c{d1}", "==", f"c{d2}")]
        if m[2]:
            conds.append((f"c{d1}", ">", 0))
        return [Filter(int(m[1]), tuple(conds))]
    if m := _CONTAINS.match(name):
        x, y = _count(m[2]), _count(m[4])
        if x is None or y is None:
            return []
        return [Filter(int(m[1]), ((f"c{int(m[3])}", "==", x), (f"c{int(m[5])}", "==", y)))]
    if m := _SET.match(name):
        # OEIS mostly means "a subset of": both readings, the terms decide
        allowed = frozenset(_digit_list(m[2]))
        return [Filter(int(m[1]), (("bad", "==", 0),), allowed),
                Filter(int(m[1]), (("bad", "==", 0), *((f"c{d}", ">", 0) for d in sorted(allowed))), allowed)]
    if m := _RUNS.match(name):
        return [Filter(int(m[1]), (("runs", "==", int(m[2])),))]
    if (m := _RUNS_MOD.match(name)) and 0 <= int(m[2]) < int(m[3]):
        return [Filter(int(m[1]), (("runs", f"%{m[3]}", int(m[2])),))]
    if m := _EVERY_RUN.match(name):
        return [Filter(int(m[1]), (("minrun", "==", int(m[2])), ("maxrun", "==", int(m[2]))))]
    if m := _NO_SHORT_RUN.match(name):
        return [Filter(int(m[1]), (("minrun", ">", int(m[2]) - 1),))]
    if m := _SUM.match(name):
        return [Filter(10, (("sum", "==", int(m[1])),))]
    if m := _ONE_COUNT.match(name):
        base, digit, word = int(m[3]), int(m[2]), m[1].lower()
        if digit >= base:
            return []
        if word == "at least one":
            return [Filter(base, ((f"c{digit}", ">", 0),))]
        count = 1 if word == "a single" else _count(word)
        if count == 0:  # walked: only the numbers written without the digit are tested
            return [Filter(base, (("bad", "==", 0),), frozenset(range(base)) - {digit})]
        return [] if count is None else [Filter(base, ((f"c{digit}", "==", count),))]
    m = _ONLY.match(name) or _ONLY_PAIR.match(name)
    if m:
        allowed = frozenset(_digit_list(" ".join(m.groups()[1:])))
        return [Filter(10, (("bad", "==", 0),), allowed, prime=m[1].lower() == "primes")]
    return []


def _feature_cells(f: Filter) -> dict[str, int]:
    """Memory cells of the features the conditions read (and the previous digit for runs), from $10 on."""
    lengths = bool({"minrun", "maxrun"} & set(f.features()))
    names = f.features() + (["prev"] if "runs" in f.features() or lengths else []) + (["cur"] if lengths else [])
    return {name: 10 + i for i, name in enumerate(names)}


def _test_lines(f: Filter, zero: bool) -> list[str]:
    """Code setting $3 to 1 if k = $1 passes, else 0 (cells $3.. as scratch, features from $10); with
    `zero`, k may be 0, whose one digit the digit loop does not see. Only the features the conditions
    read are computed: the scan runs this for every k."""
    cell = _feature_cells(f)
    lines = [f"mov ${c},0" for name, c in cell.items() if name != "prev"]
    lines += [f"mov ${cell['prev']},{f.base}"] if "prev" in cell else []
    lines += [f"mov ${cell['minrun']},{_LONG}"] if "minrun" in cell else []
    lines += ["mov $5,$1",
              "lpb $5",
              "  mov $6,$5", f"  mod $6,{f.base}"]
    for d in f.counted():
        lines += ["  mov $7,$6", f"  equ $7,{d}", f"  add ${cell[f'c{d}']},$7"]
    if "bad" in cell:
        lines += [f"  add ${cell['bad']},1"]
        for d in sorted(f.allowed):
            lines += ["  mov $7,$6", f"  equ $7,{d}", f"  sub ${cell['bad']},$7"]
    if "runs" in cell:
        lines += ["  mov $7,$6", f"  neq $7,${cell['prev']}", f"  add ${cell['runs']},$7"]
    if "cur" in cell:
        # a digit unlike the one before closes a run of length cur (none before the first digit: cur = 0)
        lines += ["  mov $7,$6", f"  neq $7,${cell['prev']}", f"  mov $4,${cell['cur']}", "  min $4,1", "  mul $4,$7"]
        lines += [f"  mov $8,${cell['cur']}", "  mul $8,$4", f"  max ${cell['maxrun']},$8"] if "maxrun" in cell else []
        lines += ["  mov $8,1", "  sub $8,$4", f"  mul $8,{_LONG}", f"  add $8,${cell['cur']}",
                  f"  min ${cell['minrun']},$8"] if "minrun" in cell else []
        lines += ["  mov $4,1", "  sub $4,$7", f"  mul ${cell['cur']},$4", f"  add ${cell['cur']},1"]
    if "prev" in cell:
        lines += [f"  mov ${cell['prev']},$6"]
    if "sum" in cell:
        lines += [f"  add ${cell['sum']},$6"]
    lines += [f"  div $5,{f.base}",
              "lpe"]
    if zero:
        lines += ["mov $7,$1", "equ $7,0"]
        lines += [f"add ${cell['runs']},$7"] if "runs" in cell else []
        lines += [f"add ${cell['cur']},$7"] if "cur" in cell else []
        lines += [f"add ${cell['c0']},$7"] if "c0" in cell else []
        lines += [f"add ${cell['bad']},$7"] if "bad" in cell and 0 not in f.allowed else []
    if "cur" in cell:  # the last run closes at the end
        lines += [f"min ${cell['minrun']},${cell['cur']}"] if "minrun" in cell else []
        lines += [f"max ${cell['maxrun']},${cell['cur']}"] if "maxrun" in cell else []
    lines.append("mov $3,1")
    for left, op, right in f.conditions:
        lhs = f"${cell[left]}" if isinstance(left, str) else str(left)
        rhs = f"${cell[right]}" if isinstance(right, str) else str(right)
        lines += [f"mov $4,{lhs}"] + ([f"mod $4,{op[1:]}"] if op.startswith("%") else []) + [f"sub $4,{rhs}"]
        lines += ["max $4,0", "min $4,1"] if op == ">" else ["equ $4,0"]
        lines.append("mul $3,$4")
    if f.prime:
        lines += ["mov $4,$1", f"seq $4,{PRIMES}", "mul $3,$4"]
    return lines


def _walk_lines(f: Filter, place: int) -> list[str]:
    """Code setting k = $1 to the $9-th number written with the allowed digits ($6..$8, $place and the
    cell after it as scratch)."""
    digit = place + 1
    lines = ["mov $1,0", "mov $8,$9", f"mov ${place},1",
             "lpb $8"]
    lines += ["  sub $8,1"] if _bijective(f) else []
    lines += ["  mov $7,$8", f"  mod $7,{len(f.allowed)}", f"  mov ${digit},0"]
    for r, d in enumerate(sorted(f.allowed)):
        if d:
            lines += ["  mov $6,$7", f"  equ $6,{r}", f"  mul $6,{d}", f"  add ${digit},$6"]
    lines += [f"  mul ${digit},${place}", f"  add $1,${digit}", f"  mul ${place},{f.base}",
              f"  div $8,{len(f.allowed)}",
              "lpe"]
    return lines


def program(f: Filter, first: int, offset: int) -> Program:
    """The n-th k >= `first` that passes (n counted from the offset). The scan is bounded by
    b^(n + c) steps, c the digits of `first` plus 2 and b the base (or |D| when it walks the numbers
    written with D): every digit length from there on holds a passing number for the filters the names
    state, so the bound never cuts the scan short."""
    c = len(_digits(first, f.base)) + 2
    if walks(f):
        rest = Filter(f.base, tuple(x for x in f.conditions if x != ("bad", "==", 0)), f.allowed, f.prime)
        walk = _walk_lines(f, 11 + len(_feature_cells(f)))
        start, step = [f"mov $9,{_first_index(f, first) - 1}"], ["  add $9,1", *("  " + x for x in walk)]
        scan, test = len(f.allowed), _test_lines(rest, zero=first <= 0)
    else:
        start, step = [f"mov $1,{first - 1}"], ["  add $1,1"]
        scan, test = f.base, _test_lines(f, zero=first <= 0)
    setup = [*start, "mov $3,$0", f"add $3,{c}", f"mov $2,{scan}", "pow $2,$3"]
    return nth_passing(parse("\n".join(setup) + "\n", "digits").ops,
                       parse("\n".join([*step, *test]) + "\n", "digits").ops, offset)


def _lists(f: Filter, terms: tuple[int, ...]) -> bool:
    """Whether the numbers from terms[0] to terms[-1] that pass are exactly the terms (at most `MAX_SCAN`
    numbers tested, as the program walks them)."""
    if not walks(f):
        return terms[-1] - terms[0] <= MAX_SCAN and lists_exactly(lambda k: passes(f, k), terms)
    j, passed = _first_index(f, terms[0]), list[int]()
    for _ in range(MAX_SCAN):
        k = written(f, j)
        if k > terms[-1]:
            return passed == list(terms)
        if passes(f, k):
            passed.append(k)
        j += 1
    return False


# "Unhappy numbers which enter the cycle (4, 16, 37, 58, 89, 145, 42, 20) at 145": k itself counts as the first
# number of its trajectory under x -> the sum of the squares of x's digits
_CYCLE_ENTRY = re.compile(r"^Unhappy numbers (?:which|that) enter the cycle \(([\d, ]+)\) at (\d+)\.?$")
MAX_STEPS = 20  # the map takes any k below 10^100 under 8,100 at once, and those enter the cycle within 12 steps


def cycle_entry(name: str) -> tuple[tuple[int, ...], int] | None:
    """(the cycle, the number where the trajectory must first meet it), or None."""
    m = _CYCLE_ENTRY.match(name.strip())
    if m is None:
        return None
    cycle = tuple(int(x) for x in m[1].split(","))
    return (cycle, int(m[2])) if int(m[2]) in cycle else None


def _entry(k: int, cycle: tuple[int, ...]) -> int:
    """The first number of k's trajectory in the cycle (0 if none within MAX_STEPS)."""
    for _ in range(MAX_STEPS):
        if k in cycle:
            return k
        k = sum(int(c) ** 2 for c in str(k))
    return 0


def cycle_entry_program(cycle: tuple[int, ...], at: int, first: int, offset: int) -> Program:
    """The n-th k >= first whose trajectory meets the cycle first at `at`: each candidate iterates the map up to
    MAX_STEPS times, keeping the first cycle member it meets ($7); meeting one ($6) ends the iteration."""
    member = "".join(f"mov $10,$5\nequ $10,{c}\nadd $9,$10\n" for c in cycle)
    step = f"""add $1,1
mov $5,$1
mov $6,0
mov $7,0
mov $8,{MAX_STEPS}
lpb $8
  sub $8,1
  mov $9,0
{member}  mov $10,1
  sub $10,$6
  mul $9,$10
  mov $10,$9
  mul $10,$5
  add $7,$10
  add $6,$9
  mov $10,1
  sub $10,$6
  mul $8,$10
  mov $11,0
  lpb $5
    mov $12,$5
    mod $12,10
    pow $12,2
    add $11,$12
    div $5,10
  lpe
  mov $5,$11
lpe
mov $3,$7
equ $3,{at}
"""
    return nth_passing(parse(f"mov $1,{first - 1}\nmov $2,{10 ** 12}\n").code(), parse(step).code(), offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The program of the first reading whose passing numbers, from the first known term on, are the known terms."""
    terms = target.terms
    if len(terms) < MIN_TERMS or terms[0] < 0 or list(terms) != sorted(set(terms)):
        return []
    if (entry := cycle_entry(target.name)) is not None:
        cycle, at = entry
        # the program scans from 1: none may pass before the first term
        passes = lists_exactly(lambda k: _entry(k, cycle) == at, terms) and not any(
            _entry(k, cycle) == at for k in range(1, terms[0]))
        return [cycle_entry_program(cycle, at, 1, target.offset)] if passes else []
    for f in parse_name(target.name):
        if f.prime and corpus is not None and PRIMES not in corpus:
            continue
        if _lists(f, terms):
            return [program(f, terms[0], target.offset)]
    return []


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named digit filter's program when it gives the known terms."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "digits", "from name")
