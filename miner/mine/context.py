"""What the mining loop builds once and reuses across batches (`MiningContext`: config, owner, workers,
strategies) and what it knows and learns as it runs (`MiningState`: targets, term index, model, ...).

`build_context` loads the lacking sequences and the programs from the database, builds the matcher
index over the lacking ones, starts the checker pool and (lazily) loads the promoted or bundled model.
`refresh_context` picks up a newly promoted model, a refreshed corpus and a changed lacking set.
"""

from __future__ import annotations

import hashlib
import importlib
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import structlog

from miner.core.owner import default_owner
from miner.lang.program import Program
from miner.mine.checker import CheckerPool, CorpusSpec
from miner.search import DETERMINISTIC, REVISED, STRATEGY_MODULES, cites
from miner.search.types import Candidate, SearchContext, Target

if TYPE_CHECKING:
    from storage import Engine


log = structlog.get_logger(__name__)

MODEL_STRATEGIES = ("beam", "sample", "name_only", "terms_only")
# The bandit's strategies: each sequence gets them in rounds of growing budget (`[mine] rounds`).
ROTATING = MODEL_STRATEGIES + ("family_deep", "neighbours", "mutation", "repair")
# Search strategies and the miner.search module whose `propose` implements each.
SEARCH_MODULES = STRATEGY_MODULES
Propose = Callable[[Target, SearchContext, int, Any], Iterator[Candidate]]


@dataclass
class ModelHandle:
    """The loaded model (None when unavailable), its registry id and where it came from."""

    loaded: Any = None
    version: int | None = None
    path: str = ""
    error: str = ""


@dataclass
class MiningState:
    """What the miner knows and learns as it runs: reloaded from the database by `refresh_context`
    (corpus, targets, term index, model) or grown by the loop (near misses, solved, seen, done)."""

    corpus: Any
    corpus_key: str
    targets: dict[int, Target]
    index: Any
    search: SearchContext
    # The model of this batch: the promoted one, or during a trial, either it or the one on trial.
    model: ModelHandle = field(default_factory=ModelHandle)
    # The promoted model's handle first, then the one on trial's, if a trial is running.
    models: list[ModelHandle] = field(default_factory=list)
    model_checked: bool = False
    # The full corpus sweep runs at the first batch and again when new lacking sequences arrive or a
    # program is gone.
    sweep_due: bool = True
    # Known sequences that gained their program after the last sweep: the next one sweeps them alone (the
    # earlier matches still hold) and `combine` looks at their sums and products with the lacking ones.
    fresh_known: set[int] = field(default_factory=set)
    # The same two for the transform sweep, which waits until the early once-per-sequence strategies have
    # reached every lacking sequence (its candidates cost more to check than what those find first).
    transforms_due: bool = True
    transforms_fresh: set[int] = field(default_factory=set)
    # The compositions sweep, after the first pass, one slice per batch: the next slice (all swept at
    # `len(compositions.COMPOSITIONS)`), and the known sequences that arrived since it began.
    compositions_next: int = 0
    compositions_fresh: set[int] = field(default_factory=set)
    # When the known sequences were last loaded, and when the transform and compositions sweeps in progress
    # began on them (their completion is recorded as a job: a restart resumes from it, `resume_sweeps`).
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    sweep_began: dict[str, datetime] = field(default_factory=dict)
    # Digests of the sweep candidates that got a known term wrong, by A-number (`storage.failed_candidates`,
    # and this process's own): a start sweeps every known sequence again and skips them.
    failed: dict[int, set[int]] = field(default_factory=dict)
    # Per sequence: (matcher matches of other candidates' terms, those followed up with a check).
    match_tally: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Near misses per sequence, best first: (leading terms matched, program).
    near_misses: dict[int, list[tuple[int, Program]]] = field(default_factory=dict)
    # The best wrong model candidates per sequence, as near misses (mutation starts from them too).
    model_seeds: dict[int, list[tuple[int, Program]]] = field(default_factory=dict)
    solved: set[int] = field(default_factory=set)
    # The leading terms of blind guesses checked (evaluated up to the matchers' key), by a hash of their text
    # and offset: the same guess for another sequence is wrong where they differ from its terms. Kept while
    # the corpus and the lacking set stay as they are (`miner.mine.loop.EVALUATED_KEPT`).
    evaluated: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Hashes of the program texts already checked per sequence in this process.
    seen: dict[int, set[int]] = field(default_factory=dict)
    seen_count: int = 0
    # (A-number, strategy) pairs of deterministic strategies already run (from the attempts table).
    once_done: set[tuple[int, str]] = field(default_factory=set)
    # Rounds of the bandit's strategies per (A-number, strategy, model version) (from the attempts table).
    rounds: dict[tuple[int, str, int | None], int] = field(default_factory=dict)
    # Targets whose only program is a provisional hit: still mined (a verified or shorter hit replaces
    # it), after every lacking sequence.
    provisional: set[int] = field(default_factory=set)
    # When the context was last built or reloaded (time.monotonic), and whether a hit since unlocked a
    # name (`miner.mine.loop.unlocks`): the reload that reads it again is owed.
    reloaded: float = field(default_factory=time.monotonic)
    unlocked: bool = False


