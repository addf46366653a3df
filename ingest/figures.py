"""The report's published figures (Tables 1-8 and figures stated in the text) and its free-text lists."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from ingest.reference import Reference
from ingest.values import (
    REPORTED,
    ValueParseError,
    decimals_of,
    parse_amount,
    parse_count,
    parse_decimal,
    parse_percent,
)
from ingest.yamlfile import check_keys, line_of, read_yaml, strip_lines
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR

REPORT_DIR = INGEST_DIR / "report"
TOTAL_ROW_ID = "kommuntotal"

_SINGULAR = {
    "categories": "kategori",
    "forms": "samverkansform",
    "goal_areas": "delmålområde",
    "departments": "förvaltning",
}


def parse_measure(measure: str, printed: str) -> tuple[float | int | None, str]:
    """Read a printed figure according to what it measures."""
    if measure == "amount_sek":
        return parse_amount(printed)
    if measure == "share_percent":
        return parse_percent(printed)
    if measure.startswith("average"):
        return parse_decimal(printed), REPORTED
    return parse_count(printed)


def _figure(round_: int, table: dict, row_id: str, label: str, measure: str, printed: str, source_id: str) -> dict:
    value, status = parse_measure(measure, printed)
    return {
        "id": f"{round_}-t{table['table_no']}-{row_id}-{measure}",
        "round": round_,
        "table_no": table["table_no"],
        "reference": f"Tabell {table['table_no']}",
        "section": table["section"],
        "title": table["title"],
        "row_kind": table["rows"],
        "row_id": row_id,
        "row_label": label,
        "measure": measure,
        "column_heading": table["columns"][measure],
        "printed": printed,
        "value": value,
        "decimals": decimals_of(printed) if status == REPORTED else None,
        "status": status,
        "source_id": source_id,
    }


def _read_csv(path: Path) -> list[tuple[int, dict]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [(number, row) for number, row in enumerate(csv.DictReader(handle), start=2)]


def load_published_figures(reference: Reference, directory: Path = REPORT_DIR) -> list[dict]:
    """Every figure of Tables 1-8 and the text, validated against the reference data."""
    errors: list[InputError] = []
    meta_path = directory / "tables.yml"
    meta = read_yaml(meta_path)
    round_, source_id = meta["round"], meta["source_id"]
    figures: list[dict] = []
    for table in meta["tables"]:
        check_keys(meta_path, table, {"table_no", "file", "title", "section", "rows", "columns"}, {"total_row"}, errors)
        table = strip_lines(table)
        resolver = reference.resolver(table["rows"])
        path = directory / table["file"]
        seen: set[str] = set()
        for line, row in _read_csv(path):
            label = unicodedata.normalize("NFC", (row.get("row") or "").strip())
            if table.get("total_row") and label == table["total_row"]:
                row_id = TOTAL_ROW_ID
            else:
                row_id = resolver.get(label)
            if row_id is None:
                errors.append(
                    InputError(str(path), line, "row", resolver.unknown_message(label, _SINGULAR[table["rows"]]))
                )
                continue
            if row_id in seen:
                errors.append(InputError(str(path), line, "row", f"{label!r} förekommer två gånger"))
            seen.add(row_id)
            for measure in table["columns"]:
                printed = (row.get(measure) or "").strip()
                try:
                    figures.append(_figure(round_, table, row_id, label, measure, printed, source_id))
                except ValueParseError as exc:
                    errors.append(InputError(str(path), line, measure, str(exc)))
        expected = set(resolver.names)
        if table["rows"] == "departments":  # only the organisation of the report's round (issue 11)
            expected = set(reference.organisation().departments_in(round_))
        missing = expected - seen
        if missing:
            errors.append(InputError(str(path), None, "row", f"rader saknas för: {', '.join(sorted(missing))}"))
    text_path = directory / "text_figures.csv"
    for line, row in _read_csv(text_path):
        try:
            value, status = parse_measure(row["measure"], row["printed"])
        except ValueParseError as exc:
            errors.append(InputError(str(text_path), line, "printed", str(exc)))
            continue
        figures.append(
            {
                "id": f"{round_}-text-{row['id']}",
                "round": round_,
                "table_no": None,
                "reference": "Text",
                "section": row["section"],
                "title": row["quote"],
                "row_kind": "kommun",
                "row_id": TOTAL_ROW_ID,
                "row_label": "Kommuntotal",
                "measure": row["measure"],
                "column_heading": None,
                "printed": row["printed"],
                "value": value,
                "decimals": decimals_of(row["printed"]),
                "status": status,
                "source_id": source_id,
            }
        )
    if errors:
        raise InputErrors(errors)
    for position, figure in enumerate(figures, start=1):
        figure["position"] = position
    return figures


def load_report_statements(directory: Path = REPORT_DIR) -> list[dict]:
    """The report's two free-text lists as statements of kind svarighet / positivt."""
    path = directory / "statements.yml"
    data = read_yaml(path)
    errors: list[InputError] = []
    statements = []
    for block in data["lists"]:
        check_keys(path, block, {"kind", "section", "items"}, set(), errors)
        if block.get("kind") not in {"svarighet", "positivt"}:
            errors.append(InputError(str(path), line_of(block), "kind", "ska vara 'svarighet' eller 'positivt'"))
            continue
        for position, text in enumerate(block["items"], start=1):
            statements.append(
                {
                    "id": f"{data['round']}-rapport-{block['kind']}-{position:02d}",
                    "round": data["round"],
                    "kind": block["kind"],
                    "department_id": None,
                    "question_id": "vad-upplever-forvaltningar-som-svart-respektive-positivt-med-samverkan",
                    "text": unicodedata.normalize("NFC", str(text).strip()),
                    "position": position,
                    "source_id": data["source_id"],
                }
            )
    if errors:
        raise InputErrors(errors)
    return statements


def load_known_inconsistencies(directory: Path = REPORT_DIR, source_id: str = "rapport-2022") -> list[dict]:
    """Recorded inconsistencies of the report, each with its explanation."""
    path = directory / "known_inconsistencies.yml"
    errors: list[InputError] = []
    records = []
    for item in read_yaml(path) or []:
        check_keys(
            path, item, {"id", "explanation"}, {"check", "rows", "tolerance_total", "published", "computed"}, errors
        )
        records.append(
            {
                "id": item.get("id"),
                "check_id": item.get("check"),
                "rows": ";".join(item.get("rows") or []) or None,
                "tolerance_total": item.get("tolerance_total"),
                "published": item.get("published"),
                "computed": item.get("computed"),
                "explanation": " ".join(str(item.get("explanation", "")).split()),
                "source_id": source_id,
            }
        )
    if errors:
        raise InputErrors(errors)
    return records
