"""Products of Eisenstein series a name states: "Coefficients in q-expansion of E_2^4*E_4, where E_2 and E_4
are respectively the Eisenstein series A006352 and A004009". E_k = 1 - (2k/B_k) sum_n sigma_{k-1}(n) q^n
(E_2, E_4, E_6, E_8, E_10, E_14); the program multiplies the factors' series into memory cells, each
coefficient from a `seq` call to sigma_{k-1}, so it holds for every n. The product is computed in Python
first and must give the known terms.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import Program
from miner.search.build import at_offset
from miner.search.types import Candidate, SearchContext, Target

# k -> (-2k/B_k, the A-number of sigma_{k-1})
SERIES = {2: (-24, 203), 4: (240, 1158), 6: (-504, 1160), 8: (480, 13955), 10: (-264, 13957), 14: (-24, 13961)}
ARRAY = 100  # the product's coefficient t sits in cell ARRAY + t
MIN_TERMS = 6
_NAME = re.compile(r"^Coefficients in (?:the )?q-expansion of ((?:E_\d+(?:\^\d+)?\s*\*?\s*)+?)(?:,|\.|$)")


def parse_name(name: str) -> tuple[int, ...] | None:
    """The weights k of the factors E_k, one per factor (E_2^3: 2, 2, 2), or None."""
    m = _NAME.match(name.strip())
    if not m:
        return None
    ks: list[int] = []
    for k, e in re.findall(r"E_(\d+)(?:\^(\d+))?", m[1]):
        if int(k) not in SERIES:
            return None
        ks += [int(k)] * int(e or 1)
    return tuple(ks) if 0 < len(ks) <= 12 else None


def sigma(power: int, n: int) -> int:
    return sum(d**power for d in range(1, n + 1) if n % d == 0)


def product(ks: tuple[int, ...], count: int) -> list[int]:
    """The first `count` coefficients of the product (the program's Python twin)."""
    out = [1] + [0] * (count - 1)
    for k in ks:
        c, _ = SERIES[k]
        f = [1] + [c * sigma(k - 1, j) for j in range(1, count)]
        out = [sum(out[t - j] * f[j] for j in range(t + 1)) for t in range(count)]
    return out


def program(ks: tuple[int, ...], offset: int) -> Program:
    """a(n) = [q^(n - offset)] of the product: each factor multiplies the cells in place, t from n down."""
    lines = ["mov $1,$0", f"mov ${ARRAY},1"]
    for k in ks:
        c, callee = SERIES[k]
        # t = $2 runs n..0 and j = $3 runs t..1; the passes lpb undoes see t = -1 or j = 0 (seq gets 1)
        lines += ["mov $2,$1", "add $2,1", "lpb $2", "  sub $2,1", "  mov $3,$2", "  mov $4,0",
                  "  lpb $3",
                  "    mov $5,$2", "    sub $5,$3", f"    add $5,{ARRAY}", "    mov $6,$$5",
                  "    mov $7,$3", "    max $7,1", f"    seq $7,{callee}", f"    mul $7,{c}",
                  "    mul $6,$7", "    add $4,$6", "    sub $3,1",
                  "  lpe",
                  "  mov $5,$2", f"  add $5,{ARRAY}", "  add $$5,$4",
                  "lpe"]
    lines += ["mov $5,$1", f"add $5,{ARRAY}", "mov $0,$$5"]
    return at_offset(parse("\n".join(lines) + "\n", "eisenstein").code(), offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The product's program when its coefficients are the known terms (and the corpus has the sigmas)."""
    ks = parse_name(target.name)
    if ks is None or len(target.terms) < MIN_TERMS:
        return []
    if corpus is not None and any(SERIES[k][1] not in corpus for k in ks):
        return []
    if product(ks, len(target.terms)) != list(target.terms):
        return []
    return [program(ks, target.offset)]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named product of Eisenstein series."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "eisenstein", "from name")
