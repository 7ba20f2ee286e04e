"""Linear recurrence synthesis on real OEIS terms, checked with the real evaluator."""

from __future__ import annotations

from pathlib import Path

import pytest
import testbed

from miner.lang import check_terms, format_a_number, format_program, parse_a_number
from miner.search.recurrence import find_recurrence, linear_complexity, propose, recurrence_program
from miner.search.types import SearchContext, Target


def read_terms(data: Path, ids: set[str]) -> dict[str, tuple[int, ...]]:
    """Known terms of the given A-numbers from stripped.gz."""
    records = testbed.read_oeis(data / "oeis", {parse_a_number(a) for a in ids})
    return {format_a_number(a): tuple(r.terms) for a, r in records.items()}


@pytest.fixture(scope="module")
def real(real_data: Path) -> dict[str, tuple[int, ...]]:
    return read_terms(real_data, {"A000045", "A000129", "A001045", "A000040", "A000079", "A000290"})


def test_fibonacci_recurrence_reproduces_every_known_term(real):
    terms = real["A000045"]
    rec = find_recurrence(terms)
    assert rec is not None and rec.order == 2 and rec.coeffs == (1, 1) and rec.denominator == 1
    program = recurrence_program(rec, 0)
    result = check_terms(program, list(terms))
    assert result.ok, (format_program(program), result)
    assert len(terms) > 30


@pytest.mark.parametrize("a_number,offset,order", [("A000129", 0, 2), ("A001045", 0, 2),
                                                   ("A000079", 0, 1), ("A000290", 0, 3)])
def test_known_recurrences_on_real_terms(real, a_number, offset, order):
    terms = real[a_number]
    target = Target(int(a_number[1:]), "", terms, offset)
    cands = list(propose(target, SearchContext(), 5, None))
    assert len(cands) == 1 and cands[0].strategy == "recurrence"
    assert f"order={order}" in cands[0].note
    assert check_terms(cands[0].program, list(terms)).ok


def test_primes_have_no_recurrence(real):
    assert find_recurrence(real["A000040"]) is None


def test_offset_irregular_start_and_rational_coefficients():
    # a(1)=7, then powers of 2: the recurrence only holds from the third term on.
    terms = (7,) + tuple(2 ** k for k in range(20))
    rec = find_recurrence(terms)
    assert rec is not None
    program = recurrence_program(rec, 1)
    assert program.offset == 1
    assert check_terms(program, list(terms)).ok
    # a(n) = (a(n-1) + a(n-2)) / 2 scaled to stay integral: 2^20 * ... keeps exact division.
    seq = [0, 1 << 40]
    for _ in range(18):
        seq.append((seq[-1] + seq[-2]) // 2)
    rec = find_recurrence(seq)
    assert rec is not None and rec.denominator == 2
    assert check_terms(recurrence_program(rec, 0), seq).ok


def test_margin_is_required():
    # Eight terms of a random-looking sequence: any fit would be determined by the terms themselves.
    assert find_recurrence((3, 1, 4, 1, 5, 9, 2, 6)) is None
    # n for n=1..8 has order 2: 4 terms beyond the determining ones, enough for margin 4, not 6.
    assert find_recurrence(tuple(range(1, 9)), margin=6) is None
    assert find_recurrence(tuple(range(1, 9)), margin=4) is not None
    assert linear_complexity([1, 2, 4, 8, 16, 32]) == 1


def test_names_with_rational_gfs_allow_longer_recurrences():
    # g.f. (1 + 2x + x^3) / ((1 - x)(1 - x^11)): order 12, past the default maximum of 10
    terms = [0] * 50
    for k in range(50):
        terms[k] = sum(c * (1 + (k - e) // 11) for e, c in ((0, 1), (1, 2), (3, 1)) if k >= e)
    assert linear_complexity(terms) == 12
    ctx = SearchContext(settings={"recurrence_max_order": 10, "recurrence_rational_max_order": 24})
    tiling = Target(1, "Coordination sequence Gal.6.321.4 where Gal.u.t.v denotes ...", tuple(terms), 0)
    other = Target(1, "Number of something.", tuple(terms), 0)
    assert list(propose(other, ctx, 1, None)) == []
    cands = list(propose(tiling, ctx, 1, None))
    assert len(cands) == 1
    assert check_terms(cands[0].program, terms).ok
    # arrays of a fixed width counted by their length have a transfer matrix; matrices up to permutations do not
    for name in ("Number of nX3 0..1 arrays with every 1 horizontally or vertically adjacent to 2 1s.",
                 "Number of 4 X n binary arrays with no 2 X 2 subblock summing to 2."):
        assert len(list(propose(Target(1, name, tuple(terms), 0), ctx, 1, None))) == 1, name
    assert list(propose(Target(1, "Number of n X 4 binary matrices up to row and column permutations.", tuple(terms), 0),
                        ctx, 1, None)) == []
    # partitions into a fixed number of parts under parity conditions are lattice points of a cone; a test of the
    # parts' arithmetic (divisibility, primality) is not
    for name in ("Sum of the middle parts in the partitions of n into 3 parts whose smallest part is odd.",
                 "Number of even parts appearing among the fourth largest parts of the partitions of n into five parts.",
                 "Number of partitions of n into at most 7 distinct parts."):
        assert len(list(propose(Target(1, name, tuple(terms), 0), ctx, 1, None))) == 1, name
    for name in ("Number of partitions of n into 3 parts whose smallest part divides n.",
                 "Number of partitions of n into two parts (s,t) such that t | s*n.",
                 "Number of partitions of n into 4 prime parts."):
        assert list(propose(Target(1, name, tuple(terms), 0), ctx, 1, None)) == [], name


def test_linear_congruential_generators():
    from miner.lang import evaluate
    from miner.search.recurrence import find_congruential

    def states(multiplier: int, increment: int, modulus: int, seed: int, count: int) -> list[int]:
        out = [seed]
        while len(out) < count:
            out.append((multiplier * out[-1] + increment) % modulus)
        return out

    for multiplier, increment, modulus in ((1103515245, 12345, 2**31), (16807, 0, 2**31 - 1), (253, 0, 2**15), (2, 0, 101)):
        full = states(multiplier, increment, modulus, 1, 60)
        target = Target(1, "Consecutive states of a pseudo-random number generator.", tuple(full[:30]), 1)
        cands = list(propose(target, SearchContext(), 1, None))
        assert len(cands) == 1 and "mod" in cands[0].note
        assert evaluate(cands[0].program, 60) == full
    # too few terms for the modulus, a changed term, and no reduction (the terms' own linear recurrence)
    lcg = states(1103515245, 12345, 2**31, 1, 40)
    assert find_congruential(tuple(lcg[:16])) is None
    assert find_congruential(tuple(lcg[:20] + [lcg[20] + 1] + lcg[21:])) is None
    assert find_congruential(tuple(3**k for k in range(30))) is None
    # "9's complement of n" (99 - n from 10 to 99) steps down and wraps once: (a(k-1) + 89) mod 90 is refused
    complement = [9 - n if n < 10 else 99 - n for n in range(80)]
    assert find_congruential(tuple(complement)) is None
    assert find_congruential(tuple(n % 11 for n in range(80))) is not None
