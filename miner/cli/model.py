"""`loda-miner train`, `evaluate-model` and `generate`: the model commands (torch imported inside)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from miner.cli import CommandError, UsageError
from miner.cli import corpus as corpora


def register(subparsers) -> None:
    """Add the train, evaluate-model and generate subcommands."""
    p = subparsers.add_parser("train", help="train a model on the program corpus (resumable)")
    p.add_argument("--preset", help="model size preset (default: [train] preset)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    p.add_argument("--max-steps", type=int, help="stop after this many optimizer steps in total")
    p.add_argument("--out", help="run folder (default: <runs_dir>/<preset>-<time>)")
    p.add_argument("--corpus", help="loda-programs folder or .tar.gz (default: [train] corpus, else the database)")
    p.add_argument("--limit", type=int, default=0, help="use only this many sequences (quick runs)")
    p.add_argument("--threads", type=int, help="CPU threads (default: [train] threads)")
    p.add_argument("--checkpoint-steps", type=int, help="also checkpoint every this many steps")
    p.add_argument("--init-model", help="continue from this model folder (keeps its tokenizer) on freshly built pairs")
    p.add_argument("--no-eval", action="store_true", help="skip evaluation and registration at the end")
    p.set_defaults(func=train_handler)

    p = subparsers.add_parser("evaluate-model", help="score a model on the validation split")
    p.add_argument("--model", help="model folder (default: [train] model_dir, else the bundled model)")
    p.add_argument("--k", type=int, help="candidates per sequence (default: [train] eval_k)")
    p.add_argument("--limit", type=int, help="validation sequences to score (default: [train] eval_limit)")
    p.add_argument("--corpus", help="loda-programs folder or .tar.gz (default: [train] corpus, else the database)")
    p.add_argument("--threads", type=int, help="CPU threads (default: [train] threads)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--save", action="store_true",
                   help="also store the metrics in the model folder (its model card shows them)")
    p.add_argument("--rows", metavar="FILE",
                   help="also write one JSON line per sequence: A-number, name, the model's rank of its "
                        "first correct program (0: none) and whether each retrieval search solved it")
    p.set_defaults(func=evaluate_handler)

    p = subparsers.add_parser("generate", help="generate programs for a sequence name (and terms)")
    p.add_argument("name", help='sequence name, e.g. "Fibonacci numbers"')
    p.add_argument("--terms", default="", help="known terms, comma-separated")
    p.add_argument("--offset", type=int, default=0, help="index of the first term")
    p.add_argument("--k", type=int, default=8, help="programs to generate")
    p.add_argument("--model", help="model folder (default: [train] model_dir, else the bundled model)")
    p.add_argument("--corpus", help="programs for seq calls and neighbours (default: [train] corpus, else the database)")
    p.set_defaults(func=generate_handler)

    p = subparsers.add_parser("retrain", help="fine-tune the current model on the miner's hits; on trial if not worse")
    p.add_argument("--since", help="only hits found since this ISO date (default: since the promoted model)")
    p.add_argument("--corpus", help="replay corpus: loda-programs folder or .tar.gz (default: the database)")
    p.set_defaults(func=retrain_handler)

    p = subparsers.add_parser("bundle-model", help="copy a trained model into the package with a model card")
    p.add_argument("--model", required=True, help="model folder to bundle (e.g. <run>/model)")
    p.add_argument("--dest", help="destination (default: training/bundled in the package)")
    p.set_defaults(func=bundle_handler)


# What `train` and `retrain` say of a registered model (`training.registry.register`'s outcome).
OUTCOMES = {"promoted": "promoted", "kept": "not promoted: worse than the current one on validation",
            "trial": "on trial: it mines beside the current one until its hits per CPU-hour decide"}


def _corpus_path(args, cfg: dict[str, Any]) -> str:
    """--corpus, [train] corpus or [lang] programs; "" means the database."""
    path = corpora.location(getattr(args, "corpus", None), cfg, ("train", "corpus"), ("lang", "programs"))
    if path and not Path(path).expanduser().exists():
        raise CommandError(f"program corpus not found: {path}")
    return str(Path(path).expanduser()) if path else ""


def _load_corpus(path: str, cfg: dict[str, Any]):
    """The corpus at `path`, or the database's programs when `path` is ""."""
    return corpora.load(path, cfg)


def _settings(cfg: dict[str, Any], **overrides: Any):
    from training.train import TrainSettings

    return TrainSettings.from_config(cfg["train"], **overrides)


