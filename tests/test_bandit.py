"""The bandit's choice of strategy: Thompson sampling with the empirical prior."""

import random

from miner.mine import bandit
from miner.mine.bandit import Tally


def _share(prior_seconds: float, tallies: dict[str, Tally]) -> float:
    rng = random.Random(7)
    picks = [bandit.choose(["old", "new"], tallies, rng, exploration=0.0, prior_seconds=prior_seconds)
             for _ in range(4000)]
    return picks.count("new") / len(picks)


def test_the_prior_is_the_fixed_one_until_a_strategy_has_run():
    assert bandit.pooled_prior_seconds({}, 1.0, 30.0) == 30.0
    assert bandit.pooled_prior_seconds({"a": Tally()}, 2.0, 45.0) == 45.0


def test_an_untried_strategy_is_expected_to_earn_what_the_others_earned():
    # one hit per CPU-hour so far: a fixed prior of a hit in 30 seconds makes an untried strategy win
    # nearly every draw; the pooled prior expects one an hour of it too, so it wins about a third
    tallies = {"old": Tally(hits=10, cpu_seconds=36_000)}
    pooled = bandit.pooled_prior_seconds(tallies, 1.0, 30.0)
    assert pooled == (36_000 + 30) / 11
    assert _share(30.0, tallies) > 0.95
    assert 0.2 < _share(pooled, tallies) < 0.5


def test_the_pooled_prior_gives_way_to_a_strategys_own_record():
    # a strategy that earned 10 hits an hour over 10 hours beats one at 1 an hour almost always
    tallies = {"old": Tally(hits=10, cpu_seconds=36_000), "new": Tally(hits=100, cpu_seconds=36_000)}
    assert _share(bandit.pooled_prior_seconds(tallies), tallies) > 0.99
