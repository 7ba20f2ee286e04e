"""Iterated Beatty maps named in names: the map read, its values against a 60-digit decimal computation,
programs far past the known terms, and the loop storing one."""

from __future__ import annotations

import random
import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.beatty import Map, iterate, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target

ROUNDING = {"floor": ROUND_FLOOR, "ceiling": ROUND_CEILING, "round": ROUND_HALF_UP}


def name(kind: str, c: str) -> str:
    return f"a(n) = r(n,n), where r(1,k)=f(k)={kind}(k*c), r(n,k)=f(r(n-1,k)), c={c}."


def reference_map(kind: str, c: Decimal | Fraction):
    """f(k) from 60-digit decimals for an irrational c, exact fractions for a rational one."""
    if isinstance(c, Fraction):
        return {"floor": lambda k: math.floor(k * c), "ceiling": lambda k: math.ceil(k * c),
                "round": lambda k: math.floor(k * c + Fraction(1, 2))}[kind]
    return lambda k: int((k * c).quantize(Decimal(1), rounding=ROUNDING[kind]))


def test_names_read_as_maps():
    assert parse_name(name("floor", "sqrt(2)")) == Map("floor", 0, 2, 1)
    assert parse_name(name("ceiling", "golden ratio")) == Map("ceiling", 1, 5, 2)
    assert parse_name(name("round", "(golden ratio)^2")) == Map("round", 3, 5, 2)
    assert parse_name(name("floor", "4/3")) == Map("floor", 4, 0, 3)
    assert parse_name(name("round", "3/2") + " using banker's rounding.") is None
    assert parse_name(name("floor", "e")) is None


def test_maps_agree_with_decimals():
    getcontext().prec = 60
    five = Decimal(5).sqrt()
    constants: dict[str, Decimal | Fraction] = {"sqrt(2)": Decimal(2).sqrt(), "sqrt(3)": Decimal(3).sqrt(), "golden ratio": (1 + five) / 2,
                 "(golden ratio)^2": (3 + five) / 2, "4/3": Fraction(4, 3), "5/3": Fraction(5, 3), "7/2": Fraction(7, 2)}
    rng = random.Random(2)
    for c, value in constants.items():
        for kind in ROUNDING:
            f, g = parse_name(name(kind, c)), reference_map(kind, value)
            assert f is not None
            for k in [0, 1, 2, 3] + [rng.randint(1, 10**12) for _ in range(40)]:
                assert f(k) == g(k), (kind, c, k)


def test_programs_give_terms_past_the_known_ones():
    for kind, c in (("floor", "sqrt(2)"), ("ceiling", "golden ratio"), ("round", "5/3"), ("round", "sqrt(3)")):
        f = parse_name(name(kind, c))
        assert f is not None
        full = [iterate(f, n) for n in range(1, 41)]
        progs = programs_for(Target(999001, name(kind, c), tuple(full[:12]), 1))
        assert progs and evaluate(progs[0], 40) == full, (kind, c)
    # listed from offset 0 with a(0) = f(f(...)(1)): the terms decide the index shift
    f = Map("floor", 3, 0, 2)
    full = [iterate(f, n) for n in range(1, 31)]
    assert evaluate(programs_for(Target(1, name("floor", "3/2"), tuple(full[:10]), 0))[0], 30) == full


def test_terms_the_map_does_not_give_get_no_program():
    f = Map("floor", 0, 2, 1)
    full = [iterate(f, n) for n in range(1, 20)]
    assert programs_for(Target(1, name("floor", "sqrt(2)"), tuple(full[:7]) + (full[7] + 1,), 1)) == []
    assert programs_for(Target(1, name("ceiling", "sqrt(2)"), tuple(full), 1)) == []
    assert programs_for(Target(1, name("floor", "sqrt(2)"), tuple(full[:4]), 1)) == []  # too few to go on
    assert list(propose(Target(1, name("floor", "sqrt(2)"), tuple(full), 1), SearchContext(), 0, None)) == []


def test_the_loop_stores_a_named_beatty_map(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    f = Map("ceiling", 0, 7, 1)
    sequences[999001] = SequenceRecord(999001, name("ceiling", "sqrt(7)"), [iterate(f, n) for n in range(1, 31)], 1)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["beatty"])
    assert found[999001].strategy == "beatty"
