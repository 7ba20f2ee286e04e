"""Resource limits for one evaluation; defaults follow loda-cpp where Python can afford them."""

from __future__ import annotations

from dataclasses import dataclass

# Numbers are LODA's: |x| < 2^NUMBER_BITS (loda-cpp's BigNumber: 60 words of 64 bits); fixed, not a limit
# one may tune, because it decides which programs are correct.
NUMBER_BITS = 3840


@dataclass(frozen=True)
class Limits:
    """Limits no input can break.

    max_steps: LODA steps for one term, counting callees' steps (loda-cpp max_cycles: 100,000,000).
    max_memory: highest cell index written and most cells in use (loda-cpp max_memory: 2,000).
    max_seconds: wall time for a whole evaluate/check_terms call (loda-cpp: none by default).
    """

    max_steps: int = 100_000_000
    max_memory: int = 2000
    max_seconds: float = 10.0

    @classmethod
    def from_config(cls, section: dict) -> "Limits":
        """Limits from the `[eval]` config section."""
        return cls(int(section["max_term_steps"]), int(section["max_memory"]), float(section["max_seconds"]))


DEFAULT = Limits()
