"""Compile a LODA program to a Python function with one local variable per memory cell.

Applies when every cell is known statically: no indirect operands, `lpb`/`clr`/`fil`/`rol`/`ror`
lengths are small constants, every written cell is within `max_memory`, and loops nest at most
`MAX_DEPTH` deep (Python's block limit). Everything else returns None and runs on the general
interpreter. Semantics follow the interpreter exactly; steps are counted per straight-line run
and checked (with the wall clock) at every loop end.

Two more code generators: `generate_dict_source` for the programs the first one rejects (memory is
a dict and each operation does what the interpreter does, without its dispatch), and
`generate_incremental_source` for programs whose main loop can carry its state from term n to n+1.
"""

from __future__ import annotations

from math import gcd
from typing import Callable

from miner.lang import clock
from miner.lang import semantics as S
from miner.lang.errors import InvalidAccessError, MemoryLimitError
from miner.lang.limits import DEFAULT
from miner.lang.memory import (CACHE_CELLS, INT64_MAX, INT64_MIN, as_int, check_length, check_size, clear, fill,
                               fragment, rotate_left, rotate_right, span)
from miner.lang.memory import is_less as mem_is_less
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, Operand, Operation, Program

MAX_DEPTH = 12
# Longer programs run on the general interpreter: Python's own compile() of their source would take
# a second or more in one call that no time limit can interrupt (the corpus's longest has 479 lines).
MAX_OPERATIONS = 2000
MAX_RANGE = 64  # longest clr/fil/rol/ror/lpb range expanded into single cells

_INLINE_COMPARE = {"equ": "==", "neq": "!=", "leq": "<=", "geq": ">="}
_INLINE_BITS = {"ban": "&", "bor": "|", "bxo": "^"}


class _Unsupported(Exception):
    pass


def _is_less(new: tuple, old: tuple) -> bool:
    for lhs, rhs in zip(new, old):
        if lhs < 0:
            return False
        if lhs != rhs:
            return lhs < rhs
    return False


def _raise_memory(what: str) -> None:
    raise MemoryLimitError(f"maximum memory exceeded: {what}")


def _raise_index(what: str) -> None:
    raise InvalidAccessError(what)


def _as_int(v: int) -> int:
    if INT64_MIN <= v <= INT64_MAX:
        return v
    raise InvalidAccessError(f"integer overflow: {v} used as an index or program id")


_HELPERS = {
    "LIM": S.LIMIT, "NLIM": S.NEG_LIMIT, "ovf": S.overflow, "gcd": gcd, "is_less": _is_less,
    "raise_memory": _raise_memory, "raise_index": _raise_index, "as_int": _as_int,
    **{f"f_{name}": fn for name, fn in S.FUNCTIONS.items()},
}


class _Source:
    """Python source being written for one program: indented lines and step counts not yet emitted."""

    def __init__(self, program: Program, max_memory: int) -> None:
        self.code = program.code()
        self.max_memory = max_memory
        self.lines: list[str] = []
        self.frags = any(op.op == "lpb" and op.source != Operand(CONSTANT, 1) for op in self.code)
        # Steps are added in one statement per straight-line run instead of one per operation.
        self.pending = 0

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * (depth + 1) + text)

    def flush(self, depth: int) -> None:
        if self.pending:
            self.emit(depth, f"steps += {self.pending}")
            self.pending = 0


