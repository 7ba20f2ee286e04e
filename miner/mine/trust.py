"""Whether a program that reproduces every known term is evidence enough to store as the sequence's program.

Reproducing the known terms is necessary, not sufficient: with few terms, many corpus sequences and
their transforms agree with a target by chance (siblings of a family share their first 16 terms), and a
program found by matching terms has used them all up. So a hit found by matching terms (corpus sweep,
matcher lookups, mutation, repair, the model) needs `[mine] trust_min_terms` known terms unless the
name names the sequence it calls; and no hit may be the value of a sequence whose name is the target's with other
numbers (a sibling: "... on 25 generators" for "... on 43 generators"). Hits derived from the name or
fitted with a margin (formula, g.f., recurrence, holonomic) carry their own evidence.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from miner.lang.program import CONSTANT, Program

# Strategies whose candidates are chosen because their terms match, not derived from the name or fitted
# with a margin; a matcher-route candidate ("<strategy>+match") counts as one of them too.
MATCHED = frozenset({"corpus_sweep", "mutation", "repair", "beam", "sample", "name_only", "terms_only", "family"})

_A_NUMBER = re.compile(r"\bA(\d{6,7})\b")
_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[a-z]+|#|[^\sa-z#]")


def callees(program: Program) -> list[int]:
    """A-numbers the program calls with `seq`, in order."""
    return [int(op.source.value) for op in program.ops if op.op == "seq" and op.source.kind == CONSTANT]


def untransformed(program: Program) -> bool:
    """Whether the program's value is a `seq` call's value as is (nothing runs after its last call)."""
    ops = [op for op in program.ops if op.op != "nop"]
    return bool(ops) and ops[-1].op == "seq"


def mentioned(name: str) -> set[int]:
    """A-numbers written in a name."""
    return {int(m) for m in _A_NUMBER.findall(name)}


def _shape(name: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_NUMBER.sub("#", _A_NUMBER.sub("#", name.lower()))))


def siblings(name: str, other: str) -> bool:
    """Names that say the same with different numbers: members of one family, different sequences."""
    if not name or not other or name.strip() == other.strip() or not _NUMBER.search(name):
        return False
    return _shape(name) == _shape(other)


def reject_reason(strategy: str, route: str, program: Program, name: str, known_terms: int,
                  names: Mapping[int, str], cfg: dict[str, Any]) -> str | None:
    """Why a candidate that reproduces every known term is not trusted enough to store (None: trusted)."""
    calls = callees(program)
    # The value of a family member is not its sibling's (a transformed one may be: "A000045(n) + 1").
    if untransformed(program):
        for k in calls[-1:]:
            if siblings(name, names.get(k, "")):
                return f"is A{k:06d}, a sibling by name"
    matched = strategy in MATCHED or route == "match"
    need = int(cfg["mine"]["trust_min_terms"])
    if matched and known_terms < need and not (set(calls) & mentioned(name)):
        return f"{known_terms} known terms < trust_min_terms {need} for a match"
    return None