def _stoppable(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """func(*args, **kwargs, stop_event=...) with the first SIGTERM or Ctrl-C asking it to stop at a
    safe point (a checkpoint); a stop prints what was kept and exits 130, as an interrupt does."""
    from miner.core.stopping import on_signals
    from training.train import TrainingStopped

    try:
        with on_signals() as stop:
            return func(*args, **kwargs, stop_event=stop)
    except TrainingStopped as exc:
        print(f"loda-miner: {exc}", file=sys.stderr)
        raise KeyboardInterrupt from exc


def train_handler(args, cfg: dict[str, Any]) -> int:
    """Train (or resume) a run, then evaluate and register the model."""
    from training.data import Dataset, build_dataset, load_pairs, pair_kinds, save_pairs
    from training.train import train

    tc = cfg["train"]
    settings = _settings(cfg, preset=args.preset, max_steps=args.max_steps, threads=args.threads,
                         checkpoint_steps=args.checkpoint_steps)
    runs_dir = Path(tc["runs_dir"] or Path(cfg["paths"]["data_dir"]) / "runs").expanduser()
    if args.resume:
        if not args.out:
            raise UsageError("--resume needs --out (the run folder to continue)")
        out = Path(args.out)
        if not (out / "checkpoint").is_dir():
            raise CommandError(f"{out}: no checkpoint to resume from")
        try:
            model_dir = _stoppable(train, out, settings, resume=True)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        valid = load_pairs(out / "pairs" / "valid.jsonl")
        corpus_path = _corpus_path(args, cfg)
    else:
        out = Path(args.out) if args.out else runs_dir / f"{settings.preset}-{time.strftime('%Y%m%d-%H%M%S')}"
        if (out / "checkpoint").exists():
            raise CommandError(f"{out} already holds a run; use --resume or another --out")
        corpus_path = _corpus_path(args, cfg)
        corpus = _load_corpus(corpus_path, cfg)
        limit, extra = _sized(args.limit, settings, len(corpus), tc)
        recipe = dict(num_terms=tc["num_terms"], neighbours=tc["neighbours"], similar_names=tc["similar_names"],
                      valid_fraction=tc["valid_fraction"], limit=limit, max_length=tc["max_program_length"],
                      seed=tc["train_seed"], synthetic=extra["synthetic_pairs"], formulas=extra["formula_pairs"],
                      recurrences=extra["recurrence_pairs"], mend=extra["mend_pairs"],
                      number_tags=bool(tc["number_tags"]),
                      readers=dict(cfg["mine"]["budget"]) if tc["reader_pairs"] else None)
        cache = _pairs_cache(cfg, corpus, recipe, bool(tc["matched_neighbours"]))
        if (cache / "valid.jsonl").is_file():
            data = Dataset(load_pairs(cache / "train.jsonl"), load_pairs(cache / "valid.jsonl"), None)
            print(f"training pairs from the cache {cache}", file=sys.stderr)
        else:
            data = build_dataset(corpus, **recipe, workers=settings.threads, search_settings=cfg["search"],
                                 matcher=_matcher(cfg) if tc["matched_neighbours"] else None)
            save_pairs(data.train, cache / "train.jsonl")
            save_pairs(data.valid, cache / "valid.jsonl")  # last: its presence marks a complete entry
        meta = {"num_terms": tc["num_terms"], "neighbours": tc["neighbours"], "similar_names": tc["similar_names"],
                "matched_neighbours": bool(tc["matched_neighbours"]), "number_tags": bool(tc["number_tags"]),
                "synthetic_pairs": extra["synthetic_pairs"],
                "formula_pairs": extra["formula_pairs"], "recurrence_pairs": extra["recurrence_pairs"],
                "mend_pairs": extra["mend_pairs"], "reader_pairs": bool(tc["reader_pairs"]),
                "valid_fraction": tc["valid_fraction"], "corpus": corpus_path or corpus.origin,
                "command": "loda-miner train " + " ".join(_argv_summary(args))}
        meta["pair_kinds"] = pair_kinds(data.train)
        # The command line alone does not reproduce a run whose config file changed lr, warmup...
        meta["settings"] = {k: v for k, v in asdict(settings).items() if k not in ("threads", "log_every")}
        train_pairs, valid = data.train, data.valid
        del data, corpus  # the parsed corpus and index are not needed while training (gigabytes)
        init = args.init_model
        if init and not (Path(init).expanduser() / "config.json").is_file():
            raise CommandError(f"--init-model {init}: not a model folder (no config.json)")
        model_dir = _stoppable(train, out, settings, train_pairs=train_pairs, valid_pairs=valid, meta=meta,
                               init_model_dir=init)
    print(f"model saved to {model_dir}")
    if args.no_eval:
        return 0
    metrics = _evaluate_dir(model_dir, cfg, corpus_path, tc["eval_k"], tc["eval_limit"], valid)
    _write_metrics(model_dir, metrics)
    from storage.db import connect
    from training.registry import register as register_model

    engine = connect(cfg["database"]["url"])
    model_id, outcome = register_model(
        engine, str(model_dir), settings.preset, len(load_pairs(out / "pairs" / "train.jsonl")), metrics,
        evaluate_current=lambda path: _evaluate_dir(Path(path), cfg, corpus_path, tc["eval_k"],
                                                    tc["eval_limit"], valid),
        baseline=str(tc["model_dir"]), trial=float(tc["trial_cpu_hours"]) > 0)
    print(json.dumps(metrics, indent=2, sort_keys=True))
    print(f"registered as model {model_id} ({OUTCOMES[outcome]})")
    return 0


def _pairs_cache(cfg: dict[str, Any], corpus: Any, recipe: dict[str, Any], matched: bool) -> Path:
    """Where the pairs of this corpus and these settings are kept (<data_dir>/cache/pairs/<key>): building
    them for the whole corpus takes minutes, and a run with the same corpus and settings reuses them."""
    import hashlib

    digest = hashlib.sha256(json.dumps({**recipe, "matched": matched, "search": cfg["search"]},
                                       sort_keys=True).encode())
    for a in corpus.ids():
        digest.update(f"{a}:".encode())
        digest.update((corpus.text(a) or "").encode())
    return Path(cfg["paths"]["data_dir"]).expanduser() / "cache" / "pairs" / digest.hexdigest()[:20]


def _sized(limit: int, settings: Any, sequences: int, tc: dict[str, Any]) -> tuple[int, dict[str, int]]:
    """(sequences, generated pair counts) to build pairs for: a run of S steps of B pairs sees at most
    S*B pairs, so a short run (`--max-steps 20`) builds only that many instead of the whole corpus's
    (minutes before step 1). `--limit` still chooses the sequences; longer runs keep everything."""
    needed = settings.max_steps * settings.batch_size
    counts = {k: tc[k] for k in ("synthetic_pairs", "formula_pairs", "recurrence_pairs", "mend_pairs")}
    if limit or needed >= sequences:
        return limit, counts
    import structlog

    structlog.get_logger(__name__).info("train_pairs_sized", sequences=needed, of=sequences,
                                        steps=settings.max_steps, batch_size=settings.batch_size)
    return needed, {k: min(v, needed) for k, v in counts.items()}


def _argv_summary(args) -> list[str]:
    parts = []
    for flag in ("preset", "max_steps", "out", "corpus", "limit", "threads", "init_model"):
        value = getattr(args, flag, None)
        if value:
            parts.append(f"--{flag.replace('_', '-')} {value}")
    return parts


def _write_metrics(model_dir: Path, metrics: dict[str, Any]) -> None:
    from training.model import META_FILE

    path = Path(model_dir) / META_FILE
    meta = json.loads(path.read_text()) if path.is_file() else {}
    meta["metrics"] = metrics
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def _matcher(cfg: dict[str, Any]):
    """The term matcher whose programs models trained with `matched_neighbours` see: the corpus sweep."""
    from functools import partial

    from miner.search.corpus_sweep import sweep_texts

    return partial(sweep_texts, settings=cfg["search"])


def _evaluate_dir(model_dir: Path | None, cfg: dict[str, Any], corpus_path: str, k: int, limit: int,
                  valid=None, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    from functools import partial

    from miner.search import model_free_searches
    from training.evaluate import evaluate_folder
    from training.readers import reader_texts

    corpus = _load_corpus(corpus_path, cfg)
    # The name readers too: a model-only solve is one no model-free strategy of the miner finds.
    searches = {**model_free_searches(cfg, corpus),
                "readers": partial(reader_texts, corpus=corpus, budgets=cfg["mine"]["budget"], settings=cfg["search"])}
    return evaluate_folder(model_dir, corpus, k=k, limit=limit, valid=valid, threads=cfg["train"]["threads"],
                           defaults=cfg["train"], searches=searches, matcher=_matcher(cfg), rows=rows)


def evaluate_handler(args, cfg: dict[str, Any]) -> int:
    """Print a model's validation metrics."""
    tc = cfg["train"]
    model_dir = args.model or tc["model_dir"] or None
    if args.threads:
        cfg = {**cfg, "train": {**tc, "threads": args.threads}}
    rows: list[dict[str, Any]] | None = [] if args.rows else None
    try:
        metrics = _evaluate_dir(Path(model_dir) if model_dir else None, cfg, _corpus_path(args, cfg),
                                args.k or tc["eval_k"], tc["eval_limit"] if args.limit is None else args.limit,
                                rows=rows)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc
    if rows is not None:
        Path(args.rows).write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in rows))
    if args.save:
        if not model_dir:
            raise UsageError("--save needs --model (the bundled model is read-only)")
        _write_metrics(Path(model_dir), metrics)
    if args.json:
        print(json.dumps(metrics, indent=2, sort_keys=True))
    else:
        for key in sorted(metrics):
            value = metrics[key]
            print(f"{key:34} {value:.4f}" if isinstance(value, float) else f"{key:34} {value}")
    return 0


