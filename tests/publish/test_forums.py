"""The forum registry: loader validation, the seed file, writing to the db, the template."""

from __future__ import annotations

import pytest

from ingest.forums import FORUMS_FILE, load_forums
from kb.core.errors import InputErrors
from kb.publish.forums import write_forums, write_template

from .conftest import FIXTURES


def errors_of(path) -> list:
    with pytest.raises(InputErrors) as info:
        load_forums(path)
    return info.value.errors


def test_bad_file_reports_every_problem_with_file_row_and_field():
    errors = errors_of(FIXTURES / "forums_bad.yml")
    found: dict = {}
    for e in errors:
        found[(e.row, e.column)] = found.get((e.row, e.column), "") + e.message + "\n"
    assert all(e.file.endswith("forums_bad.yml") for e in errors)
    assert "okänd kategori 'Kulturföreningar'" in found[(1, "categories")]
    assert "menade du 'Kulturförening'" in found[(1, "categories")]
    assert "utanför ±90" in found[(1, "latitude")]
    assert found[(6, "name")] == "obligatoriskt fält saknas\n"
    assert "både latitude och longitude" in found[(8, "latitude")]
    assert "e-postadress" in found[(11, "contact_role")]
    assert "okänd förvaltning" in found[(11, "organiser_department")]
    assert "delmålområde 'Klimatet'" in found[(11, "goal_areas")]  # okänt (the wording follows ingest.reference)
    assert found[(11, "colour")] == "okänt fält\n"
    messages = [str(e) for e in errors]
    assert any(m.startswith(str(FIXTURES / "forums_bad.yml") + ", rad 11, kolumn 'forms'") for m in messages)


def test_coordinates_accept_a_decimal_comma_and_links_resolve_aliases():
    records = {r["id"]: r for r in load_forums(FIXTURES / "forums_with_coordinates.yml")}
    vivalla = records["testnatverk-i-vivalla"]
    assert (vivalla["latitude"], vivalla["longitude"]) == (59.2906, 15.164)
    assert vivalla["links"]["departments"] == ["forvaltningen-for-utbildning-forsorjning-och-arbete"]
    assert vivalla["source_id"] == "forumregister"


def test_phone_numbers_are_refused(tmp_path):
    path = tmp_path / "forums.yml"
    text = "- name: Rådet\n  kind: råd\n  url: https://example.org/r\n  contact_role: ring 019-21 10 00\n"
    path.write_text(text, encoding="utf-8")
    assert "telefonnummer" in errors_of(path)[0].message


def test_seed_names_the_forums_of_the_report_with_their_source():
    records = {r["name"]: r for r in load_forums(FORUMS_FILE)}
    for name in ("Samverkansrådet", "C-nätverket", "Partnerskap Örebro"):
        assert records[name]["source_id"] == "rapport-2022"
        assert records[name]["report_says"]
        assert records[name]["web_source"].startswith("https://www.orebro.se/")
    assert len(records["C-nätverket"]["links"]["departments"]) == 9
    assert all(r["latitude"] is None for r in records.values())  # no coordinate is known: none is invented


def test_write_forums_replaces_the_registry(built_db):
    records = load_forums(FIXTURES / "forums_with_coordinates.yml")
    assert write_forums(built_db, records)["forums"] == 2
    seed = load_forums(FORUMS_FILE)
    counts = write_forums(built_db, seed)
    assert built_db["forums"].count == counts["forums"] == len(seed) >= 15
    departments = sum(len(r["links"]["departments"]) for r in seed)
    assert built_db["forum_departments"].count == counts["forum_departments"] == departments
    assert built_db.execute("SELECT kind FROM sources WHERE id = 'forumregister'").fetchone() == ("registerfil",)
    assert not built_db.execute("PRAGMA foreign_key_check").fetchall()


def test_template_documents_the_format_and_loads_as_empty(tmp_path):
    path = tmp_path / "mall.yml"
    write_template(path)
    text = path.read_text(encoding="utf-8")
    for key in ("name", "kind", "latitude", "contact_role", "web_source", "goal_areas"):
        assert f"#   {key}" in text or f"# {key}" in text or f"#   {key}," in text
    assert load_forums(path) == []


@pytest.mark.parametrize("key", ["name", "kind"])
@pytest.mark.parametrize("value", ['""', "", "'  '"])
def test_an_empty_required_field_is_reported_with_file_and_row(tmp_path, key, value):
    path = tmp_path / "forums.yml"
    item = {"name": "Rådet", "kind": "råd"} | {key: value}
    path.write_text(
        "- name: Nätverket\n  kind: nätverk\n  url: https://example.org/n\n"
        + f"- name: {item['name']}\n  kind: {item['kind']}\n  url: https://example.org/r\n", encoding="utf-8"
    )
    (error,) = errors_of(path)
    assert (error.row, error.column, error.message) == (4, key, "obligatoriskt fält är tomt")
    assert str(error).startswith(f"{path}, rad 4, kolumn '{key}'")


