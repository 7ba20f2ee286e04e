"""Evaluate programs term by term: `evaluate`, `check_terms`, and the compiled-program cache.

Each program is compiled once (`compile_program`, cached by its text) into a Python function
(see `miner.lang.compiler`), or decoded for the general interpreter when it cannot be compiled.
Ranges of terms (`evaluate`, `check_terms`) use the program's incremental code where it applies.
`seq` results are memoised per callee and argument in the Corpus, with the callee's step count,
so that step totals (and so step limits) are exactly those of an uncached run, as in loda-cpp.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from miner.lang.anumber import format_a_number
from miner.lang import clock, compiler, interpreter
from miner.lang.corpus import Corpus
from miner.lang.errors import (CyclicSeqError, EvalError, InvalidAccessError, MissingProgramError,
                               SeqArgumentError, SeqDepthError, StepLimitError, TimeLimitError)
from miner.lang.formatter import format_program
from miner.lang.header import read_header
from miner.lang.limits import DEFAULT, Limits
from miner.lang.parser import MAX_OPERATIONS, ParseError, parse
from miner.lang.program import Program

_UID_MASK = (1 << 48) - 1
_MEMO_MAX = 2_000_000  # seq results kept per corpus before the memo is reset
INCREMENTAL_AFTER = 10_000  # plain steps per range of terms before incremental code is compiled


@dataclass
class Compiled:
    """A program ready to run: `run(n, ctx) -> (value of $0, steps)` on fresh memory with $0 = n."""

    run: Callable[[int, "Context"], tuple[int, int]]
    offset: int
    a_number: int | None
    compiled: bool  # True: generated Python code; False: the general interpreter
    program: Program
    # `run_inc(n, ctx, state)` for ranges of terms (compiler.generate_incremental_source), built on
    # first need by `incremental_run`; None if not built or not applicable
    incremental: Callable[[int, "Context", list], tuple[int, int]] | None = None
    incremental_checked: bool = False


def incremental_run(compiled: Compiled, max_memory: int) -> Callable[[int, "Context", list], tuple[int, int]] | None:
    """The program's incremental code, compiled on first call; None if its loop does not allow it."""
    if not compiled.incremental_checked:
        compiled.incremental_checked = True
        if compiled.compiled:
            compiled.incremental = compiler.compile_incremental(compiled.program, max_memory)
    return compiled.incremental


def _interpreted(program: Program) -> Callable[[int, "Context"], tuple[int, int]]:
    decoded = interpreter.decode(program)

    def run(n: int, ctx: "Context") -> tuple[int, int]:
        mem = {0: n}
        steps = interpreter.run(decoded, mem, ctx)
        return mem.get(0, 0), steps

    return run


def _build(program: Program, max_memory: int, allow_compile: bool = True) -> Compiled:
    if len(program.ops) > MAX_OPERATIONS:
        raise ParseError("<program>", MAX_OPERATIONS + 1, f"program longer than {MAX_OPERATIONS} operations")
    header = read_header(program)
    fn = compiler.compile_run(program, max_memory) if allow_compile else None
    if fn is None and allow_compile:
        fn = compiler.compile_dict_run(program, max_memory)
    if fn is None:
        return Compiled(_interpreted(program), program.offset, header.a_number, False, program)
    return Compiled(fn, program.offset, header.a_number, True, program)


_CACHE: "OrderedDict[tuple[str, int], Compiled]" = OrderedDict()
_CACHE_MAX = 20000


def compile_program(program: Program | str, max_memory: int = DEFAULT.max_memory) -> Compiled:
    """Compile a program (or its text) once; later calls with the same text reuse the result.

    Raises ParseError for text that does not parse.
    """
    key = (program if isinstance(program, str) else format_program(program), max_memory)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    compiled = _build(parse(program) if isinstance(program, str) else program, max_memory)
    _CACHE[key] = compiled
    if len(_CACHE) > _CACHE_MAX:
        _CACHE.popitem(last=False)
    return compiled


