"""Rational generating functions from names: parsing, series, and programs checked on real corpus data."""

from __future__ import annotations

import gzip
import re
from fractions import Fraction
from pathlib import Path

import pytest

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
    target = Target("A999999", "Expansion of (1-x)/(1-3x+x^2) in powers of x.", (1, 2, 5, 13, 34, 89), 0)
    assert check_terms(list(propose(target, SearchContext(), 4, None))[0].program, list(target.terms)).ok
    shifted = Target("A999998", "G.f.: x/(1-3x+x^2).", terms, 1)
    progs = programs_for(shifted)
    assert progs and check_terms(progs[0], list(terms)).ok
    assert programs_for(Target("A999997", "G.f.: x/(1-3x+x^2).", (1, 3, 8, 21, 55, 145), 1)) == []


def test_real_corpus_names(real_data: Path):
    """Corpus sequences named by an explicit rational g.f.: programs reproduce every known term."""
    names: dict[str, str] = {}
    with gzip.open(real_data / "oeis" / "names.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if re.match(r"A0\d+ Expansion of \(", line):
                a, _, name = line.rstrip("\n").partition(" ")
                names[a] = name
            if len(names) >= 150:
                break
    terms, offsets = {}, {}
    with gzip.open(real_data / "oeis" / "stripped.gz", "rt") as fh:
        for line in fh:
            a, _, rest = line.partition(" ")
            if a in names:
                terms[a] = tuple(int(v) for v in rest.strip().strip(",").split(",") if v)
    with gzip.open(real_data / "oeis" / "offsets.gz", "rt") as fh:
        for line in fh:
            a, _, off = line.partition(":")
            if a in names:
                offsets[a] = int(off)
    parsed = solved = 0
    for a, name in names.items():
        if gfs_in_name(name):
            parsed += 1
        progs = programs_for(Target(a, name, terms[a], offsets[a]))
        if progs and check_terms(progs[0], list(terms[a])).ok:
            solved += 1
    # Seen when written: 150 names, 94 parse, all 94 reproduce every known term.
    assert parsed >= 80
    assert solved >= 0.9 * parsed
