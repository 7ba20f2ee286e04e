"""Only hits that are evidence enough are stored: a sibling's value by name, or a term match on too few
known terms, is not (real sequences, a real database, real workers)."""

from __future__ import annotations

import pytest
import testbed

import storage
from miner.core import config
from miner.lang import parse
from miner.lang.sequence import SequenceRecord
from miner.mine.context import build_context
from miner.mine.loop import run_sweep
from miner.search import recurrence
from miner.mine.trust import callees, information, reject_reason, siblings

# A015283 (Inverse of 1274th cyclotomic polynomial) agrees with its sibling by name A015087 (1078th)
# on its first 77 terms. A029015 (Expansion of 1/((1-x)(1-x^2)(1-x^5)(1-x^11))) agrees with A000008
# (change for n cents with coins of 1, 2, 5, 10) on its first 10. A001453 (Catalan numbers - 1) is
# A000108 shifted, minus 1.
SIBLING, TWIN = 15283, 15087
SHORT, CHANGE = 29015, 8
SHIFTED, CATALAN = 1453, 108


def test_sibling_names_differ_only_in_numbers():
    coxeter = "Number of reduced words of length n in Coxeter group on {} generators S_i with relations."
    assert siblings(coxeter.format(43), coxeter.format(21))
    assert siblings("Expansion of 1/((1-x)(1-x^2)(1-x^5)(1-x^11)).",
                    "Expansion of 1/((1-x)(1-x^2)(1-x^5)(1-x^10)).")
    assert not siblings(coxeter.format(43), coxeter.format(43))
    assert not siblings("Fibonacci numbers.", "Lucas numbers.")
    assert not siblings("Catalan numbers - 1.", "Catalan numbers.")
    assert siblings("Inverse of 1298th cyclotomic polynomial.", "Inverse of 682nd cyclotomic polynomial.")


def test_reject_reason_by_strategy_information_and_name(tmp_path):
    cfg = config.defaults_in(tmp_path)
    need = cfg["mine"]["trust_match_bits"]
    bare = parse("seq $0,8\n")
    names = {8: "Expansion of 1/((1-x)(1-x^2)(1-x^5)(1-x^10))."}
    sibling_name = "Expansion of 1/((1-x)(1-x^2)(1-x^5)(1-x^11))."
    big = [2**40 + n for n in range(20)]  # 800 bits
    assert callees(bare) == [8]
    assert information([0, 1, 1, 3]) == 4.0
    assert "sibling" in reject_reason("corpus_sweep", "direct", bare, sibling_name, big, names, cfg)
    assert "sibling" in reject_reason("corpus_sweep", "direct", parse("seq $0,8\nadd $0,1\n"), sibling_name, big,
                                      names, cfg)
    assert reject_reason("corpus_sweep", "direct", bare, "Something.", big, names, cfg) is None
    small = [n % 2 for n in range(int(need) - 1)]  # 0/1 terms: one bit at most each
    assert "trust_match_bits" in reject_reason("corpus_sweep", "direct", bare, "Something.", small, names, cfg)
    assert "trust_match_bits" in reject_reason("formula", "match", bare, "Something.", small, names, cfg)
    # A name that names the called sequence is evidence of its own (a sibling included).
    assert reject_reason("corpus_sweep", "direct", bare, "a(n) = A000008(n+1), x^11.", small, names, cfg) is None
    # A fit to the terms needs fewer bits; a formula compiled from the name none.
    assert reject_reason("recurrence", "direct", parse("mov $1,2\n"), "Something.", small, names, cfg) is None
    assert "trust_fit_bits" in reject_reason("recurrence", "direct", parse("mov $1,2\n"), "S.", [1, 0] * 10, names,
                                             cfg)
    assert reject_reason("formula", "direct", parse("mov $1,2\n"), "S.", [1, 0] * 10, names, cfg) is None
    # A fit that calls a sequence chose it by its terms: a match unless the name names it.
    mid = [2**10 + n for n in range(20)]  # 200 bits: enough for a fit, not for a match
    assert reject_reason("euler", "direct", parse("mov $1,2\n"), "S.", mid, names, cfg) is None
    assert "trust_match_bits" in reject_reason("euler", "direct", bare, "S.", mid, names, cfg)
    assert reject_reason("euler", "direct", bare, "Euler transform of A000008.", mid, names, cfg) is None
    # A composition of two transforms of a cited sequence needs a fit's bits: the citation does not pick one.
    cited = "A000008 + A000009 as lower triangular matrices."
    assert reject_reason("transforms", "direct", bare, cited, [1, 2, 1] * 4, names, cfg) is None
    assert "trust_fit_bits" in reject_reason("compositions", "direct", bare, cited, [1, 2, 1] * 4, names, cfg)
    assert reject_reason("compositions", "direct", bare, cited, mid, names, cfg) is None
    assert "trust_match_bits" in reject_reason("compositions", "direct", bare, "S.", mid, names, cfg)


