"""Family templates: numbers that changed between two names, rewritten templates, and real families."""

from __future__ import annotations

import random

import pytest

from miner.lang import Corpus, Limits, check_terms, format_a_number, format_program, parse
from miner.lang.header import read_header
from miner.search.family import family_texts, number_changes, propose, rewritten, variants
from miner.search.types import SearchContext, Target

LIMITS = Limits(max_steps=200_000, max_memory=2000, max_seconds=2.0)


@pytest.mark.parametrize("old,new,changes", [
    ("Binomial coefficients C(9,n).", "Binomial coefficients C(77, n).", [(9, 77)]),
    ("Number of reduced words of length n in Coxeter group on 18 generators S_i with relations "
     "(S_i)^2 = (S_i S_j)^2 = (S_i S_j)^3 = I.",
     "Number of reduced words of length n in Coxeter group on 46 generators S_i with relations "
     "(S_i)^2 = (S_i S_j)^2 = (S_i S_j)^3 = I.", [(18, 46)]),
    ("Expansion of (1-x)/(1-3*x+x^2).", "Expansion of (1-x)/(1-5*x+2*x^2).", [(3, 5)]),
    # The words do not align (a word was added); the numbers, in order, still pair up.
    ("Triangle of Generalized Runyon numbers R_{n,k}^(4) read by rows.",
     "Triangle of generalized Runyon numbers R^(3)_{n,k} read by rows, row sums of something.", [(4, 3)]),
    ("Fibonacci numbers.", "Lucas numbers.", []),
    ("Binomial coefficients C(9,n).", "Binomial coefficients C(9,n).", []),
])
def test_number_changes_pair_the_numbers_in_which_names_differ(old, new, changes):
    assert number_changes(old, new) == changes


def test_variants_rewrite_constants_but_not_called_sequences():
    template = parse("mov $1,9\nbin $1,$0\nadd $1,8\nmul $1,-9\nseq $1,9\nmov $0,$1\n")
    out = format_program(rewritten(template, [(9, 77)]))
    assert out.split("\n")[:5] == ["mov $1,77", "bin $1,$0", "add $1,76", "mul $1,-77", "seq $1,9"]
    # Every non-empty subset of the changes, all of them first; a subset that changes nothing is skipped.
    found = [format_program(p) for p in variants(parse("mov $0,3\nadd $0,20\n"), [(3, 5), (20, 30), (7, 8)])]
    assert found[0] == "mov $0,5\nadd $0,30\n"
    assert set(found) == {"mov $0,5\nadd $0,30\n", "mov $0,5\nadd $0,20\n", "mov $0,3\nadd $0,30\n"}


@pytest.fixture(scope="module")
def full(sample_tarball) -> Corpus:
    return Corpus.from_path(sample_tarball)


def _records(corpus: Corpus, ids) -> dict[int, Target]:
    out = {}
    for a in ids:
        header = read_header(corpus.text(a))
        out[a] = Target(a, header.name, tuple(header.terms), corpus.get(a).offset)
    return out


@pytest.mark.parametrize("member", [17793, 17766])
def test_a_real_family_member_is_found_from_its_siblings(full, member):
    family = [a for a in range(17765, 17800) if full.text(a) and a != member]
    siblings = Corpus({a: full.text(a) for a in family}, origin="siblings")
    target = _records(full, [member])[member]
    ctx = SearchContext(corpus=siblings, known=_records(siblings, family))
    candidates = list(propose(target, ctx, 60, random.Random(0)))
    assert candidates and all(c.strategy == "family" for c in candidates)
    assert any(check_terms(c.program, list(target.terms), siblings, LIMITS).ok for c in candidates)
    # Its own program was not among the templates: only the siblings'.
    assert all(c.note != f"from {format_a_number(target.a_number)}" for c in candidates)
    assert len(list(propose(target, ctx, 2, random.Random(0)))) == 2


def test_family_texts_score_validation_sequences_against_known_ones(full):
    family = [a for a in range(17765, 17800) if full.text(a)]
    records = {k: (t.name, t.terms, t.offset) for k, t in _records(full, family).items()}
    queries = {17793: records.pop(17793)}
    texts = family_texts(queries, records, corpus=full, budget=10)
    assert set(texts) == {17793} and texts[17793]
    assert any(check_terms(t, list(queries[17793][1]), full, LIMITS).ok for t in texts[17793])
    # Nothing to go by without known similar names.
    assert family_texts(queries, {}, corpus=full) == {17793: []}
