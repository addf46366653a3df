"""The forum overview ("Karta över befintliga samverkansforum"): filters, source age, agreements, how to add."""

from __future__ import annotations

import re

import pytest

from ingest.agreements import AGREEMENTS_FILE, load_agreements
from ingest.forums import FORUMS_FILE, load_forums

SEED = load_forums(FORUMS_FILE)


def shown(text: str) -> list[str]:
    return re.findall(r'<h2 class="kb-card-title"><a href="/samverkan/forums/([^"]+)"', text)


def test_without_filters_every_forum_is_shown_in_registry_order(ds, get):
    assert shown(get(ds, "/forum").text) == [r["id"] for r in SEED]


@pytest.mark.parametrize(
    ("parameter", "kind"),
    [("kategori", "categories"), ("forvaltning", "departments"), ("delmal", "goal_areas"), ("form", "forms")],
)
def test_each_filter_shows_exactly_the_forums_linked_to_it(ds, get, parameter, kind):
    targets = sorted({t for r in SEED for t in r["links"][kind]})
    assert targets, kind
    for target in targets[:4]:
        expected = [r["id"] for r in SEED if target in r["links"][kind]
                    or (kind == "departments" and r.get("organiser_department_id") == target)]
        assert shown(get(ds, f"/forum?{parameter}={target}").text) == expected, target


def test_district_filter_uses_the_districts_the_source_names(ds, get):
    text = get(ds, "/forum?stadsdel=Vivalla").text
    assert shown(text) == [r["id"] for r in SEED if "Vivalla" in r["districts"]] == ["partnerskap-orebro"]
    assert '<option value="Vivalla" selected>' in text


def test_each_forum_shows_the_age_of_its_source(ds, get):
    text = get(ds, "/forum").text
    dated = [r for r in SEED if r["source_date"]]
    undated = [r for r in SEED if r["source_undated"]]
    assert dated and undated
    assert text.count("uppgift från ") >= len(dated)
    assert text.count("odaterad källa") >= len(undated)
    assert f"uppgift från {dated[0]['source_date'][:4]}" in text


def test_agreements_are_listed_and_filtered_by_category(ds, get):
    agreements = load_agreements(AGREEMENTS_FILE)
    text = get(ds, "/forum").text
    for a in agreements:
        assert f'/samverkan/agreements/{a["id"]}"' in text
    category = agreements[-1]["links"]["categories"][0]
    text = get(ds, f"/forum?kategori={category}").text
    expected = [a["id"] for a in agreements if category in a["links"]["categories"]]
    assert re.findall(r'<h3><a href="/samverkan/agreements/([^"]+)"', text) == expected


def test_no_match_and_no_coordinates_are_said_plainly(ds, get):
    text = get(ds, "/forum?kategori=finns-inte").text
    assert "Inget forum matchar valet." in text and "Ingen överenskommelse matchar valet." in text
    if not any(r["latitude"] for r in SEED):
        assert "Inget forum i registret har koordinater" in text and 'href="/natverk"' in text


def test_the_page_tells_a_coordinator_how_to_add_a_forum(ds, get):
    text = get(ds, "/forum").text
    assert "kb template forums" in text and "kb ingest forums" in text
