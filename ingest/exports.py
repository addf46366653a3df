"""Survey exports stored under ingest/data/<round>/: a PII-free copy of each round's export and its manifest.

`kb ingest forms` never stores the file a coordinator gives it. It stores a sanitised copy in the
questionnaire's format (no e-mail or name columns, free text already redacted, one row per department,
extra rows for further free-text answers) plus `manifest.yml` recording where it came from, so that
`kb build` can reproduce the database from files in the repository.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest import forms_extra as extra
from ingest.forms import (
    CATEGORY_PREFIX,
    DEPARTMENT,
    DIFFICULT,
    FUNDING,
    GOAL_AREAS,
    POSITIVE,
    RESPONDENTS,
    STAFFED,
    FormsExport,
    parse_export,
)
from ingest.reference import Reference
from ingest.yamlfile import check_keys, read_yaml, strip_lines
from kb.core.errors import InputError, InputErrors
from kb.core.output import excel_safe
from kb.core.paths import INGEST_DIR

EXPORTS_DIR = INGEST_DIR / "data"
MANIFEST = "manifest.yml"
_MANIFEST_KEYS = {
    "round",
    "file",
    "source_id",
    "source_kind",
    "source_title",
    "original_name",
    "sha256",
    "rows",
    "ingested_at",
    "note",
    "reconstruction",
}


def manifest_source(manifest: dict, default_title: str) -> dict:
    """The `sources` row a stored round's manifest describes."""
    return {
        "id": manifest["source_id"],
        "kind": manifest.get("source_kind", "enkatexport"),
        "title": manifest.get("source_title") or default_title,
        "publisher": None,
        "url": None,
        "note": manifest.get("note"),
    }


@dataclass
class StoredExport:
    """One round's stored export with its provenance, parsed and validated."""

    round: int
    manifest: dict
    export: FormsExport

    @property
    def source(self) -> dict:
        m = self.manifest
        return manifest_source(m, f"Forms-export {m.get('original_name', m['file'])}")


def sanitised_csv(export: FormsExport, reference: Reference, round_: int) -> str:
    """The export in the questionnaire's own format, without personal data, one row per department.

    Further free-text answers and respondents' functions go on extra rows of the same department. The
    questions added after 2022 appear only when the export had them, so earlier rounds' copies keep their form.
    """
    names = {d["id"]: d["name"] for d in reference.departments}
    categories = reference.categories
    form_names = {f["id"]: f["name"] for f in reference.forms}
    form_order = {f["id"]: i for i, f in enumerate(reference.forms)}
    goal_names = {g["id"]: g["name"] for g in reference.goal_areas}
    goal_order = {g["id"]: i for i, g in enumerate(reference.goal_areas)}
    group_names = {g["id"]: g["name"] for g in reference.target_groups}
    group_order = {g["id"]: i for i, g in enumerate(reference.target_groups)}
    new = export.new_questions
    headings = [
        DEPARTMENT,
        RESPONDENTS,
        *[CATEGORY_PREFIX + c["name"] for c in categories],
        GOAL_AREAS,
        f"{FUNDING} {round_}",
        STAFFED,
        DIFFICULT,
        POSITIVE,
        *([extra.OCCASIONS_PREFIX + f["name"] for f in reference.forms] + [extra.TARGET_GROUPS, extra.FUNCTION]
          if new else []),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headings)
    for department_id, response in export.responses.items():
        by_category = {c["id"]: [] for c in categories}
        for category_id, form_id in response.collaborations:
            by_category[category_id].append(form_id)
        texts = {"svarighet": [], "positivt": []}
        for kind, text in response.statements:
            texts[kind].append(text)
        first = {
            RESPONDENTS: response.respondent_count or "",
            **{CATEGORY_PREFIX + c["name"]: ";".join(form_names[f] for f in sorted(by_category[c["id"]],
                                                                                    key=form_order.get))
               for c in categories},
            GOAL_AREAS: ";".join(goal_names[g] for g in sorted(response.goal_areas, key=goal_order.get)),
            f"{FUNDING} {round_}": response.funding[2] if response.funding else "",
            STAFFED: response.staffed[2] if response.staffed else "",
        }
        if new:
            first.update({extra.OCCASIONS_PREFIX + form_names[f]: n for f, n in response.occasions.items()})
            first[extra.TARGET_GROUPS] = ";".join(
                group_names[g] for g in sorted(response.target_groups, key=group_order.get))
        extra_rows = max(len(texts["svarighet"]), len(texts["positivt"]), len(response.functions), 1)
        for i in range(extra_rows):
            row = dict(first) if i == 0 else {}
            row[DEPARTMENT] = names[department_id]
            row[DIFFICULT] = texts["svarighet"][i] if i < len(texts["svarighet"]) else ""
            row[POSITIVE] = texts["positivt"][i] if i < len(texts["positivt"]) else ""
            if new:
                row[extra.FUNCTION] = response.functions[i] if i < len(response.functions) else ""
            writer.writerow([excel_safe(row.get(h, "")) for h in headings])  # opened in Excel: no formulas
    return buffer.getvalue()


