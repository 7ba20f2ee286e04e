"""The mining loop: claim sequences, pick a strategy each, generate, check, match, repair, keep hits.

One batch (`mine_batch`): claim `[mine] batch_size` lacking sequences, choose a strategy for each with
the bandit (`miner.mine.bandit`), generate candidates (model strategies in one `generate` call per strategy),
drop duplicates and unparsable ones, check them in the worker pool against every known term, look the
terms of failed candidates up in the matcher index of all lacking sequences, repair near misses,
deep-check each hit (b-file terms when available), store it with its provenance, export it, record one
attempt per (sequence, strategy) and release the leases. `mine` runs batches for a time or a count.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import structlog

from miner.mine import bandit
from miner.mine.checker import CheckItem, CheckOutcome, with_offset
from miner.mine.context import (MODEL_STRATEGIES, MiningContext, a_int, a_text, deep_limits, load_model,
                            retrieval_index)
from miner.lang.formatter import format_program
from miner.lang.program import Program
from miner.search import DETERMINISTIC
from miner.search.types import Target
from storage.records import StrategyStats

log = structlog.get_logger(__name__)

NEAR_MISSES_KEPT = 4
# Prompts per model.generate call.
MODEL_CHUNK = 2
# Program texts remembered per sequence so a later batch does not check the same candidate again ...
SEEN_PER_TARGET = 2_000
# ... and in all: a daemon runs for months, so past this the memory starts afresh (about 100 MB of hashes).
SEEN_TOTAL = 1_000_000


@dataclass
class HitInfo:
    """A stored hit: sequence, strategy, how it was reached (direct, match, repair), length, outcome."""

    a_number: str
    strategy: str
    route: str
    length: int
    terms_verified: int
    outcome: str
    status: str = "verified"


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

    def to_json(self) -> dict[str, Any]:
        """Everything, JSON-ready."""
        data = asdict(self)
        data["cpu_seconds"] = round(self.cpu_seconds, 3)
        data["wall_seconds"] = round(self.wall_seconds, 3)
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

    @property
    def a_number(self) -> int:
        return a_int(self.target.a_number)


@dataclass
class _Cand:
    """A candidate to check against `target`'s terms, paid for by `attempt`."""

    attempt: _Attempt
    target: Target
    program: Program
    rank: int | None = None
    route: str = "direct"


# --- strategy choice -------------------------------------------------------------------------------

def enabled_strategies(ctx: MiningContext, only: Iterable[str] | None = None) -> list[str]:
    """Strategies configured (and in `only`, if given) that can run now; corpus_sweep is not per sequence."""
    wanted = [s for s in ctx.cfg["mine"]["strategies"] if only is None or s in set(only)]
    out = []
    for name in wanted:
        if name in MODEL_STRATEGIES:
            if ctx.model.loaded is not None:
                out.append(name)
        elif name in ctx.proposers and name != "corpus_sweep":
            out.append(name)
    return out


def _tallies(engine: Any) -> dict[str, bandit.Tally]:
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        stats = storage.strategy_stats(session)
    return {name: bandit.Tally(s.hits, s.cpu_seconds) for name, s in stats.items()}


def choose_strategy(ctx: MiningContext, target: Target, strategies: list[str],
                    tallies: dict[str, bandit.Tally]) -> str | None:
    """The bandit's pick for one sequence (`repair` only when it has near misses)."""
    options = [s for s in strategies if s != "repair" or ctx.near_misses.get(a_int(target.a_number))]
    if not options:
        return None
    m = ctx.cfg["mine"]
    return bandit.choose(options, tallies, ctx.rng, m["exploration"], m["prior_hits"], m["prior_seconds"])


# --- generation ------------------------------------------------------------------------------------

