"""Benchmark of `kb compare` (issue 11): wall-clock time including interpreter start.

1. The default inputs plus a synthetic second round: the committed 2022 reconstruction, and the synthetic
   2024 export of tests/data/rounds/ in the synthetic test organisation there (a merge, a rename and a
   split), ingested with `kb ingest forms`. Target: under 0.5 s per `kb compare` call.
2. National scale: two synthetic rounds of bench/bench_graph.py's generator (290 municipalities, 7-12
   departments each; seeds 1 and 2) written into a copy of the default db, the second round with two
   departments of every tenth municipality merged (lineage rows of kind `merged`), in a fresh build of the
   default inputs.

Prints numbers; asserts nothing. Run: .venv/bin/python bench/bench_compare.py [--runs 5] [--municipalities 290]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from readme_figures import report  # noqa: E402

import ingest.reference  # noqa: E402
from kb.pipeline import build, ingest_forms  # noqa: E402

KB = str(Path(sys.executable).with_name("kb"))
# --by -> (README row key, index of its median in the row's figure cell)
DEFAULT_FIGURES = {"department": ("`kb compare --by department`", 0),
                   **{by: ("… `--by category`", i) for i, by in enumerate(("category", "form", "goal", "theme"))}}
NATIONAL = "national synthetic data, two rounds"  # figure cell: "fastest-slowest median by --by (max ...)"


def wall(args: list[str], runs: int) -> tuple[float, float]:
    """Median and max wall-clock seconds of `kb ARGS` (stdout discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([KB, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def default_plus_synthetic(base: Path) -> Path:
    from rounds_fixtures import EXPORT_2024, exports_with_2022, synthetic_reference

    original = ingest.reference.REFERENCE_DIR
    ingest.reference.REFERENCE_DIR = synthetic_reference(base / "reference")
    try:
        ingest_forms(EXPORT_2024, 2024, base / "samverkan.db", exports_with_2022(base / "data"))
    finally:
        ingest.reference.REFERENCE_DIR = original
    return base / "samverkan.db"


def national(base: Path, municipalities: int) -> tuple[Path, int, int]:
    """A copy of the default db with two synthetic national rounds (2030, 2031) and merge lineage."""
    from bench_graph import synthetic_round

    path = base / "national.db"
    build(path)  # a fresh build of the default inputs (the committed db may predate this tables)
    conn = sqlite3.connect(path)
    first, second = synthetic_round(municipalities, 1), synthetic_round(municipalities, 2)
    conn.execute("INSERT INTO sources (id, kind, title) VALUES ('syntetisk', 'rekonstruktion', 'Syntetiska data')")
    position = conn.execute("SELECT MAX(position) FROM departments").fetchone()[0]
    merged, lineage = {}, []
    for m in range(0, municipalities, 10):  # every tenth municipality merges departments 00 and 01
        new = f"kommun-{m:03d}-forvaltning-sammanslagen"
        for k in ("00", "01"):
            merged[f"kommun-{m:03d}-forvaltning-{k}"] = new
            lineage.append((f"kommun-{m:03d}-forvaltning-{k}", new))
    departments = {d: name for d, name, _ in first.entities["department"] + second.entities["department"]}
    departments.update({new: new for new in set(merged.values())})
    for i, (d, name) in enumerate(sorted(departments.items()), start=1):
        conn.execute("INSERT INTO departments (id, name, position, source_id) VALUES (?, ?, ?, 'syntetisk')",
                     [d, name, position + i])
    conn.executemany("INSERT INTO department_lineage VALUES (?, ?, 'merged', 2031, 'https://example.org', NULL, "
                     "'bench', ?)", [(a, b, i) for i, (a, b) in enumerate(lineage, start=1)])
    for round_, data, rename in ((2030, first, {}), (2031, second, merged)):
        conn.execute("INSERT INTO rounds (round, title, departments, source_id) VALUES (?, 'Syntetisk', ?, "
                     "'syntetisk')", [round_, data.round_departments])
        answering = sorted({rename.get(d, d) for d, _, _ in data.entities["department"]})
        conn.executemany("INSERT INTO responses VALUES (?, ?, NULL, 'syntetisk')", [(round_, d) for d in answering])
        conn.executemany("INSERT OR IGNORE INTO collaborations VALUES (?, ?, ?, ?, 'syntetisk')",
                         [(round_, rename.get(d, d), c, f) for d, c, f in data.collaborations])
        conn.executemany("INSERT OR IGNORE INTO department_goal_areas VALUES (?, ?, ?, 'syntetisk')",
                         [(round_, rename.get(d, d), g) for d, g in data.department_goals])
    conn.commit()
    counts = conn.execute("SELECT COUNT(*) FROM responses WHERE round >= 2030").fetchone()[0], \
        conn.execute("SELECT COUNT(*) FROM collaborations WHERE round >= 2030").fetchone()[0]
    conn.close()
    return path, *counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--municipalities", type=int, default=290)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        print("kb compare on the default db plus a synthetic 2024 round (wall incl. start; median / max of "
              f"{args.runs}):")
        db = default_plus_synthetic(base / "default")
        for by in ("department", "category", "form", "goal", "theme"):
            median, worst = wall(["compare", "--db", str(db), "--from", "2022", "--to", "2024", "--by", by,
                                  "--format", "json"], args.runs)
            key, index = DEFAULT_FIGURES[by]
            report(f"  --by {by:<11} median (max {worst:.3f} s)", median, "s", key, index=index, digits=3)
        start = time.perf_counter()
        path, departments, collaborations = national(base, args.municipalities)
        print(f"\nNational synthetic data: {departments} department answers and {collaborations} collaborations "
              f"over two rounds (written in {time.perf_counter() - start:.1f} s)")
        medians = []
        for by in ("department", "category", "form", "goal"):
            median, worst = wall(["compare", "--db", str(path), "--from", "2030", "--to", "2031", "--by", by,
                                  "--format", "json"], args.runs)
            print(f"  --by {by:<11} {median:6.3f} s / {worst:6.3f} s")
            medians.append(median)
        report("  fastest --by, median", min(medians), "s", NATIONAL, index=0)
        report("  slowest --by, median", max(medians), "s", NATIONAL, index=1)


if __name__ == "__main__":
    main()