@dataclass
class MiningContext:
    """What a miner process builds once: its config, lease owner name, checker workers, strategies and
    random source; `state` is what changes as it mines."""

    cfg: dict[str, Any]
    owner: str
    pool: CheckerPool
    proposers: dict[str, Propose]
    rng: random.Random
    state: MiningState

    def close(self) -> None:
        """Stop the worker processes."""
        self.pool.close()


def mining_limits(cfg: dict[str, Any], blind: bool = False, matched: bool = False) -> Any:
    """The evaluator limits for the quick check of candidates (`[mine]` max_candidate_steps / max_seconds;
    `blind`: a blind guess's, `blind_max_seconds`, or with `matched` what a matcher made of one,
    `blind_match_seconds`)."""
    from miner.lang.limits import Limits

    base = Limits.from_config(cfg["eval"]) if "eval" in cfg else Limits()
    mine = cfg["mine"]
    seconds = min(base.max_seconds, mine["max_seconds"],
                  (mine["blind_match_seconds"] if matched else mine["blind_max_seconds"]) if blind else math.inf)
    return Limits(max_steps=min(base.max_steps, mine["max_candidate_steps"]), max_memory=base.max_memory,
                  max_seconds=seconds)


def deep_limits(cfg: dict[str, Any]) -> Any:
    """The evaluator limits for the deep check of a hit (the `[eval]` section)."""
    from miner.lang.limits import Limits

    return Limits.from_config(cfg["eval"]) if "eval" in cfg else Limits()


def load_targets(engine: Engine, hidden_only: frozenset[int] | None = None) -> dict[int, Target]:
    """The sequences still to mine as search targets: lacking ones, and those with a provisional hit only."""
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        ids = storage.minable(session)
        records = storage.get_sequences(session, ids)
    return {a: Target(a, r.name, tuple(r.terms), r.offset) for a, r in records.items() if r.terms}


def load_provisional(engine: Engine) -> set[int]:
    """The sequences whose only program is a provisional hit (mined after every lacking one)."""
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        return storage.provisional_only(session)


# Known terms kept per sequence with a program (the corpus sweep matches on the first 40).
KNOWN_TERMS_KEPT = 64


def load_known(engine: Engine, program_ids: Any) -> dict[int, Target]:
    """The sequences that have a program, as Target records (for the corpus sweep, family templates
    and the model's retrieval)."""
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        records = storage.get_sequences(session, program_ids)
    return {a: Target(a, r.name, tuple(r.terms[:KNOWN_TERMS_KEPT]), r.offset)
            for a, r in records.items() if r.terms}


def load_corpus(engine: Engine) -> tuple[Any, str]:
    """Every stored program (corpus and mined, shortest per sequence) as a Corpus, and its fingerprint."""
    import storage
    from miner.lang.corpus import Corpus

    with storage.session_scope(engine, readonly=True) as session:
        codes = storage.program_codes(session)
    digest = hashlib.sha256()
    for a in sorted(codes):
        digest.update(f"{a}:{len(codes[a])}:{hash(codes[a]) & 0xFFFF};".encode())
    return Corpus(codes, origin="database"), f"{len(codes)}-{digest.hexdigest()[:16]}"


def available_proposers(names: list[str]) -> dict[str, Propose]:
    """The search strategies among `names` whose module exists (others are logged and skipped)."""
    found: dict[str, Propose] = {}
    for name in names:
        module_name = SEARCH_MODULES.get(name)
        if module_name is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            log.warning("strategy_unavailable", strategy=name, reason=str(exc))
            continue
        propose = getattr(module, "propose", None)
        if propose is None:
            log.warning("strategy_unavailable", strategy=name, reason=f"{module_name} has no propose()")
            continue
        found[name] = propose
    return found


def _build_index(targets: dict[int, Target], cfg: dict[str, Any]) -> Any:
    from miner.search.matchers import TermIndex

    return TermIndex.build(targets.values())


