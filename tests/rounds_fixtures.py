"""The synthetic test organisation of issue 11 (tests/data/rounds/): a reference folder in which four of the
nine 2022 departments end and four invented "Testförvaltningen ..." departments start in 2023, and a build
with the 2022 reconstruction plus a synthetic 2024 round in that organisation."""

from __future__ import annotations

import shutil
from pathlib import Path

import ingest.reference
from ingest.exports import EXPORTS_DIR

ROUNDS_DATA = Path(__file__).parent / "data" / "rounds"
EXPORT_2024 = ROUNDS_DATA / "forms-2024.csv"


def synthetic_reference(target: Path) -> Path:
    """A copy of ingest/reference/ with the synthetic organisation's departments.yml and lineage.yml."""
    shutil.copytree(ingest.reference.REFERENCE_DIR, target)
    for name in ("departments.yml", "lineage.yml"):
        shutil.copyfile(ROUNDS_DATA / name, target / name)
    return target


def exports_with_2022(target: Path) -> Path:
    """A copy of ingest/data/ (the 2022 reconstruction) to ingest further rounds into."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXPORTS_DIR / "2022", target / "2022")
    return target
