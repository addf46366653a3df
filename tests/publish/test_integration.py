"""Canned queries on the integrated 2022 data: response rows (reconstruction), coding and graph tables.

Every table these queries read is written by `kb build`; a missing one fails the test.
"""

from __future__ import annotations

import pytest
import sqlite_utils

from kb.publish.serve import load_metadata

QUERY_TABLES = {"luckor": "gaps", "punkter_per_tema": "statement_themes"}
EMPTY_PARAMS = "omgang=&status=&kategori=&delmalomrade=&tema="


@pytest.fixture(scope="module")
def names(publish_db_path) -> set[str]:
    db = sqlite_utils.Database(publish_db_path)
    return set(db.table_names()) | set(db.view_names())


@pytest.fixture(scope="module")
def has_responses(publish_db_path) -> None:
    assert sqlite_utils.Database(publish_db_path)["responses"].count, "the build has no response rows"


def rows(ds, get, query: str, params: str = EMPTY_PARAMS) -> list[dict]:
    response = get(ds, f"/samverkan/{query}.json?_shape=array&{params}")
    assert response.status_code == 200, response.text[:300]
    return response.json()


@pytest.mark.parametrize("query", sorted(load_metadata()["databases"]["samverkan"]["queries"]))
def test_every_canned_query_returns_rows(ds, get, names, has_responses, query):
    table = QUERY_TABLES.get(query)
    assert table is None or table in names, f"table {table} is not built"
    assert rows(ds, get, query)


def test_table_1_equals_the_report(ds, get, has_responses):
    table = rows(ds, get, "tabell_1", "omgang=2022")
    assert len(table) == 15
    assert [(r["kategori"], r["beräknat"]) for r in table][:2] == [("Ekonomisk förening", 9), ("Kulturförening", 8)]
    assert all(str(r["beräknat"]) == r["publicerat"] and r["jämförelse"] == "stämmer" for r in table)


@pytest.mark.parametrize(
    "query,count",
    [("tabell_2", 15), ("tabell_3", 15), ("tabell_4", 15), ("tabell_6", 17), ("tabell_7", 10), ("tabell_8", 9)],
)
def test_recomputed_tables_agree_with_the_report(ds, get, has_responses, query, count):
    table = rows(ds, get, query, "omgang=2022")
    assert len(table) == count
    assert {r["jämförelse"] for r in table} == {"stämmer"}


def test_table_5_differs_only_where_verify_knows_why(ds, get, publish_db_path, has_responses):
    differing = [r for r in rows(ds, get, "tabell_5", "omgang=2022") if r["jämförelse"] != "stämmer"]
    db = sqlite_utils.Database(publish_db_path)
    known = db.execute(
        "SELECT COUNT(*) FROM verify_findings WHERE check_id = 'responses_table5' AND status = 'kand'"
    ).fetchone()[0]
    assert len(differing) == known
    assert db.execute("SELECT COUNT(*) FROM verify_findings WHERE status = 'avvikelse'").fetchone()[0] == 0


def test_view_filter_on_the_built_data(ds, get, has_responses):
    response = get(ds, "/samverkan/table1_departments_per_category.json?round=2022&_shape=array")
    assert len(response.json()) == 15


def test_gaps_filter_by_category_and_goal_area(ds, get, names, has_responses):
    assert "gaps" in names
    every = rows(ds, get, "luckor")
    category = next(r["kategori"] for r in every if r["kategori"])
    filtered = rows(ds, get, "luckor", f"kategori={category}&delmalomrade=")
    assert filtered and all(r["kategori"] == category for r in filtered)


def test_statements_of_a_theme(ds, get, publish_db_path, names):
    assert "statement_themes" in names
    theme = sqlite_utils.Database(publish_db_path).execute("SELECT theme_id FROM statement_themes LIMIT 1").fetchone()
    assert theme is not None, "no statement is coded"
    found = rows(ds, get, "punkter_per_tema", f"tema={theme[0]}")
    assert found and len({r["tema"] for r in found}) == 1


def test_gaps_are_grouped_by_type_then_ranked(ds, get, has_responses):
    every = rows(ds, get, "luckor")
    keys = [(r["omgång"], r["slag"]) for r in every]
    groups = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
    assert len(groups) == len(set(groups)), "types are interleaved"
    for group in set(groups):
        ranks = [r["rang"] for r in every if (r["omgång"], r["slag"]) == group]
        assert ranks == sorted(ranks, key=int)


def test_table_7_hides_its_ordering_column(ds, get, has_responses):
    table = rows(ds, get, "tabell_7", "omgang=2022")
    assert "ordning" not in table[0]
    assert list(table[0]) == ["omgång", "förvaltning", "kronor, beräknat", "status", "publicerat", "jämförelse"]
    assert table[-1]["förvaltning"] == "Kommuntotal"


@pytest.mark.parametrize("label,status", [("känd", "kand"), ("känd inkonsekvens", "kand"), ("stämmer", "ok")])
def test_verify_findings_accept_the_status_label(ds, get, label, status):
    by_label = rows(ds, get, "kontroller", f"status={label}")
    by_id = rows(ds, get, "kontroller", f"status={status}")
    assert by_label and by_label == by_id


def test_statements_of_a_theme_show_swedish_status_words(ds, get, names):
    statuses = {r["kodning"] for r in rows(ds, get, "punkter_per_tema")}
    assert statuses and statuses <= {"förslag", "accepterad", "avvisad"}
