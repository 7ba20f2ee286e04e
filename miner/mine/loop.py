"""The mining loop: claim sequences, pick a strategy each, generate, check, match, repair, keep hits.

One batch (`mine_batch`): claim `[mine] batch_size` lacking sequences, choose a strategy for each with
the bandit (`miner.mine.bandit`), generate candidates (model strategies in one `generate` call per strategy),
drop duplicates and unparsable ones, check them in the worker pool against every known term, look the
terms of failed candidates up in the matcher index of all lacking sequences, repair near misses,
deep-check each hit (b-file terms when available), store it with its provenance, export it, record one
attempt per (sequence, strategy) and release the leases. `mine` runs batches for a time or a count.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import structlog

from miner.mine import bandit
from miner.mine.checker import CheckItem, CheckOutcome, with_offset
from miner.lang.anumber import format_a_number
from miner.mine.trust import EVIDENCE, MATCH_ROUTES, evidence
from miner.mine.context import (MODEL_STRATEGIES, ROTATING, MiningContext, deep_limits, load_model, mining_limits,
                                 record_sweep, refresh_context, retrieval_index)
from miner.lang.formatter import format_program
from miner.lang.optimize import optimize
from miner.lang.program import Program
from miner.search import DETERMINISTIC, NAME_READERS, STREAMED, cites, reads_name
from miner.search.types import Candidate, Target
from storage.records import AttemptOutcome, StrategyStats

if TYPE_CHECKING:
    import threading

    from storage import Engine

log = structlog.get_logger(__name__)

NEAR_MISSES_KEPT = 4
# Prompts per model.generate call.
MODEL_CHUNK = 2
# Program texts remembered per sequence so a later batch does not check the same candidate again ...
SEEN_PER_TARGET = 2_000
# ... and in all: a daemon runs for months, so past this the memory starts afresh (about 100 MB of hashes).
SEEN_TOTAL = 1_000_000
# Leading terms of blind guesses, by program text and offset, kept in all: neighbouring sequences share
# neighbours, and 39% of the first round's edits over the real targets repeat one made for another sequence.
EVALUATED_KEPT = 100_000
# Candidates per attempt checked between two looks at its CPU cap (`[mine] attempt_cpu_min/max`).
CAP_WAVE = 8
# Completions (a wrong candidate plus a multiple of a known sequence) checked per wrong candidate.
COMPLETIONS = 2
# A target whose known terms begin like a simple family (an arithmetic progression for 50 terms) is matched
# by every candidate of that family, and each follow-up fails at the same later term. After this many
# follow-ups (a hit ends them: the target is solved), a target's matches are followed up only at the
# powers of two of their count, so what it costs grows with the logarithm of its matches (measured: three
# such targets took 40 of the 53 CPU-seconds the follow-ups of a minute of mutation cost, and gave nothing).
MATCH_FOLLOW_UPS = 4


def follow_up_due(matches: int, followed: int) -> bool:
    """Whether a target's `matches`-th match is followed up, `followed` of the earlier ones having been."""
    return followed < MATCH_FOLLOW_UPS or not matches & (matches - 1)  # or a power of two


# Strategies that look every lacking sequence up at once, in `run_sweep`, not per sequence: those of the
# first pass, and the compositions sweep after it (a slice per batch, once the once-per-sequence work is done).
FIRST_PASS_SWEEPS = ("corpus_sweep", "transforms")
SWEEPS = (*FIRST_PASS_SWEEPS, "compositions")


# Outcomes of `storage.store_hit` that stored a program (new, or replacing a longer or provisional one);
# a provisional target's program found again is "kept" and stores nothing.
STORED_OUTCOMES = frozenset({"new", "replaced"})


def stored(found: Iterable["HitInfo"]) -> int:
    """How many of the hits stored a program."""
    return sum(h.stored for h in found)


@dataclass
class HitInfo:
    """A stored hit: sequence, strategy, how it was reached (direct, match, repair), length, outcome."""

    a_number: int
    strategy: str
    route: str
    length: int
    terms_verified: int
    outcome: str
    status: str = "verified"

    @property
    def stored(self) -> bool:
        return self.outcome in STORED_OUTCOMES


@dataclass
class BatchSummary:
    """What one batch did. `valid`: candidates that evaluated without error (right or wrong)."""

    tried: int = 0
    candidates: int = 0
    valid: int = 0
    hits: int = 0
    cpu_seconds: float = 0.0
    stopped: bool = False
    found: list[HitInfo] = field(default_factory=list)
    per_strategy: dict[str, StrategyStats] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Flat figures for logs and the daemon's status."""
        return {"targets": self.tried, "tried": self.tried, "candidates": self.candidates, "valid": self.valid,
                "hits": self.hits, "cpu_seconds": round(self.cpu_seconds, 3), "stopped": self.stopped}

    def add(self, other: "BatchSummary") -> None:
        """Accumulate another batch's figures."""
        self.tried += other.tried
        self.candidates += other.candidates
        self.valid += other.valid
        self.hits += other.hits
        self.cpu_seconds += other.cpu_seconds
        self.stopped = self.stopped or other.stopped
        self.found.extend(other.found)
        for name, t in other.per_strategy.items():
            mine = self.per_strategy.setdefault(name, StrategyStats())
            mine.attempts += t.attempts
            mine.candidates += t.candidates
            mine.valid += t.valid
            mine.hits += t.hits
            mine.cpu_seconds += t.cpu_seconds


@dataclass
class MineSummary(BatchSummary):
    """What a `mine` run did, over all its batches."""

    batches: int = 0
    wall_seconds: float = 0.0
    # CPU seconds of the checker worker processes, all of it (cpu_seconds counts each candidate's share)
    worker_process_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Everything, JSON-ready."""
        data = asdict(self)
        data["cpu_seconds"] = round(self.cpu_seconds, 3)
        data["wall_seconds"] = round(self.wall_seconds, 3)
        for hit in data["found"]:
            hit["a_number"] = format_a_number(hit["a_number"])
        return data


@dataclass
class _Attempt:
    """One (sequence, strategy) attempt being worked on."""

    target: Target
    strategy: str
    started_at: datetime
    candidates: int = 0
    valid: int = 0
    best_prefix: int = 0
    cpu_seconds: float = 0.0
    worker_seconds: float = 0.0  # the part of cpu_seconds spent in checker workers
    error: str = ""
    hit: bool = False
    round: int = 0  # this strategy's earlier attempts on the sequence (bandit strategies; budgets grow)
    capped: int = 0  # candidates left unchecked when the attempt reached its CPU cap

    @property
    def a_number(self) -> int:
        return self.target.a_number


@dataclass
class _Cand:
    """A candidate to check against `target`'s terms, paid for by `attempt`."""

    attempt: _Attempt
    target: Target
    program: Program
    rank: int | None = None
    route: str = "direct"
    blind: bool = False  # a random guess (`Candidate.blind`): checked under the tighter mutant limits
    text: str = ""  # the program's text, once `_dedupe` has looked at it


# --- strategy choice -------------------------------------------------------------------------------

def enabled_strategies(ctx: MiningContext, only: Iterable[str] | None = None) -> list[str]:
    """Strategies configured (and in `only`, if given) that can run now; the SWEEPS are not per sequence."""
    wanted = [s for s in ctx.cfg["mine"]["strategies"] if only is None or s in set(only)]
    out = []
    for name in wanted:
        if name in MODEL_STRATEGIES:
            if ctx.state.model.loaded is not None:
                out.append(name)
        elif name in ctx.proposers and name not in SWEEPS:
            out.append(name)
    return out


def _tallies(engine: Engine) -> dict[str, bandit.Tally]:
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        stats = storage.strategy_stats(session)
    return {name: bandit.Tally(s.hits, s.cpu_seconds) for name, s in stats.items()}


def round_of(ctx: MiningContext, a: int, strategy: str) -> int:
    """Attempts `strategy` already made on sequence `a` (a model strategy's, with the current model)."""
    if strategy not in ROTATING:
        return 0
    version = ctx.state.model.version if strategy in MODEL_STRATEGIES else None
    return ctx.state.rounds.get((a, strategy, version), 0)


def budget_for(ctx: MiningContext, strategy: str, round_: int = 0) -> int:
    """Candidates of one attempt: `[mine.budget]`, times `budget_growth` per earlier round."""
    m = ctx.cfg["mine"]
    return max(1, int(round(int(m["budget"][strategy]) * float(m["budget_growth"]) ** round_)))


def rounds_of(ctx: MiningContext, strategy: str) -> int:
    """Rounds of a bandit strategy per sequence: `[mine] rounds`, fewer for a model strategy whose
    candidates would pass `model_max_candidates` (beams cost memory and time as they grow)."""
    m = ctx.cfg["mine"]
    rounds = int(m["rounds"])
    if strategy in MODEL_STRATEGIES:
        cap = int(m["model_max_candidates"])
        rounds = min(rounds, next((r for r in range(rounds) if budget_for(ctx, strategy, r) > cap), rounds))
    return rounds


def open_strategies(ctx: MiningContext, a: int, strategies: Iterable[str],
                    limits: dict[str, int] | None = None) -> list[str]:
    """The bandit strategies not yet spent on sequence `a` (`repair` only when it has near misses); `limits`
    holds `rounds_of` of each strategy when the caller asks for many sequences."""
    return [s for s in strategies
            if round_of(ctx, a, s) < (limits[s] if limits is not None else rounds_of(ctx, s))
            and (s != "repair" or ctx.state.near_misses.get(a))]


