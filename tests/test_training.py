"""Training on real corpus pairs: target round-trip, retrieval, split, tokenizer, a tiny T5 end to end."""

from __future__ import annotations

import json
import random
import re
from functools import partial
from math import comb
from pathlib import Path

import pytest

from miner.lang import Corpus, Limits, check_terms, evaluate, format_a_number, format_program, parse
from miner.lang.compact import TargetError, from_target, renumber, to_target
from miner.search.retrieval import name_words
from training.pairs import format_term, is_validation, make_source, source_offset, split_ids, tag_numbers

LIMITS = Limits(max_steps=200_000, max_memory=2000, max_seconds=2.0)


@pytest.fixture(scope="session")
def full_corpus(sample_tarball) -> Corpus:
    return Corpus.from_path(sample_tarball)


@pytest.fixture(scope="session")
def sample_ids(full_corpus) -> list[int]:
    """400 random A-numbers of the real corpus (fixed seed)."""
    return sorted(random.Random(5).sample(full_corpus.ids(), 400))


def test_target_round_trip_keeps_terms(full_corpus, sample_ids):
    checked = 0
    for a in sample_ids:
        program = full_corpus.get(a)
        target = to_target(program)
        back = from_target(target, program.offset)
        assert to_target(back) == target
        assert parse(format_program(back)).code() == back.code()
        if any(o.op == "seq" for o in program.code()):
            assert format_a_number(next(o for o in program.code() if o.op == "seq").source.value) in target
        if checked < 40:
            try:
                want = evaluate(program, 6, full_corpus, LIMITS)
            except Exception:
                continue
            assert evaluate(back, 6, full_corpus, LIMITS) == want, format_a_number(a)
            checked += 1
    assert checked == 40


def test_renumber_orders_cells_by_first_use():
    program = parse("mov $7,$0\nadd $3,$7\nlpb $0\n  sub $0,1\n  add $3,2\nlpe\nmov $0,$3\n")
    assert to_target(program) == "mov $1 $0 add $2 $1 lpb $0 sub $0 1 add $2 2 lpe mov $0 $2"
    indirect = parse("mov $5,1\nmov $$5,$0\nmov $0,$1\n")
    assert renumber(indirect).code() == indirect.code()


@pytest.mark.parametrize("text", ["mov", "lpb $0", "lpe", "add 1 $0", "foo $0 1", "mov $0 x", ""])
def test_from_target_rejects_broken_text(text):
    with pytest.raises(TargetError):
        from_target(text)


def test_source_is_compact_and_carries_offset():
    source = make_source("Fibonacci numbers: F(n) = F(n-1) + F(n-2).", [0, 1, 1, 2, 3, 5, -8, 10**30],
                         ["mov $0 1"], offset=1)
    assert source.startswith("o: 1 t: 0 1 1 2 3 5 -8 100000000000e31 n: fibonacci numbers :")
    assert source.endswith(" p: mov $0 1")
    assert source_offset(source) == 1


def test_a_near_miss_is_shown_as_the_first_neighbour_and_n1_inlines_it():
    from training.pairs import expand, tag_numbers, with_near_miss

    source = tag_numbers(make_source("a(n) = 7*n + A000045(n).", [1, 8, 15],
                                     ["seq $0 A000045", "mov $1 2"], examples=[("squares", "pow $0 2")]))
    shown = with_near_miss(source, "mul $0 7 add $0 1", neighbours=2)
    assert shown == source.replace("p: seq $0 A000045 p: mov $1 2", "p: mul $0 7 add $0 1 p: seq $0 A000045")
    assert shown.endswith(" s: squares x: pow $0 2")  # examples stay after the neighbours
    assert expand("N1 add $0 -1", shown) == "mul $0 7 add $0 1 add $0 -1"
    assert expand("seq $0 N2", shown) == "seq $0 A000045"
    # Shown once, even when it already is a neighbour; a prompt without neighbours gets one.
    assert with_near_miss(shown, "mul $0 7 add $0 1", neighbours=2) == shown
    assert with_near_miss("o: 0 t: 1 2 n: x", "mov $0 1", neighbours=2) == "o: 0 t: 1 2 n: x p: mov $0 1"


def test_targets_name_prompt_sequences_by_placeholder():
    from training.pairs import abstract, expand, references

    source = make_source("a(n) = A000045(2n) + A000032(n) - A000045(n).", [1, 2, 3],
                         ["add $0 1 seq $0 A027434 add $0 -1", "seq $0 A000045 mul $0 2"])
    assert references(source) == {"R1": "A000045", "R2": "A000032", "N1": "A027434", "N2": "A000045"}
    target = "mov $1 $0 seq $0 A000045 seq $1 A000032 add $0 $1 seq $0 A027434 seq $0 A000290"
    abstracted = abstract(target, source)
    assert abstracted == "mov $1 $0 seq $0 N2 seq $1 R2 add $0 $1 seq $0 N1 seq $0 A000290"
    assert expand(abstracted, source) == target
    # A whole neighbour is one word, also inside a longer program.
    assert abstract("add $0 1 seq $0 A027434 add $0 -1", source) == "N1"
    assert abstract("mov $1 $0 seq $0 A000045 mul $0 2 add $0 $1", source) == "mov $1 $0 N2 add $0 $1"
    assert expand("mov $1 $0 N2 add $0 $1", source) == "mov $1 $0 seq $0 A000045 mul $0 2 add $0 $1"
    for broken in ("seq $0 N3", "N3", "R1 add $0 1"):
        with pytest.raises(TargetError):
            expand(broken, source)
    with pytest.raises(TargetError):
        from_target("seq $0 N1")  # a placeholder is not a program until expanded


def test_name_numbers_are_tagged_and_targets_point_at_them():
    from training.pairs import Pair, expand, references, tag_numbers, tagged_pair

    source = make_source("a(n) = 16^n - 15^n + 2*16 (see A000045).", [0, 1, 31], ["seq $0 A000045 add $0 2"])
    tagged = tag_numbers(source)
    # Each distinct number from 3 up gets one tag, at every place it occurs; terms and code stay.
    assert tagged == ("o: 0 t: 0 1 31 n: a ( n ) = 16 K1 ^ n - 15 K2 ^ n + 2 * 16 K1 ( see A000045 ) . "
                      "p: seq $0 A000045 add $0 2")
    assert references(tagged) == {"R1": "A000045", "K1": "16", "K2": "15", "N1": "A000045"}
    assert tag_numbers(tagged) == tagged
    target = "mov $1 15 pow $1 $0 mov $2 16 pow $2 $0 sub $2 $1 mov $0 $2 add $0 2 sub $0 -16"
    pair = tagged_pair(Pair(61252, source, target, 7))
    assert pair.source == tagged
    # Small constants and negated ones are left alone: only a word equal to a tagged number points.
    assert pair.target == "mov $1 K2 pow $1 $0 mov $2 K1 pow $2 $0 sub $2 $1 mov $0 $2 add $0 2 sub $0 -16"
    assert expand(pair.target, pair.source) == target
    with pytest.raises(TargetError):
        expand("mov $0 K3", tagged)  # the name has two tagged numbers
    with pytest.raises(TargetError):
        expand("mov $0 K1", source)  # an untagged prompt
    many = tag_numbers(make_source(" ".join(str(n) for n in range(3, 15)), [1], []))
    assert many.endswith("n: 3 K1 4 K2 5 K3 6 K4 7 K5 8 K6 9 K7 10 K8 11 K9 12 13 14")  # nine tags at most


