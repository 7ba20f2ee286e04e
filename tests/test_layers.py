"""The layers import only from those above them, and the light commands never load torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each layer may import of ours (the layers above it and itself).
ALLOWED = {
    "miner/lang": ("miner.lang",),
    "storage": ("miner.lang", "storage"),
    "training": ("miner.lang", "storage", "training"),
}
OURS = ("miner", "storage", "training")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_from_above(layer):
    bad = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top in OURS and not module.startswith(ALLOWED[layer]):
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
            if top in ("torch", "transformers") and layer != "training":
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not bad, "\n".join(bad)


def test_storage_sql_stays_in_storage():
    bad = []
    for path in sorted((ROOT / "miner").rglob("*.py")):
        for line, module in _imports(path):
            if module.startswith("sqlalchemy"):
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", ["training", "storage", "miner.cli", "miner.cli.status", "miner.cli.lang",
                                    "miner.cli.data", "miner.cli.model", "miner.cli.mine", "miner.daemon",
                                    "miner.loop"])
def test_module_does_not_load_torch(module):
    code = f"import sys, {module}; sys.exit(1 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0, f"{module} loads torch"
