"""Digit streams a name states: "Write the (n+1)st Fibonacci number in base 7 and juxtapose", "Write n in
base 5, then complement each digit and juxtapose", "Write the primes backwards in base 10 and juxtapose their
digits", "Decimal digits of successive Fibonacci numbers", "row k consists of the binary digits of Fibonacci(k+1)".
The program walks the elements x(k0), x(k0+1),
... and subtracts each one's digit count from n until n falls inside one, then takes that digit, so it
holds for every term. Where the stream starts (k0) is left to the known terms. "Multiples of 7 with digits grouped
in pairs and leading zeros omitted" reads the stream two digits at a time.

Sequences made of their own digits ("Add 7 to each of the preceding digits, beginning with 0", "Begin with 5,
multiply each digit by 2") keep their digit stream in memory and read it as they write it; so do sequences
whose "First differences give the same sequence written as a string of individual digits" keep their terms and
read the next digit from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from miner.lang.parser import parse
from miner.lang.program import CONSTANT, DIRECT, Operand, Operation, Program
from miner.search.build import at_offset, largest_cell, line
from miner.search.formula import FormulaError, Node, inline_formula, parse_formula
from miner.search.types import Candidate, SearchContext, Target

_WRITE = re.compile(r"\bwrite (?:the )?(?P<what>.+?) in base (?P<base>\d+)(?:,? (?:then )?(?P<comp>complement each "
                    r"digit)(?: \(d -> \d+-d\))?)? and juxtapose\b", re.I)
_DIGITS_OF = re.compile(r"^(?P<kind>decimal|binary|ternary) digits of successive (?P<what>.+?)\.?$", re.I)
_ROWS = re.compile(r"\brow (?P<var>[kn]) (?:consists of|lists) the (?P<kind>binary|decimal|ternary) (?:digits|expansion) "
                   r"of (?P<what>.+?)\.?$", re.I)
_GROUPED = re.compile(r"^(?P<what>.+?) (?:written )?with digits grouped in pairs and leading zeros omitted\.?$", re.I)
_KINDS = {"binary": 2, "ternary": 3, "decimal": 10}
# Elements named by words: a corpus sequence (called with `seq`) or a formula in n.
_WORDS: dict[str, int | str] = {"fibonacci": 45, "prime": 40, "lucas": 32, "odd": "2*n-1", "even": "2*n",
                                "square": "n^2", "cube": "n^3", "triangular": "n*(n+1)/2", "natural": "n"}
STARTS = (0, 1, 2)
LOOP = Operation("lpb", Operand(DIRECT, 0), Operand(CONSTANT, 1))  # the first k of the stream, tried in this order


@dataclass(frozen=True)
class Stream:
    """The base-`base` digits of x(k0), x(k0+1), ... one after another, x a corpus sequence (`seq`) or a
    formula in n; each element's digits reversed if `backwards`, each digit d as base-1-d if `complement`."""

    base: int
    seq: int | None = None
    formula: Node | None = None
    backwards: bool = False
    complement: bool = False
    group: int = 1  # digits per term: "with digits grouped in pairs" reads them two at a time


def _element(text: str) -> tuple[int | None, Node | None] | None:
    """The element a phrase names ("the (n+1)st Fibonacci number", "odd numbers 2n - 1", "n"), or None."""
    text = re.sub(r"^(?:the |successive |\(n\+1\)st |n-th |nth )+", "", text.strip().lower())
    text = re.sub(r"^multiples of (\d+)$", r"numbers \1*n", text)
    if re.fullmatch(r"numbers (\d+),\s*\d+,.*", text):  # "the numbers 0,1,2,3,4,..."
        text = "n"
    if m := re.search(r"numbers? (.+)$", text):  # "odd numbers 2n - 1": the formula says it all
        try:
            return None, parse_formula(m[1])
        except FormulaError:
            pass
    word = re.sub(r"(?: numbers?| number)$", "", text).rstrip("s")
    found = _WORDS.get(word) if word not in ("n", "") else "n"
    if isinstance(found, int):
        return found, None
    try:
        return None, parse_formula(found if found is not None else text)
    except FormulaError:
        return None


