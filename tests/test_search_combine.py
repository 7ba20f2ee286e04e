"""Combinations of two known sequences (a(n) = b(n) + r*c(n) + s): found by one lookup per target, turned
into programs the real evaluator confirms, and stored by the real loop only when evidence enough."""

from __future__ import annotations

import random

import pytest
import testbed

import storage
from miner.core import config
from miner.lang import Corpus, check_terms, evaluate, parse
from miner.mine.loop import mine
from miner.mine.trust import callees, reject_reason
from miner.search import combine
from miner.search.matchers import affine_key
from miner.search.types import SearchContext, Target

# Programs of a few known sequences (cubes, squares, Fibonacci, 2^n, n, the constant 10) and a copy of
# Fibonacci under another number: distractors and twins for the lookup.
PROGRAMS = {
    578: "pow $0,3\n",
    290: "pow $0,2\n",
    45: "mov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n",
    79: "mov $1,2\npow $1,$0\nmov $0,$1\n",
    27: "#offset 1\n\n",
    10692: "mov $0,10\n",
    999045: "mov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n",
}
NAMES = {578: "The cubes.", 290: "The squares.", 45: "Fibonacci numbers.", 79: "Powers of 2.",
         27: "The positive integers.", 10692: "Constant sequence: a(n) = 10.", 999045: "Fibonacci again."}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus({a: parse(text) for a, text in PROGRAMS.items()})


@pytest.fixture(scope="module")
def known(corpus) -> dict[int, Target]:
    out = {}
    for a, text in PROGRAMS.items():
        offset = parse(text).offset
        out[a] = Target(a, NAMES[a], tuple(evaluate(corpus.get(a), 40, corpus)), offset)
    return out


def target(known, a_number: int, terms, name: str = "", offset: int = 0) -> Target:
    return Target(a_number, name, tuple(terms), offset)


def proposals(t: Target, known: dict[int, Target], budget: int = 8):
    return list(combine.propose(t, SearchContext(known=known, settings={}), budget, None))


def test_the_normal_form_is_the_matchers_a_x_plus_b_key():
    import numpy as np

    rng = random.Random(3)
    rows = [[rng.randrange(-50, 50) * rng.choice((1, 7)) for _ in range(12)] for _ in range(200)]
    rows.append([4] * 12)
    keys, varying = combine._normalise(np, np.array(rows, dtype=np.int64))
    for row, key, ok in zip(rows, keys.tolist(), varying.tolist()):
        expected = affine_key(row)
        assert ok == (expected is not None)
        if expected is not None:
            assert tuple(key) == expected[0]