def choose_strategy(ctx: MiningContext, target: Target, strategies: list[str],
                    tallies: dict[str, bandit.Tally]) -> str | None:
    """The bandit's pick for one sequence among the strategies it has not used up."""
    options = open_strategies(ctx, target.a_number, strategies)
    if not options:
        return None
    m = ctx.cfg["mine"]
    prior_seconds = bandit.pooled_prior_seconds({s: tallies[s] for s in strategies if s in tallies},
                                                m["prior_hits"], m["prior_seconds"])
    return bandit.choose(options, tallies, ctx.rng, m["exploration"], m["prior_hits"], prior_seconds)


def cpu_caps(ctx: MiningContext, strategies: Iterable[str], tallies: dict[str, bandit.Tally]) -> dict[str, float]:
    """CPU seconds a round-0 attempt of each strategy may spend: `attempt_cpu_min` for the strategy with
    the fewest hits per CPU-second so far up to `attempt_cpu_max` for the best (posterior means)."""
    m = ctx.cfg["mine"]
    names = list(strategies)
    rates = bandit.expected_rates({s: tallies.get(s, bandit.Tally()) for s in names},
                                  m["prior_hits"], m["prior_seconds"])
    best = max(rates.values(), default=0.0)
    low, high = float(m["attempt_cpu_min"]), float(m["attempt_cpu_max"])
    return {s: low + (high - low) * (rates[s] / best if best > 0 else 1.0) for s in names}


# --- what to mine next ------------------------------------------------------------------------------

# Name features and their weight in `yield_score`, from the cheap strategies' hit rates on the 3,825 real
# targets (2026-04-01 corpus, measured 2026-12-05 with euler and algebraic): 22% fell in all; 40% of names
# stating `a(n) = ...`, 42% of those with `a(n-1)`, 36% of "Expansion of ...", 56% of eta, theta and
# McKay-Thompson series; triangles 5%, names about primes 7%; decimal expansions 22% (algebraic numbers).
NAME_WEIGHTS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("a(n) =", "a(n)="), 1.5),
    (("a(n-1)", "a(n-2)"), 1.0),
    (("Expansion of", "expansion of"), 1.0),
    (("eta(", "theta", "Ramanujan", "McKay"), 0.8),
    (("riangle",), -1.2),
    (("prime", "Prime"), -1.0),
)
# The newest A-numbers fell most often (28% of those within 50,000 of the newest against 9% before).
NEW_SPAN, NEW_WEIGHT = 50_000, 1.5
# Names a strategy reads exactly (`miner.search.reads_name`): 277 of the 298 real targets with such names
# fell (93%), against 31% of all, so they come first whatever else the name or the A-number says.
READ_WEIGHT = 6.0  # above any sum of the other weights


def yield_score(target: Target, newest: int = 0) -> float:
    """How likely a sequence is to fall to the cheap strategies (higher first): `NAME_WEIGHTS` of its
    name, `READ_WEIGHT` if a strategy reads it exactly, `NEW_WEIGHT` if within `NEW_SPAN` of the `newest`
    A-number, ties broken by newer A-number."""
    a = target.a_number
    score = _name_score(target.name)
    if newest and a > newest - NEW_SPAN:
        score += NEW_WEIGHT
    return score + a / 1e7


@lru_cache(maxsize=1 << 16)
def _name_score(name: str) -> float:
    # plan() scores every lacking sequence before each batch; the name's part never changes
    score = sum(weight for words, weight in NAME_WEIGHTS if any(w in name for w in words))
    return score + READ_WEIGHT if reads_name(name) else score


def once_stages(ctx: MiningContext, available: list[str]) -> list[list[str]]:
    """The once-per-sequence strategies among `available` in the first pass's stages: the cheap ones
    together, each of `[mine] costly_strategies` alone in its order, then `[mine] late_strategies` (the
    transform sweep runs before the last stage). A stage is empty when none of its strategies is available."""
    m = ctx.cfg["mine"]
    costly = list(dict.fromkeys(m["costly_strategies"]))
    late = set(m["late_strategies"]) - set(costly)
    once = [s for s in available if s in DETERMINISTIC]
    return ([[s for s in once if s not in costly and s not in late]] + [[s] if s in once else [] for s in costly]
            + [[s for s in once if s in late]])


def _owed(ctx: MiningContext, a: int, stages: list[list[str]]) -> int:
    """The first stage with a strategy not yet run on sequence `a` (len(stages) if none)."""
    done = ctx.state.once_done
    return next((i for i, stage in enumerate(stages) if any((a, s) not in done for s in stage)), len(stages))


def plan(ctx: MiningContext, available: list[str], again: set[int] | None = None) -> list[int]:
    """Lacking sequences in the order to mine them: first those still owed the first stage of the
    once-per-sequence strategies (`once_stages`), then the next stages, each by `yield_score`; then
    those with bandit strategies left, fewest rounds first. Sequences in `again` are left out unless
    once-per-sequence work is due."""
    stages = once_stages(ctx, available)
    rotating = [s for s in available if s not in DETERMINISTIC]
    limits = {s: rounds_of(ctx, s) for s in rotating}
    newest = max(ctx.state.targets, default=0)
    keyed = []
    for a, target in ctx.state.targets.items():
        if a in ctx.state.solved:
            continue
        tier, rounds = _owed(ctx, a, stages), 0
        if tier == len(stages):
            if (again is not None and a in again) or not open_strategies(ctx, a, rotating, limits):
                continue
            rounds = sum(round_of(ctx, a, s) for s in rotating)
        if a in ctx.state.provisional:
            tier += len(stages) + 1  # a provisional hit already: after every lacking sequence
        keyed.append(((tier, rounds, -yield_score(target, newest)), a))
    keyed.sort()
    return [a for _, a in keyed]


def claim_next(engine: Engine, ctx: MiningContext, want: int, available: list[str],
               again: set[int] | None = None) -> list[int]:
    """Lease up to `want` sequences in `plan` order (leases keep the miners of a fleet apart)."""
    import storage

    return storage.lease(engine, ctx.owner, plan(ctx, available, again), want, float(ctx.cfg["mine"]["lease_seconds"]))


# --- generation ------------------------------------------------------------------------------------

# Model strategies whose prompt shows the best near miss once there is one (the others read only the
# name or only the terms).
NEAR_MISS_PROMPTS = ("beam", "sample")


def _model_sources(ctx: MiningContext, engine: Engine, targets: list[Target], strategy: str) -> list[str]:
    """Prompts in the model's training format (its `num_terms`, `neighbours` and `similar_names` settings)."""
    from training.generate import source_for, uses_retrieval

    meta = ctx.state.model.loaded.meta
    prompts = [("" if strategy == "terms_only" else t.name, () if strategy == "name_only" else t.terms, t)
               for t in targets]
    index = retrieval_index(ctx, engine) if any(uses_retrieval(meta, n, s) for n, s, _ in prompts) else None

    def matched(t: Target, terms) -> list[str]:
        if not (index is not None and terms and meta.get("matched_neighbours")):
            return []
        from miner.search.corpus_sweep import matched_programs

        return [format_program(p) for p in matched_programs(t, ctx.state.search)]

    sources = [source_for(meta, name, terms, t.offset, index, a_number=t.a_number, matched=matched(t, terms))
               for name, terms, t in prompts]
    if strategy in NEAR_MISS_PROMPTS:
        sources = [_show_near_miss(ctx, t, source, meta) for t, source in zip(targets, sources)]
    return sources


def _show_near_miss(ctx: MiningContext, target: Target, source: str, meta: dict[str, Any]) -> str:
    """The prompt with the sequence's best near miss so far (of any strategy, at least `[mine]
    near_miss_prompt_terms` leading terms right) as its first neighbour, for a model trained to mend
    them (`training.mend`): the bundled model, not so trained, solved none of 110 such prompts."""
    from miner.lang.compact import to_target
    from training.pairs import with_near_miss

    need = int(ctx.cfg["mine"]["near_miss_prompt_terms"])
    a = target.a_number
    tried = ctx.state.near_misses.get(a, []) + ctx.state.model_seeds.get(a, [])
    best = max(tried, key=lambda x: (x[0], -len(x[1].ops)), default=None)
    if not (need and meta.get("mend_pairs") and int(meta.get("neighbours", 0))) or best is None or best[0] < need:
        return source
    return with_near_miss(source, to_target(best[1]), int(meta["neighbours"]))


def _generate_model(ctx: MiningContext, engine: Engine, attempts: list[_Attempt], strategy: str,
                    stop_event: threading.Event | None = None) -> list[_Cand]:
    """Model candidates for every attempt of one model strategy, in one batched `generate` call."""
    from miner.lang.parser import ParseError, parse
    from training.generate import generate

    m = ctx.cfg["mine"]
    round_ = attempts[0].round
    k = budget_for(ctx, strategy, round_)
    mode = "sample" if strategy == "sample" else "beam"
    temperatures = [float(m["sample_temperature"])] + [float(t) for t in m["sample_temperatures"]]
    sources = _model_sources(ctx, engine, [a.target for a in attempts], strategy)
    texts: list[list[str]] = []
    # A few prompts per call, so a stop request is seen within seconds even with many beams.
    for start in range(0, len(sources), MODEL_CHUNK):
        if _stopped(stop_event):
            break
        texts.extend(generate(ctx.state.model.loaded, sources[start:start + MODEL_CHUNK], k, mode=mode,
                              temperature=temperatures[round_ % len(temperatures)]))
    out = []
    for attempt, programs in zip(attempts, texts):
        for rank, text in enumerate(programs, 1):
            try:
                program = parse(text, f"<{strategy} {format_a_number(attempt.target.a_number)}>")
            except ParseError:
                continue
            out.append(_Cand(attempt, attempt.target, program, rank))
    return out


