"""The bad-input table: each case runs the real CLI (`python -m miner`) as a subprocess and must end
with one line on stderr (or the command's own FAIL line), the documented exit code and no traceback.

Exit codes (README "Exit codes"): 2 usage, 65 bad data, 69 unreachable service, 70 internal error;
`check` exits 1 when a program fails its check.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIB = ("; A000045: Fibonacci numbers\n; 0,1,1,2,3,5,8\n\n"
       "mov $3,1\nlpb $0\n  sub $0,1\n  mov $2,$1\n  add $1,$3\n  mov $3,$2\nlpe\nmov $0,$1\n")
SEQ_CHAIN = 600


@dataclass
class Case:
    """One row: the arguments (`{tmp}` is the test's folder), the exit code, a piece of the message."""

    id: str
    args: list[str]
    code: int
    message: str
    config: str = ""  # config.toml text (the database and data live under {tmp}/data)
    env: dict[str, str] = field(default_factory=dict)
    stream: str = "stderr"
    json_out: bool = False  # stdout must be one JSON object
    fast: bool = False  # in the fast tier (one or more per exit code and the cases); all with --full


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CASES = [
    # usage (2)
    Case("unknown-option", ["eval", "x.asm", "--bogus"], 2, "unrecognized arguments: --bogus", fast=True),
    Case("unknown-command", ["mien"], 2, "invalid choice: 'mien'"),
    Case("terms-not-a-number", ["eval", "A000045", "-t", "ten"], 2, "invalid int value: 'ten'"),
    Case("negative-terms", ["eval", "{tmp}/fib.asm", "-t", "-1"], 2, "-t/--terms must not be negative", fast=True),
    Case("unknown-strategy", ["mine", "--strategies", "beem"], 2, "--strategies: unknown beem"),
    Case("bad-since", ["programs", "--since", "yesterday"], 2, "--since: not an ISO date"),
    Case("bad-ids", ["mine", "--ids", "B12"], 2, "--ids: not an A-number"),
    Case("resume-without-out", ["train", "--resume"], 2, "--resume needs --out"),
    Case("generate-bad-terms", ["generate", "x", "--terms", "1,a"], 2, "--terms must be comma-separated"),
    # bad data (65): files
    Case("missing-file", ["eval", "{tmp}/missing.asm"], 65, "no such file and not an A-number"),
    Case("non-utf8-asm", ["eval", "{tmp}/latin1.asm"], 65, "latin1.asm:4: not UTF-8 text (byte 0xe9)", fast=True),
    Case("syntax-error", ["eval", "{tmp}/broken.asm"], 65, "broken.asm:2"),
    Case("seq-chain-600-deep", ["eval", "A000001", "-t", "2", "--programs", "{tmp}/chain"], 65,
         "seq calls nested too deeply", fast=True),
    Case("seq-chain-check", ["check", "{tmp}/chain/oeis/000/A000001.asm", "--programs", "{tmp}/chain"], 1,
         "A000001 FAIL term 1 (n=0): seq depth", stream="stdout"),
    Case("check-non-utf8", ["check", "{tmp}/latin1.asm"], 1, "latin1.asm FAIL", stream="stdout"),
    Case("corpus-not-an-archive", ["eval", "A000045", "--programs", "{tmp}/fib.asm"], 65,
         "cannot read program archive"),
    Case("corpus-missing", ["eval", "A000045", "--programs", "{tmp}/nowhere"], 65, "program corpus not found"),
    Case("train-corpus-missing", ["train", "--corpus", "{tmp}/nowhere"], 65, "program corpus not found"),
    Case("import-missing", ["import-programs", "{tmp}/nowhere"], 65, "import failed, nothing changed"),
    # bad data (65): no database yet, read-only commands say so and create none
    Case("eval-no-database", ["eval", "A000045"], 65, "no database at"),
    Case("programs-no-database", ["programs"], 65, "no database at", fast=True),
    Case("status-no-database", ["status"], 65, "no database at"),
    Case("status-json-no-database", ["status", "--json"], 65, "no database at", json_out=True, fast=True),
    # bad data (65): config
    Case("config-missing", ["--config", "{tmp}/none.toml", "status"], 65, "config file not found"),
    Case("config-after-command", ["status", "--config", "{tmp}/none.toml"], 65, "config file not found", fast=True),
    Case("config-not-toml", ["status"], 65, "config.toml: Expected", config="[mine\n"),
    Case("log-level-loud", ["status"], 65, '[log] level = "loud": must be one of debug, info, warning, error',
         config='[log]\nlevel = "loud"\n', fast=True),
    Case("batch-size-negative", ["status"], 65, "[mine] batch_size = -1: must be >= 1",
         config="[mine]\nbatch_size = -1\n", fast=True),
    Case("refresh-hours-zero", ["status"], 65, "[daemon] refresh_hours = 0: must be > 0",
         config="[daemon]\nrefresh_hours = 0\n"),
    Case("max-memory-negative", ["status"], 65, "[eval] max_memory = -1: must be >= 1",
         config="[eval]\nmax_memory = -1\n"),
    Case("strategy-typo", ["status"], 65, '[mine] strategies = ["beem"]: unknown beem',
         config='[mine]\nstrategies = ["beem"]\n'),
    Case("bfile-placeholder-typo", ["status"], 65, "[sources] bfile_url",
         config='[sources]\nbfile_url = "https://x/b{numbr:06d}.txt"\n'),
    Case("unknown-key", ["status"], 65, "[mine] batchsize: unknown key (did you mean batch_size?)",
         config="[mine]\nbatchsize = 3\n"),
    Case("env-bad-value", ["status"], 65, "environment LODA_MINER_MINE_BATCH_SIZE: [mine] batch_size = \"x\"",
         env={"LODA_MINER_MINE_BATCH_SIZE": "x"}),
    Case("env-unknown-key", ["status"], 65, "environment LODA_MINER_MINE_BATCHSIZE",
         env={"LODA_MINER_MINE_BATCHSIZE": "3"}),
    Case("json-config-error", ["mine", "--json", "--limit", "1"], 65, "batch_size = 0", json_out=True,
         config="[mine]\nbatch_size = 0\n"),
    # unreachable services (69)
    Case("fetch-offline", ["fetch", "--no-snapshot"], 69, "fetch failed, nothing changed",
         config="[sources]\nnames_url = 'http://127.0.0.1:{port}/names.gz'\nretries = 0\n"
                "first_start_retries = 0\nconnect_timeout = 2.0\n", fast=True),
    Case("postgres-down", ["status"], 69, "cannot open database",
         env={"LODA_MINER_DATABASE_URL": "postgresql+psycopg://miner@127.0.0.1:{port}/miner"}),
]


def _prepare(tmp: Path) -> None:
    (tmp / "fib.asm").write_text(FIB)
    (tmp / "latin1.asm").write_bytes(FIB.replace("mov $3,1", "mov $3,1 ; caf\u00e9").encode("latin-1"))
    (tmp / "broken.asm").write_text("; A000001: x\nmov $0,\n")
    chain = tmp / "chain" / "oeis" / "000"
    chain.mkdir(parents=True)
    for i in range(1, SEQ_CHAIN + 1):
        body = f"seq $0,{i + 1}\n" if i < SEQ_CHAIN else "mov $0,7\n"
        (chain / f"A{i:06d}.asm").write_text(f"; A{i:06d}: link {i}\n; 7,7,7\n\n{body}")


def _run(case: Case, folder: Path, inputs: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The case's command in its own folder (its config.toml, no database yet); (result, data folder)."""
    port = str(_closed_port())
    fill = lambda text: text.replace("{tmp}", str(inputs)).replace("{port}", port)  # noqa: E731
    folder.mkdir()
    data = folder / "data"
    (folder / "config.toml").write_text(f"[paths]\ndata_dir = '{data}'\n" + fill(case.config))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LODA_MINER_")}
    env.update({k: fill(v) for k, v in case.env.items()})
    env.update(PYTHONPATH=str(ROOT), HOME=str(folder), XDG_CONFIG_HOME=str(folder / "xdg"))
    done = subprocess.run([sys.executable, "-m", "miner", *map(fill, case.args)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)
    return done, data


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Any, Path]]]:
    """The run of every case of this tier, four at a time (each is a fresh interpreter, mostly start-up)."""
    inputs = tmp_path_factory.mktemp("inputs")
    _prepare(inputs)
    runs = tmp_path_factory.mktemp("runs")
    cases = [c for c in CASES if c.fast or request.config.getoption("--full")]
    with ThreadPoolExecutor(4) as pool:
        futures = {c.id: pool.submit(_run, c, runs / c.id, inputs) for c in cases}
    return inputs, {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("case", [pytest.param(c, marks=() if c.fast else pytest.mark.slow) for c in CASES],
                         ids=[c.id for c in CASES])
def test_bad_input_is_one_line_with_its_exit_code(results, case: Case) -> None:
    inputs, runs = results
    done, data = runs[case.id]
    fill = lambda text: text.replace("{tmp}", str(inputs))  # noqa: E731
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == case.code, done.stderr + done.stdout
    out = done.stderr if case.stream == "stderr" else done.stdout
    assert fill(case.message) in out, out
    if case.stream == "stderr":
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    if case.json_out:
        assert json.loads(done.stdout)["exit_code"] == case.code
    if case.code in (2, 65) and case.args[0] in ("eval", "check", "status", "programs"):
        assert not (data / "loda-miner.db").exists(), "a read-only command created a database"
