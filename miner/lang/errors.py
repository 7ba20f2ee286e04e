"""Why an evaluation failed: one exception class per reason, all subclasses of EvalError."""

from __future__ import annotations


class EvalError(Exception):
    """A program could not compute a term. `steps` is how far it got (may be 0 if unknown)."""

    reason = "error"

    def __init__(self, message: str, steps: int = 0) -> None:
        super().__init__(message)
        self.steps = steps


class UndefinedError(EvalError):
    """The result is undefined in LODA (`inf`): division by zero, log of 0, 0^-1, ..."""

    reason = "undefined"


class NumberTooLargeError(UndefinedError):
    """A number outgrew LODA's size limit (|x| >= 2^3840), which LODA also treats as `inf`."""

    reason = "overflow"


class StepLimitError(EvalError):
    """More LODA steps than `Limits.max_steps` for one term."""

    reason = "step limit"


class MemoryLimitError(EvalError):
    """A memory cell or range beyond `Limits.max_memory`, or too many cells in use."""

    reason = "memory limit"


class TimeLimitError(EvalError):
    """The evaluation took longer than `Limits.max_seconds` of wall time."""

    reason = "time limit"


class InvalidAccessError(EvalError):
    """A negative cell index, an index that does not fit 64 bits, or a loop nested too deep."""

    reason = "invalid access"


class MissingProgramError(EvalError):
    """`seq`/`prg` calls a program that is not in the corpus (or no corpus was given)."""

    reason = "missing program"


class CyclicSeqError(EvalError):
    """`seq`/`prg` calls form a cycle (a program calls itself, directly or indirectly)."""

    reason = "cyclic seq"


class SeqDepthError(EvalError):
    """`seq` calls nested deeper than the evaluator can follow (a chain of hundreds of programs)."""

    reason = "seq depth"


class SeqArgumentError(EvalError):
    """`seq` passes an argument below the callee's offset (loda-cpp: "seq using invalid argument")."""

    reason = "seq argument"