def _search_context(ctx: MiningContext, target: Target, strategy: str) -> Any:
    from dataclasses import replace

    if strategy == "family_deep":  # it goes on where family's once-per-sequence budget stopped
        from miner.search.family import corpus_index

        corpus_index(ctx.state.search)  # built once, on the shared context, not on each attempt's copy
        return replace(ctx.state.search, settings={**ctx.state.search.settings, "family_once": budget_for(ctx, "family", 0)})
    if strategy not in ("repair", "mutation"):
        return ctx.state.search
    # Repair works on this sequence's near misses, best first; mutation also on its best model candidates.

    a = target.a_number
    misses = [p for _, p in ctx.state.near_misses.get(a, [])]
    settings = dict(ctx.state.search.settings)
    if strategy == "repair":
        settings["near_misses"] = misses
    else:
        settings["seeds"] = misses + [p for _, p in ctx.state.model_seeds.get(a, []) if p not in misses]
        if ctx.state.search.known and int(settings.get("similar_programs", 0)):
            # built once, on the shared context: the copy below would build it for every attempt
            from miner.search.family import corpus_index

            corpus_index(ctx.state.search)
    return replace(ctx.state.search, settings=settings)


def _generate_search(ctx: MiningContext, attempt: _Attempt, stop_event: threading.Event | None) -> list[_Cand]:
    """Candidates of one search strategy for one sequence, at most its budget."""
    strategy = attempt.strategy
    budget = budget_for(ctx, strategy, attempt.round)
    # a stream's earlier rounds took its first candidates (drawing them again made rounds 3 to 5 of
    # `neighbours` re-check what rounds 0 to 2 had, past the per-sequence memory of texts)
    skip = sum(budget_for(ctx, strategy, r) for r in range(attempt.round)) if strategy in STREAMED else 0
    propose = ctx.proposers[strategy]
    out = []
    stream = propose(attempt.target, _search_context(ctx, attempt.target, strategy), skip + budget, ctx.rng)
    for rank, cand in enumerate(itertools.islice(stream, skip, None), skip + 1):
        out.append(_Cand(attempt, attempt.target, cand.program, rank, blind=cand.blind))
        if len(out) >= budget or (stop_event is not None and stop_event.is_set()):
            break
    return out


def generate_for(ctx: MiningContext, engine: Engine, attempts: list[_Attempt], stop_event: threading.Event | None) -> list[_Cand]:
    """Candidates for all attempts, deduplicated per sequence (also against earlier batches)."""
    raw: list[_Cand] = []
    by_strategy: dict[tuple[str, int], list[_Attempt]] = {}
    for attempt in attempts:  # one generate call per model strategy and round (the round sets K)
        by_strategy.setdefault((attempt.strategy, attempt.round), []).append(attempt)
    for (strategy, _round), group in by_strategy.items():
        if stop_event is not None and stop_event.is_set():
            break
        if strategy in MODEL_STRATEGIES:
            start = time.process_time()
            try:
                raw.extend(_generate_model(ctx, engine, group, strategy, stop_event))
            except Exception as exc:  # noqa: BLE001 - a model failure must not end the batch
                log.exception("generate_failed", strategy=strategy)
                for attempt in group:
                    attempt.error = f"{type(exc).__name__}: {exc}"
            share = (time.process_time() - start) / len(group)
            for attempt in group:
                attempt.cpu_seconds += share
            continue
        for attempt in group:
            if stop_event is not None and stop_event.is_set():
                break
            start = time.process_time()
            try:
                raw.extend(_generate_search(ctx, attempt, stop_event))
            except Exception as exc:  # noqa: BLE001 - one strategy's bug must not end the batch
                log.exception("propose_failed", strategy=strategy, seq=format_a_number(attempt.target.a_number))
                attempt.error = f"{type(exc).__name__}: {exc}"
            attempt.cpu_seconds += time.process_time() - start
    return _dedupe(ctx, raw)


def _dedupe(ctx: MiningContext, cands: list[_Cand]) -> list[_Cand]:
    if ctx.state.seen_count > SEEN_TOTAL:
        ctx.state.seen.clear()
        ctx.state.seen_count = 0
    out = []
    # The same program from a strategy of stronger evidence is checked again: a fit the trust rules refuse on
    # few terms (an Euler transform) is a hit when the name states it (an eta quotient). Within a batch the
    # strongest comes first, so a program is checked once.
    ranked = sorted(((EVIDENCE.index(evidence(c.attempt.strategy)), c) for c in cands), key=lambda rc: rc[0])
    for rank, cand in ranked:
        program = with_offset(cand.program, cand.target.offset)
        if not program.code():
            continue
        text = format_program(Program(program.code(), program.directives))
        seen = ctx.state.seen.setdefault(cand.target.a_number, set())
        if any(hash((text, stronger)) in seen for stronger in EVIDENCE[:rank + 1]):
            continue
        key = hash((text, EVIDENCE[rank]))
        if len(seen) < SEEN_PER_TARGET:
            seen.add(key)
            ctx.state.seen_count += 1
        cand.program, cand.text = program, text
        cand.attempt.candidates += 1
        out.append(cand)
    return out


def _terms_key(cand: _Cand) -> int | None:
    """Where a blind guess's leading terms are kept (`MiningState.evaluated`); None: not kept."""
    if not cand.blind or not cand.text or cand.route in MATCH_ROUTES:
        return None
    return hash((cand.text, cand.target.offset))


def _known_wrong(ctx: MiningContext, cands: list[_Cand]) -> tuple[list[_Cand], list[tuple[_Cand, CheckOutcome]]]:
    """The candidates to check, and the blind guesses whose kept leading terms (a guess made before for
    another sequence) already differ from their sequence's, with the outcome a check would give: their
    terms were looked up in the matcher index then."""
    todo, wrong = [], []
    for cand in cands:
        key = _terms_key(cand)
        terms = ctx.state.evaluated.get(key) if key is not None else None
        if terms is not None:
            want = cand.target.terms
            first = next((i for i, (t, w) in enumerate(zip(terms, want)) if t != w), None)
            if first is not None:
                wrong.append((cand, CheckOutcome(ok=False, matched=first)))
                continue
        todo.append(cand)
    return todo, wrong


def _keep_terms(ctx: MiningContext, cand: _Cand, outcome: CheckOutcome) -> None:
    key = _terms_key(cand)
    if key is None or outcome.ok or not outcome.evaluated:
        return
    if len(ctx.state.evaluated) >= EVALUATED_KEPT:
        ctx.state.evaluated.clear()
    ctx.state.evaluated[key] = outcome.evaluated


# --- checking ---------------------------------------------------------------------------------------

def _check(ctx: MiningContext, cands: list[_Cand], stop_event: threading.Event | None,
           limits: Any = None) -> list[tuple[_Cand, CheckOutcome]]:
    """Quick check of candidates (all known terms; under `limits` if given); pays worker and IPC CPU to their
    attempts."""
    cands, done = _known_wrong(ctx, cands)
    if not cands:
        return done
    match_terms = int(ctx.cfg["mine"]["match_terms"])
    # A blind guess's wrong terms are looked up in the matcher index only, which keys on its first
    # key_length + max_shift terms: evaluating 24 made a wrong edit cost 4.6 ms, 12 make it 1.7 ms.
    blind_terms = min(match_terms, ctx.state.index.key_length + ctx.state.index.max_shift)
    # Matcher output, completions and sweep candidates (`seq` of a known sequence) are not looked up again.
    blind = mining_limits(ctx.cfg, blind=True)
    blind_matched = mining_limits(ctx.cfg, blind=True, matched=True)
    items = [CheckItem(c.program, c.target.a_number, c.target.offset, c.target.terms,
                       match_terms=0 if c.route in MATCH_ROUTES or c.attempt.strategy in SWEEPS
                       else blind_terms if c.blind else match_terms,
                       limits=(blind_matched if c.route in MATCH_ROUTES else blind) if c.blind else limits)
             for c in cands]
    start = time.process_time()
    outcomes = ctx.pool.check(items, stop_event)
    overhead = (time.process_time() - start) / len(cands)
    for cand, outcome in zip(cands, outcomes):
        if outcome is None:
            continue
        cand.attempt.cpu_seconds += outcome.cpu_seconds + overhead
        cand.attempt.worker_seconds += outcome.cpu_seconds
        _keep_terms(ctx, cand, outcome)
        done.append((cand, outcome))
    return done


def _check_capped(ctx: MiningContext, cands: list[_Cand], stop_event: threading.Event | None,
                  caps: dict[str, float] | None) -> list[tuple[_Cand, CheckOutcome]]:
    """`_check` in waves of `CAP_WAVE` candidates per attempt, best rank first; an attempt past its CPU
    cap (`caps` by strategy, times `budget_growth` per round) has its remaining candidates dropped."""
    if not caps:
        return _check(ctx, cands, stop_event)
    queues: dict[int, list[_Cand]] = {}
    for cand in cands:
        queues.setdefault(id(cand.attempt), []).append(cand)
    growth = float(ctx.cfg["mine"]["budget_growth"])
    done: list[tuple[_Cand, CheckOutcome]] = []
    pos = dict.fromkeys(queues, 0)
    while not _stopped(stop_event):
        wave: list[_Cand] = []
        for key, queue in queues.items():
            i = pos[key]
            if i >= len(queue):
                continue
            attempt = queue[0].attempt
            cap = caps.get(attempt.strategy)
            if i and cap is not None and attempt.cpu_seconds >= cap * growth ** attempt.round:
                attempt.capped += len(queue) - i
                attempt.candidates -= len(queue) - i
                pos[key] = len(queue)
                continue
            wave.extend(queue[i:i + CAP_WAVE])
            pos[key] = i + CAP_WAVE
        if not wave:
            break
        done.extend(_check(ctx, wave, stop_event))
    return done


