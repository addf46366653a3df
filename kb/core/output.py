"""Print rows for people (an aligned table) or machines (JSON, CSV).

CSV is what people open in Excel, so a text cell that Excel would run as a formula (it starts with
= + - @, a tab or a carriage return) gets a leading apostrophe, as OWASP recommends against CSV
injection; numbers, and a lone "-" (the report's "not reported"), stay as they are. JSON is left
exact: it is for programs, and Excel's JSON import (Power Query) never evaluates cells.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

import click

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Utdataformat: table för människor, json eller csv för program.",
)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d[\d\s]*)?(?:[.,]\d+)?(?:[eE][+-]?\d+)?%?")


def excel_safe(value: Any) -> Any:
    """A CSV cell that Excel shows as text: a formula-like text gets a leading apostrophe."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or value == "-":
        return value
    if _NUMBER.fullmatch(value.strip()) and any(ch.isdigit() for ch in value):
        return value
    return "'" + value


def excel_unescape(value: str) -> str:
    """Undo excel_safe when reading back a CSV file this project wrote."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START) and excel_safe(value[1:]) == value:
        return value[1:]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def render_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    """An aligned plain-text table."""
    if not rows:
        return "(inga rader)"
    columns = list(columns or rows[0].keys())
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def render(rows: Sequence[dict], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Rows as table, json or csv text."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        fields = list(columns or (rows[0].keys() if rows else []))
        writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: excel_safe(v) for k, v in row.items()} for row in rows)
        return buffer.getvalue().rstrip("\n")
    return render_table(rows, columns)