def test_name_keeps_a_numbers_whole_as_seq_calls_write_them():
    from miner.search.retrieval import name_words

    assert name_words("a(n) = A000045(2n) + 1; see also xa000001.") == [
        "a", "(", "n", ")", "=", "A000045", "(", "2", "n", ")", "+", "1", ";", "see", "also", "xa", "000001", "."]


def test_split_is_deterministic_and_disjoint():
    ids = list(range(1, 20001))
    train, valid = split_ids(ids, 0.05)
    assert set(train).isdisjoint(valid) and len(train) + len(valid) == len(ids)
    assert 0.04 < len(valid) / len(ids) < 0.06
    assert split_ids(reversed(ids), 0.05) == (train, valid)
    assert all(is_validation(a, 0.05) for a in valid)


def test_retrieval_maps_neighbour_under_affine_and_shift(full_corpus, sample_ids):
    from miner.search.retrieval import corpus_programs, index_for
    from training.data import corpus_sequences
    from training.evaluate import baseline_candidates

    programs = corpus_programs(full_corpus, sample_ids)
    sequences = corpus_sequences(full_corpus, sample_ids)
    index = index_for(programs, sequences)
    tested = 0
    for a in sample_ids:
        if a not in sequences or any(o.op == "seq" for o in programs[a].code()):
            continue
        _, terms, offset = sequences[a]
        if len(terms) < 20:
            continue
        # A sequence 3*x - 7 of this one's terms from its second term on, with offset 2.
        query = [3 * t - 7 for t in terms[1:20]]
        candidates = baseline_candidates(index, query, 2, 4)
        assert candidates, format_a_number(a)
        assert any(check_terms(c, query, full_corpus, LIMITS).ok for c in candidates), format_a_number(a)
        # The `seq` form the model sees computes the same as the inlined code.
        for hit in index.neighbours(query, 2, k=4):
            if len(hit.call.split()) == 3 and hit.call.startswith("mov $0 "):
                continue  # the zero sequence (A000004) as neighbour: a*x+b of it folds to a constant
            inline = check_terms(from_target(hit.target, 2), query, full_corpus, LIMITS).ok
            assert hit.call.split()[:6].count("seq") == 1 and format_a_number(hit.a_number) in hit.call.split()
            assert check_terms(from_target(hit.call, 2), query, full_corpus, LIMITS).ok == inline, hit
        tested += 1
        if tested == 5:
            break
    assert tested == 5