def _model_seed(ctx: MiningContext, cand: _Cand, outcome: CheckOutcome) -> None:
    """Keep a sequence's best wrong model candidates (most leading terms right) as mutation seeds."""
    if outcome.ok or outcome.error or outcome.matched < 1 or cand.attempt.strategy not in MODEL_STRATEGIES:
        return
    seeds = ctx.state.model_seeds.setdefault(cand.target.a_number, [])
    seeds.append((outcome.matched, cand.program))
    seeds.sort(key=lambda x: (-x[0], len(x[1].ops)))
    del seeds[NEAR_MISSES_KEPT:]


def _near_miss(ctx: MiningContext, cand: _Cand, outcome: CheckOutcome) -> bool:
    m = ctx.cfg["mine"]
    need = max(m["near_miss_min_terms"], int(m["near_miss_fraction"] * len(cand.target.terms)))
    # A program stopped by a limit was not wrong, only slow: its edits would be as slow to check (a scan or a
    # series a name states, repaired over and over, took a quarter of a first pass's CPU).
    if outcome.ok or outcome.error or outcome.matched < need:
        return False
    misses = ctx.state.near_misses.setdefault(cand.target.a_number, [])
    misses.append((outcome.matched, cand.program))
    misses.sort(key=lambda x: (-x[0], len(x[1].ops)))
    del misses[NEAR_MISSES_KEPT:]
    return True


def _matches(ctx: MiningContext, cand: _Cand, outcome: CheckOutcome) -> list[_Cand]:
    """Lacking sequences whose terms the failed candidate's terms match, as transformed candidates."""
    if outcome.ok or len(outcome.evaluated) < 2:
        return []
    start = time.process_time()
    out = []
    index = ctx.state.index
    for found in index.matches(outcome.evaluated):
        a = found.a_number
        target = ctx.state.targets.get(a)
        if target is None or a in ctx.state.solved:
            continue
        matches, followed = ctx.state.match_tally.get(a, (0, 0))
        matches += 1
        if not follow_up_due(matches, followed):
            ctx.state.match_tally[a] = (matches, followed)
            continue
        # built only for the matches followed up: wrapping a program in a loop is most of a match's cost
        program = index.program(found, cand.program)
        if program is None:
            continue
        ctx.state.match_tally[a] = (matches, followed + 1)
        out.append(_Cand(cand.attempt, target, program, cand.rank, "match", blind=cand.blind))
    cand.attempt.cpu_seconds += time.process_time() - start
    return out


def _completions(ctx: MiningContext, cand: _Cand, outcome: CheckOutcome) -> list[_Cand]:
    """The failed candidate plus a multiple of a known sequence that makes up the difference
    (`miner.search.combine.completions`), for the `combine` strategy's matrix when it runs."""
    # Not for blind guesses: they are many, their terms are evaluated too short for the matrix, and a
    # random program plus a scaled known sequence fits the known terms by accident (A023612).
    if outcome.ok or cand.blind or "combine" not in ctx.proposers or cand.route != "direct" \
            or cand.attempt.strategy in (*SWEEPS, "combine") or not ctx.state.search.known:
        return []
    from miner.search import combine

    start = time.process_time()
    known = ctx.state.search.known
    out = []
    for x in combine.completions(cand.target, outcome.evaluated, combine.matrix_for(ctx.state.search),
                                 known)[:COMPLETIONS]:
        program = combine.completed(cand.program, x, cand.target, known)
        if program is not None:
            out.append(_Cand(cand.attempt, cand.target, program, cand.rank, "combine"))
    cand.attempt.cpu_seconds += time.process_time() - start
    return out


def check_round(ctx: MiningContext, cands: list[_Cand], stop_event: threading.Event | None,
                winners: dict[int, list[_Cand]], caps: dict[str, float] | None = None,
                wrong: list[_Cand] | None = None) -> set[int]:
    """Check candidates (each attempt within its CPU cap, see `cpu_caps`) and their matcher follow-ups;
    collect passing ones in `winners` by A-number, and those that got a term wrong in `wrong`.

    Returns the A-numbers that got new near misses.
    """
    fresh_misses: set[int] = set()
    follow: list[_Cand] = []
    slow: list[_Cand] = []
    for cand, outcome in _check_capped(ctx, cands, stop_event, caps):
        attempt = cand.attempt
        if not outcome.error:
            attempt.valid += 1
        if cand.target is attempt.target:
            attempt.best_prefix = max(attempt.best_prefix, outcome.matched)
        if outcome.ok:
            winners.setdefault(cand.target.a_number, []).append(cand)
            continue
        if _slow_reading(cand, outcome):
            slow.append(cand)
            continue
        if wrong is not None and not outcome.error:
            wrong.append(cand)
        if _near_miss(ctx, cand, outcome):
            fresh_misses.add(cand.target.a_number)
        elif cand.target is attempt.target:
            _model_seed(ctx, cand, outcome)
        follow.extend(_matches(ctx, cand, outcome))
        follow.extend(_completions(ctx, cand, outcome))
    follow = _dedupe(ctx, follow)
    for cand, outcome in _check(ctx, follow, stop_event) + _check(ctx, slow, stop_event, deep_limits(ctx.cfg)):
        if outcome.ok:
            winners.setdefault(cand.target.a_number, []).append(cand)
    return fresh_misses


# Strategies that read the name or fit the terms exactly: one or a few candidates a sequence, each one a
# reading that is right or wrong as a whole, and some right ones are slow (a scan for primes of 16*k^4 + 81
# takes 10^7 steps a term, more than the quick check allows but within loda-cpp's 10^8).
EXACT_READERS = frozenset(NAME_READERS) | {"formula", "gf", "recurrence", "holonomic", "algebraic", "euler"}
SLOW_PREFIX = 10  # terms a slow reading must have got right before its limit to be checked again


def _slow_reading(cand: _Cand, outcome: CheckOutcome) -> bool:
    """An exact reading of its own target that ran into the quick check's time or step limit after getting
    every evaluated term right (at least `SLOW_PREFIX`): checked again under the deep check's limits."""
    return (cand.attempt.strategy in EXACT_READERS and cand.target is cand.attempt.target and not cand.blind
            and outcome.error.startswith(("time limit", "step limit"))
            and outcome.matched >= min(SLOW_PREFIX, len(cand.target.terms)))


# --- hits --------------------------------------------------------------------------------------------

def deep_terms(cfg: dict[str, Any], target: Target) -> tuple[tuple[int, ...], str]:
    """Terms for the deep check and where they came from: the b-file when it can be fetched, else the known."""
    limit = int(cfg["mine"]["check_terms"])
    known = tuple(target.terms)
    if not cfg["mine"]["deep_check"]:
        return known[:max(limit, len(known))], "known"
    fetch_bfile: Callable[[dict[str, Any], int], list[int] | None] | None
    try:
        from miner.sources import fetch_bfile
    except ImportError:
        fetch_bfile = None
    fetched: list[int] | None = None
    if fetch_bfile is not None:
        try:
            fetched = fetch_bfile(cfg, target.a_number)
        except Exception as exc:  # noqa: BLE001 - offline or a broken b-file: fall back, say so
            log.warning("bfile_unavailable", seq=format_a_number(target.a_number), error=str(exc))
    if not fetched:
        log.info("deep_check_offline", seq=format_a_number(target.a_number), terms=len(known))
        return known, "known"
    bfile = tuple(fetched)
    if bfile[:len(known)] != known[:len(bfile)]:
        log.warning("bfile_disagrees", seq=format_a_number(target.a_number))
        return known, "known"
    terms = bfile[:limit] if len(bfile) >= len(known) else known
    return terms, "bfile"


@dataclass
class _Deep:
    """One sequence's deep check: its candidates' programs to try in turn, and what came of them."""

    target: Target
    terms: tuple[int, ...]
    bfile: bool
    options: list[tuple[_Cand, Program]]
    wrong: list[_Cand] = field(default_factory=list)
    result: tuple[_Cand, int, bool] | None = None


def _deep_job(ctx: MiningContext, target: Target, cands: list[_Cand], deep: tuple[tuple[int, ...], str]) -> _Deep:
    """The programs to deep-check for one sequence, shortest first: the three shortest candidates, each
    optimized (`miner.lang.optimize`, so the program stored is the one the deep check ran), then as found."""
    start = time.process_time()
    shorter = {id(c): optimize(c.program) for c in cands}
    cands[0].attempt.cpu_seconds += time.process_time() - start
    ordered = sorted(cands, key=lambda c: (len(shorter[id(c)].code()), c.rank or 0))
    options = [(cand, program) for cand in ordered[:3]
               for program in [shorter[id(cand)]] + ([cand.program] if shorter[id(cand)] is not cand.program else [])]
    return _Deep(target, deep[0], deep[1] == "bfile", options)


