"""OEIS A-numbers: an `int` everywhere in the code and the database, `A000045` in text.

`format_a_number` and `parse_a_number` are the only conversions between the two.
"""

from __future__ import annotations

import re

# An A-number is kept as its integer; this alias says which ints are A-numbers in signatures.
ANumber = int

_TEXT = re.compile(r"[Aa]?(\d{1,7})")
_IN_TEXT = re.compile(r"\bA(\d{6,7})\b")


def format_a_number(a_number: int) -> str:
    """45 -> `A000045`."""
    return f"A{a_number:06d}"


def parse_a_number(text: str) -> ANumber:
    """`A000045` (or `a45`, `45`) -> 45; ValueError naming the text otherwise."""
    m = _TEXT.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not an A-number: {text!r} (expected e.g. A000045)")
    return int(m.group(1))


def mentioned_a_numbers(text: str) -> set[ANumber]:
    """A-numbers written in a text (`A000045`, six or seven digits), e.g. in a sequence's name."""
    return {int(m) for m in _IN_TEXT.findall(text)}
