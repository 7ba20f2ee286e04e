"""Tilings and nonattacking bishops read from names: the counts against a brute-force search of every tiling or
placement, the first terms against the OEIS data, and the recurrence's program far past the known terms."""

from __future__ import annotations

from miner.lang import check_terms
from miner.search.recurrence import propose
from miner.search.tilings import PENTOMINOES, counts, orientations, parse_name, terms
from miner.search.types import SearchContext, Target


def brute_force(k: int, n: int, shapes: list[frozenset[tuple[int, int]]]) -> int:
    """Tilings of the k X n rectangle, found by covering its cells one at a time in row-major order with every
    placement (any translate of any orientation) that covers the first uncovered cell."""
    placements = []
    for shape in shapes:
        for o in orientations(shape):
            for dr in range(k):
                for dc in range(n):
                    cells = frozenset((r + dr, c + dc) for r, c in o)
                    if all(0 <= r < k and 0 <= c < n for r, c in cells):
                        placements.append(cells)

    def count(covered: frozenset[tuple[int, int]]) -> int:
        first = next(((r, c) for r in range(k) for c in range(n) if (r, c) not in covered), None)
        if first is None:
            return 1
        return sum(count(covered | p) for p in placements if first in p and not p & covered)
    return count(frozenset())


DOMINO, RIGHT = frozenset({(0, 0), (0, 1)}), frozenset({(0, 0), (1, 0), (1, 1)})


def test_counts_are_every_tiling():
    assert counts(3, tuple(o for s in (DOMINO, RIGHT) for o in orientations(s)), 8) \
        == [brute_force(3, n, [DOMINO, RIGHT]) if n else 1 for n in range(8)]
    pxy = [PENTOMINOES[x] for x in "PXY"]
    assert counts(5, tuple(o for s in pxy for o in orientations(s)), 7) == [brute_force(5, n, pxy) if n else 1 for n in range(7)]
    assert len(orientations(PENTOMINOES["F"])) == 8 and len(orientations(PENTOMINOES["X"])) == 1


def test_names_give_the_oeis_terms():
    # A165716, A219862 and A343529, first terms from the OEIS data
    cases = [("Number of tilings of a 3 X n rectangle using dominoes and right trominoes.",
              [1, 0, 5, 8, 55, 140, 633, 1984, 7827, 26676, 99621, 351080, 1283247]),
             ("Number of tilings of a 4 X n rectangle using dominoes and straight (3 X 1) trominoes.",
              [1, 1, 7, 41, 184, 1069, 5624, 29907, 161800, 862953, 4631107, 24832532]),
             ("Number of tilings of a 5 X n rectangle using n pentominoes of shapes P, X, Y.",
              [1, 0, 2, 4, 18, 36, 138, 334, 1066, 3096, 9490, 26826, 80468, 235718])]
    for name, first in cases:
        assert terms(name, 0, len(first)) == first, name
    for name in ("Number of tilings of a 5 X n rectangle using V (2m+1)-ominoes (m >= 0) in standard orientation.",
                 "Number of tilings of a 2 X 2 X n box using bricks of shape 3 X 1 X 1 and 2 X 1 X 1.",
                 "Number of tilings of a 4 X n rectangle using dominoes and hexagons."):
        assert parse_name(name) is None, name


def test_the_recurrence_program_holds_far_past_the_known_terms():
    # 7 X n with dominoes and right trominoes: a recurrence of order 64, from 25 known terms
    name = "Number of tilings of a 7 X n rectangle using dominoes and right trominoes."
    counted = terms(name, 0, 200)
    assert counted is not None
    (candidate,) = propose(Target(1, name, tuple(counted[:25]), 0), SearchContext(), 1, None)
    assert candidate.note.startswith("tilings, order=64")
    assert check_terms(candidate.program, counted).ok
    # terms the tiles do not give: no tilings candidate
    wrong = Target(1, name, (1, 2, *counted[2:25]), 0)
    assert all(not c.note.startswith("tilings") for c in propose(wrong, SearchContext(), 1, None))


def placements(n: int, k: int, torus: bool) -> int:
    """k-sets of cells of the n X n board (or torus) no two on a common diagonal, counted one by one."""
    from itertools import combinations

    def attack(p: tuple[int, int], q: tuple[int, int]) -> bool:
        d, s = p[0] - p[1] - q[0] + q[1], p[0] + p[1] - q[0] - q[1]
        return (d % n == 0 or s % n == 0) if torus else (d == 0 or s == 0)
    cells = [(i, j) for i in range(n) for j in range(n)]
    return sum(all(not attack(p, q) for p, q in combinations(chosen, 2)) for chosen in combinations(cells, k))


