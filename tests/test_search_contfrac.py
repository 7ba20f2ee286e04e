"""Continued fractions of named quadratic irrationals: reading the number, the partial quotients and
convergents against an independent expansion, programs far past the known terms, and the loop storing one."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.contfrac import Quadratic, expansion, programs_for, propose, quadratic
from miner.search.types import SearchContext, Target


def reference(p: int, d: int, q: int, count: int) -> list[int]:
    """The first partial quotients of (p + sqrt(d)) / q from a 400-digit rational approximation."""
    scale = 10**400
    x = Fraction(p * scale + math.isqrt(d * scale * scale), q * scale)
    out = []
    for _ in range(count):
        a = math.floor(x)
        out.append(a)
        x = 1 / (x - a)
    return out


def convergents(quotients: list[int]) -> tuple[list[int], list[int]]:
    nums, dens = [1], [0]
    p0, q0 = 0, 1
    for a in quotients:
        nums.append(a * nums[-1] + p0)
        dens.append(a * dens[-1] + q0)
        p0, q0 = nums[-2], dens[-2]
    return nums, dens


def test_names_read_as_exact_quadratic_irrationals():
    assert quadratic("sqrt(821)") == Quadratic(0, 821, 1)
    x = quadratic("(sqrt(37)-4)/3")
    assert x is not None and expansion(x, 6)[0] == reference(-4, 37, 3, 6)
    assert quadratic("5*sqrt(3)") == quadratic("sqrt(75)")
    assert expansion(quadratic("sqrt(3/5)"), 10)[0] == reference(0, 15, 5, 10)
    assert expansion(quadratic("golden ratio"), 5)[0] == [1, 1, 1, 1, 1]
    for not_quadratic in ("sqrt(4)", "Pi", "cube root of 2", "sqrt(2)*sqrt(3)", "sqrt(2)+sqrt(3)", "e", "7"):
        assert quadratic(not_quadratic) is None, not_quadratic


def test_quotients_and_convergents_match_an_independent_expansion():
    rng = random.Random(5)
    for _ in range(60):
        d = rng.choice([n for n in range(2, 2000) if math.isqrt(n) ** 2 != n])
        p, q = rng.randint(-30, 30), rng.choice([1, 2, 3, 5, 7, -2, -3])
        x = quadratic(f"({p}+sqrt({d}))/{q}")
        assert x is not None
        lists = expansion(x, 40)
        assert lists is not None
        quotients, nums, dens = lists
        assert quotients == reference(p, d, q, 40)
        assert (nums, dens) == convergents(quotients)


def test_programs_reach_far_past_the_known_terms():
    # a long period (sqrt(821)) and a shifted, scaled number; 20 known terms, 120 computed
    for name, kind in (("Numerators of continued fraction convergents to sqrt(821).", 1),
                       ("Denominators of continued fraction convergents to (sqrt(37)-4)/3.", 2),
                       ("Continued fraction for sqrt(991).", 0)):
        x = {1: quadratic("sqrt(821)"), 2: quadratic("(sqrt(37)-4)/3"), 0: quadratic("sqrt(991)")}[kind]
        full = expansion(x, 130)[kind]
        start = 0 if kind == 0 else 1  # convergents from p_0 / q_0, at offset 0
        terms = full[start:start + 120]
        target = Target(999001, name, tuple(terms[:20]), 0)
        progs = programs_for(target)
        assert progs
        assert evaluate(progs[0], 120) == terms
    # a later first term and an offset of 1
    full = expansion(quadratic("sqrt(19)"), 60)[0]
    progs = programs_for(Target(999002, "Continued fraction for sqrt(19).", tuple(full[2:22]), 1))
    assert progs and evaluate(progs[0], 50) == full[2:52]


def test_terms_the_number_does_not_give_get_no_program():
    terms = expansion(quadratic("sqrt(821)"), 20)[1][1:]
    assert programs_for(Target(1, "Numerators of continued fraction convergents to sqrt(822).", tuple(terms), 0)) == []
    assert programs_for(Target(1, "Numerators of continued fraction convergents to sqrt(821).",
                               tuple(terms[:-1]) + (terms[-1] + 1,), 0)) == []
    assert programs_for(Target(1, "Continued fraction for Pi.", (3, 7, 15, 1, 292), 0)) == []
    assert list(propose(Target(1, "Numerators of continued fraction convergents to sqrt(821).", tuple(terms), 0),
                        SearchContext(), 0, None)) == []


def test_any_name_and_terms_give_a_correct_program_or_none():
    rng = random.Random(11)
    for _ in range(200):
        a, b, c = rng.randint(-9, 9), rng.randint(1, 500), rng.randint(1, 9)
        name = rng.choice(["Continued fraction for ({a}+sqrt({b}))/{c}.", "Numerators of continued fraction "
                           "convergents to sqrt({b})/{c}.", "Denominators of continued fraction convergents to "
                           "{c}*sqrt({b})."]).format(a=a, b=b, c=c)
        terms = tuple(rng.choice([rng.randint(0, 5) for _ in range(12)] + [1]) for _ in range(12))
        x = quadratic(name.split(" to ")[-1].split(" for ")[-1].rstrip("."))
        if x is not None and rng.random() < 0.5:
            lists = expansion(x, 15)
            if lists is not None:
                terms = tuple(lists[0 if "fraction for" in name else 1 if "Num" in name else 2][:12])
        for prog in programs_for(Target(1, name, terms, 0)):
            assert evaluate(prog, 12) == list(terms)


def test_the_loop_stores_a_named_continued_fraction(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    terms = expansion(quadratic("sqrt(956)"), 40)[2][1:]
    sequences[999001] = SequenceRecord(999001, "Denominators of continued fraction convergents to sqrt(956).",
                                       terms, 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["contfrac"])
    assert found[999001].strategy == "contfrac"
