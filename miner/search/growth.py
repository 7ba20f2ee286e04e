"""Growth series of groups a name states by their g.f., part of `recurrence`: "Growth series for fundamental
group of orientable closed surface of genus 5". Cannon's growth function of the surface group of genus g (2g
generators, one relator of length 4g) is (1 + 2x + ... + 2x^(2g-1) + x^(2g)) / (1 - (4g-2)(x + ... + x^(2g-1))
+ x^(2g)); its coefficients are computed in Python and `recurrence` fits its denominator as the recurrence.
"""

from __future__ import annotations

import re

from miner.search.linalg import series

_SURFACE = re.compile(r"^Growth series for (?:the )?fundamental group of (?:an? )?orientable closed surface of genus (\d+)\.?$")
MAX_GENUS = 30


def surface(genus: int, count: int) -> list[int]:
    """The first `count` coefficients of the surface group's growth series."""
    top = 2 * genus
    num = [1] + [2] * (top - 1) + [1]
    den = [1] + [-(4 * genus - 2)] * (top - 1) + [1]
    return [int(c) for c in series(num, den, count) or []]


def terms(name: str, offset: int, count: int) -> list[int] | None:
    """The named growth series from n = offset on, `count` terms; None unless the name states one."""
    m = _SURFACE.match(name.strip())
    if m is None or not 1 <= (genus := int(m[1])) <= MAX_GENUS or offset < 0:
        return None
    return surface(genus, offset + count)[offset:]
