"""LODA memory operations on a dict {cell: value} (absent = 0), with loda-cpp's range semantics.

`clr`/`fil`/`rol`/`ror` act on `length` cells from `start` upward, or for a negative length on
the |length| cells ending at `start`. Work is proportional to the cells in use, never to the
length, so `fil $0,-10^18` cannot hang the process.
"""

from __future__ import annotations

from miner.lang.errors import InvalidAccessError, MemoryLimitError

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
CACHE_CELLS = 16  # loda-cpp keeps cells 0..15 in a fixed array; only others count as memory used


def as_int(value: int) -> int:
    """A value used as an index or length must fit in 64 bits (loda-cpp's asInt)."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    raise InvalidAccessError(f"integer overflow: {value} used as a cell index or length")


def negative_index(index: int) -> int:
    raise InvalidAccessError(f"memory access with negative index: {index}")


def span(start: int, length: int) -> tuple[int, int]:
    """The half-open cell range [first, last) that `length` cells at `start` denote."""
    return (start, start + length) if length > 0 else (start + length + 1, start + 1)


def check_length(length: int, max_memory: int) -> None:
    if max_memory >= 0 and length > max_memory:
        raise MemoryLimitError(f"maximum memory exceeded: range of {length} cells")


def used_cells(mem: dict[int, int]) -> int:
    """loda-cpp's approximate_size: non-zero cells beyond the first 16, plus 16."""
    return sum(1 for k, v in mem.items() if k >= CACHE_CELLS and v) + CACHE_CELLS


def check_size(mem: dict[int, int], max_memory: int) -> None:
    if max_memory >= 0 and len(mem) > max_memory - CACHE_CELLS and used_cells(mem) > max_memory:
        raise MemoryLimitError(f"maximum memory exceeded: {used_cells(mem)} cells in use")


def clear(mem: dict[int, int], start: int, length: int) -> None:
    first, last = span(start, length)
    if last - first <= len(mem):
        for i in range(max(first, 0), last):
            mem.pop(i, None)
    else:
        for k in [k for k in mem if first <= k < last]:
            del mem[k]


def fill(mem: dict[int, int], start: int, length: int, max_memory: int) -> None:
    if start < 0:
        negative_index(start)
    value = mem.get(start, 0)
    first, last = span(start, length)
    if first >= last:
        return
    if first < 0:
        negative_index(first)
    if value == 0:
        clear(mem, start, length)
        return
    if max_memory >= 0 and last - max(first, CACHE_CELLS) > max_memory:
        raise MemoryLimitError(f"maximum memory exceeded: fill of {last - first} cells")
    for i in range(first, last):
        mem[i] = value


def _rotate(mem: dict[int, int], start: int, length: int, step: int) -> None:
    if length == 0:
        return
    first, last = span(start, length)
    if first < 0:
        negative_index(first)
    size = last - first
    moved = {}
    for k in [k for k in mem if first <= k < last]:
        moved[first + (k - first - step) % size] = mem.pop(k)
    mem.update(moved)


def rotate_left(mem: dict[int, int], start: int, length: int) -> None:
    _rotate(mem, start, length, 1)


def rotate_right(mem: dict[int, int], start: int, length: int) -> None:
    _rotate(mem, start, length, -1)


def fragment(mem: dict[int, int], start: int, length: int) -> list[int]:
    """The values of `length` cells from `start` (loda-cpp's Memory::fragment)."""
    if length <= 0:
        return []
    if length < CACHE_CELLS:
        if start < 0:
            negative_index(start)
        return [mem.get(start + i, 0) for i in range(length)]
    if length > len(mem) * 4 + 64:
        # sparse: only the cells in use matter, compare as a dict-backed list
        return _SparseFragment(mem, start, length)
    return [mem.get(start + i, 0) if start + i >= 0 else 0 for i in range(length)]


class _SparseFragment(list):
    """A long fragment stored as its non-zero entries only."""

    def __init__(self, mem: dict[int, int], start: int, length: int) -> None:
        super().__init__()
        self.items = {k - start: v for k, v in mem.items() if start <= k < start + length and k >= 0 and v}
        self.length = length


def _cells(frag: list[int]) -> dict[int, int]:
    if isinstance(frag, _SparseFragment):
        return frag.items
    return {i: v for i, v in enumerate(frag) if v}


def is_less(new: list[int], old: list[int], length: int) -> bool:
    """loda-cpp's Memory::is_less with check_nonn: lexicographically smaller, no negative prefix."""
    if length <= 0:
        return False
    if not isinstance(new, _SparseFragment) and not isinstance(old, _SparseFragment):
        for i in range(min(length, len(new))):
            lhs = new[i]
            if lhs < 0:
                return False
            rhs = old[i] if i < len(old) else 0
            if lhs != rhs:
                return lhs < rhs
        return False
    a, b = _cells(new), _cells(old)
    for i in sorted(set(a) | set(b)):
        if i >= length:
            break
        lhs, rhs = a.get(i, 0), b.get(i, 0)
        if lhs < 0:
            return False
        if lhs != rhs:
            return lhs < rhs
    return False
