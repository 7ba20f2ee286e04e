"""Formula-from-name compiler: grammar cases and real `a(n) = ...` names of corpus sequences."""

from __future__ import annotations

from fractions import Fraction
from math import comb, gcd, isqrt, prod
from pathlib import Path
from typing import Any

import pytest
import testbed

from miner.lang import check_terms
from miner.search.formula import FormulaError, formula_fragments, parse_formula, programs_from_name, quotient_parts


@pytest.mark.parametrize("name,terms", [
    ("a(n) = n*(7^n - 1) + 1.", [n * (7 ** n - 1) + 1 for n in range(12)]),
    ("a(n) = 3*n^2 + 2*n + 1", [3 * n * n + 2 * n + 1 for n in range(12)]),
    ("a(n) = 3n^2 + 2n + 1 for n >= 0.", [3 * n * n + 2 * n + 1 for n in range(12)]),
    ("a(n) = floor(n^2/3).", [n * n // 3 for n in range(12)]),
    ("a(n) = ceiling(n^2/3).", [-(-n * n // 3) for n in range(12)]),
    ("n^3 mod 7.", [n ** 3 % 7 for n in range(12)]),
    ("a(n) = gcd(n, 6).", [__import__("math").gcd(n, 6) for n in range(12)]),
    ("(n!)^2.", [__import__("math").factorial(n) ** 2 for n in range(10)]),
    ("a(n) = binomial(2n,n) - n", [__import__("math").comb(2 * n, n) - n for n in range(12)]),
    ("a(n) = Sum_{k=0..n} binomial(n,k)^2.", [__import__("math").comb(2 * n, n) for n in range(10)]),
    ("a(n) = Product_{k=1..n} (2k-1).", [__import__("math").prod(range(1, 2 * n, 2)) for n in range(10)]),
    ("Triangular numbers: a(n) = binomial(n+1,2) = n*(n+1)/2.", [n * (n + 1) // 2 for n in range(12)]),
])
def test_formulas_compile_to_correct_programs(name, terms):
    programs = programs_from_name(name)
    assert programs, name
    assert any(check_terms(p, terms).ok for p in programs), name


def _double_factorial(n: int) -> int:
    return __import__("math").prod(range(n, 0, -2))


@pytest.mark.parametrize("name,terms,offset", [
    ("a(n) = n!!.", [_double_factorial(n) for n in range(16)], 0),
    ("a(n) = (2n-1)!! * n.", [_double_factorial(2 * n - 1) * n for n in range(1, 14)], 1),
    ("a(n) = [n/3] + [n^2/5].", [n // 3 + n * n // 5 for n in range(16)], 0),
    ("a(n) = (-1)^n*n + n^2.", [(-1) ** n * n + n * n for n in range(16)], 0),
    ("a(n) = n^2 mod (n+3).", [n * n % (n + 3) for n in range(16)], 0),
    ("a(n) = n^3/6 + 3*n^2 + 41*n/6 + 3.", [(n ** 3 + 18 * n * n + 41 * n + 18) // 6 for n in range(16)], 0),
    ("a(n) = Sum_{d|n} d^2.", [sum(d * d for d in range(1, n + 1) if n % d == 0) for n in range(1, 25)], 1),
    ("a(n) = Sum_{d|n} d*(n/d)^2.", [sum(d * (n // d) ** 2 for d in range(1, n + 1) if n % d == 0)
                                     for n in range(1, 25)], 1),
    ("a(n) = abs(n^2 - 10*n).", [abs(n * n - 10 * n) for n in range(16)], 0),
    ("a(n) = |3*n - 20| + 1.", [abs(3 * n - 20) + 1 for n in range(16)], 0),
    ("a(n) = lcm(n, 6).", [__import__("math").lcm(n, 6) for n in range(1, 25)], 1),
    ("a(n) = lcm(n-3, n+3).", [__import__("math").lcm(n - 3, n + 3) for n in range(4, 25)], 4),
    ("a(n) = round(n^2/7).", [round(n * n / 7) for n in range(40)], 0),  # no exact halves
    ("a(n) = round(n/2).", [(n + 1) // 2 for n in range(40)], 0),  # halves round up
    ("a(n) = sigma_2(n) - n.", [sum(d * d for d in range(1, n + 1) if n % d == 0) - n for n in range(1, 25)], 1),
    ("a(n) = sigma_{3}(2*n).", [sum(d ** 3 for d in range(1, 2 * n + 1) if 2 * n % d == 0) for n in range(1, 20)], 1),
    ("a(n) = floor(log_2(n)) + 1.", [n.bit_length() for n in range(1, 40)], 1),
    ("a(n) = n - log_3(n).", [n - next(k for k in range(9) if 3 ** (k + 1) > n) for n in range(1, 40)], 1),
])
def test_grammar_extensions(name, terms, offset):
    programs = programs_from_name(name, offset)
    assert programs, name
    assert any(check_terms(p, terms).ok for p in programs), name


def test_recurrences_take_initial_terms_from_the_data():
    seq = [1]
    for n in range(1, 25):
        seq.append(2 * seq[-1] + n)
    programs = programs_from_name("a(n) = 2*a(n-1) + n with a(0)=1.", 0, tuple(seq))
    # Initial terms a(0), a(0..1), a(0..2): all hold here, the shortest comes first.
    assert len(programs) == 3 and all(check_terms(p, seq).ok for p in programs)
    quad = [1, 1]
    for n in range(2, 9):
        quad.append(quad[-1] ** 2 + n * quad[-2])
    programs = programs_from_name("a(n) = a(n-1)^2 + n*a(n-2), a(0) = a(1) = 1.", 0, tuple(quad))
    assert check_terms(programs[0], quad).ok
    # Only from a(2) on: a(1) = 1 is not 2*a(0) + 1, so two initial terms are needed.
    late = [7, 1]
    for n in range(2, 20):
        late.append(2 * late[-1] + n)
    programs = programs_from_name("a(n) = 2*a(n-1) + n for n > 1.", 0, tuple(late))
    assert not check_terms(programs[0], late).ok and any(check_terms(p, late).ok for p in programs)
    # Terms growing fast: a(10) has ~2350 bits and a(11) would pass LODA's 3840-bit limit, so a loop
    # that ran ahead of the last term it needs would fail; this one reproduces all ten known terms.
    cubes = [0, 1]
    while len(cubes) < 10:
        cubes.append(cubes[-1] ** 3 + cubes[-2])
    programs = programs_from_name("a(n) = a(n-1)^3 + a(n-2) with a(0)=0, a(1)=1.", 0, tuple(cubes))
    assert check_terms(programs[0], cubes).ok
    # Only earlier terms with constant lags are understood.
    assert programs_from_name("a(n) = a(floor(n/2)) + 1.", 0, tuple(range(20))) == []


def test_named_sequences_compile_to_seq_calls_and_need_the_corpus(sample_tarball: Path):
    from miner.lang import Corpus
    from miner.search.formula import propose, seq_callees
    from miner.search.types import SearchContext, Target

    def sigma(n: int) -> int:
        return sum(d for d in range(1, n + 1) if n % d == 0)

    corpus = Corpus.from_path(sample_tarball)
    terms = tuple(sigma(n) + n for n in range(1, 30))
    target = Target(999999, "a(n) = sigma(n) + n.", terms, 1)
    cands = list(propose(target, SearchContext(corpus=corpus), 4, None))
    assert cands and seq_callees(cands[0].program) == {203}
    assert check_terms(cands[0].program, list(terms), corpus).ok
    assert list(propose(target, SearchContext(corpus=corpus.without([203])), 4, None)) == []


def test_stirling_numbers_are_terms_of_their_triangle_and_zero_outside(sample_tarball: Path):
    from math import factorial

    from miner.lang import Corpus
    from miner.search.formula import seq_callees

    corpus = Corpus.from_path(sample_tarball)  # holds A048994, Stirling numbers of the first kind, signed
    for name, terms in (("a(n) = Sum_{k=0..n} |Stirling1(n,k)|.", [factorial(n) for n in range(9)]),
                        ("a(n) = Stirling1(n+1, n).", [-(n + 1) * n // 2 for n in range(12)]),
                        ("a(n) = Stirling1(n, n+1) + Stirling1(n, -1) + n.", list(range(12)))):
        programs = programs_from_name(name)
        assert programs and all(seq_callees(p) == {48994} for p in programs), name
        assert check_terms(programs[0], terms, corpus).ok, name


def test_readers_that_evaluate_formulas_in_python_agree_on_the_new_functions():
    """`suchthat` and `selfref` compute a name's formula in Python before compiling it: lcm and abs there
    give what the compiled code gives, and a function they cannot evaluate (Stirling) is no read."""
    from math import gcd

    from miner.search import selfref, suchthat
    from miner.search.types import SearchContext, Target

    coprime = tuple(k for k in range(1, 80) if gcd(k, 6) == 1)
    cands = list(suchthat.propose(Target(999999, "Numbers k such that lcm(k, 6) = 6*k.", coprime, 1),
                                  SearchContext(), 4, None))
    assert cands and check_terms(cands[0].program, list(coprime)).ok
    rule = [0, 1]
    for n in range(2, 40):
        rule.append(abs(rule[n - 1] - rule[n // 2]) + n)
    cands = list(selfref.propose(Target(999998, "a(0)=0, a(1)=1, a(n) = abs(a(n-1) - a(floor(n/2))) + n.",
                                        tuple(rule), 0), SearchContext(), 4, None))
    assert cands and check_terms(cands[0].program, rule).ok
    odd = tuple(range(1, 60, 2))
    assert list(suchthat.propose(Target(999997, "Numbers k such that Stirling1(k, 1) > 0.", odd, 1),
                                 SearchContext(), 4, None)) == []


def test_strictness():
    for text in ("Expansion of (1-x)/(1-2x)", "Number of partitions of n into distinct parts",
                 "a(n) = a(n-1) + 1", "a(n) = n^2 + foo(n)"):
        assert programs_from_name(text) == [], text
    with pytest.raises(FormulaError):
        parse_formula("n + ")
    assert formula_fragments("a(n) = 2^n + 1; also a(n) = 3*a(n-1) - 2*a(n-2).") == \
        ["2^n + 1", "3*a(n-1) - 2*a(n-2)"]


def test_real_names_of_corpus_sequences(real_data: Path):
    """Names with `a(n) =` among the first corpus sequences: most compile, and compiled ones mostly hold."""
    names = testbed.first_names(real_data / "oeis", lambda name: "a(n) = " in name, 400)
    records = testbed.read_oeis(real_data / "oeis", set(names))
    compiled = reproduced = 0
    for a, name in names.items():
        programs = programs_from_name(name, records[a].offset)
        if not programs:
            continue
        compiled += 1
        if any(check_terms(p, records[a].terms[:40]).ok for p in programs[:3]):
            reproduced += 1
    # Figures seen when this test was written: 400 names, ~half compile, ~70% of those reproduce.
    assert compiled >= 100
    assert reproduced >= 0.5 * compiled


def test_real_recurrence_names_of_corpus_sequences(real_data: Path):
    """Names like `a(n) = a(n-1)^2 + a(n-2)` among the first corpus sequences reproduce every known term."""
    names = testbed.first_names(real_data / "oeis", lambda name: "a(n) = " in name and "a(n-1)" in name, 200)
    records = testbed.read_oeis(real_data / "oeis", set(names))
    compiled = reproduced = 0
    for a, name in names.items():
        programs = programs_from_name(name, records[a].offset, tuple(records[a].terms))
        if programs:
            compiled += 1
            reproduced += any(check_terms(p, records[a].terms).ok for p in programs[:3])
    # Seen when written: 200 names, 167 compile, 160 reproduce every known term.
    assert compiled >= 150
    assert reproduced >= 0.9 * compiled


def rows(formula, first_row: int, first_col: int, extra: int, count: int) -> list[int]:
    """The triangle T(n,k), k = first_col..n+extra, read by rows from n = first_row: the first count terms."""
    out: list[int] = []
    n = first_row
    while len(out) < count:
        out += [formula(n, k) for k in range(first_col, n + extra + 1)]
        n += 1
    return out[:count]


@pytest.mark.parametrize("name,formula,layout", [
    ("Triangle read by rows: T(n,k) = binomial(n,k)*k^k.", lambda n, k: __import__("math").comb(n, k) * k**k, (0, 0, 0)),
    ("Triangle read by rows: T(n,k) = n^(k-1)*(k - 1)! with 1 <= k <= n.",
     lambda n, k: n ** (k - 1) * __import__("math").factorial(k - 1), (1, 1, 0)),
    ("Triangle read by rows: T(n, k) = n*k + n - k, for 0 <= k < n.", lambda n, k: n * k + n - k, (1, 0, -1)),
    ("Triangle read by rows: T(n,k) = Sum_{j=0..k} (-1)^j * binomial(k,j) * (3-j)^n.",
     lambda n, k: sum((-1) ** j * __import__("math").comb(k, j) * (3 - j) ** n for j in range(k + 1)), (0, 0, 0)),
    ("Triangle read by rows: T(n,k) = 2^k + n, 0 <= k <= n, n >= 1.", lambda n, k: 2**k + n, (1, 0, 0)),
    # 2^(k - 2) is a fraction at k = 1, the entry is whole; the first column is stated apart (A395032)
    ("Triangle read by rows: T(n, k) = binomial(n, k) * binomial(2*n + 2, k) * 2^(k - 2) / (k + 1) for k > 0, T(n, 0) = 1.",
     lambda n, k: 1 if k == 0 else int(Fraction(comb(n, k) * comb(2 * n + 2, k) * 2**k, 4 * (k + 1))), (0, 0, 0)),
    # undefined (/n) on row 0, whose entry the name states with the column (A094385)
    ("Triangle read by rows: T(n, k) = binomial(2*n, k-1)*binomial(2*n-k-1, n-k)/n for n, k >= 1, and T(n, 0) = 0^n.",
     lambda n, k: int(n == 0) if k == 0 else comb(2 * n, k - 1) * comb(2 * n - k - 1, n - k) // n, (0, 0, 0)),
])
def test_triangles_read_by_rows_compile_in_the_layout_the_terms_show(name, formula, layout):
    terms = rows(formula, *layout, 120)
    programs = programs_from_name(name, 0, tuple(terms[:30]))
    solved = [p for p in programs if check_terms(p, terms[:30]).ok]
    assert solved, name
    assert check_terms(solved[0], terms).ok  # 120 terms, far past the 30 it was picked on
    # a name that is no triangle gives no T(n,k) program
    assert not [p for p in programs_from_name(name.replace("Triangle read by rows", "Numbers"), 0) if check_terms(p, terms[:30]).ok]


def test_numerators_and_denominators_of_quotients_in_lowest_terms():

    cases = [
        ("a(n) = numerator(n/(n+11)).", 0, lambda n: Fraction(n, n + 11).numerator),
        ("a(n) = denominator((n^2 - 7)/(2*n + 4)).", 0, lambda n: Fraction(n * n - 7, 2 * n + 4).denominator),
        ("a(n) = numerator((n^2 - 7)/(4 - 2*n)).", 3, lambda n: Fraction(n * n - 7, 4 - 2 * n).numerator),  # sign on top
    ]
    for name, offset, f in cases:
        terms = [f(n) for n in range(offset, offset + 80)]
        solved = [p for p in programs_from_name(name, offset, tuple(terms[:30])) if check_terms(p, terms[:30]).ok]
        assert solved, name
        assert check_terms(solved[0], terms).ok, name
    triangle = rows(lambda n, k: Fraction(8 * n**3 * k, k * k + 4 * n * n).denominator, 1, 1, 0, 100)
    name = "Triangle read by rows: T(n, k) = denominator(8*n^3*k/(k^2+4*n^2))."
    solved = [p for p in programs_from_name(name, 1, tuple(triangle[:30])) if check_terms(p, triangle[:30]).ok]
    assert solved and check_terms(solved[0], triangle).ok
    with pytest.raises(FormulaError):  # a quotient inside a function is not taken apart
        quotient_parts(parse_formula("numerator(floor(n/2)/3)").args[0])


def test_linear_congruential_generators_compile_to_their_recurrence():
    def states(a: int, c: int, m: int, s: int, count: int) -> list[int]:
        out = [s]
        while len(out) < count:
            out.append((a * out[-1] + c) % m)
        return out

    for name, (a, c, m) in (
            ("Consecutive internal states of the linear congruential pseudo-random number generator "
             "(5^11*s+36643009) mod 2^30 when started at s=1.", (5**11, 36643009, 2**30)),
            ("Consecutive states of Lehmer's original linear congruential pseudo-random number generator "
             "23*s mod (10^8+1) when started at s=1.", (23, 0, 10**8 + 1))):
        full = states(a, c, m, 1, 200)
        solved = [p for p in programs_from_name(name, 1, tuple(full[:20])) if check_terms(p, full[:20]).ok]
        assert solved and check_terms(solved[0], full).ok, name


def test_a_cited_sequence_read_mod_m_gives_nonnegative_residues(sample_tarball: Path):
    from miner.lang import Corpus

    corpus = Corpus(testbed.read_corpus(sample_tarball))
    fibonacci = [0, 1]
    while len(fibonacci) < 60:
        fibonacci.append(fibonacci[-1] + fibonacci[-2])
    terms = [v % 49 for v in fibonacci]
    name = "Fibonacci numbers (A000045) read mod 7^2."
    assert [p for p in programs_from_name(name, 0, tuple(terms)) if check_terms(p, terms, corpus).ok]
    # a cited sequence with negative terms (here -3n): its residues are still taken from 0 up, which
    # only the second reading gives under LODA's sign-keeping mod
    signed = Corpus({7: "mul $0,-3\n"})
    terms = [(-3 * n) % 5 for n in range(40)]
    programs = programs_from_name("Negated triples (A000007) read mod 5.", 0)
    assert [check_terms(p, terms, signed).ok for p in programs][:2] == [False, True]


def antidiagonals(f, first: int, flip: bool, count: int) -> list[int]:
    out: list[int] = []
    d = 0
    while len(out) < count:
        for j in range(d + 1):
            n, k = (j, d - j) if flip else (d - j, j)
            out.append(f(n + first, k + first))
        d += 1
    return out[:count]


@pytest.mark.parametrize("name, f, first, flip", [
    ("Array read by ascending antidiagonals: A(n, k) = k^n.", lambda n, k: k**n, 0, False),
    ("Square array read by upwards antidiagonals: T(n,k) = n^k for n >= 0, k >= 0.", lambda n, k: n**k, 0, True),
    ("Array T(n,k) = ((n+k)^2 + n-k)/2, n, k > 0, read by antidiagonals.", lambda n, k: ((n + k) ** 2 + n - k) // 2, 1, False),
    ("Table T(n,k) = 3*n + 2*k read by antidiagonals.", lambda n, k: 3 * n + 2 * k, 1, True),
    # another letter for the second index; numerator() of a quotient in lowest terms
    ("Array read by ascending antidiagonals: A(n,m) = numerator(n*(m^2 - 1)/(m^2 + 1)), where m > 0.",
     lambda n, m: __import__("fractions").Fraction(n * (m * m - 1), m * m + 1).numerator, 1, False),
])
def test_arrays_read_by_antidiagonals_compile_in_the_order_the_terms_show(name, f, first, flip):
    terms = antidiagonals(f, first, flip, 120)
    solved = [p for p in programs_from_name(name, 0, tuple(terms[:30])) if check_terms(p, terms[:30]).ok]
    assert solved, name
    assert check_terms(solved[0], terms).ok
    other = antidiagonals(f, first, not flip, 30)
    if other != terms[:30]:  # the transposed order is another sequence: its program is another one
        assert not check_terms(solved[0], other).ok


TAU = """mov $1,$0
mov $2,$0
mov $0,0
lpb $2
  mov $3,$1
  mov $4,$2
  max $4,1
  mod $3,$4
  equ $3,0
  add $0,$3
  sub $2,1
lpe
"""


def test_a_named_function_of_a_formula_calls_its_sequence():
    from miner.lang import Corpus
    from miner.search.formula import formula_fragments

    assert "A006530(2^n+1)" in formula_fragments("Largest prime factor of 2^n+1.")
    assert "A008472(C(3*n, n))" in formula_fragments("Sum of the distinct prime divisors of C(3*n, n).")
    # prose after the argument is no formula: no call of the divisor count
    assert not [p for p in programs_from_name("Number of divisors of n that are congruent to 8 modulo 10.", 1)
                if any(o.op == "seq" and o.source.value == 5 for o in p.ops)]
    corpus = Corpus({5: TAU})
    terms = [sum(1 for d in range(1, 2 * n + 2) if (2 * n + 1) % d == 0) for n in range(40)]
    solved = [p for p in programs_from_name("Number of divisors of 2*n+1.", 0) if check_terms(p, terms, corpus).ok]
    assert solved and any(o.op == "seq" and o.source.value == 5 for o in solved[0].ops)
    assert not [p for p in programs_from_name("Number of divisors of 2*n+5.", 0) if check_terms(p, terms, corpus).ok]
    # a name counting n from one later than its data is read shifted, after the formula as written
    late = programs_from_name("Number of divisors of 2*n+3.", 0)
    assert [check_terms(p, terms, corpus).ok for p in late].index(True) > 0 and late[0].ops[0].op != "sub"


def test_a_formula_is_tried_with_n_one_before_and_after_the_offset() -> None:
    from miner.lang.evaluator import evaluate

    # n^2 stated, the data 0, 1, 4, ... from a(1) (as A093880 states lcm(1..2n)/lcm(1..n) and lists it from n-1)
    squares = [(n - 1) ** 2 for n in range(1, 30)]
    progs = [p for p in programs_from_name("a(n) = n^2.", 1) if check_terms(p, squares).ok]
    assert progs and evaluate(progs[0], 40) == [(n - 1) ** 2 for n in range(1, 41)]
    assert not [p for p in programs_from_name("a(n) = n^2.", 1) if check_terms(p, [(n - 2) ** 2 for n in range(1, 30)]).ok]


def _decimal_floor(expr, n: int, digits: int = 80) -> int:
    """floor of a real expression in n, computed in 80-digit decimals: independent of `reals`' identities."""
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = digits
        return int(expr(decimal.Decimal(n)).to_integral_value(rounding=decimal.ROUND_FLOOR))


def _sqrt(x: int):
    import decimal

    return decimal.Decimal(x).sqrt()


@pytest.mark.parametrize("name,expr,offset", [
    ("a(n) = floor(n*sqrt(2)).", lambda n: n * _sqrt(2), 0),
    ("a(n) = [n*sqrt(3)] + n.", lambda n: n * _sqrt(3) + n, 0),
    ("a(n) = floor(n*(sqrt(13)+sqrt(2))).", lambda n: n * (_sqrt(13) + _sqrt(2)), 0),
    ("a(n) = floor(n*(sqrt(7)-sqrt(3))).", lambda n: n * (_sqrt(7) - _sqrt(3)), 0),
    ("a(n) = floor(n*(1 - sqrt(5))/2).", lambda n: n * (1 - _sqrt(5)) / 2, 0),  # negative: the signed reading
    ("a(n) = floor(n*(3 + sqrt(3))/2) - 1.", lambda n: n * (3 + _sqrt(3)) / 2 - 1, 0),
    ("a(n) = ceiling(n*sqrt(2)).", lambda n: -n * _sqrt(2), 0),  # ceiling(x) = -floor(-x)
    ("a(n) = round(n*sqrt(3)).", lambda n: n * _sqrt(3) + __import__("decimal").Decimal("0.5"), 0),
    ("a(n) = floor(2*3^(n+1/2)).", lambda n: 2 * 3 ** n * _sqrt(3), 0),
    ("a(n) = floor(n*(sqrt(n - 1) + 2)/2).", lambda n: n * ((n - 1).sqrt() + 2) / 2, 1),
    ("a(n) = floor(sqrt(n + sqrt(n))).", lambda n: (n + n.sqrt()).sqrt(), 0),
    ("a(n) = floor(n*phi^15), where phi is the golden ratio.", lambda n: n * ((1 + _sqrt(5)) / 2) ** 15, 0),
    ("a(n) = floor(n*sqrt(2)*sqrt(8)/3).", lambda n: 4 * n / 3, 0),  # sqrt(2)*sqrt(8) = 4 exactly: no decimals
])
def test_floors_of_real_expressions_are_exact(name, expr, offset):
    terms = [_decimal_floor(expr, n) for n in range(offset, offset + 60)]
    if "ceiling" in name:
        terms = [-t for t in terms]
    programs = programs_from_name(name, offset)
    assert any(check_terms(p, terms).ok for p in programs), name
    # the integer arithmetic as written (sqrt as the integer root) gets them wrong; floor(sqrt(y)) needs none
    from miner.search.formula import compile_formula, formulas_in_name

    as_written = compile_formula(formulas_in_name(name)[0], offset)
    assert check_terms(as_written, terms).ok == ("sqrt(n +" in name)


@pytest.mark.parametrize("name,terms,offset", [
    ("a(n) = floor(2*log_2(n)) + 2.", [int(2 * __import__("math").log2(n)) + 2 for n in range(1, 200)], 1),
    ("a(n) = (1/(n+1))*binomial(2n,n).", [__import__("math").comb(2 * n, n) // (n + 1) for n in range(20)], 0),
    ("a(n) = n! * Sum_{k=1..n} 1/k.",
     [int(__import__("math").factorial(n) * sum(__import__("fractions").Fraction(1, k) for k in range(1, n + 1)))
      for n in range(1, 16)], 1),
    ("a(n) = (n^3 - 40) mod 7.", [(n ** 3 - 40) % 7 for n in range(30)], 0),  # OEIS residues are nonnegative
    ("a(n) = 4*p - floor(2*sqrt(p))^2, where p = n^2 + 3.",
     [4 * (n * n + 3) - __import__("math").isqrt(4 * (n * n + 3)) ** 2 for n in range(40)], 0),
    ("a(n) = L(3*n)/L(n) where L(n) = Lucas-like 2^n + 1.", [(8 ** n + 1) // (2 ** n + 1) for n in range(20)], 0),
    ("a(n) = s*(s+1)/2 + t where s = n^2 and t = 2*n are the square and the double.",
     [n ** 2 * (n ** 2 + 1) // 2 + 2 * n for n in range(20)], 0),
])
def test_exact_readings_of_logarithms_rational_factors_residues_and_definitions(name, terms, offset):
    programs = programs_from_name(name, offset)
    assert any(check_terms(p, terms).ok for p in programs), name


def test_a_sum_never_reads_past_its_end(sample_tarball: Path):
    from miner.lang import Corpus

    corpus = Corpus.from_path(sample_tarball)  # holds A000040, the primes: prime(0) is no term
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
    terms = [sum(primes[k - 1] * primes[n - k] for k in range(1, n + 1)) for n in range(1, 12)]
    programs = programs_from_name("a(n) = Sum_{k=1..n} prime(k)*prime(n-k+1).", 1)
    assert programs and check_terms(programs[0], terms, corpus).ok


def test_what_the_exact_readings_leave_alone():
    from miner.search.formula import substituted

    # a where-clause that defines nothing in the formula's grammar, three surds, a nested root times n
    assert substituted("q - 2*p, where q is the greatest prime such that p = 2*n - q is prime") is None
    assert programs_from_name("a(n) = q - 2*p, where q is the greatest prime such that p=2*n - q is also prime.") == []
    three = [_decimal_floor(lambda n: n * (_sqrt(2) + _sqrt(3) + _sqrt(5)), n) for n in range(30)]
    assert not any(check_terms(p, three).ok for p in programs_from_name("a(n) = floor(n*(sqrt(2)+sqrt(3)+sqrt(5))).", 0))


def test_a_formula_reads_up_to_a_separator_before_text_outside_the_grammar(sample_tarball: Path):
    from miner.lang import Corpus

    fib = [0, 1]
    while len(fib) < 45:
        fib.append(fib[-1] + fib[-2])
    programs = programs_from_name("a(n) = F(2*n+1)^3, n>=0, with F = A000045 (Fibonacci).")
    corpus = Corpus.from_path(sample_tarball)
    assert programs and check_terms(programs[0], [fib[2 * n + 1] ** 3 for n in range(20)], corpus).ok
    assert any(check_terms(p, [(3 * n + 1) * (9 * n + 8) * 5 // 2 for n in range(20)]).ok
               for p in programs_from_name("a(n) = 5*(3*n+1)*(9*n+8)/2 (n>=0)."))
    # the unread text right after an expression, or inside it, leaves no formula
    assert programs_from_name("a(n) = n>=0.") == []
    assert programs_from_name("a(n) = smallest integer >= n with only prime factors 2, 3 and 5.") == []


@pytest.mark.parametrize("name,terms,offset", [
    ("a(0) = 1; a(n) = 4*5^(n-1) for n >= 1.", [1] + [4 * 5 ** (n - 1) for n in range(1, 25)], 0),
    ("a(n) = 2*n^2 - 6*n + 11 for n > 1 with a(0)=1 and a(1)=3.", [1, 3] + [2 * n * n - 6 * n + 11 for n in range(2, 30)], 0),
    ("a(0) = 1; thereafter a(n) = n^2 - n + 2.", [1] + [n * n - n + 2 for n in range(1, 30)], 0),
])
def test_a_formula_that_holds_from_where_the_name_says_takes_the_terms_before_from_the_data(name, terms, offset):
    programs = programs_from_name(name, offset, tuple(terms))
    assert any(check_terms(p, terms).ok for p in programs), name
    # without the data's first terms there is no such reading
    assert not any(check_terms(p, terms).ok for p in programs_from_name(name, offset)), name


def test_a_formula_is_not_given_its_first_terms_unless_the_name_says_where_it_starts():
    terms = (1,) + tuple(n * n for n in range(1, 30))  # n^2 except a(0) = 1
    assert not any(check_terms(p, list(terms)).ok for p in programs_from_name("a(n) = n^2.", 0, terms))


@pytest.mark.parametrize("name,terms", [
    ("The Collatz or 3x+1 map: a(n) = n/2 if n is even, 3n + 1 if n is odd.", [n // 2 if n % 2 == 0 else 3 * n + 1 for n in range(40)]),
    ("a(n) = 25*n+1 if n is odd and floor((n+6)/8) if n is even.", [25 * n + 1 if n % 2 else (n + 6) // 8 for n in range(40)]),
    ("If n odd, a(n) = n^2 else a(n) = n.", [n * n if n % 2 else n for n in range(40)]),
    ("If n is even, a(n) = n/2; if n is odd, a(n) = 5*n + 1.", [n // 2 if n % 2 == 0 else 5 * n + 1 for n in range(40)]),
    ("a(n) = n^2 for even n, n^3 for odd n.", [n ** 2 if n % 2 == 0 else n ** 3 for n in range(40)]),
    ("Juggler sequence: if n mod 2 = 0 then floor(sqrt(n)) else floor(n^(3/2)).",
     [__import__("math").isqrt(n if n % 2 == 0 else n ** 3) for n in range(40)]),
])
def test_formulas_by_the_parity_of_n(name, terms):
    assert any(check_terms(p, terms).ok for p in programs_from_name(name)), name


def test_only_a_parity_is_read_as_one():
    from miner.search.formula import piecewise

    assert piecewise("a(n) = 5 if n == 1, 2n otherwise.") is None  # n == 1 is no residue mod 2
    assert piecewise("a(n) = n^2 if n is even, n^3 if n is even.") is None


@pytest.mark.parametrize("name,terms,offset", [
    ("a(n) = n*(n^2 - 3*n + 10)*2^(n-4).", [n * (n * n - 3 * n + 10) * 2 ** n // 16 for n in range(30)], 0),
    ("a(n) = 2^(2*n - 1) - 2^(n - 1)*(n - 1).", [(2 ** (2 * n) - 2 ** n * (n - 1)) // 2 for n in range(30)], 0),
    ("a(n) = n^2 - 5*floor(n/sqrt(5))^2.", [n * n - 5 * __import__("math").isqrt(n * n // 5) ** 2 for n in range(1, 60)], 1),
])
def test_powers_below_one_and_divisions_by_roots_are_exact(name, terms, offset):
    assert any(check_terms(p, terms).ok for p in programs_from_name(name, offset)), name


def _prime_factors(n: int) -> list[int]:
    return [p for p in range(2, n + 1) if n % p == 0 and all(p % q for q in range(2, p))]


@pytest.mark.parametrize("name,value", [
    ("a(n) = Sum_{p|n} p^2.", lambda n: sum(p * p for p in _prime_factors(n))),
    ("a(n) = Sum_{d|n, d prime} (d+3).", lambda n: sum(p + 3 for p in _prime_factors(n))),
    ("a(n) = Product_{d|n} d.", lambda n: __import__("math").prod(d for d in range(1, n + 1) if n % d == 0)),
    # fractional factors over the primes dividing n: the products of numerators and denominators, divided once
    ("a(n) = n^2*Product_{p|n} (1 + 1/p).",
     lambda n: n * n * __import__("math").prod(p + 1 for p in _prime_factors(n)) // __import__("math").prod(_prime_factors(n))),
    ("a(n) = n*Product_{p|n} p/(p-1).",  # p-1 is 0 at d = 1: a divisor that is no prime never reaches the term
     lambda n: n * __import__("math").prod(_prime_factors(n)) // __import__("math").prod(p - 1 for p in _prime_factors(n))),
])
def test_sums_and_products_over_divisors_and_prime_divisors(sample_tarball: Path, name, value):
    from miner.lang import Corpus

    corpus = Corpus.from_path(sample_tarball)  # holds A010051, the characteristic function of the primes
    terms = [value(n) for n in range(1, 40)]
    assert any(check_terms(p, terms, corpus).ok for p in programs_from_name(name, 1)), name


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@pytest.mark.parametrize("name,value", [
    ("a(n) = Sum_{d|n, d<n} d^2.", lambda n: sum(d * d for d in _divisors(n) if d < n)),
    ("a(n) = Sum_{d|n, d == 1 (mod 4)} d.", lambda n: sum(d for d in _divisors(n) if d % 4 == 1)),
    ("a(n) = Sum_{d|n, n/d==1 mod 3} d.", lambda n: sum(d for d in _divisors(n) if n // d % 3 == 1)),
    ("a(n) = Sum_{d|n, d odd} d^3.", lambda n: sum(d ** 3 for d in _divisors(n) if d % 2)),
    ("a(n) = Sum_{d|n, d < sqrt(n)} d.", lambda n: sum(d for d in _divisors(n) if d * d < n)),
    ("a(n) = Sum_{d|n, d <= sqrt(n)} (-1)^d.", lambda n: sum((-1) ** d for d in _divisors(n) if d * d <= n)),
    ("a(n) = Product_{d|n, d>2} d.", lambda n: __import__("math").prod(d for d in _divisors(n) if d > 2)),
])
def test_sums_and_products_over_the_divisors_a_condition_lets_pass(name, value):
    terms = [value(n) for n in range(1, 60)]
    assert any(check_terms(p, terms).ok for p in programs_from_name(name, 1)), name



def test_a_call_in_a_name_is_aligned_to_its_programs_offset():
    from miner.lang import Corpus
    from miner.search.formula import aligned, parse_formula, propose
    from miner.search.types import SearchContext, Target

    # as A007947's in the corpus: a program of offset 0 whose term i is the sequence's a(i+1) (it starts at 1)
    corpus = Corpus({7947: "add $0,1\npow $0,2\n"})
    known = {7947: Target(7947, "squares from 1", (), 1)}
    ctx = SearchContext(corpus=corpus, known=known)
    terms = [n * n + n for n in range(1, 41)]
    target = Target(1, "a(n) = A007947(n) + n.", tuple(terms), 1)
    raw = programs_from_name(target.name, 1, target.terms)
    assert raw and not any(check_terms(p, terms, corpus).ok for p in raw)  # a(n+1) in place of a(n)
    assert [c.program for c in propose(target, ctx, 8, None) if check_terms(c.program, terms, corpus).ok]
    # a callee whose program starts where its sequence does is called as written
    assert aligned(raw[0], corpus, lambda a: 0) is raw[0]
    assert "7947" in repr(parse_formula("tau(rad(n))"))


@pytest.mark.parametrize("name,offset,f", [
    ("a(n) = Sum_{k=1..n, k does not divide n} gcd(k,n).", 1, lambda n: sum(gcd(k, n) for k in range(1, n + 1) if n % k)),
    ("a(n) = Sum_{k=1..n, gcd(k,n)=1} k.", 1, lambda n: sum(k for k in range(1, n + 1) if gcd(k, n) == 1)),
    ("a(n) = Sum_{k=1..n, k|n} k^2.", 1, lambda n: sum(k * k for k in range(1, n + 1) if n % k == 0)),
    ("a(n) = Sum_{k<=n} k^2.", 1, lambda n: sum(k * k for k in range(1, n + 1))),
    ("a(n) = Product_{k<n} (2*k+1).", 1, lambda n: prod(2 * k + 1 for k in range(1, n))),
    ("a(n) = n AND NOT n^2.", 0, lambda n: n & ~(n * n)),
    ("a(n) = n XOR 3*n.", 0, lambda n: n ^ (3 * n)),
    ("a(n) = (n XOR n*2+1) for odd n, (n XOR n/2) for even n.", 0, lambda n: n ^ (2 * n + 1) if n % 2 else n ^ (n // 2)),
    ("a(n) = n OR 2^n.", 0, lambda n: n | (1 << n)),
    ("a(n) = n^2 if n is odd, 0 otherwise.", 0, lambda n: n * n if n % 2 else 0),
    ("a(n) = n + 1 if 3 divides n, otherwise 0.", 0, lambda n: 0 if n % 3 else n + 1),
])
def test_conditional_sums_bounds_and_bitwise_operators_are_read(name, offset, f):
    from miner.lang import Corpus

    terms = [f(n) for n in range(offset, offset + 40)]
    assert any(check_terms(p, terms, Corpus({})).ok for p in programs_from_name(name, offset, tuple(terms)))
    wrong = [t + (i == 30) for i, t in enumerate(terms)]
    assert not any(check_terms(p, wrong, Corpus({})).ok for p in programs_from_name(name, offset, tuple(wrong)))


def test_lcm_of_a_range_calls_the_lcm_sequence():
    from miner.lang import Corpus

    lcm_prog = "mov $1,1\nlpb $0\n  mov $2,$1\n  gcd $2,$0\n  mul $1,$0\n  div $1,$2\n  sub $0,1\nlpe\nmov $0,$1\n"
    corpus = Corpus({3418: lcm_prog})

    def lcm_to(m: int) -> int:
        out = 1
        for k in range(1, m + 1):
            out = out * k // gcd(out, k)
        return out

    terms = [lcm_to(2 * n) // lcm_to(n) for n in range(30)]
    assert any(check_terms(p, terms, corpus).ok
               for p in programs_from_name("a(n) = lcm(1, 2, ..., 2n) / lcm(1, 2, ..., n).", 0, tuple(terms)))


def _rows(f, first_row: int, first_col: int, last: int, rows: int) -> list[int]:
    return [f(n, k) for n in range(first_row, first_row + rows) for k in range(first_col, n + last + 1)]


@pytest.mark.parametrize("name,offset,terms", [
    ("Triangle read by rows: T(n, k) = binomial(n, k)*k^k*(n-k)^(n-k-1) k=0..n-1.", 1,
     _rows(lambda n, k: comb(n, k) * k ** k * (n - k) ** (n - k - 1), 1, 0, -1, 8)),
    ("Triangle read by rows: T(n,k)=binomial(n,k-1)*k^(k-1)*(n+1-k)^(n-k) (1<=k<=n).", 1,
     _rows(lambda n, k: comb(n, k - 1) * k ** (k - 1) * (n + 1 - k) ** (n - k), 1, 1, 0, 8)),
    ("Array read by downward antidiagonals: T(n,k) (n>=0, k>=0) = 1+k+2*n*k+k*(k-1)/2+n*(n-1).", 0,
     [1 + k + 2 * n * k + k * (k - 1) // 2 + n * (n - 1) for d in range(9) for n, k in [(d - j, j) for j in range(d + 1)]]),
])
def test_ranges_after_a_table_formula_are_not_part_of_it(name, offset, terms):
    from miner.lang import Corpus

    assert any(check_terms(p, terms, Corpus({})).ok for p in programs_from_name(name, offset, tuple(terms)))


def _table_context() -> tuple[Any, Any]:
    """A corpus holding Pascal's triangle read by rows (from 0) as A007318, an array read by antidiagonals
    (from (1, 1)) of n^k as A003992, a program starting at 1; their known sequences."""
    from miner.lang import Corpus
    from miner.lang.formatter import format_program
    from miner.search.types import SearchContext, Target

    pascal = programs_from_name("Triangle read by rows: T(n,k) = binomial(n,k).", 0,
                                tuple(comb(n, k) for n in range(8) for k in range(n + 1)))[0]
    powers = [n ** k for d in range(2, 12) for n, k in ((d - k, k) for k in range(1, d))]  # T(n,k), n, k >= 1
    array = "mov $1,$0\nmul $1,8\nadd $1,1\nnrt $1,2\nsub $1,1\ndiv $1,2\nmov $2,$1\nadd $2,1\nmul $2,$1\n" \
            "div $2,2\nsub $0,$2\nmov $3,$1\nsub $3,$0\nadd $3,1\nadd $0,1\npow $3,$0\nmov $0,$3\n"
    corpus = Corpus({7318: format_program(pascal), 3992: "#offset 1\nsub $0,1\n" + array})
    assert [corpus_eval(corpus, 3992, i) for i in range(1, 7)] == powers[:6]
    known = {7318: Target(7318, "Pascal's triangle read by rows: C(n,k) = binomial(n,k).", (), 0),
             3992: Target(3992, "Square array read by antidiagonals upwards: T(n,k) = n^k, n, k >= 1.", (), 1)}
    return corpus, SearchContext(corpus=corpus, known=known)


def corpus_eval(corpus: Any, a: int, n: int) -> int:
    from miner.lang.evaluator import evaluate_partial

    prog = corpus.get(a)
    values, _ = evaluate_partial(prog, n - prog.offset + 1, corpus)
    return values[-1]


@pytest.mark.parametrize("name,offset,f", [
    ("a(n) = A007318(2n, n).", 0, lambda n: comb(2 * n, n)),
    ("Central terms: a(n) = A007318(2*n+1, n+1), n >= 0.", 0, lambda n: comb(2 * n + 1, n + 1)),
    ("a(n) = T(2n,n-1), where T is the array in A007318.", 1, lambda n: comb(2 * n, n - 1)),
    ("T(n+3,3), T given by A007318.", 0, lambda n: comb(n + 3, 3)),
    ("a(n) = Sum_{k=0..n} A007318(n,k)^2.", 0, lambda n: comb(2 * n, n)),
    ("a(n) = A003992(n,n+1).", 1, lambda n: n ** (n + 1)),
])
def test_a_tables_entries_are_read_at_their_index(name: str, offset: int, f: Any) -> None:
    from miner.search.formula import propose
    from miner.search.types import Target

    corpus, ctx = _table_context()
    terms = tuple(f(n) for n in range(offset, offset + 14))
    target = Target(1, name, terms, offset)
    found = [c.program for c in propose(target, ctx, 200, None)]
    right = [p for p in found if check_terms(p, terms, corpus).ok]
    assert right, name
    # the reading holds past the terms it was chosen on
    more = tuple(f(n) for n in range(offset, offset + 20))
    assert check_terms(right[0], more, corpus).ok
    # a wrong term is not read
    assert not [p for p in found if check_terms(p, terms[:-1] + (terms[-1] + 1,), corpus).ok]


def test_a_tables_name_narrows_its_layouts() -> None:
    from miner.search.formula import ENTRY_LAYOUTS, entry_readings, parse_formula

    node = parse_formula("A007318(n, 2)")
    assert node.kind == "entry" and node.value == 7318
    rows = entry_readings(node, lambda a: (0, "Triangle read by rows"))
    anti = entry_readings(node, lambda a: (1, "Square array read by antidiagonals"))
    assert 1 < len(rows) < len(ENTRY_LAYOUTS) and len(anti) == 4
    assert len(entry_readings(node, lambda a: (0, ""))) == len(ENTRY_LAYOUTS)
    assert entry_readings(parse_formula("A007318(n)"), lambda a: (0, "")) == [parse_formula("A007318(n)")]


@pytest.mark.parametrize("name", [
    "a(n) = b(n+1) - 1, b() given by A000027.",
    "a(n) = s(n+3)/3, where s is A000027.",
    "a(n) = 2*T(n), T = A000027.",
])
def test_a_letter_bound_to_a_sequence_is_its_call(name: str) -> None:
    from miner.search.formula import _tables_named

    assert "A000027(" in _tables_named(name)
    # the variables and a(n) itself are never bound
    assert _tables_named("a(n) = a(n-1) + n, a given by A000027.") == "a(n) = a(n-1) + n, a given by A000027."


def _digits_in_base(x: int, b: int) -> int:
    out, place = 0, 1
    while x:
        out, place, x = out + x % b * place, place * 10, x // b
    return out


@pytest.mark.parametrize("name,offset,f", [
    ("a(n) = 97 written in base n.", 2, lambda n: _digits_in_base(97, n)),
    ("a(n) = n^2 written in base 3.", 0, lambda n: _digits_in_base(n * n, 3)),
    ("Squares written in base 9.", 0, lambda n: _digits_in_base(n * n, 9)),
    ("Powers of 2 written in base 6.", 0, lambda n: _digits_in_base(2 ** n, 6)),
    ("Triangular numbers written in base 4.", 0, lambda n: _digits_in_base(n * (n + 1) // 2, 4)),
])
def test_a_number_written_in_a_base_is_its_digits_read_in_base_10(name: str, offset: int, f: Any) -> None:
    from miner.lang.evaluator import evaluate

    terms = tuple(f(n) for n in range(offset, offset + 30))
    progs = [p for p in programs_from_name(name, offset, terms) if check_terms(p, terms).ok]
    assert progs, name
    assert evaluate(progs[0], 40) == [f(n) for n in range(offset, offset + 40)]
    assert not programs_from_name("Numbers whose sum of digits written in base 3 is 2.", 0, terms)


def test_inbase_in_python_is_the_compiled_loop() -> None:
    from miner.lang.evaluator import evaluate
    from miner.search.formula import inbase_value

    for base in (-2, 1, 2, 3, 7, 10, 16):
        prog = programs_from_name(f"a(n) = (n - 5) written in base {base}.", 0)
        assert prog and evaluate(prog[0], 30) == [inbase_value(n - 5, base) for n in range(30)]
    assert [inbase_value(n, 2) for n in range(6)] == [0, 1, 10, 11, 100, 101]


def test_a_triangle_that_does_not_say_read_by_rows_is_read_by_rows() -> None:
    terms = tuple(k * comb(n, k) for n in range(9) for k in range(n + 1))
    progs = [p for p in programs_from_name("Triangle T(n,k) = k*binomial(n,k).", 0, terms) if check_terms(p, terms).ok]
    assert progs
    assert not programs_from_name("Trianglestuff T(n,k) = k*binomial(n,k).", 0, terms)


def _factored(n: int) -> list[tuple[int, int]]:
    out = []
    for p in _prime_factors(n):
        e = 0
        while n % p == 0:
            n, e = n // p, e + 1
        out.append((p, e))
    return out


def test_the_valuation_compiles_as_its_python_twin_computes_it():
    from miner.search.formula import valuation_value

    terms = [valuation_value(n, 3) for n in range(1, 100)]
    assert terms == [next(e for e in range(20) if n % 3 ** (e + 1)) for n in range(1, 100)]
    assert any(check_terms(p, terms).ok for p in programs_from_name("a(n) = valuation(n, 3).", 1))


@pytest.mark.parametrize("name,value", [
    ("Multiplicative with a(p^e) = (e+1)^2*(e+2)/2.", lambda p, e: (e + 1) ** 2 * (e + 2) // 2),
    ("Multiplicative with a(p^e) = 2e^2 + 2.", lambda p, e: 2 * e * e + 2),
    ("Multiplicative with a(p^e) = e*p^(e-1).", lambda p, e: e * p ** (e - 1)),
    ("Multiplicative with a(p^e) = e^2, p prime and e > 0.", lambda p, e: e * e),
    ("Totally multiplicative sequence with a(p) = 3.", lambda p, e: 3 ** e),
    ("Totally multiplicative with p -> (p-1)*p, p prime.", lambda p, e: ((p - 1) * p) ** e),
    ("Completely multiplicative with a(p) = p + 2 for prime p.", lambda p, e: (p + 2) ** e),
    ("Totally multiplicative sequence with a(p) = (p-1)*(p+1) = p^2-1 for prime p.", lambda p, e: (p * p - 1) ** e),
    ("Totally multiplicative sequence with a(p^e) = (-2)^e.", lambda p, e: (-2) ** e),
])
def test_a_multiplicative_name_is_a_product_over_the_prime_powers_of_n(sample_tarball: Path, name, value):
    from miner.lang import Corpus

    terms = [__import__("math").prod(value(p, e) for p, e in _factored(n)) for n in range(1, 50)]
    assert any(check_terms(p, terms, Corpus.from_path(sample_tarball)).ok for p in programs_from_name(name, 1)), name


def test_only_the_multiplicative_forms_read_become_products():
    from miner.search.formula import multiplicative

    assert multiplicative("Completely multiplicative with a(prime(k)) = prime(k+1).") == \
        "a(n) = Product_{p|n} (prime(A000720(p)+1))^max(valuation(n,p),1)"
    assert multiplicative("Multiplicative with a(p^e) = p^A000265(e), where A000265(x) gives the odd part of x.") == \
        "a(n) = Product_{p|n} (p^A000265(max(valuation(n,p),1)))"
    assert multiplicative("Completely multiplicative with a(p) = e.") is None  # no exponent in a(p)
    assert multiplicative("Multiplicative with a(p) = p + 1.") is None  # a(p) alone does not give a(p^2)
    assert multiplicative("Number of multiplicative partitions of n.") is None



def test_a_call_below_its_callees_offset_is_guarded():
    from miner.lang import Corpus, Program, evaluate
    from miner.search.formula import guarded, propose
    from miner.search.types import SearchContext, Target

    # tau and pi start at 1: the empty sum at n = 1 still runs its body once, in the pass LODA rolls back, and
    # pi(1*pi(1)) = pi(0); a call raised to its callee's offset gives a value where the plain program errs
    pi = "#offset 1\nmov $1,$0\nmov $0,0\nlpb $1\n  mov $2,$1\n  max $2,1\n  seq $2,5\n  equ $2,2\n  add $0,$2\n  sub $1,1\nlpe\n"
    corpus = Corpus({5: "#offset 1\n" + TAU, 720: pi})
    ctx = SearchContext(corpus=corpus)

    def tau(k: int) -> int:
        return sum(1 for d in range(1, k + 1) if k % d == 0)

    def primepi(m: int) -> int:
        return sum(1 for k in range(2, m + 1) if tau(k) == 2)

    terms = [sum(tau(k) * tau(n - k) for k in range(1, n)) for n in range(1, 30)]
    target = Target(1, "a(n) = Sum_{k=1..n-1} tau(k)*tau(n-k).", tuple(terms), 1)
    plain = programs_from_name(target.name, 1, target.terms)
    assert plain and not any(check_terms(p, terms, corpus).ok for p in plain)
    found = [c.program for c in propose(target, ctx, 200, None) if check_terms(c.program, terms, corpus).ok]
    assert found and evaluate(found[0], 40, corpus) == [sum(tau(k) * tau(n - k) for k in range(1, n)) for n in range(1, 41)]
    target = Target(2, "a(n) = pi(n*pi(n)).", tuple(primepi(n * primepi(n)) for n in range(1, 15)), 1)
    assert not any(check_terms(p, list(target.terms), corpus).ok for p in programs_from_name(target.name, 1))
    assert [c for c in propose(target, ctx, 200, None) if check_terms(c.program, list(target.terms), corpus).ok]
    assert guarded(plain[0], None) is None and guarded(Program(ops=[]), corpus) is None


def test_digits_written_anew_from_a_formula_or_the_term_before():
    from math import factorial

    def cat(x: int, image) -> int:
        return int("".join(str(image(int(c))) for c in str(x)))

    memory = [3]
    while len(memory) < 14:
        memory.append(cat(memory[-1], lambda d: 2 * d))
    cases = [
        ("Numbers obtained by concatenating the squares of the digits of n!.", 1, [cat(factorial(n), lambda d: d * d) for n in range(1, 60)]),
        ("Concatenate decimal digits of n, each increased by 1.", 0, [cat(n, lambda d: d + 1) for n in range(200)]),
        ("Begin with 3, multiply each digit by 2, keeping the memory of the groupings of the preceding digits.", 1, memory),
    ]
    for name, offset, terms in cases:
        solved = [p for p in programs_from_name(name, offset, tuple(terms[:10])) if check_terms(p, terms[:10]).ok]
        assert solved, name
        assert check_terms(solved[0], terms).ok, name
    assert memory[:6] == [3, 6, 12, 24, 48, 816]  # A102254's terms


def test_comma_transforms_join_the_digits_on_either_side_of_each_comma(sample_tarball: Path):
    from miner.lang import Corpus

    corpus = Corpus(testbed.read_corpus(sample_tarball))  # holds A000030, the initial digit
    for name, x in (("Comma transform of squares.", lambda n: n * n), ("Comma transform of the odd numbers.", lambda n: 2 * n + 1)):
        terms = [10 * (x(n) % 10) + int(str(x(n + 1))[0]) for n in range(300)]
        solved = [p for p in programs_from_name(name, 0, tuple(terms[:20])) if check_terms(p, terms[:20], corpus).ok]
        assert solved, name
        assert check_terms(solved[0], terms, corpus).ok
    assert terms[:5] == [13, 35, 57, 79, 91]  # A368361's terms
    assert programs_from_name("Comma transform of the Kolakoski sequence.", 0) == []


def test_k_member_subsets_of_kn_with_sum_divisible_by_n(sample_tarball: Path):
    from miner.lang import Corpus

    def counted(k: int, n: int) -> int:  # subsets by size and sum mod n, one element at a time
        ways = [[0] * max(n, 1) for _ in range(k + 1)]
        ways[0][0] = 1
        for x in range(1, k * n + 1):
            for j in range(k, 0, -1):
                ways[j] = [ways[j][r] + ways[j - 1][(r - x) % n] for r in range(n)]
        return ways[k][0] if n else 0

    corpus = Corpus(testbed.read_corpus(sample_tarball))  # holds A000010 (phi)
    terms = [counted(6, n) for n in range(40)]
    assert terms[:5] == [0, 1, 452, 6198, 33594]  # A318627's terms
    name = "Number of 6-member subsets of [6*n] whose elements sum to a multiple of n."
    solved = [p for p in programs_from_name(name, 0, tuple(terms[:15])) if check_terms(p, terms[:15], corpus).ok]
    assert solved and check_terms(solved[0], terms, corpus).ok


def test_partitions_with_sorts_of_part_one():
    """The reading's formula, its `seq` calls valued by Python (A002865 and the Stirling2 triangle A048993)."""
    from functools import lru_cache

    from miner.search.formula import formula_fragments, parse_prefix
    from miner.search.twin import Hooks, Run, compiled

    @lru_cache(maxsize=None)
    def stirling2(m: int, k: int) -> int:
        return int(m == k == 0) if m == 0 or k == 0 else k * stirling2(m - 1, k) + stirling2(m - 1, k - 1)

    without_ones = [1] + [0] * 59  # partitions into parts >= 2
    for part in range(2, 60):
        for i in range(part, 60):
            without_ones[i] += without_ones[i - part]

    def triangle(index: int) -> int:  # read by rows from T(0, 0)
        row = next(r for r in range(64) if (r + 1) * (r + 2) // 2 > index)
        return stirling2(row, index - row * (row + 1) // 2)

    def seq(number: int, arg):
        return lambda r: {2865: lambda i: without_ones[i], 48993: triangle}[number](arg(r))

    for name, offset, ones in (
            ("Number of partitions of n with exactly three sorts of part 1 which are introduced in ascending order.", 3,
             lambda m: stirling2(m, 3)),
            ("Number of partitions of n with three sorts of part 1 which are introduced in ascending order.", 0,
             lambda m: sum(stirling2(m, j) for j in range(4)))):
        expected = [sum(ones(m) * without_ones[n - m] for m in range(n + 1)) for n in range(offset, 50)]
        nodes = [parse_prefix(f) for f in formula_fragments(name) if "Stirling2" in f]
        assert len(nodes) == 1, name
        value = compiled(nodes[0], Hooks(seq=seq))
        assert [value(Run({"n": n})) for n in range(offset, 50)] == expected, name
    assert expected[:8] == [1, 1, 3, 7, 19, 52, 151, 442]  # A320734's terms


def test_partitions_of_a_power_into_bounded_powers():
    def count(total: int, k: int) -> int:  # partitions of total into 1, 2, 4, ..., 2^k
        ways = [1] + [0] * total
        for j in range(k + 1):
            for i in range(2 ** j, total + 1):
                ways[i] += ways[i - 2 ** j]
        return ways[total]

    terms = [count(2 ** n, 4) for n in range(17)]
    assert terms[:8] == [1, 2, 4, 10, 36, 201, 1625, 17361]  # A210773's terms
    name = "Number of partitions of 2^n into powers of 2 less than or equal to 16."
    solved = [p for p in programs_from_name(name, 0, tuple(terms[:8])) if check_terms(p, terms[:8]).ok]
    assert solved and check_terms(solved[0], terms).ok  # 17 terms, the last from 65536 = 2^16 parts and more
    assert programs_from_name("Number of partitions of 2^n into powers of 2 less than or equal to 24.", 0) == []


def test_arrays_of_squares_with_a_given_sum():
    def arrays(cells: int, total: int) -> int:  # [x^total] (1 + x + x^4 + x^9 + ...)^cells
        square = [int(isqrt(s) ** 2 == s) for s in range(total + 1)]
        power = [1] + [0] * total
        for _ in range(cells):
            power = [sum(power[i] * square[s - i] for i in range(s + 1)) for s in range(total + 1)]
        return power[total]

    terms = [arrays(n * n, 9) for n in range(2, 24)]
    assert terms[:5] == [16, 766, 61184, 3112500, 105851488]  # A159375's terms
    name = "Number of n X n arrays of squares of integers summing to 9."
    solved = [p for p in programs_from_name(name, 2, tuple(terms[:10])) if check_terms(p, terms[:10]).ok]
    assert solved and check_terms(solved[0], terms).ok


def test_blocks_of_products_written_up_to_n():
    def written(n: int, k: int, descending: bool, alternating: bool) -> int:
        """The expression's first n numbers (1, 2, 3, ... in blocks of k, each block's order as written)."""
        numbers = [x for b in range(n // k + 1) for x in (range(b * k + k, b * k, -1) if descending else range(b * k + 1, b * k + k + 1))]
        total = 0
        for b in range(0, n, k):
            total += (-1) ** (b // k if alternating else 0) * prod(numbers[b:min(b + k, n)])
        return total

    cases = [("a(n) = 1*2*3*4 + 5*6*7*8 + 9*10*11*12 + 13*14*15*16 + 17*18*19*20 + ... + (up to n).", 4, False, False),
             ("a(n) = 4*3*2*1 + 8*7*6*5 + 12*11*10*9 + 16*15*14*13 + ... + (up to the n-th term).", 4, True, False),
             ("a(n) = 1*2*3 - 4*5*6 + 7*8*9 - 10*11*12 + 13*14*15 - ... + (up to n).", 3, False, True)]
    for name, k, descending, alternating in cases:
        terms = [written(n, k, descending, alternating) for n in range(1, 120)]
        solved = [p for p in programs_from_name(name, 1, tuple(terms[:20])) if check_terms(p, terms[:20]).ok]
        assert solved and check_terms(solved[0], terms).ok, name
    assert terms[:8] == [1, 2, 6, 2, -14, -114, -107, -58]  # A319543's terms
    assert [written(n, 4, True, False) for n in range(1, 8)] == [4, 12, 24, 24, 32, 80, 360]  # A319868's
    # blocks that skip a number are no such expression
    assert programs_from_name("a(n) = 1*2 + 4*5 + 7*8 + ... + (up to n).", 1) == []


def test_p_adic_valuations_of_a_formula():
    def valuation(x: int, p: int) -> int:
        return 0 if x == 0 else next(e for e in range(x.bit_length() + 1) if x % p ** (e + 1))

    terms = [valuation(comb(2 * n, n), 3) for n in range(100)]
    name = "3-adic valuation of binomial(2*n, n)."
    solved = [p for p in programs_from_name(name, 0, tuple(terms[:30])) if check_terms(p, terms[:30]).ok]
    assert solved and check_terms(solved[0], terms).ok


def test_left_digits_moved_to_the_term_before(sample_tarball: Path):
    from miner.lang import Corpus

    def moved(x, count: int) -> list[int]:
        """Each term's first digit moved to the end of the term before (the first term's leads the list)."""
        digits = [str(x(n)) for n in range(count + 1)]
        return [int(digits[0][0])] + [int(digits[n][1:] + digits[n + 1][0]) for n in range(count - 1)]

    corpus = Corpus(testbed.read_corpus(sample_tarball))  # holds A000030, the initial digit
    for name, x in (("Take list of odd numbers, move left digit of each term to end of previous term.", lambda n: 2 * n + 1),
                    ("Take list of integers n >= 0, move left digit of each term to end of previous term.", lambda n: n)):
        terms = moved(x, 300)
        solved = [p for p in programs_from_name(name, 0, tuple(terms[:30])) if check_terms(p, terms[:30], corpus).ok]
        assert solved and check_terms(solved[0], terms, corpus).ok, name
    assert terms[:16] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 11, 21, 31, 41]  # A032762's terms


def test_trajectories_of_a_stated_map():
    def trajectory(start: int, step, count: int) -> list[int]:
        out = [start]
        while len(out) < count:
            out.append(step(out[-1]))
        return out

    def second_nondivisor(x: int) -> int:
        return [k for k in range(1, x + 3) if x % k][1]

    cases = [("Trajectory of 1 under map n->9n+1 if n odd, n->n/2 if n even.", trajectory(1, lambda x: 9 * x + 1 if x % 2 else x // 2, 80)),
             ("Trajectory of 3 under repeated application of the map: n -> n + second-smallest number that does not divide n.",
              trajectory(3, lambda x: x + second_nondivisor(x), 200))]
    for name, terms in cases:
        solved = [p for p in programs_from_name(name, 0, tuple(terms[:20])) if check_terms(p, terms[:20]).ok]
        assert solved and check_terms(solved[0], terms).ok, name
    assert cases[1][1][:8] == [3, 7, 10, 14, 18, 23, 26, 30]  # A140487's terms


def test_sums_over_products_of_one_plus_k_x():
    """The reading's formula with its seq calls valued by Python: 1/Product_{k=1..g} (1 + k*x) by Stirling2."""
    from fractions import Fraction as F
    from functools import lru_cache
    from math import factorial

    from miner.search.formula import formula_fragments, parse_prefix
    from miner.search.twin import Hooks, Run, compiled

    @lru_cache(maxsize=None)
    def stirling2(m: int, k: int) -> int:
        return int(m == k == 0) if m == 0 or k == 0 else k * stirling2(m - 1, k) + stirling2(m - 1, k - 1)

    def triangle(index: int) -> int:
        row = next(r for r in range(200) if (r + 1) * (r + 2) // 2 > index)
        return stirling2(row, index - row * (row + 1) // 2)

    size = 25
    series = [F(0)] * size  # Sum_n (2n)! x^n / Product_{k=1..2n} (1 + k x), as power series
    for n in range(size):
        term = [F(0)] * size
        term[n] = F(factorial(2 * n))
        for k in range(1, 2 * n + 1):  # divide by (1 + k x)
            for i in range(1, size):
                term[i] -= k * term[i - 1]
        series = [a + b for a, b in zip(series, term)]
    expected = [int(c) for c in series]
    name = "G.f.: Sum_{n>=0} (2*n)! * x^n / Product_{k=1..2*n} (1 + k*x)."
    nodes = [parse_prefix(f) for f in formula_fragments(name) if "Stirling2" in f]
    assert len(nodes) == 1
    value = compiled(nodes[0], Hooks(seq=lambda number, arg: lambda r: triangle(arg(r))))
    assert [value(Run({"n": n})) for n in range(size)] == expected
    assert expected[:6] == [1, 2, 18, 494, 26730, 2360462]  # A208885's terms


def test_central_coefficients_of_binomial_products():
    def coefficient(power: int, at: int, a: int, sign: int, e: int, b: int) -> int:
        """[x^at] ((1+x)^a (1 + sign x^e)^b)^power, b >= 0 by multiplying out, b < 0 by dividing."""
        size = at + 1
        series = [1] + [0] * at
        for _ in range(power * a):
            series = [series[i] + (series[i - 1] if i else 0) for i in range(size)]
        for _ in range(power * abs(b)):
            if b > 0:
                series = [series[i] + (sign * series[i - e] if i >= e else 0) for i in range(size)]
            else:
                for i in range(e, size):  # divide by (1 + sign x^e)
                    series[i] -= sign * series[i - e]
        return series[at]

    cases = [("Coefficient of x^(2*n) in the expansion of ( (1+x)^3 * (1+x^2) )^n.", lambda n: coefficient(n, 2 * n, 3, 1, 2, 1)),
             ("Coefficient of x^n in the expansion of ( (1+x)^2 / (1-x^3)^2 )^n.", lambda n: coefficient(n, n, 2, -1, 3, -2))]
    for name, f in cases:
        terms = [f(n) for n in range(60)]
        solved = [p for p in programs_from_name(name, 0, tuple(terms[:15])) if check_terms(p, terms[:15]).ok]
        assert solved and check_terms(solved[0], terms).ok, name
    assert [cases[0][1](n) for n in range(5)] == [1, 4, 46, 571, 7426]  # A394709's terms


def test_the_largest_term_over_the_divisors_and_bajnoks_functions():
    def divisors(n: int) -> list[int]:
        return [d for d in range(1, n + 1) if n % d == 0]

    # negative terms too: the first divisor's term starts the maximum, not 0
    terms = [max((d % 4 - 7) * n // d for d in divisors(n)) for n in range(1, 150)]
    solved = [p for p in programs_from_name("a(n) = Max_{d|n} ((d mod 4) - 7)*n/d.", 1, tuple(terms[:20]))
              if check_terms(p, terms[:20]).ok]
    assert solved and check_terms(solved[0], terms).ok
    for text in ("a(n) = Max_{k=1..n} k.", "a(n) = Max_{d|n, d odd} d."):
        with pytest.raises(FormulaError):
            parse_formula(text.removeprefix("a(n) = ").rstrip("."))

    def v(n: int, j: int | None, h: int) -> int:  # Bajnok's v_j(n, h), and v+-(n, h) for j None
        return max(((d - 1 - gcd(d, j)) // h + 1 if j else 2 * ((d - 2) // (2 * h)) + 1) * (n // d) for d in divisors(n))

    # first terms of A291305 = v_5(n, 1), A289186 = v_4(n, 5), A290988 = v+-(n, 3) from the OEIS data (offset 2)
    cases = [(5, 1, [1, 2, 3, 0, 5, 6, 7, 8, 5, 10]), (4, 5, [0, 1, 0, 1, 2, 2, 1, 3, 2, 2, 4, 3, 4, 5]),
             (None, 3, [1, 1, 2, 1, 3, 1, 4, 3, 5, 3, 6, 3, 7, 5, 8, 5])]
    for j, h, first in cases:
        terms = [v(n, j, h) for n in range(2, 400)]
        assert terms[:len(first)] == first
        name = f"The arithmetic function v_{j}(n,{h})." if j else f"The arithmetic function v+-(n,{h})."
        solved = [p for p in programs_from_name(name, 2, tuple(terms[:30])) if check_terms(p, terms[:30]).ok]
        assert solved and check_terms(solved[0], terms).ok, name


def test_dirichlet_convolutions_of_named_sequences():
    def convolution(f, g, n: int) -> int:
        return sum(f(d) * g(n // d) for d in range(1, n + 1) if n % d == 0)

    # A034713's first terms from the OEIS data: powers of 2 with themselves
    cases = [("Dirichlet convolution of powers of 2 (2,4,8,...) with themselves.", lambda k: 2 ** k, lambda k: 2 ** k,
              [4, 16, 32, 80, 128, 320, 512, 1152, 2112, 4352]),
             ("Dirichlet convolution of b_n=2^(n-1) with c_n=n^2.", lambda k: 2 ** (k - 1), lambda k: k * k, None),
             ("Dirichlet convolution of squares with 3^(n-1).", lambda k: k * k, lambda k: 3 ** (k - 1), None)]
    for name, f, g, first in cases:
        terms = [convolution(f, g, n) for n in range(1, 120)]
        assert first is None or terms[:len(first)] == first
        solved = [p for p in programs_from_name(name, 1, tuple(terms[:20])) if check_terms(p, terms[:20]).ok]
        assert solved and check_terms(solved[0], terms).ok, name
    # a sequence counted from 0 is read from its first term and from its second; named functions as their calls
    assert "Sum_{d|n} (A008683(d))*(A000108(((n/d)-1)))" in formula_fragments(
        "Dirichlet convolution of Moebius function mu(n) (A008683) with Catalan numbers (A000108).")
    assert "Sum_{d|n} (phi(d))*(tau((n/d)))" in formula_fragments("Dirichlet convolution of Euler phi with d(n) (number of divisors of n).")
    assert not any("Sum_{d|n}" in f for f in formula_fragments("Dirichlet convolution of r with zeta, where r(n) is odd."))


def test_set_partitions_with_blocks_of_two_or_more():
    """The reading's formula, its Stirling2 calls valued by Python, against every set partition counted."""
    from functools import lru_cache

    from miner.search.formula import formula_fragments, parse_prefix
    from miner.search.twin import Hooks, Run, compiled

    @lru_cache(maxsize=None)
    def stirling2(m: int, k: int) -> int:
        return int(m == k == 0) if m == 0 or k == 0 else k * stirling2(m - 1, k) + stirling2(m - 1, k - 1)

    def triangle(index: int) -> int:  # A048993 read by rows from T(0, 0)
        row = next(r for r in range(80) if (r + 1) * (r + 2) // 2 > index)
        return stirling2(row, index - row * (row + 1) // 2)

    def set_partitions(n: int) -> list[list[int]]:  # block sizes of each set partition of [n]
        out: list[list[int]] = [[]]
        for _ in range(n):
            out = [s[:i] + [s[i] + 1] + s[i + 1:] for s in out for i in range(len(s))] + [s + [1] for s in out]
        return out

    def seq(number: int, arg):
        assert number == 48993
        return lambda r: triangle(arg(r))

    for k, word in ((2, "two"), (5, "five")):
        name = f"Number of set partitions of [n] having exactly {word} blocks of size > 1."
        (text,) = [f for f in formula_fragments(name) if "Stirling2" in f]
        value = compiled(parse_prefix(text), Hooks(seq=seq))
        brute = [sum(sum(b > 1 for b in s) == k for s in set_partitions(n)) for n in range(10)]
        assert [value(Run({"n": n})) for n in range(10)] == brute
        if k == 5:  # A290034's first terms from the OEIS data (offset 10)
            assert [value(Run({"n": n})) for n in range(10, 14)] == [945, 27720, 460845, 5735730]


def test_running_differences_of_two_digits_counts():
    from miner.lang import Corpus

    corpus = Corpus({900001: "mul $0,$0\nmod $0,7\n"})  # n^2 mod 7: 0, 1, 4, 2, 2, 4, 1, 0, ...
    values = [n * n % 7 for n in range(300)]
    for first, second in ((1, 0), (2, 4)):
        name = f"a(n)=(# {first}'s)-(# {second}'s) in first n terms of A900001."
        terms = [sum((v == first) - (v == second) for v in values[:n]) for n in range(1, 250)]
        solved = [p for p in programs_from_name(name, 1, tuple(terms[:25])) if check_terms(p, terms[:25], corpus).ok]
        assert solved and check_terms(solved[0], terms, corpus).ok, name


def test_multiplicative_orders():
    from miner.search.formula import order_value

    def order(a: int, m: int) -> int:  # the least k >= 1 with a^k = 1 (mod m), 0 when gcd(a, m) > 1
        return 1 if m == 1 else next((k for k in range(1, m + 1) if pow(a, k, m) == 1), 0)

    assert all(order_value(a, m) == order(a, m) for a in range(-9, 10) for m in range(1, 40))
    # A002326 from the OEIS data; a negative base, and 0 where it is not coprime to the modulus
    cases = [("Multiplicative order of 2 mod 2n+1.", 0, lambda n: order(2, 2 * n + 1), [1, 2, 4, 3, 6, 10, 12, 4, 8, 18]),
             ("Multiplicative order of 5 (mod 5*n + 1).", 1, lambda n: order(5, 5 * n + 1), None),
             ("a(n) is the multiplicative order of -4 modulo 3*n+2; a(0) = 0 for completion.", 0,
              lambda n: order(-4, 3 * n + 2), None)]
    for name, offset, f, first in cases:
        terms = [f(n) for n in range(offset, offset + 120)]
        assert first is None or terms[:len(first)] == first
        solved = [p for p in programs_from_name(name, offset, tuple(terms[:20])) if check_terms(p, terms[:20]).ok]
        assert solved and check_terms(solved[0], terms).ok, name



def test_a_definition_chained_through_words_takes_its_last_form():
    assert formula_fragments("p(11n+6) where p(k) = number of partitions of k = A000041(k).") == ["(A000041((11n+6)))"]
    assert formula_fragments("a(n) = p(2n) where p(k) = A000041(k) and k >= 0.")[0] == "(A000041((2n)))"



def test_orbits_of_a_length_from_the_periodic_points(sample_tarball: Path):
    from miner.lang import Corpus

    # 2^n periodic points (the full 2-shift): its orbits of length n are the binary Lyndon words
    texts = testbed.read_corpus(sample_tarball)  # holds A008683, the Moebius function
    corpus = Corpus({**texts, 900002: "#offset 1\n\nmov $1,2\npow $1,$0\nmov $0,$1\n"})

    from miner.search.primes import moebius  # in Python; the program calls the corpus's A008683

    terms = [sum(moebius(n // d) * 2 ** d for d in range(1, n + 1) if n % d == 0) // n for n in range(1, 80)]
    assert terms[:8] == [2, 1, 2, 3, 6, 9, 18, 30]
    name = "Number of orbits of length n under the map whose periodic points are counted by A900002."
    solved = [p for p in programs_from_name(name, 1, tuple(terms[:20])) if check_terms(p, terms[:20], corpus).ok]
    assert solved and check_terms(solved[0], terms, corpus).ok