class _Gen(_Source):
    def __init__(self, program: Program, max_memory: int) -> None:
        super().__init__(program, max_memory)
        self.cells: set[int] = {0}
        self.skip = -1  # index of an operation counted as a step but not emitted (incremental counter)

    def val(self, operand: Operand) -> str:
        if operand.kind == CONSTANT:
            return repr(operand.value)
        if operand.kind == DIRECT:
            self.cells.add(operand.value)
            return f"c{operand.value}"
        raise _Unsupported("indirect operand")

    def cell(self, operand: Operand) -> str:
        if operand.kind != DIRECT:
            raise _Unsupported("indirect target")
        if operand.value > self.max_memory:
            raise _Unsupported("cell beyond max_memory")
        self.cells.add(operand.value)
        return f"c{operand.value}"

    def range_cells(self, op: Operation, depth: int) -> list[int] | None:
        """Static cells of clr/fil/rol/ror; None if the op raises (emitted)."""
        if op.source.kind != CONSTANT:
            raise _Unsupported("variable range length")
        self.cell(op.target)  # for its checks (direct, within max_memory) and to record the cell
        length, start = op.source.value, op.target.value
        if op.op != "clr" and self.max_memory >= 0 and length > self.max_memory:
            self.emit(depth, f"raise_memory('range of {length} cells')")
            return None
        first, last = span(start, length)
        if last - first > MAX_RANGE:
            raise _Unsupported("long range")
        if op.op == "clr":
            first = max(first, 0)
        elif first < 0 and first < last:
            self.emit(depth, f"raise_index('memory access with negative index: {first}')")
            return None
        if last - 1 > self.max_memory:
            raise _Unsupported("range beyond max_memory")
        return list(range(first, last))

    def generate(self) -> str:
        self.block(0, len(self.code), 0)
        return "\n".join(self.lines)

    def block(self, start: int, end: int, depth: int) -> None:
        """Emit the operations code[start:end] (balanced loops) at `depth`, flushing the step count."""
        # a None counter follows an emitted raise: the loop code after it is never reached
        loops: list[tuple[str | None, list[int]]] = []
        for index in range(start, end):
            if not index & 255:
                clock.check()  # a long program takes a while to translate: keep to the time limit
            op = self.code[index]
            name = op.op
            if name in ("nop", "dbg"):
                continue
            if index == self.skip:
                self.pending += 1
                continue
            if name == "lpb":
                if depth >= MAX_DEPTH:
                    raise _Unsupported("deep nesting")
                self.pending += 1
                self.flush(depth)
                body_written = self.written_in_loop(index)
                saved = sorted(body_written)
                counter = self.loop_counter(op, depth)
                if counter is None:
                    # the fragment is longer than max_memory: loda-cpp fails on entering the loop
                    self.emit(depth, f"raise_memory('loop fragment of {op.source.value} cells')")
                d = depth
                self.emit(d, f"o{d} = {counter}")
                if saved:
                    self.emit(d, "".join(f"s{d}_{c}, " for c in saved) + "= " + ", ".join(f"c{c}" for c in saved) + ",")
                self.emit(d, "while True:")
                loops.append((counter, saved))
                depth += 1
                continue
            if name == "lpe":
                depth -= 1
                d = depth
                counter, saved = loops.pop()
                self.pending += 1
                self.flush(d + 1)
                self.emit(d + 1, "if steps > chk: chk = tick(steps)")
                if self.frags:
                    self.emit(d + 1, f"n{d} = {counter}")
                    test = f"is_less(n{d}, o{d})"
                else:
                    self.emit(d + 1, f"n{d} = {counter}")
                    test = f"-1 < n{d} < o{d}"
                self.emit(d + 1, f"if not ({test}):")
                if saved:
                    self.emit(d + 2, "".join(f"c{c}, " for c in saved) + "= " + ", ".join(f"s{d}_{c}" for c in saved) + ",")
                self.emit(d + 2, "break")
                self.emit(d + 1, f"o{d} = n{d}")
                if saved:
                    self.emit(d + 1, "".join(f"s{d}_{c}, " for c in saved) + "= " + ", ".join(f"c{c}" for c in saved) + ",")
                continue
            self.pending += 1
            self.operation(op, depth)
        self.flush(depth)

    def loop_counter(self, op: Operation, depth: int) -> str | None:
        if not self.frags:
            return self.val(op.target) if op.target.kind == DIRECT else self._indirect()
        if op.source.kind != CONSTANT or op.target.kind != DIRECT:
            raise _Unsupported("variable loop fragment")
        length = op.source.value
        if self.max_memory >= 0 and length > self.max_memory:
            return None
        if length > MAX_RANGE:
            raise _Unsupported("long loop fragment")
        cells = [op.target.value + i for i in range(max(length, 0))]
        for c in cells:
            self.cells.add(c)
        return "(" + "".join(f"c{c}," for c in cells) + ")"

    def _indirect(self) -> str:
        raise _Unsupported("indirect loop counter")

    def written_in_loop(self, start: int) -> set[int]:
        written: set[int] = set()
        level = 0
        for op in self.code[start:]:
            if op.op == "lpb":
                level += 1
            elif op.op == "lpe":
                level -= 1
                if level == 0:
                    break
            elif op.op in ("clr", "fil", "rol", "ror"):
                if op.source.kind != CONSTANT or op.target.kind != DIRECT:
                    raise _Unsupported("variable range")
                first, last = span(op.target.value, op.source.value)
                if last - first > MAX_RANGE:
                    raise _Unsupported("long range")
                written.update(range(max(first, 0), last))
            elif op.op not in ("nop", "dbg") and op.target.kind == DIRECT:
                written.add(op.target.value)
        for c in written:
            self.cells.add(c)
        return written

    def operation(self, op, depth: int) -> None:
        name = op.op
        emit = self.emit
        if name == "prg":
            raise _Unsupported("prg")
        if name == "seq":
            t = self.cell(op.target)
            src = self.val(op.source)
            uid = src if op.source.kind == CONSTANT else f"as_int({src})"
            self.flush(depth)
            emit(depth, f"{t}, s_ = seq({uid}, {t})")
            emit(depth, "steps += s_")
            return
        if name in ("clr", "fil", "rol", "ror"):
            cells = self.range_cells(op, depth)
            if not cells:
                return
            names = [f"c{c}" for c in cells]
            for c in cells:
                self.cells.add(c)
            if name == "clr":
                emit(depth, " = ".join(names) + " = 0")
            elif name == "fil":
                emit(depth, " = ".join(names) + f" = c{op.target.value}")
            elif len(names) > 1:
                rotated = names[1:] + names[:1] if name == "rol" else names[-1:] + names[:-1]
                emit(depth, ", ".join(names) + " = " + ", ".join(rotated))
            return
        t = self.cell(op.target)
        s = self.val(op.source)
        check = f"if not NLIM < {t} < LIM: ovf({t})"
        if name == "mov":
            emit(depth, f"{t} = {s}")
        elif name in ("add", "sub", "mul"):
            emit(depth, f"{t} {'+' if name == 'add' else '-' if name == 'sub' else '*'}= {s}")
            emit(depth, check)
        elif name == "trn":
            emit(depth, f"{t} -= {s}")
            emit(depth, check)
            emit(depth, f"if {t} < 0: {t} = 0")
        elif name in ("div", "mod") and op.source.kind == CONSTANT and op.source.value > 0:
            k = op.source.value
            sym = "//" if name == "div" else "%"
            emit(depth, f"{t} = {t} {sym} {k} if {t} >= 0 else -(-{t} {sym} {k})")
        elif name in _INLINE_COMPARE:
            emit(depth, f"{t} = 1 if {t} {_INLINE_COMPARE[name]} {s} else 0")
        elif name in _INLINE_BITS:
            emit(depth, f"{t} {_INLINE_BITS[name]}= {s}")
        elif name == "min":
            emit(depth, f"if {s} < {t}: {t} = {s}")
        elif name == "max":
            emit(depth, f"if {t} < {s}: {t} = {s}")
        elif name == "gcd":
            emit(depth, f"{t} = gcd({t}, {s})")
        else:
            emit(depth, f"{t} = f_{name}({t}, {s})")


