"""Integrity of the evaluation set of real Swedish statements (tests/data/real_statements.csv).

The set and its labelling rules are described in tests/data/real_statements.md. These tests only check
that the file is well formed; they do not run the coder (the set is kept independent of the rules).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from kb.coding.goldfile import source_key

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "real_statements.csv"
CODEBOOK = ROOT / "ingest" / "codebook.yml"

COLUMNS = ["id", "text", "kind", "themes", "split", "source_url", "source_title", "paraphrase", "missing_concept"]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def theme_kinds() -> dict[str, str]:
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    return {t["id"]: t["kind"] for t in data["themes"]}


def themes_of(row: dict[str, str]) -> list[str]:
    return [t.strip() for t in row["themes"].split(";") if t.strip()]


def test_size_and_unique_ids(rows):
    assert len(rows) >= 150
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(r["id"].strip() and r["text"].strip() for r in rows)


def test_values_are_valid(rows, theme_kinds):
    for r in rows:
        assert r["kind"] in {"svarighet", "positivt"}, r["id"]
        assert r["split"] in {"tune", "test"}, r["id"]
        assert r["paraphrase"] in {"ja", "nej"}, r["id"]
        assert re.fullmatch(r"https?://\S+", r["source_url"]), r["id"]
        assert r["source_title"].strip(), r["id"]
        assert len(r["text"]) <= 400, r["id"]
        assert re.fullmatch(r"[a-z-]*", r["missing_concept"]), r["id"]
        themes = themes_of(r)
        assert len(set(themes)) == len(themes), r["id"]
        for t in themes:
            assert t in theme_kinds, f"{r['id']}: unknown theme {t!r}"
            assert theme_kinds[t] == r["kind"], f"{r['id']}: theme {t!r} is not of kind {r['kind']}"


def test_both_splits_and_kinds_are_used(rows):
    counts = Counter((r["split"], r["kind"]) for r in rows)
    assert all(counts[(s, k)] > 0 for s in ("tune", "test") for k in ("svarighet", "positivt"))


# The test split is frozen: its 113 rows (id, text, kind, themes, source) may not change, so that figures
# reported on it stay comparable and nobody tunes on it by relabelling. New statements go to tune.
FROZEN_TEST_ROWS = 113
FROZEN_TEST_SHA256 = "f83cebbb45211967cf94156b868830f74ec413827889dc57806ff0f3395634c4"


def test_test_split_is_frozen(rows):
    test = [r for r in rows if r["split"] == "test"]
    blob = json.dumps(
        sorted([r["id"], r["text"], r["kind"], r["themes"], r["source_url"]] for r in test), ensure_ascii=False
    )
    assert len(test) == FROZEN_TEST_ROWS
    assert hashlib.sha256(blob.encode("utf-8")).hexdigest() == FROZEN_TEST_SHA256


def test_no_source_in_both_splits(rows):
    splits_by_url: dict[str, set[str]] = defaultdict(set)
    splits_by_source: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        splits_by_url[r["source_url"]].add(r["split"])
        splits_by_source[source_key(r["source_url"])].add(r["split"])
    assert [u for u, s in splits_by_url.items() if len(s) > 1] == []
    assert [k for k, s in splits_by_source.items() if len(s) > 1] == []
