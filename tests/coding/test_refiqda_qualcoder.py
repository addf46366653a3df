"""The .qdpx as QualCoder's importer reads it: cases reach their answers, variables, Swedish memos.

The reader (tests/coding/qualcoder_reader.py) follows QualCoder's RefiImport step by step. Checked on the
hand-made coded fixture, on the committed db (default export and --include-proposed) and on a db with a
second round ingested from a synthetic Forms export.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
import sqlite_utils
from lxml import etree

from kb.coding.refiqda import export_qdpx
from kb.coding.store import REJECTED, decide, ensure_coding_schema
from kb.core.paths import DEFAULT_DB
from tests.coding.conftest import XSD_DIR
from tests.coding.qualcoder_reader import read_qdpx
from tests.second_round import make_two_round_db


def expected_cases(db: sqlite_utils.Database) -> dict[tuple, set[str]]:
    """(department_id, round) -> the statement ids QualCoder should show under that case."""
    cases = defaultdict(set)
    for row in db.query("SELECT id, department_id, round FROM statements"):
        cases[(row["department_id"], row["round"])].add(row["id"])
    return cases


def check_like_qualcoder(db: sqlite_utils.Database, path: Path, include_proposed: bool) -> dict:
    """Every property the issue asks of an import in QualCoder; returns the export's counts."""
    counts = export_qdpx(db, path, include_proposed=include_proposed)
    with zipfile.ZipFile(path) as archive:
        doc = etree.fromstring(archive.read("project.qde"))
    etree.XMLSchema(etree.parse(str(XSD_DIR / "Project.xsd"))).assertValid(doc)
    project = read_qdpx(path)

    # each department (case) reaches exactly its answers
    names = {s["id"]: s["name"] for s in project.sources}
    reached = {c["name"]: {names[t["fid"]] for t in project.case_text if t["caseid"] == c["caseid"]}
               for c in project.cases}
    departments = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM departments")}
    expected = {f"{departments.get(d) or 'okänd förvaltning'} {r}": ids for (d, r), ids in expected_cases(db).items()}
    assert reached == expected
    assert all(t["pos0"] == 0 and t["pos1"] == len(project.sources[t["fid"] - 1]["fulltext"])
               for t in project.case_text)

    # variables: never both case and file; every value present
    case_vars = {a["name"] for a in project.attributes if a["attr_type"] == "case"}
    file_vars = {a["name"] for a in project.attributes if a["attr_type"] == "file"}
    assert not case_vars & file_vars
    assert all(project.variable(n)["caseOrFile"] == "file" for n in file_vars)
    assert all(a["value"] not in (None, "") and a["name"] for a in project.attributes)
    assert {v["name"] for v in project.variables} == case_vars | file_vars  # no variable without values
    assert "typ" in file_vars and "omgång" in case_vars

    # the codebook: themes only (case codes gone), no name merged, every coding reaches a code
    assert not project.merged_code_names
    assert {c["guid"] for c in project.codes}.isdisjoint({c["guid"] for c in project.cases})
    assert all(t["cid"] is not None for t in project.code_text)
    where = "negated = 0" + ("" if include_proposed else " AND status = 'accepterad'")
    rows = list(db.query(f"SELECT * FROM codings WHERE {where}"))
    rejected = [r for r in rows if r["status"] == REJECTED]
    assert len(project.code_text) == len(rows) - len(rejected) == counts["codings"] - len(rejected)
    assert len(project.annotations) == len(rejected)

    # memos are Swedish text, not our metadata
    for memo in [t["memo"] for t in project.code_text] + [a["memo"] for a in project.annotations]:
        assert "Status:" in memo and "Säkerhet:" in memo
        assert not memo.lstrip().startswith("{") and '"theme_id"' not in memo
    for case in project.cases:
        assert case["memo"].startswith("Fritextsvar från")
    assert not project.journals  # the machine-readable Note is no journal
    return counts


