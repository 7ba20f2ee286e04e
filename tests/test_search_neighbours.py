"""Neighbour edits: single edits of the programs of similar sequences, checked with the real evaluator."""

from __future__ import annotations

from miner.lang import Corpus, check_terms
from miner.search.neighbours import programs, propose
from miner.search.types import SearchContext, Target

FOUR = "mov $1,4\npow $1,$0\nadd $0,$1\n"  # 4^n + n


def context(**settings) -> SearchContext:
    corpus = Corpus({34000: FOUR, 290: "pow $0,2\n"})
    known = {34000: Target(34000, "a(n) = 4^n + n.", tuple(4 ** n + n for n in range(20)), 0),
             290: Target(290, "The squares.", tuple(n * n for n in range(20)), 0)}
    return SearchContext(corpus=corpus, known=known, settings=settings)


def test_an_edit_of_a_similar_names_program_solves_the_target():
    # 5^n + n shares no first terms with 4^n + n under a*x+b, but its name; one constant differs.
    target = Target(34001, "a(n) = 5^n + n.", tuple(5 ** n + n for n in range(20)), 0)
    ctx = context()
    assert len(programs(target, ctx)) == 1
    cands = list(propose(target, ctx, 400, None))
    assert 0 < len(cands) <= 400 and {c.strategy for c in cands} == {"neighbours"}
    assert all(c.blind for c in cands)  # checked under the tight limit of guesses
    assert len({str(c.program.code()) for c in cands}) == len(cands)  # no edit twice
    assert any(check_terms(c.program, list(target.terms), ctx.corpus).ok for c in cands)
    assert len(list(propose(target, ctx, 3, None))) == 3


def test_a_neighbour_by_first_terms_is_adapted_before_it_is_edited():
    # 3*(4^n + n) + 1 for six terms, then not: the neighbour by terms is 4^n + n times 3 plus 1.
    terms = [3 * (4 ** n + n) + 1 for n in range(6)] + [3 * (4 ** n + 2 * n) + 1 for n in range(6, 20)]
    target = Target(34002, "Some sequence.", tuple(terms), 0)
    near = programs(target, context())
    assert len(near) == 1
    head = check_terms(near[0], terms, context().corpus)
    assert not head.ok and head.matched == 6


def test_no_neighbours_when_turned_off_or_nothing_is_known():
    target = Target(34001, "a(n) = 5^n + n.", tuple(5 ** n + n for n in range(20)), 0)
    assert list(propose(target, context(similar_programs=0), 100, None)) == []
    assert list(propose(target, SearchContext(corpus=Corpus({}), settings={}), 100, None)) == []


def test_when_the_single_edits_run_out_double_edits_follow_in_one_fixed_stream():
    # 5^n + n + 1 is two edits from 4^n + n: a constant and a line more
    target = Target(34003, "a(n) = 5^n + n + 1.", tuple(5 ** n + n + 1 for n in range(20)), 0)
    ctx = context()
    stream = list(propose(target, ctx, 20_000, None))
    singles = [c for c in stream if c.note.startswith("edit")]
    assert 0 < len(singles) < len(stream) and stream[:len(singles)] == singles  # singles first
    assert len({str(c.program.code()) for c in stream}) == len(stream)
    assert not any(check_terms(c.program, list(target.terms), ctx.corpus).ok for c in singles)
    assert any(check_terms(c.program, list(target.terms), ctx.corpus).ok for c in stream[len(singles):])
    # a smaller budget is a prefix of the same stream: the loop's rounds take it a part at a time
    assert [str(c.program.code()) for c in propose(target, ctx, 700, None)] == \
        [str(c.program.code()) for c in stream[:700]]
