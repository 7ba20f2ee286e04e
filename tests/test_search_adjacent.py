"""Digit strings with close neighbours, counted: the names read, counts against brute force, the recurrence
programs far past the terms they were picked on, and readings the terms refuse."""

from __future__ import annotations

from itertools import product

import pytest

from miner.lang.evaluator import evaluate
from miner.search.adjacent import Strings, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def brute(base: int, spread: int, circular: bool, zero: bool, n: int) -> int:
    """Strings listed one by one."""
    count = 0
    for s in product(range(base), repeat=n):
        pairs = list(zip(s, s[1:])) + ([(s[-1], s[0])] if circular and n else [])
        if all(abs(a - b) <= spread for a, b in pairs) and (zero or circular or s[0] != 0):
            count += 1
    return count


def dp(base: int, spread: int, circular: bool, zero: bool, n: int) -> int:
    """The same by dynamic programming over the last digit (and the first, for circular strings)."""
    total = 0
    for first in range(base):
        if not (zero or circular) and first == 0:
            continue
        ways = [int(d == first) for d in range(base)]
        for _ in range(n - 1):
            ways = [sum(ways[p] for p in range(base) if abs(p - d) <= spread) for d in range(base)]
        total += sum(w for d, w in enumerate(ways) if not circular or abs(d - first) <= spread)
    return total


def test_names_read():
    assert parse_name("Number of base 7 circular n-digit numbers with adjacent digits differing by 1 or less.") == [
        Strings(7, 1, True)]
    assert parse_name("Number of base 5 n-digit numbers with adjacent digits differing by two or less.") == [
        Strings(5, 2, False, True), Strings(5, 2, False, False)]
    assert parse_name("Number of positive integers with n digits in which adjacent digits differ by at most 3.") == [
        Strings(10, 3, False, False)]
    assert parse_name("Number of base 5 n-digit numbers with adjacent digits differing by seventeen or less.") == []
    assert parse_name("Number of base 5 n-digit numbers with digits in nondecreasing order.") == []


@pytest.mark.parametrize("base, spread, circular, zero", [(3, 1, True, True), (5, 2, True, True), (4, 1, False, True),
                                                          (5, 2, False, False), (10, 3, False, False)])
def test_programs_count_the_strings_far_past_the_known_terms(base, spread, circular, zero):
    assert all(brute(base, spread, circular, zero, n) == dp(base, spread, circular, zero, n) for n in range(1, 6))
    want = [1] + [dp(base, spread, circular, zero, n) for n in range(1, 40)]  # a(0) = 1: the empty string
    if circular:
        name = f"Number of base {base} circular n-digit numbers with adjacent digits differing by {spread} or less."
    elif base == 10 and not zero:
        name = f"Number of positive integers with n digits in which adjacent digits differ by at most {spread}."
    else:
        name = f"Number of base {base} n-digit numbers with adjacent digits differing by {spread} or less."
    (prog,) = programs_for(Target(1, name, tuple(want[:12]), 0))
    assert evaluate(prog, 40) == want
    (prog,) = programs_for(Target(1, name, tuple(want[1:12]), 1))
    assert evaluate(prog, 39) == want[1:]


def test_terms_the_strings_do_not_give_get_no_program():
    name = "Number of base 5 circular n-digit numbers with adjacent digits differing by 1 or less."
    want = [1] + [dp(5, 1, True, True, n) for n in range(1, 12)]
    wrong = want[:6] + [want[6] + 1] + want[7:]
    assert programs_for(Target(1, name, tuple(wrong), 0)) == []
    assert programs_for(Target(1, name, tuple(want[:4]), 0)) == []  # too few
    assert list(propose(Target(1, name, tuple(want), 0), SearchContext(), 0, None)) == []