def test_a_sum_with_a_rational_multiple_is_found_and_evaluates_to_the_terms(known, corpus):
    # t(n) = n^3 + (3*F(n) - 7)/2 is not an integer everywhere; t(n) = n^3 + (3*2^n - 6)/3 = n^3 + 2^n - 2 is.
    terms = [n**3 - (3 * 2**n - 6) // 3 for n in range(40)]
    found = proposals(target(known, 1, terms), known)
    assert found, "no combination found"
    best = found[0]
    assert set(callees(best.program)) == {578, 79}
    assert check_terms(best.program, terms, corpus).ok, best.note
    assert all(check_terms(c.program, terms, corpus).ok for c in found)


def test_offsets_and_a_one_step_shift_are_honoured(known, corpus):
    # Offset 1: t(n) = n^2 + F(n), both from their second term (offset 0), F at its own n.
    terms = [n * n + evaluate(corpus.get(45), n + 1, corpus)[n] for n in range(1, 41)]
    found = proposals(target(known, 2, terms, offset=1), known)
    assert found
    assert found[0].program.offset == 1
    assert check_terms(found[0].program, terms, corpus).ok, found[0].note


def test_a_product_with_an_affine_factor_is_found(known, corpus):
    # Offset 1: t(n) = n^2 * (2*F(n) + 1); b must divide t term by term.
    fib = evaluate(corpus.get(45), 41, corpus)
    terms = [n * n * (2 * fib[n] + 1) for n in range(1, 41)]
    found = proposals(target(known, 9, terms, offset=1), known)
    products = [c for c in found if any(op.op == "mul" and op.source.kind != 0 for op in c.program.ops)]
    assert products, [c.note for c in found]
    assert all(check_terms(c.program, terms, corpus).ok for c in found), [c.note for c in found]
    assert " * " in products[0].note


def test_new_sequences_are_combined_as_either_part(known, corpus):
    fib = evaluate(corpus.get(45), 40, corpus)
    old = {a: t for a, t in known.items() if a != 578}
    new = combine.build_matrix({578: known[578]})
    matrix = combine.build_matrix(known)
    for terms in ([f - n**3 for n, f in enumerate(fib)], [n**3 + 3 * f for n, f in enumerate(fib)]):
        t = target(known, 10, terms)
        assert not combine.combinations(t, combine.build_matrix(old), old)
        found = combine.combinations(t, matrix, known, b_side=new)
        assert found and all(x.b == 578 for x in found)
        assert all(check_terms(combine.program_for(x, t, known), terms, corpus).ok for x in found)
    assert combine.combinations(t, matrix, known, b_side=combine.build_matrix({})) == []


def test_a_constant_sequence_is_folded_into_the_constant(known, corpus):
    terms = [5 * 2**n + 10 for n in range(40)]
    found = proposals(target(known, 3, terms), known)
    assert found
    assert callees(found[0].program) == [79]  # not the constant sequence A010692
    assert check_terms(found[0].program, terms, corpus).ok


def test_the_sequences_the_name_cites_come_first(known, corpus):
    terms = [n**3 + f for n, f in enumerate(evaluate(corpus.get(45), 40, corpus))]
    plain = proposals(target(known, 4, terms), known)
    cited = proposals(target(known, 4, terms, name="a(n) = A000578(n) + A999045(n)."), known)
    assert {tuple(sorted(callees(c.program))) for c in plain} >= {(45, 578), (578, 999045)}
    assert sorted(callees(cited[0].program)) == [578, 999045]
    assert proposals(target(known, 4, terms), known, budget=1)[0].program.ops


def test_short_or_huge_or_unrelated_targets_give_nothing(known):
    assert proposals(target(known, 5, range(10)), known) == []
    assert proposals(target(known, 6, [10**20 + n for n in range(40)]), known) == []
    rng = random.Random(5)
    assert proposals(target(known, 7, [rng.randrange(10**6) for _ in range(40)]), known) == []


def test_a_wrong_candidate_is_completed_by_a_multiple_of_a_known_sequence(known, corpus):
    fib = evaluate(corpus.get(45), 40, corpus)
    terms = [n**3 + 2 * f + 1 for n, f in enumerate(fib)]
    t = target(known, 8, terms)
    wrong = parse("mov $1,$0\nmul $1,$0\nmul $0,$1\n")  # n^3 in its own words
    values = evaluate(wrong, 24, corpus)
    matrix = combine.matrix_for(SearchContext(known=known, settings={}))
    found = combine.completions(t, values, matrix, known)
    assert found and {x.c for x in found} <= {45, 999045}
    program = combine.completed(wrong, found[0], t, known)
    assert program is not None and check_terms(program, terms, corpus).ok
    assert combine.completions(t, terms[:24], matrix, known) == []  # nothing is missing
    assert combine.completed(parse("mov $$0,1\n"), found[0], t, known) is None  # cells unknown


def test_a_combination_is_evidence_only_when_its_name_cites_both_or_its_terms_carry_the_bits(tmp_path):
    cfg = config.defaults_in(tmp_path)
    program = parse("mov $1,$0\nseq $1,593\nseq $0,203\nadd $0,$1\n")
    terms = [1, 2, 3] * 10  # few bits
    one = "a(n) = sigma(2n) - sigma(n), A000203."
    both = "a(n) = A000203(n) + A000593(n)."
    assert "trust_match_bits" in reject_reason("combine", "direct", program, one, terms, {}, cfg)
    assert reject_reason("combine", "direct", program, both, terms, {}, cfg) is None
    # A completion (a model's candidate plus a known sequence) is judged as a combination.
    assert "trust_match_bits" in reject_reason("beam", "combine", program, one, terms, {}, cfg)
    # A single-sequence match is vouched for by one cited callee.
    assert reject_reason("corpus_sweep", "direct", parse("seq $0,203\nadd $0,1\n"), one, terms, {}, cfg) is None


# A054785 (sigma(2n) - sigma(n)) is A000203 + A000593; its name cites A000203 only, and its 80 known
# terms carry 499 bits.
HIDDEN = 54785


def held_out_db(folder, real_data, sample_tarball, trust_bits: float):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {203, 593}, [HIDDEN])
    cfg = config.defaults_in(folder)
    cfg["database"]["url"] = f"sqlite:///{folder / 'miner.db'}"
    cfg["mine"].update(workers=1, deep_check=False, random_seed=3, trust_match_bits=trust_bits)
    return cfg, testbed.build_db(cfg["database"]["url"], sequences, programs)


