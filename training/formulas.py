"""Formula pairs: random expressions in n, written as OEIS-style names and compiled to LODA.

Many OEIS names are formulas (`a(n) = (8*n+3)^3.`, `a(n) = prime(8*n-4).`), and the corpus alone
holds too few of each shape to learn reading them. These pairs come in unlimited supply: a random
expression tree gives both the name (in one of the spellings OEIS uses) and the program, whose
terms `miner.lang` computes and an independent Python evaluation of the tree must confirm.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import comb, gcd
from typing import Callable, Mapping, Sequence

from miner.lang import Corpus, EvalError, Limits, evaluate
from miner.lang.anumber import format_a_number
from miner.lang.compact import to_target
from miner.lang.optimize import optimize
from miner.lang.program import Operation, Program, line
from training.pairs import Pair, abstract, make_source

LIMITS = Limits(max_steps=200_000, max_memory=100, max_seconds=0.5)
# Terms beyond this size say nothing a shorter prefix does not, and cost time to compare.
MAX_TERM = 10**40

# Well-known sequences by the function names OEIS formulas call them; any other callee is written
# as its A-number, which the prompt keeps whole and the target refers to as R1, R2...
NAMED = {40: ("prime",), 10: ("phi",), 203: ("sigma",), 5: ("tau", "d"), 45: ("Fibonacci", "F"),
         32: ("Lucas", "L"), 108: ("Catalan",), 110: ("Bell",), 720: ("pi",), 8683: ("mu",),
         1221: ("omega",), 1222: ("bigomega",), 142: ("factorial",)}
# Binary operations: LODA name, how a formula writes it (infix symbol or function), precedence.
_INFIX = {"add": ("+", 1), "sub": ("-", 1), "mul": ("*", 2), "pow": ("^", 4), "mod": ("mod", 0)}
_CALLS = {"bin": ("binomial", "C"), "gcd": ("gcd",), "min": ("min",), "max": ("max",)}


@dataclass(frozen=True)
class Expr:
    """A node: `n`, `num` (value), `seq` (value = A-number, one argument), `div` (floor(a/b)) or a
    binary LODA operation (`add`, `sub`, `mul`, `pow`, `mod`, `bin`, `gcd`, `min`, `max`)."""

    op: str
    args: tuple["Expr", ...] = ()
    value: int = 0

    def uses_n(self) -> int:
        """How many times n occurs."""
        return (self.op == "n") + sum(a.uses_n() for a in self.args)


N = Expr("n")


def num(value: int) -> Expr:
    """A constant."""
    return Expr("num", value=value)


def random_expr(rng: random.Random, callees: Sequence[int], depth: int = 3) -> Expr:
    """A random expression in n with the shapes OEIS formulas favour: polynomials and powers,
    binomials, floors, residues and sequences at linear arguments."""
    if depth <= 0 or rng.random() < 0.25:
        return N
    inner = random_expr(rng, callees, depth - 1)
    kind = rng.random()
    small = rng.choice((2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 100))
    if kind < 0.35:
        op = rng.choice(("add", "sub", "mul", "mul", "pow", "add"))
        value = rng.randint(2, 5) if op == "pow" else small
        return Expr(op, (inner, num(value)))
    if kind < 0.45:  # c^e and c - e
        op = rng.choice(("pow", "sub"))
        return Expr(op, (num(rng.choice((2, 2, 3, 4, 5, 10)) if op == "pow" else small), inner))
    if kind < 0.6:
        other = random_expr(rng, callees, depth - 1)
        if inner.op == "n" and other.op == "n":  # n*n and n+n: written n^2 and 2n
            return Expr("pow", (N, num(2)))
        return Expr(rng.choice(("add", "sub", "mul", "mul")), (inner, other))
    if kind < 0.72 and callees:
        return Expr("seq", (inner,), rng.choice(callees))
    if kind < 0.82:
        return Expr("bin", (inner, num(rng.randint(2, 6))) if rng.random() < 0.7 else (num(small), inner))
    if kind < 0.9:
        return Expr("div", (inner, num(small)))
    if kind < 0.96:
        return Expr("mod", (inner, num(small)))
    return Expr(rng.choice(("gcd", "min", "max")), (inner, num(small)))


# --- the name ---------------------------------------------------------------------------------------

def _seq_name(a_number: int, rng: random.Random) -> str:
    names = NAMED.get(a_number)
    if names and rng.random() < 0.8:
        return rng.choice(names)
    return format_a_number(a_number)


def render(e: Expr, rng: random.Random, parent: int = -1) -> str:
    """The expression as an OEIS name writes it (spelling varies with `rng`)."""
    if e.op == "n":
        return "n"
    if e.op == "num":
        return str(e.value) if e.value >= 0 or parent < 0 else f"({e.value})"
    if e.op == "seq":
        return f"{_seq_name(e.value, rng)}({render(e.args[0], rng)})"
    if e.op == "div":
        a, b = (render(x, rng, 3) for x in e.args)
        return f"floor({a}/{b})" if rng.random() < 0.7 else f"[{a}/{b}]"
    if e.op in _CALLS:
        a, b = (render(x, rng) for x in e.args)
        return f"{rng.choice(_CALLS[e.op])}({a},{b})"
    symbol, prec = _INFIX[e.op]
    if e.op == "mul" and e.args[1].op == "num" and rng.random() < 0.8:
        e = Expr("mul", e.args[::-1])  # 2*n rather than n*2, as formulas write it
    left = render(e.args[0], rng, prec + (e.op == "pow"))
    right = render(e.args[1], rng, prec + (e.op != "add" and e.op != "mul"))
    if e.op == "mul" and e.args[0].op == "num" and not right[0].isdigit() and rng.random() < 0.5:
        text = f"{left}{right}"  # implicit multiplication: 8n, 2(n+1)
    elif e.op == "mod":
        text = f"{left} mod {right}"
    else:
        text = f"{left}{symbol}{right}" if rng.random() < 0.6 else f"{left} {symbol} {right}"
    return f"({text})" if prec < parent else text


def name_of(e: Expr, rng: random.Random) -> str:
    """A whole sequence name: usually `a(n) = ...`, sometimes the bare expression."""
    body = render(e, rng)
    if rng.random() < 0.75:
        body = f"a(n) = {body}"
    return body + ("." if rng.random() < 0.6 else "")


# --- the program --------------------------------------------------------------------------------------

def _code(e: Expr, r: int, out: list[Operation]) -> None:
    """Append code leaving e's value in cell r; n is read from $0, which is written only once
    nothing still needs n (see `compile_expr`)."""
    if e.op == "n":
        if r:
            out.append(line("mov", r, 0, direct=True))
        return
    if e.op == "num":
        out.append(line("mov", r, e.value))
        return
    if e.op == "seq":
        _code(e.args[0], r, out)
        out.append(line("seq", r, e.value))
        return
    a, b = e.args
    if b.op == "num" or (b.op == "n" and r):  # a constant, or n still in $0
        _code(a, r, out)
        out.append(line(e.op, r, b.value) if b.op == "num" else line(e.op, r, 0, direct=True))
        return
    if b.uses_n() and not a.uses_n():
        _code(b, r + 1, out)  # b reads n first: computing a into $0 would overwrite it
        _code(a, r, out)
    else:
        _code(a, r, out)
        _code(b, r + 1, out)
    out.append(line(e.op, r, r + 1, direct=True))


def compile_expr(e: Expr, offset: int = 0) -> Program:
    """A LODA program computing e with n = $0: in place when n occurs once, else in $1."""
    out: list[Operation] = []
    if e.uses_n() <= 1:
        _code(e, 0, out)
    else:
        _code(e, 1, out)
        out.append(line("mov", 0, 1, direct=True))
    return Program(out, {"offset": offset} if offset else {})


# --- the oracle ---------------------------------------------------------------------------------------

def value_of(e: Expr, n: int, seq: Callable[[int, int], int]) -> int:
    """e at n by plain arithmetic (floor, binomial and residues as LODA defines them for the values
    these expressions reach); `seq(a_number, k)` gives a callee's term. ValueError if undefined."""
    if e.op == "n":
        return n
    if e.op == "num":
        return e.value
    if e.op == "seq":
        return seq(e.value, value_of(e.args[0], n, seq))
    a, b = (value_of(x, n, seq) for x in e.args)
    if e.op in ("div", "mod"):
        if b == 0 or a < 0 or b < 0:
            raise ValueError("division outside the non-negative range")
        return a // b if e.op == "div" else a % b
    if e.op == "pow":
        if b < 0 or (abs(a) > 1 and b > 200):
            raise ValueError("negative or huge exponent")
        return a ** b
    if e.op == "bin":
        if a < 0 or b < 0:
            raise ValueError("binomial outside the non-negative range")
        return comb(a, b)
    if e.op == "gcd":
        return gcd(a, b)
    return {"add": a + b, "sub": a - b, "mul": a * b, "min": min(a, b), "max": max(a, b)}[e.op]


