"""Small-number protection: a category with fewer than 5 answering organisations is shown only in aggregates."""

from __future__ import annotations

import pytest

from ingest.civil_exports import StoredCivilExport
from ingest.civil_forms import parse_civil_export
from kb.core.db import open_db
from kb.survey.civil import MIN_SHOWN, civil_rows

from .civil_helpers import civil_headings, civil_options, org_answer
from .conftest import write_csv


@pytest.fixture(scope="module")
def options():
    return civil_options()


def rows_for(tmp_path, options, answers: list[dict]) -> dict[str, list[dict]]:
    path = write_csv(tmp_path / "e.csv", civil_headings(options), answers)
    export = parse_civil_export(path, options, 2024)
    stored = StoredCivilExport(2024, {"source_id": "enkat-civilsamhalle-2024", "file": "e.csv"}, export)
    return civil_rows(stored, options)


def test_the_threshold_is_five_organisations(tmp_path, options):
    assert MIN_SHOWN == 5
    answers = [org_answer(f"Idrott {i}", "Idrottsförening") for i in range(5)]
    answers += [org_answer(f"Kultur {i}", "Kulturförening") for i in range(4)]
    rows = rows_for(tmp_path, options, answers)
    shown = {r["category_id"]: r["shown"] for r in rows["civil_categories"]}
    assert shown == {"idrottsforening": 1, "kulturforening": 0}
    assert {r["category_id"] for r in rows["civil_answers"]} == {"idrottsforening"}
    assert len(rows["civil_answers"]) == 5
    answer_ids = {r["id"] for r in rows["civil_answers"]}
    assert {r["answer_id"] for r in rows["civil_answer_collaborations"]} <= answer_ids
    # the small category is still in every aggregate
    edges = {(r["category_id"], r["organisations"]) for r in rows["civil_edges"]}
    assert ("kulturforening", 4) in edges and ("idrottsforening", 5) in edges


def test_five_answers_from_fewer_organisations_are_not_shown(tmp_path, options):
    answers = [org_answer("Samma förening", "Idrottsförening") for _ in range(3)]
    answers += [org_answer("Annan förening", "Idrottsförening") for _ in range(2)]
    rows = rows_for(tmp_path, options, answers)
    assert rows["civil_categories"] == [{"round": 2024, "source_id": "enkat-civilsamhalle-2024",
                                         "category_id": "idrottsforening", "organisations": 2, "answers": 5,
                                         "shown": 0}]
    assert rows["civil_answers"] == [] and rows["civil_answer_choices"] == []


def test_free_text_of_a_small_category_does_not_name_it(tmp_path, options):
    answers = [org_answer(f"Idrott {i}", "Idrottsförening") for i in range(5)] + [org_answer("K", "Kulturförening")]
    rows = rows_for(tmp_path, options, answers)
    categories = [r["category_id"] for r in rows["civil_statements"]]
    assert categories.count("idrottsforening") == 10 and categories.count(None) == 2


def test_published_db_of_the_synthetic_export(civil_db_path):
    db = open_db(civil_db_path)
    shown = dict(db.execute("SELECT category_id, shown FROM civil_categories"))
    assert shown == {"idrottsforening": 1, "pensionarsforening": 0, "studieforbund": 0}
    assert {r[0] for r in db.execute("SELECT DISTINCT category_id FROM civil_answers")} == {"idrottsforening"}
    names = {r[0] for r in db.execute("SELECT organisation FROM civil_answers")}
    assert not any("pensionär" in (n or "").lower() for n in names)
    assert db.execute("SELECT SUM(organisations) FROM civil_categories").fetchone() == (9,)
    small = db.execute("SELECT organisations FROM civil_edges WHERE category_id = 'pensionarsforening'")
    assert small.fetchall() == [(2,)]
