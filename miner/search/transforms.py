"""Transforms of the known sequences looked up among the lacking ones: sections (b(2n), b(3n+1), b(4n+3)...),
binomial and inverse binomial transforms, self-convolutions and convolutions with 2^n, n and the Catalan
numbers, alternating partial sums, squares, products of neighbours, n*b(n), partial products, divisor sums,
Möbius transforms and Dirichlet convolutions with phi.

OEIS relates sequences this way all the time ("Bisection of A...", "Binomial transform of A...", "Expansion
of x*d/dx of ..."), and the corpus sweep sees only a known sequence as it is. Here each transform T is applied
to every known sequence b at once, on the terms' residues modulo a prime (one int64 matrix, so the size
of the terms costs nothing), and T(b) is looked up under the term index's own keys (a*x+b, differences,
shifts) in their residue form. Only the few rows whose residues match are computed exactly, by the same
transform on Python ints, and handed to `TermIndex.match`, which checks them on every overlapping term
and writes the program: the transform's formula, compiled by `formula`, around `seq` of b.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import comb, gcd
from typing import Any, Callable, Iterable, Iterator

from miner.lang.anumber import format_a_number
from miner.lang.program import Program
from miner.search.combine import row_hashes
from miner.search.corpus_sweep import PER_TARGET, Cap
from miner.search.formula import FormulaError, compile_formula, parse_formula
from miner.search.matchers import TermIndex
from miner.search.types import Candidate, SearchContext, Target

# The residues' prime: below 2^26, so a product of two is below 2^52 and a row of 64 such products
# summed stays within int64 (binomial transforms and convolutions sum them before reducing).
PRIME = 67_108_859
# Terms of a known sequence the transforms read on residues: sections more, as they keep a part of them.
WIDTH = 48
SECTION_WIDTH = 72
# Terms of a known sequence the exact transform of a matching row reads (more terms, a stronger check).
EXACT_WIDTH = 120
# Where both a target and T(b) have this many terms, their keys on this many must agree too.
LONGER = 20
# Known sequences transformed at once.
CHUNK = 16384

Reduce = Callable[[Any], Any]


@dataclass(frozen=True)
class Transform:
    """T(b) on a matrix of rows b(o), b(o+1), ... (`apply`, with `reduce` after each product) and as a
    formula in n of B(i) = b(o + i), n from `first` on."""

    name: str
    formula: str
    apply: Callable[[Any, Any, Reduce], Any]
    first: int = 0
    # how many values of T(b) b's first m terms determine
    determined: Callable[[int], int] = lambda m: m
    width: int = WIDTH  # terms of b read on residues
    step: int = 1  # a section's step (1 for the others)
    parts: tuple["Transform", ...] = ()  # (outer, inner) of a composition


def _column_index(np: Any, like: Any) -> Any:
    """0, 1, 2, ... as a row of the matrix's kind (Python ints for exact rows)."""
    width = like.shape[1]
    return np.array(list(range(width)), dtype=object) if like.dtype == object else np.arange(width, dtype=np.int64)


def _linear(entry: Callable[[int, int], int]) -> Callable[[Any, Any, Reduce], Any]:
    """T(b)(n) = sum over k of entry(n, k) * B(k): the rows times a matrix (its entries reduced for residues)."""
    matrices: dict[tuple[int, bool], Any] = {}

    def apply(np: Any, x: Any, reduce: Reduce) -> Any:
        width, exact = x.shape[1], x.dtype == object
        m = matrices.get((width, exact))
        if m is None:
            rows = [[entry(n, k) if exact else entry(n, k) % PRIME for k in range(width)] for n in range(width)]
            m = matrices[(width, exact)] = np.array(rows, dtype=object if exact else np.int64).T
        return reduce(x @ m)
    return apply


def _self_convolution(np: Any, x: Any, reduce: Reduce) -> Any:
    columns = [reduce((x[:, :n + 1] * x[:, n::-1]).sum(axis=1)) for n in range(x.shape[1])]
    return np.stack(columns, axis=1)


def _partial_products(np: Any, x: Any, reduce: Reduce) -> Any:
    out = x.copy()
    for j in range(1, x.shape[1]):
        out[:, j] = reduce(out[:, j - 1] * x[:, j])
    return out


