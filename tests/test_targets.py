"""Target choice: copy a neighbour that reproduces the terms, else the own program (edit or own)."""

from __future__ import annotations

import pytest

from miner.lang import Corpus
from miner.search.retrieval import Hit
from training.targets import choose, reproduces, similarity

SQUARES = [n * n for n in range(20)]


def hit(target: str, a: int = 1) -> Hit:
    return Hit(a, target, 12, 0, 0)


def test_reproduces_runs_the_program_on_all_terms():
    assert reproduces("pow $0 2", SQUARES, 0, None)
    assert not reproduces("mul $0 2", SQUARES, 0, None)
    assert not reproduces("lpb $0", SQUARES, 0, None)  # broken text is not an error, just no
    assert not reproduces("mov $0 1 lpb $0 add $0 1 lpe", SQUARES, 0, None)  # loops forever: limited


def test_correct_shown_neighbour_becomes_the_target():
    own = "mov $1 $0 mul $0 $1"
    choice = choose(own, [hit("mul $0 2"), hit("pow $0 2", 2)], SQUARES, 0, None, shown=2)
    assert choice.kind == "copy" and choice.target == "pow $0 2"
    assert choice.neighbours == ("mul $0 2", "pow $0 2")


def test_hidden_correct_neighbour_is_shown_only_when_promoted():
    own = "mov $1 $0 mul $0 $1"
    hits = [hit("mul $0 2"), hit("add $0 1", 2), hit("pow $0 2", 3)]
    plain = choose(own, hits, SQUARES, 0, None, shown=2)
    assert plain.kind in ("own", "edit") and plain.target == own
    assert plain.neighbours == ("mul $0 2", "add $0 1")  # exactly what generation will show
    promoted = choose(own, hits, SQUARES, 0, None, shown=2, promote=True)
    assert promoted.kind == "copy" and promoted.neighbours == ("mul $0 2", "pow $0 2")


def test_own_program_close_to_a_neighbour_is_an_edit():
    own = "mov $1 $0 mul $1 $0 mov $0 $1"
    near = "mov $1 $0 mul $1 2 mov $0 $1"
    assert similarity(own, near) >= 0.7 > similarity(own, "pow $0 3")
    assert choose(own, [hit(near)], SQUARES, 0, None, shown=1).kind == "edit"
    assert choose(own, [hit("pow $0 3")], SQUARES, 0, None, shown=1).kind == "own"


def test_seq_calls_resolve_in_the_given_corpus():
    corpus = Corpus({290: "; A000290: The squares\nmul $0,$0\n"}, origin="test")
    assert reproduces("seq $0 A000290", SQUARES, 0, corpus)
    assert not reproduces("seq $0 A000290", SQUARES, 0, corpus.without([290]))


@pytest.mark.slow  # over a second: the full tier
def test_dataset_copies_correct_neighbours_and_keeps_every_validation_sequence(sample_tarball):
    from training.data import build_dataset
    from training.pairs import expand

    full = Corpus.from_path(sample_tarball)
    ids = full.ids()[:1500]  # classic low A-numbers: many are affine images of each other
    subset = Corpus({a: full.text(a) for a in ids}, origin="low A-numbers")
    data = build_dataset(subset, num_terms=12, neighbours=2, valid_fraction=0.2, max_length=6, workers=2)
    kinds = {p.kind for p in data.train}
    assert {"copy", "own"} <= kinds
    terms = {a: subset.get(a) for a in ids}
    from miner.lang import read_header

    hidden = subset.without(p.a_number for p in data.valid)
    for p in data.train:
        assert p.source.split().count("p:") <= 2
        if p.kind == "own":
            assert p.length <= 6
        if p.kind == "copy":
            header = read_header(subset.text(p.a_number))
            target = expand(p.target, p.source)
            assert target in p.source  # the copied neighbour is in the prompt
            assert p.target in ("N1", "N2")  # ... and copied as one word
            assert reproduces(target, header.terms, terms[p.a_number].offset, hidden)
    # Validation is not filtered by length: its solve rate is over a random split.
    assert any(p.length > 6 for p in data.valid)
    from training.pairs import is_validation

    held_out = {a for a in ids if is_validation(a, 0.2) and subset.get(a).code()
                and read_header(subset.text(a)).terms}
    assert {p.a_number for p in data.valid} == held_out
