"""bench/readme_figures.py: finds the README's figure for each key the bench scripts use."""

from __future__ import annotations

import importlib.util
import re

from kb.core.paths import ROOT

spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "bench" / "readme_figures.py")
readme_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_figures)

TABLE = """
| what | result | target |
| --- | --- | --- |
| `kb build` on the inputs | 1.3 s (1.27-1.39 s) | |
| coding 20,000 answers | 17,996 / 17,604 answers/s | ≥ 10,000 |
"""


def test_figure_by_key_and_index():
    assert readme_figures.readme_figure("`kb build`", text=TABLE) == 1.3
    assert readme_figures.readme_figure("`kb build`", 2, text=TABLE) == 1.39
    assert readme_figures.readme_figure("coding 20,000", 1, text=TABLE) == 17604.0
    assert readme_figures.readme_figure("coding 20,000", 5, text=TABLE) is None
    assert readme_figures.readme_figure("no such row", text=TABLE) is None


def test_figure_from_another_column():
    table = "| run | alone | attacked |\n| --- | --- | --- |\n| final | 42 / 392 ms | 36 / **434** ms |\n"
    assert readme_figures.readme_figure("final", 1, text=table) == 392
    assert readme_figures.readme_figure("final", 1, text=table, column=2) == 434
    assert readme_figures.readme_figure("final", text=table, column=3) is None


def test_every_key_the_bench_scripts_use_has_a_readme_figure():
    keys = []
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        source = script.read_text(encoding="utf-8")
        keys += re.findall(r'"((?:`kb |… `--by |coding 20,000 answers|national synthetic data|parse and validate'
                           r'|Python allocation peak)[^"{]*)"', source)
    assert len(keys) >= 12
    missing = [k for k in keys if readme_figures.readme_figure(k) is None]
    assert missing == []


def test_serve_and_soak_bench_rows_resolve_to_the_readme_figures():
    """bench_serve and bench_hostile read several figures per README row, by position."""
    import ast

    def constant(script: str, name: str):
        tree = ast.parse((ROOT / "bench" / script).read_text(encoding="utf-8"))
        return next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", None) == name for t in n.targets))

    for key, *indices in constant("bench_serve.py", "README_ROWS").values():
        assert all(readme_figures.readme_figure(key, i) is not None for i in indices if i is not None), key
    soak = constant("bench_hostile.py", "README_ROW")
    assert [readme_figures.readme_figure(soak, i, column=c) is not None for c in (1, 2) for i in range(3)] == [True] * 6
    assert readme_figures.readme_figure(soak, column=3) is not None
