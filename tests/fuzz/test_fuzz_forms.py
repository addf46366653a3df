"""Fuzzing Forms exports as users produce them: CSV in four encodings, two separators; messy .xlsx (issue 15)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from ingest.forms import expected_headings, parse_export
from ingest.reference import load_reference
from kb.survey.forms import FORMS_METADATA_HEADINGS
from tests.fuzz.conftest import FUZZ, NASTY, check_contract

ROUND = 2024
REFERENCE = load_reference()
HEADINGS = [*FORMS_METADATA_HEADINGS, *expected_headings(REFERENCE, ROUND)]
VALID = {
    "Förvaltning": "Miljökontoret",
    "Delmålområden": "Klimat;Vatten",
    f"Utbetalda medel {ROUND}": "250 000 kr",
    "Andel aktörer med anställd personal": "80 %",
}
CELL = st.one_of(
    NASTY,
    st.sampled_from(["Miljökontoret", "Informationsutbyte;Kunskapsutbyte", "-", "Ej färdigställt", "80 %", "1e9",
                     "=HYPERLINK(\"http://x\")", "@SUM(A1)", "250 000 kr", "", "Anonymous"]),
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def _parse(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(data)
        return check_contract(lambda: parse_export(path, REFERENCE, ROUND), path.name)


def _csv_bytes(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


@st.composite
def exports(draw) -> list[list[str]]:
    """A header (maybe with columns dropped, renamed or added) and rows of valid and nasty cells."""
    headings = list(HEADINGS)
    if draw(st.booleans()):
        headings = draw(st.permutations(headings))
    for _ in range(draw(st.integers(0, 2))):
        if headings and draw(st.booleans()):
            headings.pop(draw(st.integers(0, len(headings) - 1)))
        else:
            headings.insert(draw(st.integers(0, len(headings))), draw(NASTY))
    rows = [headings]
    for _ in range(draw(st.integers(0, 4))):
        row = [VALID.get(h, "") if draw(st.booleans()) else draw(CELL) for h in headings]
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row)
    return rows


@FUZZ
@given(rows=exports(), delimiter=st.sampled_from([",", ";"]), encoding=st.sampled_from(ENCODINGS))
@example(rows=[HEADINGS, [VALID.get(h, "") for h in HEADINGS]], delimiter=";", encoding="cp1252")
def test_csv_exports(rows, delimiter, encoding):
    _parse(_csv_bytes(rows, delimiter, encoding), ".csv")


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx"]))
@example(data=b"\xff\xfe\x00", suffix=".csv")  # a UTF-16 BOM with half a character
@example(data=b"PK\x03\x04" + b"\x00" * 40, suffix=".xlsx")
@example(data=b"a,b\n\x00\x00", suffix=".csv")
def test_arbitrary_bytes(data, suffix):
    _parse(data, suffix)


@FUZZ
@given(rows=exports(), data=st.data())
def test_bytes_flipped_in_a_valid_csv(rows, data):
    raw = bytearray(_csv_bytes(rows, ",", "utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _parse(bytes(raw), ".csv")


XLSX_VALUE = st.one_of(
    CELL,
    st.integers(-(10**9), 10**9), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", "=A1&B1"]),
)


@FUZZ
@given(rows=exports(), data=st.data())
def test_xlsx_exports_with_extra_sheets_merged_cells_formulas_dates_and_empty_rows(rows, data):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def legal(value):  # Excel files cannot hold control characters at all
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        if data.draw(st.booleans()) and data.draw(st.booleans()):
            sheet.append([])  # an empty row
        cells = [data.draw(XLSX_VALUE) if data.draw(st.booleans()) and i else v for i, v in enumerate(row)]
        sheet.append([legal(v) for v in cells])
    if data.draw(st.booleans()) and sheet.max_row > 1 and sheet.max_column > 1:
        sheet.merge_cells(start_row=2, start_column=1, end_row=min(3, sheet.max_row), end_column=2)
    for _ in range(data.draw(st.integers(0, 2))):
        extra = workbook.create_sheet(data.draw(st.sampled_from(["Blad2", "Giltiga val", "Sheet"])))
        extra.append([legal(data.draw(XLSX_VALUE)) for _ in range(3)])
    if data.draw(st.booleans()):
        workbook.move_sheet(workbook.worksheets[-1], offset=-(len(workbook.worksheets) - 1))  # answers not first
    buffer = io.BytesIO()
    workbook.save(buffer)
    _parse(buffer.getvalue(), ".xlsx")


def test_every_encoding_and_separator_reads_the_same_answers():
    rows = [HEADINGS, [VALID.get(h, "") for h in HEADINGS]]
    results = set()
    for encoding in ENCODINGS:
        for delimiter in (",", ";"):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "export.csv"
                path.write_bytes(_csv_bytes(rows, delimiter, encoding))
                export = parse_export(path, REFERENCE, ROUND)
                results.add(repr(sorted((k, sorted(v.goal_areas), v.funding) for k, v in export.responses.items())))
    assert len(results) == 1 and "miljokontoret" in results.pop()


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked(monkeypatch):
    import zipfile

    import ingest.tables

    monkeypatch.setattr(ingest.tables, "MAX_UNZIPPED_BYTES", 2**20)  # the real limit is 200 MB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 2**20))
    refusal = _parse(buffer.getvalue(), ".xlsx")
    assert refusal is not None and "för stort" in str(refusal) and len(buffer.getvalue()) < 2**16


def test_too_many_rows_is_refused_with_a_clear_message():
    data = ("Förvaltning\n" + "Miljökontoret\n" * 25_000).encode()
    refusal = _parse(data, ".csv")
    assert refusal is not None and "fler än 20000 rader" in str(refusal)


def test_answers_on_another_sheet_than_the_first_are_found():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Anteckningar"
    workbook.active.append(["Att göra", "klart"])
    answers = workbook.create_sheet("Svar")
    answers.append(HEADINGS)
    answers.append([VALID.get(h, "") for h in HEADINGS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        path.write_bytes(buffer.getvalue())
        assert "miljokontoret" in parse_export(path, REFERENCE, ROUND).responses
