"""Arrays and lattices read from names: the counts against a brute-force search of every array or lattice point,
the first terms against the OEIS data, and the recurrence's program far past the known terms."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

from miner.lang import check_terms
from miner.search import arrays, lattices
from miner.search.recurrence import propose
from miner.search.types import SearchContext, Target

KING = [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1) if (di, dj) != (0, 0)]


def every_array(rows: int, cols: int, values: int = 2) -> list[list[list[int]]]:
    return [[list(cells[r * cols:(r + 1) * cols]) for r in range(rows)] for cells in product(range(values), repeat=rows * cols)]


def neighbour_count(grid: list[list[int]], offsets: list[tuple[int, int]], keep: Callable[[int, int], bool]) -> bool:
    """Whether every cell x keeps keep(x, number of its neighbours equal to x)."""
    rows, cols = len(grid), len(grid[0])
    for i in range(rows):
        for j in range(cols):
            near = [grid[i + di][j + dj] for di, dj in offsets if 0 <= i + di < rows and 0 <= j + dj < cols]
            if not keep(grid[i][j], sum(v == grid[i][j] for v in near)):
                return False
    return True


def assert_recurrence_holds(name: str, offset: int, shown: int, module: str) -> None:
    counted = arrays.terms(name, offset, 200) if module == "arrays" else lattices.terms(name, offset, 200)
    assert counted is not None
    (candidate,) = propose(Target(1, name, tuple(counted[:shown]), offset), SearchContext(), 1, None)
    assert candidate.note.startswith(module) and check_terms(candidate.program, counted).ok


def test_neighbour_rules_are_every_array():
    name = "Number of nX3 0..1 arrays with every element equal to 0, 1, 3, 4, 5, 7 or 8 king-move adjacent elements, with upper left element zero."
    brute = [sum(g[0][0] == 0 and neighbour_count(g, KING, lambda x, s: s in {0, 1, 3, 4, 5, 7, 8}) for g in every_array(n, 3))
             for n in range(1, 5)]
    # A299881 (offset 1), first terms from the OEIS data
    assert arrays.terms(name, 1, 10) == [3, 4, 10, 28, 44, 222, 573, 1551, 5437, 15427]
    assert brute == [3, 4, 10, 28]
    assert_recurrence_holds(name, 1, 20, "arrays")


def test_unequal_and_turned_rules_against_brute_force():
    h_anti = [(0, -1), (0, 1), (-1, 1), (1, -1)]

    def unequal_in(allowed: set[int]) -> Callable[[list[list[int]]], bool]:
        def keep(g: list[list[int]]) -> bool:
            rows, cols = len(g), len(g[0])
            return all(sum(g[i + di][j + dj] != g[i][j] for di, dj in h_anti if 0 <= i + di < rows and 0 <= j + dj < cols) in allowed
                       for i in range(rows) for j in range(cols))
        return keep
    # k X n turns the neighbourhood; "unequal to" counts the neighbours that differ
    turned = ("Number of 3Xn 0..1 arrays with every element unequal to 0, 2 or 3 horizontally or antidiagonally adjacent elements, "
              "with upper left element zero.")
    keep = unequal_in({0, 2, 3})
    assert arrays.terms(turned, 1, 4) == [sum(g[0][0] == 0 and keep(g) for g in every_array(3, n)) for n in range(1, 5)]
    # A295271 (offset 1): only the 1s are judged, by their neighbouring 1s; first terms from the OEIS data
    ones = "Number of n X 4 0..1 arrays with each 1 horizontally or vertically adjacent to 0, 1 or 4 1s."
    hv = [(0, -1), (0, 1), (-1, 0), (1, 0)]
    brute = [sum(neighbour_count(g, hv, lambda x, s: x == 0 or s in {0, 1, 4}) for g in every_array(n, 4)) for n in range(1, 4)]
    assert arrays.terms(ones, 1, 5) == [13, 98, 811, 6659, 54773] and brute == [13, 98, 811]
    assert_recurrence_holds(ones, 1, 20, "arrays")
    assert arrays.terms("Number of nX3 0..1 arrays with each 1 adjacent to 0 or 9 1s.", 1, 5) is None


def blocks_keep(grid: list[list[int]], h: int, keep: Callable[[list[list[int]]], bool]) -> bool:
    return all(keep([row[j:j + h] for row in grid[i:i + h]]) for i in range(len(grid) - h + 1) for j in range(len(grid[0]) - h + 1))


def border(block: list[list[int]]) -> str:
    if len(block) == 2:
        return "".join(str(v) for v in (block[0][0], block[0][1], block[1][1], block[1][0]))
    return "".join(str(v) for v in (*block[0], block[1][2], *block[2][::-1], block[1][0]))


def test_block_rules_are_every_array():
    # A183778 (offset 0) and A259294 (offset 1), first terms from the OEIS data
    half = "Half the number of (n+1) X 6 binary arrays with no 2 X 2 subblock having exactly 2 ones."
    assert arrays.terms(half, 0, 5) == [32, 217, 1969, 15887, 136843]
    brute = [sum(blocks_keep(g, 2, lambda b: sum(map(sum, b)) != 2) for g in every_array(r, 6)) // 2 for r in (1, 2, 3)]
    assert brute == [32, 217, 1969]
    pattern = "Number of (n+1)X(5+1) 0..1 arrays with each 2X2 subblock having clockwise pattern 0001 0101 or 0111."
    assert arrays.terms(pattern, 1, 4) == [434, 3938, 31774, 273686]
    turns = {p[k:] + p[:k] for p in ("0001", "0101", "0111") for k in range(4)}
    assert sum(blocks_keep(g, 2, lambda b: border(b) in turns) for g in every_array(2, 6)) == 434
    for name, offset in ((half, 0), (pattern, 1)):
        assert_recurrence_holds(name, offset, 20, "arrays")
    # a 3 X 3 border read from any cell, its centre free; sums of values 0..2
    three = "Number of (n+2) X (1+2) 0..1 arrays with each 3 X 3 subblock having clockwise perimeter pattern 00000001 00000011 or 00010011."
    turns3 = {p[k:] + p[:k] for p in ("00000001", "00000011", "00010011") for k in range(8)}
    assert arrays.terms(three, 1, 3) == [sum(blocks_keep(g, 3, lambda b: border(b) in turns3) for g in every_array(r, 3)) for r in (3, 4, 5)]
    sums = "Number of (n+1) X 3 0..2 arrays with every 2 X 2 subblock summing to 4."
    assert arrays.terms(sums, 1, 3) == [sum(blocks_keep(g, 2, lambda b: sum(map(sum, b)) == 4) for g in every_array(r, 3, 3)) for r in (2, 3, 4)]
    assert arrays.terms("Number of (n+1) X 9 0..6 arrays with every 2 X 2 subblock summing to 12.", 1, 5) is None  # 7^9 rows


def shells(points: list[tuple[float, ...]], norm: Callable[[tuple[float, ...]], float], count: int) -> list[int]:
    out = [0] * count
    for p in points:
        if (m := norm(p)) < count and m == int(m):
            out[int(m)] += 1
    return out


def graph_shells(n: int, steps: list[tuple[int, ...]], count: int) -> list[int]:
    """Points by their distance from the origin in the lattice graph the steps generate."""
    seen = {tuple([0] * n)}
    frontier = list(seen)
    out = [1]
    for _ in range(count - 1):
        new = {tuple(a + b for a, b in zip(p, s)) for p in frontier for s in steps} - seen
        seen |= new
        frontier = list(new)
        out.append(len(new))
    return out


def unit(n: int, i: int, c: int = 1) -> tuple[int, ...]:
    return tuple(c if k == i else 0 for k in range(n))


def test_lattice_coordination_sequences_are_every_point():
    n = 4
    pm = [unit(n, i, s) for i in range(n) for s in (1, -1)]
    pairs = [tuple(a + b for a, b in zip(unit(n, i, s), unit(n, j, t))) for i in range(n) for j in range(i + 1, n) for s in (1, -1) for t in (1, -1)]
    assert lattices.cubic(n, 6) == graph_shells(n, pm, 6)
    assert lattices.root_d(n, 6) == graph_shells(n, pairs, 6)
    assert lattices.root_b(n, 6) == graph_shells(n, pm + pairs, 6)
    assert lattices.root_c(n, 6) == graph_shells(n, [unit(n, i, 2 * s) for i in range(n) for s in (1, -1)] + pairs, 6)
    a_steps = [tuple(int(k == i) - int(k == j) for k in range(n + 1)) for i in range(n + 1) for j in range(n + 1) if i != j]
    assert lattices.root_a(n, 6) == graph_shells(n + 1, a_steps, 6)
    box = list(product(range(-6, 7), repeat=n))
    halves = [tuple(x + 0.5 for x in p) for p in box]

    def l1(p: tuple[float, ...]) -> float:
        return sum(abs(x) for x in p)
    assert lattices.dual_d(n, 7) == shells([*box, *halves], l1, 7)
    d_n = [p for p in box if sum(p) % 2 == 0]
    assert lattices.diamond(n, 7) == shells([*d_n, *(tuple(x + 0.5 for x in p) for p in d_n)], l1, 7)
    # first terms from the OEIS data: A008383, A007900, A019560, A022146, A035805, A035889
    assert lattices.terms("Coordination sequence for A_4 lattice.", 0, 5) == [1, 20, 110, 340, 780]
    assert lattices.terms("Coordination sequence for D_4 lattice.", 0, 5) == [1, 24, 144, 456, 1056]
    assert lattices.terms("Coordination sequence for C_4 lattice.", 0, 5) == [1, 32, 192, 608, 1408]
    assert lattices.terms("Coordination sequence for root lattice B_4.", 0, 5) == [1, 32, 224, 768, 1856]
    dual = "Coordination sequence for lattice D*_40 (with edges defined by l_1 norm = 1)."
    assert lattices.terms(dual, 0, 5) == [1, 80, 3200, 85360, 1708800]
    diamond = "Coordination sequence for diamond structure D^+_26. (Edges defined by l_1 norm = 1.)."
    assert lattices.terms(diamond, 0, 5) == [1, 0, 1352, 0, 305552]
    assert lattices.terms("Coordination sequence for lattice D*_41 (with edges defined by l_1 norm = 1).", 0, 5) is None
    for name in (dual, diamond):
        assert_recurrence_holds(name, 0, 30, "lattices")
