"""An OEIS sequence as the miner sees it: A-number, name, known terms and offset."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SequenceRecord:
    """An OEIS sequence: A-number, name, known terms and offset (index of the first term)."""

    a_number: int
    name: str
    terms: list[int]
    offset: int
    # The terms exactly as stored ("1,1,2"), when the producer has it already (saves re-joining).
    terms_text: str | None = field(default=None, repr=False, compare=False)
    # Fields the source files lacked for it ("name", "terms", "offset"): a refresh keeps the stored ones.
    missing: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