def build_context(cfg: dict[str, Any], engine: Engine, owner: str | None = None) -> MiningContext:
    """Load targets and programs, build the term index, start the workers."""
    mine = cfg["mine"]
    seed = mine["random_seed"] or random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    loaded_at = datetime.now(UTC)
    targets = load_targets(engine)
    corpus, corpus_key = load_corpus(engine)
    index = _build_index(targets, cfg)
    needs_known = {"corpus_sweep", "transforms", "compositions", "family", "family_deep", "combine", "convolution", "euler", "cited",
                   "formula", "egf"}
    search = SearchContext(corpus=corpus, index=index, settings=dict(cfg.get("search", {})),
                           known=load_known(engine, corpus.ids()) if needs_known & set(mine["strategies"]) else {},
                           cache_dir=str(Path(cfg["paths"]["data_dir"]).expanduser() / "cache" / "retrieval"))
    pool = CheckerPool(
        CorpusSpec(db_url=cfg["database"]["url"]), mining_limits(cfg), workers=mine["workers"],
        candidate_timeout=mine["candidate_timeout"], memory_mb=mine["worker_memory_mb"],
        chunk_size=mine["chunk_size"],
    )
    state = MiningState(corpus=corpus, corpus_key=corpus_key, targets=targets, index=index, search=search,
                        once_done=_once_done(engine, targets), rounds=_rounds(engine),
                        provisional=load_provisional(engine), failed=_failed(engine), loaded_at=loaded_at)
    if search.known:
        resume_sweeps(engine, state)
    ctx = MiningContext(cfg=cfg, owner=owner or default_owner(), pool=pool,
                        proposers=available_proposers(list(mine["strategies"])), rng=rng, state=state)
    log.info("mining_context", targets=len(targets), programs=len(corpus), seed=seed,
             strategies=sorted(ctx.proposers), workers=pool.size)
    return ctx


def sweep_version(strategy: str) -> str:
    """A digest of what the transform or compositions sweep tries: a sweep recorded under another is not resumed."""
    from miner.search.compositions import EVERY
    from miner.search.transforms import TRANSFORMS

    names = [t.name for t in (TRANSFORMS if strategy == "transforms" else EVERY)]
    return hashlib.sha256("|".join(names).encode()).hexdigest()[:16]


def sweep_job(strategy: str) -> str:
    """The job a completed transform or compositions sweep is recorded as (`status` lists it)."""
    return f"{strategy} sweep"


def resume_sweeps(engine: Engine, state: MiningState) -> None:
    """Skip the transform and compositions sweeps a miner completed on this database, when nothing since
    has added a lacking sequence or taken a program away; the sequences that gained a program since are
    swept alone. At a start after the first pass over the real targets they took 120 and 860 CPU-seconds."""
    import json

    import storage
    from miner.search.compositions import COMPOSITIONS

    with storage.session_scope(engine, readonly=True) as session:
        for strategy in ("transforms", "compositions"):
            run = storage.last_run(session, sweep_job(strategy), "done")
            try:
                done = json.loads(run.message) if run is not None else {}
                since, corpus = datetime.fromisoformat(done["since"]), int(done["corpus"])
            except (ValueError, KeyError, TypeError):
                continue  # none, or recorded by an older miner
            if done.get("version") != sweep_version(strategy):
                continue
            changed = storage.changed_since(session, since)
            # a program can go only by being superseded, or by a corpus import that lost some (none does)
            if changed.sequences_changed or changed.superseded or changed.corpus_programs < corpus:
                continue
            fresh = set(changed.found_after) & set(state.search.known)
            if strategy == "transforms":
                state.transforms_due, state.transforms_fresh = False, fresh
            else:
                state.compositions_next, state.compositions_fresh = len(COMPOSITIONS), fresh
            log.info("sweep_resumed", sweep=strategy, done_at=str(run.finished_at if run else ""), fresh=len(fresh))


def record_sweep(engine: Engine, state: MiningState, strategy: str) -> None:
    """Record that a transform or compositions sweep begun at `state.sweep_began[strategy]` is complete."""
    import json

    import storage

    began = state.sweep_began.pop(strategy, None)
    if began is None:
        return
    with storage.session_scope(engine, readonly=True) as session:
        corpus = storage.program_count(session, "corpus")
    run = storage.job_started(engine, sweep_job(strategy))
    storage.job_finished(engine, run, "done", json.dumps(
        {"since": began.isoformat(), "corpus": corpus, "version": sweep_version(strategy)}))


def _failed(engine: Engine) -> dict[int, set[int]]:
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        return storage.failed_candidates(session)


