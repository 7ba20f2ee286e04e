"""Matcher index and corpus sweep on real terms and real corpus programs, checked with the evaluator."""

from __future__ import annotations

from pathlib import Path

import pytest
import testbed

from miner.lang import Corpus, check_terms, evaluate, format_program, parse, parse_a_number
from miner.search.corpus_sweep import propose as sweep_propose
from miner.search.corpus_sweep import sweep, sweep_texts
from miner.search.matchers import Affine, TermIndex, affine_key, differences, partial_sums
from miner.search.types import SearchContext, Target

IDS = ("A001477", "A005843", "A000027", "A000217", "A000035", "A000290", "A005408", "A000045", "A000071")


@pytest.fixture(scope="module")
def real(real_data: Path, sample_tarball: Path):
    """Targets (terms, offsets) and the corpus programs of a few sequences."""
    want = {parse_a_number(a) for a in IDS}
    records = testbed.read_oeis(real_data / "oeis", want)
    targets = {a: Target(a, "", tuple(r.terms), r.offset) for a, r in records.items()}
    return targets, Corpus(testbed.read_corpus(sample_tarball, want))


def test_affine_key_normalises():
    assert affine_key([5, 7, 9]) == ((0, 1, 2), Affine(5, 2))
    assert affine_key([5, 3, 1]) == ((0, 1, 2), Affine(5, -2))
    assert affine_key([3, 3, 3]) is None
    assert partial_sums(differences([4, 9, 1, 7])) == [4, 9, 1, 7]


def test_even_numbers_from_n_by_affine_match(real):
    targets, corpus = real
    index = TermIndex.build([targets[5843], targets[5408]])
    n_program = corpus.get(1477)
    n_terms = evaluate(n_program, 30, corpus)
    found = dict(index.match(n_terms, n_program))
    assert set(found) == {5843, 5408}
    for a, program in found.items():
        assert check_terms(program, list(targets[a].terms), corpus).ok, format_program(program)


def test_offset_shift_partial_sums_and_digits(real):
    targets, corpus = real
    index = TermIndex.build([targets[27], targets[217], targets[35]])
    n_program = corpus.get(1477)
    found = dict(index.match(evaluate(n_program, 30, corpus), n_program))
    # A000027 (n, offset 1) directly, A000217 (triangular) as partial sums, A000035 (n mod 2) as digits.
    assert set(found) == {27, 217, 35}
    for a, program in found.items():
        assert program.offset == targets[a].offset
        assert check_terms(program, list(targets[a].terms), corpus).ok, format_program(program)


def test_fibonacci_partial_sums_via_difference_level(real):
    targets, corpus = real
    index = TermIndex.build([targets[71]])  # Fibonacci(n) - 1 = partial sums of Fibonacci
    fib = corpus.get(45)
    found = dict(index.match(evaluate(fib, 30, corpus), fib))
    assert 71 in found
    assert check_terms(found[71], list(targets[71].terms), corpus).ok


def test_no_false_match_and_remove(real):
    targets, corpus = real
    index = TermIndex.build([targets[290]])
    n_program = corpus.get(1477)
    assert index.match(evaluate(n_program, 30, corpus), n_program) == []
    index = TermIndex.build([targets[5843]])
    index.remove(5843)
    assert len(index) == 0 and index.match(list(range(30)), n_program) == []


def test_corpus_sweep_finds_targets_from_known_sequences(real):
    targets, corpus = real
    index = TermIndex.build([targets[5843], targets[217]])
    known = [targets[1477], targets[45]]
    found = {}
    for a, cand in sweep(index, known):
        found.setdefault(a, []).append(cand)
    assert set(found) == {5843, 217}
    for a, cands in found.items():
        assert any("seq $0,1477" in format_program(c.program) for c in cands)
        assert all(c.strategy == "corpus_sweep" for c in cands)
        assert any(check_terms(c.program, list(targets[a].terms), corpus).ok for c in cands)
    ctx = SearchContext(corpus=corpus, index=index, known={t.a_number: t for t in known})
    assert [c.note for c in sweep_propose(targets[5843], ctx, 2, None)] == ["from A001477"]