@pytest.mark.slow  # two databases built and mined: a second or two
def test_the_loop_stores_a_combination_only_past_the_trust_gate(tmp_path, real_data, sample_tarball):
    cfg, engine = held_out_db(tmp_path / "strict", real_data, sample_tarball, 600.0)
    summary = mine(cfg, ids=[HIDDEN], strategies=["combine"], engine=engine)
    assert summary.tried == 1 and summary.hits == 0  # 499 bits < 600, and A000593 is not cited
    cfg, engine = held_out_db(tmp_path / "lenient", real_data, sample_tarball, 400.0)
    summary = mine(cfg, ids=[HIDDEN], strategies=["combine"], engine=engine)
    assert summary.hits == 1
    with storage.session_scope(engine, readonly=True) as session:
        rows = {r.a_number: r for r in storage.discovered(session)}
    assert set(callees(parse(rows[HIDDEN].code))) == {203, 593}
    assert rows[HIDDEN].strategy == "combine"


# A000593 (sum of odd divisors, 351 bits) is A054785 - A000203: lacking, until A054785's program arrives.
LATER_TARGET, LATER_PROGRAM = 593, 54785


@pytest.mark.slow  # a database built and mined twice
def test_a_program_that_arrives_later_is_combined_with_every_lacking_sequence(tmp_path, real_data, sample_tarball):
    from miner.mine.context import build_context, refresh_context
    from miner.mine.loop import mine_batch

    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {203},
                                                  [LATER_TARGET, LATER_PROGRAM])
    cfg = config.defaults_in(tmp_path)
    cfg["database"]["url"] = f"sqlite:///{tmp_path / 'miner.db'}"
    cfg["mine"].update(workers=1, deep_check=False, random_seed=3, trust_match_bits=300.0)
    engine = testbed.build_db(cfg["database"]["url"], sequences, programs)
    ctx = build_context(cfg, engine)
    try:
        only = ["corpus_sweep", "combine"]
        first = mine_batch(ctx, engine, ids=[LATER_TARGET], strategies=only)
        assert first.hits == 0 and (LATER_TARGET, "combine") in ctx.state.once_done
        storage.import_corpus_programs(engine, testbed.read_corpus(sample_tarball, {LATER_PROGRAM}).items())
        assert refresh_context(ctx, engine) and ctx.state.fresh_known == {LATER_PROGRAM}
        again = mine_batch(ctx, engine, ids=[LATER_TARGET], strategies=only)
        assert {h.a_number for h in again.found} == {LATER_TARGET}
        assert not ctx.state.fresh_known
    finally:
        ctx.pool.close()
    with storage.session_scope(engine, readonly=True) as session:
        code = {r.a_number: r.code for r in storage.discovered(session)}[LATER_TARGET]
    assert set(callees(parse(code))) == {203, LATER_PROGRAM}