def _function_source(signature: str, cells: set[int], body: str) -> str:
    """A generated function: the evaluation context bound to locals, $0 = n, the other cells 0, the body."""
    others = sorted(cells - {0})
    head = [f"def {signature}:",
            "    seq = ctx.call_seq; tick = ctx.tick; chk = ctx.first_check",
            "    steps = 0",
            "    c0 = n"]
    if others:
        head.append("    " + " = ".join(f"c{c}" for c in others) + " = 0")
    return "\n".join(head) + "\n" + body + "\n    return c0, steps\n"


def generate_source(program: Program, max_memory: int = DEFAULT.max_memory) -> str | None:
    """The Python source of `run(n, ctx)` for a program, or None if it needs the interpreter."""
    if len(program.ops) > MAX_OPERATIONS:
        return None
    gen = _Gen(program, max_memory)
    try:
        body = gen.generate()
    except _Unsupported:
        return None
    return _function_source("run(n, ctx)", gen.cells, body)


def _load(source: str | None, helpers: dict, filename: str, name: str) -> Callable | None:
    """The function `name` defined by generated `source` (None stays None), with `helpers` as globals."""
    if source is None:
        return None
    namespace = dict(helpers)
    clock.check()
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated code
    clock.check()
    return namespace[name]


def compile_run(program: Program, max_memory: int = DEFAULT.max_memory) -> Callable | None:
    """A compiled `run(n, ctx) -> (value, steps)`, or None when the program needs the interpreter."""
    return _load(generate_source(program, max_memory), _HELPERS, "<loda>", "run")