def _deep_checks(ctx: MiningContext, jobs: list[_Deep], stop_event: threading.Event | None) -> None:
    """Run the deep checks of `jobs` (setting each one's `result` and `wrong`): every sequence's next
    program in one call to the workers, so slow programs of several sequences are checked side by side."""
    m = ctx.cfg["mine"]
    limits = deep_limits(ctx.cfg)
    turn = 0
    while not _stopped(stop_event):
        due = [job for job in jobs if job.result is None and turn < len(job.options)]
        if not due:
            return
        # Every winner passed the check on all its known terms: offline, on those same terms, a program
        # the optimizer left as it was needs no second run (an eta quotient's took 2 to 4 s).
        for job in due:
            cand, program = job.options[turn]
            if not job.bfile and job.terms == tuple(job.target.terms) and program is cand.program:
                job.result = cand, len(job.terms), False
        due = [job for job in due if job.result is None]
        if not due:
            continue
        items = [CheckItem(job.options[turn][1], job.target.a_number, job.target.offset, job.terms,
                           required=min(int(m["min_check_terms"]), len(job.target.terms)), limits=limits)
                 for job in due]
        start = time.process_time()
        outcomes = ctx.pool.check(items, stop_event)
        overhead = (time.process_time() - start) / len(items)
        for job, outcome in zip(due, outcomes):
            cand, program = job.options[turn]
            if outcome is None:
                continue
            cand.attempt.cpu_seconds += outcome.cpu_seconds + overhead
            cand.attempt.worker_seconds += outcome.cpu_seconds
            first = next(p for c, p in job.options if c is cand)
            if outcome.ok:
                if program is not first:  # the rewrites hold for every n: this is a bug to report
                    log.warning("optimized_program_failed", seq=format_a_number(job.target.a_number),
                                program=format_program(first))
                cand.program = program
                job.result = cand, outcome.matched, job.bfile
                continue
            log.info("deep_check_failed", seq=format_a_number(job.target.a_number),
                     origin="bfile" if job.bfile else "known", matched=outcome.matched, error=outcome.error)
            if not outcome.error and program is cand.program:
                job.wrong.append(cand)
        turn += 1


# Terms past the known ones on which a sequence's other programs must agree with one read from its name: this
# many, or as many as are known if more.
AGREE_TERMS = 24


def _rank(strategy: str, route: str = "direct") -> int:
    """A hit's place in EVIDENCE: a matcher lookup or completion rests on matching terms."""
    return EVIDENCE.index("match" if route in MATCH_ROUTES else evidence(strategy))


@dataclass
class _Agreement:
    """A sequence's winners and the stored provisional program, each with the rank of its evidence."""

    cands: list[_Cand]
    entries: list[tuple[int, Program]]
    stored: bool


def _agreement(cands: list[_Cand], stored: tuple[str, str, str] | None = None) -> _Agreement | None:
    """What `_agreeing` compares for one sequence's winners and stored program (`storage.mined_hit`), or
    None when no program read from the name is there to decide among programs resting on less."""
    from miner.lang.parser import ParseError, parse

    entries: list[tuple[int, Program]] = [(_rank(c.attempt.strategy, c.route), c.program) for c in cands]
    if stored is not None and stored[2] == "provisional":
        strategy, _, route = stored[1].partition("+")
        try:
            entries.append((_rank(strategy, route or "direct"), parse(stored[0])))
        except ParseError:
            stored = None
    else:
        stored = None
    best = min(rank for rank, _ in entries)
    # Only a program read from the name decides: a fit and a match are wrong about as often (2 of 231
    # recurrences, 2 of 168 sweep matches on held-out sequences), so between them the shortest stays.
    if best != EVIDENCE.index("name") or all(rank == best for rank, _ in entries):
        return None
    return _Agreement(cands, entries, stored is not None)


def _agreeing(ctx: MiningContext, jobs: list[_Agreement], stop_event: threading.Event | None
              ) -> list[tuple[list[_Cand], bool]]:
    """For each sequence, the winners that agree past the known terms with one of those read from the
    name, and whether the stored program fails to; every program is evaluated in the workers at once.

    The deep check and the store prefer the shortest program: a match on every known term ("seq $0,63819",
    a surface group's growth series) would beat the program read from the name (the Coxeter group's own,
    which parts from it at n = 18). Where one rests on the name and another on less, the name decides.
    """
    if not jobs:
        return []
    limits = deep_limits(ctx.cfg)
    items = []
    for job in jobs:
        target = job.cands[0].target
        count = len(target.terms) + max(AGREE_TERMS, len(target.terms))
        items += [CheckItem(program, target.a_number, target.offset, (), limits=limits, evaluate=count)
                  for _, program in job.entries]
    start = time.process_time()
    outcomes = ctx.pool.check(items, stop_event)
    overhead = (time.process_time() - start) / len(items)
    out: list[tuple[list[_Cand], bool]] = []
    at = 0
    for job in jobs:
        mine, at = outcomes[at:at + len(job.entries)], at + len(job.entries)
        if any(o is None for o in mine):  # stopped: nothing is judged
            out.append(([], False))
            continue
        known = len(job.cands[0].target.terms)
        worker = sum(o.cpu_seconds for o in mine if o is not None)
        job.cands[0].attempt.cpu_seconds += worker + overhead * len(mine)
        job.cands[0].attempt.worker_seconds += worker
        past = [o.evaluated[known:] for o in mine if o is not None]
        best = min(rank for rank, _ in job.entries)
        strongest = [terms for (rank, _), terms in zip(job.entries, past) if rank == best]
        agree = [rank == best or any(all(x == y for x, y in zip(terms, ref)) for ref in strongest)
                 for (rank, _), terms in zip(job.entries, past)]
        kept = [cand for cand, ok in zip(job.cands, agree) if ok]
        for cand, ok, (rank, _) in zip(job.cands, agree, job.entries):
            if not ok:
                log.info("hit_contradicted", seq=format_a_number(cand.target.a_number),
                         strategy=cand.attempt.strategy, route=cand.route, evidence=EVIDENCE[rank],
                         by=EVIDENCE[best])
        out.append((kept, job.stored and bool(kept) and not agree[-1]))
    return out


def _stored_hit(engine: Engine, a: int) -> tuple[str, str, str] | None:
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        return storage.mined_hit(session, a)


def _supersede(engine: Engine, cand: _Cand) -> None:
    """Set the stored provisional program aside (kept in `superseded_programs`) for one read from the name
    that disagrees with it past the known terms."""
    import storage

    reason = f"parts past the known terms from the program read from the name ({cand.attempt.strategy})"
    with storage.session_scope(engine) as session:
        storage.supersede_hit(session, cand.target.a_number, reason, cand.target.terms, cand.target.offset)


def _trusted(ctx: MiningContext, engine: Engine, cands: list[_Cand]) -> list[_Cand]:
    """The passing candidates that are evidence enough for a hit on the known terms alone (`miner.mine.trust`)."""
    from miner.mine.trust import callees, reject_reason

    calls = {k for c in cands for k in callees(c.program)}
    names: dict[int, str] = {}
    if calls:
        import storage

        with storage.session_scope(engine, readonly=True) as session:
            names = {a: r.name for a, r in storage.get_sequences(session, calls).items()}
    out = []
    for cand in cands:
        target = cand.target
        why = reject_reason(cand.attempt.strategy, cand.route, cand.program, target.name, target.terms,
                            names, ctx.cfg)
        if why is None:
            out.append(cand)
        else:
            log.info("hit_not_trusted", seq=format_a_number(target.a_number), strategy=cand.attempt.strategy, route=cand.route,
                     reason=why)
    return out


def _store(ctx: MiningContext, engine: Engine, cand: _Cand, verified: int, bfile: bool) -> HitInfo:
    import storage
    from miner.sources.programs import export_program

    attempt = cand.attempt
    target = cand.target
    a = target.a_number
    code = format_program(Program(cand.program.code(), dict(cand.program.directives)))
    strategy = attempt.strategy if cand.route == "direct" else f"{attempt.strategy}+{cand.route}"
    hit = storage.Hit(a_number=a, code=code, strategy=strategy,
                      model_version=ctx.state.model.version if attempt.strategy in MODEL_STRATEGIES else None,
                      beam_rank=cand.rank if attempt.strategy in MODEL_STRATEGIES else None,
                      cpu_seconds=round(attempt.cpu_seconds, 3), terms_verified=verified,
                      owner=ctx.owner,  # fleet issue #8: who stored it, for hits per miner in `status`
                      # Checked on known terms only: kept out of the export and the submissions until
                      # the daemon's deep-check job reads its b-file.
                      status="verified" if bfile else "provisional", bfile_checked=bfile)
    outcome = storage.store_hit(engine, hit)
    if outcome in STORED_OUTCOMES and bfile:
        export_program(ctx.cfg["paths"]["export_dir"], a, target.name, target.terms, code,
                       ctx.cfg["mine"]["submitted_by"])
    if hit.status == "provisional" and outcome != "kept":
        # Still a target, behind every lacking sequence, until a b-file verifies it.
        ctx.state.provisional.add(a)
    elif outcome != "kept" or a not in ctx.state.provisional:
        ctx.state.solved.add(a)
        ctx.state.targets.pop(a, None)
        ctx.state.near_misses.pop(a, None)
        ctx.state.model_seeds.pop(a, None)
        ctx.state.index.remove(target.a_number)
    log.info("hit", seq=format_a_number(target.a_number), strategy=strategy, length=len(cand.program.code()),
             terms_verified=verified, status=hit.status, outcome=outcome)
    return HitInfo(target.a_number, attempt.strategy, cand.route, len(cand.program.code()), verified, outcome,
                   hit.status)


