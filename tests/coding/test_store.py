"""code_database, the coding tables and views, and keeping human decisions across re-runs."""

from __future__ import annotations

import shutil

from kb.coding import code_database
from kb.coding.store import ACCEPTED, REJECTED, add_human_coding, decide, ensure_coding_schema, undo_last

VIEWS = {
    "theme_overview": ["kind", "theme_id", "label", "parent", "statements", "departments", "accepted", "proposed"],
    "statement_themes": [
        "statement_id", "text", "department_id", "theme_id", "status", "coder", "confidence", "confidence_level"
    ],
    "theme_cooccurrence": ["theme_a", "theme_b", "statements"],
    "theme_by_department": ["theme_id", "department_id", "department", "statements"],
}


def columns(db, name):
    return [r[1] for r in db.execute(f"PRAGMA table_info({name})")]


def test_code_database_codes_every_statement(coded_db, codebook):
    rows = list(coded_db.query("SELECT DISTINCT coder, status FROM codings"))
    assert rows == [{"coder": codebook.coder, "status": "forslag"}]
    got = {(r["statement_id"], r["theme_id"]) for r in coded_db.query("SELECT * FROM statement_themes")}
    assert {
        ("s1", "tid"),
        ("s2", "resurser"),
        ("s3", "kontaktytor"),
        ("s4", "kunskap"),
        ("s4", "kraft"),
        ("s5", "nar-ut"),
        ("s6", "finansiering"),
        ("s6", "tid"),
    } <= got
    assert not any(sid == "s7" for sid, _ in got)


def test_statement_themes_give_the_confidence_level(coded_db):
    """granskad once a human accepts; otherwise säker at or above TRUSTED, osäker below (the best coding counts)."""
    from kb.coding.store import TRUSTED

    where = "statement_id = 's1' AND theme_id = 'tid' AND negated = 0"
    ids = [r["id"] for r in coded_db.query(f"SELECT id FROM codings WHERE {where}")]
    assert ids
    coded_db.execute(f"UPDATE codings SET confidence = ? WHERE {where}", [TRUSTED - 0.01])
    [row] = coded_db.query("SELECT * FROM statement_themes WHERE statement_id = 's1' AND theme_id = 'tid'")
    assert (row["confidence"], row["confidence_level"]) == (TRUSTED - 0.01, "osäker")
    coded_db.execute("UPDATE codings SET confidence = ? WHERE id = ?", [TRUSTED, ids[0]])
    [row] = coded_db.query("SELECT * FROM statement_themes WHERE statement_id = 's1' AND theme_id = 'tid'")
    assert (row["confidence"], row["confidence_level"]) == (TRUSTED, "säker")
    decide(coded_db, ids[-1], ACCEPTED, "anna")
    [row] = coded_db.query("SELECT * FROM statement_themes WHERE statement_id = 's1' AND theme_id = 'tid'")
    assert row["confidence_level"] == "granskad"


def test_negated_codings_stored_but_not_counted(coded_db):
    [row] = coded_db.query("SELECT * FROM codings WHERE statement_id = 's2' AND theme_id = 'sekretess'")
    assert row["negated"] == 1
    assert not list(coded_db.query("SELECT * FROM statement_themes WHERE theme_id = 'sekretess'"))


def test_coding_columns(coded_db):
    for col in (
        "statement_id",
        "theme_id",
        "start",
        "end",
        "text",
        "rule",
        "layer",
        "confidence",
        "negated",
        "coder",
        "status",
        "decided_at",
    ):
        assert col in columns(coded_db, "codings")


def test_views_have_contract_columns(coded_db):
    for view, cols in VIEWS.items():
        assert columns(coded_db, view) == cols


def test_kind_restricts_in_db(coded_db):
    kinds = {
        (r["kind"], r["tkind"])
        for r in coded_db.query(
            "SELECT s.kind, t.kind AS tkind FROM codings c JOIN statements s ON s.id = c.statement_id "
            "JOIN themes t ON t.id = c.theme_id"
        )
    }
    assert kinds <= {("svarighet", "svarighet"), ("positivt", "positivt")}


def test_theme_matrix(coded_db, codebook):
    cols = columns(coded_db, "theme_matrix")
    assert cols[:4] == ["statement_id", "round", "kind", "department_id"]
    assert set(cols[4:]) == set(codebook.ids)
    rows = {r["statement_id"]: r for r in coded_db.query("SELECT * FROM theme_matrix")}
    assert len(rows) == 7 and rows["s1"]["tid"] == 1 and rows["s1"]["resurser"] == 0


def test_overview_cooccurrence_department(coded_db):
    over = {r["theme_id"]: r for r in coded_db.query("SELECT * FROM theme_overview")}
    assert over["tid"]["statements"] == 2 and over["tid"]["departments"] == 1 and over["tid"]["proposed"] == 2
    assert over["sekretess"]["statements"] == 0
    co = {(r["theme_a"], r["theme_b"]): r["statements"] for r in coded_db.query("SELECT * FROM theme_cooccurrence")}
    assert co[("finansiering", "tid")] == 1
    dep = {(r["theme_id"], r["department_id"]): r for r in coded_db.query("SELECT * FROM theme_by_department")}
    assert dep[("tid", "miljokontoret")]["statements"] == 2
    assert dep[("tid", "miljokontoret")]["department"] == "Miljökontoret"


