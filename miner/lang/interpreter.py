"""The general LODA interpreter: a dict memory and one dispatch per operation.

The compiler (`miner.lang.compiler`) handles almost all programs much faster; this runs what it
cannot compile (loops nested too deep for Python) and is the plain reading of the reference
semantics that the compiled code is tested against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from miner.lang import memory as M
from miner.lang.errors import InvalidAccessError, MemoryLimitError, NumberTooLargeError, StepLimitError
from miner.lang.program import CONSTANT, DIRECT, Program
from miner.lang.semantics import FUNCTIONS, LIMIT, NEG_LIMIT

if TYPE_CHECKING:
    from miner.lang.evaluator import Context

MAX_LOOP_DEPTH = 100  # loda-cpp's "Maximum stack size exceeded"
TICK = 20000  # steps between time checks


def decode(program: Program) -> tuple[list[tuple], bool]:
    """Executable operations as tuples (name, tkind, tval, skind, sval, partner pc); needs_frags flag."""
    code = program.code()
    ops: list[list] = []  # lists while the loop partners are filled in, tuples once done
    stack: list[int] = []
    for pc, op in enumerate(code):
        ops.append([op.op, op.target.kind, op.target.value, op.source.kind, op.source.value, -1])
        if op.op == "lpb":
            stack.append(pc)
        elif op.op == "lpe":
            start = stack.pop()
            ops[start][5] = pc
            ops[pc][5] = start
    needs_frags = any(op.op == "lpb" and not (op.source.kind == CONSTANT and op.source.value == 1) for op in code)
    return [tuple(o) for o in ops], needs_frags


def run(decoded: tuple[list[tuple], bool], mem: dict[int, int], ctx: "Context") -> int:
    """Run a decoded program on `mem` in place; returns the steps taken."""
    ops, needs_frags = decoded
    max_memory = ctx.limits.max_memory
    max_steps = ctx.limits.max_steps
    functions = FUNCTIONS
    as_int = M.as_int
    steps = 0
    next_tick = min(TICK, max_steps)
    loops: list[list] = []  # [lpb pc, saved memory, counter or fragment, fragment length]
    n_ops = len(ops)
    pc = 0

    def get(kind: int, value: int) -> int:
        if kind == CONSTANT:
            return value
        if kind == DIRECT:
            return mem.get(value, 0)
        i = as_int(mem.get(value, 0))
        if i < 0:
            M.negative_index(i)
        return mem.get(i, 0)

    def address(kind: int, value: int) -> int:
        if kind == CONSTANT:
            raise InvalidAccessError("cannot get the address of a constant")
        if kind == DIRECT:
            return value
        return as_int(mem.get(value, 0))

    while pc < n_ops:
        name, tk, tv, sk, sv, partner = ops[pc]
        pc += 1
        if name == "lpb":
            if len(loops) >= MAX_LOOP_DEPTH:
                raise InvalidAccessError(f"maximum loop nesting exceeded: {len(loops)}")
            if needs_frags:
                length = as_int(get(sk, sv))
                start = address(tk, tv)
                M.check_length(length, max_memory)
                loops.append([pc - 1, dict(mem), M.fragment(mem, start, length), length])
            else:
                loops.append([pc - 1, dict(mem), get(tk, tv), 0])
        elif name == "lpe":
            top = loops[-1]
            if needs_frags:
                start = address(ops[top[0]][1], ops[top[0]][2])
                length = min(top[3], as_int(get(ops[top[0]][3], ops[top[0]][4])))
                frag = M.fragment(mem, start, length)
                again = M.is_less(frag, top[2], length)
                if again:
                    top[2], top[3] = frag, length
            else:
                counter = get(ops[top[0]][1], ops[top[0]][2])
                again = -1 < counter < top[2]
                if again:
                    top[2] = counter
            if again:
                pc = top[0] + 1
                top[1] = dict(mem)
            else:
                mem.clear()
                mem.update(top[1])
                loops.pop()
        elif name == "seq":
            arg = get(tk, tv)
            value, sub_steps = ctx.call_seq(as_int(get(sk, sv)), arg)
            steps += sub_steps
            _set(mem, tk, tv, value, max_memory)
        elif name == "prg":
            start = address(tk, tv)
            steps += ctx.call_prg(as_int(get(sk, sv)), start, mem)
        elif name in ("clr", "fil", "rol", "ror"):
            length = as_int(get(sk, sv))
            start = address(tk, tv)
            if name == "clr":
                M.clear(mem, start, length)
            else:
                M.check_length(length, max_memory)
                if name == "fil":
                    M.fill(mem, start, length, max_memory)
                elif name == "rol":
                    M.rotate_left(mem, start, length)
                else:
                    M.rotate_right(mem, start, length)
        elif name == "nop" or name == "dbg":
            pass
        else:
            a = get(tk, tv)
            b = get(sk, sv)
            _set(mem, tk, tv, functions[name](a, b), max_memory)
        steps += 1
        if steps >= next_tick:
            if steps > max_steps:
                raise StepLimitError(f"exceeded the maximum of {max_steps} steps", steps)
            ctx.check_time()
            next_tick = min(steps + TICK, max_steps + 1)
        if len(mem) > max_memory - M.CACHE_CELLS:
            M.check_size(mem, max_memory)
    return steps


def _set(mem: dict[int, int], kind: int, value: int, v: int, max_memory: int) -> None:
    if kind == DIRECT:
        index = value
    else:
        index = M.as_int(mem.get(value, 0))
    if max_memory >= 0 and index > max_memory:
        raise MemoryLimitError(f"maximum memory exceeded: cell {index}")
    if index < 0:
        M.negative_index(index)
    if not NEG_LIMIT < v < LIMIT:
        raise NumberTooLargeError(f"number too large in cell ${index}")
    mem[index] = v
