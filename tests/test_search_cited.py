"""Sequences defined through a cited one: positions of a value, row, alternating row and diagonal sums,
columns and diagonals, reversed rows and matrix products of triangles, partial sums and products,
differences and sections of sequences, read from names, checked against lists built in Python far past the
known terms, readings the cited terms rule out left out, and the loop storing one, also when the cited
sequence gains its program only during the run."""

from __future__ import annotations

from math import comb, isqrt, prod

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


# 1, 2, 3, ... read as a triangle by rows from 0: T(r, c) = r(r+1)/2 + c + 1, every entry different.
NATURAL = "add $0,1\n"
# The same with the sign (-1)^n: -1, 2, -3, 4, ...
SIGNED = "mov $1,$0\nadd $0,1\nmod $1,2\nmul $1,-2\nadd $1,1\nmul $0,$1\nmul $0,-1\n"
SQUARES = "#offset 1\n\npow $0,2\n"  # 1, 4, 9, ... from n = 1


def corpus() -> Corpus:
    return Corpus({900001: MOD3, 900002: WIDE, 900003: PASCAL, 900004: NATURAL, 900005: SIGNED,
                   900006: SQUARES, 12: "mov $0,1\n"})


def pascal(r: int, c: int) -> int:
    return comb(r, c)


def natural(r: int, c: int) -> int:
    return r * (r + 1) // 2 + c + 1


def signed(r: int, c: int) -> int:
    i = r * (r + 1) // 2 + c
    return (-1) ** (i + 1) * (i + 1)


def by_rows(entry, rows: int) -> tuple[int, ...]:
    return tuple(entry(r, c) for r in range(rows) for c in range(r + 1))


# The cited sequences' known terms, as the miner's context has them.
KNOWN = {900003: Target(900003, "Pascal", by_rows(pascal, 14), 1),
         900004: Target(900004, "natural", by_rows(natural, 14), 0),
         900005: Target(900005, "signed", by_rows(signed, 14), 0),
         900006: Target(900006, "squares", tuple(n * n for n in range(1, 60)), 1),
         12: Target(12, "ones", (1,) * 105, 0)}


def only(name: str, terms: list[int], offset: int, count: int) -> list[int]:
    """The first `count` terms of the one program the name gives with the known cited terms."""
    programs = programs_for(Target(999001, name, tuple(terms[:30]), offset), KNOWN, corpus())
    assert len(programs) == 1, [p.code() for p in programs]
    return first(programs[0], count)


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
    assert parse_name("Alternating row sums of triangle A237591.") == Cited("altrows", 237591)
    assert parse_name("Positions of records in A000001.") is None


def test_operations_on_cited_triangles_read_from_names():
    assert parse_name("Column 4 of triangle A123610.") == Cited("column", 123610, 4)
    assert parse_name("Fourth column (m=3) of triangle A090447.") == Cited("column", 90447, 3)
    assert parse_name("Main diagonal of square array A145153.") == Cited("diagonal", 145153, 0)
    assert parse_name("A diagonal of A059419.") == Cited("diagonal", 59419, -1)
    assert parse_name("a(n) = A026615(2*n, n-1).") == Cited("line", 26615, line=(2, 0, 1, -1))
    assert parse_name("a(n) = T(2n+1, n+4), T given by A027948.") == Cited("line", 27948, line=(2, 1, 1, 4))
    assert parse_name("a(n) = T(2n,n-1), where T is the array in A026148.") == Cited("line", 26148, line=(2, 0, 1, -1))
    assert parse_name("Triangle in A071945 with rows reversed.") == Cited("mirror", 71945)
    assert parse_name("Catalan triangle A028364 with row reversion.") == Cited("mirror", 28364)
    assert parse_name("Mirror image of triangle A080233.") == Cited("mirror", 80233)
    assert parse_name("Diagonal sums of number triangle A109244.") == Cited("diagsums", 109244)
    assert parse_name("Antidiagonal sums of A396348.") == Cited("antidiagsums", 396348)
    assert parse_name("Matrix square of triangle A063967.") == Cited("product", 63967, second=63967)
    assert parse_name("A065941^2 as an infinite lower triangular matrix.") == Cited("product", 65941, second=65941)
    assert parse_name("Triangle T(n,k) read by rows: matrix product A054522 * A054523.") \
        == Cited("product", 54522, second=54523)
    assert parse_name("Matrix product of Stirling2-triangle A008277(n,k) and unsigned Lah-triangle "
                      "|A008297(n,k)|.") == Cited("product", 8277, second=8297, absolute=(False, True))
    assert parse_name("Triangle T(n,m) = sum_{k=m..n} A001263(k,m).") == Cited("product", 12, second=1263)
    assert parse_name("Partial sums of A165573.") == Cited("psums", 165573)
    assert parse_name("Partial products of A375270.") == Cited("pprods", 375270)
    assert parse_name("Product of the first n perfect powers (A001597).") == Cited("pprods", 1597)
    assert parse_name("First differences of A199716.") == Cited("diffs", 199716)
    assert parse_name("Second partial sums of A001891.") == Cited("psums", 1891, 2)
    assert parse_name("4th forward differences of factorial numbers A000142.") == Cited("diffs", 142, 4)
    assert parse_name("Bisection of A002417.") == Cited("section", 2417, 2)
    # parts of larger expressions, or other operations: not read
    for name in ("a(n) = A002487(n)*A002487(n+2).", "Convolution square of A000219.", "Inverse square of A061554.",
                 "First differences of A080867, modulo 10.", "Partial sums of [A080782^2].",
                 "(A000012 * A127773) + (A127773 * A000012) - A000012.", "A128229^2 * A000012.",
                 "a(n) = floor(n!/R(n)!), where R(n) = digit reversal of n (A004086).",
                 "Column index of n in A246278."):
        assert parse_name(name) is None, name


