"""REFI-QDA exchange: codebook (.qdc) and coded project (.qdpx) export (import: kb.coding.refiqda_import).

Follows the REFI-QDA standard 1.5 (namespaces ``urn:QDA-XML:codebook:1.0`` and
``urn:QDA-XML:project:1.0``): positions are Unicode code points over the stored text, end
exclusive; a .qdpx is a zip of ``project.qde`` and a flat ``sources/`` folder of UTF-8 ``.txt``
files (no byte-order mark) referenced as ``internal://<GUID>.txt``; GUIDs are uuid5 of stable ids,
so exporting the same data twice gives identical files. Each statement is a text source; sources
are grouped into cases per department and round. A coding's memo (the selection's Description) is
Swedish text for the researcher (kb.coding.refiqda_text); our own fields of a coding (status, rule,
layer, confidence, ...) travel as JSON in one project Note, which kb.coding.refiqda_import reads back,
so export -> import is lossless.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import sqlite_utils

from kb.coding.codebook import Codebook
from kb.coding.refiqda_text import KINDS, case_memo, case_name, coding_memo, source_memo
from kb.coding.store import ACCEPTED, REJECTED

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_BASE = uuid.uuid5(uuid.NAMESPACE_URL, "https://samverkan-kb/refi-qda")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_OWN_FIELDS = (
    "status",
    "theme_id",
    "coder",
    "rule",
    "layer",
    "confidence",
    "negated",
    "decided_by",
    "decided_at",
    "created_at",
    "codebook_version",
    "note",
    "model_score",
)
_COLORS = {"svarighet": "#C0392B", "positivt": "#27AE60"}
_CASE_COLOR = "#34495E"
_CASE_CODE_NOTE = "(Koden markerar fallets svar; QualCoder läser den som fallet, inte som ett tema.)"
_VARIABLES = {
    "omgång": "Inventeringens år (fallvariabel).",
    "förvaltning": "Förvaltningen som svarade (fallvariabel); saknas när förvaltningen inte är känd.",
    "typ": "Om svaret gäller något svårt eller positivt med samverkan (variabel för varje svar).",
}
META_NOTE = "Samverkan KB: kodningarnas maskinläsbara uppgifter"
_META_NOTE_DESCRIPTION = (
    "Maskinläsbara uppgifter (JSON) om varje kodning, nycklade på markeringens GUID, så att "
    "`kb import qdpx` kan läsa tillbaka projektet utan förlust. Läs kodningarnas memon i stället."
)


def guid(kind: str, key: Any) -> str:
    """A deterministic GUID for an entity (uuid5 of its kind and stable id)."""
    return str(uuid.uuid5(_BASE, f"{kind}:{key}")).upper()


def _themes_from_db(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM themes ORDER BY is_group DESC, kind, position"))


def _themes_from_codebook(codebook: Codebook) -> list[dict[str, Any]]:
    rows = [
        {"id": p.id, "kind": p.kind, "label": p.label, "parent": None, "is_group": 1, "definition": p.definition}
        for p in codebook.parents
    ]
    rows += [
        {"id": t.id, "kind": t.kind, "label": t.label, "parent": t.parent, "is_group": 0, "definition": t.definition}
        for t in codebook.themes
    ]
    return rows


def _codes(parent: ET.Element, ns: str, themes: list[dict[str, Any]]) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    ids = {t["id"] for t in themes}
    for theme in themes:
        key = theme["parent"] if theme["parent"] in ids else None
        by_parent.setdefault(key, []).append(theme)

    def add(element: ET.Element, theme: dict[str, Any]) -> None:
        code = ET.SubElement(
            element,
            f"{{{ns}}}Code",
            {
                "guid": guid("theme", theme["id"]),
                "name": theme["label"] or theme["id"],
                "isCodable": "false" if theme["is_group"] else "true",
                "color": _COLORS.get(theme["kind"], "#7F8C8D"),
            },
        )
        description = f"[{theme['id']}] {theme.get('definition') or ''}".strip()
        ET.SubElement(code, f"{{{ns}}}Description").text = description
        for child in by_parent.get(theme["id"], []):
            add(code, child)

    for theme in by_parent.get(None, []):
        add(codes, theme)


def _xml_bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_qdc(path: Path, codebook: Codebook | None = None, db: sqlite_utils.Database | None = None) -> int:
    """Write the codebook as a REFI-QDA .qdc file; returns the number of codes."""
    themes = _themes_from_db(db) if db is not None else _themes_from_codebook(codebook)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": "Samverkan KB"})
    _codes(root, CODEBOOK_NS, themes)
    Path(path).write_bytes(_xml_bytes(root, CODEBOOK_NS))
    return len(themes)


def _variable_value(parent: ET.Element, name: str, value: Any, type_: str) -> None:
    vv = ET.SubElement(parent, f"{{{PROJECT_NS}}}VariableValue")
    ET.SubElement(vv, f"{{{PROJECT_NS}}}VariableRef", {"targetGUID": guid("variable", name)})
    ET.SubElement(vv, f"{{{PROJECT_NS}}}{type_}Value").text = str(value)


def _add_coding(selection: ET.Element, ns: str, coding_row: dict[str, Any]) -> None:
    """The Coding of a selection; a rejected coding has none (other tools show its memo as an annotation)."""
    if coding_row["status"] == REJECTED:
        return
    coding = ET.SubElement(
        selection,
        f"{{{ns}}}Coding",
        {
            "guid": guid("coding", coding_row["id"]),
            "creatingUser": guid("user", coding_row["decided_by"] or coding_row["coder"]),
        },
    )
    ET.SubElement(coding, f"{{{ns}}}CodeRef", {"targetGUID": guid("theme", coding_row["theme_id"])})


def _xml_datetime(stamp: str | None) -> str | None:
    """An ISO 8601 timestamp as xsd:dateTime in UTC ('...Z'), or None."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _cases(db: sqlite_utils.Database, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One case per department and round, with its statements' GUIDs and the values it has."""
    departments = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM departments")}
    grouped: dict[tuple[Any, Any], list[str]] = {}
    for s in statements:
        grouped.setdefault((s["department_id"], s["round"]), []).append(guid("statement", s["id"]))
    cases = []
    for (dept, round_), sources in sorted(grouped.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        name = departments.get(dept, dept)
        values = {"omgång": ("Integer", round_), "förvaltning": ("Text", name)}
        cases.append({
            "guid": guid("case", f"{dept}|{round_}"),
            "name": case_name(name, round_),
            "memo": case_memo(name, round_, len(sources)),
            "values": {k: v for k, v in values.items() if v[1] not in (None, "")},
            "sources": sources,
        })
    return cases


def export_qdpx(db: sqlite_utils.Database, path: Path, include_proposed: bool = False) -> dict[str, int]:
    """Write statements and their codings as a .qdpx project (accepted codings unless include_proposed).

    Readable in QualCoder, NVivo and ATLAS.ti: a coding's memo is Swedish text (refiqda_text), its
    machine fields go in one project Note (JSON keyed by selection GUID) that `kb import qdpx` reads.
    Each case (department and round) lists its sources as SourceRefs and, because QualCoder's importer
    links a case to text only through a code with the case's GUID, also codes each of its sources in full
    with such a code. Case variables (omgång, förvaltning) and file variables (typ) never overlap, and a
    variable without a value is left out. With include_proposed every coding goes along, proposals and
    rejections too, so that export -> import is lossless: a rejected coding is a selection without a Coding.
    """
    p = PROJECT_NS
    themes = _themes_from_db(db)
    labels = {t["id"]: t["label"] or t["id"] for t in themes}
    statements = list(db.query("SELECT * FROM statements ORDER BY round, department_id, position, id"))
    where = "negated = 0" if include_proposed else f"negated = 0 AND status = '{ACCEPTED}'"
    codings: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(f'SELECT * FROM codings WHERE {where} ORDER BY statement_id, start, "end", theme_id, coder'):
        codings.setdefault(row["statement_id"], []).append(row)
    users = sorted(
        {c["coder"] for rows in codings.values() for c in rows}
        | {c["decided_by"] for rows in codings.values() for c in rows if c["decided_by"]}
    )
    cases = _cases(db, statements)
    case_of = {source: case["guid"] for case in cases for source in case["sources"]}
    root = ET.Element(f"{{{p}}}Project", {"name": "Samverkan KB", "origin": "Samverkan KB"})
    if users:
        users_el = ET.SubElement(root, f"{{{p}}}Users")
        for user in users:
            ET.SubElement(users_el, f"{{{p}}}User", {"guid": guid("user", user), "name": user})
    codebook = ET.SubElement(root, f"{{{p}}}CodeBook")
    _codes(codebook, p, themes)
    codes_el = codebook.find(f"{{{p}}}Codes")
    for case in cases:  # the case codes QualCoder reads as cases; no theme of ours
        code = ET.SubElement(codes_el, f"{{{p}}}Code", {"guid": case["guid"], "name": case["name"],
                                                        "isCodable": "true", "color": _CASE_COLOR})
        ET.SubElement(code, f"{{{p}}}Description").text = case["memo"] + " " + _CASE_CODE_NOTE
    kinds = {s["kind"] for s in statements if s["kind"]}
    variables = [(name, type_) for name, type_ in (("omgång", "Integer"), ("förvaltning", "Text"))
                 if any(name in c["values"] for c in cases)] + ([("typ", "Text")] if kinds else [])
    if variables:
        variables_el = ET.SubElement(root, f"{{{p}}}Variables")
        for name, type_ in variables:
            var = ET.SubElement(variables_el, f"{{{p}}}Variable",
                                {"guid": guid("variable", name), "name": name, "typeOfVariable": type_})
            ET.SubElement(var, f"{{{p}}}Description").text = _VARIABLES[name]
    if cases:
        cases_el = ET.SubElement(root, f"{{{p}}}Cases")
        for case in cases:
            case_el = ET.SubElement(cases_el, f"{{{p}}}Case", {"guid": case["guid"], "name": case["name"]})
            ET.SubElement(case_el, f"{{{p}}}Description").text = case["memo"]
            for name, (type_, value) in case["values"].items():
                _variable_value(case_el, name, value, type_)
            for source_guid in case["sources"]:
                ET.SubElement(case_el, f"{{{p}}}SourceRef", {"targetGUID": source_guid})
    files: dict[str, str] = {}
    machine: dict[str, dict[str, Any]] = {}
    count = 0
    if statements:
        sources = ET.SubElement(root, f"{{{p}}}Sources")
        for s in statements:
            sguid, text = guid("statement", s["id"]), s["text"] or ""
            files[f"sources/{sguid}.txt"] = text
            source = ET.SubElement(sources, f"{{{p}}}TextSource",
                                   {"guid": sguid, "name": s["id"], "plainTextPath": f"internal://{sguid}.txt"})
            ET.SubElement(source, f"{{{p}}}Description").text = source_memo(s["kind"], s["round"], s["source_id"])
            rows = codings.get(s["id"], [])
            ordered = [c for c in rows if c["start"] is not None and c["end"] is not None]
            ordered += [c for c in rows if c["start"] is None or c["end"] is None]
            for c in ordered:
                count += 1
                whole = c["start"] is None or c["end"] is None
                attrs = {
                    "guid": guid("selection", c["id"]),
                    "name": "" if whole else c["text"] or "",
                    "startPosition": "0" if whole else str(c["start"]),
                    "endPosition": str(len(text)) if whole else str(c["end"]),
                    "creatingUser": guid("user", c["coder"]),
                }
                created = _xml_datetime(c["created_at"])
                if created:
                    attrs["creationDateTime"] = created
                sel = ET.SubElement(source, f"{{{p}}}PlainTextSelection", attrs)
                ET.SubElement(sel, f"{{{p}}}Description").text = coding_memo(c, labels.get(c["theme_id"],
                                                                                        c["theme_id"]), whole)
                _add_coding(sel, p, c)
                machine[attrs["guid"]] = {k: c[k] for k in _OWN_FIELDS} | ({"whole": True} if whole else {})
            if sguid in case_of:  # the whole source coded with its case's code: how QualCoder finds case text
                link = ET.SubElement(source, f"{{{p}}}PlainTextSelection", {
                    "guid": guid("case-link", s["id"]), "name": "", "startPosition": "0",
                    "endPosition": str(len(text))})
                coding = ET.SubElement(link, f"{{{p}}}Coding", {"guid": guid("case-link-coding", s["id"])})
                ET.SubElement(coding, f"{{{p}}}CodeRef", {"targetGUID": case_of[sguid]})
            if s["kind"]:
                _variable_value(source, "typ", KINDS.get(s["kind"], s["kind"]), "Text")
    if machine:
        stamps = [c[k] for rows in codings.values() for c in rows for k in ("created_at", "decided_at")]
        when = max((x for x in map(_xml_datetime, stamps) if x), default="1980-01-01T00:00:00Z")
        notes = ET.SubElement(root, f"{{{p}}}Notes")
        note = ET.SubElement(notes, f"{{{p}}}Note", {"guid": guid("note", META_NOTE), "name": META_NOTE,
                                                     "creationDateTime": when})
        ET.SubElement(note, f"{{{p}}}Description").text = _META_NOTE_DESCRIPTION
        ET.SubElement(note, f"{{{p}}}PlainTextContent").text = json.dumps(
            machine, ensure_ascii=False, sort_keys=True, indent=1)
    xml = _xml_bytes(root, p)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", xml)] + [(k, v.encode("utf-8")) for k, v in sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return {"statements": len(statements), "codings": count, "codes": len(themes), "cases": len(cases)}