def generate_handler(args, cfg: dict[str, Any]) -> int:
    """Print the K best programs, each with how many of the given terms it reproduces."""
    from miner.lang import EvalError, Limits, check_terms, evaluate
    from training.generate import generate, source_for, uses_retrieval
    from training.model import load

    try:
        terms = [int(t) for t in args.terms.replace(" ", "").split(",") if t]
    except ValueError:
        raise UsageError(f"--terms must be comma-separated integers, got {args.terms!r}") from None
    model_dir = args.model or cfg["train"]["model_dir"] or None
    try:
        loaded = load(model_dir, threads=cfg["train"]["threads"])
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc
    corpus_path = _corpus_path(args, cfg)
    try:
        corpus = _load_corpus(corpus_path, cfg)
    except CommandError:
        if corpus_path:
            raise
        corpus = None  # no database yet: generation runs without retrieval and seq calls
    index = None
    matched: list[str] = []
    if corpus is not None and uses_retrieval(loaded.meta, args.name, terms):
        from miner.search.retrieval import corpus_programs, index_for
        from training.data import corpus_sequences

        known = corpus_sequences(corpus)
        index = index_for(corpus_programs(corpus), known)
        if loaded.meta.get("matched_neighbours"):
            # The query has no A-number: 0 names it, and no known sequence is A000000.
            matched = list(_matcher(cfg)({0: (args.name, terms, args.offset)}, known).get(0, []))
    source = source_for(loaded.meta, args.name, terms, args.offset, index, matched=matched)
    limits = Limits(max_steps=1_000_000, max_memory=2000, max_seconds=2.0)
    for rank, program in enumerate(generate(loaded, [source], args.k)[0], 1):
        if terms:
            correct = check_terms(program, terms, corpus, limits).matched
            mark = f"{correct}/{len(terms)} terms"
        else:
            try:
                mark = "terms " + ",".join(str(t) for t in evaluate(program, 10, corpus, limits))
            except EvalError as exc:
                mark = f"error: {exc}"
        print(f"# {rank}: {mark}")
        print(program.rstrip())
        print()
    return 0


