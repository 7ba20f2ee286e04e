"""Eta quotients and Ramanujan theta functions named in names: the functions' products against q-series
multiplied out from their definitions as sums (Jacobi's theta series, the pentagonal numbers), programs far
past the known terms, terms the product does not give refused, and the loop storing one."""

from __future__ import annotations

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.egf import theta_coefficient
from miner.search.theta import exponents, parse_name, parse_product, period_of, programs_for, propose, series
from miner.search.types import SearchContext, Target

N = 60


def times(p: list[int], q: list[int]) -> list[int]:
    return [sum(p[i] * q[n - i] for i in range(n + 1)) for n in range(N)]


def inverse(p: list[int]) -> list[int]:
    """1/p for p(0) = 1, by long division."""
    out = [1]
    for n in range(1, N):
        out.append(-sum(p[i] * out[n - i] for i in range(1, n + 1)))
    return out


def at(series_: list[int], sign: int, m: int) -> list[int]:
    """s(sign * q^m) from s(q)."""
    out = [0] * N
    for i, v in enumerate(series_):
        if i * m < N:
            out[i * m] = v * sign**i
    return out


def sums(exponents_with_coefficients) -> list[int]:
    out = [0] * N
    for e, c in exponents_with_coefficients:
        if 0 <= e < N:
            out[e] += c
    return out


