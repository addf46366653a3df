"""Benchmark the auto-coder: answers/s with nlp.pipe vs one call at a time, and `kb code predict` wall-clock.

Run: .venv/bin/python bench/bench_coding.py  (prints numbers; no assertions)
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.coding.pipeline import code_one, code_texts, load_pipeline  # noqa: E402


def answers(n: int) -> list[tuple[str, str, str | None]]:
    """n answers sampled from the gold and held-out sets, each varied slightly so caches see new strings."""
    rows = []
    for name in ("gold.csv", "heldout.csv"):
        with open(ROOT / "tests" / "coding" / name, encoding="utf-8") as handle:
            rows += [(r["text"], r["kind"] or None) for r in csv.DictReader(handle)]
    rng = random.Random(1)
    return [(str(i), f"{text} ({i % 97})", kind) for i, (text, kind) in enumerate(rng.choices(rows, k=n))]


def main() -> None:
    nlp = load_pipeline()
    data = answers(20_000)
    list(code_texts(nlp, data[:200]))  # warm up
    start = time.perf_counter()
    piped = list(code_texts(nlp, data, batch_size=1000))
    pipe_s = time.perf_counter() - start
    start = time.perf_counter()
    single = [code_one(nlp, text, kind) for _, text, kind in data]
    single_s = time.perf_counter() - start
    assert [r.codings for r in piped] == [r.codings for r in single]
    print(f"nlp.pipe (batch 1000): {len(data) / pipe_s:,.0f} svar/s ({pipe_s:.2f} s för {len(data)} svar)")
    print(f"ett anrop per svar:    {len(data) / single_s:,.0f} svar/s ({single_s:.2f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "svar70.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "kind"])
            for row_id, text, kind in data[:70]:
                writer.writerow([row_id, text, kind or ""])
        cmd = [sys.executable, "-m", "kb.coding.commands", "predict", str(path)]
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=os.environ.copy())
            times.append(time.perf_counter() - start)
        print(f"`kb code predict` på 70 svar inkl. uppstart: {min(times):.2f} s (bäst av 3; alla: "
              f"{', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
