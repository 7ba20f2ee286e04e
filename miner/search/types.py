"""Plain records shared by the search strategies and the agent loop that calls them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from miner.lang.program import Program


@dataclass(frozen=True)
class Target:
    """A sequence to find a program for: its A-number, name, known terms and offset."""

    a_number: int
    name: str
    terms: tuple[int, ...]
    offset: int = 0


@dataclass
class Candidate:
    """An untrusted candidate program for one target; the loop checks it against every known term."""

    program: Program
    strategy: str
    note: str = ""
    # One of very many random guesses (a mutant of a random corpus program): checked under the tight
    # `[mine] blind_max_seconds`, because the few slow ones would take most of the checker's time.
    blind: bool = False


@dataclass
class SearchContext:
    """What strategies may consult besides the target: the corpus, a matcher index, settings.

    `corpus` is a `miner.lang.Corpus` (programs by A-number, for mutation and `seq` calls),
    `index` a `TermIndex` over the targets, `known` the sequences that have programs (as Target records:
    terms and offset, for the corpus sweep), `settings` the `[search]` config table (repair also reads
    `near_misses`: programs that matched a long prefix of the target, best first), `retrieval` the
    corpus programs indexed by terms and names (`miner.search.retrieval.Index`), built on first use and
    saved in `cache_dir` (empty: not saved).
    """

    corpus: Any = None
    index: Any = None
    known: dict[int, Target] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    retrieval: Any = None
    cache_dir: str = ""


Strategy = Callable[[Target, SearchContext, int, Any], Iterator[Candidate]]