def settle(ctx: MiningContext, engine: Engine, winners: dict[int, list[_Cand]], stop_event: threading.Event | None,
           summary: BatchSummary) -> list[_Attempt]:
    """Deep-check, store and export the winners; returns attempts to record for matcher hits on
    other sequences (each credited to the strategy that produced the candidate)."""
    pending: list[tuple[list[_Cand], tuple[tuple[int, ...], str], _Agreement | None]] = []
    for a, found in winners.items():
        if _stopped(stop_event) or a in ctx.state.solved:
            continue
        deep = deep_terms(ctx.cfg, found[0].target)
        # Terms beyond the known ones decide for themselves; without them, only trusted kinds of hit.
        if not (deep[1] == "bfile" and len(deep[0]) > len(found[0].target.terms)):
            trusted = _trusted(ctx, engine, found)
            if deep[1] == "bfile" or not ctx.cfg["mine"]["deep_check"]:  # not a b-file that failed to come
                kept = {id(c) for c in trusted}
                _remember(ctx, engine, [c for c in found if id(c) not in kept], _refusal_salt(ctx.cfg))
            found = trusted
            if not found:
                continue
        pending.append((found, deep, _agreement(found, _stored_hit(engine, a) if a in ctx.state.provisional else None)))
    judged = iter(_agreeing(ctx, [agreement for _, _, agreement in pending if agreement is not None], stop_event))
    jobs: list[tuple[_Deep, bool]] = []
    for found, deep, agreement in pending:
        found, contradicted = next(judged) if agreement is not None else (found, False)
        if found:
            jobs.append((_deep_job(ctx, found[0].target, found, deep), contradicted))
    _deep_checks(ctx, [job for job, _ in jobs], stop_event)
    cross: list[_Attempt] = []
    for job, contradicted in jobs:
        _remember(ctx, engine, job.wrong)
        if job.result is None:
            continue
        cand, verified, bfile = job.result
        if contradicted:
            _supersede(engine, cand)
        info = _store(ctx, engine, cand, verified, bfile)
        # The bandit's reward is a sequence gaining a program, a verified one or one the name corrects; a
        # shorter provisional program (mutation's matches find them by the dozen after a first pass) or
        # the same one found again earns nothing, or the bandit would chase them.
        credited = info.outcome == "new" or (info.outcome == "replaced" and info.status == "verified")
        if contradicted and info.outcome == "new":
            info.outcome = "replaced"  # the sequence had a program: this one is not a new sequence
        summary.found.append(info)
        if not credited:
            continue
        if cand.target is cand.attempt.target:
            cand.attempt.hit = True
        else:
            cross.append(_Attempt(cand.target, cand.attempt.strategy, cand.attempt.started_at,
                                  candidates=1, valid=1, best_prefix=len(cand.target.terms), hit=True))
    return cross


def _combine_fresh(ctx: MiningContext) -> list[_Cand]:
    """Sums and products with the known sequences that came after `combine` ran on the lacking ones
    (`MiningState.fresh_known`: new corpus programs, the miner's own hits), one attempt per sequence."""
    fresh = ctx.state.fresh_known
    known = ctx.state.search.known
    if not fresh or "combine" not in ctx.proposers or not known:
        return []
    from miner.search import combine

    start = time.process_time()
    matrix = combine.matrix_for(ctx.state.search)
    new = combine.build_matrix({a: known[a] for a in fresh if a in known}, matrix.length)
    budget = budget_for(ctx, "combine")
    out: list[_Cand] = []
    attempts = []
    for a, target in ctx.state.targets.items():
        if a in ctx.state.solved or (a, "combine") not in ctx.state.once_done:
            continue  # a sequence combine has not seen yet meets every known sequence when it does
        found = combine.combinations(target, matrix, known, b_side=new)[:budget]
        if found:
            attempt = _Attempt(target, "combine", _now())
            attempts.append(attempt)
            out += [_Cand(attempt, target, combine.program_for(x, target, known), rank)
                    for rank, x in enumerate(found, 1)]
    for attempt in attempts:
        attempt.cpu_seconds += (time.process_time() - start) / len(attempts)
    log.info("combine_fresh", known=len(fresh), sequences=len(attempts), candidates=len(out))
    return out


def _sweeps(ctx: MiningContext, only: Iterable[str] | None) -> list[str]:
    """The SWEEPS configured, available and (with `only`) asked for."""
    return [s for s in SWEEPS if s in ctx.proposers and (only is None or s in set(only))]


def _once_work_left(ctx: MiningContext, only: Iterable[str] | None, late: bool = False,
                    among: Iterable[int] | None = None) -> bool:
    """Whether a once-per-sequence strategy of the stages before the late one (with `late`: of any stage)
    has not yet run on some lacking sequence (of `among`, if given)."""
    stages = once_stages(ctx, enabled_strategies(ctx, only))
    limit = len(stages) if late else len(stages) - 1
    return any(_owed(ctx, a, stages) < limit for a in (ctx.state.targets if among is None else among)
               if a in ctx.state.targets and a not in ctx.state.solved)


def _compositions_left(ctx: MiningContext) -> bool:
    from miner.search.compositions import COMPOSITIONS

    return bool(ctx.state.compositions_fresh) or ctx.state.compositions_next < len(COMPOSITIONS)


def sweeps_due(ctx: MiningContext, only: Iterable[str] | None, wait: bool = True, deep: bool = True,
               among: Iterable[int] | None = None) -> list[str]:
    """The sweeps to run before this batch: the corpus sweep when due, the transform sweep when due and
    (with `wait`: the lacking sequences are claimed, not named) the once-per-sequence stages before the
    late one reached every lacking sequence, a slice of the compositions (with `deep`: not in one pass over named
    sequences) when one is left and (with `wait`) all once-per-sequence work is done: the first pass is over.
    With `among` (named sequences), only their once-per-sequence work is waited for."""
    due = []
    for strategy in _sweeps(ctx, only):
        if strategy == "corpus_sweep" and (ctx.state.sweep_due or ctx.state.fresh_known):
            due.append(strategy)
        elif strategy == "transforms" and (ctx.state.transforms_due or ctx.state.transforms_fresh) \
                and not (wait and _once_work_left(ctx, only, among=among)):
            due.append(strategy)
        elif strategy == "compositions" and deep and _compositions_left(ctx) \
                and not (wait and _once_work_left(ctx, only, late=True, among=among)):
            due.append(strategy)
    return due


def candidate_digest(program: Program, terms: Iterable[int], salt: str = "") -> int:
    """A 64-bit digest of a program's text and the terms it is checked on (and `salt`), the same in every
    process."""
    h = hashlib.blake2b(digest_size=8)
    h.update(format_program(program).encode())
    h.update(b"|" + ",".join(map(str, terms)).encode())
    if salt:
        h.update(b"|" + salt.encode())
    return int.from_bytes(h.digest(), "big", signed=True)


def _refusal_salt(cfg: dict[str, Any]) -> str:
    # A refusal offline holds until the miner goes online; one with the b-file at hand, until the terms change.
    return "refused" if cfg["mine"]["deep_check"] else "refused offline"


def _unfailed(ctx: MiningContext, cands: list[_Cand]) -> list[_Cand]:
    """The sweep candidates not known to get a term wrong or to be refused by the trust rules
    (`_remember`), and every other one."""
    out = []
    salt = _refusal_salt(ctx.cfg)
    for c in cands:
        failed = ctx.state.failed.get(c.target.a_number)
        if failed and c.attempt.strategy in SWEEPS and (candidate_digest(c.program, c.target.terms) in failed
                                                        or candidate_digest(c.program, c.target.terms, salt) in failed):
            c.attempt.candidates -= 1
        else:
            out.append(c)
    return out


def _remember(ctx: MiningContext, engine: Engine, cands: list[_Cand], salt: str = "") -> None:
    """Keep the sweep candidates among `cands` (those that got a term wrong, or with `salt` those the trust
    rules refused), here and in the database: each start of a miner sweeps every known sequence again and
    would check them again (on the real targets after the first pass: about 1,000 wrong ones of the
    transforms', and about 500 refused offline, which took most of the start's 150 CPU-seconds)."""
    import storage

    pairs = [(c.target.a_number, candidate_digest(c.program, c.target.terms, salt))
             for c in cands if c.attempt.strategy in SWEEPS]
    for a, digest in pairs:
        ctx.state.failed.setdefault(a, set()).add(digest)
    if pairs:
        with storage.session_scope(engine) as session:
            storage.record_failed(session, pairs)


def _sweep_candidates(ctx: MiningContext, strategy: str, cap: int) -> Iterator[tuple[int, Candidate]]:
    """One sweep's (target, candidate) pairs: the whole sweep when due, else only the known sequences that
    arrived since the last; for the compositions, those under every composition and the next slice."""
    from miner.search import compositions, transforms
    from miner.search.corpus_sweep import sweep

    state, known, index = ctx.state, ctx.state.search.known, ctx.state.index

    def of(a_numbers: set[int]) -> list[Target]:
        return [known[a] for a in sorted(a_numbers) if a in known]

    if strategy == "corpus_sweep":
        return sweep(index, list(known.values()) if state.sweep_due else of(state.fresh_known), per_target=cap)
    if strategy == "transforms":
        return transforms.sweep(index, list(known.values()) if state.transforms_due else of(state.transforms_fresh),
                                per_target=cap)
    parts = [transforms.sweep(index, of(state.compositions_fresh), cap, compositions.EVERY, strategy)]
    if state.compositions_next < len(compositions.COMPOSITIONS):
        parts.append(transforms.sweep(index, list(known.values()), cap,
                                      compositions.COMPOSITIONS[state.compositions_next], strategy))
    return itertools.chain(*parts)


