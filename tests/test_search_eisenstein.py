"""Products of Eisenstein series named in names: the series checked by identities between modular forms
(E_4^2 = E_8, E_4 E_6 = E_10, E_4^3 - E_6^2 = 1728 Delta with Delta from its product), programs far past the
known terms, wrong terms refused, and the loop storing one."""

from __future__ import annotations

import testbed

from miner.lang.corpus import Corpus
from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.eisenstein import parse_name, product, programs_for, propose
from miner.search.types import SearchContext, Target

N = 40
# sigma_5(n) for the corpus of the tests (the sample corpus has sigma_1 and sigma_3): d runs n..1
SIGMA5 = ("#offset 1\n\nmov $2,$0\nlpb $2\nsub $2,1\nmov $3,$2\nadd $3,1\nmax $3,1\nmov $4,$0\nmod $4,$3\nequ $4,0\n"
          "pow $3,5\nmul $3,$4\nadd $1,$3\nlpe\nmov $0,$1\n")


def delta(count: int) -> list[int]:
    """q prod (1 - q^n)^24, multiplied out."""
    out = [1] + [0] * (count - 1)
    for n in range(1, count):
        for _ in range(24):
            out = [out[t] - (out[t - n] if t >= n else 0) for t in range(count)]
    return [0] + out[:count - 1]


def test_names_read_as_products():
    assert parse_name("Coefficients in q-expansion of E_2^4*E_4, where E_2 and E_4 are respectively the "
                      "Eisenstein series A006352 and A004009.") == (2, 2, 2, 2, 4)
    assert parse_name("Coefficients in q-expansion of E_4^5, where E_4 is the Eisenstein series shown in "
                      "A004009.") == (4,) * 5
    assert parse_name("Coefficients in q-expansion of (E_2*E_4 - E_6)^2/(300*(E_6^2-E_4^3)), where ...") is None
    assert parse_name("Coefficients in q-expansion of E_12.") is None


def test_the_series_obey_the_identities_of_modular_forms():
    assert product((2,), 6) == [1, -24, -72, -96, -168, -144]  # A006352
    assert product((4, 4), N) == product((8,), N)
    assert product((4, 6), N) == product((10,), N)
    e4, e6 = product((4, 4, 4), N), product((6, 6), N)
    assert [(a - b) // 1728 for a, b in zip(e4, e6)] == delta(N)
    assert all((a - b) % 1728 == 0 for a, b in zip(e4, e6))


def test_programs_give_the_product_far_past_the_known_terms(sample_tarball):
    corpus = Corpus({**_sample(sample_tarball), 1160: SIGMA5})
    for ks in ((2, 2, 2, 2, 4), (4, 6), (2, 4, 6)):
        name = "Coefficients in q-expansion of " + "*".join(f"E_{k}" for k in ks) + "."
        want = product(ks, N)
        progs = programs_for(Target(999001, name, tuple(want[:10]), 0), corpus)
        assert len(progs) == 1 and evaluate(progs[0], N, corpus=corpus) == want, name
    assert programs_for(Target(1, "Coefficients in q-expansion of E_4^2.", (1, 480, 61920, 1050240, 7926240, 37500480,
                                                                          1), 0), corpus) == []
    assert programs_for(Target(1, "Coefficients in q-expansion of E_4^2.", (1, 480, 61920), 0), corpus) == []
    assert list(propose(Target(1, "Coefficients in q-expansion of E_4^2.", tuple(product((4, 4), 10)), 0),
                        SearchContext(), 0, None)) == []


def _sample(tarball) -> dict[int, str]:
    sample = Corpus.from_path(tarball)
    return {a: sample.text(a) or "" for a in sample.ids()}


def test_the_loop_stores_a_named_product(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, {203, 1158}, [], size=20)
    name = "Coefficients in q-expansion of E_2^2*E_4, where E_2 and E_4 are the Eisenstein series."
    sequences[999001] = SequenceRecord(999001, name, product((2, 2, 4), 25), 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["eisenstein"])
    assert found[999001].strategy == "eisenstein"
