"""Shared fixtures: a fresh build in a temporary folder, and a hand-made response fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from kb.core.db import open_db
from kb.pipeline import build


@pytest.fixture(autouse=True)
def _local_coder_map(tmp_path, monkeypatch):
    """Issue 15: tests never write the coder-name mapping into the repository."""
    monkeypatch.setenv("KB_CODER_MAP", str(tmp_path / "granskare.local.yml"))


@pytest.fixture(scope="session")
def built_db_path(tmp_path_factory) -> Path:
    """A database built from the repository's ingest/ files."""
    path = tmp_path_factory.mktemp("build") / "samverkan.db"
    build(path)
    return path


@pytest.fixture
def built_db(built_db_path, tmp_path) -> sqlite_utils.Database:
    """A private, writable copy of the built database."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(built_db_path.read_bytes())
    return open_db(copy)


# ---- issue 12: a build with the synthetic organisation export ingested (tests only, never published) ----

SYNTHETIC_CIVIL = Path(__file__).parent / "data" / "civilsamhalle-syntetisk-2024.csv"


@pytest.fixture(scope="session")
def civil_build(tmp_path_factory) -> tuple[Path, Path]:
    """(db path, exports dir) after `kb ingest forms --side civilsamhalle` of the synthetic export."""
    import shutil

    from kb.core.paths import INGEST_DIR
    from kb.pipeline import ingest_civil_forms

    root = tmp_path_factory.mktemp("civil")
    exports = root / "data"
    shutil.copytree(INGEST_DIR / "data" / "2022", exports / "2022")
    shutil.copyfile(INGEST_DIR / "data" / "forums.yml", exports / "forums.yml")  # a data dir holds its registry
    db_path = root / "samverkan.db"
    ingest_civil_forms(SYNTHETIC_CIVIL, 2024, db_path, exports, forums_file=exports / "forums.yml")
    return db_path, exports


@pytest.fixture(scope="session")
def civil_db_path(civil_build) -> Path:
    return civil_build[0]


@pytest.fixture
def synthetic_organisation(tmp_path, monkeypatch) -> Path:
    """ingest/reference/ with the synthetic organisation of tests/data/rounds/ in place (issue 11)."""
    from rounds_fixtures import synthetic_reference

    import ingest.reference

    directory = synthetic_reference(tmp_path / "reference")
    monkeypatch.setattr(ingest.reference, "REFERENCE_DIR", directory)
    return directory


@pytest.fixture(scope="session")
def two_rounds_db(tmp_path_factory) -> Path:
    """A db built with the synthetic organisation: the 2022 reconstruction and the synthetic 2024 round."""
    from rounds_fixtures import EXPORT_2024, exports_with_2022, synthetic_reference

    import ingest.reference
    from kb.pipeline import ingest_forms

    base = tmp_path_factory.mktemp("two-rounds")
    original = ingest.reference.REFERENCE_DIR
    ingest.reference.REFERENCE_DIR = synthetic_reference(base / "reference")
    try:
        ingest_forms(EXPORT_2024, 2024, base / "samverkan.db", exports_with_2022(base / "data"))
    finally:
        ingest.reference.REFERENCE_DIR = original
    return base / "samverkan.db"
