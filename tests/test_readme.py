"""The README's first lines are the commands a newcomer runs, and CI runs the same test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [line.strip() for line in lines[:6] if line.startswith("    ")]


def test_readme_starts_with_run_and_test_commands():
    run, test = _commands()[:2]
    assert run.endswith("loda-miner run")
    assert test.endswith("python -m pytest -q")


def test_ci_runs_the_readme_test_command():
    test = _commands()[1]
    assert test in (ROOT / ".ci" / "run").read_text()
