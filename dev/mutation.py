"""Mutation testing (mutmut 3) of the modules whose numbers we publish, each against its own fast tests.

Run: make mutation  (or .venv/bin/python dev/mutation.py [MODULE ...]). Not part of CI: it takes minutes.
Each module is mutated in a scratch copy of the tracked files (so the work tree never holds a mutant);
mutmut's `mutants/` and cache stay there. Prints killed / total per module; the scores go in the README.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> its own fast tests (no full build where avoidable)
MODULES: dict[str, list[str]] = {
    "kb/core/rounding.py": ["tests/test_rounding.py"],
    "ingest/values.py": ["tests/test_values.py"],
    "kb/graph/metrics.py": ["tests/graph/test_metrics.py", "tests/graph/test_metrics_igraph.py"],
    "kb/graph/gap_scoring.py": ["tests/graph/test_gaps.py", "tests/graph/test_gap_scoring.py"],
    "kb/survey/verify.py": ["tests/test_verify.py", "tests/test_verify_checks.py"],
}


def scratch_copy(target: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for name in files.splitlines():
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for name in (ROOT / "tests").rglob("*"):  # untracked test files of the work tree too
        if name.is_file() and "__pycache__" not in name.parts:
            (target / name.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(name, target / name.relative_to(ROOT))


def run_module(module: str, tests: list[str], mutmut: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-mutation-") as tmp:
        work = Path(tmp)
        scratch_copy(work)
        (work / "setup.cfg").write_text(
            "[mutmut]\n"
            f"source_paths = {module.split('/')[0]}\n"
            f"only_mutate = {module}\n"
            "also_copy =\n    ingest\n    kb\n    data\n    datasette\n    tests\n"
            "pytest_add_cli_args_test_selection =\n" + "".join(f"    {t}\n" for t in tests),
            encoding="utf-8",
        )
        pyproject = work / "pyproject.toml"  # mutmut prefers [tool.mutmut] there; we keep ours out of it
        started = time.perf_counter()
        with open(work / "mutmut.log", "w", encoding="utf-8") as log:
            subprocess.run([str(mutmut), "run", "--max-children", "2"], cwd=work, check=False, stdout=log,
                           stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
        subprocess.run([str(mutmut), "export-cicd-stats"], cwd=work, check=False, capture_output=True)
        stats_file = work / "mutants" / "mutmut-cicd-stats.json"
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        survivors = subprocess.run([str(mutmut), "results"], cwd=work, capture_output=True, text=True).stdout
        diffs = [
            subprocess.run([str(mutmut), "show", line.split(":")[0].strip()], cwd=work, capture_output=True,
                           text=True).stdout
            for line in survivors.splitlines() if line.strip().endswith("survived")
        ]
        del pyproject
    return {"module": module, "seconds": round(seconds), "stats": stats, "survivors": survivors.strip(), "diffs": diffs}


def main(argv: list[str]) -> None:
    mutmut = Path(sys.executable).with_name("mutmut")
    chosen = argv or list(MODULES)
    for module in chosen:
        result = run_module(module, MODULES[module], mutmut)
        stats = result["stats"]
        killed, total = stats.get("killed", 0), stats.get("total", 0)
        score = f"{100 * killed / total:.0f} %" if total else "n/a"
        print(f"{module}: {killed} / {total} mutants killed ({score}) in {result['seconds']} s; stats {stats}")
        if result["survivors"]:
            print("  survivors:\n    " + result["survivors"].replace("\n", "\n    "))
        for diff in result["diffs"]:
            print(diff)


if __name__ == "__main__":
    main(sys.argv[1:])
