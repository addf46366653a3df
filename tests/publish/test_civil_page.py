"""The page "Två perspektiv" and its canned queries, without and with organisation answers (issue 12)."""

from __future__ import annotations

import html
import re

import pytest

from kb.publish.serve import make_datasette

QUERIES = ("tva_perspektiv_luckor", "tva_perspektiv_samstammighet", "tva_perspektiv_teman")


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


@pytest.fixture(scope="module")
def civil_ds(civil_db_path):
    return make_datasette(civil_db_path)


def test_without_civil_answers_the_page_says_so_and_links_the_template(ds, get):
    response = get(ds, "/tva-perspektiv")
    assert response.status_code == 200
    assert "Kunskapsbasen har inga svar från civilsamhället ännu" in text_of(response)
    assert 'href="/static/mall-civilsamhalle.xlsx"' in response.text
    assert get(ds, "/static/mall-civilsamhalle.xlsx").status_code == 200
    assert "Största skillnaderna" not in text_of(response)


def test_the_page_is_in_the_menu(ds, get):
    assert 'href="/tva-perspektiv"' in get(ds, "/").text


@pytest.mark.parametrize("query", QUERIES)
def test_without_civil_answers_each_query_explains_itself(ds, get, query):
    rows = get(ds, f"/samverkan/{query}.json?_shape=array&omgang=&kategori=").json()
    assert len(rows) == 1 and "inga svar från civilsamhället" in list(rows[0].values())[-1]


def test_with_answers_the_page_shows_agreement_mismatches_and_themes_with_both_sides_labelled(civil_ds, get):
    text = text_of(get(civil_ds, "/tva-perspektiv"))
    assert "inga svar från civilsamhället" not in text
    assert "Civilsamhällets svar 2024: 9 organisationer (10 svar" in text
    assert "Rekonstruerade svar" in text  # the department side of 2022 is a reconstruction
    for heading in ("Samstämmighet per kategori", "Största skillnaderna", "Teman i fritexten sida vid sida"):
        assert heading in text
    assert text.lower().count("förvaltningarnas sida") >= 3 and text.lower().count("civilsamhällets sida") >= 3
    assert "Idrottsförening 6" in text and "0 av 6" in text


@pytest.mark.parametrize("query", QUERIES)
def test_with_answers_every_query_labels_both_sides(civil_ds, get, query):
    rows = get(civil_ds, f"/samverkan/{query}.json?_shape=array&omgang=2024&kategori=").json()
    assert rows and all(r["omgång (civilsamhället)"] == 2024 for r in rows)
    columns = " ".join(rows[0])
    assert "förvaltningarnas sida" in columns and "civilsamhällets sida" in columns


def test_mismatch_query_filters_on_category(civil_ds, get):
    rows = get(civil_ds, "/samverkan/tva_perspektiv_luckor.json?_shape=array&omgang=&kategori=Studieförbund").json()
    assert rows and {r["kategori"] for r in rows} == {"Studieförbund"}


def test_small_categories_are_not_shown_one_by_one_on_the_site(civil_ds, get):
    rows = get(civil_ds, "/samverkan/civil_answers.json?_shape=array&_size=max").json()
    assert rows and {r["category_id"] for r in rows} == {"idrottsforening"}
