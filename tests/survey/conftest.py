"""Helpers that write Forms-like exports (.xlsx and .csv) for the survey tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest.forms import expected_headings
from ingest.reference import load_reference
from kb.survey.forms import FORMS_METADATA_HEADINGS

ROUND = 2024


@pytest.fixture(scope="session")
def reference():
    return load_reference()


@pytest.fixture(scope="session")
def headings(reference):
    return [*FORMS_METADATA_HEADINGS, *expected_headings(reference, ROUND)]


def make_row(headings: list[str], **answers: str) -> list[str]:
    """A row with answers given by heading (keyword names use the heading text via a dict)."""
    return [answers.get(h, "") for h in headings]


def write_csv(path: Path, headings: list[str], rows: list[dict], delimiter: str = ",", bom: bool = False) -> Path:
    encoding = "utf-8-sig" if bom else "utf-8"
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headings)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headings])
    return path


def write_xlsx(path: Path, headings: list[str], rows: list[dict]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append([row.get(h) for h in headings])
    workbook.save(path)
    return path


@pytest.fixture
def exports_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
