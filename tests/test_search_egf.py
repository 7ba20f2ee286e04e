"""Exponential generating functions named in names: the programs' coefficients against mpmath's Taylor
series of the same functions, readings of even or odd powers, names without an integer recurrence refused,
and the loop storing one."""

from __future__ import annotations

from fractions import Fraction
from math import comb, factorial

import mpmath

import testbed

from miner.lang.evaluator import evaluate
from miner.lang.sequence import SequenceRecord
from miner.search.egf import parse_name, programs_for, propose, terms_of
from miner.search.types import SearchContext, Target

N = 16


def taylor(f, count: int) -> list[int]:
    """m! [x^m] f for m < count, by mpmath at high precision (rounded: the values are integers)."""
    ctx = mpmath.mp.clone()
    ctx.dps = 80
    coefficients = ctx.taylor(lambda x: f(ctx, x), 0, count - 1)
    return [int(ctx.nint(c * ctx.factorial(m))) for m, c in enumerate(coefficients)]


CASES = {
    "exp(x*exp(x))": lambda c, x: c.exp(x * c.exp(x)),
    "tan(tan(x))": lambda c, x: c.tan(c.tan(x)),
    "-log(1 - x) * (sec(x) + tan(x))": lambda c, x: -c.log(1 - x) * (c.sec(x) + c.tan(x)),
    "exp(arcsin(x))": lambda c, x: c.exp(c.asin(x)),
    "arctan(sinh(x)) + arctanh(x)": lambda c, x: c.atan(c.sinh(x)) + c.atanh(x),
    "1/sqrt(1-8x+x^2)": lambda c, x: 1 / c.sqrt(1 - 8 * x + x**2),
    "(1 - x)^x": lambda c, x: (1 - x) ** x,
    "cosh(x)^3 / cos(x)": lambda c, x: c.cosh(x) ** 3 / c.cos(x),
    "1 / (1 + 4 * log(1-x))^(3/4)": lambda c, x: 1 / (1 + 4 * c.log(1 - x)) ** (c.mpf(3) / 4),
}


def test_coefficients_agree_with_the_taylor_series_far_past_the_known_terms():
    for text, f in CASES.items():
        want = taylor(f, 2 * N)
        egf = parse_name(f"Expansion of e.g.f. {text}.")
        assert egf is not None, text
        assert terms_of(egf, 2 * N) == want, text
        progs = programs_for(Target(999001, f"E.g.f.: {text}.", tuple(want[:N]), 0))
        assert len(progs) == 1 and evaluate(progs[0], 2 * N) == want, text


