"""Combinations of two known sequences: a(n) = b(n) + r*c(n) + s and a(n) = b(n) * (r*c(n) + s), with
b and c any sequences that have programs, r and s rational.

OEIS is full of sums, differences and products of other sequences ("Difference between A294898 and its
Möbius transform", "partitions with greatest part 10" = p(n, parts <= 10) - p(n, parts <= 9), "n times
the number of divisors of n") that no single matcher sees. For a target t, t - b (and t / b where b
divides t) is formed for every known b at once (a numpy matrix of their first terms), brought to the
matchers' a*x+b normal form (`miner.search.matchers.affine_key`) and looked up among the known
sequences' normal forms: one pass over the matrix per target, not one per pair. Each
sequence enters twice, from its first and from its second term, so a target of offset 1 meets sequences
of offset 0 at its own n, and b and c may be one step apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Sequence

from miner.lang.anumber import format_a_number, mentioned_a_numbers
from miner.lang.program import Operation, Program
from miner.search.build import add_const, largest_cell, line, uses_indirect
from miner.search.linalg import affine_relation
from miner.search.types import Candidate, SearchContext, Target

# Leading terms compared (`[search] combine_key_length`); sequences with fewer are left out.
KEY_LENGTH = 20
# Term size bound: t - b stays exact in 64 bits.
LIMIT = 1 << 50
# Shifts of each sequence in the matrix: b(n) and b(n+1) against t(n).
SHIFTS = (0, 1)
# Pairs whose normal forms collide that are looked at per target (0/1 sequences collide often).
MAX_PAIRS = 400
# A first, cheap look keys on this many leading terms: a bitmap of the rows' short normal forms (2^BITS
# bits) lets only the few rows that could match pay for the full normal form and the sorted lookup.
PREFIX, BITS = 8, 22
# Where a context keeps the matrix (dropped with the context's `known` sequences).
CACHE_KEY = "_combine_matrix"


@dataclass
class Matrix:
    """The known sequences' leading terms, one row per (sequence, shift), with their normal forms'
    hashes sorted for lookup."""

    rows: Any  # int64 [rows, length]: terms shift..shift+length-1
    keys: Any  # int64 [rows, length]: a*x+b normal forms of the rows
    a_numbers: list[int]
    shifts: list[int]
    hashes: Any  # uint64 [rows], sorted
    order: Any  # row of each sorted hash
    constant: Any  # bool [rows]: the row is one value repeated
    length: int
    prefix: Any = None  # bool [2^BITS]: the rows' PREFIX-term normal forms' hashes, masked

    def __len__(self) -> int:
        return len(self.a_numbers)


def _normalise(np: Any, m: Any) -> tuple[Any, Any]:
    """Row-wise `affine_key` normal form (minus the first term, over the gcd, first nonzero positive)
    and whether the row is not constant."""
    d = m - m[:, :1]
    g = np.gcd.reduce(d, axis=1)
    varying = g != 0
    g[~varying] = 1
    d //= g[:, None]
    first = np.argmax(d != 0, axis=1)
    sign = np.sign(d[np.arange(len(d)), first])
    sign[sign == 0] = 1
    return d * sign[:, None], varying


@lru_cache(maxsize=8)
def _weights(length: int) -> tuple[int, ...]:
    return tuple(pow(1_000_003, i, 1 << 64) for i in range(length))


def row_hashes(np: Any, keys: Any) -> Any:
    """A 64-bit hash of each row of nonnegative int64 keys (shared with `transforms`' residue keys)."""
    weights = np.array(_weights(keys.shape[1]), dtype=np.uint64)
    return (keys.astype(np.uint64) * weights[None, :]).sum(axis=1)  # wraps mod 2^64, as meant


def build_matrix(known: Mapping[int, Target], length: int = KEY_LENGTH) -> Matrix:
    """The matrix of the known sequences whose first `length` + 1 terms are below `LIMIT`."""
    import numpy as np

    rows, a_numbers, shifts = [], [], []
    for a, seq in known.items():
        terms = seq.terms
        for shift in SHIFTS:
            window = terms[shift:shift + length]
            if len(window) == length and all(-LIMIT < v < LIMIT for v in window):
                rows.append(window)
                a_numbers.append(a)
                shifts.append(shift)
    m = np.array(rows, dtype=np.int64).reshape(len(rows), length)
    keys, varying = _normalise(np, m)
    hashes = row_hashes(np, keys)
    hashes[~varying] = 0  # constant rows match nothing
    order = np.argsort(hashes, kind="stable")
    prefix = np.zeros(1 << BITS, dtype=bool)
    prefix[_prefix_hash(np, m)] = True
    return Matrix(m, keys, a_numbers, shifts, hashes[order], order, ~varying, length, prefix)


def _prefix_hash(np: Any, m: Any) -> Any:
    """Masked hashes of the rows' PREFIX-term normal forms (all zeros, hash 0, for a constant prefix)."""
    return (row_hashes(np, _normalise(np, m[:, :PREFIX])[0]) & np.uint64((1 << BITS) - 1)).astype(np.int64)


def matrix_for(ctx: SearchContext) -> Matrix:
    """The context's matrix of its known sequences, built on first use."""
    cached = ctx.settings.get(CACHE_KEY)
    if cached is None or cached[0] is not ctx.known:
        length = int(ctx.settings.get("combine_key_length", KEY_LENGTH))
        cached = (ctx.known, build_matrix(ctx.known, length))
        ctx.settings[CACHE_KEY] = cached
    return cached[1]


@dataclass(frozen=True)
class Combination:
    """t(n) = b(n + b_shift) + (num * c(n + c_shift) + add) / den on the target's known terms (`op` "-":
    that minus b(..); "*": b(..) times that); b = 0: no b term (a constant b is folded into `add`)."""

    b: int
    b_shift: int
    c: int
    c_shift: int
    num: int
    add: int
    den: int
    op: str = "+"


def _fit(t: Sequence[int], b: Sequence[int], c: Sequence[int], op: str = "+") -> Combination | None:
    """(num, add, den) with t - b (op "*": t / b) = (num*c + add)/den on every overlapping term, else None."""
    n = min(len(t), len(b), len(c))
    if op in "+-":
        sign = 1 if op == "+" else -1
        pairs = [(t[i] - sign * b[i], c[i]) for i in range(n)]
    elif any(b[i] == 0 and t[i] != 0 or b[i] and t[i] % b[i] for i in range(n)):
        return None
    else:  # where b is 0 (and so is t) the factor is free
        pairs = [(t[i] // b[i], c[i]) for i in range(n) if b[i]]
    relation = affine_relation(pairs)
    if relation is None:
        return None
    num, add, den = relation
    return Combination(0, 0, 0, 0, num, add, den, op)


def _lookup(np: Any, matrix: Matrix, diff: Any) -> Iterator[tuple[int, int]]:
    """(i, row) for each row i of `diff` whose a*x+b normal form is the matrix's `row`'s."""
    maybe = np.nonzero(matrix.prefix[_prefix_hash(np, diff)])[0]  # a row's prefix has the row's normal form
    keys, varying = _normalise(np, diff[maybe])
    hashes = row_hashes(np, keys)
    pos = np.searchsorted(matrix.hashes, hashes)
    pos[pos >= len(matrix)] = 0
    for k in np.nonzero((matrix.hashes[pos] == hashes) & varying)[0].tolist():
        i, j = int(maybe[k]), int(pos[k])
        while j < len(matrix) and matrix.hashes[j] == hashes[k]:
            row = int(matrix.order[j])
            j += 1
            if np.array_equal(matrix.keys[row], keys[k]):
                yield i, row


def _usable(terms: Sequence[int], length: int) -> bool:
    return len(terms) >= length and all(-LIMIT < v < LIMIT for v in terms[:length])


def rows_like(matrix: Matrix, values: Sequence[int]) -> list[tuple[int, int]]:
    """(A-number, shift) of the known sequences whose terms from `shift` on have the first
    `matrix.length` values' a*x+b normal form (the caller checks the exact relation)."""
    import numpy as np

    if not _usable(values, matrix.length):
        return []
    diff = np.array([list(values[:matrix.length])], dtype=np.int64)
    return [(matrix.a_numbers[row], matrix.shifts[row]) for _, row in _lookup(np, matrix, diff)]


def _ranked(found: Iterable[Combination], name: str) -> list[Combination]:
    """Best first: those whose name cites b or c, then r = ±1 with s = 0, then the smallest constants."""
    cited = mentioned_a_numbers(name)

    def rank(x: Combination) -> tuple[int, int, int, int]:
        named = (x.b in cited) + (x.c in cited)
        plain = abs(x.num) == 1 and x.den == 1 and x.add == 0
        return -named, not plain, abs(x.num) + x.den + abs(x.add), x.b + x.c

    return sorted(found, key=rank)


def combinations(target: Target, matrix: Matrix, known: Mapping[int, Target],
                 max_pairs: int = MAX_PAIRS, b_side: Matrix | None = None) -> list[Combination]:
    """Every (b, c) pair whose combination reproduces the target's leading terms and all the terms the
    three have in common, best first (`_ranked`). With `b_side` (new sequences) only pairs with b
    among its rows: any c, and b subtracted too (so those new ones are c's with r = ±1 as well)."""
    import numpy as np

    t = target.terms
    bm = matrix if b_side is None else b_side
    if len(matrix) == 0 or len(bm) == 0 or not _usable(t, matrix.length) or bm.length != matrix.length:
        return []
    row_t = np.array(t[:matrix.length], dtype=np.int64)[None, :]
    found: dict[tuple[str, int, int, int, int], Combination] = {}
    pairs = 0
    # Quotients only by a varying b that divides t term by term (a constant b is the sums' case); the
    # first three terms rule out most rows cheaply.
    rows = np.nonzero(~bm.constant & np.all(bm.rows[:, :3] != 0, axis=1))[0]
    rows = rows[np.all(row_t[:, :3] % bm.rows[rows, :3] == 0, axis=1)]
    rows = rows[np.all(bm.rows[rows] != 0, axis=1)]
    quotient_rows = rows[np.all(row_t % bm.rows[rows] == 0, axis=1)]
    quotients = row_t // bm.rows[quotient_rows]
    lookups = [(row_t - bm.rows, None, "+"), (quotients, quotient_rows, "*")]
    if b_side is not None:  # over the whole matrix, t + x ~ c is t - c ~ -x: found from the other side
        lookups.append((row_t + bm.rows, None, "-"))
    for diff, picked, op in lookups:
        for i, row in _lookup(np, matrix, diff):
            i = int(picked[i]) if picked is not None else i
            b, bs, c, cs = bm.a_numbers[i], bm.shifts[i], matrix.a_numbers[row], matrix.shifts[row]
            if op != "*" and bm.constant[i]:  # t = r*c + s: a constant b adds nothing but a call
                b, bs = 0, 0
            if b == c or c == target.a_number or (op, b, bs, c, cs) in found:
                continue
            pairs += 1
            if pairs > max_pairs:
                break
            fit = _fit(t, known[b].terms[bs:] if b else [0] * len(t), known[c].terms[cs:], op)
            if fit is not None:
                found[(op, b, bs, c, cs)] = Combination(b, bs, c, cs, fit.num, fit.add, fit.den, op)
    return _ranked(found.values(), target.name)


def completions(target: Target, values: Sequence[int], matrix: Matrix, known: Mapping[int, Target],
                max_pairs: int = MAX_PAIRS) -> list[Combination]:
    """The known sequences c with t = x + (num*c + add)/den, x a wrong candidate's evaluated terms `values`
    (b = 0 in the results: x takes its place), best first."""
    import numpy as np

    t = target.terms
    length = matrix.length
    if len(matrix) == 0 or not _usable(t, length) or not _usable(values, length):
        return []
    diff = np.array([t[i] - values[i] for i in range(length)], dtype=np.int64)[None, :]
    found: dict[tuple[int, int], Combination] = {}
    for _, row in _lookup(np, matrix, diff):
        c, cs = matrix.a_numbers[row], matrix.shifts[row]
        if c == target.a_number or (c, cs) in found:
            continue
        fit = _fit(t, values, known[c].terms[cs:])
        if fit is not None:
            found[(c, cs)] = Combination(0, 0, c, cs, fit.num, fit.add, fit.den)
        if len(found) >= max_pairs:
            break
    return _ranked(found.values(), target.name)


def _c_part(x: Combination, cell: int, target: Target, known: Mapping[int, Target]) -> list[Operation]:
    """Code leaving (num * c(n + c_shift) + add) / den in `cell`, `$0` = n untouched."""
    ops = [line("mov", cell, 0, direct=True)]
    ops += add_const(cell, known[x.c].offset + x.c_shift - target.offset)
    ops.append(line("seq", cell, x.c))
    if x.num != 1:
        ops.append(line("mul", cell, x.num))
    ops += add_const(cell, x.add)
    if x.den != 1:
        ops.append(line("div", cell, x.den))
    return ops


def program_for(x: Combination, target: Target, known: Mapping[int, Target]) -> Program:
    """`seq` calls of c and b at the target's n, c scaled and shifted, the two added (multiplied)."""
    ops = _c_part(x, 1, target, known)
    if x.b:
        ops += add_const(0, known[x.b].offset + x.b_shift - target.offset)
        ops.append(line("seq", 0, x.b))
        if x.op == "-":
            ops += [line("sub", 1, 0, direct=True), line("mov", 0, 1, direct=True)]
        else:
            ops.append(line("mul" if x.op == "*" else "add", 0, 1, direct=True))
    else:
        ops.append(line("mov", 0, 1, direct=True))
    return Program(ops=ops, directives={"offset": target.offset} if target.offset else {})


def completed(program: Program, x: Combination, target: Target, known: Mapping[int, Target]) -> Program | None:
    """A candidate (at the target's offset) plus (num*c + add)/den, in a cell it never touches; None when
    its cells are unknown (indirect operands)."""
    code = program.code()
    if uses_indirect(code):
        return None
    cell = largest_cell(code) + 1
    ops = _c_part(x, cell, target, known) + code + [line("add", 0, cell, direct=True)]
    return Program(ops=ops, directives=dict(program.directives))


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """Up to `budget` combinations of two known sequences that reproduce the target's leading terms."""
    if budget <= 0 or not ctx.known:
        return
    for x in combinations(target, matrix_for(ctx), ctx.known)[:budget]:
        b = f"{format_a_number(x.b)} {x.op} " if x.b else ""
        note = f"{b}({x.num}*{format_a_number(x.c)} + {x.add})/{x.den}"
        yield Candidate(program_for(x, target, ctx.known), "combine", note)

