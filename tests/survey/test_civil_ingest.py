"""`kb ingest forms --side civilsamhalle`: parsing, messy cells, personal data, provenance, errors, atomicity."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ingest.civil_exports import load_stored_civil
from ingest.civil_forms import OCCASIONS, parse_civil_export, parse_count, source_id
from kb.cli import cli
from kb.core.db import open_db, table_contents
from kb.core.errors import InputErrors
from kb.pipeline import ingest_civil_forms

from .civil_helpers import KULTUR, MILJO, SYNTHETIC_CIVIL, civil_headings, civil_options, org_answer
from .conftest import write_csv, write_xlsx

CIVIL_TABLES = ("civil_answers", "civil_answer_collaborations", "civil_answer_choices", "civil_categories",
                "civil_edges", "civil_choice_counts", "civil_statements")


@pytest.fixture(scope="module")
def options():
    return civil_options()


def errors_of(path, options) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        parse_civil_export(path, options, 2024)
    return [str(e) for e in caught.value.errors]


def test_synthetic_export_is_read_with_its_messy_cells(options):
    export = parse_civil_export(SYNTHETIC_CIVIL, options, 2024)
    assert export.rows == 10 and len(export.answers) == 10
    first, again = export.answers[0], export.answers[6]
    # " idrottsförening " and "dialog (återkommande/löpande);": case, spaces and a trailing separator
    assert again.category_id == "idrottsforening"
    assert again.collaborations == {("kultur-och-fritidsforvaltningen", "dialog-aterkommande-lopande")}
    assert first.occasions == 1200  # "1 200"
    assert first.staffed == "ja" and export.answers[1].staffed == "nej"  # "Ja", "nej"
    assert first.members == "100-499" and first.goal_areas == {"goda-livsmiljoer"}
    assert export.answers[-1].staffed == "ja" and export.answers[-1].forums == {"samverkansradet"}  # "JA"


def test_several_answers_of_one_organisation_are_kept_apart_and_counted_once(options):
    export = parse_civil_export(SYNTHETIC_CIVIL, options, 2024)
    first, again = export.answers[0], export.answers[6]
    assert first.organisation_id == again.organisation_id  # "Syntetisk ..." and "syntetisk IDROTTS..."
    assert first.collaborations != again.collaborations  # kept apart, not merged
    assert export.organisations == 9


def test_unnamed_answers_are_separate_organisations(tmp_path, options):
    headings = civil_headings(options)
    path = write_csv(tmp_path / "e.csv", headings, [org_answer(""), org_answer("-"), org_answer("Anonymous")])
    export = parse_civil_export(path, options, 2024)
    assert len({a.organisation_id for a in export.answers}) == 3
    assert all(a.organisation_name is None for a in export.answers)


def test_xlsx_and_csv_give_the_same_answers(tmp_path, options):
    headings = civil_headings(options)
    rows = [org_answer(**{OCCASIONS: "ca 12"}),
            org_answer("Annan förening", "Kulturförening", **{MILJO: "Samråd/referensgrupp"})]
    a = parse_civil_export(write_xlsx(tmp_path / "e.xlsx", headings, rows), options, 2024)
    b = parse_civil_export(write_csv(tmp_path / "e.csv", headings, rows, delimiter=";", bom=True), options, 2024)
    assert [(x.organisation_id, x.category_id, x.collaborations, x.occasions) for x in a.answers] == [
        (x.organisation_id, x.category_id, x.collaborations, x.occasions) for x in b.answers]
    assert a.answers[0].occasions == 12


@pytest.mark.parametrize(("text", "value"), [("1 200", 1200), ("ca 12", 12), ("12,0", 12), ("-", None), ("", None)])
def test_counts_are_read_as_swedes_write_them(text, value):
    assert parse_count(text) == value


def test_a_count_that_is_no_whole_number_is_refused():
    with pytest.raises(ValueError, match="heltal"):
        parse_count("många")


def test_bad_cells_are_refused_with_file_row_column_and_suggestion(tmp_path, options):
    headings = civil_headings(options)
    rows = [org_answer(category="Idrotsförening"), org_answer(**{KULTUR: "Dialogg"}),
            org_answer(category="Idrottsförening;Kulturförening"), org_answer(category=""),
            org_answer(**{"Anställd personal": "kanske"})]
    errors = errors_of(write_csv(tmp_path / "bad.csv", headings, rows), options)
    assert any("bad.csv, rad 2, kolumn 'Kategori'" in e and "menade du 'Idrottsförening'" in e for e in errors)
    assert any("rad 3" in e and KULTUR in e and "okänd samverkansform 'Dialogg'" in e for e in errors)
    assert any("rad 4" in e and "välj ett alternativ" in e for e in errors)
    assert any("rad 5" in e and "kategori saknas" in e for e in errors)
    assert any("rad 6" in e and "Ja eller Nej" in e for e in errors)


def test_unknown_column_gets_the_nearest_heading(tmp_path, options):
    headings = [h.replace("Målgrupper", "Målgruper") for h in civil_headings(options)]
    errors = errors_of(write_csv(tmp_path / "e.csv", headings, [org_answer()]), options)
    assert any("kolumn 'Målgruper'" in e and "menade du 'Målgrupper'" in e for e in errors)


def test_the_department_export_is_refused_with_a_hint(tmp_path, options, headings):
    errors = errors_of(write_csv(tmp_path / "dep.csv", headings, [{"Förvaltning": "Miljökontoret"}]), options)
    assert any("Läs in den utan --side civilsamhalle" in e for e in errors)


def test_personal_data_never_reaches_the_stored_copy_or_the_db(civil_build):
    db_path, exports = civil_build
    stored = (exports / "civilsamhalle" / "2024" / "enkat-civilsamhalle-2024.csv").read_text(encoding="utf-8")
    assert "Påhittad Person" not in stored and "example.org" not in stored and "070-123" not in stored
    assert "[telefon]" in stored
    db = open_db(db_path)
    for table, rows in table_contents(db).items():
        text = repr(rows)
        assert "Påhittad Person" not in text and "pahittad.person" not in text, table


def test_no_email_phone_or_personnummer_in_the_civil_tables(civil_db_path):
    from ingest.redact import find_personal_data

    db = open_db(civil_db_path)
    texts = [r[0] for r in db.execute("SELECT text FROM civil_statements")]
    texts += [r[0] or "" for r in db.execute("SELECT organisation FROM civil_answers")]
    assert any("[telefon]" in t for t in texts)
    assert [t for t in texts if find_personal_data(t)] == []


def test_every_civil_row_names_its_source(civil_db_path):
    db = open_db(civil_db_path)
    for table in CIVIL_TABLES:
        sources = {r[0] for r in db.execute(f"SELECT DISTINCT source_id FROM {table}")}
        assert sources == {source_id(2024)} == {"enkat-civilsamhalle-2024"}, table
    assert db.execute("SELECT kind FROM sources WHERE id = 'enkat-civilsamhalle-2024'").fetchone() == ("enkatexport",)


def test_aggregates_count_each_organisation_once(civil_db_path):
    db = open_db(civil_db_path)
    idrott = db.execute("SELECT organisations, answers FROM civil_categories WHERE category_id = 'idrottsforening'")
    assert idrott.fetchone() == (6, 7)
    edge = db.execute("SELECT organisations FROM civil_edges WHERE category_id = 'idrottsforening' AND "
                      "department_id = 'kultur-och-fritidsforvaltningen' AND form_id = 'dialog-aterkommande-lopande'")
    assert edge.fetchone() == (6,)  # organisation 1 reports it in both its answers: counted once
    assert db.execute("SELECT COUNT(*) FROM civil_answers WHERE organisation_id = "
                      "'syntetisk-idrottsforening-1-pahittad'").fetchone() == (2,)  # answers kept apart


def test_the_cli_reports_what_it_read_and_what_is_protected(civil_build, tmp_path):
    _, exports = civil_build
    db_path = tmp_path / "cli.db"
    result = CliRunner().invoke(cli, ["ingest", "forms", str(SYNTHETIC_CIVIL), "--round", "2024", "--side",
                                      "civilsamhalle", "--db", str(db_path), "--data-dir", str(exports)])
    assert result.exit_code == 0, result.output
    assert "Läste 10 svar från 9 organisationer" in result.output
    assert "2 kategorier har färre än 5 organisationer" in result.output


def test_stored_copy_reproduces_the_export(civil_build, options):
    _, exports = civil_build
    stored = load_stored_civil(options, exports / "civilsamhalle")
    original = parse_civil_export(SYNTHETIC_CIVIL, options, 2024)
    assert len(stored) == 1 and stored[0].round == 2024
    keep = ("organisation_id", "category_id", "staffed", "members", "collaborations", "goal_areas", "occasions",
            "target_groups", "forums")
    assert [[getattr(a, k) for k in keep] for a in stored[0].export.answers] == [
        [getattr(a, k) for k in keep] for a in original.answers]


def test_bad_input_through_the_cli_exits_2_and_changes_nothing(civil_build, tmp_path, options):
    db_path, exports = civil_build
    before_db, before_copy = db_path.read_bytes(), sorted(p.read_bytes() for p in exports.rglob("*") if p.is_file())
    bad = write_csv(tmp_path / "bad.csv", civil_headings(options), [org_answer(category="Okänd kategori")])
    result = CliRunner().invoke(cli, ["ingest", "forms", str(bad), "--round", "2024", "--side", "civilsamhalle",
                                      "--db", str(db_path), "--data-dir", str(exports)])
    assert result.exit_code == 2
    assert "ingenting skrevs" in result.output and "bad.csv, rad 2, kolumn 'Kategori'" in result.output
    assert db_path.read_bytes() == before_db
    assert sorted(p.read_bytes() for p in exports.rglob("*") if p.is_file()) == before_copy


def test_a_failed_rebuild_puts_the_previous_copy_back(civil_build, tmp_path, options, monkeypatch):
    import kb.pipeline

    db_path, exports = civil_build
    copy = tmp_path / "copy.db"
    copy.write_bytes(db_path.read_bytes())
    before = sorted((p.name, p.read_bytes()) for p in (exports / "civilsamhalle" / "2024").iterdir())
    other = write_csv(tmp_path / "other.csv", civil_headings(options), [org_answer()])

    def broken(*args, **kwargs):
        raise RuntimeError("bygget misslyckades")

    monkeypatch.setattr(kb.pipeline, "_build", broken)
    with pytest.raises(RuntimeError):
        ingest_civil_forms(other, 2024, copy, exports)
    assert sorted((p.name, p.read_bytes()) for p in (exports / "civilsamhalle" / "2024").iterdir()) == before
    assert not (exports / "civilsamhalle" / ".2024.previous").exists()


def test_ingesting_the_same_file_again_gives_the_same_db(civil_build, tmp_path):
    db_path, exports = civil_build
    again = tmp_path / "again.db"
    ingest_civil_forms(SYNTHETIC_CIVIL, 2024, again, exports)
    assert table_contents(open_db(again)) == table_contents(open_db(db_path))