def test_similar_names_rank_family_members_first():
    from miner.search.retrieval import MAX_EXAMPLE_WORDS, build_index

    binomial = "mov $1 {k} bin $1 $0 mov $0 $1"
    index = build_index([
        (285198, [1, 9, 36], 0, binomial.format(k=9), "Binomial coefficients C(9,n)."),
        (17766, [1, 50, 1225], 0, binomial.format(k=50), "Binomial coefficients C(50,n)."),
        (45, [0, 1, 1, 2], 0, "mov $1 1 lpb $0 sub $0 1 add $2 $1 mov $1 $2 lpe", "Fibonacci numbers."),
        (40, [2, 3, 5, 7], 0, "seq $0 A000040", "The prime numbers."),
        (1, [1, 2, 3], 0, " ".join(["add $0 1"] * (MAX_EXAMPLE_WORDS // 3 + 1)), "Binomial coefficients."),
    ])
    # Same words: the A-number nearest the query's wins, unless the other shares a number.
    assert [e.a_number for e in index.similar("Binomial coefficients C(77, n).", k=3, near=17793)] == [17766, 285198]
    assert [e.a_number for e in index.similar("Binomial coefficients C(9, n+1).", k=3, near=17793)] == [285198, 17766]
    best = index.similar("Binomial coefficients C(77, n).", near=17793)[0]
    assert best.name == "Binomial coefficients C(50,n)." and best.target == binomial.format(k=50)
    assert best.score == pytest.approx(1.0)
    assert [e.a_number for e in index.similar("Binomial coefficients C(9,n).", k=3, exclude={285198, 17766})] == []
    assert index.similar("Decimal expansion of Pi.") == []
    assert index.similar("") == []


def test_generation_prompt_follows_the_models_settings():
    from miner.search.retrieval import build_index
    from training.generate import source_for, uses_retrieval

    # The index is needed only for what the prompt will show: neighbours need terms, templates a name.
    assert not uses_retrieval({"neighbours": 2}, "Binomial coefficients C(9,n).", [])
    assert uses_retrieval({"neighbours": 2}, "", [1, 9, 36])
    assert uses_retrieval({"neighbours": 2, "similar_names": 1}, "Binomial coefficients C(9,n).", [])
    assert not uses_retrieval({"neighbours": 0, "similar_names": 1}, "", [1, 9, 36])

    index = build_index([
        (285198, [1, 9, 36, 84, 126], 0, "mov $1 9 bin $1 $0 mov $0 $1", "Binomial coefficients C(9,n)."),
        (17793, [1, 77, 2926, 73150, 1353275], 0, "mov $1 77 bin $1 $0 mov $0 $1", "Binomial coefficients C(77,n)."),
    ])
    terms = [2, 18, 72, 168, 252]
    name = "Binomial coefficients C(9,n) times 2."
    both = source_for({"neighbours": 1, "similar_names": 1, "num_terms": 4}, name, terms, 0, index, a_number=285198)
    assert both.startswith("o: 0 t: 2 18 72 168 n: binomial")
    # The sequence itself is neither its neighbour nor its template.
    assert " p: " not in both
    assert both.endswith(" s: binomial coefficients c ( 77 , n ) . x: mov $1 77 bin $1 $0 mov $0 $1")
    other = source_for({"neighbours": 1, "similar_names": 1, "num_terms": 4}, name, terms, 0, index)
    assert " p: seq $0 A285198 sub $0 1 mul $0 2 add $0 2 s: binomial coefficients c ( 9 , n ) . x: mov $1 9" in other
    # A model trained without templates gets none; without an index, no retrieval at all.
    assert " s: " not in source_for({"neighbours": 1, "num_terms": 4}, name, terms, 0, index)
    assert source_for({"neighbours": 1, "similar_names": 1, "num_terms": 4}, name, terms) == \
        "o: 0 t: 2 18 72 168 n: " + " ".join(name_words(name))
    # A model trained with number tags gets them, at generation as in training.
    assert source_for({"num_terms": 4, "number_tags": True}, name, terms) == \
        "o: 0 t: 2 18 72 168 n: binomial coefficients c ( 9 K1 , n ) times 2 ."


def test_prompt_shows_similar_names_program_and_trains_on_its_edit(full_corpus, monkeypatch):
    import training.data
    from miner.search.retrieval import corpus_programs
    from training.data import build_dataset, corpus_sequences, make_pairs
    from training.pairs import references, source_terms

    family = [a for a in range(17765, 17800) if full_corpus.text(a)]
    subset = Corpus({a: full_corpus.text(a) for a in family}, origin="binomial family")
    data = build_dataset(subset, num_terms=8, neighbours=1, similar_names=1, valid_fraction=0.0, max_length=2)
    pair = next(p for p in data.train if p.a_number == 17793)
    # The nearest A-number of the family is shown, with its code to edit; the 3-operation own
    # program is kept despite max_length=2 because it is an edit of that template.
    assert " s: binomial coefficients c ( 76 , n ) . x: mov $1 76 bin $1 $0 mov $0 $1" in pair.source
    assert pair.kind == "edit" and pair.target == "mov $1 77 bin $1 $0 mov $0 $1"
    assert source_terms(pair.source) == tuple(str(comb(77, n)) for n in range(8))
    assert "N2" not in references(pair.source) and all(k[0] in "NR" for k in references(pair.source))
    best = data.index.similar("Binomial coefficients C(77, n).", exclude={17793}, near=17793)[0]
    assert best.a_number in (17792, 17794)
    # Training drops edits too long for the target length; validation keeps every sequence.
    monkeypatch.setattr(training.data, "MAX_EDIT_WORDS", 5)
    kw = dict(num_terms=8, index=data.index, neighbours=1, examples=1, corpus=subset)
    programs, sequences = corpus_programs(subset), corpus_sequences(subset)
    assert 17793 not in {p.a_number for p in make_pairs(programs, sequences, max_length=2, **kw)}
    assert 17793 in {p.a_number for p in make_pairs(programs, sequences, **kw)}


def test_matched_programs_come_first_in_the_prompt_and_are_copied(full_corpus):
    from training.data import build_dataset, corpus_sequences, matched_by_sequence
    from training.generate import source_for

    # Square pyramidal numbers (A000330) are partial sums of the squares (A000290): no a*x+b of a
    # prefix, so the retrieval index cannot offer it; the corpus sweep's partial-sum matcher can.
    ids = [27, 290, 330, 217, 1477, 45, 71, 79, 225]
    subset = Corpus({a: full_corpus.text(a) for a in ids}, origin="partial sums")
    matcher = _sweep()
    plain = build_dataset(subset, num_terms=8, neighbours=2, valid_fraction=0.0)
    assert "A000290" not in next(p for p in plain.train if p.a_number == 330).source
    data = build_dataset(subset, num_terms=8, neighbours=2, valid_fraction=0.0, matcher=matcher)
    pair = next(p for p in data.train if p.a_number == 330)
    first = pair.source.split(" p: ")[1]
    assert "seq $0 A000290" in first and "lpb" in first
    assert pair.kind == "copy" and pair.target == "N1"
    # Shortest transform first; a sequence is never its own match.
    found = matcher(corpus_sequences(subset), corpus_sequences(subset))
    assert 217 not in found[217] and len(found[217]) >= 2
    hits = matched_by_sequence(found)[217]
    assert [len(h.target.split()) for h in hits] == sorted(len(h.target.split()) for h in hits)
    assert matched_by_sequence({5: ["mov $0,", "mov $0,1"]}) == {}  # unparsable or calling nothing: skipped
    # Generation builds the same prompt when the model was trained so, and ignores them otherwise.
    name, terms, offset = corpus_sequences(subset)[330]
    meta = {"neighbours": 2, "num_terms": 8, "matched_neighbours": True}
    assert source_for(meta, name, terms, offset, data.index, 330, matched=found[330]) == pair.source
    meta["matched_neighbours"] = False
    assert "A000290" not in source_for(meta, name, terms, offset, data.index, 330, matched=found[330])
    # A verified hit of the same sequence (retraining) gets the same prompt and target.
    from datetime import datetime

    from storage.records import DiscoveredRow
    from training.data import hit_pairs

    row = DiscoveredRow(330, name, list(terms), format_program(subset.get(330)), datetime(2026, 1, 1), None,
                        "beam", 0, 1.0, len(terms), 3)
    kw = dict(num_terms=8, index=data.index, neighbours=2, corpus=subset)
    [hit] = hit_pairs([row], 0.0, matcher=matcher, known=data.known, **kw)
    assert (hit.source, hit.target) == (pair.source, pair.target)
    assert "A000290" not in hit_pairs([row], 0.0, **kw)[0].source
    # A replay sample (retraining) pairs a few sequences with the prompts the whole split gives them.
    sample = build_dataset(subset, num_terms=8, neighbours=2, valid_fraction=0.0, matcher=matcher,
                           train_sample=3, seed=4)
    assert 0 < len(sample.train) <= 3 and len(sample.index) == len(data.index)
    full = {p.a_number: (p.source, p.target) for p in data.train}
    assert all(full[p.a_number] == (p.source, p.target) for p in sample.train)


def test_a_name_a_reader_compiles_is_taught_the_readers_program(full_corpus):
    from miner.core.config import MineConfig
    from training.data import build_dataset, corpus_sequences

    # "a(n) = 11*n + 3." and a 16-operation formula (longer than the 8 operations of its corpus program,
    # unlike the name, and too long to teach);
    # "The nonnegative integers." states no formula a reader compiles: it keeps its own program.
    ids = [17425, 332118, 1477]
    subset = Corpus({a: full_corpus.text(a) for a in ids}, origin="formulas")
    sequences = corpus_sequences(subset)
    plain = {p.a_number: p for p in build_dataset(subset, num_terms=8, neighbours=0, valid_fraction=0.0,
                                                   max_length=6).train}
    assert plain[17425].kind == "own" and 332118 not in plain  # too long an own program to teach
    budgets = MineConfig().budget
    read = {p.a_number: p for p in build_dataset(subset, num_terms=8, neighbours=0, valid_fraction=0.0,
                                                  max_length=6, readers=budgets).train}
    assert read[1477].kind == plain[1477].kind == "own" and read[1477].target == plain[1477].target
    for a in (17425, 332118):
        pair = read[a]
        assert pair.kind == "reader"
        _, terms, offset = sequences[a]
        program = from_target(pair.target, offset)
        assert check_terms(program, list(terms), subset, LIMITS).matched == len(terms)
    # Optimized, the reader writes 11*n + 3 as the corpus does; the long formula is not the corpus's program.
    assert read[17425].target == to_target(subset.get(17425)) == "mul $0 11 add $0 3"
    assert read[332118].target != to_target(subset.get(332118))
    # The name's own numbers are in the target, as the name writes them.
    assert read[17425].target.split().count("11") == 1 and "3" in read[17425].target.split()


def _sweep():
    """The matcher the CLI gives training: the miner's corpus sweep with the default settings."""
    from miner.core import config
    from miner.search.corpus_sweep import sweep_texts

    return partial(sweep_texts, settings=config.load(None)["search"])


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, full_corpus, sample_ids):
    """A tiny T5 trained for 30 steps on ~300 real pairs with retrieval-augmented sources."""
    from training.data import build_dataset
    from training.train import TrainSettings, train

    subset = Corpus({a: full_corpus.text(a) for a in sample_ids}, origin="sample")
    data = build_dataset(subset, num_terms=12, neighbours=1, similar_names=1, valid_fraction=0.1,
                         matcher=_sweep())
    out = tmp_path_factory.mktemp("tiny-run")
    settings = TrainSettings(preset="tiny", batch_size=16, max_steps=30, warmup_steps=5, vocab_size=600,
                             max_source_len=96, max_target_len=64, log_every=10)
    model_dir = train(out, settings, train_pairs=data.train, valid_pairs=data.valid,
                      meta={"num_terms": 12, "neighbours": 1, "similar_names": 1, "matched_neighbours": True})
    return model_dir, data, subset


def test_tiny_model_trains_saves_loads_and_generates(tiny_run):
    from training.generate import generate, generate_targets
    from training.model import load

    model_dir, data, _ = tiny_run
    assert len(data.train) > 250 and data.valid
    assert all(p.source.split().count("p:") <= 1 for p in data.train)
    assert sum(p.source.split().count("p:") for p in data.train) > 30
    loaded = load(model_dir, threads=1)
    assert loaded.meta["step"] == 30 and loaded.meta["preset"] == "tiny"
    sources = [p.source for p in data.valid[:3]]
    raw = generate_targets(loaded, sources, 4)
    assert [len(r) for r in raw] == [4, 4, 4]
    out = generate(loaded, sources, 4)
    assert len(out) == 3
    for source, programs in zip(sources, out):
        assert len(programs) == len(set(programs)) <= 4
        for text in programs:
            program = parse(text)  # every returned candidate parses
            assert program.offset == source_offset(source)
    sampled = generate(loaded, sources[:1], 3, mode="sample", temperature=1.0)
    assert len(sampled) == 1 and len(sampled[0]) <= 3


def test_evaluate_reports_rates_and_baseline(tiny_run, full_corpus):
    from miner.search.retrieval import corpus_programs, index_for
    from training.data import corpus_sequences
    from training.evaluate import EVAL_LIMITS
    from training.evaluate import evaluate as evaluate_model
    from training.model import load

    model_dir, data, subset = tiny_run
    sequences = corpus_sequences(subset)
    train_ids = [p.a_number for p in data.train]
    index = index_for(corpus_programs(subset, train_ids), sequences)
    valid = data.valid[:6]
    # The sweep's candidates: the validation sequences' own programs, as if the sweep had found them,
    # for all but the first; a wrong program for the first.
    sweep = {p.a_number: [full_corpus.text(p.a_number)] for p in valid[1:]}
    sweep[valid[0].a_number] = ["mov $0,-7\n"]
    metrics = evaluate_model(load(model_dir), valid, sequences, full_corpus, k=4, index=index,
                             searches={"sweep": sweep})
    assert metrics["sequences"] == 6
    for key in ("valid_program_rate", "exact_match_rate", "solve_rate", "sequence_match_rate",
                "baseline_solve_rate", "combined_solve_rate", "sweep_solve_rate", "retrieval_solve_rate",
                "pipeline_solve_rate", "model_only_solve_rate"):
        assert 0.0 <= metrics[key] <= 1.0, key
    assert metrics["combined_solve_rate"] >= max(metrics["solve_rate"], metrics["baseline_solve_rate"])
    # Own programs calling other validation sequences fail with those hidden; the rest solve.
    own_ok = sum(check_terms(full_corpus.text(p.a_number), sequences[p.a_number][1],
                             full_corpus.without(q.a_number for q in valid), EVAL_LIMITS).ok
                 for p in valid[1:])
    assert metrics["sweep_solve_rate"] == pytest.approx(own_ok / 6)
    assert metrics["retrieval_solve_rate"] >= max(metrics["sweep_solve_rate"], metrics["baseline_solve_rate"])
    assert metrics["pipeline_solve_rate"] >= metrics["retrieval_solve_rate"]
    assert metrics["pipeline_solve_rate"] == pytest.approx(metrics["retrieval_solve_rate"]
                                                           + metrics["model_only_solve_rate"])
    assert metrics["generation_seconds_per_sequence"] > 0


def test_registry_promotes_only_when_not_worse(tmp_path):
    from storage.db import connect, session_scope
    from storage.runs import promoted_model
    from training.registry import register

    engine = connect(f"sqlite:///{tmp_path / 'reg.db'}")
    first, outcome = register(engine, "m1", "tiny", 10, {"solve_rate": 0.2, "validation_key": "v"})
    assert outcome == "promoted"
    _, outcome = register(engine, "m2", "tiny", 10, {"solve_rate": 0.1, "validation_key": "v"})
    assert outcome == "kept"
    third, outcome = register(engine, "m3", "tiny", 10, {"solve_rate": 0.2, "validation_key": "v"})
    assert outcome == "promoted"
    # Another validation set: the current model is re-measured on it before comparing.
    _, outcome = register(engine, "m4", "tiny", 10, {"solve_rate": 0.3, "validation_key": "w"},
                          evaluate_current=lambda path: {"solve_rate": 0.35})
    assert outcome == "kept"
    with session_scope(engine) as session:
        assert promoted_model(session).id == third


def test_a_model_not_worse_on_validation_goes_on_trial_and_keeps_its_files(tmp_path):
    from storage.db import connect, session_scope
    from storage.runs import model_files, model_on_trial, model_versions, promoted_model
    from training.registry import register

    engine = connect(f"sqlite:///{tmp_path / 'reg.db'}")
    folder = tmp_path / "m2"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    current, outcome = register(engine, "m1", "tiny", 10, {"solve_rate": 0.2, "validation_key": "v"}, trial=True)
    assert outcome == "promoted"  # nothing in use: no trial to run
    worse, outcome = register(engine, "m-worse", "tiny", 10, {"solve_rate": 0.1, "validation_key": "v"}, trial=True)
    assert outcome == "kept"
    candidate, outcome = register(engine, str(folder), "tiny", 10, {"solve_rate": 0.2, "validation_key": "v"},
                                  trial=True)
    assert outcome == "trial"
    with session_scope(engine) as session:
        assert promoted_model(session).id == current
        assert model_on_trial(session).id == candidate
        assert model_files(session, candidate) == {"config.json": b"{}"}  # the fleet's miners load it
    # A newer model on trial ends the older one's trial, as lost.
    newer, outcome = register(engine, "m3", "tiny", 10, {"solve_rate": 0.3, "validation_key": "v"}, trial=True)
    with session_scope(engine) as session:
        trials = {v.id: v.trial for v in model_versions(session)}
    assert outcome == "trial" and trials == {current: None, worse: None, candidate: "lost", newer: "running"}
    with session_scope(engine) as session:
        assert model_files(session, candidate) == {}


def test_trial_verdict_needs_both_sides_mined_and_strictly_more_hits_per_cpu_second():
    from training.registry import trial_verdict

    hour = 3600.0
    assert trial_verdict((5, 3000.0), (1, 9000.0), hour) is None  # the candidate has not mined an hour yet
    assert trial_verdict((5, 4000.0), (1, 9000.0), hour) == "won"
    assert trial_verdict((2, 4000.0), (2, 4000.0), hour) == "lost"  # as good is not better
    assert trial_verdict((0, 4000.0), (0, 4000.0), hour) == "lost"
    assert trial_verdict((1, 4000.0), (3, 9000.0), hour) == "lost"
    assert trial_verdict((3, 100.0), (0, 50.0), hour) is None
    assert trial_verdict((3, 100.0), (0, 50.0), hour, expired=True) == "won"  # decided on what it has
    assert trial_verdict((0, 0.0), (0, 0.0), hour, expired=True) == "lost"


@pytest.mark.slow  # over a second: the full tier
def test_a_20_step_smoke_model_is_never_promoted_over_the_bundled_one(tmp_path, full_corpus, sample_ids):
    from storage.db import connect, session_scope
    from storage.runs import model_versions, promoted_model
    from training.data import build_dataset
    from training.evaluate import evaluate_folder
    from training.registry import register
    from training.train import TrainSettings, train

    subset = Corpus({a: full_corpus.text(a) for a in sample_ids}, origin="sample")
    data = build_dataset(subset, num_terms=16, neighbours=2, valid_fraction=0.1, matcher=_sweep(),
                         number_tags=True)
    settings = TrainSettings(preset="tiny", batch_size=16, max_steps=20, warmup_steps=5, vocab_size=600,
                             max_source_len=128, max_target_len=64)
    model_dir = train(tmp_path / "smoke", settings, train_pairs=data.train, valid_pairs=data.valid,
                      meta={"num_terms": 16, "neighbours": 2, "matched_neighbours": True, "number_tags": True})
    valid = data.valid[:12]

    def measure(path):
        return evaluate_folder(path, subset, k=8, valid=valid)

    metrics = measure(model_dir)
    engine = connect(f"sqlite:///{tmp_path / 'reg.db'}")
    # An empty registry: the bundled model (baseline "") is measured on the same set and stays in use.
    smoke, outcome = register(engine, str(model_dir), "tiny", len(data.train), metrics,
                              evaluate_current=measure, baseline="", trial=True)
    assert outcome == "kept"
    with session_scope(engine) as session:
        current = promoted_model(session)
        versions = model_versions(session)
    assert current.path == "" and current.preset == "small"  # "" loads the bundled model everywhere
    assert current.metrics["validation_key"] == metrics["validation_key"]
    assert current.metrics["solve_rate"] > metrics["solve_rate"]
    assert [v.id for v in versions if not v.promoted] == [smoke]
    # Next time the bundled model's stored measure is the bar; without a way to re-measure it on
    # another set nothing is promoted.
    _, outcome = register(engine, "m2", "tiny", 10, {**metrics, "solve_rate": 0.0}, baseline="")
    assert outcome == "kept"
    _, outcome = register(engine, "m3", "tiny", 10, {"solve_rate": 1.0, "validation_key": "other"},
                          baseline="")
    assert outcome == "kept"
    better, outcome = register(engine, "m4", "tiny", 10, {**metrics, "solve_rate": 1.0}, baseline="")
    assert outcome == "promoted"
    with session_scope(engine) as session:
        assert promoted_model(session).id == better


def test_tokenizer_keeps_small_terms_whole(tiny_run):
    from training.tokenizer import load_tokenizer

    model_dir, data, _ = tiny_run
    tok = load_tokenizer(model_dir)
    for word in ("mov", "$0", "lpb", "1", "0"):
        assert len(tok.encode(word).ids) == 1, word


def test_finetune_continues_on_hits_with_replay(tiny_run, full_corpus, tmp_path):
    from datetime import datetime

    from storage.records import DiscoveredRow
    from training.data import hit_pairs
    from training.model import load
    from training.pairs import is_validation
    from training.train import TrainSettings, finetune

    model_dir, data, subset = tiny_run
    rows = []
    for a in subset.ids()[:40]:
        text = subset.text(a)
        from miner.lang import read_header
        header = read_header(text)
        rows.append(DiscoveredRow(a, header.name, header.terms, format_program(subset.get(a)),
                                  datetime(2026, 1, 1), None, "beam", 0, 1.0, len(header.terms), 3))
    hits = hit_pairs(rows, 0.1, num_terms=12)
    assert hits and all(not is_validation(p.a_number, 0.1) for p in hits)
    assert len(hits) < len(rows)  # the validation-split ones were left out
    settings = TrainSettings(preset="tiny", batch_size=8, vocab_size=600, max_source_len=96,
                             max_target_len=64, log_every=5)
    tuned = finetune(model_dir, tmp_path / "ft", hits, data.train, settings, replay_ratio=2.0, steps=6)
    loaded = load(tuned)
    assert loaded.meta["step"] == 6 and loaded.meta["continued_from"] == str(model_dir)
    assert loaded.meta["finetune_hits"] == len(hits) and loaded.meta["finetune_replay"] == 2 * len(hits)
    # The tokenizer is kept; placeholder kinds the tiny one has no whole token for become new tokens.
    old, new = load(model_dir).tokenizer.get_vocab(), loaded.tokenizer.get_vocab()
    assert old.items() <= new.items()
    assert all(re.fullmatch(r"[NRK]\d(</w>)?", token) for token in new.keys() - old.keys())
    # An epoch limit ends a round on few hits early: a quarter pass over hits and replay, not 100 steps.
    mixed = len(hits) + 2 * len(hits)
    short = load(finetune(model_dir, tmp_path / "ft2", hits, data.train, settings, replay_ratio=2.0, steps=100,
                          epochs=0.25))
    assert short.meta["step"] == -(-mixed // 32) < 100


def test_hits_train_with_the_number_tags_of_the_model_they_continue():
    from datetime import datetime

    from storage.records import DiscoveredRow
    from training.data import hit_pairs

    row = DiscoveredRow(88620, "a(n) = 42 * binomial(n, 10).", [0] * 10 + [42, 462, 2772], "bin $0,10\nmul $0,42\n",
                        datetime(2026, 1, 1), None, "beam", 0, 1.0, 13, 2)
    assert not is_validation(row.a_number, 0.02)
    plain, = hit_pairs([row], 0.02, num_terms=12)
    tagged, = hit_pairs([row], 0.02, num_terms=12, number_tags=True)
    assert plain.target == "bin $0 10 mul $0 42" and " K1 " not in plain.source
    assert tagged.target == "bin $0 K2 mul $0 K1" and "= 42 K1 * binomial ( n , 10 K2 )" in tagged.source


def test_continuing_a_model_on_number_tagged_pairs_grows_its_vocabulary(tiny_run, tmp_path):
    from training.generate import generate, source_for, to_loda
    from training.model import load
    from training.pairs import tagged_pair
    from training.train import TrainSettings, train

    model_dir, data, _ = tiny_run
    before = load(model_dir)
    tagged = [tagged_pair(p) for p in data.train]
    assert any(" K1 " in p.source for p in tagged) and any("K1" in p.target.split() for p in tagged)
    settings = TrainSettings(preset="tiny", batch_size=8, max_steps=4, warmup_steps=1, vocab_size=600,
                             max_source_len=96, max_target_len=64, log_every=2)
    tuned = load(train(tmp_path / "tags", settings, train_pairs=tagged, valid_pairs=[tagged_pair(p) for p in data.valid],
                       init_model_dir=model_dir, meta={"number_tags": True}))
    size = tuned.tokenizer.get_vocab_size()
    assert size > before.tokenizer.get_vocab_size()
    assert tuned.model.get_input_embeddings().weight.shape[0] == size == tuned.model.config.vocab_size
    assert tuned.meta["number_tags"] and tuned.meta["step"] == 4
    source = source_for(tuned.meta, "a(n) = binomial(n, 10).", [0, 0, 0], 0)
    assert source.endswith("binomial ( n , 10 K1 ) .")
    assert to_loda("bin $0 K1", source) == "bin $0,10\n"
    assert all(parse(text) for text in generate(tuned, [source], 3)[0])


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory, full_corpus, sample_ids):
    """The sample programs as a loda-programs folder (oeis/NNN/ANNNNNN.asm)."""
    root = tmp_path_factory.mktemp("programs")
    for a in sample_ids:
        path = root / "oeis" / f"{a // 1000:03d}" / f"{format_a_number(a)}.asm"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(full_corpus.text(a))
    return root


@pytest.mark.slow  # over a second: the full tier
def test_cli_generate_and_evaluate_model(tiny_run, sample_folder, tmp_path, capsys):
    from miner.cli import main

    model_dir, _, _ = tiny_run
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp_path}"\n[log]\nlevel = "warning"\n')
    rc = main(["--config", str(config), "generate", "Fibonacci numbers", "--terms", "0,1,1,2,3,5",
               "--k", "3", "--model", str(model_dir), "--corpus", str(sample_folder)])
    out = capsys.readouterr().out
    assert rc == 0
    marks = [line for line in out.splitlines() if line.startswith("# ")]
    assert len(marks) <= 3 and all(line.endswith("/6 terms") for line in marks)
    rows_file = tmp_path / "rows.jsonl"
    rc = main(["--config", str(config), "evaluate-model", "--model", str(model_dir), "--k", "2",
               "--limit", "3", "--json", "--save", "--corpus", str(sample_folder), "--rows", str(rows_file)])
    metrics = json.loads(capsys.readouterr().out)
    assert rc == 0 and metrics["sequences"] == 3 and metrics["k"] == 2
    assert 0.0 <= metrics["baseline_solve_rate"] <= 1.0
    assert metrics["pipeline_solve_rate"] >= max(metrics["solve_rate"], metrics["sweep_solve_rate"])
    assert json.loads((Path(model_dir) / "training.json").read_text())["metrics"] == metrics
    # One row per sequence, and the rows add up to the rates.
    rows = [json.loads(line) for line in rows_file.read_text().splitlines()]
    assert len({r["a_number"] for r in rows}) == 3 and all(r["name"] for r in rows)
    assert sum(r["model_rank"] > 0 for r in rows) / 3 == metrics["solve_rate"]
    assert sum(r["model_rank"] == 1 for r in rows) / 3 == metrics["sequence_match_rate"]
    for name in ("baseline", "sweep", "family"):
        assert sum(r[name] for r in rows) / 3 == metrics[f"{name}_solve_rate"]
    rc = main(["--config", str(config), "generate", "x", "--terms", "1,a", "--model", str(model_dir)])
    assert rc == 2


def test_synthetic_pairs_build_on_a_seq_call_with_the_changed_terms(full_corpus, sample_ids):
    from miner.search.retrieval import corpus_programs
    from training.pairs import expand, source_offset
    from training.synthetic import synthetic_pairs

    pairs = synthetic_pairs(corpus_programs(full_corpus, sample_ids), 30, num_terms=10, seed=3)
    assert len(pairs) == 30
    for p in pairs:
        words = p.source.split()
        terms = words[words.index("t:") + 1:words.index("n:")]
        program = from_target(expand(p.target, p.source), source_offset(p.source))
        assert [format_term(t) for t in evaluate(program, 10, full_corpus, LIMITS)] == terms
        shown = p.source.split("p: ", 1)[1]
        assert shown == f"seq $0 {format_a_number(p.a_number)}" and "N1" in p.target.split() and shown != p.target


def test_bundle_copies_model_with_card(tiny_run, tmp_path):
    from training.model import bundle, load

    model_dir, _, _ = tiny_run
    out = bundle(model_dir, tmp_path / "bundled")
    card = (out / "README.md").read_text()
    assert "preset: `tiny`" in card and "30 optimizer steps" in card
    assert load(out).meta["step"] == 30
    # The hand-written experiment history of the card survives the next bundle; the rest is regenerated.
    (out / "README.md").write_text("old card\n\n## Experiment history\n\n- a run that did not help\n")
    card = (bundle(model_dir, out) / "README.md").read_text()
    assert "old card" not in card and card.endswith("\n## Experiment history\n\n- a run that did not help\n")


@pytest.mark.slow  # over a second: the full tier
def test_retrain_finetunes_on_stored_hits_and_registers(tiny_run, sample_folder, tmp_path):
    from miner.core import config as config_mod
    from miner.lang import read_header
    from storage.db import connect, session_scope
    from storage.programs import store_hit
    from storage.records import Hit, SequenceRecord
    from storage.runs import model_versions
    from storage.sequences import apply_refresh
    from training.registry import register
    from training.retrain import retrain

    model_dir, _, subset = tiny_run
    engine = connect(f"sqlite:///{tmp_path / 'miner.db'}")
    ids = subset.ids()[:60]
    records = []
    for a in ids:
        header = read_header(subset.text(a))
        records.append(SequenceRecord(a, header.name, header.terms, subset.get(a).offset))
    apply_refresh(engine, records)
    for a in ids:
        store_hit(engine, Hit(a, format_program(subset.get(a)), "beam"))
    register(engine, str(model_dir), "tiny", 10, {"solve_rate": 0.0, "validation_key": "other"})
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp_path}"\n[train]\nfinetune_steps = 4\neval_k = 2\n'
                      'eval_limit = 3\nbatch_size = 8\nmax_source_len = 96\nmax_target_len = 64\n')
    cfg = config_mod.load(config)
    model_id, outcome = retrain(engine, Corpus.from_path(sample_folder), cfg, matcher=_sweep())
    with session_scope(engine) as session:
        versions = model_versions(session)
    assert [v.id for v in versions][-1] == model_id and len(versions) == 2
    new, current = versions[-1], versions[0]
    # Not worse on validation (the current one re-measured on its set): on trial beside the current model
    # (by default), never promoted at once; else kept out.
    assert outcome in ("trial", "kept")
    assert new.trial == ("running" if outcome == "trial" else None) and current.promoted and not new.promoted
    assert 0 < new.train_pairs <= 60 and new.metrics["sequences"] == 3
    assert (Path(new.path) / "model.safetensors").is_file()
    # The round's optimizer state is never resumed: gone once the model is registered.
    assert not any(p.name.startswith("checkpoint") for p in Path(new.path).parent.iterdir())
    # No hits since: nothing to fine-tune on, and no run folder is made.
    from storage.schema import utcnow

    runs = sorted((tmp_path / "runs").iterdir())
    assert retrain(engine, Corpus.from_path(sample_folder), cfg, since=utcnow(), matcher=_sweep()) is None
    assert sorted((tmp_path / "runs").iterdir()) == runs


