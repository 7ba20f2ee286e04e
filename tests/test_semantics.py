"""Every row of the reference semantics tables (tests/fixtures/data/semantics/*.csv, from ../shared/data) is a test."""

from __future__ import annotations

import csv

import pytest

from miner.lang import EvalError, evaluate, parse, semantics
from tests.conftest import FIXTURE_DATA

SEMANTICS_DIR = FIXTURE_DATA / "semantics"


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for path in sorted(SEMANTICS_DIR.glob("*.csv")):
        with open(path, newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), 2):
                rows.append(pytest.param(path.stem, row["Op1"], row["Op2"], row["Result"],
                                         id=f"{path.stem}:{i}"))
    return rows


ROWS = _rows()


def test_tables_present() -> None:
    assert len(ROWS) > 900, f"expected the reference tables in {SEMANTICS_DIR}"


@pytest.mark.parametrize("op,a,b,expected", ROWS)
def test_semantics_row(op: str, a: str, b: str, expected: str) -> None:
    fn = semantics.FUNCTIONS[op]
    if a == "inf" or b == "inf":
        # inf can never be stored in a cell, so an inf operand never reaches an operation;
        # loda-cpp propagates it, which our evaluator expresses as an error at the producer.
        assert expected == "inf", "every operation propagates inf"
        return
    if expected == "inf":
        with pytest.raises(EvalError):
            fn(int(a), int(b))
    else:
        assert fn(int(a), int(b)) == int(expected)


@pytest.mark.parametrize("op,a,b,expected", [r for r in ROWS if "inf" not in r.values[1:3]][::7])
def test_semantics_row_through_evaluator(op: str, a: str, b: str, expected: str) -> None:
    """A sample of rows run as programs, through the compiled evaluator."""
    program = parse(f"mov $1,{a}\nmov $2,{b}\n{op} $1,$2\nmov $0,$1\n")
    if expected == "inf":
        with pytest.raises(EvalError):
            evaluate(program, 1)
    else:
        assert evaluate(program, 1) == [int(expected)]


@pytest.mark.parametrize("n, k", [(10**30, 10**18), (2**62, 2**61 - 5), (10**1000, 3000), (2**3839, 7)])
def test_binomial_of_huge_arguments_overflows_at_once(n, k):
    import time

    from miner.lang import semantics
    from miner.lang.errors import NumberTooLargeError

    start = time.process_time()
    with pytest.raises(NumberTooLargeError):
        semantics.bin(n, k)
    # Not a speed target: math.comb on these would run for hours; the reference's loop stops at once.
    assert time.process_time() - start < 10.0


def test_binomial_past_the_comb_shortcut_is_exact():
    from math import comb

    from miner.lang import semantics

    # k * bits(n) > 4 * 3840: computed by the step loop, which must give the exact value.
    assert semantics.bin(3000, 1500) == comb(3000, 1500)
    assert semantics.bin(2600, 1300) == comb(2600, 1300)
    assert semantics.bin(-2600, 1300) == comb(2600 + 1300 - 1, 1300)