def _model_sources(ctx: MiningContext, engine: Any, targets: list[Target], strategy: str) -> list[str]:
    """Prompts in the model's training format (its `num_terms`, `neighbours` and `similar_names` settings)."""
    from training.generate import source_for, uses_retrieval

    meta = ctx.model.loaded.meta
    prompts = [("" if strategy == "terms_only" else t.name, () if strategy == "name_only" else t.terms, t)
               for t in targets]
    index = retrieval_index(ctx, engine) if any(uses_retrieval(meta, n, s) for n, s, _ in prompts) else None

    def matched(t: Target, terms) -> list[str]:
        if not (index is not None and terms and meta.get("matched_neighbours")):
            return []
        from miner.search.corpus_sweep import matched_programs

        return [format_program(p) for p in matched_programs(t, ctx.search)]

    return [source_for(meta, name, terms, t.offset, index, a_number=a_int(t.a_number), matched=matched(t, terms))
            for name, terms, t in prompts]


def _generate_model(ctx: MiningContext, engine: Any, attempts: list[_Attempt], strategy: str,
                    stop_event: Any = None) -> list[tuple[_Attempt, Program, int]]:
    """Model candidates for every attempt of one model strategy, in one batched `generate` call."""
    from miner.lang.parser import ParseError, parse
    from training.generate import generate

    m = ctx.cfg["mine"]
    k = max(1, int(m["budget"][strategy]))
    mode = "sample" if strategy == "sample" else "beam"
    sources = _model_sources(ctx, engine, [a.target for a in attempts], strategy)
    texts: list[list[str]] = []
    # A few prompts per call, so a stop request is seen within seconds even with many beams.
    for start in range(0, len(sources), MODEL_CHUNK):
        if _stopped(stop_event):
            break
        texts.extend(generate(ctx.model.loaded, sources[start:start + MODEL_CHUNK], k, mode=mode,
                              temperature=m["sample_temperature"]))
    out = []
    for attempt, programs in zip(attempts, texts):
        for rank, text in enumerate(programs, 1):
            try:
                out.append((attempt, parse(text, f"<{strategy} {attempt.target.a_number}>"), rank))
            except ParseError:
                continue
    return out


def _search_context(ctx: MiningContext, target: Target, strategy: str) -> Any:
    if strategy != "repair":
        return ctx.search
    # Repair works on this sequence's near misses, best first.
    from dataclasses import replace

    misses = [p for _, p in ctx.near_misses.get(a_int(target.a_number), [])]
    settings = dict(ctx.search.settings)
    settings["near_misses"] = misses
    return replace(ctx.search, settings=settings)


def _generate_search(ctx: MiningContext, attempt: _Attempt, stop_event: Any) -> list[tuple[_Attempt, Program, int]]:
    """Candidates of one search strategy for one sequence, at most its budget."""
    strategy = attempt.strategy
    budget = int(ctx.cfg["mine"]["budget"][strategy])
    propose = ctx.proposers[strategy]
    out = []
    for rank, cand in enumerate(propose(attempt.target, _search_context(ctx, attempt.target, strategy),
                                        budget, ctx.rng), 1):
        out.append((attempt, cand.program, rank))
        if len(out) >= budget or (stop_event is not None and stop_event.is_set()):
            break
    return out


def generate_for(ctx: MiningContext, engine: Any, attempts: list[_Attempt], stop_event: Any) -> list[_Cand]:
    """Candidates for all attempts, deduplicated per sequence (also against earlier batches)."""
    raw: list[tuple[_Attempt, Program, int]] = []
    by_strategy: dict[str, list[_Attempt]] = {}
    for attempt in attempts:
        by_strategy.setdefault(attempt.strategy, []).append(attempt)
    for strategy, group in by_strategy.items():
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
                log.exception("propose_failed", strategy=strategy, seq=attempt.target.a_number)
                attempt.error = f"{type(exc).__name__}: {exc}"
            attempt.cpu_seconds += time.process_time() - start
    return _dedupe(ctx, [_Cand(a, a.target, p, rank) for a, p, rank in raw])