def test_old_finetuning_runs_are_pruned_but_never_a_model_in_use(tmp_path):
    import os
    import time

    from training.retrain import prune_runs

    def run(name: str, finished: bool = True, age: float = 0.0) -> Path:
        folder = tmp_path / name
        (folder / "checkpoint").mkdir(parents=True)
        (folder / "checkpoint" / "state.pt").write_bytes(b"x")
        if finished:
            (folder / "model").mkdir()
            (folder / "model" / "model.safetensors").write_bytes(b"w")
        if age:
            os.utime(folder, (time.time() - age, time.time() - age))
        return folder

    promoted = run("finetune-20260101-000000")
    old = [run(f"finetune-2026010{d}-000000") for d in (2, 3)]
    newest = [run(f"finetune-2026020{d}-000000") for d in (1, 2)]
    working = run("finetune-20260301-000000", finished=False)
    crashed = run("finetune-20260102-120000", finished=False, age=3 * 24 * 3600)
    user_run = run("small-20250101-000000")
    deleted = prune_runs(tmp_path, {promoted / "model"}, keep=2)
    assert sorted(deleted) == sorted([*old, crashed])
    assert all(not p.exists() for p in deleted)
    assert (promoted / "model" / "model.safetensors").is_file() and not (promoted / "checkpoint").exists()
    assert all((p / "model").is_dir() and not (p / "checkpoint").exists() for p in newest)
    # A run still training keeps everything; runs not made by retraining are the user's.
    assert (working / "checkpoint" / "state.pt").is_file() and (user_run / "checkpoint").is_dir()
    assert prune_runs(tmp_path / "missing", set(), keep=0) == []


