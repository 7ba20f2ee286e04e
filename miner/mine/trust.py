"""Whether a program that reproduces every known term is evidence enough to store without a b-file.

Reproducing the known terms is necessary, not sufficient: OEIS holds many near-duplicates (siblings of a
family share their first 16 terms, digit and "numbers such that" lists agree for dozens of terms), and a
program found by matching terms has used them all up. Measured on held-out corpus sequences
(`benchmarks/false_hits.py`), such hits were wrong 5.6% of the time, mostly on small-valued terms. So,
unless a b-file reaches beyond the known terms, a hit found by matching terms (corpus sweep, transforms, matcher
lookups, family templates, neighbour edits, mutation, repair, the model) needs `[mine] trust_match_bits` bits of known
terms (sum of log2(|a(n)|+1)) or a name that names the sequence it calls (a composition of two transforms
needs `trust_fit_bits` even then); a fit to the terms (recurrence, Euler transform, algebraic number) needs
`trust_fit_bits`, a linear or holonomic recurrence of terms whose shortest linear recurrence has order
`trust_long_order` or more also `trust_step_bits` in their second differences (unless the name is a coordination
sequence's, a growth or a Molien series': rational by theorem), and as a match the bits of one if it calls a
sequence it chose by its terms; and no hit may call a sequence whose name is the target's with other numbers (a
sibling: "... on 25 generators" for "... on 43 generators") unless the name names it. Hits compiled
from the name (formula, g.f., continued fraction, digit filter, Coxeter group, descents, Beatty map, prime
condition, digit stream, a reading of the cited sequence, infinite product, eta quotient, Eisenstein
series product, closed-form constant, quadratic form, e.g.f., rules by earlier terms, partition statistic,
necklace count, digit strings, power holding n, "such that" condition) carry their own evidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from miner.lang.anumber import format_a_number, mentioned_a_numbers
from miner.lang.program import CONSTANT, Program
from miner.search.matchers import differences
from miner.search.recurrence import RATIONAL_NAME, linear_complexity

# Strategies whose candidates are chosen because their terms match, not derived from the name or fitted
# with a margin; a matcher-route candidate ("<strategy>+match") counts as one of them too.
MATCHED = frozenset({"corpus_sweep", "transforms", "compositions", "combine", "neighbours", "mutation", "repair",
                     "beam", "sample", "name_only", "terms_only", "family", "family_deep"})
# Matches among so many candidate programs per known sequence that a cited name alone does not vouch for one.
WIDE = frozenset({"compositions"})
# Routes by which a candidate's terms were looked up: the matchers, or a completion by a known sequence.
MATCH_ROUTES = frozenset({"match", "combine"})
# Fitted to the terms with a margin.
FITTED = frozenset({"recurrence", "holonomic", "euler", "algebraic"})
# Recurrences whose fit also needs bits in the second differences when the terms' shortest linear recurrence
# is long (a holonomic recurrence of non-constant coefficients has none shorter than half the terms).
RECURRENCES = frozenset({"recurrence", "holonomic"})

_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)?")
_WORD = re.compile(r"[a-z]+|#|[^\sa-z#]")


# What a hit rests on, strongest first.
EVIDENCE = ("name", "fit", "match")


def evidence(strategy: str) -> str:
    """What a strategy's hit rests on: its terms matching, a fit to them, or the name it was compiled from."""
    if strategy in MATCHED:
        return "match"
    return "fit" if strategy in FITTED else "name"


def callees(program: Program) -> list[int]:
    """A-numbers the program calls with `seq`, in order."""
    return [int(op.source.value) for op in program.ops if op.op == "seq" and op.source.kind == CONSTANT]


def information(terms: Sequence[int]) -> float:
    """Bits in the terms: sum of log2(|a(n)| + 1) (a 0/1 sequence carries at most one bit a term)."""
    return sum(math.log2(abs(t) + 1) for t in terms)


def _shape(name: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_NUMBER.sub("#", name.lower())))  # an A-number's digits too


def siblings(name: str, other: str) -> bool:
    """Names that say the same with different numbers: members of one family, different sequences."""
    if not name or not other or name.strip() == other.strip() or not _NUMBER.search(name):
        return False
    return _shape(name) == _shape(other)


def reject_reason(strategy: str, route: str, program: Program, name: str, terms: Sequence[int],
                  names: Mapping[int, str], cfg: dict[str, Any]) -> str | None:
    """Why a candidate that reproduces every known term `terms` (and no b-file beyond them) is not
    evidence enough to store (None: it is)."""
    calls = callees(program)
    named = set(calls) & mentioned_a_numbers(name)
    # A combination chose both parts by their terms: its name must cite every sequence it calls.
    vouched = named == set(calls) if "combine" in (strategy, route) else bool(named)
    for k in calls:
        if k not in named and siblings(name, names.get(k, "")):
            return f"calls {format_a_number(k)}, a sibling by name"
    m = cfg["mine"]
    bits = information(terms)
    # A fit that calls a sequence chose it by its terms (an Euler transform of a known sequence): a match.
    matched = strategy in MATCHED or route in MATCH_ROUTES or (strategy in FITTED and bool(calls))
    if matched and not vouched and bits < float(m["trust_match_bits"]):
        return f"{bits:.0f} bits of known terms < trust_match_bits {m['trust_match_bits']} for a match"
    # One of some 600 compositions chosen by the terms: a cited name vouches for the sequence, not for the
    # composition (measured: a triangle's 12 small terms matched one, wrong from the next term on).
    if strategy in WIDE and vouched and bits < float(m["trust_fit_bits"]):
        return f"{bits:.0f} bits of known terms < trust_fit_bits {m['trust_fit_bits']} for a cited composition"
    if strategy in FITTED and route not in MATCH_ROUTES and bits < float(m["trust_fit_bits"]):
        return f"{bits:.0f} bits of known terms < trust_fit_bits {m['trust_fit_bits']} for a fit"
    if strategy in RECURRENCES and route not in MATCH_ROUTES and not RATIONAL_NAME.search(name) \
            and linear_complexity(terms) >= int(m["trust_long_order"]):
        # An increasing list with small, almost periodic steps (digit conditions, Beatty sequences) fits
        # a long recurrence for dozens of terms and leaves it at the next block (benchmarks/fit_tails.py).
        steps = information(differences(differences(list(terms)))[2:])  # [2:]: the first term and step kept
        if steps < float(m["trust_step_bits"]):
            return f"{steps:.0f} bits of second differences < trust_step_bits {m['trust_step_bits']} for a long recurrence"
    return None