def test_fixture_with_every_kind_of_coding(decided_db, tmp_path):
    proposal = next(decided_db.query("SELECT id FROM codings WHERE status = 'forslag' AND negated = 0 LIMIT 1"))
    decide(decided_db, proposal["id"], REJECTED, "bo")
    check_like_qualcoder(decided_db, tmp_path / "a.qdpx", include_proposed=False)
    counts = check_like_qualcoder(decided_db, tmp_path / "b.qdpx", include_proposed=True)
    assert counts["cases"] == 4  # miljökontoret and tekniska 2022, miljökontoret and unknown 2023
    project = read_qdpx(tmp_path / "b.qdpx")
    memos = [t["memo"] for t in project.code_text]
    assert any(m.startswith("Föreslagen av regelkodaren") and "Status: förslag" in m for m in memos)
    assert any("Kodad för hand av bo." in m and "Belägg i texten: ”invånare”" in m for m in memos)
    assert any("Gäller hela svaret." in m for m in memos)
    [annotation] = project.annotations
    assert annotation["memo"].startswith("Avvisat förslag om temat") and "avvisad av bo" in annotation["memo"]
    unknown = next(c for c in project.cases if c["name"] == "okänd förvaltning 2023")
    values = {a["name"]: a["value"] for a in project.attributes if a["attr_type"] == "case"
              and a["id"] == unknown["caseid"]}
    assert values == {"omgång": "2023"}  # no empty förvaltning


@pytest.fixture
def committed_db(tmp_path):
    path = tmp_path / "samverkan.db"
    shutil.copyfile(DEFAULT_DB, path)
    db = sqlite_utils.Database(path)
    ensure_coding_schema(db)
    return db


def test_committed_db_default_and_with_proposals(committed_db, tmp_path):
    default = check_like_qualcoder(committed_db, tmp_path / "default.qdpx", include_proposed=False)
    accepted = committed_db.execute("SELECT COUNT(*) FROM codings WHERE status = 'accepterad'").fetchone()[0]
    assert default["codings"] == accepted
    everything = check_like_qualcoder(committed_db, tmp_path / "all.qdpx", include_proposed=True)
    assert everything["codings"] == committed_db.execute(
        "SELECT COUNT(*) FROM codings WHERE negated = 0").fetchone()[0] > 0
    assert everything["statements"] == committed_db["statements"].count


def test_a_second_round_gets_its_own_cases(tmp_path):
    db = sqlite_utils.Database(make_two_round_db(tmp_path))
    ensure_coding_schema(db)
    check_like_qualcoder(db, tmp_path / "two.qdpx", include_proposed=True)
    project = read_qdpx(tmp_path / "two.qdpx")
    names = {c["name"] for c in project.cases}
    assert {"Miljökontoret 2024", "Kultur- och fritidsförvaltningen 2024"} <= names
    mk = next(c for c in project.cases if c["name"] == "Miljökontoret 2024")
    values = {a["name"]: a["value"] for a in project.attributes if a["attr_type"] == "case" and a["id"] == mk["caseid"]}
    assert values == {"omgång": "2024", "förvaltning": "Miljökontoret"}


def test_machine_fields_are_in_one_note(decided_db, tmp_path):
    path = tmp_path / "p.qdpx"
    export_qdpx(decided_db, path, include_proposed=True)
    with zipfile.ZipFile(path) as archive:
        doc = etree.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    [note] = doc.xpath("/q:Project/q:Notes/q:Note", namespaces=ns)
    assert note.get("creationDateTime")
    fields = json.loads(note.xpath("q:PlainTextContent", namespaces=ns)[0].text)
    selections = doc.xpath("//q:PlainTextSelection[q:Coding/q:CodeRef[not(@targetGUID = //q:Case/@guid)]]"
                           " | //q:PlainTextSelection[not(q:Coding)]", namespaces=ns)
    assert {s.get("guid") for s in selections} == set(fields)
    assert all({"status", "rule", "layer", "confidence", "coder"} <= set(v) for v in fields.values())
