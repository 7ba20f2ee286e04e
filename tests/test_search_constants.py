"""Decimal expansions of closed-form constants named in names: the expression read, programs against mpmath's
digits far past the known terms (small and large constants, every function), wrong digits refused, and the
loop storing one."""

from __future__ import annotations

import mpmath
import pytest

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search import recurrence
from miner.search.constants import parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def digits(expression, count: int) -> tuple[list[int], int]:
    """The first `count` digits of the constant (mpmath at twice the precision) and the number of digits
    before its decimal point (the OEIS offset of a decimal expansion, at least 0)."""
    ctx = mpmath.mp.clone()
    ctx.dps = 2 * count + 20
    x = expression(ctx)
    before = max(int(ctx.floor(ctx.log10(x))) + 1, 0)
    scaled = int(ctx.floor(x * ctx.mpf(10) ** (count - before)))
    text = str(scaled).zfill(count)
    return [int(ch) for ch in text[-count:]], before


CASES = {
    "Pi^5/768": lambda c: c.pi**5 / 768,
    "3 - 24/Pi^2": lambda c: 3 - 24 / c.pi**2,
    "e^(9/2)": lambda c: c.exp(c.mpf(9) / 2),
    "e^(-5/6)": lambda c: c.exp(-c.mpf(5) / 6),
    "sqrt(Pi)/e": lambda c: c.sqrt(c.pi) / c.e,
    "(Pi/e)^(1/4)": lambda c: (c.pi / c.e) ** (c.mpf(1) / 4),
    "Pi*csc(Pi/5)": lambda c: c.pi / c.sin(c.pi / 5),
    "tan(2) - sec(2)": lambda c: c.tan(2) - c.sec(2),
    "sin(1/4)": lambda c: c.sin(c.mpf(1) / 4),
    "16*log(2)/(8*log(2) - 5)": lambda c: 16 * c.log(2) / (8 * c.log(2) - 5),
    "log(99/2)": lambda c: c.log(c.mpf(99) / 2),
    "log_20 (2)": lambda c: c.log(2) / c.log(20),
    "Pi^(-7)": lambda c: c.pi ** -7,
    "(2*Pi)^12": lambda c: (2 * c.pi) ** 12,
    "cot(3/7) + cos(1)": lambda c: c.cot(c.mpf(3) / 7) + c.cos(1),
    "2*asinh(2) + 2*arcsinh(1/2) + (1 - sqrt(5))/2": lambda c: 2 * c.asinh(2) + 2 * c.asinh(c.mpf(1) / 2) + (1 - c.sqrt(5)) / 2,
    "atanh(1/3)": lambda c: c.atanh(c.mpf(1) / 3),
    "arccosh(3)/Pi": lambda c: c.acosh(3) / c.pi,
    "sqrt(5)/(2*log(phi)), where phi is the golden ratio (A001622)": lambda c: c.sqrt(5) / (2 * c.log(c.phi)),
}


def test_names_read_as_constants():
    assert parse_name("Decimal expansion of Pi^5/768.") is not None
    assert parse_name("Decimal expansion of 4*Pi / (5*sqrt(10-2*sqrt(5))).") is not None
    assert parse_name("Decimal expansion of sqrt(2).") is not None
    assert parse_name("Decimal expansion of 35/(48*7^2).") is None  # rational: periodic, for `recurrence`
    assert parse_name("Decimal expansion of 1/446.") is not None  # but a plain p/q may have too long a period
    assert parse_name("Decimal expansion of log_20 (2).") == parse_name("Decimal expansion of log(2)/log(20).")
    assert parse_name("Decimal expansion of Gamma(3/4)/Pi^(1/4).") is None
    assert parse_name("Decimal expansion of the Oloid's volume.") is None
    assert parse_name("Decimal expansion of e^(-Pi).") is None  # an exponent that is no rational number
    assert parse_name("Decimal expansion of 2^sqrt(2).") is None


def test_a_negative_constant_gives_the_digits_of_its_absolute_value():
    want, offset = digits(lambda c: 1 - c.log(2), 60)
    progs = programs_for(Target(1, "Decimal expansion of log(2) - 1.", tuple(want[:20]), offset))
    assert len(progs) == 1 and evaluate(progs[0], 60) == want


