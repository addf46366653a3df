"""Score the person-name finder (ingest.names) against a labelled set: recall on names, kept org/place names."""

from __future__ import annotations

import csv
from pathlib import Path

from ingest.names import name_spans


def _split(cell: str) -> list[str]:
    return [part for part in (cell or "").split(";") if part]


def score_names(path: Path) -> dict:
    """Persons found whole, organisation/place names touched, per mention; with the misses listed."""
    persons = found = kept = touched = 0
    missed: list[tuple[str, str]] = []
    wrongly: list[tuple[str, str]] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row["text"]
            spans = name_spans(text)
            for name in _split(row["persons"]):
                start = text.index(name)
                persons += 1
                letters = [i for i in range(start, start + len(name)) if text[i] != " "]
                covered = all(any(s <= i < e for s, e in spans) for i in letters)
                if covered:
                    found += 1
                else:
                    missed.append((row["id"], name))
            for name in _split(row["keep"]):
                start = text.index(name)
                kept += 1
                if any(s < start + len(name) and start < e for s, e in spans):
                    touched += 1
                    wrongly.append((row["id"], name))
    return {
        "persons": persons,
        "persons_found": found,
        "recall": found / persons if persons else 1.0,
        "kept_names": kept,
        "kept_names_redacted": touched,
        "wrongly_redacted_share": touched / kept if kept else 0.0,
        "missed": missed,
        "wrongly_redacted": wrongly,
    }