def _dedupe(ctx: MiningContext, cands: list[_Cand]) -> list[_Cand]:
    if ctx.seen_count > SEEN_TOTAL:
        ctx.seen.clear()
        ctx.seen_count = 0
    out = []
    for cand in cands:
        program = with_offset(cand.program, cand.target.offset)
        if not program.code():
            continue
        key = hash(format_program(Program(program.code(), program.directives)))
        seen = ctx.seen.setdefault(a_int(cand.target.a_number), set())
        if key in seen:
            continue
        if len(seen) < SEEN_PER_TARGET:
            seen.add(key)
            ctx.seen_count += 1
        cand.program = program
        cand.attempt.candidates += 1
        out.append(cand)
    return out


# --- checking ---------------------------------------------------------------------------------------

def _check(ctx: MiningContext, cands: list[_Cand], stop_event: Any) -> list[tuple[_Cand, CheckOutcome]]:
    """Quick check of candidates (all known terms); pays worker and IPC CPU to their attempts."""
    if not cands:
        return []
    match_terms = int(ctx.cfg["mine"]["match_terms"])
    # Matcher output and sweep candidates (`seq` of a known sequence) are not looked up again.
    items = [CheckItem(c.program, a_int(c.target.a_number), c.target.offset, c.target.terms,
                       match_terms=match_terms if c.route != "match" and c.attempt.strategy != "corpus_sweep"
                       else 0) for c in cands]
    start = time.process_time()
    outcomes = ctx.pool.check(items, stop_event)
    overhead = (time.process_time() - start) / len(cands)
    done = []
    for cand, outcome in zip(cands, outcomes):
        if outcome is None:
            continue
        cand.attempt.cpu_seconds += outcome.cpu_seconds + overhead
        cand.attempt.worker_seconds += outcome.cpu_seconds
        done.append((cand, outcome))
    return done


def _near_miss(ctx: MiningContext, cand: _Cand, outcome: CheckOutcome) -> bool:
    m = ctx.cfg["mine"]
    need = max(m["near_miss_min_terms"], int(m["near_miss_fraction"] * len(cand.target.terms)))
    if outcome.ok or outcome.matched < need:
        return False
    misses = ctx.near_misses.setdefault(a_int(cand.target.a_number), [])
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
    for a_name, program in ctx.index.match(list(outcome.evaluated), cand.program):
        a = a_int(a_name)
        target = ctx.targets.get(a)
        if target is None or a in ctx.solved:
            continue
        out.append(_Cand(cand.attempt, target, program, cand.rank, "match"))
    cand.attempt.cpu_seconds += time.process_time() - start
    return out


def check_round(ctx: MiningContext, cands: list[_Cand], stop_event: Any,
                winners: dict[int, list[_Cand]]) -> set[int]:
    """Check candidates and their matcher follow-ups; collect passing ones in `winners` by A-number.

    Returns the A-numbers that got new near misses.
    """
    fresh_misses: set[int] = set()
    follow: list[_Cand] = []
    for cand, outcome in _check(ctx, cands, stop_event):
        attempt = cand.attempt
        if not outcome.error:
            attempt.valid += 1
        if cand.target is attempt.target:
            attempt.best_prefix = max(attempt.best_prefix, outcome.matched)
        if outcome.ok:
            winners.setdefault(a_int(cand.target.a_number), []).append(cand)
            continue
        if _near_miss(ctx, cand, outcome):
            fresh_misses.add(a_int(cand.target.a_number))
        follow.extend(_matches(ctx, cand, outcome))
    follow = _dedupe(ctx, follow)
    for cand, outcome in _check(ctx, follow, stop_event):
        if outcome.ok:
            winners.setdefault(a_int(cand.target.a_number), []).append(cand)
    return fresh_misses


# --- hits --------------------------------------------------------------------------------------------