def test_round_option(db):
    summary = code_database(db, round=2023)
    assert summary["statements"] == 2
    assert {r[0] for r in db.execute("SELECT DISTINCT statement_id FROM codings")} <= {"s6", "s7"}


def test_human_decisions_survive_reruns(coded_db):
    [tid] = coded_db.query(
        "SELECT id FROM codings WHERE statement_id = 's1' AND theme_id = 'tid' ORDER BY start LIMIT 1"
    )
    [kraft] = coded_db.query("SELECT id FROM codings WHERE statement_id = 's4' AND theme_id = 'kraft'")
    decide(coded_db, tid["id"], ACCEPTED, "anna")
    decide(coded_db, kraft["id"], REJECTED, "anna")
    added = add_human_coding(coded_db, "s7", "gensvar", "anna")
    before = {r["id"]: r for r in coded_db.query("SELECT * FROM codings WHERE status != 'forslag'")}
    code_database(coded_db)
    after = {r["id"]: r for r in coded_db.query("SELECT * FROM codings WHERE status != 'forslag'")}
    assert after == before and added in after
    # no duplicate proposal for a decided span
    n = coded_db.execute("SELECT COUNT(*) FROM codings WHERE statement_id = 's4' AND theme_id = 'kraft'").fetchone()[0]
    assert n == 1
    over = {r["theme_id"]: r for r in coded_db.query("SELECT * FROM theme_overview")}
    assert over["kraft"]["statements"] == 0 and over["gensvar"]["accepted"] == 1


def test_decisions_survive_codebook_change(coded_db, tmp_path, codebook):
    [row] = coded_db.query("SELECT id FROM codings WHERE statement_id = 's3' AND theme_id = 'kontaktytor' LIMIT 1")
    decide(coded_db, row["id"], ACCEPTED, "anna")
    changed = tmp_path / "codebook.yml"
    shutil.copy(codebook.source, changed)
    changed.write_text(changed.read_text(encoding="utf-8").replace('version: "', 'version: "ny-', 1), encoding="utf-8")
    summary = code_database(coded_db, codebook_path=changed)
    assert summary["coder"].startswith("regel:ny-")
    kept = coded_db["codings"].get(row["id"])
    assert kept["status"] == ACCEPTED and kept["coder"] == codebook.coder
    coders = {r[0] for r in coded_db.execute("SELECT DISTINCT coder FROM codings WHERE status = 'forslag'")}
    assert coders == {summary["coder"]}


def test_undo(coded_db):
    [row] = coded_db.query("SELECT id FROM codings WHERE statement_id = 's3' LIMIT 1")
    decide(coded_db, row["id"], REJECTED, "bo")
    assert undo_last(coded_db, "bo")["new_status"] == REJECTED
    assert coded_db["codings"].get(row["id"])["status"] == "forslag"
    assert undo_last(coded_db, "bo") is None


def test_ensure_schema_on_empty_db(tmp_path):
    import sqlite_utils

    db = ensure_coding_schema(sqlite_utils.Database(tmp_path / "tom.db"))
    assert "codings" in db.table_names() and "theme_matrix" in db.view_names()


def test_a_db_from_codebook_2024_2_is_migrated_and_its_codings_stay_readable(tmp_path, codebook):
    """A db made before 2026.1 has no model_score column: it is added, and old codings (coder regel:2024.2,
    theme ids of 2024.2) stay as they were and keep counting in the views."""
    import sqlite_utils

    from kb.coding.store import write_codebook
    from tests.coding.conftest import make_db

    db = make_db(tmp_path / "gammal.db")
    old_schema = _TABLES_2024_2.format(extra="")
    db.executescript(old_schema)
    db["codings"].insert({"id": "c1", "statement_id": "s1", "theme_id": "tid", "start": 0, "end": 3, "text": "Tid",
                          "rule": "term:tid", "layer": "surface", "confidence": 0.95, "negated": 0,
                          "coder": "regel:2024.2", "status": "accepterad", "decided_by": "anna",
                          "codebook_version": "2024.2"})
    write_codebook(db, codebook)
    assert "model_score" in db["codings"].columns_dict
    row = db["codings"].get("c1")
    assert row["coder"] == "regel:2024.2" and row["codebook_version"] == "2024.2" and row["model_score"] is None
    assert [r["theme_id"] for r in db.query("SELECT theme_id FROM coded_themes WHERE statement_id = 's1'")] == ["tid"]
    assert sqlite_utils.Database(tmp_path / "gammal.db")["themes"].count == len(codebook.themes) + len(codebook.parents)


_TABLES_2024_2 = """
CREATE TABLE codings (
    id TEXT PRIMARY KEY, statement_id TEXT NOT NULL, theme_id TEXT NOT NULL,
    start INTEGER, "end" INTEGER, text TEXT, rule TEXT, layer TEXT, confidence REAL,
    negated INTEGER NOT NULL DEFAULT 0, coder TEXT NOT NULL, status TEXT NOT NULL,
    decided_by TEXT, decided_at TEXT, created_at TEXT, codebook_version TEXT, note TEXT{extra}
);
"""
