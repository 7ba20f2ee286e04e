"""Mock theta functions read from names: each program against the function's q-series multiplied out
independently, f(q) against Dyson's ranks of the partitions themselves, and the first terms against OEIS."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from miner.lang.evaluator import evaluate
from miner.search.mocktheta import FUNCTIONS, Reading, parse_name, program, programs_for
from miner.search.theta import programs_for as theta_programs
from miner.search.types import Target

COUNT = 40


def times(a: list[int], b: list[int]) -> list[int]:
    out = [0] * COUNT
    for i, x in enumerate(a):
        if x:
            for j in range(COUNT - i):
                out[i + j] += x * b[j]
    return out


def inverse(a: list[int]) -> list[int]:
    """1/a for a[0] = 1, by the recurrence of the product's coefficients."""
    out = [0] * COUNT
    for n in range(COUNT):
        out[n] = (n == 0) - sum(a[k] * out[n - k] for k in range(1, n + 1))
    return out


def monomial(e: int, c: int = 1) -> list[int]:
    return [c if i == e else 0 for i in range(COUNT)]


def binomial(s: int, d: int) -> list[int]:
    """1 + s q^d."""
    out = monomial(0)
    if d < COUNT:
        out[d] += s
    return out


def product(factors: Iterator[list[int]]) -> list[int]:
    out = monomial(0)
    for f in factors:
        out = times(out, f)
    return out


def series(term: Callable[[int], list[int]], first: int = 0) -> list[int]:
    total = [0] * COUNT
    for m in range(first, COUNT):
        total = [x + y for x, y in zip(total, term(m))]
    return total


def pochhammer(s: int, start: int, step: int, m: int) -> list[int]:
    """Product_{k=0..m-1} (1 + s q^(start + step k))."""
    return product(binomial(s, start + step * k) for k in range(m))