def deep_terms(cfg: dict[str, Any], target: Target) -> tuple[tuple[int, ...], str]:
    """Terms for the deep check and where they came from: the b-file when it can be fetched, else the known."""
    limit = int(cfg["mine"]["check_terms"])
    known = tuple(target.terms)
    if not cfg["mine"]["deep_check"]:
        return known[:max(limit, len(known))], "known"
    try:
        from miner.sources import fetch_bfile
    except ImportError:
        fetch_bfile = None
    bfile = None
    if fetch_bfile is not None:
        try:
            bfile = fetch_bfile(cfg, a_int(target.a_number))
        except Exception as exc:  # noqa: BLE001 - offline or a broken b-file: fall back, say so
            log.warning("bfile_unavailable", seq=target.a_number, error=str(exc))
    if not bfile:
        log.info("deep_check_offline", seq=target.a_number, terms=len(known))
        return known, "known"
    bfile = tuple(bfile)
    if bfile[:len(known)] != known[:len(bfile)]:
        log.warning("bfile_disagrees", seq=target.a_number)
        return known, "known"
    terms = bfile[:limit] if len(bfile) >= len(known) else known
    return terms, "bfile"


def _deep_check(ctx: MiningContext, target: Target, cands: list[_Cand], stop_event: Any,
                deep: tuple[tuple[int, ...], str]) -> tuple[_Cand, int, bool] | None:
    """The shortest candidate that passes the deep check on `deep` (terms, origin from `deep_terms`), the
    number of terms it verified and whether they came from a b-file."""
    m = ctx.cfg["mine"]
    terms, origin = deep
    required = min(int(m["min_check_terms"]), len(target.terms))
    ordered = sorted(cands, key=lambda c: (len(c.program.code()), c.rank or 0))
    limits = deep_limits(ctx.cfg)
    for cand in ordered[:3]:
        item = CheckItem(cand.program, a_int(target.a_number), target.offset, terms, required=required,
                         limits=limits)
        start = time.process_time()
        outcome = ctx.pool.check([item], stop_event)[0]
        cand.attempt.cpu_seconds += time.process_time() - start
        if outcome is None:
            return None
        cand.attempt.cpu_seconds += outcome.cpu_seconds
        cand.attempt.worker_seconds += outcome.cpu_seconds
        if outcome.ok:
            return cand, outcome.matched, origin == "bfile"
        log.info("deep_check_failed", seq=target.a_number, origin=origin, matched=outcome.matched,
                 error=outcome.error)
    return None


def _trusted(ctx: MiningContext, engine: Any, cands: list[_Cand]) -> list[_Cand]:
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
            log.info("hit_not_trusted", seq=target.a_number, strategy=cand.attempt.strategy, route=cand.route,
                     reason=why)
    return out


def _store(ctx: MiningContext, engine: Any, cand: _Cand, verified: int, bfile: bool) -> HitInfo:
    import storage
    from miner.sources.programs import export_program

    attempt = cand.attempt
    target = cand.target
    a = a_int(target.a_number)
    code = format_program(Program(cand.program.code(), dict(cand.program.directives)))
    strategy = attempt.strategy if cand.route == "direct" else f"{attempt.strategy}+{cand.route}"
    hit = storage.Hit(a_number=a, code=code, strategy=strategy,
                      model_version=ctx.model.version if attempt.strategy in MODEL_STRATEGIES else None,
                      beam_rank=cand.rank if attempt.strategy in MODEL_STRATEGIES else None,
                      cpu_seconds=round(attempt.cpu_seconds, 3), terms_verified=verified,
                      owner=ctx.owner,  # fleet issue #8: who stored it, for hits per miner in `status`
                      # Checked on known terms only: kept out of the export and the submissions until
                      # the daemon's deep-check job reads its b-file.
                      status="verified" if bfile else "provisional", bfile_checked=bfile)
    outcome = storage.store_hit(engine, hit)
    if outcome in ("new", "replaced") and bfile:
        export_program(ctx.cfg["paths"]["export_dir"], a, target.name, target.terms, code,
                       ctx.cfg["mine"]["submitted_by"])
    ctx.solved.add(a)
    ctx.targets.pop(a, None)
    ctx.near_misses.pop(a, None)
    ctx.index.remove(target.a_number)
    log.info("hit", seq=target.a_number, strategy=strategy, length=len(cand.program.code()),
             terms_verified=verified, status=hit.status, outcome=outcome)
    return HitInfo(target.a_number, attempt.strategy, cand.route, len(cand.program.code()), verified, outcome,
                   hit.status)


