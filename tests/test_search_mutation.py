"""Mutation (seeded, loda-cpp-style changes) and near-miss repair, checked with the real evaluator."""

from __future__ import annotations

import random

from miner.lang import Corpus, check_terms, format_program, parse
from miner.search.matchers import TermIndex
from miner.search.mutation import mutate, mutate_and_match, propose as mutation_propose
from miner.search.repair import edits, propose as repair_propose
from miner.search.types import SearchContext, Target

SQUARES_PLUS = parse("mov $1,$0\nlpb $0\n  sub $0,1\n  add $1,3\nlpe\nmov $0,$1\n")


def test_mutation_is_deterministic_for_a_seed():
    a = [format_program(mutate(SQUARES_PLUS, random.Random(seed))) for seed in range(20)]
    b = [format_program(mutate(SQUARES_PLUS, random.Random(seed))) for seed in range(20)]
    assert a == b
    assert len(set(a)) > 10  # seeds give different mutants
    original = format_program(SQUARES_PLUS)
    assert sum(m != original for m in a) >= 15


def test_mutants_keep_loops_balanced_and_parse():
    rng = random.Random(7)
    for _ in range(300):
        mutant = mutate(SQUARES_PLUS, rng, 4)
        text = format_program(mutant)
        assert parse(text).code() == mutant.code()


def test_propose_draws_from_the_corpus():
    corpus = Corpus({5843: "mul $0,2\n", 290: "pow $0,2\n"})
    ctx = SearchContext(corpus=corpus, settings={})
    cands = list(mutation_propose(Target(1, "", (1, 2), 0), ctx, 30, random.Random(1)))
    assert len(cands) == 30 and {c.strategy for c in cands} == {"mutation"}
    assert {c.note for c in cands} == {"from A005843", "from A000290"}


def test_propose_mutates_the_targets_seeds_for_a_share_of_its_budget():
    corpus = Corpus({5843: "mul $0,2\n"})
    # A model candidate that gets the first terms of 3n+1 right but not the rest: its mutants come
    # from the seed, and one change (add 1 instead of 2) fixes it.
    seed = parse("mul $0,3\nadd $0,2\n")
    ctx = SearchContext(corpus=corpus, settings={"seeds": [seed], "mutation_max_changes": 1})
    cands = list(mutation_propose(Target("A016777", "", (1, 4, 7, 10), 0), ctx, 400, random.Random(3)))
    notes = [c.note for c in cands]
    assert 100 < notes.count("from a seed") < 220 and notes.count("from A005843") == 400 - notes.count("from a seed")
    assert any(check_terms(c.program, [1, 4, 7, 10, 13], corpus).ok for c in cands if c.note == "from a seed")
    # All but the seed's mutants are blind guesses, checked under the tight limit.
    assert all(c.blind == (c.note != "from a seed") for c in cands)


def test_propose_mutates_the_programs_of_similar_sequences():
    # "3 mod 7" is one constant away from the program of "3 mod 5" (a similar name, and first terms equal
    # to its under a*x+b); the unrelated squares are neither.
    corpus = Corpus({16789: "mul $0,5\nadd $0,3\n", 290: "pow $0,2\n"})
    known = {16789: Target(16789, "Numbers that are congruent to 3 mod 5.", tuple(5 * n + 3 for n in range(20)), 0),
             290: Target(290, "The squares: a(n) = n^2.", tuple(n * n for n in range(20)), 0)}
    ctx = SearchContext(corpus=corpus, known=known, settings={"mutation_max_changes": 1})
    target = Target(17005, "Numbers that are congruent to 3 mod 7.", tuple(7 * n + 3 for n in range(20)), 0)
    cands = list(mutation_propose(target, ctx, 400, random.Random(5)))
    near = [c for c in cands if c.note == "from a similar sequence"]
    assert 120 < len(near) < 280 and all(c.blind for c in near)
    assert all(c.blind for c in cands if c.note.startswith("from A"))
    assert any(check_terms(c.program, list(target.terms), corpus).ok for c in near)
    ctx.settings["similar_programs"] = 0
    assert not any(c.note == "from a similar sequence" for c in mutation_propose(target, ctx, 100, random.Random(5)))


def test_blind_guesses_get_the_tight_time_limit():
    from miner.core import config
    from miner.mine.context import mining_limits

    cfg = config.load(None)
    cfg["mine"].update(max_seconds=2.0, blind_max_seconds=0.05)
    assert mining_limits(cfg).max_seconds == 2.0
    assert mining_limits(cfg, blind=True).max_seconds == 0.05
    assert mining_limits(cfg, blind=True).max_steps == mining_limits(cfg).max_steps


def test_mutate_and_match_finds_a_target_through_the_index():
    # Mutants of `mul $0,2` include `mul $0,3`-like programs; 3n+1 is then one affine match away.
    corpus = Corpus({5843: "mul $0,2\nadd $0,1\n"})
    target = Target(16777, "3n+1", tuple(3 * n + 1 for n in range(30)), 0)
    index = TermIndex.build([target])
    stats = mutate_and_match(corpus, index, 200, random.Random(3))
    assert stats.mutants == 200 and stats.evaluated > 100
    hits = [p for a, p in stats.matches if check_terms(p, list(target.terms)).ok]
    assert hits


def test_repair_fixes_an_off_by_one_constant():
    target = Target(16777, "3n+1", tuple(3 * n + 1 for n in range(30)), 0)
    near_miss = parse("mul $0,3\nadd $0,2\n")
    assert not check_terms(near_miss, list(target.terms)).ok
    ctx = SearchContext(settings={"near_misses": [near_miss]})
    cands = list(repair_propose(target, ctx, 10, None))
    assert 0 < len(cands) <= 10
    assert any(check_terms(c.program, list(target.terms)).ok for c in cands)
    assert list(repair_propose(target, SearchContext(settings={}), 10, None)) == []


def test_repair_edits_are_bounded_and_distinct():
    variants = list(edits(SQUARES_PLUS))
    assert 20 < len(variants) < 500
    keys = {format_program(v) for v in variants}
    assert len(keys) > 0.8 * len(variants)