def test_positions_of_a_value_far_past_the_known_terms():
    # 2 sits at n = 2, 5, 8, ... of n mod 3; counted from 1 instead, at 3, 6, 9, ...
    for offset, start in ((0, 0), (1, 1)):
        want = [3 * j + 2 + start for j in range(200)]
        fits = fitting(Target(999001, "Position of n-th 2 in A900001.", tuple(want[:12]), offset), 200)
        assert fits == [want], start
    # positions in an earlier version of the cited sequence, before it gained its first term or two: 0 sits at
    # 2, 5, 8, ... of 1, 2, 0, 1, 2, 0, ... counted from 0
    known = {900001: Target(900001, "n mod 3", tuple(n % 3 for n in range(60)), 0)}
    want = [3 * j + 2 for j in range(200)]
    fits = fitting(Target(999001, "Position of n-th 0 in A900001 (previous version).", tuple(want[:12]), 0), 200, known)
    assert fits == [want]


def test_row_sums_far_past_the_known_terms():
    pascal = [2**r for r in range(40)]
    assert fitting(Target(999001, "Row sums of triangle A900003.", tuple(pascal[:10]), 0), 40) == [pascal]
    wide = [(2 * r + 1) * (2 * r + 2) // 2 for r in range(60)]
    assert fitting(Target(999001, "Row sums of A900002.", tuple(wide[1:11]), 1), 59) == [wide[1:]]


def test_columns_and_diagonals_far_past_the_known_terms():
    # Pascal's triangle by rows from n = 1: column 2 from its first entry, or with a zero for each row above.
    assert only("Column 2 of triangle A900003.", [comb(n, 2) for n in range(2, 40)], 2, 80) \
        == [comb(n, 2) for n in range(2, 82)]
    assert only("Third column of triangle A900003.", [comb(n, 2) for n in range(40)], 0, 80) \
        == [comb(n, 2) for n in range(80)]
    # Diagonal 1 from the right, and the main diagonal of 1, 2, 3, ... read as an array by antidiagonals.
    assert only("Second diagonal of A900004.", [natural(r, r - 1) for r in range(1, 40)], 1, 80) \
        == [natural(r, r - 1) for r in range(1, 81)]
    assert only("Main diagonal of square array A900004.", [natural(2 * n, n) for n in range(40)], 0, 60) \
        == [natural(2 * n, n) for n in range(60)]
    assert only("a(n) = A900004(2*n, n).", [natural(2 * n, n) for n in range(1, 40)], 1, 60) \
        == [natural(2 * n, n) for n in range(1, 61)]
    # Diagonal 1 of the array: antidiagonal 2n + 1, read from either end.
    for column in (0, 1):
        want = [natural(2 * n + 1, n + column) for n in range(60)]
        assert only("Second diagonal of square array A900004.", want[:40], 0, 60) == want


def test_reversed_rows_and_diagonal_sums_far_past_the_known_terms():
    mirrored = [natural(r, r - c) for r in range(40) for c in range(r + 1)]
    assert only("Triangle A900004 with rows reversed.", mirrored, 0, 400) == mirrored[:400]
    fibonacci = [1, 1]
    while len(fibonacci) < 80:
        fibonacci.append(fibonacci[-1] + fibonacci[-2])
    assert only("Diagonal sums of number triangle A900003.", fibonacci, 0, 80) == fibonacci
    alternating = [sum((-1) ** c * natural(r, c) for c in range(r + 1)) for r in range(60)]
    assert only("Alternating row sums of triangle A900004.", alternating, 0, 60) == alternating


def test_matrix_products_far_past_the_known_terms():
    def product(a, b, rows: int) -> list[int]:
        return [sum(a(r, j) * b(j, c) for j in range(c, r + 1)) for r in range(rows) for c in range(r + 1)]

    square = product(pascal, pascal, 25)
    assert square[:10] == [1, 2, 1, 4, 4, 1, 8, 12, 6, 1]
    assert only("Matrix square of triangle A900003.", square, 0, 300) == square[:300]
    mixed = product(natural, lambda r, c: abs(signed(r, c)), 25)
    assert only("Matrix product of triangle A900004(n,k) and |A900005(n,k)|.", mixed, 0, 300) == mixed[:300]
    signs = product(pascal, signed, 25)
    assert only("Triangle read by rows: A900003 * A900005.", signs, 0, 300) == signs[:300]
    column_sums = [comb(n + 1, m + 1) for n in range(25) for m in range(n + 1)]
    assert only("Triangle T(n,m) = sum_{k=m..n} A900003(k,m).", column_sums, 0, 300) == column_sums[:300]


def test_sums_products_differences_and_sections_far_past_the_known_terms():
    sums = [n * (n + 1) * (2 * n + 1) // 6 for n in range(1, 200)]
    assert only("Partial sums of A900006.", sums, 1, 150) == sums[:150]
    assert only("Partial sums of A900006.", [0] + sums, 0, 150) == [0] + sums[:149]
    products = [prod(k * k for k in range(1, n + 1)) for n in range(1, 40)]
    assert only("Partial products of A900006.", products, 1, 35) == products[:35]
    assert only("First differences of A900006.", [2 * n + 1 for n in range(1, 30)], 1, 150) \
        == [2 * n + 1 for n in range(1, 151)]
    # from the first term itself (the one before it counted as 0)
    assert only("First differences of A900006.", [2 * n + 1 for n in range(30)], 0, 150) \
        == [2 * n + 1 for n in range(150)]
    assert only("Bisection of A900006.", [(2 * n) ** 2 for n in range(1, 30)], 1, 150) \
        == [(2 * n) ** 2 for n in range(1, 151)]
    assert only("Bisection of A900006.", [(2 * n + 1) ** 2 for n in range(30)], 0, 150) \
        == [(2 * n + 1) ** 2 for n in range(150)]
    # Pascal's triangle as a flat sequence, its sums and differences taken twice and three times
    flat = by_rows(pascal, 20)
    twice = [sum((i - j + 1) * flat[j] for j in range(i + 1)) for i in range(len(flat))]
    assert only("Second partial sums of A900003.", twice, 1, 150) == twice[:150]
    third = [flat[i + 3] - 3 * flat[i + 2] + 3 * flat[i + 1] - flat[i] for i in range(len(flat) - 3)]
    assert only("Third differences of A900003.", third, 1, 150) == third[:150]


def test_terms_that_contradict_every_reading_give_nothing():
    wrong = (1, 5, 7, 100, 3, 8, 2, 9, 4)
    for name in ("Column 2 of triangle A900003.", "Second diagonal of A900004.", "a(n) = A900004(2*n, n).",
                 "Triangle A900004 with rows reversed.", "Diagonal sums of number triangle A900003.",
                 "Antidiagonal sums of A900004.", "Alternating row sums of triangle A900004.",
                 "Matrix square of triangle A900003.", "Triangle T(n,m) = sum_{k=m..n} A900003(k,m).",
                 "Partial sums of A900006.", "Partial products of A900006.", "First differences of A900006.",
                 "Bisection of A900006."):
        assert programs_for(Target(999001, name, wrong, 0), KNOWN, corpus()) == [], name
        assert programs_for(Target(999001, name, wrong, 0), {}, corpus()) != [], name  # no cited terms: unjudged


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


def test_an_entry_of_a_triangle_the_name_calls_T():
    # the central binomial coefficients C(2n, n) of Pascal's triangle (read by rows from n = 1)
    target = Target(999002, "a(n) = T(2n, n), T given by A900003.", (), 0)
    assert parse_name(target.name) == Cited("line", 900003, line=(2, 0, 1, 0))
    terms = tuple(comb(2 * n, n) for n in range(12))
    assert [comb(2 * n, n) for n in range(20)] in fitting(Target(999002, target.name, terms, 0), 20, KNOWN)


def test_run_lengths_of_a_value_far_past_the_known_terms():
    # floor(sqrt(n)) mod 2: 0 for n = 0, 1 for 1..3, 0 for 4..8, ...: runs of 0 are 1, 5, 9, ... long, of 1 are 3, 7, ...
    corpus = Corpus({900007: "nrt $0,2\nmod $0,2\n"})
    values = tuple(isqrt(n) % 2 for n in range(400))
    known = {900007: Target(900007, "parity of floor(sqrt(n))", values[:200], 0)}
    for value, first in ((0, 1), (1, 3)):
        want = [first + 4 * j for j in range(25)]
        target = Target(999001, f"Length of n-th run of {value}'s in A900007.", tuple(want[:6]), 1)
        programs = programs_for(target, known, corpus)
        assert programs and evaluate(programs[0], 25, corpus) == want
    assert parse_name("Length of n-th run of digit 2 in A030363.") == Cited("run", 30363, 2)
