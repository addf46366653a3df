"""Time `kb build` on the committed inputs and `kb ingest forms` on a large synthetic export.

Prints numbers; asserts nothing. Run: .venv/bin/python bench/bench_build.py
"""

from __future__ import annotations

import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from readme_figures import report

from ingest.forms import expected_headings
from ingest.reference import load_reference
from kb.pipeline import build, ingest_forms
from kb.survey.forms import FORMS_METADATA_HEADINGS
from kb.survey.verify import verify


def synthetic_export(path: Path, rows: int, round_: int, seed: int = 1) -> None:
    reference = load_reference()
    rng = random.Random(seed)
    headings = [*FORMS_METADATA_HEADINGS, *expected_headings(reference, round_)]
    forms = [f["name"] for f in reference.forms]
    goals = [g["name"] for g in reference.goal_areas]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        for i in range(rows):
            row = {h: "" for h in headings}
            row["ID"] = str(i)
            row["Förvaltning"] = rng.choice(reference.departments)["name"]
            for category in reference.categories:
                if rng.random() < 0.5:
                    row[f"Samverkan med: {category['name']}"] = ";".join(rng.sample(forms, rng.randint(1, 6))) + ";"
            row["Delmålområden"] = ";".join(rng.sample(goals, rng.randint(1, 8)))
            row["Vad upplever ni som svårt med samverkan?"] = "Tiden räcker inte och det saknas resurser."
            writer.writerow([row[h] for h in headings])


def timed(label: str, key: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    report(label, time.perf_counter() - started, "s", key)
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        timed("kb build (committed inputs, incl. the 2022 round)", "`kb build` on the committed inputs", build,
              tmp_path / "kb.db")
        from kb.core.db import open_db

        timed("kb verify", "`kb verify`", verify, open_db(tmp_path / "kb.db"))
        export = tmp_path / "big.csv"
        synthetic_export(export, 2000, 2030)
        exports_dir = tmp_path / "data"
        exports_dir.mkdir()
        timed("kb ingest forms, 2 000 synthetic responses (parse + store + full rebuild)",
              "`kb ingest forms`, 2,000 synthetic responses", ingest_forms,
              export, 2030, tmp_path / "kb.db", exports_dir)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report("peak memory", peak, "MiB", "`kb ingest forms`, 2,000 synthetic responses", index=3, digits=0)


if __name__ == "__main__":
    main()