def read_manifest(round_dir: Path) -> dict:
    path = round_dir / MANIFEST
    data = read_yaml(path)
    errors: list[InputError] = []
    if not isinstance(data, dict):
        raise InputErrors([InputError(str(path), None, None, "manifestet ska vara en mappning")])
    check_keys(path, data, {"round", "file", "source_id"}, _MANIFEST_KEYS - {"round", "file", "source_id"}, errors)
    if not round_dir.name.isdigit() or data.get("round") != int(round_dir.name):
        errors.append(InputError(str(path), None, "round", f"ska vara mappens år ({round_dir.name})"))
    if errors:
        raise InputErrors(errors)
    return strip_lines(data)


def load_stored_exports(reference: Reference, exports_dir: Path = EXPORTS_DIR) -> list[StoredExport]:
    """Parse every stored export under exports_dir/<round>/ (raises InputErrors on any problem)."""
    stored, errors = [], []
    if not exports_dir.is_dir():
        return []
    for round_dir in sorted(p for p in exports_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        if not any(round_dir.iterdir()):
            continue
        try:
            manifest = read_manifest(round_dir)
            path = round_dir / manifest["file"]
            export = parse_export(path, reference, manifest["round"], display_name=str(path))
            stored.append(StoredExport(manifest["round"], manifest, export))
        except InputErrors as exc:
            errors += exc.errors
        others = sorted(p.name for p in round_dir.iterdir() if p.is_file() and p.suffix in {".csv", ".xlsx"})
        if (round_dir / MANIFEST).exists():
            listed = read_yaml(round_dir / MANIFEST).get("file")
            for other in others:
                if other != listed:
                    errors.append(
                        InputError(
                            str(round_dir / other),
                            None,
                            None,
                            f"filen står inte i {MANIFEST}: lägg in den med `kb ingest forms`",
                        )
                    )
    if errors:
        raise InputErrors(errors)
    return stored


def export_rows(export: FormsExport) -> Iterable[dict]:
    """Rows for the response-level tables, ready to insert (without round and source)."""
    for department_id, response in export.responses.items():
        yield {"table": "responses", "department_id": department_id, "respondents": response.respondent_count}
        for category_id, form_id in sorted(response.collaborations):
            yield {
                "table": "collaborations",
                "department_id": department_id,
                "category_id": category_id,
                "form_id": form_id,
            }
        for goal_id in sorted(response.goal_areas):
            yield {"table": "department_goal_areas", "department_id": department_id, "goal_area_id": goal_id}
        amount, status, printed = response.funding or (None, "saknas", "")
        yield {
            "table": "funding",
            "department_id": department_id,
            "amount_sek": amount,
            "status": status,
            "printed": printed or None,
        }
        share, status, printed = response.staffed or (None, "saknas", "")
        yield {
            "table": "staffed_share",
            "department_id": department_id,
            "share_percent": share,
            "status": status,
            "printed": printed or None,
        }
        for form_id, occasions in sorted(response.occasions.items()):
            yield {"table": "collaboration_occasions", "department_id": department_id, "form_id": form_id,
                   "occasions": occasions}
        for group_id in sorted(response.target_groups):
            yield {"table": "department_target_groups", "department_id": department_id, "target_group_id": group_id}
        for position, function in enumerate(response.functions, start=1):
            yield {"table": "respondent_functions", "department_id": department_id, "function": function,
                   "position": position}
        counters: dict[str, int] = {}
        for kind, text in response.statements:
            counters[kind] = counters.get(kind, 0) + 1
            yield {
                "table": "statements",
                "department_id": department_id,
                "kind": kind,
                "text": text,
                "position": counters[kind],
            }