def bundle_handler(args, cfg: dict[str, Any]) -> int:
    """Copy a model folder into training/bundled (at most 40 MiB) with its model card."""
    from training.model import BUNDLED_DIR, bundle

    try:
        out = bundle(args.model, args.dest or BUNDLED_DIR)
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    print(f"bundled {args.model} into {out}")
    return 0


def retrain_handler(args, cfg: dict[str, Any]) -> int:
    """Fine-tune on the stored hits with a replay sample of the stored corpus; register, on trial if not worse."""
    from datetime import datetime

    import storage
    from miner.mine.context import load_corpus
    from training.retrain import retrain

    since = None
    engine = corpora.open_database(cfg)
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError as exc:
            raise UsageError(f"--since: not an ISO date: {args.since}") from exc
    else:
        with storage.session_scope(engine, readonly=True) as session:
            current = storage.promoted_model(session)
        since = current.created_at if current is not None else None
    corpus = _load_corpus(args.corpus, cfg) if args.corpus else load_corpus(engine)[0]
    try:
        result = _stoppable(retrain, engine, corpus, cfg, since=since, matcher=_matcher(cfg))
    except FileNotFoundError as exc:
        raise CommandError(f"no model to fine-tune: {exc}") from exc
    if result is None:
        print("no usable new hits: nothing to retrain")
        return 0
    model_id, outcome = result
    print(f"registered as model {model_id} ({OUTCOMES[outcome]})")
    return 0
