"""Family templates past `family`'s budget, for the bandit's rounds after the first pass.

`family` runs once on each sequence: the first `[mine.budget] family` variants of the programs of the
`[search] family_templates` names most like its own. This is the same stream from where that stopped, on
into the names ranked after them. It is streamed (`STREAMED`): round r takes the next `[mine.budget]
family_deep * budget_growth^r` variants, so no variant is tried twice on a sequence.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

from miner.search.family import ranked_variants
from miner.search.types import Candidate, SearchContext, Target


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Variants of the programs of the names most like the target's, after the `family_once` that `family` tried."""
    once = int(ctx.settings.get("family_once", 0))
    # every template that reads gives a variant at least: this many names cover the candidates asked for
    names = once + budget
    stream = ranked_variants(target, ctx, names, "family_deep")
    yield from itertools.islice(stream, once, once + max(budget, 0))