def test_even_and_odd_powers_and_offsets_pick_the_coefficients():
    odd = taylor(lambda c, x: c.tan(c.sin(x)), 2 * N)[1::2]
    progs = programs_for(Target(1, "E.g.f. tan(sin(x)) (odd powers only).", tuple(odd[:N // 2]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == odd[:N]
    even = taylor(lambda c, x: c.cosh(x) ** 3 / c.cos(x), 2 * N)[::2]
    name = "a(n) = (2*n)! * [x^(2*n)] cosh(x)^3 / cos(x)."
    progs = programs_for(Target(1, name, tuple(even[:N // 2]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == even[:N]
    # a name silent on it may list only the nonzero (odd) coefficients, and leave out a(0) = 0 by its offset
    progs = programs_for(Target(1, "Expansion of e.g.f. tan(tan(x)).", tuple(odd_tan := taylor(
        lambda c, x: c.tan(c.tan(x)), 2 * N)[1::2][:N // 2]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N // 2) == list(odd_tan)
    logs = taylor(lambda c, x: -c.log(1 - c.sinh(x)), N + 1)
    progs = programs_for(Target(1, "E.g.f.: -log(1 - sinh(x)).", tuple(logs[1:N + 1]), 1))
    assert len(progs) == 1 and evaluate(progs[0], N) == logs[1:N + 1]


def test_names_without_an_integer_recurrence_or_other_terms_get_no_program():
    for name in ("E.g.f. satisfies A(x) = 1 + A'(x)^2.",
                 "Expansion of e.g.f. log(Sum_{k>=0} (k*x)^k).",
                 "Expansion of e.g.f. exp(x*B(x)), where B(x) is the e.g.f. of the Bell numbers.",  # cites none
                 "Expansion of e.g.f. Bessel_I(2,2x).",
                 "Expansion of (1 - x)/(1 - 2*x).",  # rational: the `gf` strategy's
                 "G.f.: 1/(1 - x - x^2)."):
        assert parse_name(name) is None, name
    # an o.g.f. whose coefficients are fractions; "Expansion of" says not which, and these are the e.g.f.'s
    lah = (1, 1, 3, 13, 73, 501, 4051, 37633, 394353)
    assert programs_for(Target(1, "G.f.: exp(x/(1-x)).", lah, 0)) == []
    assert len(programs_for(Target(1, "Expansion of exp(x/(1-x)).", lah, 0))) == 1
    want = taylor(lambda c, x: c.exp(x * c.exp(x)), N)
    wrong = want[:9] + [want[9] + 1] + want[10:]
    assert programs_for(Target(1, "Expansion of e.g.f. exp(x*exp(x)).", tuple(wrong), 0)) == []
    assert programs_for(Target(1, "Expansion of e.g.f. exp(x*exp(x)).", tuple(want[:5]), 0)) == []
    # exp(1 + x) is e times an integer series: no integer recurrence starts; sqrt(1 + x)'s are fractions
    assert programs_for(Target(1, "E.g.f.: exp(1 + x).", (1,) * 10, 0)) == []
    half = taylor(lambda c, x: c.sqrt(1 + 2 * x), 10)
    assert programs_for(Target(1, "E.g.f.: sqrt(1 + x).", tuple(half), 0)) == []
    assert list(propose(Target(1, "Expansion of e.g.f. exp(x*exp(x)).", tuple(want), 0), SearchContext(), 0, None)) == []


def test_functional_equations_are_solved_by_iterating_them():
    def catalan(k: int, n: int) -> int:  # [x^n] of A(x) = 1 + x A(x)^k
        return comb(k * n, n) // ((k - 1) * n + 1)

    cases = {
        "G.f. satisfies A(x) = 1 + x*A(x)^2.": [catalan(2, n) for n in range(N)],
        "G.f. A(x) satisfies: A(x) = 1 + x*A(x)^3.": [catalan(3, n) for n in range(N)],
        "E.g.f. satisfies A(x) = exp(x*A(x)).": [(n + 1) ** (n - 1) if n else 1 for n in range(N)],
    }
    # A(x) = 1 + x A(x^2) + x^2 A(x)^2, by its coefficients' recurrence
    a = [1]
    for n in range(1, N):
        a.append((a[(n - 1) // 2] if (n - 1) % 2 == 0 else 0) + sum(a[i] * a[n - 2 - i] for i in range(n - 1)))
    cases["G.f. A(x) satisfies A(x) = 1 + x*A(x^2) + x^2*A(x)^2."] = a
    # A(x) = 1 + x A(x)^2 + x^2 / A(x): 1/A's first coefficient is A's own first cell
    b = [Fraction(1)]
    for n in range(1, N):
        inverse = [Fraction(1)]
        for m in range(1, n):
            inverse.append(-sum(b[k] * inverse[m - k] for k in range(1, m + 1)))
        b.append(sum(b[i] * b[n - 1 - i] for i in range(n)) + (inverse[n - 2] if n >= 2 else 0))
    cases["G.f. satisfies: A(x) = 1 + x*A(x)^2  + x^2/A(x)."] = [int(v) for v in b]
    for name, want in cases.items():
        assert parse_name(name) is not None, name
        progs = programs_for(Target(999001, name, tuple(want[:10]), 0))
        assert len(progs) == 1 and evaluate(progs[0], N) == want, name


def test_an_equation_linear_in_a_and_a_stated_a0_are_read():
    # (1 - 3x) A(x) + A(x^3) = x: a(n) = 3 a(n-1) - [3 | n] a(n/3) + [n = 1]
    c = [0]
    for n in range(1, N):
        c.append(3 * c[n - 1] - (c[n // 3] if n % 3 == 0 else 0) + (n == 1))
    # A(x) = A(x^2) / (1 - 4x), A(0) = 1: a(n) = 4 a(n-1) + [2 | n] a(n/2)
    d = [1]
    for n in range(1, N):
        d.append(4 * d[n - 1] + (d[n // 2] if n % 2 == 0 else 0))
    for name, want, offset in (("G.f. A(x) satisfies (1-3*x)*A(x) + A(x^3) = x.", c[1:], 1),
                               ("G.f. A(x) satisfies A(x) = A(x^2) / (1-4*x), with A(0) = 1.", d, 0)):
        progs = programs_for(Target(999001, name, tuple(want[:12]), offset))
        assert progs, name
        assert evaluate(progs[0], len(want)) == want, name  # the program carries its offset
    # A(x) on the right as well: not solved for
    assert parse_name("G.f. A(x) satisfies (1-3*x)*A(x) + A(x^3) = x*A(x)^2.") is None


def test_ogf_with_fractional_powers_and_functions():
    central = [comb(2 * n, n) for n in range(N)]
    progs = programs_for(Target(1, "Expansion of (1-4*x)^(-1/2).", tuple(central[:10]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == central
    catalan = [comb(2 * n, n) // (n + 1) for n in range(N)]
    progs = programs_for(Target(1, "G.f.: (1 - sqrt(1 - 4*x))/(2*x).", tuple(catalan[:10]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == catalan
    # 1/(2 + 3*sqrt(1-20*x)) has fractions (1/5^k), 5 times it does not: the quotient's own recurrence reads it
    quotient = taylor(lambda c, x: 5 / (2 + 3 * c.sqrt(1 - 20 * x)), N)
    quotient = [q // factorial(n) for n, q in enumerate(quotient)]  # o.g.f. coefficients
    progs = programs_for(Target(1, "G.f.: 5/(2 + 3*sqrt(1-20*x)).", tuple(quotient[:10]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == quotient
    # log(1/(1-x)) has the coefficients 1/n: no integer recurrence
    assert programs_for(Target(1, "G.f.: exp(2*log(1/(1-x))).", tuple(range(1, 11)), 0)) == []
    # the coefficient written out: [x^n] of an o.g.f., n! [x^n] of an e.g.f.; one that depends on n is no g.f.
    progs = programs_for(Target(1, "a(n) = [x^n] (1 - 4*x)^(-1/2).", tuple(central[:10]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == central
    bell = [1, 1, 2, 5, 15, 52, 203, 877, 4140, 21147, 115975, 678570]
    progs = programs_for(Target(1, "a(n) = n! * [x^n] exp(exp(x) - 1).", tuple(bell[:10]), 0))
    assert len(progs) == 1 and evaluate(progs[0], 12) == bell
    assert parse_name("a(n) = [x^n] (1 + x)^n.") is None


def test_the_loop_stores_a_named_egf(tmp_path, real_data, sample_tarball):
    sequences, programs = testbed.held_out_subset(real_data / "oeis", sample_tarball, set(), [], size=20)
    want = taylor(lambda c, x: c.cos(c.log(1 + x)) / c.cos(x), 20)
    sequences[999001] = SequenceRecord(999001, "Expansion of e.g.f.: cos(log(1+x))/cos(x).", want, 0)
    found = testbed.mine_subset(tmp_path, sequences, programs, ["egf"])
    assert found[999001].strategy == "egf"


def _series_product(a: list[int], b: list[int]) -> list[int]:
    return [sum(a[i] * b[m - i] for i in range(m + 1)) for m in range(min(len(a), len(b)))]


CATALAN = "mov $1,$0\nmul $0,2\nbin $0,$1\nadd $1,1\ndiv $0,$1\n"


def test_a_letter_bound_to_a_sequences_gf_is_read_from_its_program():
    from miner.lang import Corpus, check_terms

    corpus = Corpus({108: CATALAN})
    cat = [comb(2 * m, m) // (m + 1) for m in range(40)]
    dilated = [2 ** m * c for m, c in enumerate(cat)]
    spaced = [cat[m // 2] if m % 2 == 0 else 0 for m in range(40)]
    names = {
        "Expansion of c(x)^3, where c(x) is the g.f. of A000108.": _series_product(_series_product(cat, cat), cat),
        "Expansion of c(2*x) * c(x^2), c(x) the g.f. of A000108.": _series_product(dilated, spaced),
        "Expansion of g^2 - x*g, where g = 1+x*g^2 is the g.f. of A000108.":
            [a - (cat[m - 1] if m else 0) for m, a in enumerate(_series_product(cat, cat))],
    }
    ctx = SearchContext(corpus=corpus, known={108: Target(108, "Catalan", (), 0)})
    for name, want in names.items():
        terms = tuple(want[:25])
        found = [c.program for c in propose(Target(1, name, terms, 0), ctx, 4, None)]
        assert found and check_terms(found[0], want[:40], corpus).ok, name
        assert not list(propose(Target(1, name, terms[:-1] + (terms[-1] + 1,), 0), ctx, 4, None))
    # without the sequence's program there is nothing to read
    assert not list(propose(Target(1, "Expansion of c(x)^3, where c(x) is the g.f. of A000108.", terms, 0),
                            SearchContext(corpus=Corpus({})), 4, None))


def test_a_gf_of_a_sequence_whose_program_starts_elsewhere_is_aligned():
    from miner.lang import Corpus, check_terms

    # a sequence n^2 from n = 1 whose program starts at 0 (term i is (i+1)^2), as A007947's in the corpus
    corpus = Corpus({7: "add $0,1\npow $0,2\n"})
    squares = [m * m for m in range(40)]
    want = _series_product(squares, squares)
    name = "Expansion of A(x)^2, where A(x) is the g.f. of the squares (A000007)."
    ctx = SearchContext(corpus=corpus, known={7: Target(7, "squares", (), 1)})
    found = [c.program for c in propose(Target(1, name, tuple(want[2:27]), 2), ctx, 4, None)]
    assert found and check_terms(found[0], want[2:40], corpus).ok


def test_a_power_series_given_by_its_coefficients_is_read():
    from miner.lang import Corpus, check_terms

    four = [comb(4 * k, k) for k in range(40)]
    lacunary = [k if k * k == m else 0 for m in range(40) for k in [int(m ** 0.5 + 0.5)]]
    names = {
        "Expansion of (Sum_{k>=0} binomial(4*k,k) * x^k)^3.": _series_product(_series_product(four, four), four),
        "Expansion of ( Sum_{k>=0} k*q^(k^2) )^3.": _series_product(_series_product(lacunary, lacunary), lacunary),
        "Expansion of 1/(1 - Sum_{k>=1} k*x^(2*k)).": None,
    }
    evens = [k // 2 if k % 2 == 0 and k else 0 for k in range(40)]
    inverse = [1] + [0] * 39
    for m in range(1, 40):
        inverse[m] = sum(evens[j] * inverse[m - j] for j in range(1, m + 1))
    names["Expansion of 1/(1 - Sum_{k>=1} k*x^(2*k))."] = inverse
    for name, want in names.items():
        parsed = parse_name(name)
        assert parsed is not None, name
        offset = 2 if "q^" in name else 0  # the lacunary cube starts at q^3: a(n) for n from 3, say
        terms = tuple(want[offset:offset + 25])
        found = programs_for(Target(1, name, terms, offset), Corpus({}))
        assert found and check_terms(found[0], want[offset:40], Corpus({})).ok, name


def test_a_direct_sum_of_copies_of_a_lattice_is_a_power_of_its_theta_series():
    from miner.lang import Corpus, check_terms

    # the series is whatever the cited sequence's program gives (a stand-in for r_2(n) here)
    corpus = Corpus({4018: "mul $0,2\nadd $0,1\n"})
    r2 = [2 * m + 1 for m in range(40)]
    want = _series_product(_series_product(r2, r2), r2)
    name = "Theta series of direct sum of 3 copies of square lattice."
    found = [c.program for c in propose(Target(1, name, tuple(want[:30]), 0),
                                        SearchContext(corpus=corpus, known={4018: Target(4018, "", (), 0)}), 4, None)]
    assert found and check_terms(found[0], want[:40], corpus).ok


def test_an_egf_may_hold_a_cited_sequences_ordinary_gf():
    from miner.lang import Corpus, check_terms

    corpus = Corpus({108: CATALAN})
    f = [Fraction(0)] + [Fraction(comb(2 * k, k) // (k + 1)) for k in range(39)]  # x*C(x)
    h = [Fraction(1)] + [Fraction(0)] * 39  # exp(x*C(x)): m h(m) = sum k f(k) h(m-k)
    for m in range(1, 40):
        h[m] = sum(k * f[k] * h[m - k] for k in range(1, m + 1)) / m
    want = [int(h[m] * factorial(m)) for m in range(40)]
    name = "E.g.f.: exp(x*G(x)) where G(x) = 1 + x*G(x)^2 is the g.f. of A000108."
    ctx = SearchContext(corpus=corpus, known={108: Target(108, "Catalan", (), 0)})
    found = [c.program for c in propose(Target(1, name, tuple(want[:25]), 0), ctx, 4, None)]
    assert found and check_terms(found[0], want[:40], corpus).ok


def test_an_equation_may_hold_its_series_at_c_times_x():
    # A(x) = 1 + x*A(2x): a(m) = 2^(m-1) a(m-1), so 2^(m(m-1)/2)
    powers = [2 ** (m * (m - 1) // 2) for m in range(N)]
    progs = programs_for(Target(1, "G.f. A(x) satisfies: A(x) = 1 + x*A(2*x).", tuple(powers[:12]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == powers
    # A(x) = 1/(1 - x - x*A(3x)), its coefficients by the product written out
    a = [Fraction(1)]
    for m in range(1, N):  # A = 1 + (x + x A(3x)) A
        b = [Fraction(int(i == 1)) + (3 ** (i - 1) * a[i - 1] if i >= 1 else 0) for i in range(m + 1)]
        a.append(sum(b[i] * a[m - i] for i in range(1, m + 1)))
    want = [int(v) for v in a]
    progs = programs_for(Target(1, "G.f. A(x) satisfies: A(x) = 1 / (1 - x - x * A(3*x)).", tuple(want[:12]), 0))
    assert len(progs) == 1 and evaluate(progs[0], N) == want
    alternating = parse_name("G.f. A(x) satisfies: A(x) = 1 + x*A(-x)^2.")
    assert alternating is not None and terms_of(alternating, 4) is not None
    assert parse_name("G.f. A(x) satisfies: A(x) = 1 + x*A(x/2).") is None or \
        programs_for(Target(1, "G.f. A(x) satisfies: A(x) = 1 + x*A(x/2).", (1, 1, 1, 1, 1, 1, 1, 1), 0)) == []


def test_a_series_coefficient_calling_a_sequence_is_aligned_to_its_program():
    from miner.lang import Corpus, check_terms

    # A000007 here: n^2 from n = 1, its program from 0 (term i is (i+1)^2)
    corpus = Corpus({7: "add $0,1\npow $0,2\n"})
    squares = [k * k if k else 0 for k in range(40)]
    want = _series_product(squares, squares)
    name = "Expansion of (Sum_{k>=1} A000007(k)*x^k)^2."
    ctx = SearchContext(corpus=corpus, known={7: Target(7, "squares", (), 1)})
    found = [c.program for c in propose(Target(1, name, tuple(want[2:27]), 2), ctx, 4, None)]
    assert found and check_terms(found[0], want[2:40], corpus).ok
