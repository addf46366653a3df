import sqlite3

import pytest

import ingest.figures
import kb.pipeline
import kb.survey.build
from kb.core.db import open_db, table_contents
from kb.core.errors import InputErrors
from kb.core.paths import DEFAULT_DB
from kb.pipeline import build
from kb.survey.build import is_stale


def test_build_creates_every_contract_table_and_view(built_db):
    tables = set(built_db.table_names())
    for name in [
        "rounds",
        "departments",
        "categories",
        "forms",
        "goal_areas",
        "development_areas",
        "questions",
        "statements",
        "published_figures",
        "sources",
        "collaborations",
        "department_goal_areas",
        "funding",
        "staffed_share",
    ]:
        assert name in tables
    views = set(built_db.view_names())
    for name in [
        "table1_departments_per_category",
        "table2_forms_per_category",
        "table3_average_per_category",
        "table4_average_per_collaborating",
        "table5_reports_per_form",
        "table6_departments_per_goal_area",
        "table7_funding",
        "table8_staffed_share",
        "diagram1_department_overview",
    ]:
        assert name in views


def test_round_is_an_integer_everywhere(built_db):
    for table in built_db.table_names():
        columns = {c.name: c.type for c in built_db[table].columns}
        if "round" in columns:
            assert columns["round"] == "INTEGER", table
    assert built_db.execute("SELECT typeof(round) FROM published_figures LIMIT 1").fetchone() == ("integer",)


def test_foreign_keys_hold(built_db):
    assert built_db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_two_builds_are_identical(tmp_path):
    build(tmp_path / "a.db")
    build(tmp_path / "b.db")
    assert table_contents(open_db(tmp_path / "a.db")) == table_contents(open_db(tmp_path / "b.db"))
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes()  # no clock in the build


def test_failed_build_leaves_the_old_db_untouched(tmp_path, monkeypatch):
    path = tmp_path / "samverkan.db"
    build(path)
    before = path.read_bytes()
    broken = tmp_path / "report"
    broken.mkdir()
    for source in ingest.figures.REPORT_DIR.iterdir():
        (broken / source.name).write_bytes(source.read_bytes())
    table3 = broken / "table3.csv"
    table3.write_text(table3.read_text(encoding="utf-8").replace('"5,8"', "fem"), encoding="utf-8")
    monkeypatch.setattr(ingest.figures, "REPORT_DIR", broken)
    monkeypatch.setattr(
        kb.survey.build, "load_published_figures", lambda ref: ingest.figures.load_published_figures(ref, broken)
    )
    with pytest.raises(InputErrors) as caught:
        build(path)
    message = str(caught.value)
    assert "table3.csv" in message and "rad 2" in message and "average_all" in message
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".samverkan.db.*"))


def test_failure_while_writing_leaves_the_old_db_untouched(tmp_path, monkeypatch):
    path = tmp_path / "samverkan.db"
    build(path)
    before = path.read_bytes()

    def explode(db, inputs):
        raise sqlite3.IntegrityError("boom")

    monkeypatch.setattr(kb.pipeline, "STAGE_WRITERS", (explode, *kb.pipeline.STAGE_WRITERS[1:]))
    with pytest.raises(sqlite3.IntegrityError):
        build(path)
    assert path.read_bytes() == before


def test_committed_db_equals_a_fresh_build(built_db_path):
    assert DEFAULT_DB.exists(), "data/samverkan.db is missing: run `kb build` and commit it"
    committed = table_contents(open_db(DEFAULT_DB))
    fresh = table_contents(open_db(built_db_path))
    assert sorted(committed) == sorted(fresh)
    for table in fresh:
        assert committed[table] == fresh[table], f"data/samverkan.db is stale in table {table}: run `kb build`"
    assert not is_stale(DEFAULT_DB)


def test_no_stored_value_depends_on_where_the_repository_lives(built_db):
    from kb.core.paths import ROOT

    for table in built_db.table_names():
        for column in built_db[table].columns:
            hits = built_db.execute(
                f"SELECT COUNT(*) FROM [{table}] WHERE CAST([{column.name}] AS TEXT) LIKE ?", [f"%{ROOT}%"]
            ).fetchone()[0]
            assert hits == 0, (table, column.name)
