"""Convolutions named in names: parsing, alignment on known terms, programs that compute further terms
with real corpus callees, and the mining loop storing one."""

from __future__ import annotations

from functools import lru_cache

import testbed

from miner.lang import Corpus, check_terms
from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.convolution import Convolution, parse_name, programs_for, propose
from miner.search.types import SearchContext, Target

TRUNCATED = ("a(n) = s(1)t(n) + s(2)t(n-1) + ... + s(k)t(n+1-k), where k = [ (n+1)/2 ], s = (primes), "
             "t = (Lucas numbers).")


def kimberling(s: list[int], t: list[int], count: int, half: int) -> list[int]:
    """a(n) for n = 1..count as the name reads: s(j) the j-th term of s, k = floor((n + half) / 2)."""
    return [sum(s[j - 1] * t[n - j] for j in range(1, (n + half) // 2 + 1)) for n in range(1, count + 1)]


def test_names_parse_into_their_two_sequences():
    assert parse_name(TRUNCATED) == [Convolution(40, 32, False, 1), Convolution(40, 204, False, 1)]
    star = ("a(n) = s(1)*t(n) + s(2)*t(n-1) + ... + s(k)*t(n-k+1), where k = floor(n/2), s = A023531, "
            "t = (composite numbers).")
    assert parse_name(star) == [Convolution(23531, 2808, False, 0)]
    assert parse_name("Convolution of A000108 (Catalan numbers) with A045543.") == [Convolution(108, 45543, True)]
    assert parse_name("Convolution of Thue-Morse sequence A001285 with primes.") == [Convolution(1285, 40, True)]
    assert parse_name("Convolution of A000108 and the Pell numbers.") == []  # no A-number, no known word
    assert parse_name("Convolution of primes with partition numbers.") == [Convolution(40, 41, True)]
    assert parse_name("Convolution of number of overpartitions and Catalan numbers.") == [Convolution(15128, 108, True)]
    assert parse_name("Convolution of Bell and Catalan numbers.") == [Convolution(110, 108, True)]
    assert parse_name("a(n) = Sum_{k=0..n} A000108(k)*A000045(n-k).") == []


def test_alignment_is_found_on_known_terms_and_the_program_goes_further(real_data, sample_tarball):
    records = testbed.read_oeis(real_data / "oeis", {40, 32, 108, 45})
    corpus = Corpus(testbed.read_corpus(sample_tarball))
    known = {a: Target(a, r.name, tuple(r.terms), r.offset) for a, r in records.items()}
    primes, lucas = records[40].terms, records[32].terms
    terms = kimberling(primes, lucas, 50, half=1)
    target = Target(999001, TRUNCATED, tuple(terms[:30]), 1)
    progs = programs_for(target, known)
    assert progs
    # 20 terms past the 30 the alignment was chosen on
    assert evaluate(progs[0], 50, corpus) == terms
    # Catalan * Fibonacci from offset 0: a(n) = sum_{k=0..n} C(k) F(n-k)
    cat, fib = records[108].terms, records[45].terms
    full = [sum(cat[k] * fib[n - k] for k in range(n + 1)) for n in range(40)]
    target = Target(999002, "Convolution of A000108 and A000045.", tuple(full[:25]), 0)
    progs = programs_for(target, known)
    assert progs and evaluate(progs[0], 40, corpus) == full
    # terms no alignment gives
    wrong = Target(999003, "Convolution of A000108 and A000045.", tuple(full[:24]) + (full[24] + 1,), 0)
    assert programs_for(wrong, known) == []


def test_propose_needs_the_callees_in_the_corpus(real_data, sample_tarball):
    records = testbed.read_oeis(real_data / "oeis", {40, 32})
    known = {a: Target(a, r.name, tuple(r.terms), r.offset) for a, r in records.items()}
    terms = tuple(kimberling(records[40].terms, records[32].terms, 30, half=1))
    target = Target(999001, TRUNCATED, terms, 1)
    full = Corpus(testbed.read_corpus(sample_tarball))
    cands = list(propose(target, SearchContext(corpus=full, known=known), 4, None))
    assert cands and all(c.strategy == "convolution" for c in cands)
    assert check_terms(cands[0].program, list(terms), full).ok
    assert list(propose(target, SearchContext(corpus=full.without({32}), known=known), 4, None)) == []
    assert list(propose(target, SearchContext(corpus=full, known=known), 0, None)) == []


def test_the_loop_stores_a_named_convolution(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {40, 32}, [], size=20)
    terms = kimberling(sequences[40].terms, sequences[32].terms, 40, half=1)
    sequences[999001] = SequenceRecord(999001, TRUNCATED, terms, 1)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["convolution"])
    assert found[999001].strategy == "convolution"
    assert "seq $5,40" in found[999001].code and "seq $6,32" in found[999001].code


def ordered_ways(elements: list[int], parts: int, n: int) -> int:
    """K-tuples of elements summing to n, by their first element and the tuples of the rest."""
    @lru_cache(maxsize=None)
    def ways(k: int, m: int) -> int:
        return int(m == 0) if k == 0 else sum(ways(k - 1, m - e) for e in elements if e <= m)
    return ways(parts, n)


def test_ordered_sums_of_a_named_set_far_past_the_known_terms():
    from miner.search.convolution import ordered_sum, ordered_sum_programs

    # the triangular numbers k(k+1)/2 and the tetrahedral numbers k(k+1)(k+2)/6, from k = 0, as the corpus has them
    corpus = Corpus({217: "mov $1,$0\nadd $1,1\nmul $0,$1\ndiv $0,2\n",
                     292: "mov $1,$0\nadd $1,1\nmul $1,$0\nadd $0,2\nmul $0,$1\ndiv $0,6\n"})
    tri = [k * (k + 1) // 2 for k in range(60)]
    tet = [k * (k + 1) * (k + 2) // 6 for k in range(30)]
    known = {217: Target(217, "triangular", tuple(tri), 0), 292: Target(292, "tetrahedral", tuple(tet), 0)}
    # A340951 (6 nonzero triangular numbers, offset 6) and A341797 (6 nonzero tetrahedral, offset 6): first terms
    # from the OEIS data
    cases = [("Number of ways to write n as an ordered sum of 6 nonzero triangular numbers.", tri[1:], 6,
              [1, 0, 6, 0, 15, 6, 20, 30, 15, 66, 21, 90, 61, 90, 126, 86, 210, 90]),
             ("Number of ways to write n as an ordered sum of 6 nonzero tetrahedral numbers.", tet[1:], 6,
              [1, 0, 0, 6, 0, 0, 15, 0, 0, 26, 0, 0, 45, 0, 0, 66, 0, 0, 76, 6, 0, 90, 30]),
             ("Number of ordered ways of writing n as the sum of 3 triangular numbers.", tri, 0, None)]
    for name, elements, offset, first in cases:
        count = 110
        expected = [ordered_ways(elements, 6 if "6" in name else 3, n) for n in range(offset, offset + count)]
        assert first is None or expected[:len(first)] == first
        target = Target(1, name, tuple(expected[:30]), offset)
        (program,) = ordered_sum_programs(target, known, corpus)
        assert check_terms(program, expected, corpus).ok, name
        # other terms: no program
        assert ordered_sum_programs(Target(1, name, (2, *expected[1:30]), offset), known, corpus) == []
    # zero is an element unless the name rules it out; parts beyond a dozen or no set are not read
    assert [r.positive for r in ordered_sum("Number of ways to write n as an ordered sum of 3 triangular numbers.")] \
        == [False, True]
    assert ordered_sum("Number of ways to write n as an ordered sum of 20 primes.") == []
    assert ordered_sum("Number of ways to write n as the unordered sum of two nonzero triangular numbers.") == []
