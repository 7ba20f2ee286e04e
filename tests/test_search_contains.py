"""The smallest power of b holding n among its digits: readings, programs against string search far past the
known terms, and terms the name does not give."""

from __future__ import annotations

from miner.lang.evaluator import evaluate
from miner.search.contains import Search, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def least(base: int, n: int, first: int) -> int:
    return next(k for k in range(first, 10_000) if str(n) in str(base**k))


def test_names_read():
    assert parse_name("Smallest power of 2 whose decimal expansion contains n.") == [
        Search(2, False, 0), Search(2, False, 1), Search(2, True, 0), Search(2, True, 1)]
    assert parse_name("5^a(n) is smallest nonnegative power of 5 containing the string 'n'.") == [Search(5, True, 0)]
    assert parse_name("Smallest positive power of 4 having n in its decimal representation.") == [
        Search(4, False, 1), Search(4, True, 1)]
    assert parse_name("3^a(n) is smallest power of 5 containing the string 'n'.") == []  # two bases
    assert parse_name("Smallest power of 10 whose decimal expansion contains n.") == []
    assert parse_name("Smallest prime whose decimal expansion contains n.") == []


def test_programs_find_the_power_far_past_the_known_terms():
    for name, base, exponent, first in (
            ("Smallest power of 2 whose decimal expansion contains n.", 2, False, 0),
            ("Smallest power of 3 whose decimal expansion contains n.", 3, False, 1),
            ("7^a(n) is smallest nonnegative power of 7 containing the string 'n'.", 7, True, 0),
            ("Smallest positive power of 4 having n in its decimal representation.", 4, True, 1)):
        want = [least(base, n, first) if exponent else base ** least(base, n, first) for n in range(120)]
        (prog,) = programs_for(Target(1, name, tuple(want[:15]), 0))
        assert evaluate(prog, 120) == want, name
        (prog,) = programs_for(Target(1, name, tuple(want[1:15]), 1))
        assert evaluate(prog, 119) == want[1:], name


def test_terms_the_name_does_not_give_get_no_program():
    name = "Smallest power of 2 whose decimal expansion contains n."
    want = [2 ** least(2, n, 0) for n in range(20)]
    assert programs_for(Target(1, name, tuple(want[:5] + [want[5] * 2] + want[6:]), 0)) == []
    assert programs_for(Target(1, name, tuple(want[:4]), 0)) == []
    assert list(propose(Target(1, name, tuple(want), 0), SearchContext(), 0, None)) == []
