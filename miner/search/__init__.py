"""Model-free program search: matcher index, corpus sweep, recurrences, formulas, mutation, repair.

Each strategy module has `propose(target, ctx, budget, rng) -> Iterator[Candidate]`; candidates are
untrusted and checked by the agent loop.
"""

STRATEGY_MODULES: dict[str, str] = {
    "corpus_sweep": "miner.search.corpus_sweep",
    "recurrence": "miner.search.recurrence",
    "formula": "miner.search.formula",
    "holonomic": "miner.search.holonomic",
    "gf": "miner.search.gf",
    "mutation": "miner.search.mutation",
    "repair": "miner.search.repair",
}

# Strategies whose candidates depend only on the sequence's name and terms: asking again gives the same
# answer, so the loop runs each of them once per sequence, outside the bandit.
DETERMINISTIC: frozenset[str] = frozenset({"recurrence", "formula", "holonomic", "gf"})
