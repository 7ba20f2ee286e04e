"""The LODA language: parse, format and evaluate programs exactly as loda-cpp does.

Pure Python; imports nothing else of the project.
"""

from miner.lang.anumber import ANumber, format_a_number, parse_a_number
from miner.lang.corpus import Corpus
from miner.lang.errors import (CyclicSeqError, EvalError, InvalidAccessError, MemoryLimitError,
                               MissingProgramError, NumberTooLargeError, SeqArgumentError, StepLimitError,
                               TimeLimitError, UndefinedError)
from miner.lang.evaluator import CheckResult, Compiled, check_terms, compile_program, evaluate, evaluate_partial
from miner.lang.formatter import format_operation, format_program
from miner.lang.header import Header, read_header
from miner.lang.limits import DEFAULT, NUMBER_BITS, Limits
from miner.lang.parser import ParseError, parse
from miner.lang.program import CONSTANT, DIRECT, INDIRECT, OPS, Operand, Operation, Program

__all__ = [
    "CONSTANT", "DIRECT", "INDIRECT", "OPS", "Operand", "Operation", "Program",
    "parse", "ParseError", "format_program", "format_operation",
    "Limits", "DEFAULT", "NUMBER_BITS", "evaluate", "evaluate_partial", "check_terms", "CheckResult", "compile_program", "Compiled",
    "Corpus", "Header", "read_header", "ANumber", "format_a_number", "parse_a_number",
    "EvalError", "UndefinedError", "NumberTooLargeError", "StepLimitError", "MemoryLimitError",
    "TimeLimitError", "InvalidAccessError", "MissingProgramError", "CyclicSeqError", "SeqArgumentError",
]
