"""Term index over target sequences and the matchers that look candidate terms up in it.

A candidate's evaluated terms t match a target s when, on a normalised prefix key, s equals
  - an affine image of t (s = r*(t - t0) + s0 with rational r; covers loda-cpp's linear1/linear2),
  - the same after taking differences of t and/or partial sums (loda-cpp's delta matcher),
  - (t - c) mod b for b in 2, 10 (loda-cpp's binary/decimal digit matchers),
each optionally after dropping the first few terms of t (offset shift). Every match is verified on
all overlapping terms, then turned into a program by appending/wrapping the LODA lines that apply it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Container, Iterable, Sequence, TypedDict, Unpack

from miner.lang.program import Operation, Program
from miner.search.build import add_const, at_offset, index_form, line, wrap_difference, wrap_partial_sum
from miner.search.types import Target

Key = tuple[int, ...]


@dataclass(frozen=True)
class Affine:
    """s = base + step * key for the key of a normalised sequence."""

    base: int
    step: int


def affine_key(seq: Sequence[int]) -> tuple[Key, Affine] | None:
    """Subtract the first term, divide by the gcd, make the first nonzero positive; None if constant."""
    base = seq[0]
    g = 0
    first = 0
    for v in seq:
        d = v - base
        if d:
            g = gcd(g, d)
            if not first:
                first = d
    if not g:
        return None
    step = g if first > 0 else -g
    return tuple((v - base) // step for v in seq), Affine(base, step)


def differences(seq: Sequence[int]) -> list[int]:
    """s(0) = t(0), s(i) = t(i) - t(i-1): the inverse of partial sums."""
    return [seq[0]] + [seq[i] - seq[i - 1] for i in range(1, len(seq))]


def partial_sums(seq: Sequence[int]) -> list[int]:
    """s(i) = t(0) + ... + t(i)."""
    out, acc = [], 0
    for v in seq:
        acc += v
        out.append(acc)
    return out


def digit_key(seq: Sequence[int], base: int) -> tuple[Key, int]:
    """Residues shifted so that the most frequent residue (smallest on ties) becomes 0."""
    counts = Counter(v % base for v in seq)
    top = max(counts.values())
    common = min(r for r, c in counts.items() if c == top)
    return tuple((v - common) % base for v in seq), common


@dataclass(frozen=True)
class _Entry:
    a_number: int
    level: int  # how many partial sums turn the keyed sequence into the target
    shape: Affine | int  # the target's affine normalisation, or its digit-key residue


@dataclass
class _Stored:
    terms: tuple[int, ...]
    offset: int


class IndexOptions(TypedDict, total=False):
    """The keyword arguments of TermIndex(), for passing them on without repeating the defaults."""

    key_length: int
    max_delta: int
    max_shift: int
    digit_bases: tuple[int, ...]


class TermIndex:
    """Index on normalised prefixes of target sequences, for O(1) lookups per candidate and transform."""

    def __init__(self, key_length: int = 10, max_delta: int = 1, max_shift: int = 2,
                 digit_bases: tuple[int, ...] = (2, 10)) -> None:
        self.key_length = key_length
        self.max_delta = max_delta
        self.max_shift = max_shift
        self.digit_bases = digit_bases
        self.targets: dict[int, _Stored] = {}
        self._affine: dict[Key, list[_Entry]] = {}
        self._digits: dict[tuple[int, Key], list[_Entry]] = {}
        self._keys: dict[int, list[tuple[dict, object]]] = {}

    @classmethod
    def build(cls, targets: Iterable[Target], **options: Unpack[IndexOptions]) -> "TermIndex":
        """An index over every target with at least `key_length` known terms."""
        index = cls(**options)
        for target in targets:
            index.add(target)
        return index

    @classmethod
    def from_settings(cls, targets: Iterable[Target], settings: dict) -> "TermIndex":
        """An index built with the `[search]` config's match_* options."""
        return cls.build(targets, key_length=int(settings.get("match_key_length", 10)),
                         max_delta=int(settings.get("match_max_delta", 1)),
                         max_shift=int(settings.get("match_max_shift", 2)))

    def __len__(self) -> int:
        return len(self.targets)

    def __contains__(self, a_number: object) -> bool:
        return a_number in self.targets

    def add(self, target: Target) -> None:
        """Index one target (replacing an earlier entry for the same A-number)."""
        if target.a_number in self.targets:
            self.remove(target.a_number)
        if len(target.terms) < self.key_length:
            return
        self.targets[target.a_number] = _Stored(tuple(target.terms), target.offset)
        keys = self._keys[target.a_number] = []
        prefix = list(target.terms[: self.key_length])
        for level in range(self.max_delta + 1):
            keyed = affine_key(prefix)
            if keyed is not None:
                self._affine.setdefault(keyed[0], []).append(_Entry(target.a_number, level, keyed[1]))
                keys.append((self._affine, keyed[0]))
            prefix = differences(prefix)
        for base in self.digit_bases:
            if all(0 <= v < base for v in target.terms):
                key, common = digit_key(target.terms[: self.key_length], base)
                if len(set(key)) > 1:
                    self._digits.setdefault((base, key), []).append(_Entry(target.a_number, 0, common))
                    keys.append((self._digits, (base, key)))

    def remove(self, a_number: int) -> None:
        """Forget a target (e.g. once it is solved)."""
        if self.targets.pop(a_number, None) is None:
            return
        for table, key in self._keys.pop(a_number, []):
            entries = [e for e in table.get(key, ()) if e.a_number != a_number]
            if entries:
                table[key] = entries
            else:
                table.pop(key, None)

    def match(self, terms: Sequence[int], program: Program, limit: int = 0,
              skip: Container[int] = ()) -> list[tuple[int, Program]]:
        """Targets the program's terms (evaluated from its offset) match, each with the transformed
        program; at most one program per target, the simplest transform first. `limit` > 0 caps the
        count; targets in `skip` are not tried (a sweep's targets that have enough candidates)."""
        out = []
        for found in self.matches(terms, limit, skip):
            built = self.program(found, program)
            if built is not None:
                out.append((found.a_number, built))
        return out

    def matches(self, terms: Sequence[int], limit: int = 0, skip: Container[int] = ()) -> list["Match"]:
        """`match` without the programs: how each target's terms follow from these, for `program`
        (callers that follow up only some matches build only those)."""
        found: dict[int, Match] = {}
        n = self.key_length
        for shift in range(self.max_shift + 1):
            shifted = list(terms[shift:])
            if len(shifted) < n:
                break
            level_seq = shifted
            for level in range(self.max_delta + 1):
                keyed = affine_key(level_seq[:n])
                if keyed is not None:
                    for entry in self._affine.get(keyed[0], ()):
                        if entry.a_number not in found and entry.a_number not in skip \
                                and self._affine_fits(entry, shifted, level, keyed[1]):
                            found[entry.a_number] = Match(entry, shift, level, keyed[1])
                level_seq = differences(level_seq)
            for base in self.digit_bases:
                key, common = digit_key(shifted[:n], base)
                for entry in self._digits.get((base, key), ()):
                    if entry.a_number in found or entry.a_number in skip:
                        continue
                    delta = self._digit_delta(entry, shifted, base, common)
                    if delta is not None:
                        found[entry.a_number] = Match(entry, shift, 0, common, base=base,
                                                      negative=min(shifted) + delta < 0)
            if limit and len(found) >= limit:
                break
        return list(found.values())[: limit or None]

    def _affine_fits(self, entry: _Entry, shifted: list[int], level: int, mine: Affine) -> bool:
        stored = self.targets[entry.a_number]
        assert isinstance(entry.shape, Affine)
        ratio = Fraction(entry.shape.step, mine.step)
        values = shifted
        for _ in range(level):
            values = differences(values)
        # Integer arithmetic with an early exit: this runs for every key collision of a sweep.
        num, den, base, target_base = ratio.numerator, ratio.denominator, mine.base, entry.shape.base
        direct = not entry.level
        result = []
        for i, v in enumerate(values):
            scaled, rest = divmod(num * (v - base), den)
            if rest or (direct and i < len(stored.terms) and scaled + target_base != stored.terms[i]):
                return False
            result.append(scaled + target_base)
        for _ in range(entry.level):
            result = partial_sums(result)
        m = min(len(result), len(stored.terms))
        return result[:m] == list(stored.terms[:m])

    def _digit_delta(self, entry: _Entry, shifted: list[int], base: int, common: int) -> int | None:
        # what to add before reducing mod base, if that gives the target's terms
        stored = self.targets[entry.a_number]
        assert isinstance(entry.shape, int)
        delta = entry.shape - common
        result = [(v + delta) % base for v in shifted]
        m = min(len(result), len(stored.terms))
        return delta if result[:m] == list(stored.terms[:m]) else None

    def program(self, found: "Match", program: Program) -> Program | None:
        """The program turned into one for the matched target (None if it cannot be wrapped)."""
        entry = found.entry
        stored = self.targets[entry.a_number]
        ops = index_form(program, found.shift)
        if found.base:
            assert isinstance(entry.shape, int) and isinstance(found.mine, int)
            ops = ops + add_const(0, entry.shape - found.mine)
            # LODA's mod keeps the dividend's sign: add the base and reduce again for negative values.
            ops += [line("mod", 0, found.base)]
            if found.negative:
                ops += [line("add", 0, found.base), line("mod", 0, found.base)]
            return at_offset(ops, stored.offset)
        assert isinstance(found.mine, Affine) and isinstance(entry.shape, Affine)
        for _ in range(found.level):
            wrapped = wrap_difference(ops)
            if wrapped is None:
                return None
            ops = wrapped
        ops = ops + affine_lines(Fraction(entry.shape.step, found.mine.step), found.mine.base, entry.shape.base)
        for _ in range(entry.level):
            wrapped = wrap_partial_sum(ops)
            if wrapped is None:
                return None
            ops = wrapped
        return at_offset(ops, stored.offset)


@dataclass(frozen=True)
class Match:
    """A target a candidate's terms fit after dropping `shift` terms: by an affine map after `level`
    differences (`mine`: the candidate's normalisation), or by residues mod `base` (`mine`: the candidate's
    most common residue; `negative`: some terms are below zero, which LODA's mod keeps)."""

    entry: _Entry
    shift: int
    level: int
    mine: Affine | int
    base: int = 0  # 0: affine
    negative: bool = False

    @property
    def a_number(self) -> int:
        return self.entry.a_number


def affine_lines(ratio: Fraction, t0: int, s0: int) -> list[Operation]:
    """Lines turning $0 = t into s = ratio * (t - t0) + s0 (exact on the matched terms)."""
    if ratio.denominator == 1:
        r = ratio.numerator
        ops = [] if r == 1 else [line("mul", 0, r)]
        return ops + add_const(0, s0 - r * t0)
    ops = add_const(0, -t0) + [line("div", 0, ratio.denominator)]
    if ratio.numerator != 1:
        ops.append(line("mul", 0, ratio.numerator))
    return ops + add_const(0, s0)
