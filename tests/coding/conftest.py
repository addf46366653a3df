"""Fixtures for the coding tests: the built pipeline and small hand-made databases."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook
from kb.core.db import mark_kb_database

HERE = Path(__file__).parent
XSD_DIR = HERE.parent / "data" / "refi-qda"

STATEMENTS = [
    # id, round, kind, department, text
    ("s1", 2022, "svarighet", "miljokontoret", "Tid. Det tar mycket tid att bygga relationer."),
    ("s2", 2022, "svarighet", "tekniska-forvaltningen", "Inga problem med sekretessen, men resurserna räcker inte."),
    ("s3", 2022, "svarighet", "miljokontoret", "Det är svårt att hitta rätt kontaktperson i föreningarna."),
    ("s4", 2022, "positivt", "tekniska-forvaltningen", "Föreningarna har kunskap och ett stort engagemang."),
    ("s5", 2022, "positivt", "miljokontoret", "Vi når ut till fler invånare 😊 genom föreningarna."),
    ("s6", 2023, "svarighet", "miljokontoret", "Finansieringen är kortsiktig och tiden räcker inte."),
    ("s7", 2023, "positivt", None, "Mycket positivt."),
]


@pytest.fixture(scope="session")
def codebook():
    """The repository's codebook."""
    return load_codebook(DEFAULT_CODEBOOK)


@pytest.fixture(scope="session")
def nlp(codebook):
    """The coding pipeline (built once into the cache, then loaded from disk)."""
    from kb.coding.pipeline import load_pipeline

    return load_pipeline(codebook)


def make_db(path: Path) -> sqlite_utils.Database:
    """A small db with the foundation's tables the coding code reads, stamped as a Samverkan KB db."""
    db = sqlite_utils.Database(path)
    mark_kb_database(db.conn)
    db["build_info"].insert({"key": "fixture", "value": "tests/coding"}, pk="key")
    db["sources"].insert({"id": "test", "kind": "test", "title": "Testfixtur"}, pk="id")
    db["departments"].insert_all(
        [
            {"id": "miljokontoret", "name": "Miljökontoret"},
            {"id": "tekniska-forvaltningen", "name": "Tekniska förvaltningen"},
        ],
        pk="id",
    )
    db["development_areas"].insert_all(
        [{"id": "lokaler", "name": "Lokaler", "text": "…"}, {"id": "en-vag-in", "name": "En väg in", "text": "…"}],
        pk="id",
    )
    db["rounds"].insert_all([{"round": 2022}, {"round": 2023}], pk="round")
    db["statements"].insert_all(
        [
            {
                "id": sid,
                "round": rnd,
                "kind": kind,
                "department_id": dept,
                "question_id": None,
                "text": text,
                "position": i,
                "source_id": "test",
            }
            for i, (sid, rnd, kind, dept, text) in enumerate(STATEMENTS)
        ],
        pk="id",
    )
    return db


@pytest.fixture
def db_path(tmp_path) -> Path:
    """Path of a fresh fixture db."""
    path = tmp_path / "samverkan.db"
    make_db(path)
    return path


@pytest.fixture
def db(db_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(db_path)


@pytest.fixture
def coded_db(db, nlp, codebook) -> sqlite_utils.Database:
    """The fixture db after `kb code`."""
    from kb.coding import code_database

    code_database(db)
    return db


@pytest.fixture
def decided_db(coded_db):
    """Coded, with four accepted proposals, a whole-statement human coding and a human span coding."""
    from kb.coding.store import ACCEPTED, add_human_coding, decide

    rows = list(coded_db.query("SELECT id FROM codings WHERE negated = 0 ORDER BY id"))
    for row in rows[:4]:
        decide(coded_db, row["id"], ACCEPTED, "anna")
    add_human_coding(coded_db, "s7", "gensvar", "anna")  # whole-statement coding
    add_human_coding(coded_db, "s5", "narhet", "bo", start=20, end=28, text="invånare")
    return coded_db


def other_tool_qdpx(tmp_path: Path, user: str) -> Path:
    """A minimal REFI-QDA project as another tool writes it: one coding of theme tid by `user` on s1."""
    from kb.coding.refiqda import guid

    sguid, cguid, uguid = guid("statement", "s1"), guid("theme", "tid"), "8B0A2F2E-0000-4000-8000-000000000001"
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x">
 <Users><User guid="{uguid}" name="{user}"/></Users>
 <Sources><TextSource guid="{sguid}" name="s1" plainTextPath="internal://{sguid}.txt">
  <PlainTextSelection guid="8B0A2F2E-0000-4000-8000-000000000002" startPosition="0" endPosition="3">
   <Coding guid="8B0A2F2E-0000-4000-8000-000000000003" creatingUser="{uguid}"><CodeRef targetGUID="{cguid}"/></Coding>
  </PlainTextSelection></TextSource></Sources></Project>"""
    path = tmp_path / "other.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr(f"sources/{sguid}.txt", "Tid. Det tar mycket tid att bygga relationer.")
    return path
