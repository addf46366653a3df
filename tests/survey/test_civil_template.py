"""`kb template forms --side civilsamhalle`: the organisation questionnaire; the default stays the department's."""

from __future__ import annotations

from click.testing import CliRunner
from openpyxl import load_workbook

from ingest.civil_forms import CATEGORY, DEPARTMENT_PREFIX, DIFFICULT, ORGANISATION, POSITIVE, parse_civil_export
from kb.cli import cli
from kb.publish.serve import STATIC

from .civil_helpers import civil_options


def sheet_values(path, name: str) -> list[list]:
    workbook = load_workbook(path, read_only=True)
    values = [list(r) for r in workbook[name].iter_rows(values_only=True)]
    workbook.close()
    return values


def test_civil_template_has_every_question_and_option(tmp_path):
    path = tmp_path / "mall.xlsx"
    result = CliRunner().invoke(cli, ["template", "forms", str(path), "--side", "civilsamhalle", "--round", "2025"])
    assert result.exit_code == 0, result.output
    header = sheet_values(path, "Svar")[0]
    options = civil_options()
    assert header[:5] == ["ID", "Start time", "Completion time", "Email", "Name"]
    assert header[5:7] == [ORGANISATION, CATEGORY]
    assert [h for h in header if h.startswith(DEPARTMENT_PREFIX)] == [
        DEPARTMENT_PREFIX + d["name"] for d in options.reference.departments]
    assert header[-2:] == [DIFFICULT, POSITIVE]
    for heading in ("Anställd personal", "Antal medlemmar", "Delmålområden", "Målgrupper", "Forum",
                    "Antal samverkanstillfällen under året"):
        assert heading in header
    valid = sheet_values(path, "Giltiga val")
    questions = {row[0] for row in valid}
    assert len([r for r in valid if r[0] == "Kategori (ett val)"]) == 15
    assert len([r for r in valid if r[0].startswith("Samverkar med: <förvaltning> (samverkansformer")]) == 14
    assert {"Målgrupper (flerval)", "Forum (flerval, forumregistret)", "Antal medlemmar (ett val)"} <= questions
    assert "Annat" in {r[1] for r in valid if r[0] == "Målgrupper (flerval)"}


def test_the_default_side_is_still_the_department_questionnaire(tmp_path):
    path = tmp_path / "mall.xlsx"
    assert CliRunner().invoke(cli, ["template", "forms", str(path)]).exit_code == 0
    assert "Förvaltning" in sheet_values(path, "Svar")[0]
    assert ORGANISATION not in sheet_values(path, "Svar")[0]


def test_an_unknown_side_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["template", "forms", str(tmp_path / "m.xlsx"), "--side", "kommun"])
    assert result.exit_code == 2


def test_a_filled_template_is_read_back(tmp_path):
    path = tmp_path / "mall.xlsx"
    CliRunner().invoke(cli, ["template", "forms", str(path), "--side", "civilsamhalle"])
    workbook = load_workbook(path)
    sheet = workbook["Svar"]
    header = [c.value for c in sheet[1]]
    row = {ORGANISATION: "Exempelföreningen", CATEGORY: "Kulturförening",
           DEPARTMENT_PREFIX + "Miljökontoret": "Kunskapsutbyte", "Målgrupper": "Barn;Annat"}
    sheet.append([row.get(h) for h in header])
    workbook.save(path)
    export = parse_civil_export(path, civil_options(), 2024)
    assert export.answers[0].collaborations == {("miljokontoret", "kunskapsutbyte")}
    assert export.answers[0].target_groups == {"barn", "annat"}


def test_the_published_template_download_is_current(tmp_path):
    fresh = tmp_path / "mall.xlsx"
    CliRunner().invoke(cli, ["template", "forms", str(fresh), "--side", "civilsamhalle", "--round", "2024"])
    published = STATIC / "mall-civilsamhalle.xlsx"
    for sheet in ("Svar", "Giltiga val"):
        assert sheet_values(published, sheet) == sheet_values(fresh, sheet), (
            "run `kb template forms datasette/static/mall-civilsamhalle.xlsx --side civilsamhalle --round 2024`")