def run_sweep(ctx: MiningContext, engine: Engine, stop_event: threading.Event | None = None,
              only: Iterable[str] | None = None, wait: bool = True, deep: bool = True,
              among: Iterable[int] | None = None) -> BatchSummary:
    """The sweeps due (`sweeps_due`): every lacking sequence against the known terms of every sequence
    with a program (as they are and under the matchers' transforms: `corpus_sweep`; under 25 more:
    `transforms`; under a slice of their compositions: `compositions`), or when only the known sequences
    that arrived since the last are due, against those alone; one attempt per sequence and sweep that got
    candidates."""
    from miner.search.compositions import COMPOSITIONS
    from miner.search.corpus_sweep import CACHE_KEY, per_target

    summary = BatchSummary()
    start = time.process_time()
    attempts: dict[tuple[int, str], _Attempt] = {}
    cands: list[_Cand] = []
    found: dict[int, list[Candidate]] = {}
    state, known = ctx.state, ctx.state.search.known
    full = state.sweep_due
    cap = per_target(state.search.settings)
    wanted = sweeps_due(ctx, only, wait, deep, among)
    whole = {"transforms": state.transforms_due, "compositions": state.compositions_next == 0}
    for strategy, began in whole.items():  # a whole sweep begins: on the known sequences as loaded
        if began and strategy in wanted:
            state.sweep_began[strategy] = state.loaded_at
    for strategy in wanted:
        begun, count = time.process_time(), 0
        budget = int(ctx.cfg["mine"]["budget"][strategy])
        mine: list[_Attempt] = []
        for a, cand in _sweep_candidates(ctx, strategy, cap):
            if strategy == "corpus_sweep":
                found.setdefault(a, []).append(cand)
            target = ctx.state.targets.get(a)
            if target is None or a in ctx.state.solved or (budget and count >= budget):
                continue
            attempt = attempts.get((a, strategy))
            if attempt is None:
                attempt = attempts[(a, strategy)] = _Attempt(target, strategy, _now())
                mine.append(attempt)
            count += 1
            cands.append(_Cand(attempt, target, cand.program, count))
        for attempt in mine:
            attempt.cpu_seconds += (time.process_time() - begun) / len(mine)
        log.info("sweep_candidates", strategy=strategy, sequences=len(mine), candidates=count,
                 cpu_seconds=round(time.process_time() - begun, 1),
                 **({"slice": state.compositions_next} if strategy == "compositions" else {}))
    cands += _combine_fresh(ctx)
    winners: dict[int, list[_Cand]] = {}
    recorded = list(attempts.values()) + list({id(c.attempt): c.attempt for c in cands
                                                if c.attempt.strategy == "combine"}.values())
    wrong: list[_Cand] = []
    try:
        check_round(ctx, _unfailed(ctx, _dedupe(ctx, cands)), stop_event, winners, wrong=wrong)
        recorded.extend(settle(ctx, engine, winners, stop_event, summary))
    finally:
        _record(engine, ctx, recorded, summary)
        _remember(ctx, engine, wrong)
    if not _stopped(stop_event) and "transforms" in wanted:
        state.transforms_due, state.transforms_fresh = False, set()
        if whole["transforms"]:
            record_sweep(engine, state, "transforms")
    if not _stopped(stop_event) and "compositions" in wanted:
        state.compositions_fresh = set()
        state.compositions_next = min(state.compositions_next + 1, len(COMPOSITIONS))
        if state.compositions_next == len(COMPOSITIONS) and "compositions" in state.sweep_began:
            record_sweep(engine, state, "compositions")
    if not _stopped(stop_event) and "corpus_sweep" in wanted:
        state.sweep_due, state.fresh_known = False, set()
        if not full:  # the new matches first, then the earlier ones
            earlier = ctx.state.search.settings.get(CACHE_KEY) or {}
            found = {a: (found.get(a, []) + list(earlier.get(a, [])))[:cap] for a in set(found) | set(earlier)}
        ctx.state.search.settings[CACHE_KEY] = found  # model prompts show them (`matched_neighbours`)
    summary.tried = len({a for a, _ in attempts})
    summary.hits = stored(summary.found)
    summary.stopped = _stopped(stop_event)
    summary.cpu_seconds = (time.process_time() - start) + sum(a.worker_seconds for a in recorded)
    log.info("sweep_done", sweeps=wanted, known=len(known), full=full, **summary.as_dict())
    return summary


# --- one batch ----------------------------------------------------------------------------------------

def _targets_for(ctx: MiningContext, engine: Engine, ids: list[int]) -> list[Target]:
    missing = [a for a in ids if a not in ctx.state.targets]
    extra: dict[int, Target] = {}
    if missing:
        import storage

        with storage.session_scope(engine, readonly=True) as session:
            for a, r in storage.get_sequences(session, missing).items():
                if r.terms:
                    extra[a] = Target(a, r.name, tuple(r.terms), r.offset)
    out = []
    for a in ids:
        target = ctx.state.targets.get(a) or extra.get(a)
        if target is None:
            log.warning("no_terms", seq=format_a_number(a))
            continue
        out.append(target)
    return out


def _now() -> datetime:
    return datetime.now(timezone.utc)


def mine_batch(ctx: MiningContext, engine: Engine, stop_event: threading.Event | None = None, *,
               ids: list[int] | None = None, size: int | None = None,
               strategies: Iterable[str] | None = None, rerun: bool = False) -> BatchSummary:
    """Mine one batch (claimed in `plan` order, or the given `ids`); hits are stored before it returns.

    Deterministic strategies run once per sequence unless `rerun` (the user named the sequences), a stage
    of them (`once_stages`) per claim (with `rerun`, all at once); a sequence owed none of them gets the
    bandit's pick among the strategies it has not used up.

    Checks `stop_event` between candidates; on stop, what was checked is recorded and leases released.
    """
    import storage

    m = ctx.cfg["mine"]
    summary = BatchSummary()
    batch_start = time.process_time()
    only = list(strategies) if strategies is not None else None
    # One pass over named sequences (`rerun`) leaves the compositions to mining with a time limit.
    # Named sequences wait for their own stages (the compositions' 700 CPU-seconds came before the costly
    # strategies); one pass over them (`rerun`) waits for nothing.
    if sweeps_due(ctx, only, wait=not rerun, deep=not rerun, among=ids):
        summary.add(run_sweep(ctx, engine, stop_event, only, wait=not rerun, deep=not rerun, among=ids))
        batch_start = time.process_time()
        if _stopped(stop_event):
            return summary
    if any(s in MODEL_STRATEGIES for s in (only or m["strategies"])):
        load_model(ctx, engine)
    available = enabled_strategies(ctx, only)
    if not available and only is not None and _sweeps(ctx, only):
        return summary  # only sweeps were asked for, and they ran when due
    if not available:
        raise RuntimeError("no mining strategy is available (check [mine] strategies and the model)")
    if ids is None:
        claimed = claim_next(engine, ctx, size or int(m["batch_size"]), available)
    else:
        claimed = list(dict.fromkeys(ids))
    if not claimed:
        return summary
    # Solved earlier in this batch (by the sweep) or run: not worth another attempt.
    todo = [a for a in claimed if a not in ctx.state.solved]
    swept = summary.tried
    attempts: list[_Attempt] = []
    primary = 0
    try:
        tallies = _tallies(engine)
        caps = cpu_caps(ctx, available, tallies)
        stages = once_stages(ctx, available)
        rotating = [s for s in available if s not in DETERMINISTIC]
        for target in _targets_for(ctx, engine, todo):
            a = target.a_number
            if rerun:
                fresh_once = [s for stage in stages for s in stage]
            else:
                owed = _owed(ctx, a, stages)
                fresh_once = [s for s in (stages[owed] if owed < len(stages) else [])
                              if (a, s) not in ctx.state.once_done]
            for strategy in fresh_once:
                ctx.state.once_done.add((a, strategy))
                attempts.append(_Attempt(target, strategy, _now()))
            # The bandit's strategies cost far more: a sequence meets them once the cheap ones ran.
            chosen = choose_strategy(ctx, target, rotating, tallies) if rotating and not fresh_once else None
            if chosen is not None:
                attempts.append(_Attempt(target, chosen, _now(), round=round_of(ctx, a, chosen)))
        primary = len({a.a_number for a in attempts})
        winners: dict[int, list[_Cand]] = {}
        cands = generate_for(ctx, engine, attempts, stop_event)
        fresh = check_round(ctx, cands, stop_event, winners, caps)
        # Near misses found now are repaired now, as their own attempt.
        if "repair" in available and "repair" in ctx.proposers:
            repairs = [_Attempt(a.target, "repair", _now(), round=round_of(ctx, a.a_number, "repair"))
                       for a in attempts if a.strategy != "repair" and a.a_number in fresh
                       and a.a_number not in winners
                       and round_of(ctx, a.a_number, "repair") < rounds_of(ctx, "repair")]
            if repairs and not _stopped(stop_event):
                attempts.extend(repairs)
                check_round(ctx, generate_for(ctx, engine, repairs, stop_event), stop_event, winners, caps)
        attempts.extend(settle(ctx, engine, winners, stop_event, summary))
    finally:
        if _stopped(stop_event):  # an attempt cut short before any candidate does not count as tried
            attempts = [a for a in attempts if a.candidates or a.hit]
        _record(engine, ctx, attempts, summary)
        if ids is None:
            storage.release(engine, ctx.owner, claimed)
    summary.tried = swept + primary
    summary.hits = stored(summary.found)
    summary.stopped = _stopped(stop_event)
    # All of this process's CPU in the batch (bookkeeping included) plus what the workers reported.
    summary.cpu_seconds += (time.process_time() - batch_start) + sum(a.worker_seconds for a in attempts)
    log.info("batch_done", **summary.as_dict())
    return summary