class Context:
    """State of one evaluation: limits, deadline, the corpus for `seq`, programs currently running."""

    __slots__ = ("limits", "corpus", "deadline", "running", "memo", "programs", "first_check", "incremental")

    def __init__(self, limits: Limits, corpus: Corpus | None) -> None:
        self.limits = limits
        self.corpus = corpus
        self.deadline = time.monotonic() + limits.max_seconds if limits.max_seconds > 0 else float("inf")
        self.running: set[int] = set()
        self.incremental = True  # False: plain code only (for comparisons)
        self.first_check = min(interpreter.TICK, limits.max_steps)
        if corpus is not None:
            cache = corpus.eval_cache
            key = (limits.max_steps, limits.max_memory)
            self.memo = cache.setdefault(("memo", key), {})
            self.programs = cache.setdefault(("compiled", limits.max_memory), {})
        else:
            self.memo = {}
            self.programs = {}

    def check_time(self) -> None:
        """Raise TimeLimitError once the evaluation's wall-time budget is spent."""
        if time.monotonic() > self.deadline:
            raise TimeLimitError(f"exceeded the time limit of {self.limits.max_seconds:g} s")

    def tick(self, steps: int) -> int:
        """Called by compiled code every few thousand steps: enforce limits, return the next check."""
        if steps > self.limits.max_steps:
            raise StepLimitError(f"exceeded the maximum of {self.limits.max_steps} steps", steps)
        self.check_time()
        return min(steps + interpreter.TICK, self.limits.max_steps)

    def _callee(self, uid: int) -> tuple[int, Compiled]:
        domain, number = (uid >> 48) & 0xFF, uid & _UID_MASK
        if uid < 0 or domain > 25 or number > 999_999:
            raise InvalidAccessError(f"invalid program id {uid}")
        if domain != 0:
            raise MissingProgramError(f"program not found: {chr(65 + domain)}{number:06d}")
        compiled = self.programs.get(number)
        if compiled is None:
            program = self.corpus.get(number) if self.corpus is not None else None
            if program is None:
                where = f" in {self.corpus.origin}" if self.corpus is not None else " (no corpus given)"
                raise MissingProgramError(f"program not found: {format_a_number(number)}{where}")
            compiled = compile_program(program, self.limits.max_memory)
            self.programs[number] = compiled
        return number, compiled

    def call_seq(self, uid: int, arg: int) -> tuple[int, int]:
        """`seq`: the callee's term for `arg` (its $0 after running with $0 = arg) and its steps."""
        memo = self.memo
        hit = memo.get((uid, arg))
        if hit is not None:
            return hit
        number, callee = self._callee(uid)
        if arg < callee.offset:
            raise SeqArgumentError(f"seq using invalid argument: {format_a_number(number)}({arg}), offset {callee.offset}")
        if number in self.running:
            raise CyclicSeqError(f"recursion detected: {format_a_number(number)} calls itself")
        self.running.add(number)
        try:
            result = callee.run(arg, self)
        finally:
            self.running.discard(number)
        if result[1] > self.limits.max_steps:
            raise StepLimitError(f"exceeded the maximum of {self.limits.max_steps} steps", result[1])
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[(uid, arg)] = result
        return result

    def call_prg(self, uid: int, start: int, mem: dict[int, int]) -> int:
        """`prg`: run a `P`-program on cells start.. (#inputs), copy back #outputs; return steps."""
        domain, number = (uid >> 48) & 0xFF, uid & _UID_MASK
        raise MissingProgramError(f"program not found: {chr(65 + domain) if domain < 26 else '?'}{number:06d} "
                                  "(prg calls need P-programs, which a loda-programs corpus does not hold)")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of `check_terms`: ok, how many leading terms matched, the first error, steps used."""

    ok: bool
    matched: int
    error: str | None
    steps: int
    got: int | None = None  # the first mismatching value, if the failure was a mismatch
    # on a failure with `prefix`: the program's first terms, up to `prefix` (fewer if an error ended them)
    terms: tuple[int, ...] = ()


def _run_term(compiled: Compiled, n: int, ctx: Context) -> tuple[int, int]:
    ctx.running.add(compiled.a_number) if compiled.a_number is not None else None
    try:
        value, steps = compiled.run(n, ctx)
    except RecursionError:
        raise SeqDepthError("seq calls nested too deeply to follow") from None
    finally:
        if compiled.a_number is not None:
            ctx.running.discard(compiled.a_number)
    if steps > ctx.limits.max_steps:
        raise StepLimitError(f"exceeded the maximum of {ctx.limits.max_steps} steps", steps)
    ctx.check_time()
    return value, steps


class _Terms:
    """Runs n = offset, offset+1, ... in order, incrementally where the program allows it.

    The incremental code raises only errors the plain code raises at the same step; terms it cannot
    answer that way (`Fallback`, a step total past the limit, a loop state that keeps changing) are
    computed by the plain code, so values, step counts and errors are always those of `_run_term`.
    It is compiled only once the plain code has spent `INCREMENTAL_AFTER` steps, so cheap programs
    never pay for it.
    """

    __slots__ = ("compiled", "ctx", "inc", "state", "done", "pending")

    def __init__(self, compiled: Compiled, ctx: Context, incremental: bool = True) -> None:
        self.compiled, self.ctx = compiled, ctx
        incremental = incremental and ctx.incremental
        self.inc = compiled.incremental if incremental else None
        self.state = compiler.new_state()
        self.done = 0
        # steps still to run plainly before the incremental code is worth compiling; -1: decided
        self.pending = INCREMENTAL_AFTER if incremental and compiled.compiled and self.inc is None else -1

    def term(self, n: int) -> tuple[int, int]:
        """Value and steps for n, which must follow the previous call's n."""
        inc, ctx = self.inc, self.ctx
        self.done += 1
        if inc is None:
            value, steps = _run_term(self.compiled, n, ctx)
            if self.pending >= 0:
                self.pending -= steps
                if self.pending < 0:
                    self.inc = incremental_run(self.compiled, ctx.limits.max_memory)
                    self.done = 0
            return value, steps
        state = self.state
        a_number = self.compiled.a_number
        if a_number is not None:
            ctx.running.add(a_number)
        try:
            value, steps = inc(n, ctx, state)
        except compiler.Fallback:
            value, steps = 0, -1  # steps < 0: the value is dropped and the term rerun below
        finally:
            if a_number is not None:
                ctx.running.discard(a_number)
        # the key changes with n when the body reads cells set from $0: stop paying for the attempt
        if state[5] > 2 and state[5] * 2 > self.done:
            self.inc = None
        if steps < 0 or steps > ctx.limits.max_steps:
            state[:] = compiler.new_state()
            return _run_term(self.compiled, n, ctx)
        ctx.check_time()
        return value, steps


