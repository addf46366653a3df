"""Read the first sheet of an .xlsx file, or a .csv file, as rows of text cells (NFC, trimmed)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from pathlib import Path

from kb.core.errors import InputError, InputErrors


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").strip()


def _xlsx_cell_text(cell) -> str:
    """A cell as text; a number formatted as a percentage (0.8 shown as 80 %) keeps its percent sign."""
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{_cell_text(round(value * 100, 6))} %"
    return _cell_text(value)


def read_table(path: Path) -> list[list[str]]:
    """All rows of the first sheet of an .xlsx file or of a .csv file, as text cells."""
    name = str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputErrors([InputError(name, None, None, "filen finns inte")])
    data = path.read_bytes()
    if not data.strip():
        raise InputErrors([InputError(name, None, None, "filen är tom")])
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise InputErrors([InputError(name, None, None, f"filen är inte ett Excel-kalkylark ({exc})")]) from None
        sheet = workbook.worksheets[0]
        rows = [[_xlsx_cell_text(cell) for cell in row] for row in sheet.iter_rows()]
        workbook.close()
        return rows
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputErrors([InputError(name, None, None, "CSV-filen är inte UTF-8 (spara som CSV UTF-8)")]) from None
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        return [[_cell_text(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    raise InputErrors([InputError(name, None, None, "filen är inte ett kalkylark (.xlsx eller .csv)")])