def settle(ctx: MiningContext, engine: Any, winners: dict[int, list[_Cand]], stop_event: Any,
           summary: BatchSummary) -> list[_Attempt]:
    """Deep-check, store and export the winners; returns attempts to record for matcher hits on
    other sequences (each credited to the strategy that produced the candidate)."""
    cross: list[_Attempt] = []
    for a, found in winners.items():
        if _stopped(stop_event) or a in ctx.solved:
            continue
        deep = deep_terms(ctx.cfg, found[0].target)
        # Terms beyond the known ones decide for themselves; without them, only trusted kinds of hit.
        if not (deep[1] == "bfile" and len(deep[0]) > len(found[0].target.terms)):
            found = _trusted(ctx, engine, found)
            if not found:
                continue
        result = _deep_check(ctx, found[0].target, found, stop_event, deep)
        if result is None:
            continue
        cand, verified, bfile = result
        summary.found.append(_store(ctx, engine, cand, verified, bfile))
        if cand.target is cand.attempt.target:
            cand.attempt.hit = True
        else:
            cross.append(_Attempt(cand.target, cand.attempt.strategy, cand.attempt.started_at,
                                  candidates=1, valid=1, best_prefix=len(cand.target.terms), hit=True))
    return cross


def run_sweep(cfg: dict[str, Any], engine: Any, ctx: MiningContext, stop_event: Any = None) -> BatchSummary:
    """The corpus sweep: every lacking sequence against the known terms of every sequence with a
    program (directly and transformed); one `corpus_sweep` attempt per sequence that got candidates."""
    from miner.search.corpus_sweep import CACHE_KEY, per_target, sweep

    summary = BatchSummary()
    start = time.process_time()
    budget = int(cfg["mine"]["budget"]["corpus_sweep"])
    attempts: dict[int, _Attempt] = {}
    cands: list[_Cand] = []
    found: dict[str, list] = {}
    # The same cap as `corpus_sweep._cached`, so prompts see the same matches either way.
    for a_name, cand in sweep(ctx.index, ctx.search.known.values(), per_target=per_target(ctx.search.settings)):
        found.setdefault(a_name, []).append(cand)
        a = a_int(a_name)
        target = ctx.targets.get(a)
        if target is None or a in ctx.solved or (budget and len(cands) >= budget):
            continue
        attempt = attempts.setdefault(a, _Attempt(target, "corpus_sweep", _now()))
        cands.append(_Cand(attempt, target, cand.program, len(cands) + 1))
    if attempts:
        share = (time.process_time() - start) / len(attempts)
        for attempt in attempts.values():
            attempt.cpu_seconds += share
    winners: dict[int, list[_Cand]] = {}
    recorded = list(attempts.values())
    try:
        check_round(ctx, _dedupe(ctx, cands), stop_event, winners)
        recorded.extend(settle(ctx, engine, winners, stop_event, summary))
    finally:
        _record(engine, ctx, recorded, summary)
    if not _stopped(stop_event):
        ctx.sweep_due = False
        ctx.search.settings[CACHE_KEY] = found  # model prompts show them (`matched_neighbours`)
    summary.tried = len(attempts)
    summary.hits = len(summary.found)
    summary.stopped = _stopped(stop_event)
    summary.cpu_seconds = (time.process_time() - start) + sum(a.worker_seconds for a in recorded)
    log.info("corpus_sweep_done", known=len(ctx.search.known), **summary.as_dict())
    return summary


