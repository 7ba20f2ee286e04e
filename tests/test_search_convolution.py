"""Convolutions named in names: parsing, alignment on known terms, programs that compute further terms
with real corpus callees, and the mining loop storing one."""

from __future__ import annotations

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
