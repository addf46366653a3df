"""Issue 11: the organisation per round (validity, lineage), the questions added after 2022 and old
department names in new exports. The organisation used here is synthetic (tests/data/rounds/)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from rounds_fixtures import EXPORT_2024, exports_with_2022

import ingest.reference
from ingest.forms import parse_export
from ingest.lineage import find_cycle
from ingest.reference import load_reference
from kb.core.errors import InputErrors
from kb.pipeline import ingest_forms
from kb.survey.forms import write_forms_template

from .conftest import ROUND, write_csv

OCCASIONS = "Antal tillfällen: Dialog (enstaka tillfälle)"


def base_row(**extra) -> dict:
    row = {"ID": "1", "Förvaltning": "Kommunstyrelseförvaltningen",
           "Samverkan med: Kulturförening": "Dialog (enstaka tillfälle)", "Delmålområden": "Klimat",
           f"Utbetalda medel {ROUND}": "-", "Andel aktörer med anställd personal": "-"}
    row.update(extra)
    return row


def errors_of(path, reference, round_=ROUND) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        parse_export(path, reference, round_)
    return [str(e) for e in caught.value.errors]


# ---------------------------------------------------------------- reference files


def edited_reference(tmp_path, name: str, text: str):
    target = tmp_path / "ref"
    shutil.copytree(ingest.reference.REFERENCE_DIR, target)
    (target / name).write_text(text, encoding="utf-8")
    return target


def test_a_round_that_reuses_a_year_is_refused(tmp_path):
    rounds = (ingest.reference.REFERENCE_DIR / "rounds.yml").read_text(encoding="utf-8")
    again = rounds + '- round: 2022\n  title: "Igen"\n  departments: 7\n  source_id: rapport-2022\n'
    with pytest.raises(InputErrors) as caught:
        load_reference(edited_reference(tmp_path, "rounds.yml", again))
    assert "rounds.yml" in str(caught.value) and "omgången 2022 finns redan på rad 2" in str(caught.value)


def test_lineage_to_an_unknown_department_is_refused(synthetic_organisation):
    text = ("- department: Testförvaltningen Norr\n  continues: [Socialförvaltningen]\n  kind: renamed\n"
            "  source_url: https://example.org/x\n")
    (synthetic_organisation / "lineage.yml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_reference()
    message = str(caught.value)
    assert "lineage.yml, rad 1, kolumn 'continues'" in message and "okänd förvaltning 'Socialförvaltningen'" in message


def test_a_lineage_cycle_is_refused(synthetic_organisation):
    text = ("- department: Testförvaltningen Norr\n  continues: [Testförvaltningen Syd]\n  kind: part\n"
            "  source_url: https://example.org/x\n"
            "- department: Testförvaltningen Syd\n  continues: [Testförvaltningen Norr]\n  kind: part\n"
            "  source_url: https://example.org/x\n")
    (synthetic_organisation / "lineage.yml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_reference()
    assert "leden bildar en cirkel" in str(caught.value)
    assert find_cycle([("a", "b"), ("b", "c"), ("c", "a")]) == ["a", "b", "c", "a"]
    assert find_cycle([("a", "b"), ("a", "c"), ("b", "c")]) is None


def test_lineage_kinds_must_agree_with_validity_and_sources(synthetic_organisation):
    text = ("- department: Testförvaltningen Syd\n  continues: [Tekniska förvaltningen]\n  kind: renamed\n"
            "  source_url: se protokollet\n")
    (synthetic_organisation / "lineage.yml").write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_reference()
    assert "kolumn 'source_url': ska vara en webbadress" in str(caught.value)
    (synthetic_organisation / "lineage.yml").write_text(text.replace("se protokollet", "https://example.org/x"),
                                                        encoding="utf-8")
    with pytest.raises(InputErrors) as caught:
        load_reference()
    assert "'Tekniska förvaltningen' ska ha last_round före 2023" in str(caught.value)


def test_the_committed_lineage_holds_no_invented_organisation():
    reference = load_reference()
    assert reference.lineage == []
    assert all(v["first_round"] == 2022 and v["last_round"] is None for v in reference.department_validity)
    assert [g["id"] for g in reference.target_groups][-1] == "annat"


# ---------------------------------------------------------------- the new questions


def test_occasions_must_be_whole_numbers(tmp_path, reference, headings):
    rows = [base_row(**{OCCASIONS: "ca 10"}), base_row(ID="2", **{OCCASIONS: "flera"}),
            base_row(ID="3", **{"Antal tillfällen: Kunskapsutbyte": "2,5"})]
    messages = errors_of(write_csv(tmp_path / "e.csv", headings, rows), reference)
    assert f"e.csv, rad 2, kolumn '{OCCASIONS}': ska vara ett heltal (antal tillfällen), inte 'ca 10'" in messages[0]
    assert "rad 3" in messages[1] and "'flera'" in messages[1]
    assert "rad 4" in messages[2] and "'2,5'" in messages[2]


def test_occasions_are_summed_per_department_and_empty_stays_unknown(tmp_path, reference, headings):
    rows = [base_row(**{OCCASIONS: "12"}), base_row(ID="2", **{OCCASIONS: "1 200"})]
    export = parse_export(write_csv(tmp_path / "e.csv", headings, rows), reference, ROUND)
    response = export.responses["kommunstyrelseforvaltningen"]
    assert response.occasions == {"dialog-enstaka-tillfalle": 1212}
    assert export.new_questions


def test_an_unknown_target_group_is_refused_and_annat_keeps_no_text(tmp_path, reference, headings):
    bad = [base_row(**{"Målgrupper": "Unga;Pensionärer"})]
    messages = errors_of(write_csv(tmp_path / "bad.csv", headings, bad), reference)
    assert len(messages) == 1 and "rad 2, kolumn 'Målgrupper': okänd målgrupp 'Pensionärer'" in messages[0]
    good = [base_row(**{"Målgrupper": "unga; Annat: kvinnojourer;Äldre"})]
    export = parse_export(write_csv(tmp_path / "good.csv", headings, good), reference, ROUND)
    assert export.responses["kommunstyrelseforvaltningen"].target_groups == {"unga", "annat", "aldre"}


def test_the_respondents_function_is_a_role_never_a_name(tmp_path, reference, headings):
    named = [base_row(Email="anna.andersson@orebro.se", Name="Anna Andersson",
                      **{"Svarandes funktion": "Anna Andersson, enhetschef"})]
    messages = errors_of(write_csv(tmp_path / "n.csv", headings, named), reference)
    assert "kolumn 'Svarandes funktion': ange funktionen (t.ex. enhetschef), inte ett namn" in messages[0]
    role = [base_row(Name="Anna Andersson", **{"Svarandes funktion": "Enhetschef"}),
            base_row(ID="2", **{"Svarandes funktion": "Enhetschef"})]
    export = parse_export(write_csv(tmp_path / "r.csv", headings, role), reference, ROUND)
    assert export.responses["kommunstyrelseforvaltningen"].functions == ["Enhetschef"]


def test_the_template_of_a_later_round_asks_the_new_questions(tmp_path):
    from openpyxl import load_workbook

    write_forms_template(tmp_path / "t2024.xlsx", 2024)
    write_forms_template(tmp_path / "t2022.xlsx", 2022)
    book = load_workbook(tmp_path / "t2024.xlsx")
    headings = [c.value for c in book["Svar"][1]]
    assert OCCASIONS in headings and "Målgrupper" in headings and "Svarandes funktion" in headings
    options = [(r[0], r[2]) for r in book["Giltiga val"].iter_rows(min_row=2, values_only=True)]
    assert ("Målgrupper", "annat") in options and ("Målgrupper", "unga") in options
    assert any(q.startswith("Antal tillfällen") for q, _ in options)
    old = [c.value for c in load_workbook(tmp_path / "t2022.xlsx")["Svar"][1]]
    assert "Målgrupper" not in old and not any(h.startswith("Antal tillfällen") for h in old)


# ---------------------------------------------------------------- old names in new exports


def test_old_names_map_through_lineage_when_unambiguous(synthetic_organisation, tmp_path, headings):
    reference = load_reference()
    rows = [base_row(Förvaltning="Miljökontoret"), base_row(ID="2", Förvaltning="Vård- och omsorgsförvaltningen")]
    export = parse_export(write_csv(tmp_path / "e.csv", headings, rows), reference, ROUND)
    assert set(export.responses) == {"testforvaltningen-syd", "testforvaltningen-norr"}
    assert export.notices[0] == ("e.csv, rad 2: 'Miljökontoret' fanns inte omgång 2024: läst som "
                                 "'Testförvaltningen Syd' (nytt namn enligt lineage.yml)")
    assert "sammanslagen" in export.notices[1]


def test_an_ambiguous_old_name_is_refused_with_its_successors(synthetic_organisation, tmp_path, headings):
    reference = load_reference()
    messages = errors_of(write_csv(tmp_path / "e.csv", headings, [base_row(Förvaltning="Stadsbyggnad")]), reference)
    assert messages == ["e.csv, rad 2, kolumn 'Förvaltning': förvaltningen 'Stadsbyggnad' fanns inte omgång 2024 "
                        "och är inte entydig: den fortsätter i 'Testförvaltningen Öst', 'Testförvaltningen Väst'; "
                        "skriv vilken av dem som svarat"]


def test_a_department_outside_its_validity_is_refused(synthetic_organisation, tmp_path, headings):
    reference = load_reference()
    old = [h.replace(str(ROUND), "2022") for h in headings]
    row = {k.replace(str(ROUND), "2022"): v for k, v in base_row(Förvaltning="Testförvaltningen Norr").items()}
    messages = errors_of(write_csv(tmp_path / "e.csv", old, [row]), reference, round_=2022)
    assert messages == ["e.csv, rad 2, kolumn 'Förvaltning': förvaltningen 'Testförvaltningen Norr' fanns inte "
                        "omgång 2022 (giltig 2023-) och har ingen efterträdare i ingest/reference/lineage.yml"]


def test_a_refused_export_writes_nothing(synthetic_organisation, tmp_path, headings):
    db = tmp_path / "s.db"
    exports = exports_with_2022(tmp_path / "data")
    before = sorted(p.name for p in exports.iterdir())
    with pytest.raises(InputErrors):
        ingest_forms(write_csv(tmp_path / "e.csv", headings, [base_row(Förvaltning="Stadsbyggnad")]), 2024, db,
                     exports)
    assert not db.exists() and sorted(p.name for p in exports.iterdir()) == before


# ---------------------------------------------------------------- in the database


def test_earlier_rounds_keep_null_never_zero(built_db):
    assert built_db.execute("SELECT COUNT(*) FROM collaboration_occasions").fetchone() == (0,)
    occasions = built_db.execute("SELECT DISTINCT occasions FROM occasions_per_form WHERE round = 2022").fetchall()
    assert occasions == [(None,)]
    per_category = built_db.execute("SELECT DISTINCT occasions FROM occasions_per_category").fetchall()
    assert per_category == [(None,)]
    groups = built_db.execute("SELECT DISTINCT target_groups FROM target_groups_per_department").fetchall()
    assert groups == [(None,)]


def test_two_rounds_store_the_new_questions_and_the_lineage(two_rounds_db):
    conn = sqlite3.connect(two_rounds_db)
    stored = dict(conn.execute("SELECT form_id, SUM(occasions) FROM collaboration_occasions WHERE round = 2024 "
                               "GROUP BY form_id"))
    view = dict(conn.execute("SELECT form_id, occasions FROM occasions_per_form WHERE round = 2024"))
    assert stored and all(view[f] == n for f, n in stored.items())
    assert conn.execute("SELECT DISTINCT occasions FROM occasions_per_form WHERE round = 2022").fetchall() == [(None,)]
    fewest = "SELECT MIN(target_groups) FROM target_groups_per_department WHERE round = 2024"
    assert conn.execute(fewest).fetchone()[0] >= 1
    functions = [r[0] for r in conn.execute("SELECT function FROM respondent_functions")]
    assert functions and "anonymous" not in functions
    lineage = conn.execute("SELECT predecessor_id, successor_id, kind, source_url FROM department_lineage "
                           "ORDER BY position").fetchall()
    assert lineage[:2] == [
        ("forvaltningen-for-sociala-insatser", "testforvaltningen-norr", "merged", "https://example.org/testorganisation"),
        ("vard-och-omsorgsforvaltningen", "testforvaltningen-norr", "merged", "https://example.org/testorganisation"),
    ]
    edges = conn.execute("SELECT source, target FROM graph_edges WHERE kind = 'lineage' AND round = 2024 "
                         "ORDER BY source, target").fetchall()
    assert ("department:miljokontoret", "department:testforvaltningen-syd") in edges and len(edges) == 5
    assert conn.execute("SELECT COUNT(*) FROM graph_edges WHERE kind = 'lineage' AND round = 2022").fetchone() == (0,)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_stored_copy_of_a_later_round_keeps_the_new_questions(synthetic_organisation, tmp_path):
    from ingest.exports import load_stored_exports

    exports = exports_with_2022(tmp_path / "data")
    ingest_forms(EXPORT_2024, 2024, tmp_path / "s.db", exports)
    original = parse_export(EXPORT_2024, load_reference(), 2024)
    stored = {s.round: s.export for s in load_stored_exports(load_reference(), exports)}[2024]
    for department, response in original.responses.items():
        again = stored.responses[department]
        assert (again.occasions, again.target_groups, again.functions, again.collaborations) == (
            response.occasions, response.target_groups, response.functions, response.collaborations)
    assert "Förvaltningen för sociala insatser" not in (exports / "2024" / "forms-2024.csv").read_text(encoding="utf-8")


def test_organisation_maps_chains_and_refuses_a_name_merged_into_several():
    from ingest.lineage import Organisation

    names = {"a": "A", "b": "B", "c": "C", "x": "X", "y": "Y"}
    validity = {"a": (2022, 2022), "b": (2023, 2024), "c": (2025, None), "x": (2023, None), "y": (2023, None)}
    edges = [{"predecessor_id": "a", "successor_id": "b", "kind": "renamed"},
             {"predecessor_id": "b", "successor_id": "c", "kind": "renamed"}]
    organisation = Organisation(names, validity, edges)
    assert organisation.map("a", "A", 2022).department_id == "a"
    assert organisation.map("a", "A", 2024).department_id == "b"
    chained = organisation.map("a", "A", 2026)
    assert chained.department_id == "c" and "nytt namn, nytt namn" in chained.notice
    several = Organisation(names, validity, [{"predecessor_id": "a", "successor_id": "x", "kind": "merged"},
                                             {"predecessor_id": "a", "successor_id": "y", "kind": "merged"}])
    refused = several.map("a", "A", 2024)
    assert refused.department_id is None and "den fortsätter i 'X', 'Y'" in refused.error
    part = Organisation(names, validity, [{"predecessor_id": "a", "successor_id": "x", "kind": "part"}])
    assert part.map("a", "A", 2024).department_id is None  # a part is never the whole
