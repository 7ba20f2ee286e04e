"""Riordan arrays read from names: triangles against their entries computed from the definition (binomials,
the Catalan triangle's closed form, power series multiplied out), the first terms against the OEIS data, and
programs far past the known terms."""

from __future__ import annotations

from collections.abc import Callable
from math import comb

from miner.lang import Corpus, check_terms
from miner.search.riordan import parse_name, programs_for, triangle
from miner.search.types import Target


def rows(entry: Callable[[int, int], int], count: int, first: int = 0) -> list[int]:
    out: list[int] = []
    n = first
    while len(out) < count:
        out += [entry(n, k) for k in range(first, n + 1)]
        n += 1
    return out[:count]


def series_power(p: list[int], k: int, count: int) -> list[int]:
    out = [1] + [0] * (count - 1)
    for _ in range(k):
        out = [sum(out[j] * (p[m - j] if m - j < len(p) else 0) for j in range(m + 1)) for m in range(count)]
    return out


def test_rational_arrays_are_their_definition():
    pascal = rows(comb, 78)
    (reading,) = parse_name("Riordan array (1/(1-x), x/(1-x)).")
    assert triangle(reading, 78, {}) == pascal
    (prog,) = programs_for(Target(1, "Riordan array (1/(1-x), x/(1-x)).", tuple(pascal[:21]), 0), {}, None)
    assert check_terms(prog, pascal).ok  # 12 rows, the known terms 6
    # A370174 (offset 0), first terms from the OEIS data
    name = "Triangle read by rows: Riordan array (1/(1 - x), x*(1 + x)/(1 - x - x^2))."
    data = [1, 1, 1, 1, 3, 1, 1, 6, 5, 1, 1, 11, 15, 7, 1, 1, 19, 37, 28, 9, 1]
    g = [1] * 80
    f_num = [0, 1, 1]
    f = [0] * 80
    for m in range(80):  # f = x(1+x)/(1-x-x^2) by long division
        f[m] = (f_num[m] if m < 3 else 0) + f[m - 1] * (m >= 1) + f[m - 2] * (m >= 2)
    entries = rows(lambda n, k: sum(g[j] * series_power(f, k, n + 1)[n - j] for j in range(n + 1)), 91)
    assert entries[:21] == data
    (prog,) = programs_for(Target(1, name, tuple(data), 0), {}, None)
    assert check_terms(prog, entries).ok
    # A187002 (offset 1): column m of (x+2x^2+3x^3+3x^4+2x^5+x^6)^m, rows and columns from 1
    power = "Triangle T(n,m): column m is the expansion of (x+2*x^2+3*x^3+3*x^4+2*x^5+x^6)^m."
    data = [1, 2, 1, 3, 4, 1, 3, 10, 6, 1, 2, 18, 21, 8, 1, 1, 25, 53, 36, 10, 1]
    p = [0, 1, 2, 3, 3, 2, 1]
    entries = rows(lambda n, k: series_power(p, k, n + 1)[n], 91, 1)
    assert entries[:21] == data
    (prog,) = programs_for(Target(1, power, tuple(data), 1), {}, None)
    assert check_terms(prog, entries).ok
    # f(0) != 0: the rows are the powers' coefficients, T(n,k) = [x^k] (2+x)^n
    transposed = rows(lambda n, k: comb(n, k) * 2 ** (n - k), 28)
    (prog,) = programs_for(Target(1, "Riordan array (1, 2+x).", tuple(transposed[:15]), 0), {}, None)
    assert check_terms(prog, transposed).ok


def test_cited_arrays_call_the_cited_program():
    catalan = [comb(2 * n, n) // (n + 1) for n in range(40)]
    corpus = Corpus({108: "mov $1,$0\nmul $0,2\nbin $0,$1\nadd $1,1\ndiv $0,$1\n"})
    known = {108: Target(108, "Catalan numbers.", tuple(catalan), 0)}
    # (c(x), x c(x)) is the Catalan triangle, T(n,k) = (k+1)/(n+1) C(2n-k, n-k)
    entries = rows(lambda n, k: (k + 1) * comb(2 * n - k, n - k) // (n + 1), 66)
    name = "Riordan array (c(x), x*c(x)) where c(x) is the g.f. of A000108."
    (prog,) = programs_for(Target(1, name, tuple(entries[:28]), 0), known, corpus)
    assert check_terms(prog, entries, corpus).ok
    # Luschny's Riordan square (S, S - 1), and (2 - S, x S)
    square = "The Riordan square of the Catalan numbers A000108."
    s1 = [c - (m == 0) for m, c in enumerate(catalan)]
    entries = rows(lambda n, k: sum(catalan[j] * series_power(s1, k, n + 1)[n - j] for j in range(n + 1)), 45)
    (prog,) = programs_for(Target(1, square, tuple(entries[:21]), 0), known, corpus)
    assert check_terms(prog, entries, corpus).ok
    frame = "Riordan array (2 - D(x), x * D(x)) where D(x) is g.f. of A000108."
    g = [2 * (m == 0) - c for m, c in enumerate(catalan)]
    xs = [0] + catalan
    entries = rows(lambda n, k: sum(g[j] * series_power(xs, k, n + 1)[n - j] for j in range(n + 1)), 45)
    (prog,) = programs_for(Target(1, frame, tuple(entries[:21]), 0), known, corpus)
    assert check_terms(prog, entries, corpus).ok
    # without the cited program, or with terms the array does not give, nothing
    assert programs_for(Target(1, name, tuple(entries[:21]), 0), known, Corpus({})) == []
    assert parse_name("Riordan array (1/u, (1-u)/2), u = sqrt(1-4x).") == []


def test_families_named_by_name_are_their_sequences():
    assert parse_name("The Riordan square of the Catalan numbers.") == parse_name("The Riordan square of A000108.") != []
    assert parse_name("Convolution triangle of the Motzkin numbers.") == parse_name("Convolution triangle of A001006.") != []
    assert parse_name("The Riordan square of the Narayana cows.") == []