def test_bishops_are_every_placement_and_their_recurrence_holds():
    from miner.search.boards import bishops, terms as board_terms, toroidal_bishops

    for n in range(1, 6):
        for k in (2, 3):
            assert bishops(n, k) == placements(n, k, False), (n, k)
            assert toroidal_bishops(n, k) == placements(n, k, True), (n, k)
    # A187239 and A177759 (offset 1), first terms from the OEIS data
    name = "Number of ways to place 7 nonattacking bishops on an n X n board."
    assert board_terms(name, 1, 9) == [0, 0, 0, 0, 440, 38368, 1022320, 14082528, 126490352]
    torus = "Number of ways to place 6 nonattacking bishops on an n X n toroidal board."
    assert board_terms(torus, 1, 9) == [0, 0, 0, 0, 0, 2304, 35280, 811008, 5080320]
    for text in (name, torus):
        counted = board_terms(text, 1, 200)
        assert counted is not None
        (candidate,) = propose(Target(1, text, tuple(counted[:30]), 1), SearchContext(), 1, None)
        assert candidate.note.startswith("boards") and check_terms(candidate.program, counted).ok


def test_words_with_bounded_runs_are_every_word_and_their_recurrence_holds():
    from itertools import groupby, product

    from miner.search.words import counts, terms as word_terms

    def brute(k: int, n: int) -> int:  # letter j (0-based) never runs longer than j + 1
        return sum(all(len(list(run)) <= letter + 1 for letter, run in groupby(w)) for w in product(range(k), repeat=n))
    assert counts([1, 2, 3], 8) == [brute(3, n) for n in range(8)]
    # A242629's first terms from the OEIS data
    name = ("Number of n-length words w over a 6-ary alphabet {a_1,...,a_6} such that w contains never more than j "
            "consecutive letters a_j (for 1<=j<=6).")
    counted = word_terms(name, 0, 200)
    assert counted is not None and counted[:6] == [1, 6, 35, 204, 1188, 6919]
    (candidate,) = propose(Target(1, name, tuple(counted[:25]), 0), SearchContext(), 1, None)
    assert candidate.note.startswith("words") and check_terms(candidate.program, counted).ok


def test_surface_groups_growth_series():
    from miner.search.growth import surface, terms as growth_terms

    # genus 1 is Z^2: 1, 4, 8, 12, ... (4n balls' spheres); A063812 (genus 2) first terms from the OEIS data
    assert surface(1, 6) == [1, 4, 8, 12, 16, 20]
    name = "Growth series for fundamental group of orientable closed surface of genus 2."
    counted = growth_terms(name, 0, 200)
    assert counted is not None and counted[:5] == [1, 8, 56, 392, 2736]
    (candidate,) = propose(Target(1, name, tuple(counted[:10]), 0), SearchContext(), 1, None)
    assert candidate.note.startswith("growth") and check_terms(candidate.program, counted).ok


def test_permutations_with_restricted_displacements():
    from itertools import permutations as all_permutations

    from miner.search.permutations import counts, parse_name, terms as permutation_terms

    def brute(n: int, allowed: set[int]) -> int:
        return sum(all(p - i in allowed for i, p in enumerate(q)) for q in all_permutations(range(n)))
    assert counts(2, 3, frozenset(), 8) == [brute(n, set(range(-2, 4))) for n in range(8)]
    assert counts(1, 4, frozenset({0, 2}), 8) == [brute(n, {-1, 1, 3, 4}) for n in range(8)]
    general = "Number of permutations satisfying -k<=p(i)-i<=r and p(i)-i not in I, i=1..n, with k=2, r=3, I={-1,0}."
    assert parse_name(general) == (2, 3, frozenset({-1, 0}))
    # A072827 (offset 1), first terms from the OEIS data
    name = "Number of permutations satisfying i-2<=p(i)<=i+3, i=1..n."
    counted = permutation_terms(name, 1, 200)
    assert counted is not None and counted[:8] == [1, 2, 6, 18, 46, 115, 301, 792]
    (candidate,) = propose(Target(1, name, tuple(counted[:30]), 1), SearchContext(), 1, None)
    assert candidate.note.startswith("permutations") and check_terms(candidate.program, counted).ok
