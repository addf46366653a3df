"""The declared layering, read from the source (ast, nothing imported or run).

    core <- ingest <- survey <- coding <- graph <- publish <- commands (kb/*/commands.py, kb/pipeline.py, kb/cli.py)

A module may import its own layer and the layers to its left, never one to its right; no import circle;
no module over MAX_LINES lines unless its docstring says why ("over 400 lines because ...").
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "ingest", "survey", "coding", "graph", "publish", "commands")
MAX_LINES = 400


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(root: Path) -> dict[str, Path]:
    """Every module of kb/ and ingest/ under root, by dotted name."""
    return {
        module_name(p, root): p
        for package in ("kb", "ingest")
        for p in sorted((root / package).rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def layer_of(module: str) -> int | None:
    """The layer index of a project module (None for anything else)."""
    parts = module.split(".")
    if parts[0] == "ingest":
        return LAYERS.index("ingest")
    if parts[0] != "kb":
        return None
    if module in {"kb", "kb.core"} or (len(parts) > 1 and parts[1] == "core"):
        return LAYERS.index("core")  # `kb` itself only holds __version__
    if module in {"kb.cli", "kb.pipeline"} or parts[-1] == "commands":
        return LAYERS.index("commands")
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def import_edges(root: Path) -> list[tuple[str, str, int]]:
    """(importer, imported module, line) for every import of a project module, lazy ones included."""
    modules = source_modules(root)
    edges = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from pkg import sub` imports the module pkg.sub when there is one
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                if target.split(".")[0] in {"kb", "ingest"}:
                    edges.append((name, target, node.lineno))
    return edges


def upward_imports(root: Path) -> list[str]:
    problems = []
    for importer, imported, line in import_edges(root):
        low, high = layer_of(importer), layer_of(imported)
        if low is not None and high is not None and high > low:
            problems.append(f"{importer}:{line} ({LAYERS[low]}) imports {imported} ({LAYERS[high]})")
    return problems


def import_cycles(root: Path) -> list[list[str]]:
    graph = nx.DiGraph((a, b) for a, b, _ in import_edges(root) if a != b)
    return [cycle for cycle in nx.simple_cycles(graph)]


def oversized_modules(root: Path) -> list[str]:
    found = []
    for name, path in source_modules(root).items():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MAX_LINES and "over 400 lines because" not in docstring:
            found.append(f"{name}: {lines} lines")
    return found


def test_no_lower_layer_imports_a_higher_one():
    assert upward_imports(ROOT) == []


def test_no_import_circle():
    assert import_cycles(ROOT) == []


def test_no_module_over_400_lines():
    assert oversized_modules(ROOT) == []


def test_every_kb_module_has_a_layer():
    unplaced = [m for m in source_modules(ROOT) if layer_of(m) is None]
    assert unplaced == []


def test_every_stage_package_says_what_it_owns_and_may_import():
    for package in ("core", "survey", "coding", "graph", "publish"):
        docstring = ast.get_docstring(ast.parse((ROOT / "kb" / package / "__init__.py").read_text(encoding="utf-8")))
        assert docstring and "import" in docstring, package


# ------------------------------------------------------------------ the checks catch what they should


def plant(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in {"kb/__init__.py": "", "ingest/__init__.py": "", **files}.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"kb/core/db.py": "from kb.publish.serve import serve\n", "kb/publish/serve.py": ""}, "kb.core.db:1"),
        ({"kb/survey/build.py": "def f():\n    from kb.graph import store\n", "kb/graph/store.py": ""},
         "kb.survey.build:2"),
        ({"ingest/forms.py": "import kb.survey.build\n", "kb/survey/build.py": ""}, "ingest.forms:1"),
        ({"kb/graph/gaps.py": "from kb.pipeline import build\n", "kb/pipeline.py": ""}, "kb.graph.gaps:1"),
        ({"kb/coding/store.py": "from ..publish import plugin\n", "kb/publish/plugin.py": ""}, "kb.coding.store:1"),
    ],
)
def test_a_planted_upward_import_is_caught(tmp_path, files, expected):
    problems = upward_imports(plant(tmp_path, files))
    assert len(problems) == 1 and problems[0].startswith(expected)


def test_downward_and_same_layer_imports_pass(tmp_path):
    root = plant(tmp_path, {
        "kb/core/db.py": "",
        "kb/survey/build.py": "from kb.core.db import x\nfrom ingest import forms\n",
        "ingest/forms.py": "from kb.core import db\n",
        "kb/graph/commands.py": "from kb.pipeline import build\n",
        "kb/pipeline.py": "from kb.survey.build import build\n",
    })
    assert upward_imports(root) == []


def test_a_planted_circle_is_caught(tmp_path):
    files = {"kb/graph/a.py": "from kb.graph import b\n", "kb/graph/b.py": "def f():\n    import kb.graph.a\n"}
    root = plant(tmp_path, files)
    assert [sorted(cycle) for cycle in import_cycles(root)] == [["kb.graph.a", "kb.graph.b"]]


def test_an_oversized_module_is_caught_unless_its_docstring_says_why(tmp_path):
    body = "x = 1\n" * 401
    why = '"""Kept over 400 lines because tables."""\n' + body
    root = plant(tmp_path, {"kb/core/big.py": body, "kb/core/why.py": why})
    assert oversized_modules(root) == ["kb.core.big: 401 lines"]