def test_training_modules_import_without_torch():
    import subprocess
    import sys

    code = ("import sys, training, training.pairs, miner.search.retrieval, training.targets, training.data, "
            "training.evaluate, training.registry, miner.cli.model; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_generation_never_writes_placeholders_the_prompt_cannot_resolve():
    from training.generate import _unresolvable
    from training.tokenizer import train_tokenizer

    tok = train_tokenizer(["N1 N2 R1 R2 seq $0 add mov"] * 20, vocab_size=120)
    ids = {w: tok.token_to_id(f"{w}</w>") for w in ("N1", "N2", "R1", "R2")}
    one_neighbour = make_source("Squares.", [0, 1, 4], ["seq $0 A000290"])
    named = make_source("a(n) = A000045(n) + 1.", [1, 2, 2], ["seq $0 A000045 add $0 1", "mov $0 1"])
    banned = _unresolvable(tok, [one_neighbour, named])
    assert sorted(banned[0]) == sorted([ids["N2"], ids["R1"], ids["R2"]])
    assert banned[1] == [ids["R2"]]
    tags = train_tokenizer(["N1 R1 K1 K2 mov $0 add 9 K1"] * 20, vocab_size=120)
    one_number = tag_numbers(make_source("a(n) = 9*n + 1.", [1, 10, 19], []))
    assert _unresolvable(tags, [one_number]) == [[tags.token_to_id(w + "</w>") for w in ("N1", "R1", "K2")]]


def test_tokenizer_grows_whole_word_tokens_and_keeps_its_ids():
    from training.tokenizer import decode, single_token, train_tokenizer, with_words

    tok = train_tokenizer(["mov $0 1 add $0 $1 N1 R1 n: a ( n ) = 16 ^ n"] * 20, vocab_size=120)
    assert not single_token(tok, "K1")
    grown = with_words(tok, ["K1", "K2", "N1", "mov"])
    text = "mov $0 K1 add $0 K2 N1 n: a ( n ) = 16 K1 ^ n"
    ids = grown.encode(text).ids
    assert single_token(grown, "K1") and single_token(grown, "K2")
    assert decode(grown, ids) == text  # new tokens end words like the learned ones
    assert grown.get_vocab_size() > tok.get_vocab_size()
    assert min(grown.token_to_id(w + "</w>") for w in ("K1", "K2")) >= tok.get_vocab_size()  # appended
    assert grown.encode("mov $0 1 N1").ids == tok.encode("mov $0 1 N1").ids
    assert with_words(grown, ["K1", "mov"]) is grown


def test_only_placeholder_kinds_new_to_a_tokenizer_grow_it():
    from training.pairs import Pair
    from training.tokenizer import single_token, train_tokenizer
    from training.train import new_placeholders

    tok = train_tokenizer(["mov $0 1 add $0 $1 N1 N2 R1 R2 n: a ( n )"] * 20, vocab_size=120)
    assert not single_token(tok, "R7")
    pairs = [Pair(1, "N1 R7 n: a ( n ) = 16 K1 ^ n", "mov $0 K1 seq $0 R7", 2), Pair(2, "R1 n: 1", "mov $0 1", 1)]
    assert new_placeholders(tok, pairs) == {"K1"}  # R7 keeps its pieces: R is a kind the model knows
    assert new_placeholders(tok, [Pair(3, "R7 n: a ( n )", "seq $0 R7", 1)]) == set()  # known from the tokenizer


def test_compiled_formulas_compute_what_plain_arithmetic_does(full_corpus):
    from miner.lang.compact import to_target
    from training.formulas import Expr, N, compile_expr, num, value_of

    cases = [
        (Expr("pow", (Expr("add", (Expr("mul", (N, num(8))), num(3))), num(3))), "mul $0 8 add $0 3 pow $0 3"),
        (Expr("sub", (num(11), N)), "mov $1 $0 mov $0 11 sub $0 $1"),
        (Expr("seq", (Expr("sub", (Expr("mul", (N, num(8))), num(4))),), 40), "mul $0 8 sub $0 4 seq $0 A000040"),
        (Expr("div", (Expr("mul", (N, Expr("add", (N, num(1))))), num(2))), None),  # n twice: computed in $1
        (Expr("sub", (Expr("pow", (num(2), Expr("add", (N, num(1))))), Expr("pow", (N, num(2))))), None),
        (Expr("bin", (num(20), N)), None),
    ]
    for expr, want in cases:
        for offset in (1, 2):
            program = compile_expr(expr, offset)
            if want is not None:
                assert to_target(program) == want
            terms = evaluate(program, 12, full_corpus, LIMITS)
            primes = evaluate("#offset 1\nseq $0,40\n", 100, full_corpus, LIMITS)
            assert terms == [value_of(expr, n, lambda a, k: primes[k - 1]) for n in range(offset, offset + 12)]


def test_rendered_formula_names_read_back_by_the_miners_formula_compiler():
    from miner.search.formula import programs_from_name
    from training.formulas import compile_expr, name_of, random_expr

    rng = random.Random(11)
    parsed = agreed = 0
    for _ in range(150):
        expr = random_expr(rng, [], depth=rng.choice((1, 2, 3)))
        if expr.op == "n":
            continue
        name = name_of(expr, rng)
        try:
            want = evaluate(compile_expr(expr, 1), 10, None, LIMITS)
        except Exception:
            continue
        programs = programs_from_name(name, 1)
        if not programs:
            continue
        parsed += 1
        got = []
        for program in programs:
            try:
                got.append(evaluate(program, 10, None, LIMITS))
            except Exception:
                continue
        agreed += want in got
        assert want in got, name
    assert parsed >= 80 and agreed == parsed


def test_formula_pairs_reproduce_their_terms_and_name_callees_by_placeholder(full_corpus):
    from training.data import corpus_sequences
    from training.formulas import NAMED, formula_pairs
    from training.pairs import expand, source_offset, source_terms

    callees = sorted(NAMED) + [27, 290, 7318]
    sequences = corpus_sequences(full_corpus, callees)
    pairs = formula_pairs(full_corpus, sequences, 60, callees=callees, num_terms=10, seed=2)
    assert len(pairs) == 60 and all(p.kind == "formula" for p in pairs)
    assert any("seq" in p.target for p in pairs)
    for p in pairs:
        program = from_target(expand(p.target, p.source), source_offset(p.source))
        assert tuple(format_term(t) for t in evaluate(program, 10, full_corpus, LIMITS)) == source_terms(p.source)
        name = p.source.split("n:", 1)[1]
        for a in re.findall(r"A\d{6}", name):
            assert a not in p.target  # the name's A-numbers are R1, R2... in the target


@pytest.mark.slow
def test_generated_pairs_never_share_terms_with_a_validation_sequence(full_corpus):
    from miner.search.retrieval import corpus_programs
    from training.data import build_dataset, corpus_sequences, formula_callees
    from training.formulas import NAMED, formula_pairs
    from training.pairs import source_terms, split_ids

    # Simple formula sequences (n, 2n, n^2, 2^n, ...) that random formulas hit, half held out.
    simple = [27, 290, 5843, 79, 217, 1477, 8585, 578, 5408, 1045, 2378, 8586, 16754, 4526, 244]
    ids = sorted(set(simple) | set(NAMED))
    subset = Corpus({a: full_corpus.text(a) for a in ids}, origin="simple")
    data = build_dataset(subset, num_terms=10, neighbours=0, valid_fraction=0.5, formulas=3000, synthetic=200,
                         recurrences=300)
    held_out = {source_terms(p.source) for p in data.valid}
    assert data.valid and {"formula", "recurrence"} <= {p.kind for p in data.train}
    assert not [p for p in data.train if source_terms(p.source) in held_out]
    # Without the filter some would have leaked: the check above is not vacuous.
    programs, seqs = corpus_programs(subset), corpus_sequences(subset)
    train_ids, valid_ids = split_ids(sorted(programs), 0.5)
    made = formula_pairs(subset.without(valid_ids), seqs, 3000, callees=formula_callees(programs, train_ids),
                         num_terms=10)
    assert any(source_terms(p.source) in held_out for p in made)


@pytest.mark.slow
def test_set_threads_flushes_denormal_floats_to_zero():
    # In a fresh interpreter: the flush mode is process state, and a trained model's denormal
    # gradients made its training steps 2.5x slower without it.
    import subprocess
    import sys

    code = ("import torch\nfrom training.model import set_threads\n"
            "tiny = lambda: (torch.tensor([1e-39]) * 1.0).item()\n"
            "before = tiny()\nset_threads(1)\nprint(before > 0, tiny() == 0.0, torch.get_num_threads())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "1"]


def test_recurrence_programs_slide_a_window_and_write_only_the_names_constants():
    from miner.lang.compact import to_target
    from training.recurrences import LinearSequence, program_of

    # a(n) = 14*a(n-1) - 47*a(n-2), a(0) = 1, a(1) = 15 (A164599's rule).
    s = LinearSequence((14, -47), (1, 15))
    assert to_target(program_of(s)) == ("mov $1 1 mov $2 15 lpb $0 sub $0 1 mov $3 $2 mul $3 14 mov $4 $1 "
                                        "mul $4 47 sub $3 $4 mov $1 $2 mov $2 $3 lpe mov $0 $1")
    assert s.terms(5) == [1, 15, 163, 1577, 14417]
    cases = [s, LinearSequence((-1, 0, 2), (0, 0, 1), offset=1), LinearSequence((-3,), (2,)),
             LinearSequence((0, 1, 1), (1, 0, 0), offset=2), LinearSequence((-1, -1), (1, 1))]
    for case in cases:
        assert evaluate(program_of(case), 14, None, LIMITS) == case.terms(14)


def test_recurrence_pair_names_read_back_by_the_miners_gf_and_formula_parsers():
    from miner.search.formula import programs_from_name
    from miner.search.gf import gfs_in_name, series
    from training.recurrences import random_instance

    rng = random.Random(5)
    gf_names = recurrence_names = read = 0
    for _ in range(300):
        drawn = random_instance(rng)
        if drawn is None:
            continue
        s, name = drawn
        terms = s.terms(12)
        if "a(n-" in name:
            recurrence_names += 1
            for program in programs_from_name(name, s.offset, tuple(terms)):
                if evaluate(program, 12, None, LIMITS) == terms:
                    read += 1
                    break
            continue
        gf_names += 1
        # Every g.f. name parses, and its series is the pair's sequence (an independent check of both).
        assert any([int(c) for c in (series(num, den, 12 + s.offset) or [])[s.offset:]] == terms
                   for num, den, *_ in gfs_in_name(name)), name
    assert gf_names >= 100 and recurrence_names >= 80
    assert read >= recurrence_names // 2  # the formula compiler reads the common spellings


def test_recurrence_pairs_reproduce_their_terms():
    from training.pairs import expand, source_offset, source_terms
    from training.recurrences import recurrence_pairs

    pairs = recurrence_pairs(200, num_terms=10, seed=4)
    assert len(pairs) == 200 and all(p.kind == "recurrence" for p in pairs)
    names = [p.source.split("n:", 1)[1] for p in pairs]
    assert any("expansion" in n or "g . f" in n for n in names) and any("a ( n - 2 )" in n for n in names)
    for p in pairs:
        program = from_target(expand(p.target, p.source), source_offset(p.source))
        assert tuple(format_term(t) for t in evaluate(program, 10, None, LIMITS)) == source_terms(p.source)


def test_mend_pairs_show_a_near_miss_and_want_the_program_that_mends_it(full_corpus, sample_ids):
    from training.data import build_dataset
    from training.mend import mend_pairs
    from training.pairs import expand, format_term, source_offset, source_terms

    subset = Corpus({a: full_corpus.text(a) for a in sample_ids}, origin="sample")
    data = build_dataset(subset, num_terms=16, neighbours=2, valid_fraction=0.1, max_length=12)
    pairs = mend_pairs(data.train, subset, 20, neighbours=2, seed=2)
    assert len(pairs) == 20 and {p.kind for p in pairs} == {"mend"}
    by_a = {p.a_number: p for p in data.train}
    for pair in pairs:
        terms = source_terms(pair.source)
        shown = pair.source.split(" p: ")[1].split(" s: ")[0]
        near = from_target(shown, source_offset(pair.source))
        got = [format_term(t) for t in evaluate(near, len(terms), subset, LIMITS)]
        right = next((i for i, (g, t) in enumerate(zip(got, terms)) if g != t), len(got))
        assert 3 <= right < len(terms), (pair.a_number, shown)
        # The target (near miss inlined by N1 where it is kept whole) computes every shown term.
        program = from_target(expand(pair.target, pair.source), source_offset(pair.source))
        assert [format_term(t) for t in evaluate(program, len(terms), subset, LIMITS)] == list(terms)
        assert pair.source.split(" p: ")[0] == by_a[pair.a_number].source.split(" p: ")[0]
    assert mend_pairs(data.train, subset, 20, neighbours=2, seed=2) == pairs  # reproducible
