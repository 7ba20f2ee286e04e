"""Names that define a sequence by earlier terms at any index: programs for real OEIS names checked against
their terms and, far past them, against independent Python implementations; names and data the reader must
refuse; the program's memory reach and its rolled-back loop passes."""

from __future__ import annotations

import random
from fractions import Fraction
from functools import lru_cache
from math import isqrt
from typing import Callable

import pytest

from miner.lang.errors import EvalError
from miner.lang.evaluator import evaluate
from miner.lang.program import Program
from miner.search import selfref
from miner.search.selfref import parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def memo(rule: Callable[[int, Callable[[int], int]], int]) -> Callable[[int], int]:
    """a(n) = rule(n, a), cached; the rule recurses through a."""
    @lru_cache(maxsize=None)
    def a(n: int) -> int:
        return rule(n, a)
    return a


def iterative(first: dict[int, int], rule: Callable[[int, list[int]], int], offset: int = 0,
              below: int | None = None) -> Callable[[int], int]:
    """a(n) from the stated first terms and the rule on the terms so far (list index = n - offset); with
    `below`, references before the offset read that value."""
    values: list[int] = []

    def a(n: int) -> int:
        while len(values) <= n - offset:
            m = offset + len(values)
            values.append(first[m] if m in first else rule(m, values))
        return values[n - offset]

    def at(values_: list[int], i: int) -> int:
        if i < offset:
            assert below is not None, f"reference a({i}) before the offset"
            return below
        return values_[i - offset]

    a.at = at  # type: ignore[attr-defined]
    return a


def v2(n: int) -> int:
    return (n & -n).bit_length() - 1


def hofstadter_q(m: int, t: list[int]) -> int:
    return t[m - t[m - 2] - 1] + t[m - t[m - 3] - 1]


def conway(m: int, t: list[int]) -> int:
    return t[t[m - 2] - 1] + t[m - t[m - 2] - 1]


def a283904() -> Callable[[int], int]:
    """Terms a(n) for n <= 0 read as 0 (the sequence's convention)."""
    values = {1: 1, 2: 1}

    def a(n: int) -> int:
        if n <= 0:
            return 0
        for m in range(len(values) + 1, n + 1):
            values[m] = a(m - 2 * values[m - 1]) + a(m - 3 * values[m - 2])
        return values[n]
    return a