# --- one batch ----------------------------------------------------------------------------------------

def _targets_for(ctx: MiningContext, engine: Any, ids: list[int]) -> list[Target]:
    missing = [a for a in ids if a not in ctx.targets]
    extra: dict[int, Target] = {}
    if missing:
        import storage

        with storage.session_scope(engine, readonly=True) as session:
            for a, r in storage.get_sequences(session, missing).items():
                if r.terms:
                    extra[a] = Target(a_text(a), r.name, tuple(r.terms), r.offset)
    out = []
    for a in ids:
        target = ctx.targets.get(a) or extra.get(a)
        if target is None:
            log.warning("no_terms", seq=a_text(a))
            continue
        out.append(target)
    return out


def _now() -> datetime:
    return datetime.now(timezone.utc)


def mine_batch(cfg: dict[str, Any], engine: Any, ctx: MiningContext, stop_event: Any = None, *,
               ids: list[int] | None = None, size: int | None = None,
               strategies: Iterable[str] | None = None, rerun: bool = False) -> BatchSummary:
    """Mine one batch (claimed by priority, or the given `ids`); hits are stored before it returns.

    Deterministic strategies run once per sequence unless `rerun` (the user named the sequences).

    Checks `stop_event` between candidates; on stop, what was checked is recorded and leases released.
    """
    import storage

    m = cfg["mine"]
    summary = BatchSummary()
    batch_start = time.process_time()
    only = list(strategies) if strategies is not None else None
    if ctx.sweep_due and "corpus_sweep" in ctx.proposers and (only is None or "corpus_sweep" in only):
        summary.add(run_sweep(cfg, engine, ctx, stop_event))
        batch_start = time.process_time()
        if _stopped(stop_event):
            return summary
    if any(s in MODEL_STRATEGIES for s in (only or m["strategies"])):
        load_model(ctx, engine)
    if ids is None:
        claimed = storage.claim(engine, ctx.owner, size or int(m["batch_size"]), float(m["lease_seconds"]))
    else:
        claimed = list(dict.fromkeys(ids))
    if not claimed:
        return summary
    # Solved earlier in this batch (by the sweep) or run: not worth another attempt.
    todo = [a for a in claimed if a not in ctx.solved]
    swept = summary.tried
    attempts: list[_Attempt] = []
    primary = 0
    try:
        available = enabled_strategies(ctx, only)
        if not available:
            raise RuntimeError("no mining strategy is available (check [mine] strategies and the model)")
        tallies = _tallies(engine)
        once = [s for s in available if s in DETERMINISTIC]
        rotating = [s for s in available if s not in DETERMINISTIC]
        for target in _targets_for(ctx, engine, todo):
            a = a_int(target.a_number)
            fresh_once = [s for s in once if rerun or (a, s) not in ctx.once_done]
            for strategy in fresh_once:
                ctx.once_done.add((a, strategy))
                attempts.append(_Attempt(target, strategy, _now()))
            # The bandit's strategies cost far more: a sequence meets them once the cheap ones ran.
            strategy = choose_strategy(ctx, target, rotating, tallies) if rotating and not fresh_once else None
            if strategy is not None:
                attempts.append(_Attempt(target, strategy, _now()))
        primary = len({a.a_number for a in attempts})
        winners: dict[int, list[_Cand]] = {}
        cands = generate_for(ctx, engine, attempts, stop_event)
        fresh = check_round(ctx, cands, stop_event, winners)
        # Near misses found now are repaired now, as their own attempt.
        if "repair" in available and "repair" in ctx.proposers:
            repairs = [_Attempt(a.target, "repair", _now()) for a in attempts
                       if a.strategy != "repair" and a.a_number in fresh and a.a_number not in winners]
            if repairs and not _stopped(stop_event):
                attempts.extend(repairs)
                check_round(ctx, generate_for(ctx, engine, repairs, stop_event), stop_event, winners)
        attempts.extend(settle(ctx, engine, winners, stop_event, summary))
    finally:
        if _stopped(stop_event):  # an attempt cut short before any candidate does not count as tried
            attempts = [a for a in attempts if a.candidates or a.hit]
        _record(engine, ctx, attempts, summary)
        if ids is None:
            storage.release(engine, ctx.owner, claimed)
    summary.tried = swept + primary
    summary.hits = len(summary.found)
    summary.stopped = _stopped(stop_event)
    # All of this process's CPU in the batch (bookkeeping included) plus what the workers reported.
    summary.cpu_seconds += (time.process_time() - batch_start) + sum(a.worker_seconds for a in attempts)
    log.info("batch_done", **summary.as_dict())
    return summary


