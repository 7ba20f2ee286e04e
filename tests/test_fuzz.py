"""Fuzzing and differential tests (issue #23), with hypothesis under a fixed seed and a bounded number
of examples (`derandomize=True`): the same examples on every run and in CI.

- The program parser, header reader, OEIS parsers and b-file parser, on random bytes and on random
  valid-looking text: no exception other than the documented ones.
- Random valid LODA programs through the compiled, dict-compiled, incremental and plain interpreter
  paths: the same terms and step counts, or the same error class.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from miner.lang import Limits, ParseError, compiler, parse, read_header
from miner.lang import evaluator as E
from miner.lang.errors import EvalError
from miner.lang.program import ARITHMETIC
from miner.sources import bfile, oeis

FUZZ = settings(derandomize=True, database=None, max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PROGRAMS = settings(FUZZ, max_examples=400)

# Text that looks like LODA: fragments of real syntax mixed with hostile characters.
TOKENS = st.sampled_from(["mov", "add", "lpb", "lpe", "seq", "clr", "nrt", "$", "$$", ",", " ", "\t", ";", "#offset",
                          "#inputs", "-", "0", "1", "7", "99999999999999999999", "\n", "\r\n", "\r", "\u2028", "\x0c",
                          "\x85", "A000045", ":", "Submitted by", "\x00", "é", "٣", "1,2,3"])
LODA_LIKE = st.lists(st.one_of(TOKENS, st.text(max_size=3)), max_size=40).map("".join)


@FUZZ
@given(st.one_of(st.text(max_size=300), LODA_LIKE))
@example("; A000001: x\n; 1," + "9" * 5000 + "\nmov $0,1\n")
@example("mov $0," + "9" * 5000 + "\n")
@pytest.mark.slow  # over a second: the full tier
def test_parser_and_header_raise_only_parse_errors(text):
    try:
        program = parse(text)
    except ParseError:
        program = None
    header = read_header(text)
    assert header.a_number is None or header.a_number >= 0
    if program is not None:
        read_header(program)


@FUZZ
@given(st.binary(max_size=400), st.booleans())
def test_oeis_parsers_on_random_bytes(tmp_path_factory, data, gzipped):
    folder = tmp_path_factory.mktemp("oeis")
    paths = []
    for name in ("names", "stripped", "offsets"):
        path = folder / name
        path.write_bytes(gzip.compress(data) if gzipped else data)
        paths.append(path)
    try:
        list(oeis.iter_sequences(*paths, oeis.ParseReport(), limits=(64, 1 << 20)))
    except oeis.SourceFormatError:
        pass


OEIS_LINE = st.tuples(st.sampled_from(["A", "a", "B", ""]), st.text("0123456789٣", min_size=5, max_size=8),
                      st.sampled_from([" ", ": ", " ,", ""]),
                      st.lists(st.one_of(st.integers(-10**30, 10**30).map(str), st.text(max_size=4)), max_size=6)
                      .map(",".join), st.sampled_from(["\n", "\r\n", "\r", "\u2028", ",\n"])).map("".join)


@FUZZ
@given(st.lists(OEIS_LINE, max_size=12).map("".join))
@pytest.mark.slow  # over a second: the full tier
def test_oeis_parsers_on_random_valid_looking_text(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("oeis")
    paths = []
    for name in ("names", "stripped", "offsets"):
        path = folder / name
        path.write_bytes(text.encode())
        paths.append(path)
    report = oeis.ParseReport()
    records = list(oeis.iter_sequences(*paths, report))
    assert len({r.a_number for r in records}) == len(records)
    assert all(isinstance(t, int) for r in records for t in r.terms)


@FUZZ
@given(st.one_of(st.text(max_size=300),
                 st.lists(st.tuples(st.integers(-3, 30), st.integers(-10**40, 10**40))
                          .map(lambda p: f"{p[0]} {p[1]}"), max_size=30).map("\n".join)))
def test_bfile_parser_never_raises(text):
    terms = bfile.parse_bfile(text, "fuzz")
    assert all(isinstance(t, int) for t in terms)


# --- differential: four ways to run one program ------------------------------------------------------

CELLS = st.integers(0, 5)
DIRECT = CELLS.map(lambda c: f"${c}")
SOURCE = st.one_of(DIRECT, st.integers(-4, 12).map(str), CELLS.map(lambda c: f"$${c}"))
ARITH = st.tuples(st.sampled_from(sorted(ARITHMETIC)), st.one_of(DIRECT, CELLS.map(lambda c: f"$${c}")), SOURCE) \
    .map(lambda t: f"{t[0]} {t[1]},{t[2]}")
RANGE = st.tuples(st.sampled_from(["clr", "fil", "rol", "ror"]), DIRECT, st.integers(-2, 4)).map(
    lambda t: f"{t[0]} {t[1]},{t[2]}")


def _block(depth: int):
    line = st.one_of(ARITH, ARITH, ARITH, RANGE)
    if depth == 0:
        return st.lists(line, min_size=1, max_size=6)
    loop = st.tuples(CELLS, st.sampled_from(["", ",2"]), st.integers(1, 3), _block(depth - 1)).map(
        lambda t: [f"lpb ${t[0]}{t[1]}", f"sub ${t[0]},{t[2]}", *t[3], "lpe"])
    return st.lists(st.one_of(line.map(lambda x: [x]), loop), min_size=1, max_size=5).map(
        lambda parts: [x for part in parts for x in part])


PROGRAM = _block(2).map(lambda lines: "\n".join(lines) + "\n")
LIMITS = Limits(max_steps=5000, max_memory=40, max_seconds=20)


def _outcomes(compiled: E.Compiled, incremental: bool, terms: int = 8) -> list:
    ctx = E.Context(LIMITS, None)
    runner = E._Terms(compiled, ctx, incremental=False)
    if incremental:
        runner.inc, runner.pending = E.incremental_run(compiled, LIMITS.max_memory), -1
    out: list = []
    for n in range(terms):
        try:
            out.append(runner.term(n))
        except EvalError as exc:
            out.append(type(exc).__name__)
            break
    return out


@PROGRAMS
@given(PROGRAM)
@pytest.mark.slow  # over a second: the full tier
def test_compiled_incremental_and_interpreted_runs_agree(text):
    program = parse(text)
    paths = {"interpreter": E._build(program, LIMITS.max_memory, allow_compile=False)}
    for name, make in (("compiled", compiler.compile_run), ("dict", compiler.compile_dict_run)):
        run = make(program, LIMITS.max_memory)
        if run is not None:
            paths[name] = E.Compiled(run, program.offset, None, True, program)
    results = {name: _outcomes(c, False) for name, c in paths.items()}
    if "compiled" in paths and E.incremental_run(paths["compiled"], LIMITS.max_memory) is not None:
        results["incremental"] = _outcomes(paths["compiled"], True)
    reference = results["interpreter"]
    for name, got in results.items():
        assert got == reference, f"{name} differs from the interpreter on\n{text}"


# --- the reference implementation, when a loda-cpp checkout is given ---------------------------------

@pytest.fixture(scope="session")
def loda_cpp(tmp_path_factory) -> Path:
    """The `loda` binary of the checkout in LODA_CPP_SRC, built with make if needed."""
    source = os.environ.get("LODA_CPP_SRC")
    if not source:
        pytest.skip("LODA_CPP_SRC is not set (a loda-cpp checkout to compare with)")
    src = Path(source) / "src"
    binary = src / "loda"
    if not binary.is_file():
        if not (shutil.which("make") and (shutil.which("g++") or shutil.which("c++"))):
            pytest.skip("no C++ compiler to build loda-cpp with")
        done = subprocess.run(["make", "-C", str(src), "loda"], capture_output=True, text=True, check=False, timeout=7200)
        if done.returncode != 0:
            pytest.skip(f"loda-cpp did not build: {done.stderr[-500:]}")
    # loda keeps its settings and caches under LODA_HOME: a fresh one, nothing from the network.
    os.environ["LODA_HOME"] = str(tmp_path_factory.mktemp("loda-home"))
    return binary


def test_a_sample_of_random_programs_against_loda_cpp(loda_cpp, tmp_path):
    """`LODA_CPP_SRC=/path/to/loda-cpp` builds loda-cpp (make) and compares `loda eval` on a seeded
    sample of random programs; skipped without a checkout or a C++ compiler."""
    import random

    rng = random.Random(2323)
    compared = 0
    for i in range(60):
        text = _random_program(rng)
        path = tmp_path / f"p{i}.asm"
        path.write_text(text)
        done = subprocess.run([str(loda_cpp), "eval", str(path), "-t", "8", "-c", "5000", "-m", "40"],
                              capture_output=True, text=True, check=False, timeout=60)
        try:
            ours = _outcomes(E.compile_program(text, LIMITS.max_memory), False)
        except ParseError:
            continue
        values = [v[0] for v in ours if isinstance(v, tuple)]
        if done.returncode == 0:
            theirs = [int(x) for x in done.stdout.strip().split(",") if x.strip()]
            assert values == theirs and len(values) == 8, f"{text}\nloda-cpp: {theirs}\nours: {ours}"
        else:
            assert len(values) < 8, f"{text}\nloda-cpp failed: {done.stderr.strip()}\nours: {ours}"
        compared += 1
    assert compared >= 40


def _random_program(rng) -> str:
    ops = sorted(ARITHMETIC)
    lines = []
    depth = 0
    for _ in range(rng.randint(2, 12)):
        roll = rng.random()
        if roll < 0.12 and depth < 2:
            cell = rng.randint(0, 5)
            lines += [f"lpb ${cell}", f"sub ${cell},{rng.randint(1, 3)}"]
            depth += 1
        elif roll < 0.2 and depth:
            lines.append("lpe")
            depth -= 1
        else:
            source = rng.choice([f"${rng.randint(0, 5)}", str(rng.randint(-4, 12))])
            lines.append(f"{rng.choice(ops)} ${rng.randint(0, 5)},{source}")
    lines += ["lpe"] * depth
    return "\n".join(lines) + "\n"