def evaluate(program: Program | str, num_terms: int, corpus: Corpus | None = None,
             limits: Limits = DEFAULT) -> list[int]:
    """The first `num_terms` terms, for n = offset, offset+1, ...; raises an EvalError subclass."""
    ctx = Context(limits, corpus)
    previous = clock.start(ctx.deadline, limits.max_seconds)
    try:
        compiled = compile_program(program, limits.max_memory)
        terms = _Terms(compiled, ctx)
        offset = compiled.offset
        return [terms.term(offset + i)[0] for i in range(num_terms)]
    finally:
        clock.restore(previous)


def check_terms(program: Program | str, expected: list[int], corpus: Corpus | None = None,
                limits: Limits = DEFAULT, prefix: int = 0) -> CheckResult:
    """Compare terms with `expected`, stopping at the first mismatch or error; on a mismatch with
    `prefix` > 0, go on to the program's first `prefix` terms (`CheckResult.terms`) in the same run."""
    ctx = Context(limits, corpus)
    # The time limit covers compiling too: a huge program must not run the clock down unseen.
    previous = clock.start(ctx.deadline, limits.max_seconds)
    try:
        return _check(program, expected, ctx, prefix)
    finally:
        clock.restore(previous)


def _check(program: Program | str, expected: list[int], ctx: Context, prefix: int = 0) -> CheckResult:
    try:
        compiled = compile_program(program, ctx.limits.max_memory)
        ctx.check_time()
    except EvalError as exc:
        return CheckResult(False, 0, f"{exc.reason}: {exc}", 0)
    except ValueError as exc:
        return CheckResult(False, 0, str(exc), 0)
    terms = _Terms(compiled, ctx)
    total = 0
    for i, want in enumerate(expected):
        try:
            value, steps = terms.term(compiled.offset + i)
        except EvalError as exc:
            return CheckResult(False, i, f"{exc.reason}: {exc}", total + exc.steps,
                               terms=tuple(expected[:min(i, prefix)]))
        total += steps
        if value != want:
            return CheckResult(False, i, None, total, value, _prefix(terms, compiled.offset, expected, i, value, prefix))
    return CheckResult(True, len(expected), None, total)


def _prefix(terms: _Terms, offset: int, expected: list[int], wrong: int, value: int, prefix: int) -> tuple[int, ...]:
    """The first `prefix` terms of a program that got term `wrong` wrong, going on where the check stopped."""
    out = [*expected[:wrong], value][:prefix]
    try:
        while len(out) < prefix:
            out.append(terms.term(offset + len(out))[0])
    except EvalError:
        pass  # the terms before the error still serve
    return tuple(out)


def evaluate_partial(program: Program | str, num_terms: int, corpus: Corpus | None = None,
                     limits: Limits = DEFAULT) -> tuple[list[int], str | None]:
    """Up to `num_terms` terms and the error that ended them early (None: all evaluated)."""
    try:
        compiled = compile_program(program, limits.max_memory)
    except ValueError as exc:
        return [], str(exc)
    terms = _Terms(compiled, Context(limits, corpus))
    out: list[int] = []
    for i in range(num_terms):
        try:
            out.append(terms.term(compiled.offset + i)[0])
        except EvalError as exc:
            return out, f"{exc.reason}: {exc}"
    return out, None
