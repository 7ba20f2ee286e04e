"""Tests for the necklace and bracelet reader: programs against brute-force enumeration and real OEIS terms."""

from __future__ import annotations

from itertools import product
from random import Random

import pytest

from miner.lang.evaluator import evaluate
from miner.search import necklaces
from miner.search.necklaces import Reading, compile_reading, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def _rotations(word: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [word[i:] + word[:i] for i in range(len(word))]


def brute(kind: str, primitive: bool, exact: bool, n: int, k: int, black: int | None = None) -> int:
    """Counts by listing every word and its orbit under rotation, or rotation and reversal."""
    seen: set[tuple[int, ...]] = set()
    total = 0
    for word in product(range(k), repeat=n):
        if exact and len(set(word)) != k:
            continue
        if black is not None and word.count(0) != black:
            continue
        rots = _rotations(word)
        neck = min(rots)
        mirror = min(_rotations(word[::-1]))
        key = min(neck, mirror) if kind != "necklace" else neck
        if key in seen:
            continue
        seen.add(key)
        if primitive and len(set(rots)) != n:
            continue
        chiral = neck != mirror
        total += {"necklace": 1, "bracelet": 1, "chiral": int(chiral), "achiral": int(not chiral)}[kind]
    return total


KINDS = [(kind, primitive, exact) for kind in ("necklace", "bracelet", "chiral", "achiral")
         for primitive in (False, True) for exact in (False, True)]


@pytest.mark.parametrize("kind,primitive,exact", KINDS)
def test_programs_count_what_brute_force_counts(kind: str, primitive: bool, exact: bool) -> None:
    for k in (2, 3):
        reading = Reading(kind, primitive, exact, "n", k)
        want = [brute(kind, primitive, exact, n, k) for n in range(1, 8)]
        assert necklaces.values(reading, 7, 1) == want
        assert evaluate(compile_reading(reading, 1), 7) == want


@pytest.mark.parametrize("kind,primitive", [("necklace", False), ("bracelet", False), ("necklace", True),
                                            ("bracelet", True), ("chiral", False)])
def test_fixed_number_of_black_beads(kind: str, primitive: bool) -> None:
    for black in (2, 3, 4):
        reading = Reading(kind, primitive, False, "n", 2, black=black)
        want = [brute(kind, primitive, False, n, 2, black) for n in range(1, 10)]
        assert necklaces.values(reading, 9, 1) == want
        assert evaluate(compile_reading(reading, 1), 9) == want


def test_colours_as_the_index() -> None:
    # "n beads in up to n colors" and "6 beads of at most n colors"
    up_to_n = Reading("bracelet", False, False, "n", "n")
    assert evaluate(compile_reading(up_to_n, 1), 5) == [brute("bracelet", False, False, n, n) for n in range(1, 6)]
    six_beads = Reading("bracelet", False, False, 6, "n")
    assert evaluate(compile_reading(six_beads, 1), 4) == [brute("bracelet", False, False, 6, k) for k in range(1, 5)]


REAL = [
    ("A027671", "Number of necklaces with n beads of 3 colors, allowing turning over.", 0,
     [1, 3, 6, 10, 21, 39, 92, 198, 498, 1219, 3210, 8418, 22913, 62415, 173088, 481598, 1351983, 3808083]),
    ("A032294", "Number of aperiodic bracelets (turnover necklaces) with n beads of 3 colors.", 1,
     [3, 3, 7, 15, 36, 79, 195, 477, 1209, 3168, 8415, 22806, 62412, 172887, 481552, 1351485]),
    ("A005515", "Number of n-bead bracelets (turnover necklaces) of two colors with 10 red beads and n-10 black "
     "beads.", 10, [1, 1, 6, 14, 47, 111, 280, 600, 1282, 2494, 4752, 8524, 14938, 25102, 41272, 65772]),
    ("A326789", "Number of n-bead asymmetric bracelets with exactly 4 different colored beads.", 1,
     [0, 0, 0, 3, 24, 124, 588, 2484, 10240, 40464, 158220, 608951, 2333520, 8894616]),
    ("A056350", "Number of primitive (period n) bracelets using exactly four different colored beads.", 1,
     [0, 0, 0, 3, 24, 136, 612, 2616, 10480, 41364, 159780, 613919, 2341920, 8919204]),
    ("A278639", "Number of pairs of orientable necklaces with n beads and up to 3 colors; i.e., turning the "
     "necklace over does not leave it unchanged. The turned-over necklace is not included in the count.", 0,
     [0, 0, 0, 1, 3, 12, 38, 117, 336, 976, 2724, 7689, 21455, 60228, 168714, 475037]),
    ("A081720", "Triangle T(n,k) read by rows, giving number of bracelets (turnover necklaces) with n beads of k "
     "colors (n >= 1, 1 <= k <= n).", 1, [1, 1, 3, 1, 4, 10, 1, 6, 21, 55, 1, 8, 39, 136, 377, 1, 13, 92, 430, 1505,
                                           4291]),
    ("A056475", "Number of palindromic structures using exactly six different symbols.", 1,
     [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 21, 21, 266, 266, 2646, 2646, 22827, 22827]),
    ("A056467", "Number of primitive (aperiodic) palindromes using exactly six different symbols.", 1,
     [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 720, 720, 15120, 15120, 191520, 191520, 1905120, 1905120]),
    ("A056484", "Number of primitive (aperiodic) palindromic structures using exactly five different symbols.", 1,
     [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 15, 15, 140, 140, 1050, 1050, 6951, 6950, 42525, 42524]),
    ("A051137", "Table T(n,k) read by antidiagonals: number of necklaces allowing turnovers (bracelets) with n beads "
     "of k colors.", 0, [1, 1, 1, 1, 2, 1, 1, 3, 3, 1, 1, 4, 6, 4, 1, 1, 6, 10, 10, 5, 1, 1, 8, 21, 20, 15, 6, 1]),
]


@pytest.mark.parametrize("a_number,name,offset,terms", REAL)
def test_real_names(a_number: str, name: str, offset: int, terms: list[int]) -> None:
    target = Target(int(a_number[1:]), name, tuple(terms), offset)
    programs = programs_for(target)
    assert programs
    for prog in programs:
        assert evaluate(prog, len(terms)) == terms
    candidates = list(propose(target, SearchContext(), 5, Random(0)))
    assert candidates and all(c.strategy == "necklaces" for c in candidates)


@pytest.mark.parametrize("a_number,name,offset,terms", REAL)
def test_contradicting_terms_give_nothing(a_number: str, name: str, offset: int, terms: list[int]) -> None:
    changed = list(terms)
    changed[-1] += 1
    assert programs_for(Target(int(a_number[1:]), name, tuple(changed), offset)) == []


def test_readings_of_names() -> None:
    assert parse_name("Number of n-bead necklaces with 3 colors.") == Reading("necklace", False, False, "n", 3)
    assert parse_name("Number of bracelets of length n using exactly six different colored beads.") == \
        Reading("bracelet", False, True, "n", 6)
    assert parse_name("Number of primitive (period n) bracelets using a maximum of six different colored beads.") \
        == Reading("bracelet", True, False, "n", 6)
    assert parse_name("Number of aperiodic necklaces (Lyndon words) with 9 black beads and n white beads.") == \
        Reading("necklace", True, False, "n", 2, black=9, extra_beads=9)


@pytest.mark.parametrize("name", [
    "Number of n-bead binary necklaces with beads of 2 colors where the colors may be swapped but turning over is "
    "not allowed.",
    "Number of n-bead necklaces using exactly three colors with no adjacent beads having the same color.",
    "Number of n-bead necklaces with n+1 colors for n>0, with a(0)=1.",
    "Number of necklaces with n labeled beads of 3 colors.",
    "Number of n-bead necklaces with 3 colors when turning over is allowed and turning over is not allowed.",
    "Number of partitions of n into 3 colors.",
])
def test_refusals(name: str) -> None:
    assert parse_name(name) is None
    assert programs_for(Target(1, name, (1, 2, 3, 4, 5, 6), 1)) == []


def brute_palindromes(n: int, k: int, primitive: bool, exact: bool, structures: bool) -> int:
    """Palindromes of length n over k symbols (all k used when `exact`), aperiodic ones when `primitive`, each
    relabeling class once (its first-occurrence normal form) when `structures`."""
    seen: set[tuple[int, ...]] = set()
    for word in product(range(k), repeat=n):
        if word != word[::-1] or (exact and len(set(word)) != k):
            continue
        if primitive and len(set(_rotations(word))) != n:
            continue
        if structures:
            first: dict[int, int] = {}
            word = tuple(first.setdefault(x, len(first)) for x in word)
        seen.add(word)
    return len(seen)


@pytest.mark.parametrize("primitive", [False, True])
def test_palindromes_are_every_word(primitive: bool) -> None:
    for kind, exact in (("palindrome", False), ("palindrome", True), ("palstructure", True)):
        for k in (2, 3):
            reading = Reading(kind, primitive, exact, "n", k)
            want = [brute_palindromes(n, k, primitive, exact, kind == "palstructure") for n in range(1, 9)]
            assert necklaces.values(reading, 8, 1) == want, (kind, exact, k)
            assert evaluate(compile_reading(reading, 1), 8) == want, (kind, exact, k)
    assert parse_name("Number of palindromic structures using a maximum of five different symbols.") is None
    assert parse_name("Number of palindromes in necklaces of 3 colors.") is None
