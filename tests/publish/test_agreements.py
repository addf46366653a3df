"""The agreements file: loader validation (file, line and field in every error) and the seeded agreements."""

from __future__ import annotations

import pytest

from ingest.agreements import AGREEMENTS_FILE, load_agreements
from kb.core.errors import InputErrors


def errors_of(path) -> list:
    with pytest.raises(InputErrors) as info:
        load_agreements(path)
    return info.value.errors


BAD = """\
- name: Utan adress
  kind: iop
  categories: [Idéburen förening]
- name: Fel adress
  kind: avtal
  url: www.orebro.se/avtal
- name: Okända länkar
  kind: överenskommelse
  url: https://www.orebro.se/a
  categories: [Kulturföreningar]
  goal_areas: [Klimatet]
  departments: [Förvaltningen för skola]
  form: Partnerskap
- name: Fel värden
  kind: kontrakt
  url: https://www.orebro.se/b
  status: pågående
  years: [tjugotjugo]
  source_date: 2020-13-01
  parties: Örebro kommun
  colour: blå
- name: Tom adress
  kind: riktlinje
  url: ''
- name: Fel länkanteckning
  kind: iop
  url: https://www.orebro.se/c
  categories: [Kulturförening]
  link_notes:
    Idrottsförening: källan
"""


def test_bad_file_reports_every_problem_with_file_line_and_field(tmp_path):
    path = tmp_path / "agreements.yml"
    path.write_text(BAD, encoding="utf-8")
    errors = errors_of(path)
    found: dict = {}
    for e in errors:
        found.setdefault((e.row, e.column), []).append(e.message)
    assert all(e.file == str(path) for e in errors)
    assert found[(1, "url")] == ["obligatoriskt fält saknas"]
    assert "http/https" in found[(4, "url")][0]
    assert "okänd kategori 'Kulturföreningar'" in found[(7, "categories")][0]
    assert "menade du 'Kulturförening'" in found[(7, "categories")][0]
    assert "delmålområde 'Klimatet'" in found[(7, "goal_areas")][0]
    assert "okänd förvaltning" in found[(7, "departments")][0]
    assert "okänd samverkansform 'Partnerskap'" in found[(7, "form")][0]
    assert "okänt värde 'kontrakt'" in found[(14, "kind")][0]
    assert "okänt värde 'pågående'" in found[(14, "status")][0]
    assert "'tjugotjugo'" in found[(14, "years")][0]
    assert "ÅÅÅÅ-MM-DD" in found[(14, "source_date")][0]
    assert "organisationers" in found[(14, "parties")][0]
    assert found[(14, "colour")] == ["okänt fält"]
    assert found[(22, "url")] == ["obligatoriskt fält är tomt"]
    assert "inte en av postens länkar" in found[(25, "link_notes")][0]
    assert any(str(e).startswith(f"{path}, rad 7, kolumn 'form'") for e in errors)


def test_a_name_given_twice_is_reported(tmp_path):
    path = tmp_path / "agreements.yml"
    path.write_text(
        "- name: IOP A\n  kind: iop\n  url: https://x.se/a\n- name: IOP  A\n  kind: iop\n  url: https://x.se/b\n",
        encoding="utf-8",
    )
    (error,) = errors_of(path)
    assert (error.row, error.column) == (4, "name") and "rad 1" in error.message


def test_valid_agreement_resolves_links_and_keeps_its_sourcing(tmp_path):
    path = tmp_path / "agreements.yml"
    path.write_text(
        "- name: IOP om läxhjälp\n  kind: iop\n  url: https://www.orebro.se/iop\n"
        "  parties: [Örebro kommun, En förening]\n"
        "  form: partnerskap-overenskommelse-iop\n  decided_by: Kommunstyrelsen\n  status: aktiv\n"
        "  years: [2021, 2020]\n  source_undated: true\n  departments: [FUFA]\n  categories: [Studieförbund]\n"
        "  link_notes:\n    Studieförbund: egen tolkning\n    FUFA: källan\n",
        encoding="utf-8",
    )
    (record,) = load_agreements(path)
    assert record["id"] == "iop-om-laxhjalp" and record["source_id"] == "avtalsregister"
    assert record["form_id"] == "partnerskap-overenskommelse-iop"
    assert record["links"]["departments"] == ["forvaltningen-for-utbildning-forsorjning-och-arbete"]
    assert record["years"] == [2020, 2021] and record["source_undated"] and record["source_date"] is None
    assert record["link_notes"] == {
        "Studieförbund": "egen tolkning",
        "Förvaltningen för utbildning, försörjning och arbete": "källan",
    }
    assert record["parties"] == ["Örebro kommun", "En förening"]


def test_seed_agreements_are_sourced_and_linked():
    records = load_agreements(AGREEMENTS_FILE)
    assert len(records) >= 3
    kinds = {r["kind"] for r in records}
    assert {"överenskommelse", "riktlinje", "iop"} <= kinds
    for r in records:
        assert r["url"].startswith(("https://", "http://")), r["name"]
        assert bool(r["source_date"]) != r["source_undated"], r["name"]
        assert r["links"]["categories"], r["name"]  # every agreement is linked to at least one category
        assert r["form_id"] == "partnerskap-overenskommelse-iop"
        assert r["parties"] and r["decided_by"] and r["years"], r["name"]
    names = [r["name"] for r in records]
    assert any(n.startswith("Överenskommelse om samverkan i Örebro") for n in names)


def test_an_empty_file_has_no_agreements(tmp_path):
    path = tmp_path / "agreements.yml"
    path.write_text("# inga ännu\n", encoding="utf-8")
    assert load_agreements(path) == []


def test_the_build_writes_agreements_with_their_links_and_the_basis_of_each(built_db):
    seed = load_agreements(AGREEMENTS_FILE)
    rows = {r["id"]: r for r in built_db.query("SELECT * FROM agreements")}
    assert sorted(rows) == sorted(a["id"] for a in seed)
    for a in seed:
        row = rows[a["id"]]
        assert row["url"] == a["url"] and row["source_undated"] == int(a["source_undated"])
        links = {(r["category_id"], r["basis"]) for r in built_db.query(
            "SELECT category_id, basis FROM agreement_categories WHERE agreement_id = ?", [a["id"]])}
        assert links == {(c, a["link_basis"]["categories"][c]) for c in a["links"]["categories"]}
    assert built_db["sources"].get("avtalsregister")["kind"] == "registerfil"