class Fallback(Exception):
    """Raised by incremental code when this term must be computed by the plain code instead."""


_INCREMENTAL_HELPERS = {**_HELPERS, "Fallback": Fallback}


def incremental_shape(program: Program) -> tuple[int, int, int, int] | None:
    """(lpb index, lpe index, counter cell, counter-update index) of a loop that can run incrementally.

    The program must be: loop-free code; `lpb $c` (no fragment); a body whose only mention of $c is
    one `sub $c,K` or `trn $c,K` (K >= 1 constant) outside its inner loops; any code. The body then never reads the counter,
    so every iteration applies the same function to the other cells: iterations done for term n are
    the first iterations of term n+1 whenever the body's cells start from the same values.
    """
    code = program.code()
    begin = next((i for i, op in enumerate(code) if op.op == "lpb"), None)
    if begin is None:
        return None
    # an indirect operand could reach the counter
    if any(op.target.kind not in (CONSTANT, DIRECT) or op.source.kind not in (CONSTANT, DIRECT) for op in code):
        return None
    if any(op.op == "lpb" and op.source != Operand(CONSTANT, 1) for op in code):
        return None
    head = code[begin]
    if head.target.kind != DIRECT:
        return None
    counter = head.target.value
    level, end, update = 0, None, None
    for index in range(begin, len(code)):
        op = code[index]
        if op.op == "lpb":
            level += 1
        elif op.op == "lpe":
            level -= 1
            if level == 0:
                end = index
                break
        if index == begin or op.op in ("lpe", "nop", "dbg"):
            continue
        if op.op in ("clr", "fil", "rol", "ror"):
            if op.source.kind != CONSTANT or op.target.kind != DIRECT:
                return None
            first, last = span(op.target.value, op.source.value)
            if first <= counter < last:
                return None
            continue
        if op.source == Operand(DIRECT, counter):
            return None
        if op.target == Operand(DIRECT, counter):
            if (update is not None or level != 1 or op.op not in ("sub", "trn") or op.source.kind != CONSTANT
                    or op.source.value < 1):
                return None
            update = index
    if end is None or update is None:
        return None
    return begin, end, counter, update


def generate_incremental_source(program: Program, max_memory: int = DEFAULT.max_memory) -> str | None:
    """Python source of `run_inc(n, ctx, st) -> (value, steps)`, or None if the loop shape does not allow it.

    `st` (a list from `new_state()`) carries the loop's progress from one term to the next: the values
    the body's cells had before the loop (the key), the iterations done, the body's cells after the
    last two of them, the steps the iterations took, and how often the key changed. Values, step counts
    and errors are those of `run`, except that a term raising `Fallback` or returning more steps than
    the limit must be redone by `run`.
    """
    shape = incremental_shape(program) if len(program.ops) <= MAX_OPERATIONS else None
    if shape is None:
        return None
    begin, end, counter, update = shape
    gen = _Gen(program, max_memory)
    k = gen.code[update].source.value
    try:
        gen.block(0, begin, 0)
        gen.pending += 1  # lpb
        gen.flush(0)
        outer_cells = gen.cells
        gen.cells = set()
        body_lines = len(gen.lines)
        gen.skip = update
        gen.block(begin + 1, end, 2)
        gen.pending += 1  # lpe
        gen.flush(2)
        body = gen.lines[body_lines:]
        del gen.lines[body_lines:]
        cells = sorted(gen.cells - {counter})
        gen.cells |= outer_cells | {counter}
        state = "(" + "".join(f"c{c}," for c in cells) + ")"
        emit = gen.emit
        emit(0, f"key = {state}")
        emit(0, f"cnt = c{counter}")
        emit(0, f"if not NLIM < cnt - {k}: raise Fallback()")
        if gen.code[update].op == "sub":
            emit(0, f"m = cnt // {k} if cnt >= 0 else 0")
            final = f"cnt % {k} if cnt >= 0 else cnt"
        else:
            emit(0, f"m = -(-cnt // {k}) if cnt > 0 else 0")
            final = "0 if cnt > 0 else cnt"
        emit(0, "if st[0] != key or m < st[1] - 1:")
        emit(1, "st[0] = key; st[1] = 0; st[2] = key; st[3] = 0; st[5] += 1")
        emit(0, "j = st[1]")
        emit(0, "if j <= m:")
        emit(1, "base = steps")
        # below the limit here, every limit or error met from now on is the plain code's, at the same step
        emit(1, "if base + st[3] > ctx.limits.max_steps: raise Fallback()")
        emit(1, f"{state} = st[2]")
        emit(1, "steps = base + st[3]")
        emit(1, "while True:")
        emit(2, f"prev = {state}")
        gen.lines.extend(body)
        emit(2, "j += 1")
        emit(2, "if steps > chk: chk = tick(steps)")
        emit(2, "if j > m: break")
        emit(1, f"st[1] = j; st[2] = {state}; st[3] = steps - base; st[4] = prev")
        emit(1, f"{state} = prev")
        emit(0, "else:")
        emit(1, "steps += st[3]")
        emit(1, f"{state} = st[4]")
        emit(0, f"c{counter} = {final}")
        gen.block(end + 1, len(gen.code), 0)
    except _Unsupported:
        return None
    return _function_source("run_inc(n, ctx, st)", gen.cells, "\n".join(gen.lines))


