"""Choosing a strategy: Thompson sampling on hits per CPU-second, with an exploration floor.

Each strategy's rate of hits per CPU-second gets a Gamma(hits + prior_hits, cpu_seconds + prior_seconds)
posterior (the conjugate of a Poisson process); we draw one rate per strategy and take the largest.
With probability `exploration` a uniformly random strategy is taken instead, so none starves.

The prior is empirical once there is evidence (`pooled_prior_seconds`): a strategy with no record is
expected to do as well as all of them together have done, not as well as `prior_hits / prior_seconds`
says. After a first pass the easy sequences are gone and a fixed prior of a hit in 30 CPU-seconds is
100 times too hopeful: each untried strategy then took minutes of CPU to prove it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Mapping, Sequence


@dataclass
class Tally:
    """Hits and CPU seconds a strategy has earned and spent (from the database plus this run)."""

    hits: float = 0.0
    cpu_seconds: float = 0.0


def pooled_prior_seconds(tallies: Mapping[str, Tally], prior_hits: float = 1.0,
                         prior_seconds: float = 30.0) -> float:
    """Prior CPU seconds giving each strategy's prior the pooled rate of `tallies` (with the fixed prior
    counted once): `prior_seconds` while nothing has run."""
    hits = sum(max(t.hits, 0.0) for t in tallies.values()) + prior_hits
    seconds = sum(max(t.cpu_seconds, 0.0) for t in tallies.values()) + prior_seconds
    return prior_hits * seconds / hits


def choose(strategies: Sequence[str], tallies: Mapping[str, Tally], rng: random.Random,
           exploration: float = 0.1, prior_hits: float = 1.0, prior_seconds: float = 30.0) -> str:
    """The strategy to try next among `strategies` (which must not be empty); pass `prior_seconds` from
    `pooled_prior_seconds` for the empirical prior."""
    if not strategies:
        raise ValueError("no strategy available")
    if len(strategies) == 1:
        return strategies[0]
    if rng.random() < exploration:
        return rng.choice(list(strategies))
    best, best_rate = strategies[0], -1.0
    for name in strategies:
        tally = tallies.get(name, Tally())
        shape = max(tally.hits, 0.0) + prior_hits
        scale = 1.0 / (max(tally.cpu_seconds, 0.0) + prior_seconds)
        rate = rng.gammavariate(shape, scale)
        if rate > best_rate:
            best, best_rate = name, rate
    return best


def expected_rates(tallies: Mapping[str, Tally], prior_hits: float = 1.0,
                   prior_seconds: float = 30.0) -> dict[str, float]:
    """Posterior mean hits per CPU-second of each strategy (for reports)."""
    return {name: (t.hits + prior_hits) / (t.cpu_seconds + prior_seconds) for name, t in tallies.items()}
