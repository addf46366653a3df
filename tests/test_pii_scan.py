"""Issue 15: the committed, published db holds no personal data: e-mail addresses, phone numbers in any
Swedish format, personnummer, person names (those of the labelled set, and any the name finder sees)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import sqlite_utils

from ingest.names import find_names
from ingest.redact import find_personal_data
from kb.core.paths import DEFAULT_DB

LABELLED = Path(__file__).parent / "data" / "names_labelled.csv"
# Mobile numbers are unambiguous even where the phone library is unsure: 07X and eight more digits.
_MOBILE = re.compile(r"(?<![\d,.])(?:\+46|0046|0)[\s-]?7[02369](?:[\s-]?\d){7}(?!\d)")
SWEDISH_FORMATS = [
    "070-123 45 67", "0701234567", "070 123 45 67", "+46 70 123 45 67", "+46701234567", "0046 70 123 45 67",
    "019-21 10 00", "019-211000", "019 21 10 00", "(019) 21 10 00", "+46 19 21 10 00", "08-123 456 78",
    "08-12 34 56", "0771-12 34 56", "020-12 34 56", "073-123 45 67", "076-1234567",
]


def scan(text: str) -> list[str]:
    """Every piece of personal data the scan finds in a text."""
    return find_personal_data(text) + _MOBILE.findall(text) + find_names(text)


def _labelled_names() -> list[str]:
    with open(LABELLED, encoding="utf-8", newline="") as handle:
        return sorted({n for row in csv.DictReader(handle) for n in row["persons"].split(";") if n})


@pytest.mark.parametrize("number", SWEDISH_FORMATS)
def test_the_scan_finds_every_swedish_phone_format(number):
    assert scan(f"Ring {number} i dag."), number


@pytest.mark.parametrize(
    "text", ["anna.svensson@orebro.se", "19800101-1234", "800101-1234", "Kontakta Anna Svensson"]
)
def test_the_scan_finds_other_personal_data(text):
    assert scan(f"Se {text} i dag.")


def _texts(db: sqlite_utils.Database):
    for table in db.table_names():
        if table.startswith("sqlite_") or "_fts" in table:
            continue  # the search index repeats the tables' own text
        for column in db[table].columns:
            if column.type.upper() != "TEXT" or column.name in {"sha256", "fingerprint"}:
                continue
            for (value,) in db.execute(f"SELECT [{column.name}] FROM [{table}] WHERE [{column.name}] IS NOT NULL"):
                yield table, column.name, str(value)


def test_committed_db_has_no_personal_data():
    db = sqlite_utils.Database(DEFAULT_DB)
    names = [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)") for n in _labelled_names()]
    assert len(names) >= 100
    hits = []
    for table, column, text in _texts(db):
        if table == "build_info":
            continue  # hashes and versions
        found = scan(text) + [p.pattern for p in names if p.search(text)]
        if found:
            hits.append((table, column, found, text[:80]))
    assert hits == []
