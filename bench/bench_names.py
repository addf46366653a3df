"""Person-name redaction (issue 15): scores on the labelled set and speed per statement.

Run: .venv/bin/python bench/bench_names.py  (prints numbers; no assertions)
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readme_figures import report  # noqa: E402

from ingest.names import default_rules, redact_names  # noqa: E402
from ingest.names_eval import score_names  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "names_labelled.csv"


def main() -> None:
    start = time.perf_counter()
    rules = default_rules()
    loaded = time.perf_counter() - start
    result = score_names(LABELLED)
    with open(LABELLED, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [n for r in rows for n in r["keep"].split(";") if n]
    known = sum(1 for n in kept if any(n in k or k in n for k in rules.keep))
    texts = [r["text"] for r in rows] * 20
    start = time.perf_counter()
    for text in texts:
        redact_names(text)
    per_text = (time.perf_counter() - start) / len(texts)
    print(f"gazetteer: {len(rules.first)} first names, {len(rules.last)} last names, {len(rules.keep)} kept phrases")
    print(f"rules loaded in {loaded:.2f} s")
    print(f"labelled set: {len(rows)} sentences")
    print(f"person names: {result['persons_found']}/{result['persons']} found, recall {result['recall']:.3f}")
    print(f"missed: {result['missed']}")
    print(
        f"organisation/place names: {result['kept_names_redacted']}/{result['kept_names']} wrongly redacted "
        f"({result['wrongly_redacted_share']:.3f}); {known} of them known to the keep list, {len(kept) - known} not"
    )
    print(f"speed: {per_text * 1e6:.0f} µs per statement")
    report("  recall", result["recall"], "", "person names found whole", index=2, digits=3)
    report("  speed", per_text * 1e3, "ms per statement", "speed", digits=2)


if __name__ == "__main__":
    main()