# Watson's and Andrews' definitions, as written
DEFINITIONS: dict[tuple[int, str], Callable[[], list[int]]] = {
    (3, "f"): lambda: series(lambda m: times(monomial(m * m), inverse(times(*[pochhammer(1, 1, 1, m)] * 2)))),
    (3, "phi"): lambda: series(lambda m: times(monomial(m * m), inverse(pochhammer(1, 2, 2, m)))),
    (3, "psi"): lambda: series(lambda m: times(monomial(m * m), inverse(pochhammer(-1, 1, 2, m))), 1),
    (3, "chi"): lambda: series(lambda m: times(monomial(m * m), inverse(product(
        [1 if i == 0 else (-1 if i == k else (1 if i == 2 * k else 0)) for i in range(COUNT)] for k in range(1, m + 1))))),
    (3, "omega"): lambda: series(lambda m: times(monomial(2 * m * (m + 1)), inverse(times(*[pochhammer(-1, 1, 2, m + 1)] * 2)))),
    (3, "nu"): lambda: series(lambda m: times(monomial(m * (m + 1)), inverse(pochhammer(1, 1, 2, m + 1)))),
    (3, "rho"): lambda: series(lambda m: times(monomial(2 * m * (m + 1)), times(pochhammer(-1, 1, 2, m + 1),
                                                                              inverse(pochhammer(-1, 3, 6, m + 1))))),
    (5, "f0"): lambda: series(lambda m: times(monomial(m * m), inverse(pochhammer(1, 1, 1, m)))),
    (5, "f1"): lambda: series(lambda m: times(monomial(m * m + m), inverse(pochhammer(1, 1, 1, m)))),
    (5, "F0"): lambda: series(lambda m: times(monomial(2 * m * m), inverse(pochhammer(-1, 1, 2, m)))),
    (5, "F1"): lambda: series(lambda m: times(monomial(2 * m * m + 2 * m), inverse(pochhammer(-1, 1, 2, m + 1)))),
    (5, "phi0"): lambda: series(lambda m: times(monomial(m * m), pochhammer(1, 1, 2, m))),
    (5, "phi1"): lambda: series(lambda m: times(monomial((m + 1) ** 2), pochhammer(1, 1, 2, m))),
    (5, "psi0"): lambda: series(lambda m: times(monomial((m + 1) * (m + 2) // 2), pochhammer(1, 1, 1, m))),
    (5, "psi1"): lambda: series(lambda m: times(monomial(m * (m + 1) // 2), pochhammer(1, 1, 1, m))),
}


def test_every_function_is_its_definition():
    assert set(DEFINITIONS) == set(FUNCTIONS)
    for key, definition in DEFINITIONS.items():
        expected = definition()
        assert evaluate(program(Reading(FUNCTIONS[key]), 0), COUNT) == expected, key


def partitions(n: int, largest: int | None = None) -> Iterator[list[int]]:
    if n == 0:
        yield []
        return
    for first in range(min(n, largest or n), 0, -1):
        for rest in partitions(n - first, first):
            yield [first, *rest]


def test_f_and_the_ranks_by_dyson():
    ranks = [[p[0] - len(p) if p else 0 for p in partitions(n)] for n in range(26)]
    even = [sum(r % 2 == 0 for r in rs) for rs in ranks]
    odd = [sum(r % 2 == 1 for r in rs) for rs in ranks]
    positive_odd = [sum(r % 2 == 1 and r > 0 for r in rs) for rs in ranks]
    cases = [
        ("Coefficients of the 3rd-order mock theta function f(q).", 0, [e - o for e, o in zip(even, odd)]),
        ("Number of integer partitions of n of even rank.", 0, even),
        ("Number of integer partitions of n of odd rank.", 0, odd),
        ("Number of partitions of n having positive odd rank (the rank of a partition is the largest part minus the "
         "number of parts).", 0, positive_odd),
        ("Expansion of f(-q) in powers of q where f() is a 3rd order mock theta function.", 0,
         [(-1) ** n * (e - o) for n, (e, o) in enumerate(zip(even, odd))]),
        ("Coefficient of q^(2n) in the series expansion of Ramanujan's mock theta function f(q).", 0,
         [even[2 * n] - odd[2 * n] for n in range(13)]),
        ("Coefficient of q^(2n-1) in the series expansion of Ramanujan's mock theta function f(q).", 1,
         [even[2 * n - 1] - odd[2 * n - 1] for n in range(1, 13)]),
    ]
    for name, offset, expected in cases:
        (prog,) = programs_for(expected[:8], name, offset)
        assert prog.offset == offset
        assert evaluate(prog, len(expected)) == expected, name
        # the reading is not fitted: other terms get no program
        assert programs_for([t + 1 for t in expected[:8]], name, offset) == []


def test_the_first_terms_are_the_oeis_sequences():
    # first terms of A000025, A000039, A000199, A340601, A101707 from the OEIS data
    cases = [
        ("Coefficients of the 3rd-order mock theta function f(q).", 0,
         [1, 1, -2, 3, -3, 3, -5, 7, -6, 6, -10, 12, -11, 13, -17, 20, -21, 21, -27, 34, -33, 36, -46, 51, -53]),
        ("Coefficient of q^(2n) in the series expansion of Ramanujan's mock theta function f(q).", 0,
         [1, -2, -3, -5, -6, -10, -11, -17, -21, -27, -33, -46, -53, -68, -82, -104, -123, -154, -179, -221]),
        ("Coefficient of q^(2n-1) in the series expansion of Ramanujan's mock theta function f(q).", 1,
         [1, 3, 3, 7, 6, 12, 13, 20, 21, 34, 36, 51, 58, 78, 89, 118, 131, 171, 197, 245, 279, 349, 398]),
        ("Number of integer partitions of n of even rank.", 0,
         [1, 1, 0, 3, 1, 5, 3, 11, 8, 18, 16, 34, 33, 57, 59, 98, 105, 159, 179, 262, 297, 414, 478, 653]),
        ("Number of partitions of n having positive odd rank (the rank of a partition is the largest part minus "
         "the number of parts).", 0, [0, 0, 1, 0, 2, 1, 4, 2, 7, 6, 13, 11, 22, 22, 38, 39, 63, 69, 103, 114, 165]),
    ]
    for name, offset, terms in cases:
        (prog,) = theta_programs(Target(1, name, tuple(terms), offset))
        assert evaluate(prog, len(terms)) == terms


def test_names_read():
    reading = parse_name("Coefficients of the '5th order' mock theta function psi_1(q).")
    assert reading is not None and reading.mock == FUNCTIONS[5, "psi1"]
    assert parse_name("Coefficients of the 3rd order mock theta function omega(q).") == Reading(FUNCTIONS[3, "omega"])
    assert parse_name("Expansion of nu(-q) in powers of q where nu() is a 3rd order mock theta function.") \
        == Reading(FUNCTIONS[3, "nu"], alternating=True)
    for name in ("Auxiliary sequence gamma(n) used to compute coefficients in series expansion of the mock theta "
                 "function f(q) via A(n) = Sum_{r=0..n} p(r)*gamma(n-r).",
                 "Number of partitions of n having nonnegative even rank.",
                 "Coefficients of the 7th order mock theta function F0(q).",
                 "Number of partitions of n with positive crank."):
        assert parse_name(name) is None, name


def test_partitions_by_their_durfee_square():
    def durfee(p: list[int]) -> int:
        return max((i + 1 for i, part in enumerate(p) if part >= i + 1), default=0)
    sizes = [[durfee(p) for p in partitions(n)] for n in range(30)]
    cases = [("a(n) is the number of partitions of n with Durfee square of size <= 2.", [sum(s <= 2 for s in ss) for ss in sizes]),
             ("Sum of the sizes of the Durfee squares of all partitions of n.", [sum(ss) for ss in sizes])]
    for name, expected in cases:
        (prog,) = programs_for(expected[:12], name, 0)
        assert evaluate(prog, len(expected)) == expected, name
