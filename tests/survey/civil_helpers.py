"""Helpers for the civil-society survey tests: answers of the organisation questionnaire as dicts."""

from __future__ import annotations

from pathlib import Path

from ingest.civil_forms import DIFFICULT, POSITIVE, expected_headings, load_options
from ingest.forums import load_forums
from ingest.reference import load_reference
from kb.survey.civil import FORMS_METADATA_HEADINGS

SYNTHETIC_CIVIL = Path(__file__).parents[1] / "data" / "civilsamhalle-syntetisk-2024.csv"
KULTUR = "Samverkar med: Kultur- och fritidsförvaltningen"
MILJO = "Samverkar med: Miljökontoret"


def civil_options():
    reference = load_reference()
    return load_options(reference, load_forums(reference=reference))


def civil_headings(options) -> list[str]:
    return [*FORMS_METADATA_HEADINGS, *expected_headings(options)]


def org_answer(name: str = "Testföreningen", category: str = "Idrottsförening", **extra) -> dict:
    row = {"Email": "pelle.person@example.org", "Name": "Pelle Person", "Organisation": name, "Kategori": category,
           KULTUR: "Informationsutbyte;", DIFFICULT: "Svårt att få tid. Ring 070-123 45 67.",
           POSITIVE: "Bra dialog"}
    row.update(extra)
    return row
