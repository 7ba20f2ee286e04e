"""The folder tree is the layer diagram: each folder imports only the folders below it (imports inside
functions count too), the folders form no cycle, and the light commands never load torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom up. A folder may import itself and the folders listed for it; its imports of ours outside
# that list are violations. `miner/__init__.py` (the version) may be imported by anyone.
LAYERS: dict[str, tuple[str, ...]] = {
    "miner/core": (),
    "miner/lang": (),
    "storage": ("miner.core", "miner.lang"),
    "miner/sources": ("miner.core", "miner.lang"),
    "miner/search": ("miner.core", "miner.lang"),
    "training": ("miner.core", "miner.lang", "miner.search", "storage"),
    "miner/mine": ("miner.core", "miner.lang", "storage", "miner.sources", "miner.search", "training"),
    "miner/service": ("miner.core", "miner.lang", "storage", "miner.sources", "miner.search", "training",
                      "miner.mine"),
    "miner/cli": ("miner.core", "miner.lang", "storage", "miner.sources", "miner.search", "training",
                  "miner.mine", "miner.service"),
}
OURS = ("miner", "storage", "training")
# Only the model layer may load these; everything else must run without them installed.
MODEL_LIBRARIES = ("torch", "transformers", "tokenizers", "safetensors")


def _module_of(folder: str) -> str:
    return folder.replace("/", ".")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every absolute import in the file, at any depth (inside functions too); relative ones resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            # `from miner import sources` imports the module miner.sources, not the package miner.
            out += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return out


def _folder_of(module: str) -> str | None:
    """The layer folder that holds `module` (longest match), or None for `miner` itself."""
    best = None
    for folder in LAYERS:
        prefix = _module_of(folder)
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(folder) > len(best)):
            best = folder
    return best


def _violations(folder: str) -> list[str]:
    own = _module_of(folder)
    allowed = (own, *LAYERS[folder])
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, module in _imports(path):
            top = module.split(".")[0]
            where = f"{path.relative_to(ROOT)}:{line}: imports {module}"
            if top in MODEL_LIBRARIES and folder != "training":
                bad.append(where)
            if top not in OURS or module in ("miner.__version__",):
                continue
            target = _folder_of(module)
            if target is None or not any(target == a.replace(".", "/") for a in allowed):
                bad.append(where)
    return bad


def test_every_folder_has_a_rule():
    folders = {str(p.parent.relative_to(ROOT)) for top in OURS for p in (ROOT / top).rglob("__init__.py")}
    layered = {f for f in folders if _folder_of(f.replace("/", ".")) is not None}
    # Sub-packages (e.g. miner/sources/snapshot) belong to the layer that holds them.
    assert folders - layered <= {"miner"}, f"folders with no layer rule: {sorted(folders - layered - {'miner'})}"


@pytest.mark.parametrize("folder", list(LAYERS))
def test_folder_imports_only_from_below(folder):
    bad = _violations(folder)
    assert not bad, "\n".join(bad)


def test_loose_modules_in_miner_import_only_the_cli():
    bad = []
    for path in sorted((ROOT / "miner").glob("*.py")):
        for line, module in _imports(path):
            if module.split(".")[0] in OURS and not module.startswith("miner.cli"):
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles_between_folders():
    edges: dict[str, set[str]] = {f: set() for f in LAYERS}
    for folder in LAYERS:
        for path in (ROOT / folder).rglob("*.py"):
            for _, module in _imports(path):
                target = _folder_of(module) if module.split(".")[0] in OURS else None
                if target and target != folder:
                    edges[folder].add(target)
    seen: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(edges[node]):
            assert seen.get(nxt) != 1, "import cycle: " + " -> ".join(trail + [node, nxt])
            if nxt not in seen:
                visit(nxt, trail + [node])
        seen[node] = 2

    for folder in LAYERS:
        if folder not in seen:
            visit(folder, [])


def test_the_rule_catches_a_violation(tmp_path, monkeypatch):
    """The checker itself: an import of the loop from the language layer is reported."""
    fake_root = tmp_path
    (fake_root / "miner" / "lang").mkdir(parents=True)
    (fake_root / "miner" / "lang" / "bad.py").write_text("def f():\n    from miner.mine import loop\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    assert _violations("miner/lang") == ["miner/lang/bad.py:2: imports miner.mine.loop"]


def test_storage_sql_stays_in_storage():
    bad = []
    for path in sorted((ROOT / "miner").rglob("*.py")):
        for line, module in _imports(path):
            if module.startswith(("sqlalchemy", "alembic")):
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", ["training", "storage", "miner.cli", "miner.cli.status", "miner.cli.lang",
                                    "miner.cli.data", "miner.cli.model", "miner.cli.mine", "miner.service.daemon",
                                    "miner.mine.loop"])
def test_module_does_not_load_torch(module):
    code = f"import sys, {module}; sys.exit(1 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0, f"{module} loads torch"
