"""Compositions of two transforms of the known sequences, looked up among the lacking ones: the bisection
of a binomial transform, the self-convolution of an alternating partial sum, the divisor sums of n*b(n)...

OEIS states many sequences this way ("Bisection of the binomial transform of A000108", "Inverse Moebius
transform of A000290(n+1)"). Each of the 25 transforms of `transforms` applied to each one's values:
about 600 compositions, swept like the single transforms (residues, the index's keys, exact values only for
the matching rows). A whole sweep costs some ten times the single one, so the loop runs it after the first
pass, one slice (every transform of one inner transform) per batch; the program is the outer formula with
each B(i) replaced by the inner formula at its n.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from miner.search.formula import FormulaError, closing
from miner.search.transforms import TRANSFORMS, Transform, propose_among
from miner.search.types import Candidate, SearchContext, Target

# Bound variables of a transform's formula and what they become inside another's (the parser refuses a
# summation variable already in scope).
_RENAMED = {"k": "j", "d": "i"}


def _argument(text: str, start: int) -> int:
    """The index just past the parenthesis that closes the one opened at text[start - 1]."""
    end = closing(text, start - 1)
    if end < 0:
        raise FormulaError(f"unbalanced parentheses in {text!r}")
    return end + 1


def _composed_formula(outer: Transform, inner: Transform) -> str:
    """outer's formula with each B(i) replaced by inner's formula at n = inner.first + i."""
    body = re.sub(r"\b([kd])\b", lambda m: _RENAMED[m.group(1)], inner.formula)
    out, at = [], 0
    while (start := outer.formula.find("B(", at)) >= 0:
        end = _argument(outer.formula, start + 2)
        index = outer.formula[start + 2:end - 1] + (f"+{inner.first}" if inner.first else "")
        out += [outer.formula[at:start], "(", re.sub(r"\bn\b", f"({index})", body), ")"]
        at = end
    return "".join(out + [outer.formula[at:]])


def compose(outer: Transform, inner: Transform) -> Transform:
    """outer(inner(b)), reading inner's width of b's terms (inner's values never exceed outer's width)."""
    return Transform(f"{outer.name} of the {inner.name}", _composed_formula(outer, inner),
                     lambda np, x, reduce: outer.apply(np, inner.apply(np, x, reduce), reduce), outer.first,
                     lambda m: outer.determined(inner.determined(m)), inner.width, parts=(outer, inner))


def _redundant(outer: Transform, inner: Transform) -> bool:
    """Pairs that give b itself or one of TRANSFORMS: Möbius and divisor sums, binomial and inverse binomial
    transforms undo each other; a section of a section with steps multiplying to 4 or less is one."""
    undo = {"divisor sums": "Moebius transform", "binomial transform": "inverse binomial transform"}
    if undo.get(outer.name) == inner.name or undo.get(inner.name) == outer.name:
        return True
    return outer.step * inner.step <= 4 and outer.step > 1 and inner.step > 1


# Each transform of each transform: a sweep after the first pass, in slices of one inner transform.
COMPOSITIONS: tuple[tuple[Transform, ...], ...] = tuple(
    tuple(compose(outer, inner) for outer in TRANSFORMS if not _redundant(outer, inner)) for inner in TRANSFORMS)

EVERY: tuple[Transform, ...] = tuple(t for part in COMPOSITIONS for t in part)


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The compositions of the context's known sequences that match one sequence (the mining loop sweeps
    every lacking sequence at once, a slice per batch: `miner.mine.loop.run_sweep`)."""
    yield from propose_among(target, ctx, budget, EVERY, "compositions")