def _once_done(engine: Engine, targets: dict[int, Target]) -> set[tuple[int, str]]:
    """The (sequence, once-per-sequence strategy) pairs already run; a run from before a strategy's revision,
    or from before a sequence the target's name cites gained a program, does not count."""
    import storage

    cited = {a: cites(t.name) for a, t in targets.items() if cites(t.name)}
    with storage.session_scope(engine, readonly=True) as session:
        found = storage.first_found(session, set().union(*cited.values()))
        unlocked = {a: max(found[c] for c in cs if c in found) for a, cs in cited.items() if not cs.isdisjoint(found)}
        return storage.tried_pairs(session, DETERMINISTIC,
                                   since={s: datetime.fromisoformat(t) for s, t in REVISED.items()},
                                   unlocked=unlocked)


def _rounds(engine: Engine) -> dict[tuple[int, str, int | None], int]:
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        return storage.attempt_rounds(session, ROTATING)


def refresh_context(ctx: MiningContext, engine: Engine) -> bool:
    """Reload what changed in the database: programs (restarting workers), lacking set, model.

    Returns True when anything was reloaded.
    """
    changed = False
    ctx.state.reloaded, ctx.state.unlocked = time.monotonic(), False
    for key, n in _rounds(engine).items():
        ctx.state.rounds[key] = max(n, ctx.state.rounds.get(key, 0))
    loaded_at = datetime.now(UTC)
    corpus, corpus_key = load_corpus(engine)
    if corpus_key != ctx.state.corpus_key:
        ctx.state.loaded_at = loaded_at
        old, old_known = ctx.state.corpus, ctx.state.search.known
        before_ids = set(old.ids())
        gained = set(corpus.ids()) - before_ids
        # A sequence that gained a program may be what a target's name cites: its name is read again.
        if gained:
            ctx.state.once_done = {(a, s) for a, s in ctx.state.once_done if a not in ctx.state.targets
                                   or cites(ctx.state.targets[a].name).isdisjoint(gained)}
        ctx.state.corpus, ctx.state.corpus_key = corpus, corpus_key
        ctx.state.search.corpus = corpus
        # A guess's kept terms hold while what it may call computes the same: new programs change nothing
        # (a call of a missing one ended its terms early), nor does a shorter program for a provisional hit,
        # which agrees with it on every known term. A daemon reloads every 10 minutes, mostly after hits.
        rewritten = {a for a in before_ids if corpus.text(a) != old.text(a)}
        replaced = {a for a in rewritten & ctx.state.provisional if corpus.text(a) is not None}
        if rewritten - replaced:
            ctx.state.evaluated.clear()
        retrieval, ctx.state.search.retrieval = ctx.state.search.retrieval, None
        if old_known:
            ctx.state.search.known = load_known(engine, corpus.ids())
            arrived = set(ctx.state.search.known) - set(old_known)
            ctx.state.fresh_known |= arrived
            ctx.state.transforms_fresh |= arrived
            ctx.state.compositions_fresh |= arrived
        if retrieval is not None and not rewritten - replaced \
                and not _known_changed(old_known, ctx.state.search.known):
            from miner.search.family import extend_corpus_index

            # Programs for new sequences are added. A provisional hit's shorter program is not worth the
            # minute a rebuild takes at every reload: its entry keeps the older program, right on every
            # known term, until the next build (the index is saved only when it holds what it is named by).
            ctx.state.search.retrieval = retrieval
            extend_corpus_index(ctx.state.search, gained, save=not replaced)
        ctx.pool.restart()
        if before_ids - set(corpus.ids()):
            ctx.state.sweep_due = ctx.state.transforms_due = True  # a program gone: matches that call it go too
            ctx.state.compositions_next = 0
            ctx.state.sweep_began.clear()
        changed = True
    targets = load_targets(engine)
    # Other miners of a fleet record attempts too: what they ran is not run again here.
    ctx.state.once_done |= _once_done(engine, targets)
    ctx.state.provisional = load_provisional(engine)
    if set(targets) != set(ctx.state.targets):
        if set(targets) - set(ctx.state.targets):
            ctx.state.sweep_due = ctx.state.transforms_due = True  # new lacking sequences meet every known one
            ctx.state.compositions_next = 0
            ctx.state.sweep_began.clear()
            ctx.state.evaluated.clear()  # the kept terms were not looked up for them either
        ctx.state.targets = targets
        ctx.state.index = _build_index(targets, ctx.cfg)
        ctx.state.search.index = ctx.state.index
        ctx.state.near_misses = {a: v for a, v in ctx.state.near_misses.items() if a in targets}
        ctx.state.model_seeds = {a: v for a, v in ctx.state.model_seeds.items() if a in targets}
        changed = True
    if _model_versions(engine) != ([h.version for h in ctx.state.models] or [None]):
        ctx.state.model_checked = False  # load_model runs again on next use
        changed = True
    if ctx.state.sweep_due:
        from miner.search.corpus_sweep import CACHE_KEY

        ctx.state.search.settings.pop(CACHE_KEY, None)
    if changed:
        log.info("mining_context_refreshed", targets=len(ctx.state.targets), programs=len(ctx.state.corpus))
    return changed