def test_a_key_given_twice_in_one_forum_is_reported(tmp_path):
    path = tmp_path / "forums.yml"
    path.write_text(
        "- name: Nätverket\n  kind: nätverk\n- name: Rådet\n  kind: råd\n  purpose: Ett\n  purpose: Två\n",
        encoding="utf-8",
    )
    errors = errors_of(path)
    assert [(e.row, e.column) for e in errors] == [(3, "purpose")]
    assert "två gånger" in errors[0].message and "rad 5 och 6" in errors[0].message
    assert errors[0].file == str(path)


def test_seed_forums_from_web_pages_cite_a_dated_or_undated_page_and_mark_their_links():
    records = load_forums(FORUMS_FILE)
    sourced = [r for r in records if r["source_id"] == "forumregister"]
    assert len(records) >= 15 and len(sourced) >= 11
    for r in sourced:
        assert r["web_source"] and r["web_source"].startswith(("https://", "http://")), r["name"]
        assert bool(r["source_date"]) != r["source_undated"], r["name"]  # a date, or a note that there is none
        assert r["status"] in ("aktiv", "engångs", "avslutad", "okänd"), r["name"]
        linked = sum(len(ids) for ids in r["links"].values())
        assert len(r["link_notes"]) == linked, r["name"]  # every link says whether it is the source's or ours


NEW_FIELDS_BAD = """\
- name: Rådet
  kind: råd
  status: aktiv
- name: Fel årtal
  kind: råd
  years: [2019, "tjugotjugo", 1650]
- name: Årtal som text
  kind: råd
  years: 2020
- name: Fel datum
  kind: nätverk
  source_date: 2023-02-30
- name: Datum och odaterad
  kind: nätverk
  source_date: "2023"
  source_undated: true
- name: Odaterad som text
  kind: nätverk
  source_undated: ja
- name: Fel länkanteckning
  kind: forum
  categories: [Kulturförening]
  link_notes:
    Kulturförening: kanske
    Idrottsförening: källan
- name: Fel status
  kind: forum
  status: pågående
- name: Fel adress
  kind: forum
  url: ftp://example.se/forum
"""


def test_new_fields_are_validated_with_file_line_and_field(tmp_path):
    path = tmp_path / "forums.yml"
    path.write_text(NEW_FIELDS_BAD, encoding="utf-8")
    errors = errors_of(path)
    found: dict = {}
    for e in errors:
        found.setdefault((e.row, e.column), []).append(e.message)
    assert all(e.file == str(path) for e in errors)
    assert (1, "status") not in found  # the new status values are valid
    assert any("'tjugotjugo'" in m for m in found[(4, "years")])
    assert any("1650 ligger utanför" in m for m in found[(4, "years")])
    assert "ska vara en lista med årtal" in found[(7, "years")][0]
    assert "ÅÅÅÅ-MM-DD eller ÅÅÅÅ" in found[(10, "source_date")][0]
    assert "source_undated är true" in found[(13, "source_date")][0]
    assert "true eller false" in found[(17, "source_undated")][0]
    assert any("'kanske'" in m and "källan, egen tolkning" in m for m in found[(20, "link_notes")])
    assert any("'Idrottsförening' är inte en av postens länkar" in m for m in found[(20, "link_notes")])
    assert "okänt värde 'pågående'" in found[(26, "status")][0]
    assert "http/https" in found[(29, "url")][0]
    assert str(errors[0]).startswith(f"{path}, rad ")


def test_new_fields_load_when_valid(tmp_path):
    path = tmp_path / "forums.yml"
    path.write_text(
        "- name: Rådet\n  kind: råd\n  url: https://example.org/r\n  status: engångs\n  years: [2024, 2019, 2024]\n"
        "  source_date: 2023-12-14\n  forms: [Dialog (enstaka)]\n"
        "  link_notes:\n    Dialog (enstaka tillfälle): källan\n"
        "- name: Nätverket\n  kind: nätverk\n  url: https://example.org/n\n  source_undated: true\n  source_date: ''\n",
        encoding="utf-8",
    )
    first, second = load_forums(path)
    assert first["years"] == [2019, 2024]
    assert (first["source_date"], first["source_undated"]) == ("2023-12-14", False)
    assert first["link_notes"] == {"Dialog (enstaka tillfälle)": "källan"}  # an alias resolves to the name
    assert (second["source_date"], second["source_undated"], second["years"]) == (None, True, [])


def test_a_forum_without_any_source_is_refused_with_file_row_and_field(tmp_path):
    path = tmp_path / "forums.yml"
    path.write_text("- name: Källt\n  kind: råd\n  url: https://example.org/k\n- name: Okällt\n  kind: råd\n",
                    encoding="utf-8")
    (error,) = errors_of(path)
    assert (error.file, error.row, error.column) == (str(path), 4, "url")
    assert "saknar källa" in error.message
