"""`kb ingest forms`: parsing, merging, errors, personal data, atomicity and idempotence."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ingest.forms import parse_export
from kb.cli import cli
from kb.core.db import open_db, table_contents
from kb.core.errors import InputErrors
from kb.pipeline import build, ingest_forms
from kb.survey.forms import write_forms_template

from .conftest import ROUND, write_csv, write_xlsx

KULTUR = "Samverkan med: Kulturförening"
SOCIALT = "Samverkan med: Socialt företag"
FUNDING = f"Utbetalda medel {ROUND}"
SHARE = "Andel aktörer med anställd personal"
HARD = "Vad upplever ni som svårt med samverkan?"
GOOD = "Vad upplever ni som positivt med samverkan?"


def answer(**extra) -> dict:
    row = {
        "ID": "1",
        "Email": "anna.andersson@orebro.se",
        "Name": "Anna Andersson",
        "Förvaltning": "Miljökontoret",
        KULTUR: "Informationsutbyte;Kunskapsutbyte;",
        "Delmålområden": "Klimat;Vatten",
        FUNDING: "250 000 kr",
        SHARE: "80 %",
        HARD: "Tid. Ring mig på 070-123 45 67 eller anna.andersson@orebro.se, pnr 19800101-1234.",
        GOOD: "Kunskap och engagemang",
    }
    row.update(extra)
    return row


def errors_of(path, reference, **kwargs) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        parse_export(path, reference, ROUND, **kwargs)
    return [str(e) for e in caught.value.errors]


def test_xlsx_and_csv_give_the_same_responses(tmp_path, reference, headings):
    rows = [answer()]
    from_xlsx = parse_export(write_xlsx(tmp_path / "e.xlsx", headings, rows), reference, ROUND)
    from_csv = parse_export(write_csv(tmp_path / "e.csv", headings, rows, delimiter=";", bom=True), reference, ROUND)
    assert from_xlsx.responses.keys() == from_csv.responses.keys() == {"miljokontoret"}
    a, b = from_xlsx.responses["miljokontoret"], from_csv.responses["miljokontoret"]
    assert (
        a.collaborations
        == b.collaborations
        == {("kulturforening", "informationsutbyte"), ("kulturforening", "kunskapsutbyte")}
    )
    assert a.goal_areas == b.goal_areas == {"klimat", "vatten"}
    assert a.funding[:2] == (250_000, "rapporterad")
    assert a.staffed[:2] == (80.0, "rapporterad")


def test_messy_but_valid_input_is_accepted(tmp_path, reference, headings):
    row = answer(
        **{
            "Förvaltning": "  FUFA ",
            KULTUR: " informationsutbyte ;  DIALOG (ENSTAKA TILLFÄLLE);;",
            "Delmålområden": "klimat;",
            FUNDING: "1\u00a0250\u00a0000",
            SHARE: "0,8",
        }
    )
    export = parse_export(write_csv(tmp_path / "m.csv", headings, [row]), reference, ROUND)
    response = export.responses["forvaltningen-for-utbildning-forsorjning-och-arbete"]
    assert response.collaborations == {
        ("kulturforening", "informationsutbyte"),
        ("kulturforening", "dialog-enstaka-tillfalle"),
    }
    assert response.funding[:2] == (1_250_000, "rapporterad")
    assert response.staffed[0] == 80.0


def test_several_respondents_merge_per_department(tmp_path, reference, headings):
    rows = [
        answer(),
        answer(
            **{
                "Email": "bo@orebro.se",
                "Name": "Bo",
                KULTUR: "Avtal/kontrakt",
                SOCIALT: "Avtal/kontrakt",
                "Delmålområden": "Cirkulär ekonomi",
                FUNDING: "",
                SHARE: "",
                HARD: "Sekretessen",
                GOOD: "",
            }
        ),
    ]
    export = parse_export(write_xlsx(tmp_path / "two.xlsx", headings, rows), reference, ROUND)
    response = export.responses["miljokontoret"]
    assert response.respondent_count == 2
    assert ("kulturforening", "avtal-kontrakt") in response.collaborations
    assert ("socialt-foretag", "avtal-kontrakt") in response.collaborations
    assert len(response.collaborations) == 4
    assert response.goal_areas == {"klimat", "vatten", "cirkular-ekonomi"}
    assert response.funding[0] == 250_000
    assert [kind for kind, _ in response.statements] == ["svarighet", "positivt", "svarighet"]


def test_conflicting_amounts_name_both_rows(tmp_path, reference, headings):
    rows = [answer(), answer(**{FUNDING: "300 000 kr"})]
    messages = errors_of(write_xlsx(tmp_path / "c.xlsx", headings, rows), reference)
    assert any("rad 3" in m and "rad 2" in m and FUNDING in m for m in messages), messages


def test_every_error_is_reported_at_once_with_row_and_column(tmp_path, reference, headings):
    rows = [
        answer(**{"Förvaltning": "Miljökontoret2"}),
        answer(
            **{
                "Förvaltning": "Stadsbyggnad",
                KULTUR: "Informationsutbyten",
                "Delmålområden": "Klimatet",
                FUNDING: "mycket",
                SHARE: "hälften",
            }
        ),
    ]
    messages = errors_of(write_csv(tmp_path / "bad.csv", headings, rows), reference)
    assert len(messages) == 5
    assert any("rad 2" in m and "'Förvaltning'" in m and "menade du 'Miljökontoret'" in m for m in messages)
    assert any("rad 3" in m and KULTUR in m and "menade du 'Informationsutbyte'" in m for m in messages)
    assert any("rad 3" in m and "Delmålområden" in m and "menade du 'Klimat'" in m for m in messages)
    assert any("rad 3" in m and FUNDING in m and "beloppet" in m for m in messages)
    assert any("rad 3" in m and SHARE in m and "andelen" in m for m in messages)
    assert all(m.startswith("bad.csv") for m in messages)


def test_missing_and_unknown_columns(tmp_path, reference, headings):
    reduced = [h for h in headings if h not in {"Förvaltning", SOCIALT}] + ["Favoritfärg"]
    messages = errors_of(write_csv(tmp_path / "cols.csv", reduced, [answer()]), reference)
    assert any("'Förvaltning'" in m and "obligatorisk kolumn saknas" in m for m in messages)
    assert any(SOCIALT in m and "obligatorisk kolumn saknas" in m for m in messages)
    assert any("'Favoritfärg'" in m and "okänd kolumn" in m for m in messages)


def test_column_map_maps_other_headings(tmp_path, reference, headings):
    renamed = ["Avdelning" if h == "Förvaltning" else h for h in headings]
    path = write_csv(tmp_path / "renamed.csv", renamed, [{**answer(), "Avdelning": "Miljökontoret"}])
    mapping = tmp_path / "map.yml"
    mapping.write_text("Avdelning: Förvaltning\n", encoding="utf-8")
    from ingest.forms import load_column_map

    export = parse_export(path, reference, ROUND, load_column_map(mapping))
    assert "miljokontoret" in export.responses


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "filen är tom"),
        ("header.csv", "Förvaltning\n".encode(), "obligatorisk kolumn saknas"),
        ("fake.xlsx", b"this is not a spreadsheet", "inte ett Excel-kalkylark"),
        ("notes.txt", b"hello", "inte ett kalkylark"),
        # Swedish Excel's "CSV (semikolonavgränsad)" is cp1252: read, so the file's real problem is reported
        ("latin1.csv", "Förvaltning\n".encode("cp1252"), "obligatorisk kolumn saknas"),
        ("nul.csv", b"F\x00\x00rvaltning\n", "NUL"),
    ],
)
def test_files_that_are_not_exports(tmp_path, reference, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    messages = errors_of(path, reference)
    assert any(expected in m and name in m for m in messages), messages


def test_header_only_file_has_no_responses(tmp_path, reference, headings):
    messages = errors_of(write_csv(tmp_path / "h.csv", headings, []), reference)
    assert any("inga svar" in m for m in messages)


def test_funding_year_must_match_round(tmp_path, reference, headings):
    wrong = [h.replace(str(ROUND), "2021") for h in headings]
    messages = errors_of(write_csv(tmp_path / "y.csv", wrong, []), reference)
    assert any("gäller 2021" in m for m in messages)


def test_ingest_writes_round_and_redacts_personal_data(tmp_path, headings, exports_dir):
    db_path = tmp_path / "kb.db"
    path = write_xlsx(tmp_path / "export.xlsx", headings, [answer()])
    summary = ingest_forms(path, ROUND, db_path, exports_dir)
    assert summary["departments"] == 1 and summary["collaborations"] == 2
    db = open_db(db_path)
    assert db.execute("SELECT COUNT(*) FROM collaborations WHERE round = ?", [ROUND]).fetchone()[0] == 2
    text = db.execute("SELECT text FROM statements WHERE round = ? AND kind = 'svarighet'", [ROUND]).fetchone()[0]
    assert text == "Tid. Ring mig på [telefon] eller [e-post], pnr [personnummer]."
    ingest_row = next(db["ingests"].rows)
    assert ingest_row["file_name"] == "export.xlsx" and len(ingest_row["sha256"]) == 64 and ingest_row["rows"] == 1
    assert ingest_row["ingested_at"]
    stored = (exports_dir / str(ROUND) / f"forms-{ROUND}.csv").read_text(encoding="utf-8")
    assert "Anna" not in stored and "orebro.se" not in stored and "070" not in stored
    dump = "\n".join(db.conn.iterdump())
    assert "Anna Andersson" not in dump and "anna.andersson" not in dump and "19800101" not in dump


def test_ingest_is_idempotent_and_replaces_the_round(tmp_path, headings, exports_dir):
    db_path = tmp_path / "kb.db"
    path = write_xlsx(tmp_path / "export.xlsx", headings, [answer()])
    ingest_forms(path, ROUND, db_path, exports_dir)
    first = table_contents(open_db(db_path))
    ingest_forms(path, ROUND, db_path, exports_dir)
    assert table_contents(open_db(db_path)) == first
    newer = write_xlsx(tmp_path / "newer.xlsx", headings, [answer(**{"Förvaltning": "Stadsbyggnad"})])
    ingest_forms(newer, ROUND, db_path, exports_dir)
    departments = [
        r[0] for r in open_db(db_path).execute("SELECT department_id FROM responses WHERE round = ?", [ROUND])
    ]
    assert departments == ["stadsbyggnad"]
    assert len(list((exports_dir / str(ROUND)).iterdir())) == 2  # the csv and its manifest


def test_a_failing_file_leaves_db_and_files_unchanged(tmp_path, headings, exports_dir):
    db_path = tmp_path / "kb.db"
    ingest_forms(write_xlsx(tmp_path / "ok.xlsx", headings, [answer()]), ROUND, db_path, exports_dir)
    before_db = db_path.read_bytes()
    before_files = {p.name: p.read_bytes() for p in (exports_dir / str(ROUND)).iterdir()}
    bad = write_xlsx(tmp_path / "bad.xlsx", headings, [answer(**{"Förvaltning": "Okänd"})])
    with pytest.raises(InputErrors):
        ingest_forms(bad, ROUND, db_path, exports_dir)
    assert db_path.read_bytes() == before_db
    assert {p.name: p.read_bytes() for p in (exports_dir / str(ROUND)).iterdir()} == before_files


def test_build_reproduces_the_ingested_db(tmp_path, headings, exports_dir):
    db_path = tmp_path / "kb.db"
    ingest_forms(
        write_xlsx(tmp_path / "e.xlsx", headings, [answer(), answer(**{"Förvaltning": "Stadsbyggnad"})]),
        ROUND,
        db_path,
        exports_dir,
    )
    rebuilt = tmp_path / "rebuilt.db"
    build(rebuilt, exports_dir)
    assert table_contents(open_db(rebuilt)) == table_contents(open_db(db_path))


def test_template_round_trip(tmp_path, exports_dir):
    from openpyxl import load_workbook

    template = tmp_path / "mall.xlsx"
    write_forms_template(template, ROUND)
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["Svar", "Giltiga val"]
    headings = [c.value for c in workbook["Svar"][1]]
    options = {row[1] for row in workbook["Giltiga val"].iter_rows(min_row=2, values_only=True)}
    assert {"Socialt företag", "Partnerskap/överenskommelse/IOP", "Cirkulär ekonomi", "Miljökontoret"} <= options
    filled = {h: "" for h in headings}
    filled.update(answer())
    workbook["Svar"].append([filled[h] for h in headings])
    workbook.save(template)
    summary = ingest_forms(template, ROUND, tmp_path / "kb.db", exports_dir)
    assert summary["departments"] == 1


def test_cli_reports_errors_with_exit_2(tmp_path, headings):
    bad = write_csv(tmp_path / "bad.csv", headings, [answer(**{"Förvaltning": "Nope"})])
    result = CliRunner().invoke(
        cli, ["ingest", "forms", str(bad), "--round", str(ROUND), "--db", str(tmp_path / "kb.db")]
    )
    assert result.exit_code == 2
    assert "bad.csv, rad 2, kolumn 'Förvaltning'" in result.output


def test_a_row_with_an_unknown_department_still_has_its_other_cells_checked(tmp_path, reference, headings):
    row = answer(**{"Förvaltning": "Socialförvaltningen", KULTUR: "Dialogg", FUNDING: "mycket"})
    messages = errors_of(write_csv(tmp_path / "u.csv", headings, [row]), reference)
    assert any("'Förvaltning'" in m for m in messages)
    assert any(KULTUR in m and "Dialogg" in m for m in messages)
    assert any(FUNDING in m for m in messages)


def test_heading_errors_and_row_errors_come_together(tmp_path, reference, headings):
    with_unknown = [*headings, "Favoritfärg"]
    messages = errors_of(write_csv(tmp_path / "h.csv", with_unknown, [answer(**{KULTUR: "Nej"})]), reference)
    assert any("okänd kolumn" in m for m in messages) and any("rad 2" in m and KULTUR in m for m in messages)


def test_an_excel_percentage_cell_is_read_as_a_percentage(tmp_path, reference, headings):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "pct.xlsx", headings, [answer(**{SHARE: None})])
    workbook = load_workbook(path)
    cell = workbook.active.cell(row=2, column=headings.index(SHARE) + 1)
    cell.value, cell.number_format = 1.0, "0%"
    workbook.save(path)
    assert parse_export(path, reference, ROUND).responses["miljokontoret"].staffed[0] == 100.0


def test_anonymous_forms_rows_count_as_separate_respondents(tmp_path, reference, headings):
    rows = [answer(**{"Email": "anonymous", "Name": ""}) for _ in range(3)]
    export = parse_export(write_xlsx(tmp_path / "anon.xlsx", headings, rows), reference, ROUND)
    assert export.responses["miljokontoret"].respondent_count == 3


def test_reingesting_with_a_corrected_column_map_takes_effect(tmp_path, headings, exports_dir):
    swapped = [GOOD if h == HARD else HARD if h == GOOD else h for h in headings]
    path = write_xlsx(tmp_path / "swapped.xlsx", swapped, [answer()])
    db_path = tmp_path / "kb.db"
    ingest_forms(path, ROUND, db_path, exports_dir)
    first = [r[0] for r in open_db(db_path).execute("SELECT kind FROM statements WHERE round = ? ORDER BY text",
                                                    [ROUND])]
    mapping = tmp_path / "map.yml"
    mapping.write_text(f'"{HARD}": "{GOOD}"\n"{GOOD}": "{HARD}"\n', encoding="utf-8")
    ingest_forms(path, ROUND, db_path, exports_dir, columns=mapping)
    second = [r[0] for r in open_db(db_path).execute("SELECT kind FROM statements WHERE round = ? ORDER BY text",
                                                     [ROUND])]
    assert first != second and sorted(first) == sorted(second)
