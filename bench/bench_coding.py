"""Benchmark the auto-coder: answers/s with nlp.pipe vs one call at a time, rules + model, `kb code predict` cold,
and the scores on the real-statement set (issue 13).

Run: .venv/bin/python bench/bench_coding.py  (prints numbers; no assertions)
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readme_figures import report  # noqa: E402

from kb.coding.codebook import load_codebook  # noqa: E402
from kb.coding.combine import predict_rows  # noqa: E402
from kb.coding.evaluate import evaluate_file  # noqa: E402
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
    start, cpu = time.perf_counter(), time.process_time()
    piped = list(code_texts(nlp, data, batch_size=1000))
    pipe_s, pipe_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    single = [code_one(nlp, text, kind) for _, text, kind in data]
    single_s = time.perf_counter() - start
    assert [r.codings for r in piped] == [r.codings for r in single]
    print(f"nlp.pipe (batch 1000): {len(data) / pipe_s:,.0f} svar/s ({pipe_s:.2f} s för {len(data)} svar); "
          f"per CPU-sekund {len(data) / pipe_cpu:,.0f} svar/s")
    print(f"ett anrop per svar:    {len(data) / single_s:,.0f} svar/s ({single_s:.2f} s)")
    report("  nlp.pipe", len(data) / pipe_s, "svar/s", "coding 20,000 answers", index=0, digits=0)
    report("  ett anrop per svar", len(data) / single_s, "svar/s", "coding 20,000 answers", index=1, digits=0)

    codebook = load_codebook()
    predict_rows(data[:200], codebook, "regler", nlp)  # warm up (loads the model)
    start, cpu = time.perf_counter(), time.process_time()
    predict_rows(data[:5000], codebook, "regler", nlp)
    comb_s, comb_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"regler + modellens poäng (kb code): {5000 / comb_s:,.0f} svar/s ({comb_s:.2f} s för 5000 svar); "
          f"per CPU-sekund {5000 / comb_cpu:,.0f} svar/s")

    with tempfile.TemporaryDirectory() as tmp:
        for n in (70, 100):
            path = Path(tmp) / f"svar{n}.csv"
            with open(path, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "text", "kind"])
                for row_id, text, kind in data[:n]:
                    writer.writerow([row_id, text, kind or ""])
            cmd = [sys.executable, "-m", "kb.coding.commands", "predict", str(path)]
            times, cpus = [], []
            for _ in range(3):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=os.environ.copy())
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            print(f"`kb code predict` på {n} svar inkl. uppstart: {min(times):.2f} s (bäst av 3; alla: "
                  f"{', '.join(f'{t:.2f}' for t in times)}); CPU-tid {min(cpus):.2f} s")
            if n == 70:
                report("  kb code predict, 70 svar", min(times), "s", "`kb code predict` on 70 answers")

    real = ROOT / "tests" / "data" / "real_statements.csv"
    for split in ("tune", "test"):
        for method in ("regler", "kombinerad"):
            m = evaluate_file(real, codebook, nlp, split=split, method=method)["micro"]
            print(f"verkliga påståenden, {split:4} {method:10}: P {m['precision']:.2f} R {m['recall']:.2f} "
                  f"F1 {m['f1']:.2f}")


if __name__ == "__main__":
    main()