# The functions as sums: phi(q) = sum q^(n^2), psi(q) = sum q^(n(n+1)/2), f(-q) = sum (-1)^n q^(n(3n-1)/2)
# (pentagonal numbers), chi(q) = phi(q) / f(-q^2)... from its definition (-q; q^2): prod (1 + q^(2k-1)).
PHI = sums((n * n, 1) for n in range(-10, 11))
PSI = sums((n * (n + 1) // 2, 1) for n in range(0, 12))
EULER = sums((n * (3 * n - 1) // 2, (-1) ** n) for n in range(-10, 11))
CHI = [1] + [0] * (N - 1)
for k in range(1, N):
    if 2 * k - 1 < N:
        CHI = times(CHI, sums(((0, 1), (2 * k - 1, 1))))


def test_names_read_as_products_of_known_functions():
    assert parse_name("Expansion of phi(-q) * phi(-q^4)^2 in powers of q where phi() is a Ramanujan theta "
                      "function.") is not None
    assert parse_name("Expansion of q^(-1/3) * eta(q)^3 * eta(q^5) in powers of q.") is not None
    assert parse_name("Expansion of eta(8z)*eta(16z)*theta_3(z).") is not None
    assert parse_product("Expansion of f(-x)^11 / f(-x^3) + 27 * x * f(-x^3)^11 / f(-x) in powers of x.") is None
    assert parse_name("Expansion of f(-x)^11 / f(-x^3) + 27 * x * f(-x^3)^11 / f(-x) in powers of x.") is not None
    assert parse_name("Expansion of (1 - x) / (1 - 2*x).") is None
    assert parse_name("Expansion of theta(q)^2 in powers of q.") is None


def test_products_agree_with_the_functions_as_sums():
    cases = {
        "Expansion of phi(-q) * phi(-q^4)^2 in powers of q.": times(at(PHI, -1, 1), times(at(PHI, -1, 4), at(PHI, -1, 4))),
        "Expansion of f(-x) * chi(x^2)^2 in powers of x.": times(EULER, times(at(CHI, 1, 2), at(CHI, 1, 2))),
        "Expansion of psi(q) * phi(q^2) * chi(-q^3) in powers of q.": times(PSI, times(at(PHI, 1, 2), at(CHI, -1, 3))),
        "Expansion of q^(-1/3) * eta(q)^3 * eta(q^5) in powers of q.": times(times(EULER, EULER), times(EULER, at(EULER, 1, 5))),
        "Expansion of theta_3(q) * theta_4(q^4)^2 in powers of q.": times(PHI, times(at(PHI, -1, 4), at(PHI, -1, 4))),
        "Expansion of f(x) / psi(-x^3) in powers of x.": times(at(EULER, -1, 1), inverse(at(PSI, -1, 3))),
        # f(-q^2, -q^3) = sum (-1)^n q^(n(5n+1)/2) (Jacobi's triple product)
        "Expansion of f(-q^2, -q^3)^5 / f(-q)^3 in powers of q.": times(
            *[(lambda s: times(s, times(s, times(s, times(s, s)))))(sums((n * (5 * n + 1) // 2, (-1) ** n) for n in range(-8, 9))),
              inverse(times(EULER, times(EULER, EULER)))]),
    }
    for name, want in cases.items():
        factors = parse_name(name)
        assert factors is not None, name
        b = [-g for g in exponents(factors, N)]
        assert series(b, N) == want, name
        assert period_of(factors) <= 40, name
        progs = programs_for(Target(999001, name, tuple(want[:10]), 0))
        assert len(progs) == 1 and evaluate(progs[0], N) == want, name


def test_ramanujans_general_theta_function_term_by_term():
    for alpha, beta, sa, sb in ((1, 1, 1, 1), (1, 1, -1, -1), (1, 3, 1, 1), (1, 2, -1, -1), (2, 3, -1, -1), (1, 5, 1, -1)):
        want = sums(((alpha * k * (k + 1) + beta * k * (k - 1)) // 2, sa ** (k * (k + 1) // 2) * sb ** (k * (k - 1) // 2))
                    for k in range(-12, 13))
        assert [theta_coefficient((alpha, beta, sa, sb), m) for m in range(N)] == want


def power(p: list[int], e: int) -> list[int]:
    out = [1] + [0] * (N - 1)
    for _ in range(e):
        out = times(out, p)
    return out


def plus(p: list[int], q: list[int], c: int = 1, shift: int = 0) -> list[int]:
    return [p[n] + c * (q[n - shift] if n >= shift else 0) for n in range(N)]


def test_sums_of_products_as_series():
    b = times(power(EULER, 3), inverse(at(EULER, 1, 3)))  # cubic AGM b(q) = eta(q)^3 / eta(q^3)
    c = times(power(at(EULER, 1, 3), 3), inverse(EULER))  # c(q) / (3 q^(1/3))
    a = plus(times(PHI, at(PHI, 1, 3)), times(at(PSI, 1, 2), at(PSI, 1, 6)), 4, 1)
    theta2 = [sum(1 for k in range(-8, 9) if k * (k + 1) == n) for n in range(N)]  # theta_2(q) / (q^(1/4))
    cases = {
        # (eta(q^3) eta(q^5))^3 is q times a series, (eta(q) eta(q^15))^3 q^2 times one
        "Expansion of (eta(q^3) * eta(q^5))^3 + (eta(q) * eta(q^15))^3 in powers of q.":
            plus(power(times(at(EULER, 1, 3), at(EULER, 1, 5)), 3), power(times(EULER, at(EULER, 1, 15)), 3), 1, 1),
        "Expansion of f(-x)^11 / f(-x^3) + 27 * x * f(-x^3)^11 / f(-x) in powers of x where f() is a Ramanujan "
        "theta function.": plus(times(power(EULER, 11), inverse(at(EULER, 1, 3))),
                                times(power(at(EULER, 1, 3), 11), inverse(EULER)), 27, 1),
        "Expansion of b(q)^3 - 3*c(q)^3 in powers of q where b(), c() are cubic AGM theta functions.":
            plus(power(b, 3), power(c, 3), -81, 1),
        "Expansion of 2 * a(q) - a(q^2) in powers of q where a() is a cubic AGM theta function.":
            plus([2 * t for t in a], at(a, 1, 2), -1),
        # theta_2(z) theta_2(2z) is q^(3/4) times a series: the sum is in powers of q^(1/4)
        "Expansion of (theta_3(z)*theta_3(2z)+theta_2(z)*theta_2(2z))^3.":
            power(plus(times(at(PHI, 1, 4), at(PHI, 1, 8)), times(at(theta2, 1, 4), at(theta2, 1, 8)), 1, 3), 3),
    }
    # Ramanujan's Lambert series Q(q) = E_4(q) = 1 + 240 Sum sigma_3(n) q^n
    e4 = [1] + [240 * sum(d ** 3 for d in range(1, n + 1) if n % d == 0) for n in range(1, N)]
    cases["Expansion of f(-q)^2*Q(q)^2 in powers of q."] = times(power(EULER, 2), power(e4, 2))
    assert cases["Expansion of f(-q)^2*Q(q)^2 in powers of q."][:6] == [1, 478, 60959, 925922, 5764801, 20722082]  # A122268
    for name, want in cases.items():
        assert parse_product(name) is None and parse_name(name) is not None, name
        progs = programs_for(Target(999001, name, tuple(want[:20]), 0))
        assert len(progs) == 1 and evaluate(progs[0], N) == want, name
    name = "Expansion of 2 * a(q) - a(q^2) in powers of q where a() is a cubic AGM theta function."
    wrong = plus([2 * t for t in a], at(a, 1, 2), 1)
    assert programs_for(Target(1, name, tuple(wrong[:20]), 0)) == []
    # without "cubic AGM" in the name, a() is no known function
    assert parse_name("Expansion of 2 * a(q) - a(q^2) in powers of q.") is None


def test_quadratic_forms_count_their_solutions():
    for coefficients in ((1, 1, 2, 5), (1, 2, 2, 7), (1, 3), (1, 1, 1, 12)):
        terms = ["a", "b", "c", "d"]
        name = "Number of integer solutions to " + " + ".join(
            f"{c}*{v}^2" if c > 1 else f"{v}^2" for c, v in zip(coefficients, terms)) + " = n."
        count = [0] * 50
        r = range(-8, 9)  # |x| <= 7 covers n < 50
        grids = [[c * x * x for x in r] for c in coefficients]
        totals = [0]
        for g in grids:
            totals = [t + v for t in totals for v in g if t + v < 50]
        for t in totals:
            count[t] += 1
        progs = programs_for(Target(999001, name, tuple(count[:10]), 0))
        assert len(progs) == 1 and evaluate(progs[0], 50) == count, name
    # a^2 + 2b^2 + 3c^2 + 5d^2 repeats only every 120 exponents, more than the program's tables hold
    assert parse_name("Number of integer solutions to a^2 + 2*b^2 + 3*c^2 + 5*d^2 = n.") is not None
    assert programs_for(Target(1, "Number of integer solutions to a^2 + 2*b^2 + 3*c^2 + 5*d^2 = n.",
                               (1, 2, 2, 6, 6, 6, 16, 8), 0)) == []


def test_leading_zeros_and_a_factor_are_the_terms_to_fix():
    name = "Expansion of q * psi(q^2)^2 * phi(-q) in powers of q."
    want = times(at(times(PSI, PSI), 1, 2), at(PHI, -1, 1))
    prog = programs_for(Target(1, name, tuple(2 * t for t in want[:12]), 1))
    assert evaluate(prog[0], 40) == [2 * t for t in want[:40]]
    assert programs_for(Target(1, name, tuple(want[:6]) + (want[6] + 1,) + tuple(want[7:12]), 0)) == []
    assert programs_for(Target(1, name, tuple(want[:3]), 0)) == []  # too few to fix a factor
    assert list(propose(Target(1, name, tuple(want[:12]), 0), SearchContext(), 0, None)) == []


def test_the_loop_stores_a_named_eta_quotient(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    name = "Expansion of chi(-x^3) * chi(-x^12) / (chi(-x) * chi(-x^4)) in powers of x."
    want = times(times(at(CHI, -1, 3), at(CHI, -1, 12)), inverse(times(at(CHI, -1, 1), at(CHI, -1, 4))))
    sequences[999001] = SequenceRecord(999001, name, want[:30], 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["theta"])
    assert found[999001].strategy == "theta"


def test_level_one_forms_the_name_determines():
    def eisenstein(scale: int, k: int) -> list[int]:
        return [1] + [scale * sum(d ** k for d in range(1, n + 1) if n % d == 0) for n in range(1, N)]

    e4, e6 = eisenstein(240, 3), eisenstein(-504, 5)
    delta = [0] + power([int(t) for t in EULER], 24)[:N - 1]  # q * prod (1 - q^k)^24, in integers
    cases = {
        "Coefficients of unique normalized cusp form Delta_16 of weight 16 for full modular group.": times(delta, e4),
        "Coefficients of unique normalized cusp form Delta_22 of weight 22 for full modular group.": times(times(delta, e4), e6),
        "Theta series of Leech lattice.": [x - 720 * y for x, y in zip(power(e4, 3), delta)],
    }
    assert cases["Theta series of Leech lattice."][:4] == [1, 0, 196560, 16773120]  # A008408
    assert cases["Coefficients of unique normalized cusp form Delta_16 of weight 16 for full modular group."][1:5] == [1, 216, -3348, 13888]
    for name, want in cases.items():
        first = next(i for i, t in enumerate(want) if t)
        progs = programs_for(Target(999002, name, tuple(want[first:first + 20]), first))
        assert len(progs) == 1 and evaluate(progs[0], N - first) == want[first:], name
    assert parse_name("Coefficients of unique normalized cusp form Delta_24 of weight 24 for full modular group.") is None


def _shells(vectors: list[tuple[float, ...]], unit: float, count: int, start: float = 0.0) -> list[int]:
    """How many vectors have norm start + unit * k, k = 0..count-1."""
    out = [0] * count
    for v in vectors:
        k = (sum(x * x for x in v) - start) / unit
        if k == int(k) and 0 <= k < count:
            out[int(k)] += 1
    return out


def test_lattice_theta_series_are_every_vector():
    from itertools import product

    from miner.search.theta import lattice_form, lattice_programs

    def program_terms(name: str, terms: list[int], count: int) -> list[int]:
        (prog,) = lattice_programs(Target(1, name, tuple(terms), 0))
        return evaluate(prog, count)
    # E_8 = D_8 and its coset (1/2)^8, the vectors of norm up to 4; E_7 and E_6 the vectors orthogonal to one
    # root and to two roots at 120 degrees; E_7's dual coset the projections of the vectors v with v.r = 1
    e8 = [v for v in product(range(-2, 3), repeat=8) if sum(v) % 2 == 0]
    e8 += [tuple(x + 0.5 for x in v) for v in product(range(-2, 2), repeat=8) if sum(v) % 2 == 0]
    r1, r2 = (1, -1, 0, 0, 0, 0, 0, 0), (0, 1, -1, 0, 0, 0, 0, 0)

    def dot(u: tuple[float, ...], w: tuple[float, ...]) -> float:
        return sum(a * b for a, b in zip(u, w))
    e7 = [v for v in e8 if dot(v, r1) == 0]
    e6 = [v for v in e7 if dot(v, r2) == 0]
    coset = [tuple(a - b / 2 for a, b in zip(v, r1)) for v in e8 if dot(v, r1) == 1]
    # first terms from the OEIS data: A004007, A005931, A022065, A008434, A008425
    e6_terms = [1, 72, 270, 720, 936, 2160, 2214, 3600, 4590, 6552]
    assert _shells(e6, 2, 3) == e6_terms[:3]
    assert program_terms("Theta series of E_6 lattice.", e6_terms, 10) == e6_terms
    coset_terms = [56, 576, 1512, 4032, 5544, 12096, 13664, 24192]
    assert _shells(coset, 2, 2, 1.5) == coset_terms[:2]
    assert program_terms("Theta series of the coset of the E_7 lattice in its dual.", coset_terms, 8) == coset_terms
    assert _shells(e7, 2, 3) == [1, 126, 756]
    # D*_12 = Z^12 and its coset (1/2)^12; {D_6}^+ = D_6 and one coset; {D_6}* = Z^6 and both, in powers of q^(1/2)
    dual12 = [1, 24, 264, 5856, 7944, 75024, 64416]
    assert program_terms("Theta series of D*_12 lattice.", dual12, 7) == dual12
    z6 = list(product(range(-2, 3), repeat=6))
    d6 = [v for v in z6 if sum(v) % 2 == 0]
    halves = [tuple(x + 0.5 for x in v) for v in product(range(-2, 2), repeat=6)]
    plus = [1, 0, 0, 32, 60, 0, 0, 192, 252]
    assert _shells(d6 + [h for h in halves if sum(x - 0.5 for x in h) % 2 == 0], 0.5, 5) == plus[:5]
    assert program_terms("Theta series of {D_6}^{+} lattice.", plus, 9) == plus
    star = [1, 0, 12, 64, 60, 0, 160, 384, 252]
    assert _shells(z6 + halves, 0.5, 5) == star[:5]
    assert program_terms("Theta series of {D_6}* lattice.", star, 9) == star
    assert lattice_form("Theta series of E_6 lattice + D_4 lattice.") is None  # units differ
    assert lattice_programs(Target(1, "Theta series of E_6 lattice.", tuple(e6_terms[:3]) + (271, 720), 0)) == []
