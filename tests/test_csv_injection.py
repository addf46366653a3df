"""Issue 15: CSV a user opens in Excel never holds a cell Excel would run as a formula."""

import csv
import io

import pytest

from kb.core.output import excel_safe, excel_unescape, render

DANGEROUS = ["=HYPERLINK(\"http://x\",\"klicka\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]
HARMLESS = ["Kunskapsutbyte", "-", "-12", "+46", "-0,5", "3.5e-3", "12 %", "", "a=b", "e-post"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_an_apostrophe(text):
    assert excel_safe(text) == "'" + text
    assert excel_unescape(excel_safe(text)) == text


@pytest.mark.parametrize("value", [*HARMLESS, 5, -3, 2.5, None])
def test_numbers_and_plain_text_are_unchanged(value):
    assert excel_safe(value) == value
    if isinstance(value, str):
        assert excel_unescape(value) == value


def test_render_csv_escapes_every_dangerous_cell():
    dangerous = [t for t in DANGEROUS if "\r" not in t]
    rows = [{"id": i, "text": t} for i, t in enumerate(dangerous)] + [{"id": 99, "text": "-7"}]
    parsed = list(csv.DictReader(io.StringIO(render(rows, "csv"))))
    assert [r["text"] for r in parsed[:-1]] == ["'" + t for t in dangerous]
    assert parsed[-1] == {"id": "99", "text": "-7"}  # a negative number stays a number


def test_render_json_stays_exact():
    assert '"=1+1"' in render([{"text": "=1+1"}], "json")


def test_decisions_file_round_trips_a_formula_like_note(built_db, tmp_path):
    from kb.coding.decisions import load_decisions, save_decisions
    from kb.coding.store import add_human_coding

    cid = add_human_coding(built_db, "2022-rapport-positivt-01", "kunskap", "granskare-1", note="=1+1 @x")
    path = tmp_path / "decisions.csv"
    save_decisions(built_db, path)
    assert "'=1+1 @x" in path.read_text(encoding="utf-8")
    assert {row["id"]: row["note"] for _line, row in load_decisions(path)}[cid] == "=1+1 @x"


def test_stored_forms_copy_escapes_free_text_and_reads_back(tmp_path):
    from ingest.forms import expected_headings, parse_export
    from ingest.reference import load_reference
    from kb.pipeline import ingest_forms
    from kb.survey.forms import FORMS_METADATA_HEADINGS
    from tests.survey.conftest import ROUND, write_csv
    from tests.survey.test_forms_ingest import HARD, answer

    reference = load_reference()
    columns = [*FORMS_METADATA_HEADINGS, *expected_headings(reference, ROUND)]
    path = write_csv(tmp_path / "export.csv", columns, [answer(**{HARD: "=SUMMA(A1) är svårt"})])
    data = tmp_path / "data"
    ingest_forms(path, ROUND, tmp_path / "kb.db", data)
    stored = data / str(ROUND) / f"forms-{ROUND}.csv"
    assert "'=SUMMA(A1) är svårt" in stored.read_text(encoding="utf-8")
    export = parse_export(stored, reference, ROUND)
    assert "=SUMMA(A1) är svårt" in [t for r in export.responses.values() for _k, t in r.statements]
