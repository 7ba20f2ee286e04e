"""Digit streams named in names: the stream read, programs against Python's own base conversion far past
the known terms, wrong terms refused, and the loop storing one."""

from __future__ import annotations

import numpy as np

import testbed

from miner.lang.corpus import Corpus
from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.formula import parse_formula
from miner.search.juxtapose import Stream, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target


def fibonacci(count: int) -> list[int]:
    out = [0, 1]
    while len(out) < count:
        out.append(out[-1] + out[-2])
    return out[:count]


def primes(count: int) -> list[int]:
    out, k = [], 2
    while len(out) < count:
        if all(k % p for p in out if p * p <= k):
            out.append(k)
        k += 1
    return out


def written(values: list[int], base: int, backwards: bool = False, complement: bool = False) -> list[int]:
    """The digits of each value in base `base` (numpy's base_repr), one value after another."""
    out = []
    for x in values:
        text = np.base_repr(x, base)
        digits = [int(ch, 36) for ch in (text[::-1] if backwards else text)]
        out += [base - 1 - d for d in digits] if complement else digits
    return out


def test_names_read_as_streams():
    assert parse_name("Write (n+1)st Fibonacci number in base 3 and juxtapose.") == Stream(3, seq=45)
    assert parse_name("Decimal digits of successive Fibonacci numbers.") == Stream(10, seq=45)
    assert parse_name("Write n in base 5, then complement each digit (d -> 4-d) and juxtapose.") == \
        Stream(5, formula=parse_formula("n"), complement=True)
    assert parse_name("Write 2n-1 in base 9 and juxtapose.") == Stream(9, formula=parse_formula("2n-1"))
    assert parse_name("Write odd numbers in base 6 and juxtapose.") == Stream(6, formula=parse_formula("2*n-1"))
    assert parse_name("Write the primes backwards in base 10 and juxtapose their digits.") == \
        Stream(10, seq=40, backwards=True)
    assert parse_name("Binary Champernowne sequence (or word): write the numbers 0,1,2,3,4,... in base 2 and "
                      "juxtapose.") == Stream(2, formula=parse_formula("n"))
    assert parse_name("Triangle read by rows, where row k consists of the binary digits of Fibonacci(k+1).") == \
        Stream(2, formula=parse_formula("Fibonacci(n+1)"))
    assert parse_name("Numbers whose base-2 representation is the juxtaposition of two identical strings.") is None
    assert parse_name("Write the Stern numbers in base 3 and juxtapose.") is None


def _fits(name: str, terms: list[int], offset: int, corpus: Corpus | None, count: int) -> list[int]:
    """The first `count` terms of the first program that reproduces the first 20 terms ([] if none does)."""
    for prog in programs_for(Target(999001, name, tuple(terms[:20]), offset), corpus):
        try:
            if evaluate(prog, 20, corpus=corpus) == terms[:20]:
                return evaluate(prog, count, corpus=corpus)
        except Exception:  # a start before the element sequence's offset
            continue
    return []


def test_programs_give_the_stream_far_past_the_known_terms(sample_tarball):
    corpus = Corpus.from_path(sample_tarball)
    cases = [
        ("Write n in base 3 and juxtapose.", written(list(range(0, 400)), 3), 0),
        ("Write 2n-1 in base 4 and juxtapose.", written([2 * k - 1 for k in range(1, 300)], 4), 1),
        ("Write n in base 8, then complement each digit (d -> 7-d) and juxtapose.",
         written(list(range(0, 300)), 8, complement=True), 0),
        ("Write the (n+1)st Fibonacci number in base 7 and juxtapose.", written(fibonacci(80)[1:], 7), 0),
        ("Write the primes backwards in base 10 and juxtapose their digits.", written(primes(200), 10, True), 1),
    ]
    for name, stream, offset in cases:
        assert _fits(name, stream, offset, corpus, 400) == stream[:400], name


def test_terms_the_stream_does_not_give_get_no_program(sample_tarball):
    corpus = Corpus.from_path(sample_tarball)
    stream = written(fibonacci(60)[1:], 7)
    wrong = stream[:12] + [(stream[12] + 1) % 7] + stream[13:]
    assert _fits("Write the (n+1)st Fibonacci number in base 7 and juxtapose.", wrong, 0, corpus, 40) == []
    # digits the base cannot have, or a sequence the corpus lacks: no candidate at all
    assert programs_for(Target(1, "Write n in base 3 and juxtapose.", (0, 1, 2, 3), 0)) == []
    assert programs_for(Target(1, "Write the primes in base 10 and juxtapose.", (2, 3, 5, 7), 1), Corpus({})) == []
    assert list(propose(Target(1, "Write n in base 3 and juxtapose.", (0, 1, 2), 0), SearchContext(), 0, None)) == []