def new_state() -> list:
    """Fresh progress record for `run_inc` (one per range of terms)."""
    return [None, 0, None, 0, None, 0]


def compile_incremental(program: Program, max_memory: int = DEFAULT.max_memory) -> Callable | None:
    """A compiled `run_inc(n, ctx, st)`, or None when the program has no incremental loop."""
    return _load(generate_incremental_source(program, max_memory), _INCREMENTAL_HELPERS, "<loda-inc>",
                 "run_inc")


def _index(v: int) -> int:
    """An indirect cell index, checked as the interpreter's read does."""
    i = _as_int(v)
    if i < 0:
        _raise_index(f"memory access with negative index: {i}")
    return i


def _raise_cell(index: int) -> None:
    raise MemoryLimitError(f"maximum memory exceeded: cell {index}")


def _no_address() -> None:
    raise InvalidAccessError("cannot get the address of a constant")


_DICT_HELPERS = {
    **_HELPERS, "ix": _index, "raise_cell": _raise_cell, "no_address": _no_address,
    "M_as_int": as_int, "check_length": check_length, "check_size": check_size, "fragment": fragment,
    "M_is_less": mem_is_less, "clear": clear, "fill": fill, "rotate_left": rotate_left,
    "rotate_right": rotate_right,
}


class _DictGen(_Source):
    """Code for what `_Gen` cannot compile (indirect operands, variable ranges, far cells).

    Memory is a dict as in the interpreter, and every operation does exactly what
    `interpreter.run` does, in the same order, minus the dispatch.
    """

    def get(self, operand: Operand) -> str:
        if operand.kind == CONSTANT:
            return repr(operand.value)
        if operand.kind == DIRECT:
            return f"g({operand.value}, 0)"
        return f"g(ix(g({operand.value}, 0)), 0)"

    def address(self, operand: Operand, depth: int) -> str:
        if operand.kind == CONSTANT:
            self.emit(depth, "no_address()")
            return "0"
        if operand.kind == DIRECT:
            return repr(operand.value)
        return f"M_as_int(g({operand.value}, 0))"

    def generate(self) -> str:
        depth = 0
        mm = self.max_memory
        size_check = f"if len(m) > {mm - CACHE_CELLS}: check_size(m, {mm})" if mm >= 0 else "pass"
        heads: list[Operation] = []
        for position, op in enumerate(self.code):
            if not position & 255:
                clock.check()
            name, emit = op.op, self.emit
            self.pending += 1
            if name == "lpb":
                if depth >= MAX_DEPTH:
                    raise _Unsupported("deep nesting")
                self.flush(depth)
                d = depth
                if self.frags:
                    emit(d, f"L{d} = M_as_int({self.get(op.source)})")
                    emit(d, f"A{d} = {self.address(op.target, d)}")
                    emit(d, f"check_length(L{d}, {mm})")
                    emit(d, f"o{d} = fragment(m, A{d}, L{d})")
                else:
                    emit(d, f"o{d} = {self.get(op.target)}")
                emit(d, f"s{d} = dict(m)")
                emit(d, "while True:")
                heads.append(op)
                depth += 1
                continue
            if name == "lpe":
                depth -= 1
                d = depth
                head = heads.pop()
                self.flush(d + 1)
                emit(d + 1, "if steps > chk: chk = tick(steps)")
                if self.frags:
                    emit(d + 1, f"n_ = min(L{d}, M_as_int({self.get(head.source)}))")
                    emit(d + 1, f"f_ = fragment(m, {self.address(head.target, d + 1)}, n_)")
                    test = f"M_is_less(f_, o{d}, n_)"
                    advance = f"o{d}, L{d} = f_, n_"
                else:
                    emit(d + 1, f"n_ = {self.get(head.target)}")
                    test = f"-1 < n_ < o{d}"
                    advance = f"o{d} = n_"
                emit(d + 1, f"if not ({test}):")
                emit(d + 2, f"m = s{d}; g = m.get")
                emit(d + 2, "break")
                emit(d + 1, f"{advance}; s{d} = dict(m)")
                continue
            if name in ("nop", "dbg"):
                continue
            if name == "seq":
                self.flush(depth)
                target = self._target(op.target, depth)
                emit(depth, f"v_, s_ = seq(M_as_int({self.get(op.source)}), {target[1]})")
                emit(depth, "steps += s_")
                self._store(target[0], depth)
                emit(depth, size_check)
                continue
            if name == "prg":
                self.flush(depth)
                emit(depth, f"steps += ctx.call_prg(M_as_int({self.get(op.source)}), "
                            f"{self.address(op.target, depth)}, m)")
                emit(depth, size_check)
                continue
            if name in ("clr", "fil", "rol", "ror"):
                emit(depth, f"l_ = M_as_int({self.get(op.source)})")
                emit(depth, f"a_ = {self.address(op.target, depth)}")
                if name == "clr":
                    emit(depth, "clear(m, a_, l_)")
                else:
                    emit(depth, f"check_length(l_, {mm})")
                    if name == "fil":
                        emit(depth, f"fill(m, a_, l_, {mm})")
                    else:
                        emit(depth, f"rotate_{'left' if name == 'rol' else 'right'}(m, a_, l_)")
                emit(depth, size_check)
                continue
            index, current = self._target(op.target, depth)
            source = self.get(op.source)
            emit(depth, f"v_ = {source}" if name == "mov" else f"v_ = f_{name}({current}, {source})")
            self._store(index, depth)
            emit(depth, size_check)
        self.flush(depth)
        return "\n".join(self.lines)

    def _target(self, operand: Operand, depth: int) -> tuple[str, str]:
        """(index expression, current value expression) of a target, reading it as the interpreter does."""
        if operand.kind == DIRECT:
            return repr(operand.value), f"g({operand.value}, 0)"
        if operand.kind == INDIRECT:
            self.emit(depth, f"i_ = ix(g({operand.value}, 0))")
            return "i_", "g(i_, 0)"
        self.emit(depth, "no_address()")
        return "0", "0"

    def _store(self, index: str, depth: int) -> None:
        mm = self.max_memory
        if mm < 0:
            pass
        elif index == "i_":
            self.emit(depth, f"if i_ > {mm}: raise_cell(i_)")
        elif mm >= 0 and int(index) > mm:
            self.emit(depth, f"raise_cell({index})")
            return
        self.emit(depth, f"m[{index}] = v_")


def generate_dict_source(program: Program, max_memory: int = DEFAULT.max_memory) -> str | None:
    """The Python source of `run(n, ctx)` on a dict memory, or None if loops nest too deep for Python."""
    if len(program.ops) > MAX_OPERATIONS:
        return None
    gen = _DictGen(program, max_memory)
    try:
        body = gen.generate()
    except _Unsupported:
        return None
    head = ["def run(n, ctx):",
            "    seq = ctx.call_seq; tick = ctx.tick; chk = ctx.first_check",
            "    steps = 0",
            "    m = {0: n}; g = m.get"]
    return "\n".join(head) + "\n" + body + "\n    return g(0, 0), steps\n"


def compile_dict_run(program: Program, max_memory: int = DEFAULT.max_memory) -> Callable | None:
    """A compiled `run(n, ctx)` on a dict memory, or None when the program needs the interpreter."""
    return _load(generate_dict_source(program, max_memory), _DICT_HELPERS, "<loda-dict>", "run")
