"""Recurrence pairs: random linear recurrences and rational generating functions, written as OEIS
names (`a(n) = 14*a(n-1) - 47*a(n-2) with a(0) = 1, a(1) = 15.`, `Expansion of (1+x^2)/(1-x^4+x^5).`)
and compiled to one loop over a window of terms.

OEIS has thousands of such names, each with its own coefficients, so the corpus teaches no general way
to read them; these pairs do, in unlimited supply. Every program's terms come from `miner.lang` and
must equal the series computed here by plain arithmetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from miner.lang import EvalError, Limits, evaluate
from miner.lang.compact import to_target
from miner.lang.program import Program
from miner.search.linalg import poly_mul
from miner.search.recurrence import Recurrence, recurrence_program
from training.pairs import Pair, abstract, make_source

LIMITS = Limits(max_steps=100_000, max_memory=100, max_seconds=0.5)
MAX_TERM = 10**40
MAX_ORDER = 8
# Longer targets would not fit the model's target length (tokens, a few more than words).
MAX_TARGET_WORDS = 100


@dataclass(frozen=True)
class LinearSequence:
    """a(n) = sum_i coeffs[i-1] * a(n-i) for n >= len(coeffs), from `initial`; the sequence starts at
    index `offset`."""

    coeffs: tuple[int, ...]
    initial: tuple[int, ...]
    offset: int = 0

    def terms(self, count: int) -> list[int]:
        """The first `count` terms by plain arithmetic."""
        out = list(self.initial[:count])
        while len(out) < count:
            out.append(sum(c * out[-i] for i, c in enumerate(self.coeffs, start=1)))
        return out


# --- the program --------------------------------------------------------------------------------------

def program_of(s: LinearSequence) -> Program:
    """The miner's recurrence loop in its named form (`as_named`): every constant of the program is one
    a name writes."""
    return recurrence_program(Recurrence(s.coeffs, 1, s.initial), s.offset, as_named=True)


# --- the name -----------------------------------------------------------------------------------------

def _term(c: int, power: str, first: bool, rng: random.Random) -> str:
    sign = "-" if c < 0 else ("" if first else "+")
    size = abs(c)
    if not power:
        body = str(size)
    elif size == 1:
        body = power
    else:
        body = f"{size}*{power}" if rng.random() < 0.7 else f"{size}{power}"
    spaced = not first and rng.random() < 0.5
    return f" {sign} {body}" if spaced else f"{sign}{body}"


def poly_text(coeffs: list[int], rng: random.Random, var: str = "x") -> str:
    """A polynomial (lowest degree first) as names write it: `1 - x - 3*x^2`."""
    parts: list[str] = []
    for k, c in enumerate(coeffs):
        if c:
            power = "" if k == 0 else (var if k == 1 else f"{var}^{k}")
            parts.append(_term(c, power, not parts, rng))
    return "".join(parts) or "0"


def recurrence_name(s: LinearSequence, rng: random.Random) -> str:
    """`a(n) = 14*a(n-1) - 47*a(n-2), with a(0) = 1, a(1) = 15.` in one of the spellings OEIS uses."""
    parts: list[str] = []
    for i, c in enumerate(s.coeffs, start=1):
        if c:
            parts.append(_term(c, f"a(n-{i})", not parts, rng))
    d, o = len(s.coeffs), s.offset
    rule = f"a(n) = {''.join(parts)}"
    sep = ", " if rng.random() < 0.5 else ","
    inits = sep.join(f"a({o + k}) = {v}" if rng.random() < 0.6 else f"a({o + k})={v}"
                     for k, v in enumerate(s.initial))
    if rng.random() < 0.5:
        rule += rng.choice((f" for n > {o + d - 1}", f", n >= {o + d}", f" for n >= {o + d}", ""))
    joint = rng.choice(("; ", ", with ", " with ", ". "))
    text = f"{rule}{joint}{inits}" if rng.random() < 0.8 else f"{inits}; {rule}"
    return text + ("." if rng.random() < 0.6 else "")


def _factor_text(f: list[int], power: int, rng: random.Random) -> str:
    text = f"({poly_text(f, rng)})"
    return text if power == 1 else f"{text}^{power}"


def gf_name(numerator: list[int], factors: list[tuple[list[int], int]], rng: random.Random) -> str:
    """`Expansion of (1+x^2)/(1-x^4+x^5).` or `G.f.: x/((1-x)^2*(1-x^3)).`"""
    top = poly_text(numerator, rng)
    if len(factors) == 1 and factors[0][1] == 1:
        bottom = f"({poly_text(factors[0][0], rng)})"
    else:
        joiner = rng.choice(("*", "", " * "))
        bottom = joiner.join(_factor_text(f, p, rng) for f, p in factors)
        if len(factors) > 1 or rng.random() < 0.5:
            bottom = f"({bottom})"
    if sum(1 for c in numerator if c) > 1:
        top = f"({top})"
    head = rng.choice(("Expansion of ", "Expansion of ", "G.f.: ", "G.f. ", "Generating function: "))
    return f"{head}{top}/{bottom}" + ("." if rng.random() < 0.6 else "")


# --- random instances ---------------------------------------------------------------------------------

def _random_denominator(rng: random.Random) -> tuple[list[int], list[tuple[list[int], int]]]:
    """Q with Q(0) = 1 and its factors as the name writes them."""
    if rng.random() < 0.5:
        d = rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6, 7))
        q = [1] + [rng.choice((0, 0, 1, -1, -1, -2, 2, -3, 3, -4, 4, -5, 6, -7, 10)) for _ in range(d)]
        if q[-1] == 0:
            q[-1] = rng.choice((1, -1, -2, 3))
        return q, [(q, 1)]
    factors: list[tuple[list[int], int]] = []
    for _ in range(rng.choice((1, 2, 2, 3))):
        k = rng.choice((1, 1, 2, 3, 4, 5, 6))
        c = rng.choice((1, 1, 1, 2, 3, -1, 4))
        factors.append(([1] + [0] * (k - 1) + [-c], rng.choice((1, 1, 1, 2, 3))))
    q = [1]
    for f, p in factors:
        for _ in range(p):
            q = poly_mul(q, f)
    return q, factors


def random_instance(rng: random.Random) -> tuple[LinearSequence, str] | None:
    """A random linear sequence with its name, or None when the draw is too large for one window."""
    if rng.random() < 0.4:
        d = rng.choice((1, 2, 2, 2, 3, 3, 4))
        coeffs = [rng.choice((0, 1, 1, 2, 3, -1, -2, 4, 5, 6, -3, 7, 8, 10, -4, 12))
                  for _ in range(d)]
        if not coeffs[-1]:
            coeffs[-1] = rng.choice((1, 2, -1, 3))
        initial = [rng.choice((0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 9, 10, 15, 20)) for _ in range(d)]
        s = LinearSequence(tuple(coeffs), tuple(initial), rng.choice((0, 0, 1)))
        return s, recurrence_name(s, rng)
    q, factors = _random_denominator(rng)
    d = len(q) - 1
    if not 1 <= d <= MAX_ORDER:
        return None
    shift = rng.choice((0, 0, 0, 1, 1, 2))
    p = [0] * shift + [rng.choice((1, 1, 1, 2, -1, 3)) if k == 0 else rng.choice((0, 0, 0, 1, -1, 2, -2, 3))
                       for k in range(rng.randint(1, max(1, d - shift)))]
    if len(p) > d:
        return None
    q_coeffs = tuple(-c for c in q[1:])
    # The series of p/q: its first d coefficients start the recurrence that q gives.
    series: list[int] = []
    for n in range(d):
        series.append((p[n] if n < len(p) else 0) + sum(q_coeffs[i - 1] * series[n - i] for i in range(1, n + 1)))
    # A name with x^s in its numerator often starts at index s, dropping the zeros.
    offset = shift if shift and rng.random() < 0.5 else 0
    start = LinearSequence(q_coeffs, tuple(series)).terms(d + offset)[offset:]
    return LinearSequence(q_coeffs, tuple(start), offset), gf_name(p, factors, rng)


def recurrence_pairs(count: int, *, num_terms: int = 16, seed: int = 0, attempts_per_pair: int = 4) -> list[Pair]:
    """Up to `count` pairs (name and terms -> program) of random linear recurrences and rational g.f.s."""
    rng = random.Random(seed)
    out: list[Pair] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(count * attempts_per_pair):
        if len(out) >= count:
            break
        drawn = random_instance(rng)
        if drawn is None:
            continue
        s, name = drawn
        program = program_of(s)
        target = to_target(program)
        expected = s.terms(num_terms)
        if (len(set(expected)) < 3 or max(abs(t) for t in expected) > MAX_TERM or (target, name) in seen
                or len(target.split()) > MAX_TARGET_WORDS):
            continue
        try:
            terms = evaluate(program, num_terms, None, LIMITS)
        except EvalError:
            continue
        if terms != expected:
            raise RuntimeError(f"recurrence program disagrees with its series: {name}")
        seen.add((target, name))
        source = make_source(name, terms, offset=s.offset, num_terms=num_terms)
        out.append(Pair(0, source, abstract(target, source), len(program.code()), "recurrence"))
    return out