# --- pairs --------------------------------------------------------------------------------------------

def formula_pairs(corpus: Corpus, sequences: Mapping[int, tuple[str, Sequence[int], int]], count: int, *,
                  callees: Sequence[int] = (), num_terms: int = 16, seed: int = 0,
                  attempts_per_pair: int = 6) -> list[Pair]:
    """Up to `count` pairs (name and terms -> program) from random expressions; `callees` are the
    A-numbers `seq` nodes may call (they need a program in `corpus` and terms in `sequences`)."""
    rng = random.Random(seed)
    usable = [a for a in callees if a in sequences and a in corpus]
    named = [a for a in usable if a in NAMED]
    out: list[Pair] = []
    seen: set[str] = set()

    def seq(a_number: int, k: int) -> int:
        _, terms, offset = sequences[a_number]
        if not 0 <= k - offset < len(terms):
            raise ValueError("callee term not known")
        return terms[k - offset]

    for _ in range(count * attempts_per_pair):
        if len(out) >= count:
            break
        # Named callees half the time: they are what formulas call most.
        pick = named if named and rng.random() < 0.5 else usable
        e = random_expr(rng, pick, depth=rng.choice((1, 2, 2, 3)))
        if not e.uses_n() or e.op == "n":
            continue
        offset = rng.choice((0, 0, 1, 1, 2)) if e.op != "seq" else rng.choice((0, 1))
        program = optimize(compile_expr(e, offset))  # as the miner stores programs: shortest form
        if not program.code():
            continue  # n itself, written the long way: no target text
        target = to_target(program)
        if target in seen:
            continue
        try:
            terms = evaluate(program, num_terms, corpus, LIMITS)
            expected = [value_of(e, offset + i, seq) for i in range(num_terms)]
        except (EvalError, ValueError):
            continue
        if terms != expected or len(set(terms)) < 3 or max(abs(t) for t in terms) > MAX_TERM:
            continue
        seen.add(target)
        source = make_source(name_of(e, rng), terms, offset=offset, num_terms=num_terms)
        out.append(Pair(e.value if e.op == "seq" else 0, source, abstract(target, source), len(program.code()),
                        "formula"))
    return out