def test_a_long_recurrence_needs_bits_in_its_second_differences(tmp_path):
    cfg = config.defaults_in(tmp_path)
    prog, names = parse("mov $1,2\n"), {}
    # A043486, numbers having two 8's in base 9: its first 24 terms fit a recurrence of order 9, wrong at the 25th.
    two_eights = [k for k in range(1, 2000) if testbed.digits_of(k, 9).count(8) == 2][:24]
    assert recurrence.find_recurrence(two_eights, 10, 6) is not None
    assert information(two_eights) > cfg["mine"]["trust_fit_bits"]
    assert "trust_step_bits" in reject_reason("recurrence", "direct", prog, "S.", two_eights, names, cfg)
    assert "trust_step_bits" in reject_reason("holonomic", "direct", prog, "S.", two_eights, names, cfg)
    # A coordination sequence's g.f. is rational: a long recurrence is what it has.
    assert reject_reason("recurrence", "direct", prog, "Coordination sequence Gal.6.321.4 where ...", two_eights, names, cfg) is None
    # Read from the name, the same terms carry the name's evidence.
    assert reject_reason("digits", "direct", prog, "S.", two_eights, names, cfg) is None
    # A short recurrence (a quadratic: order 3) keeps the rule of fits, however small its steps.
    squares = [n * n + 1000 for n in range(24)]
    assert reject_reason("recurrence", "direct", prog, "S.", squares, names, cfg) is None
    # A long recurrence with large steps is evidence enough: a(n) = 3a(n-6) + a(n-1) - ...
    rich = [2 ** n + (n % 7) for n in range(30)]
    assert recurrence.linear_complexity(rich) >= cfg["mine"]["trust_long_order"]
    assert reject_reason("recurrence", "direct", prog, "S.", rich, names, cfg) is None


@pytest.fixture(scope="module")
def real(full_data, full_tarball):
    ids = {SIBLING, TWIN, SHORT, CHANGE, SHIFTED, CATALAN}
    programs = testbed.read_corpus(full_tarball)
    keep = testbed.seq_closure(programs, {TWIN, CHANGE, CATALAN})
    sequences = testbed.read_oeis(full_data / "oeis", keep | ids)
    return sequences, {a: programs[a] for a in keep}


def _mine(tmp_path, real, shown: dict[int, int], **mine_cfg):
    sequences, programs = real
    seqs = {a: r for a, r in sequences.items() if a in programs}  # only the shown ones lack a program
    for a, count in shown.items():
        r = sequences[a]
        seqs[a] = SequenceRecord(a, r.name, list(r.terms[:count]), r.offset)
    cfg = config.defaults_in(tmp_path)
    cfg["mine"].update(workers=1, deep_check=False, random_seed=3, **mine_cfg)
    engine = testbed.build_db(cfg["database"]["url"], seqs, programs)
    ctx = build_context(cfg, engine)
    try:
        summary = run_sweep(ctx, engine)
    finally:
        ctx.close()
    with storage.session_scope(engine, readonly=True) as session:
        return summary, {row.a_number for row in storage.discovered(session)}


def test_the_sweep_stores_no_siblings_value_and_no_short_match(tmp_path, real):
    sequences, _ = real
    assert sequences[SIBLING].terms[:40] == sequences[TWIN].terms[:40]
    assert sequences[SHORT].terms[:10] == sequences[CHANGE].terms[:10]
    # Even with no minimum of terms, the sibling's value is not stored; a short match is.
    _, stored = _mine(tmp_path / "a", real, {SIBLING: 40, SHORT: 10}, trust_match_bits=0)
    assert stored == {SHORT}
    # With the default minimum of information, neither: the short match is wrong from its 11th term on.
    _, stored = _mine(tmp_path / "b", real, {SIBLING: 40, SHORT: 10, SHIFTED: 12})
    assert stored == set()
    # A match on enough terms is stored (30 Catalan numbers carry about 800 bits).
    _, stored = _mine(tmp_path / "c", real, {SHIFTED: 30})
    assert stored == {SHIFTED}
