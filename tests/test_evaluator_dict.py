"""The dict-memory compiler (indirect operands, variable ranges) against the general interpreter."""

from __future__ import annotations

import random

import pytest

from miner.lang import Corpus, Limits, compile_program, parse, read_header
from miner.lang import compiler
from miner.lang import evaluator as E
from miner.lang.errors import EvalError, StepLimitError


def outcomes(program, run, terms: int, corpus: Corpus | None, limits: Limits) -> list:
    """(value, steps) per term, ending with (error class, message) at the first error."""
    header = read_header(program)
    compiled = E.Compiled(run, program.offset, header.a_number, True, program)
    ctx = E.Context(limits, corpus)
    ctx.memo = {}
    out: list = []
    for i in range(terms):
        try:
            out.append(E._run_term(compiled, program.offset + i, ctx))
        except EvalError as exc:
            # where a step limit strikes differs by design (per loop vs per operation); its kind must not
            out.append((type(exc).__name__, "" if isinstance(exc, StepLimitError) else str(exc)))
            break
    return out


def assert_same(text_or_program, terms: int, corpus: Corpus | None = None,
                limits: Limits = Limits(max_steps=1_000_000, max_seconds=10)) -> list:
    program = parse(text_or_program) if isinstance(text_or_program, str) else text_or_program
    assert compiler.generate_source(program, limits.max_memory) is None  # not for the local-variable compiler
    run = compiler.compile_dict_run(program, limits.max_memory)
    assert run is not None
    got = outcomes(program, run, terms, corpus, limits)
    assert got == outcomes(program, E._interpreted(program), terms, corpus, limits)
    return got


@pytest.mark.parametrize("text", [
    "mov $1,5\nmov $2,3\nlpb $1\n  sub $1,1\n  add $2,1\n  mov $$2,$1\nlpe\nmov $0,$6\nadd $0,$$2\n",
    "mov $1,$0\nadd $1,3\nlpb $0\n  sub $0,1\n  mov $$1,$0\n  sub $1,1\nlpe\nmov $0,$2\n",
    "mov $1,$0\nfil $2,$1\nrol $1,$0\nror $2,$1\nclr $3,$0\nmov $0,$2\n",
    "mov $1,$0\nlpb $1,$0\n  sub $1,1\n  add $3,$$1\nlpe\nmov $0,$3\n",  # fragment loop, variable length
    "mov $1,-1\nmov $$1,2\n",  # negative index
    "mov $1,100000\nmov $$1,2\n",  # beyond max_memory
    "mov $5,$0\nmul $5,1000\nmov $$5,7\nmov $0,$$5\n",  # cells past max_memory for larger n
    "mov $2,7\nmov $3000,1\n",  # a direct cell past max_memory
    "mov $1,2\nmov $$1,$0\nlpb $$1\n  sub $$1,1\n  mul $4,2\n  add $4,1\nlpe\nmov $0,$4\n",  # indirect counter
])
def test_dict_compiler_equals_interpreter(text: str) -> None:
    assert_same(text, 8)


def test_dict_compiled_programs_are_used() -> None:
    compiled = compile_program("mov $1,3\nmov $$1,$0\nmul $3,2\nmov $0,$3\n")
    assert compiled.compiled and compiled.run(5, E.Context(Limits(), None)) == (10, 4)


def test_memory_in_use_is_limited() -> None:
    # 40 cells in use with max_memory 30: the interpreter's size check, at the same operation
    text = "mov $1,$0\nadd $1,40\nlpb $1\n  sub $1,1\n  mov $2,$1\n  add $2,2\n  mov $$2,1\nlpe\n"
    got = assert_same(text, 3, None, Limits(max_steps=100_000, max_memory=30, max_seconds=5))
    assert got[-1][0] == "MemoryLimitError"


def test_corpus_programs_with_indirect_operands(sample_tarball) -> None:
    """Real programs the local-variable compiler rejects: values, steps and errors equal the interpreter's."""
    corpus = Corpus.from_path(sample_tarball)
    ids = corpus.ids()
    rng = random.Random(20260403)
    limits = Limits(max_steps=300_000, max_seconds=5)
    checked = 0
    while checked < 40:
        program = corpus.get(rng.choice(ids))
        if compiler.generate_source(program, limits.max_memory) is not None:
            continue
        assert_same(program, 12, corpus, limits)
        checked += 1