def test_a_fraction_whose_period_outruns_the_known_digits():
    # 1/223 repeats every 222 digits: 30 known ones fit no recurrence, but the name states the number.
    want, offset = digits(lambda c: c.mpf(1) / 223, 300)
    assert recurrence.find_recurrence(want[:30]) is None
    progs = programs_for(Target(1, "Decimal expansion of 1/223.", tuple(want[:30]), offset))
    assert len(progs) == 1 and evaluate(progs[0], 300) == want


def test_digits_the_constant_does_not_have_get_no_program():
    want, offset = digits(CASES["Pi^5/768"], 30)
    wrong = want[:15] + [(want[15] + 1) % 10] + want[16:]
    assert programs_for(Target(1, "Decimal expansion of Pi^5/768.", tuple(wrong), offset)) == []
    assert programs_for(Target(1, "Decimal expansion of Pi^5/768.", tuple(want[:6]), offset)) == []  # too few
    assert programs_for(Target(1, "Decimal expansion of log(-2).", tuple(want), offset)) == []
    assert list(propose(Target(1, "Decimal expansion of Pi^5/768.", tuple(want), offset), SearchContext(), 0, None)) == []


SERIES = {
    "Sum_{k>=0} 1/(k!)^4": lambda c: c.nsum(lambda k: 1 / c.factorial(k) ** 4, [0, c.inf]),
    "Sum_{n>=1} 1/binomial(2n,n)": lambda c: (2 * c.pi * c.sqrt(3) + 9) / 27,
    "Sum_{k>=0} (-1)^k/(k!)^2": lambda c: c.besselj(0, 2),
    "Sum_{m>=0} 1/(2^2^m - 1)": lambda c: c.nsum(lambda m: 1 / (2 ** (2 ** m) - 1), [0, 12]),
    "Sum_{i >= 0} (i!)^2/(2*i+1)!": lambda c: 2 * c.pi / (3 * c.sqrt(3)),
    "Pi - Sum_{k>=1} 1/(k^2*2^k)": lambda c: c.pi - c.polylog(2, c.mpf(1) / 2),
}


@pytest.mark.parametrize("text", [*CASES, *SERIES])
def test_programs_give_the_digits_far_past_the_known_terms(text):
    """Closed forms and series that converge fast, from 20 digits shown."""
    want, offset = digits({**CASES, **SERIES}[text], 120)
    progs = programs_for(Target(999001, f"Decimal expansion of {text}.", tuple(want[:20]), offset))
    assert len(progs) == 1
    assert evaluate(progs[0], 120) == want


def test_series_that_converge_slowly_or_are_not_read_get_no_program():
    slow = {  # terms falling like k^-2 or 0.618^k: the program's terms would not reach the digits wanted
        "Sum_{k>=0} 1/(k^2+1)": lambda c: c.nsum(lambda k: 1 / (k * k + 1), [0, c.inf]),
        "Sum_{k>=1} 1/Fibonacci(k)": lambda c: c.mpf("3.359885666243177553172011302918927179688905133731968486495553815325130318996683383"),
    }
    for text, expression in slow.items():
        assert parse_name(f"Decimal expansion of {text}.") is not None, text
        want, offset = digits(expression, 30)
        assert programs_for(Target(1, f"Decimal expansion of {text}.", tuple(want), offset)) == [], text
    assert parse_name("Decimal expansion of Sum_{k>=1} H(k,2)/2^k.") is None
    assert parse_name("Decimal expansion of Sum_{k>=1} 1/(k*(k+1)/2)^(1/2).") is None  # a fractional power


def test_the_loop_stores_the_sum_of_a_cited_sequences_reciprocals(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {142}, [], size=20)
    want, offset = digits(lambda c: c.e, 40)
    sequences[999001] = SequenceRecord(999001, "Decimal expansion of the sum of the reciprocals of the "
                                       "factorials A000142.", want, offset)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["constants"])
    assert found[999001].strategy == "constants" and "seq $" in found[999001].code


def test_the_loop_stores_a_named_constant(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    want, offset = digits(CASES["sqrt(Pi)/e"], 60)
    sequences[999001] = SequenceRecord(999001, "Decimal expansion of sqrt(Pi)/e.", want, offset)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["constants"])
    assert found[999001].strategy == "constants"