def test_sweep_stops_trying_a_target_once_it_has_its_candidates(real):
    targets, _ = real
    index = TermIndex.build([targets[5843]])
    # n, the odd numbers and n(n+1)/2 all map onto the even numbers (affine; differences for the last).
    known = [targets[1477], targets[5408], targets[27], targets[217]]
    all_found = [a for a, _ in sweep(index, known, per_target=10)]
    assert all_found.count(5843) >= 3
    assert [a for a, _ in sweep(index, known, per_target=2)] == [5843] * 2
    source = parse("seq $0,1477\n")
    assert index.match(list(targets[1477].terms), source)
    assert index.match(list(targets[1477].terms), source, skip={5843}) == []


def test_sweep_texts_keys_by_integer_a_number_and_honours_settings(real):
    targets, corpus = real

    def records(ids):
        return {a: ("", list(targets[a].terms), targets[a].offset) for a in ids}

    found = sweep_texts(records([5843, 217]), records([1477, 45]))
    assert set(found) == {5843, 217}
    assert all(check_terms(text, list(targets[a].terms), corpus).ok for a in found for text in found[a][:1])
    # A000217 (triangular numbers) needs a partial sum of n: no match without the difference level.
    assert set(sweep_texts(records([217]), records([1477]), {"match_max_delta": 0})) == set()


def test_a_parallel_sweep_keeps_what_one_sweep_in_order_keeps(monkeypatch):
    """Chunks in two worker processes, each with its own cap, merged in order: the first candidates per
    target are those of a plain sweep, so the cap takes the earliest known sequences."""
    from miner.search import corpus_sweep

    monkeypatch.setattr(corpus_sweep, "CHUNK", 1)  # 1,200 chunks: enough for the workers to be used
    squares = Target(290, "", tuple(n * n for n in range(20)), 0)
    cubes = Target(578, "", tuple(n ** 3 for n in range(20)), 0)
    # every known sequence is an affine image of one target (k*n^2 + c or k*n^3 + c), the targets' order mixed
    known = [Target(100_000 + i, "", tuple((i % 7 + 1) * n ** (2 + i % 2) + i for n in range(20)), 0)
             for i in range(1200)]
    index = TermIndex.build([squares, cubes])
    plain = [(a, format_program(c.program)) for a, c in sweep(index, known, per_target=3)]
    settings = {"sweep_per_target": 3}
    for workers in (1, 2):
        found = corpus_sweep.sweep_programs([squares, cubes], known, settings, workers=workers)
        assert {a: [format_program(p) for p in ps] for a, ps in found.items()} == \
            {a: [t for b, t in plain if b == a] for a in (290, 578)}
    # the squares' first three: n^2 itself, then 3*n^2 + 2 and 5*n^2 + 4, each undone
    assert [t.split("\n")[0] for a, t in plain if a == 290] == ["seq $0,100000", "seq $0,100002", "seq $0,100004"]


def test_parsed_program_round_trip_through_matcher():
    program = parse("#offset 1\nmul $0,3\n")
    index = TermIndex.build([Target(999998, "", tuple(6 * k + 1 for k in range(20)), 0)])
    found = dict(index.match([3 * k for k in range(1, 21)], program))
    assert check_terms(found[999998], [6 * k + 1 for k in range(20)]).ok


def test_difference_and_sum_wrappers_with_offsets():
    from miner.search.build import at_offset, index_form, wrap_difference, wrap_partial_sum

    squares = parse("pow $0,2\n")
    assert evaluate(at_offset(wrap_difference(index_form(squares)), 0), 6) == [0, 1, 3, 5, 7, 9]
    assert evaluate(at_offset(wrap_partial_sum(index_form(squares)), 0), 5) == [0, 1, 5, 14, 30]
    triple = parse("#offset 1\nmul $0,3\n")  # 3, 6, 9, ... from n = 1
    shifted = at_offset(wrap_difference(index_form(triple, 1)), 2)
    assert shifted.offset == 2 and evaluate(shifted, 5) == [6, 3, 3, 3, 3]
    assert wrap_partial_sum(index_form(parse("mov $$1,1\n"))) is None


def test_digits_of_negative_terms_are_reduced_the_way_the_target_counts(real):
    # n - 7 is negative for the first terms, and LODA's mod keeps the sign: the program must fix that
    targets, corpus = real
    index = TermIndex.build([targets[35]])
    program = parse("sub $0,7\n")
    found = index.matches(evaluate(program, 30, corpus))
    assert [m.a_number for m in found] == [35] and found[0].negative
    built = index.program(found[0], program)
    assert built is not None and check_terms(built, list(targets[35].terms), corpus).ok, format_program(built)
    assert "add $0,2" in format_program(built)
