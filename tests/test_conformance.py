"""A fixed sample of real corpus programs must reproduce the terms in their headers.

Capped (first 12 terms, 2M steps, 3 s per program) so the whole sample runs in well under two minutes;
`benchmarks/conformance.py` runs every program with all its terms.
"""

from __future__ import annotations

import random

import pytest

from miner.lang import Corpus, Limits
from miner.lang.conformance import classify

SAMPLE = 2000


@pytest.fixture(scope="module", params=["sample", pytest.param("full", marks=pytest.mark.corpus)])
def corpus(request: pytest.FixtureRequest, sample_tarball) -> Corpus:
    """The committed sample (every program), or the full corpus (a fixed sample of SAMPLE)."""
    if request.param == "full":
        return Corpus.from_path(request.getfixturevalue("full_tarball"))
    return Corpus.from_path(sample_tarball)


def test_sample_reproduces_header_terms(corpus: Corpus) -> None:
    ids = sorted(random.Random(20260401).sample(corpus.ids(), min(SAMPLE, len(corpus))))
    size = len(ids)
    limits = Limits(max_steps=2_000_000, max_seconds=3.0)
    outcomes = {a: classify(corpus, a, limits, max_terms=12) for a in ids}
    wrong = {a: o for a, o in outcomes.items() if o["status"] in ("mismatched", "error", "parse_error")}
    limited = [a for a, o in outcomes.items() if o["status"] == "limit"]
    assert not wrong, f"programs that do not reproduce their terms: {wrong}"
    # limits are deliberate, but only the odd extreme program may hit them at this cap
    assert len(limited) <= size // 100, f"too many programs hit the limits: {limited}"
    reproduced = sum(o["status"] == "reproduced" for o in outcomes.values())
    assert reproduced >= size - len(limited)