def _known_changed(old_known: dict[int, Target], known: dict[int, Target]) -> bool:
    """Whether a known sequence's name or terms changed, or it is no longer known."""
    return any(known.get(a) != t for a, t in old_known.items())


def _model_versions(engine: Engine) -> list[int | None]:
    """The promoted model's version (None: none promoted), then the one on trial's, if any."""
    import storage

    with storage.session_scope(engine, readonly=True) as session:
        row = storage.promoted_model(session)
        trial = storage.model_on_trial(session)
    return [row.id if row is not None else None] + ([trial.id] if trial is not None else [])


def retrieval_index(ctx: MiningContext, engine: Engine) -> Any:
    """The index of corpus programs by terms and names that supplies the neighbours and similar-name
    examples in model prompts (cached)."""
    from miner.search.family import corpus_index

    if ctx.state.search.retrieval is None and not ctx.state.search.known:
        ctx.state.search.known = load_known(engine, ctx.state.corpus.ids())
    return corpus_index(ctx.state.search)


def _model_from_database(ctx: MiningContext, engine: Engine, model_id: int) -> str:
    """Write a promoted model kept in the database (trained by another miner of the fleet) to
    `<data_dir>/models/<id>` and return that folder; "" when the database holds no files for it."""
    import storage

    folder = Path(ctx.cfg["paths"]["data_dir"]).expanduser() / "models" / str(model_id)
    if (folder / "config.json").is_file():
        return str(folder)
    with storage.session_scope(engine, readonly=True) as session:
        files = storage.model_files(session, model_id)
    if "config.json" not in files:
        return ""
    partial = folder.with_name(f"{model_id}.partial")
    partial.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (partial / Path(name).name).write_bytes(data)
    partial.rename(folder)  # whole or not at all: a crash mid-write leaves only the .partial folder
    log.info("model_fetched", version=model_id, folder=str(folder), files=len(files))
    return str(folder)


def load_model(ctx: MiningContext, engine: Engine, pick: bool = True) -> ModelHandle:
    """The model for the next batch: the promoted one, else `[train] model_dir`, else the bundled one.
    While a model is on trial, each call with `pick` draws it or the promoted one at random (an A/B test
    of hits per CPU-hour on the same targets, `training.registry.trial_verdict`); without, the last draw
    stays. Loaded once per promotion.

    Unavailable: logged once, and the strategies that need no model go on.
    """
    if not ctx.state.model_checked:
        ctx.state.model_checked = True
        import storage

        with storage.session_scope(engine, readonly=True) as session:
            row = storage.promoted_model(session)
            trial = storage.model_on_trial(session)
        ctx.state.models = [_load_handle(ctx, engine, row)]
        if trial is not None:
            ctx.state.models.append(_load_handle(ctx, engine, trial))
        ctx.state.model = ctx.state.models[0]
    usable = [h for h in ctx.state.models if h.loaded is not None]
    if pick and len(usable) > 1:
        ctx.state.model = ctx.rng.choice(usable)
    return ctx.state.model


def _load_handle(ctx: MiningContext, engine: Engine, row: Any) -> ModelHandle:
    """Load a registered model (None: the configured or bundled one) as a handle; its error if it fails."""
    path = row.path if row is not None else str(ctx.cfg.get("train", {}).get("model_dir", ""))
    if row is not None and path and not (Path(path).expanduser() / "config.json").is_file():
        path = _model_from_database(ctx, engine, row.id) or path
    version = row.id if row is not None else None
    try:
        from training.model import load

        loaded = load(path or None, threads=1)
    except Exception as exc:  # noqa: BLE001 - no model is a normal state: the other strategies run
        handle = ModelHandle(None, version, path, f"{type(exc).__name__}: {exc}")
        log.warning("model_unavailable", path=path or "bundled", version=version, error=handle.error)
        return handle
    handle = ModelHandle(loaded, version, str(loaded.path or path))
    log.info("model_loaded", path=handle.path, version=version, trial=row is not None and row.trial == "running")
    return handle
