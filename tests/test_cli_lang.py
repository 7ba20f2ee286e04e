"""The `eval` and `check` commands, run as real subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIB = "; A000045: Fibonacci numbers.\n; 0,1,1,2,3,5,8,13,21,34,55,89\n\nmov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "miner", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def test_eval_file_and_a_number(tmp_path: Path) -> None:
    (tmp_path / "oeis" / "000").mkdir(parents=True)
    (tmp_path / "oeis" / "000" / "A000045.asm").write_text(FIB)
    (tmp_path / "sq.asm").write_text("seq $0,45\nmul $0,$0\n")
    out = run("eval", str(tmp_path / "oeis/000/A000045.asm"), "-t", "8", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "0,1,1,2,3,5,8,13"
    out = run("eval", "A000045", "-t", "5", "--programs", str(tmp_path), cwd=tmp_path)
    assert out.stdout.strip() == "0,1,1,2,3"
    out = run("eval", "sq.asm", "-t", "6", "--programs", str(tmp_path), cwd=tmp_path)
    assert out.stdout.strip() == "0,1,1,4,9,25"
    out = run("eval", "sq.asm", "-t", "3", cwd=tmp_path)
    assert out.returncode == 65 and "missing program" in out.stderr  # bad data: see tests/test_cli_errors.py


def test_check_ok_and_fail(tmp_path: Path) -> None:
    good = tmp_path / "good.asm"
    good.write_text(FIB)
    bad = tmp_path / "bad.asm"
    bad.write_text(FIB.replace("55,89", "55,90"))
    broken = tmp_path / "broken.asm"
    broken.write_text("; A000001: x\n; 1,2\nmov $0,\n")
    out = run("check", str(good), cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "A000045 ok 12 terms"
    out = run("check", str(good), str(bad), str(broken), cwd=tmp_path)
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 1
    assert lines[0] == "A000045 ok 12 terms"
    assert lines[1] == "A000045 FAIL term 12 (n=11): expected 90, got 89"
    assert lines[2].startswith(f"{broken} FAIL {broken}:3:")


def test_cli_lang_does_not_import_torch() -> None:
    code = "import sys, miner.cli, miner.cli.lang, miner.lang; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
