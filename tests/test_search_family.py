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
    # numbers spelt out, up to twenty, and ordinals
    ("Number of partitions of n with exactly five sorts of part 1.", "Number of partitions of n with exactly six sorts of part 1.",
     [(5, 6)]),
    ("Sum of two primes in exactly 9 ways.", "Sum of two primes in exactly three ways.", [(9, 3)]),
    ("The second differences of the primes.", "The fourth differences of the primes.", [(2, 4)]),
    ("At least one prime factor.", "At least one prime factor.", []),
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


def _cached_context(corpus: Corpus, known: dict[int, Target], folder) -> SearchContext:
    return SearchContext(corpus=corpus, known=known, cache_dir=str(folder))


def _same(x, y) -> bool:
    return x.buckets == y.buckets and [vars(e) for e in x.entries] == [vars(e) for e in y.entries] \
        and x.idf == y.idf


def test_the_retrieval_index_is_saved_and_loaded_only_for_the_same_programs_and_sequences(full, tmp_path):
    from structlog.testing import capture_logs

    from miner.search import index_cache
    from miner.search.family import corpus_index, extend_corpus_index

    ids = [a for a in range(17765, 17800) if full.text(a)]
    texts = {a: full.text(a) for a in ids}
    known = _records(full, ids)
    first = corpus_index(_cached_context(Corpus(dict(texts)), known, tmp_path))
    saved = list(tmp_path.glob("retrieval-*.pickle"))
    assert len(saved) == 1
    with capture_logs() as logs:
        again = corpus_index(_cached_context(Corpus(dict(texts)), known, tmp_path))
    assert "retrieval_cache_loaded" in [e["event"] for e in logs]
    assert again is not first and _same(again, first)

    # a changed program is another index: built, saved, and the stale file removed
    changed = {**texts, ids[0]: texts[ids[0]] + "add $0,0\n"}
    with capture_logs() as logs:
        corpus_index(_cached_context(Corpus(changed), known, tmp_path))
    assert "retrieval_cache_loaded" not in [e["event"] for e in logs]
    assert [p.name for p in tmp_path.glob("retrieval-*.pickle")] != [saved[0].name]
    assert len(list(tmp_path.glob("retrieval-*.pickle"))) == 1

    # so is a changed name
    renamed = {**known, ids[1]: Target(ids[1], "Another name.", known[ids[1]].terms, known[ids[1]].offset)}
    assert index_cache.digest(Corpus(dict(texts)), renamed) != index_cache.digest(Corpus(dict(texts)), known)

    # programs added to a loaded index are saved with it: the next start loads what a fresh build gives
    ctx = _cached_context(Corpus({a: texts[a] for a in ids[:-3]}), {a: known[a] for a in ids[:-3]}, tmp_path)
    corpus_index(ctx)
    ctx.corpus, ctx.known = Corpus(dict(texts)), known
    extend_corpus_index(ctx, ids[-3:])
    with capture_logs() as logs:
        grown = corpus_index(_cached_context(Corpus(dict(texts)), known, tmp_path))
    assert "retrieval_cache_loaded" in [e["event"] for e in logs]
    assert _same(grown, corpus_index(SearchContext(corpus=Corpus(dict(texts)), known=known)))


def test_an_unreadable_saved_index_is_rebuilt_with_a_warning(full, tmp_path):
    from structlog.testing import capture_logs

    from miner.search import index_cache
    from miner.search.family import corpus_index

    ids = [a for a in range(17765, 17800) if full.text(a)]
    corpus, known = Corpus({a: full.text(a) for a in ids}), _records(full, ids)
    path = index_cache.path_for(tmp_path, index_cache.digest(corpus, known))
    path.write_bytes(b"\x80\x05truncated")
    with capture_logs() as logs:
        index = corpus_index(_cached_context(corpus, known, tmp_path))
    assert [e for e in logs if e["event"] == "retrieval_cache_unreadable" and e["path"] == str(path)]
    assert _same(index, corpus_index(SearchContext(corpus=Corpus(dict(corpus._raw)), known=known)))
    assert index_cache.load(tmp_path, index_cache.digest(corpus, known)) is not None  # rewritten


def test_family_deep_goes_on_where_family_stopped(full):
    from miner.search import STREAMED, family_deep

    family = [a for a in range(17765, 17800) if full.text(a) and a != 17793]
    siblings = Corpus({a: full.text(a) for a in family}, origin="siblings")
    target = _records(full, [17793])[17793]
    ctx = SearchContext(corpus=siblings, known=_records(siblings, family), settings={"family_templates": 3, "family_once": 2})
    once = [format_program(c.program) for c in propose(target, ctx, 2, None)]
    deeper = list(family_deep.propose(target, ctx, 1000, None))
    assert len(once) == 2 and deeper and all(c.strategy == "family_deep" for c in deeper)
    # the stream family's budget cut: the same variants, from the first it did not try, into names ranked lower
    whole = [format_program(c.program) for c in family_deep.propose(target, SearchContext(
        corpus=siblings, known=ctx.known, settings={"family_templates": 3}), 1002, None)]
    assert whole[:2] == once and whole[2:] == [format_program(c.program) for c in deeper]
    assert len({c.note for c in deeper}) > 3  # past family's 3 names
    assert any(check_terms(c.program, list(target.terms), siblings, LIMITS).ok for c in deeper)
    # streamed: a round's candidates are a prefix of the next, larger round's
    assert "family_deep" in STREAMED
    assert [format_program(c.program) for c in family_deep.propose(target, ctx, 5, None)] == \
        [format_program(c.program) for c in deeper[:5]]