def staged_pass(ctx: MiningContext, engine: Engine, ids: list[int], strategies: Iterable[str] | None = None,
                deadline: float | None = None, late: bool = False) -> BatchSummary:
    """Batches over the named sequences still lacking until none owes a once-per-sequence stage before the
    late one (with `late`: any), a stage on all before the next as in the first pass, then the sweeps that
    waited for them; at least one pass (the bandit's turn once the stages are done). `deadline`: a
    time.monotonic() to stop at."""
    total = BatchSummary()
    size = int(ctx.cfg["mine"]["batch_size"])
    while deadline is None or time.monotonic() < deadline:
        todo = [a for a in ids if a not in ctx.state.solved]
        for i in range(0, len(todo), size):
            if deadline is not None and time.monotonic() >= deadline:
                return total
            total.add(mine_batch(ctx, engine, ids=todo[i:i + size], strategies=strategies))
        if not _once_work_left(ctx, strategies, late, among=ids):
            break
    # Then the sweeps that waited for those stages (the transform sweep), as in the first pass.
    if (deadline is None or time.monotonic() < deadline) and sweeps_due(ctx, strategies, among=ids):
        total.add(run_sweep(ctx, engine, None, strategies, among=ids))
    return total


def _stopped(stop_event: threading.Event | None) -> bool:
    return stop_event is not None and stop_event.is_set()


def _record(engine: Engine, ctx: MiningContext, attempts: list[_Attempt], summary: BatchSummary) -> None:
    """Store one attempt row per (sequence, strategy) and add them to the summary."""
    import storage

    if not attempts:
        return
    rows = []
    for a in attempts:
        if a.strategy in ROTATING:
            key = (a.a_number, a.strategy, ctx.state.model.version if a.strategy in MODEL_STRATEGIES else None)
            ctx.state.rounds[key] = ctx.state.rounds.get(key, 0) + 1
        outcome: AttemptOutcome = "hit" if a.hit else ("error" if a.error else "miss")
        rows.append(storage.Attempt(
            a_number=a.a_number, strategy=a.strategy,
            model_version=ctx.state.model.version if a.strategy in MODEL_STRATEGIES else None,
            candidates=a.candidates, valid=a.valid, best_prefix=a.best_prefix,
            cpu_seconds=round(a.cpu_seconds, 4), outcome=outcome, started_at=a.started_at))
    with storage.session_scope(engine) as session:
        storage.record_attempts(session, rows)
    for a in attempts:
        totals = summary.per_strategy.setdefault(a.strategy, StrategyStats())
        totals.attempts += 1
        totals.candidates += a.candidates
        totals.valid += a.valid
        totals.hits += int(a.hit)
        totals.cpu_seconds += a.cpu_seconds
        summary.candidates += a.candidates
        summary.valid += a.valid


# --- a whole run -------------------------------------------------------------------------------------

def mine(cfg: dict[str, Any], ids: list[int] | None = None, limit: int | None = None,
         minutes: float | None = None, stop_event: threading.Event | None = None, strategies: Iterable[str] | None = None,
         progress: Callable[[MineSummary], None] | None = None, engine: Engine | None = None) -> MineSummary:
    """Run batches in the foreground until `stop_event` is set or there is nothing left to do.

    With `minutes`, mining goes on until the time is up: over `ids` (each first gets every
    once-per-sequence strategy again, a stage on all before the next) or the sequences
    claimed in `plan` order, then round after round of the bandit's strategies on those still lacking,
    until every strategy is spent on them. Without `minutes`: `ids` get one pass, and claimed sequences
    are tried once each (their late once-per-sequence strategies included) or until `limit` were tried.
    """
    import storage

    from miner.mine.context import build_context

    engine = engine or storage.connect(cfg["database"]["url"])
    total = MineSummary()
    wall = time.monotonic()
    deadline = wall + minutes * 60 if minutes else None
    ctx = build_context(cfg, engine)
    storage.release(engine, ctx.owner)
    size = int(cfg["mine"]["batch_size"])
    tried: set[int] = set()
    named = list(dict.fromkeys(ids)) if ids is not None else None
    queue = list(named) if named is not None else None
    if named is not None and deadline is not None:
        # The named sequences get the once-per-sequence strategies again, likeliest to fall first.
        ctx.state.once_done -= {(a, s) for a in named for s in DETERMINISTIC}
        newest = max(ctx.state.targets, default=0)
        named.sort(key=lambda a: -yield_score(ctx.state.targets[a], newest) if a in ctx.state.targets else 0.0)
        queue = list(named)
    worked = False  # whether the current round over `named` made any attempt
    # Only sweeps asked for (`--strategies transforms`): they run once, over every lacking sequence.
    sweeps_only = strategies is not None and not enabled_strategies(ctx, strategies) and bool(_sweeps(ctx, strategies))

    def out_of_time() -> bool:
        return deadline is not None and time.monotonic() >= deadline

    try:
        # the compositions sweep runs a slice at a time: until none is left
        while sweeps_only and not _stopped(stop_event) and not out_of_time() and sweeps_due(ctx, strategies, wait=False):
            total.add(run_sweep(ctx, engine, stop_event, strategies, wait=False))
            total.batches += 1
            if progress is not None:
                progress(total)
        while not _stopped(stop_event) and not out_of_time() and not sweeps_only:
            if queue is not None and deadline is None:
                if not queue:
                    break
                chunk, queue = queue[:size], queue[size:]
                batch = mine_batch(ctx, engine, stop_event, ids=chunk, strategies=strategies, rerun=True)
            elif queue is not None:
                if not queue:
                    if ctx.state.unlocked:  # the names the last hits unlocked are read again first
                        refresh_context(ctx, engine)
                        worked = True
                    if not worked:
                        break  # every strategy is spent on the named sequences still lacking
                    queue, worked = [a for a in named or () if a not in ctx.state.solved], False
                    if not queue:
                        break
                    continue
                chunk, queue = queue[:size], queue[size:]
                batch = mine_batch(ctx, engine, stop_event, ids=chunk, strategies=strategies)
                worked = worked or _worked(batch)
            else:
                # Without a time limit each sequence is tried once (and again only for once-per-sequence
                # work still due); with one, the bandit's rounds go on over those still lacking.
                fresh = _claim_new(engine, ctx, strategies, tried, deadline is not None, limit)
                if not fresh and ctx.state.unlocked:  # the names the last hits unlocked are read again
                    refresh_context(ctx, engine)
                    continue
                if not fresh:
                    break  # nothing left to try (or all of it is leased)
                try:
                    batch = mine_batch(ctx, engine, stop_event, ids=fresh, strategies=strategies)
                finally:
                    storage.release(engine, ctx.owner, fresh)
            total.add(batch)
            total.batches += 1
            # One pass over named sequences reloads at once: a name later in the list may cite this hit.
            if reload_due(ctx, batch, wait=not (queue is not None and deadline is None)):
                refresh_context(ctx, engine)
            total.wall_seconds = time.monotonic() - wall
            if progress is not None:
                progress(total)
    finally:
        total.worker_process_seconds = ctx.pool.cpu_seconds()
        ctx.close()
        storage.release(engine, ctx.owner)
    total.wall_seconds = time.monotonic() - wall
    return total


# A reload reads every known sequence again and restarts the checker workers (6 CPU-seconds on the real
# corpus, and the workers' start); in a first pass, hits unlock a name every few batches.
UNLOCK_RELOAD_SECONDS = 120.0


def reload_due(ctx: MiningContext, batch: BatchSummary, wait: bool = True) -> bool:
    """Whether to reload the context (`refresh_context`) after `batch`: it or an earlier batch unlocked a
    name (`unlocks`), and (with `wait`) the last reload was `UNLOCK_RELOAD_SECONDS` ago or the batch
    tried nothing."""
    ctx.state.unlocked = ctx.state.unlocked or unlocks(ctx, batch)
    return ctx.state.unlocked and (not wait or not batch.tried
                                   or time.monotonic() - ctx.state.reloaded >= UNLOCK_RELOAD_SECONDS)


def unlocks(ctx: MiningContext, batch: BatchSummary) -> bool:
    """Whether a sequence that gained a program in the batch is cited by the name of one still lacking:
    the corpus is worth reloading now, so that name is read again with the new program to call."""
    gained = {h.a_number for h in batch.found if h.stored}
    return bool(gained) and any(not cites(t.name).isdisjoint(gained - {a}) for a, t in ctx.state.targets.items())


def _worked(batch: BatchSummary) -> bool:
    """Whether a batch made any per-sequence attempt."""
    return any(t.attempts for name, t in batch.per_strategy.items() if name not in SWEEPS)


def _claim_new(engine: Engine, ctx: MiningContext, strategies: Iterable[str] | None, tried: set[int],
               again: bool, limit: int | None) -> list[int]:
    """Lease a batch of sequences in `plan` order. Those in `tried` come back for once-per-sequence work
    still due, and for the bandit only when `again`; at most `limit` distinct ones in all."""
    import storage

    only = list(strategies) if strategies is not None else None
    if any(s in MODEL_STRATEGIES for s in (only or ctx.cfg["mine"]["strategies"])):
        load_model(ctx, engine, pick=False)  # whether a model is there; the batch draws which
    available = enabled_strategies(ctx, only)
    if not available:
        raise RuntimeError("no mining strategy is available (check [mine] strategies and the model)")
    order = plan(ctx, available, None if again else tried)
    if limit is not None:
        room = limit - len(tried)
        kept = []
        for a in order:
            if a in tried or room > 0:
                room -= a not in tried
                kept.append(a)
        order = kept
    m = ctx.cfg["mine"]
    fresh = storage.lease(engine, ctx.owner, order, int(m["batch_size"]), float(m["lease_seconds"]))
    tried.update(fresh)
    return fresh
