"""Does a program reproduce the terms in its own header? The check behind `loda-miner check`, the
conformance test and `benchmarks/conformance.py`."""

from __future__ import annotations

from typing import Any

from miner.lang.errors import MemoryLimitError, StepLimitError, TimeLimitError
from miner.lang.evaluator import check_terms
from miner.lang.header import read_header
from miner.lang.limits import Limits
from miner.lang.parser import ParseError
from miner.lang.program import Program

LIMIT_REASONS = {cls.reason for cls in (StepLimitError, MemoryLimitError, TimeLimitError)}


def check_program(program: Program, corpus: Any, limits: Limits, max_terms: int | None = None) -> dict:
    """Check a program against its header terms: {"status": reproduced / mismatched / error / limit, ...}."""
    terms = read_header(program).terms
    if max_terms is not None:
        terms = terms[:max_terms]
    result = check_terms(program, terms, corpus, limits)
    if result.ok:
        return {"status": "reproduced", "terms": len(terms), "steps": result.steps}
    if result.error is None:
        return {"status": "mismatched", "terms": len(terms), "matched": result.matched, "reason":
                f"term {result.matched + 1} (n={program.offset + result.matched}): "
                f"expected {terms[result.matched]}, got {result.got}"}
    kind = result.error.split(":", 1)[0]
    return {"status": "limit" if kind in LIMIT_REASONS else "error", "terms": len(terms),
            "matched": result.matched, "reason": result.error}


def classify(corpus: Any, a_number: int, limits: Limits, max_terms: int | None = None) -> dict:
    """`check_program` for one corpus program; {"status": "parse_error", ...} when it does not parse."""
    try:
        program = corpus.get(a_number)
    except ParseError as exc:
        return {"status": "parse_error", "reason": str(exc)}
    return check_program(program, corpus, limits, max_terms)
