"""Benchmark of the civil-society side (issue 12): ingest of 5,000 synthetic organisation answers and
`kb gaps --type perspektiv` on the result.

Generates a synthetic Forms export (every name says "Syntetisk"): 5,000 answers from about 4,000
organisations (a fifth answer twice), each in one of the 15 categories, working with 1-3 departments in
1-4 forms each, with goal areas, target groups, a member band and two free-text answers drawn from a few
phrasings. Times `kb ingest forms --side civilsamhalle` end to end (parse, sanitised copy, full rebuild with
coding of the organisations' free text, graph and perspective gaps), then the wall-clock time of
`kb gaps --type perspektiv` (interpreter start included). Prints times and peak memory (tracemalloc peak of
Python allocations during the ingest, and the process's peak RSS from resource.getrusage).

Run: .venv/bin/python bench/bench_civil.py [--answers 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readme_figures import report  # noqa: E402

from ingest.civil_forms import DIFFICULT, POSITIVE, expected_headings, load_options, parse_civil_export  # noqa: E402
from ingest.forums import load_forums  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from kb.core.paths import INGEST_DIR  # noqa: E402
from kb.pipeline import ingest_civil_forms  # noqa: E402
from kb.survey.civil import FORMS_METADATA_HEADINGS  # noqa: E402

HARD = ["Syntetiskt: svårt att hitta rätt kontaktperson.",
        "Syntetiskt: tiden räcker inte och finansieringen är osäker.",
        "Syntetiskt: lokalerna är för dyra.", "Syntetiskt: kommunen förväntar sig för mycket av ideella krafter."]
GOOD = ["Syntetiskt: bra erfarenhetsutbyte.", "Syntetiskt: vi når ut till fler tillsammans.",
        "Syntetiskt: snabb återkoppling och flexibilitet.", ""]


def synthetic_export(path: Path, answers: int, seed: int) -> None:
    rng = random.Random(seed)
    reference = load_reference()
    options = load_options(reference, load_forums(reference=reference))
    headings = [*FORMS_METADATA_HEADINGS, *expected_headings(options)]
    categories = [c["name"] for c in reference.categories]
    departments = [d["name"] for d in reference.departments]
    forms = [f["name"] for f in reference.forms]
    goals = [g["name"] for g in reference.goal_areas]
    groups = [t["name"] for t in options.target_groups]
    bands = [b["name"] for b in options.member_bands]
    organisations = int(answers * 0.8)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        for n in range(answers):
            org = n if n < organisations else rng.randrange(organisations)
            row = {h: "" for h in headings}
            row.update({"ID": str(n + 1), "Email": "anonymous", "Organisation": f"Syntetisk förening {org}",
                        "Kategori": categories[org % len(categories)], "Anställd personal": rng.choice(["Ja", "Nej"]),
                        "Antal medlemmar": rng.choice(bands), "Delmålområden": ";".join(rng.sample(goals, 3)),
                        "Antal samverkanstillfällen under året": str(rng.randrange(1, 60)),
                        "Målgrupper": ";".join(rng.sample(groups, 2)), DIFFICULT: rng.choice(HARD),
                        POSITIVE: rng.choice(GOOD)})
            for department in rng.sample(departments, rng.randint(1, 3)):
                row["Samverkar med: " + department] = ";".join(rng.sample(forms, rng.randint(1, 4)))
            writer.writerow([row[h] for h in headings])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-civil-"))
    try:
        export = work / "syntetisk-civilsamhalle.csv"
        synthetic_export(export, args.answers, args.seed)
        exports = work / "data"
        shutil.copytree(INGEST_DIR / "data" / "2022", exports / "2022")
        db_path = work / "samverkan.db"
        reference = load_reference()
        options = load_options(reference, load_forums(reference=reference))
        start = time.perf_counter()
        parsed = parse_civil_export(export, options, 2024)
        parse_s = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        summary = ingest_civil_forms(export, 2024, db_path, exports)
        ingest_s, ingest_cpu = time.perf_counter() - start, time.process_time() - cpu
        tracemalloc.start()  # a second, identical ingest, for the peak of Python allocations only
        ingest_civil_forms(export, 2024, work / "again.db", exports)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "kb.cli", "gaps", "--type", "perspektiv", "--db", str(db_path),
                                 "--format", "json"], capture_output=True, text=True, check=True)
        gaps_s = time.perf_counter() - start
        gaps = result.stdout.count('"rank"')
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"answers {args.answers}, organisations {summary['organisations']}, parsed rows {parsed.rows}, "
              f"statements {summary['statements']}")
        ingest_key, memory_key = "`kb ingest forms --side civilsamhalle` incl.", "Python allocation peak during"
        report("parse only", parse_s, "s", "parse and validate the export only")
        report("kb ingest forms --side civilsamhalle (parse, copy, full rebuild), wall", ingest_s, "s", ingest_key)
        report("  the same, CPU", ingest_cpu, "s", ingest_key, index=2)  # "5.1-5.7 s wall, 4.2-4.4 s CPU"
        report("Python allocation peak during the ingest (tracemalloc)", peak / 2**20, "MiB", memory_key, digits=0)
        report(f"kb gaps --type perspektiv (json, {gaps} gaps, interpreter start included)", gaps_s, "s",
               "`kb gaps --type perspektiv` on the result")
        report("peak RSS of this process", rss, "MiB", memory_key, index=1, digits=0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
