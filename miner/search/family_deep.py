"""Family templates further down the ranking of similar names, for the bandit's rounds after the first pass.

`family` runs once on each sequence with the `[search] family_templates` names most like its own; this
stream goes on from the next name. It is streamed (`STREAMED`): round r takes the next `[mine.budget]
family_deep * budget_growth^r` variants, so no template is tried twice on a sequence.
"""

from __future__ import annotations

from typing import Any, Iterator

from miner.search.family import TEMPLATES, ranked_variants
from miner.search.types import Candidate, SearchContext, Target


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Variants of the programs of the names ranked after `family`'s, at most `budget` of them."""
    first = int(ctx.settings.get("family_templates", TEMPLATES))
    # every template that reads gives at least one variant: `budget` more names cover the stream's candidates
    for count, cand in enumerate(ranked_variants(target, ctx, first, first + budget, "family_deep")):
        if count >= budget:
            return
        yield cand
