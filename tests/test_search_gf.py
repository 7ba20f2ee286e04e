"""Rational generating functions from names: parsing, series, and programs checked on real corpus data."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import testbed

from miner.lang import check_terms
from miner.search.formula import FormulaError
from miner.search.gf import gfs_in_name, parse_gf, programs_for, propose, series
from miner.search.types import SearchContext, Target


def test_parse_and_series():
    num, den = parse_gf("(1+x)/(1-x-x^2)")
    assert [int(c) for c in series(num, den, 8)] == [1, 2, 3, 5, 8, 13, 21, 34]
    num, den = parse_gf("1/((1-x)^2*(1-x^3))")
    assert series(num, den, 6) == [Fraction(v) for v in (1, 2, 3, 5, 7, 9)]
    num, den = parse_gf("x*(1+x)^(-2)")
    assert series(num, den, 5) == [Fraction(v) for v in (0, 1, -2, 3, -4)]
    for bad in ("(1+x)/(1-y)", "sqrt(1-4x)", "1/(1-x)^(1/2)", "exp(x)"):
        with pytest.raises(FormulaError):
            parse_gf(bad)


def test_names_and_short_sequences():
    assert len(gfs_in_name("Expansion of (1-x)/(1-3x+x^2) in powers of x.")) == 1
    assert len(gfs_in_name("G.f.: x^2/((1-x)^3*(1+x)).")) == 1
    assert gfs_in_name("Expansion of Product_{k>=1} 1/(1-x^k)^2.") == []
    assert gfs_in_name("Expansion of eta(q)^2 in powers of q.") == []
    # Only six known terms: too few for Berlekamp-Massey with a margin, enough for the g.f.
    terms = (1, 3, 8, 21, 55, 144)
    target = Target(999999, "Expansion of (1-x)/(1-3x+x^2) in powers of x.", (1, 2, 5, 13, 34, 89), 0)
    assert check_terms(list(propose(target, SearchContext(), 4, None))[0].program, list(target.terms)).ok
    shifted = Target(999998, "G.f.: x/(1-3x+x^2).", terms, 1)
    progs = programs_for(shifted)
    assert progs and check_terms(progs[0], list(terms)).ok
    assert programs_for(Target(999997, "G.f.: x/(1-3x+x^2).", (1, 3, 8, 21, 55, 145), 1)) == []


def test_real_corpus_names(real_data: Path):
    """Corpus sequences named by an explicit rational g.f.: programs reproduce every known term."""
    names = testbed.first_names(real_data / "oeis", lambda name: name.startswith("Expansion of ("), 150)
    records = testbed.read_oeis(real_data / "oeis", set(names))
    parsed = solved = 0
    for a, name in names.items():
        if gfs_in_name(name):
            parsed += 1
        progs = programs_for(Target(a, name, tuple(records[a].terms), records[a].offset))
        if progs and check_terms(progs[0], records[a].terms).ok:
            solved += 1
    # Seen when written: 150 names, 94 parse, all 94 reproduce every known term.
    assert parsed >= 80
    assert solved >= 0.9 * parsed
