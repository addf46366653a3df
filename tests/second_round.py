"""A db with a second response round, made the way a coordinator makes one: `kb ingest forms` of a
synthetic Forms export for 2024 (two departments, free-text answers) into a temporary db."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.forms import expected_headings
from ingest.reference import load_reference
from kb.core.paths import ROOT
from kb.pipeline import ingest_forms
from kb.survey.forms import FORMS_METADATA_HEADINGS
from tests.survey.conftest import write_csv

ROUND = 2024
HARD = "Vad upplever ni som svårt med samverkan?"
GOOD = "Vad upplever ni som positivt med samverkan?"
ANSWERS = [
    {"ID": "1", "Förvaltning": "Miljökontoret", "Samverkan med: Kulturförening": "Informationsutbyte;",
     "Delmålområden": "Klimat", HARD: "Det tar tid att bygga relationer.", GOOD: "Kunskap och engagemang."},
    {"ID": "2", "Förvaltning": "Kultur- och fritidsförvaltningen",
     "Samverkan med: Idrottsförening": "Avtal/kontrakt;", "Delmålområden": "Goda livsmiljöer",
     HARD: "Svårt att nå föreningar som saknar anställda.", GOOD: "Närhet till invånarna."},
]


def make_two_round_db(directory: Path) -> Path:
    """The committed data plus round 2024 from a synthetic Forms export; returns the db path."""
    exports = directory / "data"
    shutil.copytree(ROOT / "ingest" / "data", exports)
    headings = [*FORMS_METADATA_HEADINGS, *expected_headings(load_reference(), ROUND)]
    export = write_csv(directory / f"forms-{ROUND}.csv", headings, ANSWERS)
    db_path = directory / "two-rounds.db"
    ingest_forms(export, ROUND, db_path, exports)
    return db_path
