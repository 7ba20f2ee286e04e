"""Model-free program search: matcher index, corpus sweep, recurrences, formulas, family templates,
mutation, repair.

Each strategy module has `propose(target, ctx, budget, rng) -> Iterator[Candidate]`; candidates are
untrusted and checked by the agent loop.
"""

import functools
import importlib
import re

STRATEGY_MODULES: dict[str, str] = {
    "corpus_sweep": "miner.search.corpus_sweep",
    "transforms": "miner.search.transforms",
    "compositions": "miner.search.compositions",
    "combine": "miner.search.combine",
    "recurrence": "miner.search.recurrence",
    "formula": "miner.search.formula",
    "family": "miner.search.family",
    "holonomic": "miner.search.holonomic",
    "gf": "miner.search.gf",
    "euler": "miner.search.euler",
    "algebraic": "miner.search.algebraic",
    "convolution": "miner.search.convolution",
    "contfrac": "miner.search.contfrac",
    "coxeter": "miner.search.coxeter",
    "descents": "miner.search.descents",
    "beatty": "miner.search.beatty",
    "primes": "miner.search.primes",
    "juxtapose": "miner.search.juxtapose",
    "cited": "miner.search.cited",
    "products": "miner.search.products",
    "theta": "miner.search.theta",
    "eisenstein": "miner.search.eisenstein",
    "constants": "miner.search.constants",
    "forms": "miner.search.forms",
    "egf": "miner.search.egf",
    "selfref": "miner.search.selfref",
    "partitions": "miner.search.partitions",
    "necklaces": "miner.search.necklaces",
    "adjacent": "miner.search.adjacent",
    "contains": "miner.search.contains",
    "suchthat": "miner.search.suchthat",
    "digits": "miner.search.digits",
    "family_deep": "miner.search.family_deep",
    "neighbours": "miner.search.neighbours",
    "mutation": "miner.search.mutation",
    "repair": "miner.search.repair",
}

# Strategies whose candidates depend only on the sequence's name and terms: asking again gives the same
# answer, so the loop runs each of them once per sequence, outside the bandit.
DETERMINISTIC: frozenset[str] = frozenset({"recurrence", "formula", "family", "holonomic", "gf", "euler", "algebraic",
                                            "convolution", "contfrac", "digits", "coxeter", "descents", "beatty", "primes", "juxtapose",
                                            "cited", "products", "theta", "eisenstein",
                                            "constants", "forms", "egf", "selfref", "partitions", "necklaces",
                                            "adjacent", "contains", "suchthat", "combine"})

# Strategies whose candidates for a sequence are one fixed stream: round r of the bandit takes the next
# `budget * budget_growth^r` of it, where others draw afresh at a larger budget.
STREAMED: frozenset[str] = frozenset({"neighbours", "family_deep"})

# When a once-per-sequence strategy last changed so that it finds more (UTC, ISO 8601): its attempts from
# before then do not count, so an upgraded miner runs it again on the sequences it tried with the old code.
REVISED: dict[str, str] = {
    "convolution": "2026-12-08T01:43:00+00:00",  # ordered sums of K elements of a named set; Riordan arrays (riordan)
    "family": "2026-12-07T14:10:00+00:00",  # numbers spelt out ("exactly six sorts", "the third power") change like digits
    "digits": "2026-12-07T20:20:00+00:00",  # one digit's count; where unhappy numbers enter the cycle
    "cited": "2026-12-07T23:23:00+00:00",  # columns, diagonals, reversed rows, matrix products, sums, sections, T(..), runs, old versions
    "formula": "2026-12-07T23:23:00+00:00",  # tables: exact readings, first column or row; digitcat; comma; Max_{d|n}; Dirichlet conv.
    "euler": "2026-12-05T09:52:00+00:00",  # up to 5 exceptions before the period ("three kinds of 1, 2, 3 and 4 and two kinds of 5, ...")
    "constants": "2026-12-07T08:15:00+00:00",  # fractions p/q; asinh/acosh/atanh, 'where phi is the golden ratio', series
    "egf": "2026-12-07T17:04:00+00:00",  # (1-c*x)*A(x) + A(x^m) = x, "with A(0) = 1"; A(c*x), A(-x); g.f.s of cited sequences
    # checked again when a fit's identical program was refused on few terms (the loop's per-evidence dedupe)
    "gf": "2026-12-05T14:39:00+00:00",
    "recurrence": "2026-12-08T01:43:00+00:00",  # order up to 36 for rational names; counted tilings, bishops, ..., lattices, arrays
    "theta": "2026-12-08T01:43:00+00:00",  # cubic AGM; Ramanujan P, Q, R; cusp forms Delta_k, Leech; mock theta; lattices' theta series
    "selfref": "2026-12-07T23:23:00+00:00",  # lacunary products, A(x*(1+v*x)^e), exp(Sum b(n) x^n/n), q-Catalan numbers
    "suchthat": "2026-12-07T18:14:00+00:00",  # digits; counts; conditions without "such that"; squares mod m
    "primes": "2026-12-06T23:13:00+00:00",  # slow readings checked again under the deep limits (the loop's)
    "coxeter": "2026-12-07T08:15:00+00:00",  # cyclotomic polynomials and their inverses
    "juxtapose": "2026-12-07T23:23:00+00:00",  # made of their own digits, first differences the digits; digits grouped in pairs
    "necklaces": "2026-12-08T01:43:00+00:00",  # palindromes and palindromic structures
}


# Strategies that compile names of the forms they read exactly (each module's `parse_name`): a name one of
# them reads is likely to fall, so the first pass takes it early (`miner.mine.loop.yield_score`).
NAME_READERS: tuple[str, ...] = ("convolution", "contfrac", "digits", "coxeter", "descents", "beatty", "primes",
                                  "juxtapose", "cited", "products", "theta", "eisenstein",
                                  "constants", "forms", "egf", "selfref", "partitions", "necklaces", "adjacent",
                                  "contains", "suchthat")


@functools.lru_cache(maxsize=1 << 18)
def reads_name(name: str) -> bool:
    """Whether one of the NAME_READERS reads the name (cached: the loop asks for every target at each plan)."""
    return any(importlib.import_module(STRATEGY_MODULES[s]).parse_name(name) for s in NAME_READERS)


@functools.lru_cache(maxsize=1 << 18)
def cites(name: str) -> frozenset[int]:
    """The A-numbers a name cites ("Position of n-th 1 in A030302"): once one of them gains a program, the
    once-per-sequence strategies that read the name are worth running on it again."""
    return frozenset(int(a) for a in re.findall(r"\bA(\d{6,7})\b", name))


def model_free_searches(cfg: dict, corpus) -> dict:
    """The model-free searches `training.evaluate` scores beside a model, as (validation sequences,
    known sequences) -> LODA texts callables: the corpus sweep and family templates."""
    from functools import partial

    from miner.search.corpus_sweep import sweep_texts
    from miner.search.family import family_texts

    return {"sweep": partial(sweep_texts, settings=cfg["search"]),
            "family": partial(family_texts, corpus=corpus, budget=int(cfg["mine"]["budget"]["family"]),
                              settings=cfg["search"])}
