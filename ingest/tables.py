"""Read a spreadsheet a user hands in (.xlsx, or .csv as Excel and Forms save it) into rows of text cells.

Hardened: CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or cp1252 (Swedish Excel's
"CSV (semikolonavgränsad)"), separated by comma, semicolon or tab; .xlsx checked for zip bombs before
openpyxl opens it (openpyxl parses its XML with defusedxml when installed, so no XXE or entity bombs);
size, row and column limits with a clear message. Every failure is an InputError naming the file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from pathlib import Path

from kb.core.errors import InputError, InputErrors
from kb.core.output import excel_unescape

MAX_FILE_BYTES = 20 * 1024 * 1024  # a Forms export of 10 000 answers is a few MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # all members of an .xlsx, uncompressed
MAX_ROWS = 20_000
MAX_COLUMNS = 1_000


def _refuse(name: str, message: str, row: int | None = None, column: str | None = None) -> InputErrors:
    return InputErrors([InputError(name, row, column, message)])


def cell_text(value) -> str:
    """A cell as NFC text without non-breaking spaces; whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def _xlsx_cell_text(cell) -> str:
    """A cell as text; a number formatted as a percentage (0.8 shown as 80 %) keeps its percent sign."""
    value = getattr(cell, "value", None)
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (
        getattr(cell, "number_format", "") or ""
    ):
        return f"{cell_text(round(value * 100, 6))} %"
    return cell_text(value)


def _check_zip(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(name, f"filen är inte ett Excel-kalkylark ({exc})") from None
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise _refuse(name, f"kalkylarket packas upp till mer än {MAX_UNZIPPED_BYTES // 2**20} MB: för stort")


def _answer_sheet(workbook, heading: str | None):
    """The first sheet whose first row holds `heading` (a user may have added sheets before the answers),
    else the first sheet."""
    if heading:
        wanted = heading.casefold()
        for sheet in workbook.worksheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            if any(cell_text(v).casefold() == wanted for v in first[:MAX_COLUMNS]):
                return sheet
    return workbook.worksheets[0]


def _read_xlsx(name: str, data: bytes, heading: str | None = None) -> list[list[str]]:
    _check_zip(name, data)
    from openpyxl import load_workbook

    rows: list[list[str]] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = _answer_sheet(workbook, heading)
            for row in sheet.iter_rows():
                if len(rows) >= MAX_ROWS:
                    raise _refuse(name, f"fler än {MAX_ROWS} rader: för stor för en enkätexport", len(rows) + 1)
                cells = [_xlsx_cell_text(cell) for cell in row[: MAX_COLUMNS + 1]]
                rows.append(cells)
        finally:
            workbook.close()
    except InputErrors:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; all mean "unreadable"
        raise _refuse(name, f"filen är inte ett läsbart Excel-kalkylark ({type(exc).__name__}: {exc})") from None
    return rows


def _decode(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _refuse(name, "CSV-filen ser ut som UTF-16 men går inte att avkoda") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # what Swedish Excel writes for "CSV (semikolonavgränsad)"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(name, "CSV-filen har en okänd teckenkodning (spara som CSV UTF-8)", line) from None


def _read_csv(name: str, data: bytes) -> list[list[str]]:
    text = _decode(name, data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _refuse(name, "CSV-filen innehåller NUL-tecken: är den ett kalkylark sparat som något annat?", line)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise _refuse(name, f"fler än {MAX_ROWS} rader: för stor för en enkätexport", len(rows) + 1)
            if len(row) > MAX_COLUMNS:
                raise _refuse(name, f"fler än {MAX_COLUMNS} kolumner", reader.line_num)
            rows.append([cell_text(excel_unescape(v)) for v in row])
    except csv.Error as exc:
        raise _refuse(name, f"CSV-filen kan inte tolkas ({exc})", reader.line_num) from None
    return rows


def read_table(path: Path, heading: str | None = None) -> list[list[str]]:
    """All rows of a .csv file, or of an .xlsx file's first sheet (the first with `heading` in its first row,
    if given), as text cells."""
    name = str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise _refuse(name, "filen finns inte")
    if not path.is_file():
        raise _refuse(name, "är ingen fil")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(name, f"filen är för stor ({size // 2**20} MB; högst {MAX_FILE_BYTES // 2**20} MB)")
    data = path.read_bytes()
    if not data.strip():
        raise _refuse(name, "filen är tom")
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(name, data, heading)
    if suffix == ".csv":
        return _read_csv(name, data)
    raise _refuse(name, "filen är inte ett kalkylark (.xlsx eller .csv)")


def column_name(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