@lru_cache(maxsize=1)
def _mobius(limit: int = 2 * EXACT_WIDTH) -> tuple[int, ...]:
    """mu(0..limit) by a sieve (mu(0) unused)."""
    mu = [1] * (limit + 1)
    for p in range(2, limit + 1):
        if all(p % q for q in range(2, int(p ** 0.5) + 1)):
            for m in range(p, limit + 1, p):
                mu[m] = 0 if (m // p) % p == 0 else -mu[m]
    return tuple(mu)


def _totient(n: int) -> int:
    return sum(1 for k in range(1, n + 1) if gcd(n, k) == 1)


def _divisor_sum(weight: Callable[[int, int], int]) -> Callable[[int, int], int]:
    """The entry of value i (n = i + 1) for B(j) (d = j + 1): weight(n, d) where d divides n."""
    return lambda i, j: weight(i + 1, j + 1) if (i + 1) % (j + 1) == 0 else 0


def _section(step: int, start: int) -> Transform:
    names = {(2, 0): "bisection", (2, 1): "odd bisection", (3, 0): "trisection"}
    return Transform(names.get((step, start), f"section {step}n+{start}"), f"B({step}*n+{start})".replace("+0)", ")"),
                     lambda np, x, r: x[:, start::step], determined=lambda m: max(0, (m - start + step - 1) // step),
                     width=SECTION_WIDTH, step=step)


TRANSFORMS: tuple[Transform, ...] = (
    _section(2, 0), _section(2, 1), _section(3, 0), _section(3, 1), _section(3, 2),
    Transform("square", "B(n)^2", lambda np, x, r: r(x * x)),
    Transform("product of neighbours", "B(n)*B(n+1)", lambda np, x, r: r(x[:, :-1] * x[:, 1:]),
              determined=lambda m: max(0, m - 1)),
    Transform("n times", "n*B(n)", lambda np, x, r: r(x * _column_index(np, x))),
    Transform("binomial transform", "Sum_{k=0..n} binomial(n,k)*B(k)", _linear(lambda n, k: comb(n, k))),
    Transform("inverse binomial transform", "Sum_{k=0..n} (-1)^(n-k)*binomial(n,k)*B(k)",
              _linear(lambda n, k: (-1) ** ((n - k) % 2) * comb(n, k))),
    Transform("self-convolution", "Sum_{k=0..n} B(k)*B(n-k)", _self_convolution),
    Transform("partial products", "Product_{k=0..n} B(k)", _partial_products),
    Transform("divisor sums", "Sum_{d|n} B(d-1)", _linear(_divisor_sum(lambda n, d: 1)), first=1),
    Transform("Moebius transform", "Sum_{d|n} mu(n/d)*B(d-1)",
              _linear(_divisor_sum(lambda n, d: _mobius()[n // d])), first=1),
    # a(n) = b(n) - a(n-1), 2*a(n-1) + b(n), and partial sums taken twice (the index takes them once)
    Transform("alternating partial sums", "Sum_{k=0..n} (-1)^(n-k)*B(k)", _linear(lambda n, k: (-1) ** ((n - k) % 2) * (k <= n))),
    Transform("convolution with 2^n", "Sum_{k=0..n} 2^(n-k)*B(k)", _linear(lambda n, k: 2 ** (n - k) if k <= n else 0)),
    Transform("convolution with n", "Sum_{k=0..n} (n-k)*B(k)", _linear(lambda n, k: max(n - k, 0))),
    Transform("convolution with the Catalan numbers", "Sum_{k=0..n} binomial(2*(n-k),n-k)/(n-k+1)*B(k)",
              _linear(lambda n, k: comb(2 * (n - k), n - k) // (n - k + 1) if k <= n else 0)),
    Transform("(n+1) times", "(n+1)*B(n)", lambda np, x, r: r(x * (_column_index(np, x) + 1))),
    Transform("binomial transform with 2^(n-k)", "Sum_{k=0..n} binomial(n,k)*2^(n-k)*B(k)",
              _linear(lambda n, k: comb(n, k) * 2 ** (n - k) if k <= n else 0)),
    Transform("Dirichlet convolution with phi", "Sum_{d|n} phi(n/d)*B(d-1)",
              _linear(_divisor_sum(lambda n, d: _totient(n // d))), first=1),
    _section(4, 0), _section(4, 1), _section(4, 2), _section(4, 3),
)


def source_program(transform: Transform, b: Target) -> Program:
    """T(b) as a program whose terms from its offset (`transform.first`) are T(b)'s values."""
    shift = f"{b.offset}+" if b.offset else ""
    # Clamped: in the pass LODA rolls back, B(n-k) would call b below its offset, an error that stands.
    return compile_formula(parse_formula(transform.formula.replace("B(", f"A{b.a_number:06d}({shift}")),
                           transform.first, clamp_sums=True)


def exact_values(transform: Transform, terms: Iterable[int]) -> list[int]:
    """T(b) on Python ints from b's terms b(o), b(o+1), ...; as many values as those terms determine."""
    import numpy as np

    row = np.array([list(terms)[:EXACT_WIDTH]], dtype=object)
    return [int(v) for v in transform.apply(np, row, lambda a: a)[0]]


# --- the residue form of the term index's keys --------------------------------------------------------------

def _mod(a: Any) -> Any:
    """The residues' `reduce`."""
    return a % PRIME


def _inverse(np: Any, values: Any) -> Any:
    """values^(PRIME-2) mod PRIME, element by element (nonzero residues; each distinct value once)."""
    distinct, where = np.unique(values, return_inverse=True)
    out = np.ones_like(distinct)
    base = distinct.copy()
    exponent = PRIME - 2
    while exponent:
        if exponent & 1:
            out = out * base % PRIME
        base = base * base % PRIME
        exponent >>= 1
    return out[where.reshape(values.shape)]


def _differences(np: Any, w: Any) -> Any:
    out = w.copy()
    out[:, 1:] = (w[:, 1:] - w[:, :-1]) % PRIME
    return out


def key_hashes(np: Any, w: Any) -> tuple[Any, Any]:
    """Hashes of the rows' affine keys in residue form (w - w[0] over its first nonzero entry), and which
    rows are not constant: rows with equal `affine_key`s have equal hashes."""
    d = (w[:, 1:] - w[:, :1]) % PRIME
    nonzero = d != 0
    varying = nonzero.any(axis=1)
    first = d[np.arange(len(d)), np.argmax(nonzero, axis=1)]
    first[~varying] = 1
    return row_hashes(np, d * _inverse(np, first)[:, None] % PRIME), varying


@dataclass
class TargetKeys:
    """Sorted hashes of the indexed targets' prefix keys at each difference level the index keys: on
    `key_length` terms for all (`every`) and for those with fewer than `LONGER` terms (`short`), and on
    `LONGER` terms for the others (`longer`): a match must agree on every overlapping term, so where both
    sides have `LONGER` terms it agrees on those."""

    every: Any
    short: Any
    longer: Any


def _hashes_of(np: Any, prefixes: list[tuple[int, ...]], levels: int) -> Any:
    if not prefixes:
        return np.zeros(0, dtype=np.uint64)
    w = np.array([[v % PRIME for v in p] for p in prefixes], dtype=np.int64)
    found = []
    for _ in range(levels):
        hashes, varying = key_hashes(np, w)
        found.append(hashes[varying])
        w = _differences(np, w)
    return np.unique(np.concatenate(found))


def telling(prefix: tuple[int, ...]) -> bool:
    """Whether a prefix tells sequences apart: not a polynomial of degree 2 or less, and more than three
    values. A section of any arithmetic progression matches "1, 3, 5, ..., 39, 43" on 20 terms, and 150,000
    known sequences times every transform meet such prefixes thousands of times, to fail on a later term."""
    if len(set(prefix)) <= 3:
        return False
    seq = list(prefix)
    for _ in range(3):
        seq = [b - a for a, b in zip(seq, seq[1:])]
    return any(seq)


def target_keys(index: TermIndex) -> TargetKeys:
    """The residue-form keys of every target in the index."""
    import numpy as np

    k, levels = index.key_length, index.max_delta + 1
    stored = [t.terms for t in index.targets.values() if telling(t.terms[:LONGER])]
    return TargetKeys(_hashes_of(np, [t[:k] for t in stored], levels),
                      _hashes_of(np, [t[:k] for t in stored if len(t) < LONGER], levels),
                      _hashes_of(np, [t[:LONGER] for t in stored if len(t) >= LONGER], levels))


def _residues(np: Any, known: list[Target]) -> Any:
    """The known sequences' first SECTION_WIDTH terms modulo PRIME (rows with fewer terms padded with 0)."""
    m = np.zeros((len(known), SECTION_WIDTH), dtype=np.int64)
    for i, b in enumerate(known):
        row = [v % PRIME for v in b.terms[:SECTION_WIDTH]]
        m[i, :len(row)] = row
    return m


def _member(np: Any, hashes: Any, sorted_hashes: Any) -> Any:
    if not len(sorted_hashes):
        return np.zeros(len(hashes), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_hashes, hashes), len(sorted_hashes) - 1)
    return sorted_hashes[pos] == hashes


def _window_hashes(np: Any, values: Any, shift: int, length: int, levels: int) -> list[tuple[Any, Any]]:
    """(hashes, varying) of the rows' windows from `shift`, at each difference level."""
    w = values[:, shift:shift + length]
    out = []
    for _ in range(levels):
        out.append(key_hashes(np, w))
        w = _differences(np, w)
    return out


def _matching_rows(np: Any, values: Any, usable: Any, index: TermIndex, keys: TargetKeys) -> Any:
    """Rows of T(b) residues of which some shift and difference level has a target's key."""
    hit = np.zeros(len(values), dtype=bool)
    k, levels = index.key_length, index.max_delta + 1
    for shift in range(index.max_shift + 1):
        if values.shape[1] < shift + k:
            break
        enough = usable >= shift + k
        longer = usable >= shift + LONGER if values.shape[1] >= shift + LONGER else np.zeros(len(values), dtype=bool)
        long_hashes = _window_hashes(np, values, shift, LONGER, levels) if longer.any() else []
        for level, (hashes, varying) in enumerate(_window_hashes(np, values, shift, k, levels)):
            ok = enough & varying
            hit |= ok & _member(np, hashes, keys.short)
            if long_hashes:
                long_hit, long_varying = long_hashes[level]
                hit |= ok & longer & long_varying & _member(np, long_hit, keys.longer)
            hit |= ok & ~longer & _member(np, hashes, keys.every)
    return np.nonzero(hit)[0]


_PLACEHOLDER = Program(ops=[], directives={})


def _values(np: Any, transform: Transform, residues: Any, inner_values: dict[str, Any]) -> Any:
    """T(b) on the residues; a composition's inner transform once per block for all its outer ones."""
    if not transform.parts:
        return transform.apply(np, residues[:, :transform.width], _mod)
    outer, inner = transform.parts
    if inner.name not in inner_values:
        inner_values[inner.name] = inner.apply(np, residues[:, :inner.width], _mod)
    return outer.apply(np, inner_values[inner.name], _mod)


def sweep(index: TermIndex, known: Iterable[Target], per_target: int = PER_TARGET,
          transforms: tuple[Transform, ...] = TRANSFORMS, strategy: str = "transforms") -> Iterator[tuple[int, Candidate]]:
    """(target A-number, candidate) for every target a transform of a known sequence matches, at most
    `per_target` candidates per target; the known sequences in blocks of CHUNK (memory stays small)."""
    import numpy as np

    sources = [b for b in known if len(b.terms) >= index.key_length]
    keys = target_keys(index)
    if not sources or not len(keys.every):
        return
    # targets whose prefix tells nothing apart are not tried, as if they had their candidates
    cap = Cap(per_target, full={a for a, stored in index.targets.items() if not telling(stored.terms[:LONGER])})
    for start in range(0, len(sources), CHUNK):
        block = sources[start:start + CHUNK]
        residues = _residues(np, block)
        lengths = np.array([len(b.terms) for b in block], dtype=np.int64)
        inner_values: dict[str, Any] = {}
        for transform in transforms:
            values = _values(np, transform, residues, inner_values)
            determined = [transform.determined(m) for m in range(transform.width + 1)]
            usable = np.array(determined, dtype=np.int64)[np.minimum(lengths, transform.width)]
            for row in _matching_rows(np, values, usable, index, keys).tolist():
                b = block[row]
                exact = exact_values(transform, b.terms)
                # Most rows that pass the residue keys fail on a later term: programs only for matches.
                if not index.match(exact, _PLACEHOLDER, skip=cap.full):
                    continue
                try:
                    program = source_program(transform, b)
                except FormulaError:
                    continue
                for a, matched in index.match(exact, program, skip=cap.full):
                    if a != b.a_number:
                        cap.take(a)
                        yield a, Candidate(matched, strategy, f"{transform.name} of {format_a_number(b.a_number)}")


def propose_among(target: Target, ctx: SearchContext, budget: int, chosen: tuple[Transform, ...],
                  strategy: str) -> Iterator[Candidate]:
    """The `chosen` transforms of the context's known sequences that match one sequence."""
    if not ctx.known:
        return
    options = ctx.index
    index = TermIndex.build([target]) if options is None else TermIndex.build(
        [target], key_length=options.key_length, max_delta=options.max_delta, max_shift=options.max_shift,
        digit_bases=options.digit_bases)
    for _, cand in sweep(index, ctx.known.values(), per_target=budget or PER_TARGET, transforms=chosen,
                         strategy=strategy):
        yield cand


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The transforms of the context's known sequences that match one sequence (the mining loop sweeps
    every lacking sequence at once instead: `miner.mine.loop.run_sweep`)."""
    yield from propose_among(target, ctx, budget, TRANSFORMS, "transforms")