def test_the_loop_stores_a_named_stream(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {45}, [], size=20)
    name = "Write (n+1)st Fibonacci number in base 3 and juxtapose."
    sequences[999001] = SequenceRecord(999001, name, written(fibonacci(40)[1:], 3)[:90], 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["juxtapose"])
    assert found[999001].strategy == "juxtapose"


def own_digits(start: int, f, count: int) -> list[int]:
    """a(0) = start, then f(d) for each digit d of the sequence so far, in order."""
    terms, digits = [start], [int(c) for c in str(start)]
    while len(terms) < count:
        value = f(digits[len(terms) - 1])
        terms.append(value)
        digits += [int(c) for c in str(value)]
    return terms


def test_sequences_made_of_their_own_digits():
    cases = [
        ("A103697", 0, "Add 5 to each of the preceding digits, beginning with 0.", lambda d: d + 5,
         [0, 5, 10, 6, 5, 11, 10, 6, 6, 6, 5, 11, 11, 11, 10, 6, 6, 6, 6, 6, 6, 6, 5, 11, 11, 11, 11, 11, 11, 11, 10]),
        ("A102258", 1, "Begin with 5, multiply each digit by 2.", lambda d: 2 * d,
         [5, 10, 2, 0, 4, 0, 8, 0, 16, 0, 2, 12, 0, 4, 2, 4, 0, 8, 4, 8, 0, 16, 8, 16, 0, 2, 12, 16, 2, 12, 0, 4, 2]),
    ]
    for a_number, offset, name, f, terms in cases:
        expected = own_digits(terms[0], f, 600)
        assert expected[:len(terms)] == terms  # the generator is the OEIS sequence
        programs = programs_for(Target(int(a_number[1:]), name, tuple(terms), offset))
        assert len(programs) == 1
        assert programs[0].offset == offset
        assert evaluate(programs[0], 600) == expected
    # a term of three digits would not fit the two the program writes
    assert programs_for(Target(1, "Add 91 to each of the preceding digits, beginning with 0.", (0, 91, 100), 0)) == []
    # the digits separated are another sequence
    assert programs_for(Target(1, "Begin with 5, multiply each digit by 2, separate the digits.", (5, 1, 0, 2), 1)) == []


def differences_are_digits(start: int, count: int) -> list[int]:
    """a(0) = start, then a(k+1) = a(k) + the k-th digit of the terms written one after another."""
    terms, digits = [start], [int(c) for c in str(start)]
    while len(terms) < count:
        terms.append(terms[-1] + digits[len(terms) - 1])
        digits += [int(c) for c in str(terms[-1])]
    return terms


def test_first_differences_are_the_digits_of_the_sequence():
    name = "First differences give the same sequence written as a string of individual digits."
    cases = [  # A100787 and A107977, the first terms from the OEIS data
        (100787, [1, 2, 4, 8, 16, 17, 23, 24, 31, 33, 36, 38, 42, 45, 46, 49, 52, 55, 61, 64, 72, 76, 78, 82, 87, 91]),
        (107977, [9, 18, 19, 27, 28, 37, 39, 46, 48, 56, 59, 66, 69, 78, 82, 88, 92, 100, 105, 111, 116, 125, 131]),
    ]
    for a_number, terms in cases:
        expected = differences_are_digits(terms[0], 600)  # four-digit terms, far past the known ones
        assert expected[:len(terms)] == terms
        (program,) = programs_for(Target(a_number, name, tuple(terms), 1))
        assert program.offset == 1
        assert evaluate(program, 600) == expected
    # the first term is the only start the name allows; without a positive one there is none
    assert programs_for(Target(1, name, (0, 0, 0), 1)) == []


def test_digits_grouped_in_pairs():
    cases = [  # (A-number, offset, name, first element, element)
        ("A059805", 1, "Natural numbers written with digits grouped in pairs and leading zeros omitted.", 1, lambda j: j),
        ("A087075", 1, "Multiples of 7 with digits grouped in pairs and leading zeros omitted.", 1, lambda j: 7 * j),
    ]
    for a_number, offset, name, first, element in cases:
        stream = "".join(str(element(j)) for j in range(first, 2000))
        expected = [int(stream[i:i + 2]) for i in range(0, 800, 2)]
        assert parse_name(name) is not None
        programs = programs_for(Target(int(a_number[1:]), name, tuple(expected[:40]), offset))
        solved = [p for p in programs if evaluate(p, 40) == expected[:40]]
        assert solved, name
        assert evaluate(solved[0], 400) == expected
    assert expected[:6] == [71, 42, 12, 83, 54, 24]  # A087075's terms
