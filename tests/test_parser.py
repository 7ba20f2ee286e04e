"""Parsing and formatting LODA programs: the full syntax, canonical text, and clear errors."""

from __future__ import annotations

import pytest

from miner.lang import (CONSTANT, DIRECT, INDIRECT, OPS, Operand, Operation, ParseError, Program,
                        format_program, parse, read_header)

FIB = """; A000045: Fibonacci numbers.
; Submitted by someone
; 0,1,1,2,3,5,8

#offset 0

mov $3,1
lpb $0
  sub $0,1
  mov $2,$1
  add $1,$3
  mov $3,$2
lpe
mov $0,$1
"""


def test_canonical_text_round_trips() -> None:
    program = parse(FIB)
    assert format_program(program) == FIB
    assert parse(format_program(program)) == program


def test_operands_and_directives() -> None:
    p = parse("#offset 1\n#inputs 2\nMOV $$3,-17 ; note\nlpb $0,$2\nlpe\nclr $1,3\n")
    assert p.offset == 1 and p.directives == {"offset": 1, "inputs": 2}
    assert p.ops[0] == Operation("mov", Operand(INDIRECT, 3), Operand(CONSTANT, -17), "note")
    assert p.ops[1].source == Operand(DIRECT, 2)
    assert format_program(p) == "#inputs 2\n#offset 1\n\nmov $$3,-17 ; note\nlpb $0,$2\nlpe\nclr $1,3\n"


def test_lpb_default_second_argument_is_one() -> None:
    p = parse("lpb $0\nlpe\nlpb $1,1\nlpe\nlpb $1,2\nlpe")
    assert p.ops[0].source == Operand(CONSTANT, 1) == p.ops[2].source
    assert format_program(p) == "lpb $0\nlpe\nlpb $1\nlpe\nlpb $1,2\nlpe\n"


def test_every_operation_parses_and_formats() -> None:
    for name, info in OPS.items():
        if name in ("nop", "lpb", "lpe"):
            continue
        text = name if info.operands == 0 else f"{name} $1,$$2"
        assert format_program(parse(text)).strip() == text


def test_big_constants_and_comments() -> None:
    big = 10 ** 200
    p = parse(f"  add $1,{big}   ;;  a comment  \n\n;  lone comment\n")
    assert p.ops[0].source.value == big and p.ops[0].comment == "a comment"
    assert p.ops[1] == Operation("nop", comment="lone comment")


@pytest.mark.parametrize("text,line,fragment", [
    ("mov $0,1\nfoo $1,2\n", 2, "unknown operation: foo"),
    ("mov $0,\n", 1, "missing operand"),
    ("mov $0 2\n", 1, "two operands"),
    ("add 1,$0\n", 1, "memory cell"),
    ("mov $-1,2\n", 1, "negative"),
    ("mov $0,$-1\n", 1, "negative"),
    ("mov $01,1\n", 1, "malformed number"),
    ("mov $0,1 ;\nmov $0,$00\n", 2, "malformed number"),
    ("mov $0,01\n", 1, "malformed number"),
    ("mov $0,-0\n", 1, "malformed number"),
    ("lpb $0\nmov $1,1\n", 1, "without matching lpe"),
    ("mov $0,1\nlpe\n", 2, "without matching lpb"),
    ("#bogus 1\n", 1, "invalid directive"),
    ("lpe $0\n", 1, "unexpected text"),
    ("mov $0,1 junk\n", 1, "unexpected text"),
    (f"mov $0,{2 ** 3840}\n", 1, "size"),
])
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text, "prog.asm")
    assert info.value.line == line and info.value.source == "prog.asm"
    assert str(info.value).startswith(f"prog.asm:{line}: ")
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_the_common_lines_quick_path_agrees_with_the_general_one() -> None:
    # Every line the quick path takes must parse, to the same operation, on the general path; edits of
    # real lines (a character more, less or changed) reach its edges.
    import random

    from miner.lang import parser

    def general(line: str) -> Operation | None | str:
        try:
            return parser._general_line(line, Program())
        except ValueError:
            return "error"

    rng = random.Random(3)
    lines = [*FIB.splitlines(), "add $1,$$2 ;; c ", "mov$0,-12", "  seq $3,45", "lpb $0,2", "mul $2,$$0;x"]
    alphabet = " \t,;$-019amovMO#"
    quick = 0
    for _ in range(20000):
        chars = list(rng.choice(lines))
        for _ in range(rng.randint(0, 2)):
            at = rng.randrange(len(chars) + 1)
            if rng.random() < 0.5 or not chars:
                chars.insert(at, rng.choice(alphabet))
            else:
                chars[min(at, len(chars) - 1)] = rng.choice(alphabet)
        line = "".join(chars)
        op = parser._common_line(line)
        if op is not None:
            quick += 1
            assert general(line) == op, line
    assert quick > 3000  # the quick path was reached, often


def test_header() -> None:
    header = read_header(parse(FIB))
    assert header.a_number == 45 and header.name == "Fibonacci numbers."
    assert header.terms == [0, 1, 1, 2, 3, 5, 8]
    assert read_header(FIB) == header
    assert read_header("mov $0,1").a_number is None


def test_corpus_programs_round_trip(sample_tarball) -> None:
    """A fixed slice of the real corpus formats back to its own text and parses to the same program."""
    from miner.lang import Corpus

    corpus = Corpus.from_path(sample_tarball)
    ids = corpus.ids()
    assert len(ids) > 400
    for a in ids:
        text = corpus.text(a)
        program = corpus.get(a)
        assert parse(format_program(program)) == program
        # files keep a blank line after the header even without directives; loda-cpp prints none
        assert format_program(program).split() == text.split(), f"A{a:06d} is not canonical"


def test_program_model_is_compatible() -> None:
    p = Program([Operation("mov", Operand(DIRECT, 1), Operand(CONSTANT, 2))], {"offset": 3})
    assert p.offset == 3 and format_program(p) == "#offset 3\n\nmov $1,2\n"


def test_a_program_sent_to_a_checker_process_arrives_unchanged():
    import pickle

    text = "; A000045: Fibonacci\n#offset 1\nmov $1,1\nlpb $0\n  sub $0,1 ; count down\n  add $$1,$2\nlpe\nseq $0,45\n"
    program = parse(text)
    again = pickle.loads(pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == program and format_program(again) == format_program(program)