def a116478() -> Callable[[int], int]:
    values = [0, 1]

    def a(n: int) -> int:
        for m in range(len(values), n + 1):
            values.append(sum(m // values[k] for k in range(1, m)))
        return values[n]
    return a


def a376112() -> Callable[[int], int]:
    values = [1]

    def a(n: int) -> int:
        for m in range(len(values), n + 1):
            total = sum(Fraction(3 ** k - 1, 2) * values[k - 1] * values[m - k] for k in range(1, m + 1))
            assert total.denominator == 1
            values.append(int(total))
        return values[n]
    return a


def a127680() -> Callable[[int], int]:
    values = [1]

    def a(n: int) -> int:
        for m in range(len(values), n + 1):
            values.append(sum(values[m - 1 - k] * values[k // 2] for k in range(m)))
        return values[n]
    return a


def a288310() -> Callable[[int], int]:
    values = [1, 1]

    def a(n: int) -> int:
        for m in range(len(values), n + 1):
            h = m // 2
            values.append(values[h] - values[h - 1] if m % 2 == 0 else sum(values[: h + 1]))
        return values[n]
    return a


def a171647() -> Callable[[int], int]:
    values = {1: Fraction(1)}

    def a(n: int) -> int:
        for m in range(len(values) + 1, n + 1):
            values[m] = values[m - 1] * (2 if m % 2 == 0 else Fraction(m + 1, m - 1))
        assert values[n].denominator == 1
        return int(values[n])
    return a


def a345006(n: int, a: Callable[[int], int]) -> int:
    if n == 0:
        return 1
    if n % 3 == 0:
        return a(n // 3) + a(n // 3 - 1)
    return -a(n // 3)


# (A-number, offset, name, OEIS terms, independent implementation, terms to compare)
CASES = [
    ("A002487", 0, "Stern's diatomic series (or Stern-Brocot sequence): a(0) = 0, a(1) = 1; for n > 0: a(2*n) = a(n), a(2*n+1) = a(n) + a(n+1).",
     [0, 1, 1, 2, 1, 3, 2, 3, 1, 4, 3, 5, 2, 5, 3, 4, 1, 5, 4, 7, 3, 8, 5, 7, 2, 7, 5, 8, 3, 7, 4, 5, 1, 6, 5, 9, 4, 11, 7, 10],
     memo(lambda n, a: n if n < 2 else a(n // 2) if n % 2 == 0 else a(n // 2) + a(n // 2 + 1)), 300),
    ("A006257", 0, "Josephus problem: a(2*n) = 2*a(n)-1, a(2*n+1) = 2*a(n)+1.",
     [0, 1, 1, 3, 1, 3, 5, 7, 1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 1, 3, 5, 7, 9, 11, 13, 15],
     lambda n: 0 if n == 0 else 2 * (n - (1 << (n.bit_length() - 1))) + 1, 300),
    ("A025480", 0, "a(2n) = n, a(2n+1) = a(n).",
     [0, 0, 1, 0, 2, 1, 3, 0, 4, 2, 5, 1, 6, 3, 7, 0, 8, 4, 9, 2, 10, 5, 11, 1, 12, 6, 13, 3, 14, 7, 15, 0, 16, 8, 17, 4, 18, 9, 19, 2],
     lambda n: ((n + 1) >> v2(n + 1)) // 2, 300),
    ("A004718", 0, "The Danish composer Per Nørgård's \"infinity sequence\", invented in an attempt to unify in a perfect way repetition and variation: a(2n) = -a(n), a(2n+1) = a(n) + 1, a(0) = 0.",
     [0, 1, -1, 2, 1, 0, -2, 3, -1, 2, 0, 1, 2, -1, -3, 4, 1, 0, -2, 3, 0, 1, -1, 2, -2, 3, 1, 0, 3, -2, -4, 5, -1, 2, 0, 1, 2, -1, -3, 4],
     memo(lambda n, a: 0 if n == 0 else -a(n // 2) if n % 2 == 0 else a(n // 2) + 1), 300),
    ("A082497", 0, "a(0)=0, a(1)=1, a(2n)=2a(n), a(2n+1)=a(n)+a(n-1).",
     [0, 1, 2, 1, 4, 3, 2, 3, 8, 5, 6, 7, 4, 5, 6, 5, 16, 11, 10, 13, 12, 11, 14, 13, 8, 11, 10, 9, 12, 11, 10, 11, 32, 21, 22, 27, 20, 21, 26, 23],
     memo(lambda n, a: n if n < 2 else 2 * a(n // 2) if n % 2 == 0 else a(n // 2) + a(n // 2 - 1)), 300),
    ("A116529", 0, "a(2*n + 1) = a(n), a(2*n + 2) = 2*a(n) + a(n-1).",
     [1, 1, 2, 1, 3, 2, 5, 1, 4, 3, 7, 2, 7, 5, 12, 1, 7, 4, 9, 3, 10, 7, 17, 2, 11, 7, 16, 5, 17, 12, 29, 1, 14, 7, 15, 4, 15, 9, 22, 3],
     memo(lambda n, a: {0: 1, 2: 2}[n] if n in (0, 2) else a((n - 1) // 2) if n % 2 else 2 * a((n - 2) // 2) + a((n - 2) // 2 - 1)), 300),
    ("A178774", 0, "a(2n) = 3*a(n), a(2n+1) = a(n) + a(n-1), with a(0)=a(1)=1.",
     [1, 1, 3, 2, 9, 4, 6, 5, 27, 11, 12, 13, 18, 10, 15, 11, 81, 32, 33, 38, 36, 23, 39, 25, 54, 31, 30, 28, 45, 25, 33, 26, 243, 92, 96, 113, 99, 65, 114, 71],
     memo(lambda n, a: 1 if n < 2 else 3 * a(n // 2) if n % 2 == 0 else a(n // 2) + a(n // 2 - 1)), 300),
    ("A281185", 0, "a(0)=0, a(1)=1, a(2)=0; thereafter, a(2n) = a(n) + a(n+1) for n >= 2, a(2n+1) = a(n) for n >= 1.",
     [0, 1, 0, 1, 1, 0, 2, 1, 1, 1, 2, 0, 3, 2, 2, 1, 2, 1, 3, 1, 2, 2, 3, 0, 5, 3, 4, 2, 3, 2, 3, 1, 3, 2, 4, 1, 4, 3, 3, 1],
     memo(lambda n, a: (0, 1, 0)[n] if n < 3 else a(n // 2) + a(n // 2 + 1) if n % 2 == 0 else a(n // 2)), 300),
    ("A292575", 1, "For 1 <= n <= 3, a(n) = n; thereafter, a(2n) = a(n) + a(n+1), a(2n-1) = a(n) + a(n-2).",
     [1, 2, 3, 5, 4, 8, 7, 9, 7, 12, 13, 15, 11, 16, 17, 16, 14, 19, 21, 25, 20, 28, 27, 26, 24, 27, 31, 33, 28, 33, 32, 30, 31, 33, 35, 40, 35, 46, 44, 45],
     memo(lambda n, a: n if n <= 3 else a(n // 2) + a(n // 2 + 1) if n % 2 == 0 else a((n + 1) // 2) + a((n + 1) // 2 - 2)), 300),
    ("A345006", 0, "a(0) = 1; a(3*n) = a(n) + a(n-1), a(3*n+1) = a(3*n+2) = -a(n).",
     [1, -1, -1, 0, 1, 1, -2, 1, 1, -1, 0, 0, 1, -1, -1, 2, -1, -1, -1, 2, 2, -1, -1, -1, 2, -1, -1, 0, 1, 1, -1, 0, 0, 0, 0, 0, 1, -1, -1, 0],
     memo(a345006), 300),
    ("A288310", 0, "a(0) = a(1) = 1; a(2*n) = a(n) - a(n-1), a(2*n+1) = Sum_{k=0..n} a(n-k).",
     [1, 1, 0, 2, -1, 2, 2, 4, -3, 3, 3, 5, 0, 7, 2, 11, -7, 8, 6, 11, 0, 14, 2, 19, -5, 19, 7, 26, -5, 28, 9, 39, -18, 32, 15, 40, -2, 46, 5, 57],
     a288310(), 200),
    ("A005469", 1, "a(n) = 1 + a(floor(n/2))*a(ceiling(n/2)) for n > 1, a(1) = 2.",
     [2, 5, 11, 26, 56, 122, 287, 677, 1457, 3137, 6833, 14885, 35015, 82370, 194300, 458330, 986390, 2122850, 4570610, 9840770, 21435122, 46689890, 101709206, 221563226, 521198276, 1226050226, 2884185551, 6784816901, 16004491001, 37752490001, 89053519001],
     memo(lambda n, a: 2 if n == 1 else 1 + a(n // 2) * a((n + 1) // 2)), 300),
    ("A298413", 0, "a(n) = a(floor(n/2))*a(ceiling(n/2)), where a(0) = 1, a(1) = 2, a(2) = 3.",
     [1, 2, 3, 6, 9, 18, 36, 54, 81, 162, 324, 648, 1296, 1944, 2916, 4374, 6561, 13122, 26244, 52488, 104976, 209952, 419904, 839808, 1679616, 2519424, 3779136, 5668704, 8503056, 12754584, 19131876, 28697814, 43046721, 86093442, 172186884, 344373768, 688747536, 1377495072, 2754990144, 5509980288],
     memo(lambda n, a: (1, 2, 3)[n] if n < 3 else a(n // 2) * a((n + 1) // 2)), 300),
    ("A127680", 0, "a(0) = 1; a(n+1) = Sum_{k=0..n} a(n-k)*a(floor(k/2)).",
     [1, 1, 2, 4, 8, 17, 35, 74, 154, 324, 677, 1422, 2977, 6246, 13086, 27444, 57518, 120600, 252794, 529994, 1111013, 2329187, 4882755, 10236280, 21458943, 44986461, 94308415, 197707134, 414469000, 868886834],
     a127680(), 80),
    ("A376112", 0, "a(0) = 1; a(n) = (1/2) * Sum_{k=1..n} (3^k-1) * a(k-1) * a(n-k).",
     [1, 1, 5, 74, 3119, 384099, 140605620, 153966205482, 505318125737963, 4973847408741044519, 146857822147450491641165, 13007931631590001724722114996, 3456493610037973055076316970551876, 2755388815749774181719259556096183210356, 6589473777446361501832833785593366614276353520],
     a376112(), 45),
    ("A005206", 0, "Hofstadter G-sequence: a(0) = 0; a(n) = n - a(a(n-1)) for n > 0.",
     [0, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9, 9, 10, 11, 11, 12, 12, 13, 14, 14, 15, 16, 16, 17, 17, 18, 19, 19, 20, 21, 21, 22, 22, 23, 24, 24],
     lambda n: (isqrt(5 * (n + 1) ** 2) - (n + 1)) // 2, 300),
    ("A005185", 1, "Hofstadter Q-sequence: a(1) = a(2) = 1; a(n) = a(n-a(n-1)) + a(n-a(n-2)) for n > 2.",
     [1, 1, 2, 3, 3, 4, 5, 5, 6, 6, 6, 8, 8, 8, 10, 9, 10, 11, 11, 12, 12, 12, 12, 16, 14, 14, 16, 16, 16, 16, 20, 17, 17, 20, 21, 19, 20, 22, 21, 22],
     iterative({1: 1, 2: 1}, hofstadter_q, offset=1), 300),
    ("A004001", 1, "Hofstadter-Conway $10000 sequence: a(n) = a(a(n-1)) + a(n-a(n-1)) with a(1) = a(2) = 1.",
     [1, 1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 8, 8, 8, 9, 10, 11, 12, 12, 13, 14, 14, 15, 15, 15, 16, 16, 16, 16, 16, 17, 18, 19, 20, 21, 21, 22, 23],
     iterative({1: 1, 2: 1}, conway, offset=1), 300),
    ("A283904", 1, "Relative of Hofstadter Q-sequence: a(1) = 1, a(2) = 1; thereafter a(n) = a(n-2a(n-1)) + a(n-3a(n-2)).",
     [1, 1, 1, 2, 2, 1, 3, 3, 1, 4, 4, 2, 2, 7, 2, 2, 6, 3, 3, 11, 2, 3, 12, 2, 2, 14, 2, 2, 14, 3, 2, 14, 4, 14, 15, 1, 15, 18, 1, 18],
     a283904(), 300),
    # the last pass of the sum's loop, rolled back, must not divide by a term not computed yet
    ("A116478", 1, "a(1) = 1. a(n) = Sum_{k=1..n-1} floor(n/a(k)).",
     [1, 2, 4, 7, 8, 10, 12, 16, 17, 20, 21, 25, 26, 29, 30, 35, 37, 39, 40, 45, 48, 50, 51, 56, 58, 61, 62, 66, 68, 72, 73, 78, 79, 82, 85, 89, 91, 93, 95, 102],
     a116478(), 120),
    ("A060236", 1, "If n mod 3 = 0 then a(n) = a(n/3), otherwise a(n) = n mod 3.",
     [1, 2, 1, 1, 2, 2, 1, 2, 1, 1, 2, 1, 1, 2, 2, 1, 2, 2, 1, 2, 1, 1, 2, 2, 1, 2, 1, 1, 2, 1, 1, 2, 2, 1, 2, 1, 1, 2, 1, 1],
     lambda n: (n // 3 ** next(e for e in range(64) if (n // 3 ** e) % 3)) % 3, 300),
    ("A171647", 1, "a(1) = 1; for n > 1, a(n) = 2*a(n-1) if n is even, a(n) = ((n+1)/(n-1))*a(n-1) if n is odd.",
     [1, 2, 4, 8, 12, 24, 32, 64, 80, 160, 192, 384, 448, 896, 1024, 2048, 2304, 4608, 5120, 10240, 11264, 22528, 24576, 49152, 53248, 106496, 114688, 229376, 245760, 491520],
     a171647(), 300),
]


@pytest.mark.parametrize("a_number,offset,name,terms,independent,count", CASES, ids=[c[0] for c in CASES])
def test_names_compile_to_programs_right_far_past_the_known_terms(a_number, offset, name, terms, independent, count):
    expected = [independent(n) for n in range(offset, offset + count)]
    assert expected[:len(terms)] == terms  # the independent implementation is the OEIS sequence
    assert parse_name(name) is not None
    programs = programs_for(Target(int(a_number[1:]), name, tuple(terms), offset))
    assert len(programs) == 1
    assert programs[0].offset == offset
    assert evaluate(programs[0], count) == expected


def test_only_lags_are_left_to_formula():
    assert parse_name("a(n) = a(n-1) + a(n-2) with a(0) = 0, a(1) = 1.") is None
    assert parse_name("a(n+1) = 2*a(n) + 1, a(0) = 1.") is None
    assert parse_name("a(n) = n - a(a(n-1)) for n > 0, a(0) = 0.") is not None
    assert parse_name("a(n) = a(n-1) + a(floor(n/2)), a(0) = 1.") is not None
    fibonacci = (0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
    assert programs_for(Target(45, "a(n) = a(n-1) + a(n-2) with a(0) = 0, a(1) = 1.", fibonacci)) == []


def test_rules_the_terms_contradict_give_no_program():
    stern = CASES[0][3]
    josephus_name = CASES[1][2]
    assert programs_for(Target(1, CASES[0][2], tuple(stern))) != []
    assert programs_for(Target(1, josephus_name, tuple(stern))) == []
    # one term off, far from the start
    broken = list(stern)
    broken[30] += 1
    assert programs_for(Target(1, CASES[0][2], tuple(broken))) == []
    # an initial value the name states that the terms do not have
    assert programs_for(Target(1, "a(0) = 1, a(2*n) = a(n), a(2*n+1) = a(n) + a(n+1).", tuple(stern))) == []


def stern_after(first: list[int], count: int) -> list[int]:
    """Stern's rules applied after arbitrary first terms."""
    out = list(first)
    for m in range(len(first), count):
        out.append(out[m // 2] if m % 2 == 0 else out[m // 2] + out[m // 2 + 1])
    return out


def test_at_most_a_few_initial_terms_come_from_the_data():
    name = "a(2n) = a(n), a(2n+1) = a(n) + a(n+1)."
    # arbitrary first terms that break the rules where they could apply (a(2) != a(1), a(3) != a(1) + a(2), ...)
    arbitrary = [7, 3, 9, 4, 6, 2]
    for unexplained, found in ((3, True), (4, True), (5, False), (6, False)):
        terms = stern_after(arbitrary[:unexplained], 60)
        programs = programs_for(Target(1, name, tuple(terms)))
        assert bool(programs) is found, unexplained
        if found:
            assert evaluate(programs[0], 200) == stern_after(arbitrary[:unexplained], 200)
    # and fewer than a third of the known terms
    assert programs_for(Target(1, name, tuple(stern_after(arbitrary[:3], 10)))) != []
    assert programs_for(Target(1, name, tuple(stern_after(arbitrary[:3], 9)))) == []


A132172 = (1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 8, 8, 10, 9, 11, 10, 13, 10, 14, 12, 15, 13, 17, 13, 18, 14, 19, 15, 19, 16,
           24, 16, 23, 19, 24, 16, 30, 17, 25, 21, 30, 16, 33, 22, 30, 20, 43, 15, 38, 20, 48, 10, 50, 13, 40, 16, 73)


def test_rules_must_apply_to_twice_the_known_terms():
    # the sequence dies: a(61) references a(-12); 60 known terms would need the rule up to a(120)
    name = "a(1) = ... = a(5) = 1; for n >= 6, a(n)=a(n-a(n-1))+a(n-a(n-5))."
    assert programs_for(Target(132172, name, A132172, 1)) == []
    half = programs_for(Target(132172, name, A132172[:30], 1))
    assert len(half) == 1
    assert evaluate(half[0], 60) == list(A132172)


def test_program_memory_reaches_n_near_2000():
    name, terms, stern = CASES[0][2], CASES[0][3], CASES[0][4]
    program = programs_for(Target(2487, name, tuple(terms)))[0]
    at_1950 = Program(list(program.ops), {"offset": 1950})
    assert evaluate(at_1950, 3) == [stern(1950), stern(1951), stern(1952)]
    with pytest.raises(EvalError):
        evaluate(Program(list(program.ops), {"offset": 2100}), 1)


def test_propose_yields_the_program_once():
    case = CASES[4]
    target = Target(int(case[0][1:]), case[2], tuple(case[3]), case[1])
    candidates = list(propose(target, SearchContext(), 5, None))
    assert [(c.strategy, c.note) for c in candidates] == [("selfref", "from name")]
    assert evaluate(candidates[0].program, 100) == [case[4](n) for n in range(100)]
    assert list(propose(target, SearchContext(), 0, None)) == []


def test_each_node_evaluation_of_the_python_runs_spends_one_of_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules' Python runs for this name evaluate 3268 nodes (the sum's rolled-back passes included): a
    budget one short gives no program."""
    name = "a(0) = 1; a(n) = (1/2) * Sum_{k=1..n} (3^k-1) * a(k-1) * a(n-k)."
    target = Target(376112, name, (1, 1, 5, 74, 3119, 384099, 140605620, 153966205482, 505318125737963, 4973847408741044519))
    monkeypatch.setattr(selfref, "PYTHON_BUDGET", 3268)
    assert len(programs_for(target)) == 1
    monkeypatch.setattr(selfref, "PYTHON_BUDGET", 3267)
    assert programs_for(target) == []


def test_a_rule_with_a_call_python_cannot_evaluate_gives_no_program_and_no_error():
    target = Target(999, "a(0)=0, a(1)=1, a(n) = Stirling2(n, 2) + a(floor(n/2)).",
                    (0, 1, 1, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048), 0)
    ctx = SearchContext(corpus=None, index=None, settings={}, known={})
    assert list(selfref.propose(target, ctx, 5, random.Random(1))) == []


def series_product(a: list[int], b: list[int], size: int) -> list[int]:
    out = [0] * size
    for i, x in enumerate(a[:size]):
        if x:
            for j, y in enumerate(b[:size - i]):
                out[i + j] += x * y
    return out


def binomial_series(v: int, c: int, size: int) -> list[int]:
    """(1 + v*x)^c for any integer c, truncated."""
    out, coefficient = [], Fraction(1)
    for m in range(size):
        out.append(int(coefficient) * v ** m)
        coefficient = coefficient * (c - m) / (m + 1)
    return out


def lacunary(shift: int, base: int, q: dict[int, int], size: int) -> list[int]:
    """x^shift * Product_{k>=0} Q(x^(base^k)), multiplied out."""
    out, step = [1] + [0] * (size - 1), 1
    while step < size:
        factor = [0] * size
        for m, c in q.items():
            if m * step < size:
                factor[m * step] += c
        out, step = series_product(out, factor, size), step * base
    return ([0] * shift + out)[:size]


def composition(poly: dict[int, int], sign: int, j: int, v: int, c: int, e: int, size: int, d: int = 1) -> list[int]:
    """The fixed point of A(x) = P(x) + sign * x^j (1+v*x)^c A(x^d (1+v*x)^e), by iteration."""
    a = [0] * size
    for _ in range(size):
        inner = [0] * d + binomial_series(v, e, size - d)  # x^d (1+v*x)^e
        composed, power = [0] * size, [1] + [0] * (size - 1)
        for coefficient in a:
            composed = [x + coefficient * y for x, y in zip(composed, power)]
            power = series_product(power, inner, size)
        tail = series_product(binomial_series(v, c, size), composed, size)
        a = [poly.get(n, 0) + (sign * tail[n - j] if n >= j else 0) for n in range(size)]
    return a


@pytest.mark.parametrize("a_number,name,terms,expected", [
    ("A309025", "Expansion of x * Product_{k>=0} (1 + x^(2^k) + x^(2^(k+3))).",
     [0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 3, 2, 2, 1, 3, 2, 2, 1, 4, 2, 2, 1, 4, 2, 2, 1, 5, 3, 3],
     lacunary(1, 2, {0: 1, 1: 1, 8: 1}, 300)),
    ("A309048", "Expansion of Product_{k>=0} (1 + x^(3^k) + x^(2*3^k) - x^(3^(k+1))).",
     [1, 1, 1, 0, 1, 1, 0, 1, 1, -1, 0, 0, 1, 1, 1, 0, 1, 1, -1, 0, 0, 1, 1, 1, 0, 1, 1, -2, -1, -1, 1, 0, 0, 0, 0, 0],
     lacunary(0, 3, {0: 1, 1: 1, 2: 1, 3: -1}, 300)),
])
def test_lacunary_products_are_read_as_rules_by_residue(a_number, name, terms, expected):
    assert expected[:len(terms)] == terms  # the product multiplied out is the OEIS sequence
    programs = programs_for(Target(int(a_number[1:]), name, tuple(terms), 0))
    assert len(programs) == 1
    assert evaluate(programs[0], 300) == expected


@pytest.mark.parametrize("a_number,name,terms,expected", [
    ("A127782", "G.f. satisfies A(x) = 1 + x*A(x+x^2).",
     [1, 1, 1, 2, 4, 11, 33, 114, 438, 1845, 8458, 41823, 221539, 1250269, 7481758, 47278652, 314374316],
     composition({0: 1}, 1, 1, 1, 0, 1, 40)),
    ("A360894", "G.f. satisfies A(x) = 1 + x * A(x * (1 - x)).",
     [1, 1, 1, 0, -2, -1, 7, 0, -44, 69, 276, -1471, 675, 20407, -90560, -20552, 2141700, -10558223],
     composition({0: 1}, 1, 1, -1, 0, 1, 40)),
    ("A351756", "G.f. A(x) satisfies: A(x) = 1 + x * A(x/(1 - 2*x)) / (1 - 2*x)^2.",
     [1, 1, 5, 23, 119, 709, 4749, 35031, 281271, 2438565, 22673021, 224739303, 2363075191, 26246762213],
     composition({0: 1}, 1, 1, -2, -2, -1, 40)),
    ("A346050", "G.f. A(x) satisfies: A(x) = x + x^2 + x^3 * A(x/(1 - x)) / (1 - x).",
     [0, 1, 1, 0, 1, 3, 6, 11, 23, 60, 179, 553, 1716, 5415, 17801, 61956, 228391, 882309, 3530322],
     composition({1: 1, 2: 1}, 1, 3, -1, -1, -1, 40)),
    ("A396748", "G.f. A(x) satisfies A(x) = 1 + x * A(x^2/(1 - x)^2) / (1 - x)^3.",
     [1, 1, 3, 7, 15, 33, 77, 189, 477, 1215, 3091, 7821, 19669, 49217, 122745, 305663],
     composition({0: 1}, 1, 1, -1, -3, -2, 40, d=2)),
])
def test_functional_equations_with_a_composed_argument_are_sums_over_the_history(a_number, name, terms, expected):
    assert expected[:len(terms)] == terms  # the fixed point computed by series is the OEIS sequence
    programs = programs_for(Target(int(a_number[1:]), name, tuple(terms), 0))
    assert len(programs) == 1
    assert evaluate(programs[0], 40) == expected


def test_products_and_equations_outside_the_forms_are_not_read():
    assert selfref.lacunary_rules("G.f.: Product_{k>=1} (1 + x^(2^k-1) + x^(2^k)).") is None
    assert selfref.lacunary_rules("Expansion of Product_{k>=0} (2 + x^(2^k)).") is None  # Q(0) must be 1
    assert selfref.composition_rules("G.f. A(x) satisfies: A(x) = 1 + x * A(x/(1 - x)) / (1 - x^2).") is None
    assert selfref.composition_rules("G.f. A(x) satisfies: A(x) = 1 + x*A(x)^2 * A(x*(1+x)).") is None
    assert selfref.composition_rules("G.f. satisfies A(x) = 1 + x * (1 + 2*x) * A(x * (1 - x)).") is None


def exp_of_sum(b: Callable[[int], int], size: int) -> list[int]:
    """The coefficients of exp(Sum_{n>=1} b(n) x^n/n), by n a(n) = Sum_{k=1..n} b(k) a(n-k) in fractions."""
    a = [Fraction(1)]
    for n in range(1, size):
        a.append(sum(b(k) * a[n - k] for k in range(1, n + 1)) / n)
    assert all(x.denominator == 1 for x in a)
    return [int(x) for x in a]


def test_exponentials_of_logarithmic_sums_are_sums_over_the_history():
    from miner.lang.corpus import Corpus

    name = "G.f.: A(x) = exp( Sum_{n>=1} 2^(n^2) * x^n/n ), a power series in x with integer coefficients."
    expected = exp_of_sum(lambda n: 2 ** (n * n), 30)
    assert expected[:6] == [1, 2, 10, 188, 16774, 6745436]  # A155200's terms
    programs = programs_for(Target(155200, name, tuple(expected[:20]), 0))
    assert len(programs) == 1 and evaluate(programs[0], 30) == expected
    # b(n) a `seq` call: its terms come from the corpus program (here the Lucas numbers, so A(x) = 1/(1-x-x^2))
    lucas = "mov $1,2\nmov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$3\n  add $3,$1\n  mov $1,$2\nlpe\nmov $0,$1\n"
    corpus = Corpus({32: lucas})
    fibonacci = exp_of_sum(lambda n: evaluate(lucas, n + 1)[n], 60)
    assert fibonacci[:8] == [1, 1, 2, 3, 5, 8, 13, 21]
    name = "G.f.: exp( Sum_{n>=1} A000032(n) * x^n/n )."
    assert programs_for(Target(1, name, tuple(fibonacci[:20]), 0)) == []  # no corpus, no values for A000032
    programs = programs_for(Target(1, name, tuple(fibonacci[:20]), 0), corpus)
    assert len(programs) == 1 and evaluate(programs[0], 60, corpus) == fibonacci
    # an e.g.f. is another sum
    assert selfref.exp_sum_rules("Expansion of e.g.f.: A(x) = exp( Sum_{n>=1} (n-1)!*x^n/n ).") is None


def q_catalan(q: int, size: int) -> list[int]:
    """Carlitz and Riordan's recurrence: C(0) = 1, C(n+1) = Sum_{k=0..n} q^k C(k) C(n-k)."""
    c = [1]
    while len(c) < size:
        n = len(c) - 1
        c.append(sum(q ** k * c[k] * c[n - k] for k in range(n + 1)))
    return c


def test_families_called_by_name_are_their_defining_rules():
    # first terms of A015083 (q = 2) and A015084 (q = 3) from the OEIS data; q = -1 is A090192
    for q, name, first in ((2, "Carlitz-Riordan q-Catalan numbers (recurrence version) for q=2.", [1, 1, 3, 17, 171, 3113]),
                           (3, "Carlitz-Riordan q-Catalan numbers for q=3.", [1, 1, 4, 43, 1252, 104098]),
                           (-1, "Carlitz-Riordan q-Catalan numbers (recurrence version) for q = -1.", None)):
        expected = q_catalan(q, 40)
        assert first is None or expected[:6] == first
        programs = programs_for(Target(1, name, tuple(expected[:12]), 0))
        assert len(programs) == 1 and evaluate(programs[0], 40) == expected
        # the family's rules are not fitted: other terms get no program
        assert programs_for(Target(1, name, tuple([1, 2, *expected[2:12]]), 0)) == []
    assert selfref.named_rules("Carlitz-Riordan q-Catalan numbers (sum version) for q=2.") is None