def parse_name(name: str) -> Stream | None:
    """The digit stream the name states, or None."""
    group = 1
    if m := _WRITE.search(name):
        base, what, comp = int(m["base"]), m["what"], bool(m["comp"])
    elif m := _DIGITS_OF.match(name.strip()):
        base, what, comp = _KINDS[m["kind"].lower()], m["what"], False
    elif m := _ROWS.search(name):  # "Triangle read by rows, where row k consists of the binary digits of F(k+1)"
        base, what, comp = _KINDS[m["kind"].lower()], re.sub(rf"\b{m['var']}\b", "n", m["what"]), False
    elif m := _GROUPED.match(name.strip()):  # "Multiples of 7 with digits grouped in pairs and leading zeros omitted"
        base, what, comp, group = 10, m["what"], False, 2
    else:
        return None
    backwards = bool(re.search(r"\s+backwards$", what))
    element = _element(re.sub(r"\s+backwards$", "", what))
    if element is None or not 2 <= base <= 36:
        return None
    return Stream(base, element[0], element[1], backwards, comp, group)


def _element_code(stream: Stream) -> list[Operation]:
    """Code setting $2 to x($1) (cells from $6 on are scratch)."""
    if stream.seq is not None:
        return parse(f"mov $2,$1\nseq $2,{stream.seq}\n").code()
    assert stream.formula is not None
    return inline_formula(stream.formula, 1, 2, 5)


def program(stream: Stream, start: int, offset: int) -> Program:
    """The n-th digit (or group of digits) of the stream from x(start) on (n counted from the offset)."""
    digit = _digit_code(stream, start)
    if stream.group == 1:
        return at_offset(digit, offset)
    # the group's digits one after another: the digit code runs at g*n + i with its cells cleared each time
    top = largest_cell(digit) + 1
    ops = parse(f"mov ${top},$0\nmov ${top + 1},0\n").code()
    for i in range(stream.group):
        ops += [line("mov", c, 0) for c in range(1, top)]
        ops += parse(f"mov $0,${top}\nmul $0,{stream.group}\nadd $0,{i}\n").code() + digit
        ops += parse(f"mul ${top + 1},{stream.base}\nadd ${top + 1},$0\n").code()
    return at_offset([*ops, line("mov", 0, top + 1, direct=True)], offset)


def _digit_code(stream: Stream, start: int) -> list[Operation]:
    """Index-form code: $0 from the n-th digit's index n to the digit."""
    b = stream.base
    element = _element_code(stream)
    # Each pass takes one element's digits off $0; the pass that takes $0 below zero is undone by lpb, so
    # $1 is the element holding the digit and $0 its place from the left.
    head = parse(f"mov $1,{start}\n").code()
    walk = [LOOP, *element, *parse(f"mov $3,$2\nmax $3,1\nlog $3,{b}\nadd $3,1\nsub $0,$3\nadd $1,1\n").code(),
            Operation("lpe")]
    place = "mov $3,$0\n" if stream.backwards else f"mov $3,$2\nmax $3,1\nlog $3,{b}\nsub $3,$0\n"
    tail = parse(place + f"mov $4,{b}\npow $4,$3\ndiv $2,$4\nmod $2,{b}\n"
                 + (f"mul $2,-1\nadd $2,{b - 1}\n" if stream.complement else "") + "mov $0,$2\n").code()
    return head + walk + element + tail


# Sequences made of their own digits: "Add 7 to each of the preceding digits, beginning with 0", "Begin with 5,
# multiply each digit by 2": a(0) = s, and each later term is f(d) for the next digit d of the sequence so far.
_ADD_TO_DIGITS = re.compile(r"^Add (\d+) to each of the preceding digits, beginning with (\d)\.?$")
_MULTIPLY_DIGITS = re.compile(r"^Begin with (\d), multiply each digit by (\d+)\.?$")
_STREAM_BASE = 20  # the cell where the sequence's own digit stream starts