def _stopped(stop_event: Any) -> bool:
    return stop_event is not None and stop_event.is_set()


def _record(engine: Any, ctx: MiningContext, attempts: list[_Attempt], summary: BatchSummary) -> None:
    """Store one attempt row per (sequence, strategy) and add them to the summary."""
    import storage

    if not attempts:
        return
    with storage.session_scope(engine) as session:
        for a in attempts:
            outcome = "hit" if a.hit else ("error" if a.error else "miss")
            storage.record_attempt(session, storage.Attempt(
                a_number=a.a_number, strategy=a.strategy,
                model_version=ctx.model.version if a.strategy in MODEL_STRATEGIES else None,
                candidates=a.candidates, valid=a.valid, best_prefix=a.best_prefix,
                cpu_seconds=round(a.cpu_seconds, 4), outcome=outcome, started_at=a.started_at))
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
         minutes: float | None = None, stop_event: Any = None, strategies: Iterable[str] | None = None,
         progress: Callable[[MineSummary], None] | None = None, engine: Any = None) -> MineSummary:
    """Run batches in the foreground: over `ids`, or claimed ones until `limit` sequences were tried,
    `minutes` passed, every lacking sequence was tried once, or `stop_event` is set."""
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
    queue = list(dict.fromkeys(ids)) if ids is not None else None
    try:
        while not _stopped(stop_event):
            if deadline is not None and time.monotonic() >= deadline:
                break
            if queue is not None:
                if not queue:
                    break
                chunk, queue = queue[:size], queue[size:]
                batch = mine_batch(cfg, engine, ctx, stop_event, ids=chunk, strategies=strategies, rerun=True)
                tried.update(chunk)
            else:
                want = size if limit is None else min(size, limit - len(tried))
                if want <= 0:
                    break
                fresh = _claim_new(engine, ctx, want, tried)
                if not fresh:
                    break  # every lacking sequence was tried once in this run (or all are leased)
                try:
                    batch = mine_batch(cfg, engine, ctx, stop_event, ids=fresh, strategies=strategies)
                finally:
                    storage.release(engine, ctx.owner, fresh)
            total.add(batch)
            total.batches += 1
            total.wall_seconds = time.monotonic() - wall
            if progress is not None:
                progress(total)
    finally:
        ctx.close()
        storage.release(engine, ctx.owner)
    total.wall_seconds = time.monotonic() - wall
    return total


def _claim_new(engine: Any, ctx: MiningContext, want: int, tried: set[int]) -> list[int]:
    """Claim up to `want` sequences not yet tried in this run (leases are released after the batch)."""
    import storage

    m = ctx.cfg["mine"]
    claimed = storage.claim(engine, ctx.owner, want, float(m["lease_seconds"]))
    fresh = [a for a in claimed if a not in tried]
    stale = [a for a in claimed if a in tried]
    if stale:
        storage.release(engine, ctx.owner, stale)
    tried.update(fresh)
    return fresh
