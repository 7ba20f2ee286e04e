"""Sequences defined through a cited one: positions of a value and row sums of a triangle, read from names,
checked against lists built in Python far past the known terms, readings the cited terms rule out left
out, and the loop storing one, also when the cited sequence gains its program only during the run."""

from __future__ import annotations

from math import comb

import testbed

from miner.lang.corpus import Corpus
from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.cited import Cited, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target

MOD3 = "mod $0,3\n"  # 0, 1, 2, 0, 1, 2, ... from n = 0
# Rows of 2r+1 entries: row r is 1, 2, ..., 2r+1 (entry i sits in row isqrt(i) at column i - isqrt(i)^2).
WIDE = "mov $1,$0\nnrt $1,2\nmul $1,$1\nsub $0,$1\nadd $0,1\n"
PASCAL = ("#offset 1\n\nsub $0,1\nmov $1,$0\nmul $1,8\nadd $1,1\nnrt $1,2\nsub $1,1\ndiv $1,2\nmov $2,$1\nadd $2,1\n"
          "mul $2,$1\ndiv $2,2\nsub $0,$2\nbin $1,$0\nmov $0,$1\n")  # C(r,k) by rows, from n = 1


def corpus() -> Corpus:
    return Corpus({900001: MOD3, 900002: WIDE, 900003: PASCAL})


def first(program, count: int) -> list[int]:
    return evaluate(program, count, corpus=corpus())


def fitting(target: Target, count: int, known=None) -> list[list[int]]:
    """The first `count` terms of each candidate that reproduces the target's terms."""
    out = []
    for prog in programs_for(target, known or {}, corpus()):
        try:
            if first(prog, len(target.terms)) == list(target.terms):
                out.append(first(prog, count))
        except Exception:  # a reading that runs the cited sequence below its offset
            continue
    return out


def test_names_read_as_citations():
    assert parse_name("Position of n-th 2 in A030363.") == Cited("position", 30363, 2)
    assert parse_name("Position of n-th 0 in A030604 (previous version).") == Cited("position", 30604, 0)
    assert parse_name("Row sums of triangle A049029.") == Cited("rows", 49029)
    assert parse_name("Row sums of triangle defined in A059226.") == Cited("rows", 59226)
    assert parse_name("a(n) = Sum_{k=0..n} 2^(n-k)*k!. Row sums of A394442.") == Cited("rows", 394442)
    assert parse_name("Alternating row sums of triangle A237591.") is None
    assert parse_name("Positions of records in A000001.") is None


def test_positions_of_a_value_far_past_the_known_terms():
    # 2 sits at n = 2, 5, 8, ... of n mod 3; counted from 1 instead, at 3, 6, 9, ...
    for offset, start in ((0, 0), (1, 1)):
        want = [3 * j + 2 + start for j in range(200)]
        fits = fitting(Target(999001, "Position of n-th 2 in A900001.", tuple(want[:12]), offset), 200)
        assert fits == [want], start


def test_row_sums_far_past_the_known_terms():
    pascal = [2**r for r in range(40)]
    assert fitting(Target(999001, "Row sums of triangle A900003.", tuple(pascal[:10]), 0), 40) == [pascal]
    wide = [(2 * r + 1) * (2 * r + 2) // 2 for r in range(60)]
    assert fitting(Target(999001, "Row sums of A900002.", tuple(wide[1:11]), 1), 59) == [wide[1:]]


def test_readings_the_cited_terms_rule_out_are_left_out():
    rows = [2**r for r in range(12)]
    target = Target(999001, "Row sums of triangle A900003.", tuple(rows), 0)
    pascal = tuple(comb(r, k) for r in range(12) for k in range(r + 1))
    assert len(programs_for(target, {}, corpus())) == 12  # unknown cited terms: every row shape
    kept = programs_for(target, {900003: Target(900003, "Pascal", pascal, 1)}, corpus())
    assert len(kept) == 1 and first(kept[0], 12) == rows
    assert programs_for(Target(999001, "Row sums of A900003.", (1, 3, 5, 7, 9), 0),
                        {900003: Target(900003, "Pascal", pascal, 1)}, corpus()) == []
    # a sequence the corpus lacks, or the target citing itself: no candidate
    assert programs_for(Target(999001, "Row sums of A123456.", tuple(rows), 0), {}, corpus()) == []
    assert programs_for(Target(900001, "Position of n-th 1 in A900001.", (1, 4), 0), {}, corpus()) == []
    assert list(propose(target, SearchContext(corpus=corpus()), 0, None)) == []


def test_the_loop_reads_a_citation_once_the_cited_stream_is_found(tmp_path, real_data, sample_tarball):
    """The stream has no program until `juxtapose` finds it; the positions in it fall in the same run."""
    import numpy as np

    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {45}, [], size=20)
    fib = [1, 1]
    while len(fib) < 40:
        fib.append(fib[-1] + fib[-2])
    stream = [int(ch) for x in fib for ch in np.base_repr(x, 3)]
    sequences[999001] = SequenceRecord(999001, "Write (n+1)st Fibonacci number in base 3 and juxtapose.",
                                       stream[:90], 0)
    where = [i for i, d in enumerate(stream) if d == 2]
    sequences[999002] = SequenceRecord(999002, "Position of n-th 2 in A999001.", where[:30], 1)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["juxtapose", "cited"])
    assert found[999001].strategy == "juxtapose"
    assert found[999002].strategy == "cited" and "seq $3,999001" in found[999002].code