def self_digits(name: str) -> tuple[int, str, int] | None:
    """(s, op, c) when each term after a(0) = s is d + c (op "add") or d * c ("mul") for the sequence's next
    digit d; None unless f(9) has at most two digits."""
    if m := _ADD_TO_DIGITS.match(name):
        start, op, c = int(m[2]), "add", int(m[1])
    elif m := _MULTIPLY_DIGITS.match(name):
        start, op, c = int(m[1]), "mul", int(m[2])
    else:
        return None
    return (start, op, c) if (9 + c if op == "add" else 9 * c) < 100 else None


def self_digits_program(start: int, op: str, c: int, offset: int) -> Program:
    """The digit stream kept in memory from cell _STREAM_BASE: each pass reads the next digit ($3 points to
    it), appends f(d)'s one or two digits ($2 points past the end) and keeps f(d) as the term."""
    b = _STREAM_BASE
    code = f"""mov $1,$0
mov $2,{b + 1}
mov $3,{b}
mov ${b},{start}
mov $4,{start}
lpb $1
  sub $1,1
  mov $5,$$3
  {op} $5,{c}
  mov $4,$5
  mov $6,$5
  div $6,10
  mov $7,$5
  mod $7,10
  mov $8,$6
  min $8,1
  mov $9,$6
  sub $9,$7
  mul $9,$8
  add $9,$7
  mov $$2,$9
  add $2,1
  mov $$2,$7
  add $2,$8
  add $3,1
lpe
mov $0,$4
"""
    return at_offset(parse(code).code(), offset)


_DIFFERENCES_ARE_DIGITS = re.compile(r"^First differences (?:give|are) the (?:same )?sequence written as a string of "
                                     r"(?:individual |its )?digits\.?$", re.I)


def differences_program(start: int, offset: int) -> Program:
    """a(k+1) = a(k) + the k-th digit of a(0) a(1) a(2) ... written one after another. The terms are kept, a
    cell each ($2 points past the last); $3 points to the term being read and $5 counts its digits not yet read."""
    code = f"""mov $1,$0
mov $2,{_STREAM_BASE + 1}
mov $3,{_STREAM_BASE}
mov ${_STREAM_BASE},{start}
mov $4,{start}
mov $5,{start}
log $5,10
add $5,1
lpb $1
  sub $1,1
  sub $5,1
  mov $7,10
  pow $7,$5
  mov $6,$$3
  div $6,$7
  mod $6,10
  add $4,$6
  mov $$2,$4
  add $2,1
  mov $8,$5
  equ $8,0
  add $3,$8
  mov $9,$$3
  log $9,10
  add $9,1
  mul $9,$8
  add $5,$9
lpe
mov $0,$4
"""
    return at_offset(parse(code).code(), offset)


def programs_for(target: Target, corpus: Any = None) -> list[Program]:
    """The stream's program for each start, when the name states a stream (and the corpus holds its `seq`)."""
    if (own := self_digits(target.name)) is not None:
        return [self_digits_program(*own, target.offset)]
    if _DIFFERENCES_ARE_DIGITS.match(target.name):
        # The name leaves the first term to the data; a positive one writes a digit the stream can start from.
        return [differences_program(target.terms[0], target.offset)] if target.terms and target.terms[0] > 0 else []
    stream = parse_name(target.name)
    if stream is None or (stream.seq is not None and corpus is not None and stream.seq not in corpus):
        return []
    if any(t < 0 or t >= stream.base ** stream.group for t in target.terms):
        return []
    return [program(stream, start, target.offset) for start in STARTS]


def propose(target: Target, ctx: SearchContext, budget: int, rng: Any) -> Iterator[Candidate]:
    """The named digit stream, from each start."""
    for prog in programs_for(target, ctx.corpus)[: max(budget, 0)]:
        yield Candidate(prog, "juxtapose", "from name")
