"""REFI-QDA exchange: codebook (.qdc) and coded project (.qdpx) export, project import.

Follows the REFI-QDA standard 1.5 (namespaces ``urn:QDA-XML:codebook:1.0`` and
``urn:QDA-XML:project:1.0``): positions are Unicode code points over the stored text, end
exclusive; a .qdpx is a zip of ``project.qde`` and a flat ``sources/`` folder of UTF-8 ``.txt``
files (no byte-order mark) referenced as ``internal://<GUID>.txt``; GUIDs are uuid5 of stable ids,
so exporting the same data twice gives identical files. Each statement is a text source; sources
are grouped into cases per department and round. Our own fields of a coding (status, rule,
layer, confidence, ...) travel in the selection's Description as JSON, so export -> import is
lossless.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import sqlite_utils

from kb.coding.codebook import Codebook
from kb.coding.store import ACCEPTED, PROPOSED, REJECTED, coding_id, ensure_coding_schema
from kb.core.errors import InputError, InputErrors

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
    """The Coding of a selection; a rejected coding has none (its status travels in the description)."""
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


def export_qdpx(db: sqlite_utils.Database, path: Path, include_proposed: bool = False) -> dict[str, int]:
    """Write statements and their codings as a .qdpx project (accepted codings unless include_proposed).

    With include_proposed every coding goes along, proposals and rejections too, so that export -> import
    is lossless: a rejected coding is a selection without a Coding (other tools show it as not coded), its
    theme and status in the selection's description.
    """
    p = PROJECT_NS
    themes = _themes_from_db(db)
    statements = list(db.query("SELECT * FROM statements ORDER BY round, department_id, position, id"))
    departments = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM departments")}
    where = "negated = 0" if include_proposed else f"negated = 0 AND status = '{ACCEPTED}'"
    codings: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(f'SELECT * FROM codings WHERE {where} ORDER BY statement_id, start, "end", theme_id, coder'):
        codings.setdefault(row["statement_id"], []).append(row)
    users = sorted(
        {c["coder"] for rows in codings.values() for c in rows}
        | {c["decided_by"] for rows in codings.values() for c in rows if c["decided_by"]}
    )
    root = ET.Element(f"{{{p}}}Project", {"name": "Samverkan KB", "origin": "Samverkan KB"})
    if users:
        users_el = ET.SubElement(root, f"{{{p}}}Users")
        for user in users:
            ET.SubElement(users_el, f"{{{p}}}User", {"guid": guid("user", user), "name": user})
    codebook = ET.SubElement(root, f"{{{p}}}CodeBook")
    _codes(codebook, p, themes)
    variables = ET.SubElement(root, f"{{{p}}}Variables")
    for name, type_ in (("omgång", "Integer"), ("förvaltning", "Text"), ("typ", "Text")):
        ET.SubElement(
            variables, f"{{{p}}}Variable", {"guid": guid("variable", name), "name": name, "typeOfVariable": type_}
        )
    cases: dict[tuple[Any, Any], list[str]] = {}
    for s in statements:
        cases.setdefault((s["department_id"], s["round"]), []).append(guid("statement", s["id"]))
    if cases:
        cases_el = ET.SubElement(root, f"{{{p}}}Cases")
        for (dept, round_), source_guids in sorted(cases.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            name = f"{departments.get(dept, dept or 'okänd förvaltning')} {round_}"
            case = ET.SubElement(cases_el, f"{{{p}}}Case", {"guid": guid("case", f"{dept}|{round_}"), "name": name})
            if round_ is not None:
                _variable_value(case, "omgång", round_, "Integer")
            _variable_value(case, "förvaltning", departments.get(dept, dept or ""), "Text")
            for source_guid in source_guids:
                ET.SubElement(case, f"{{{p}}}SourceRef", {"targetGUID": source_guid})
    files: dict[str, str] = {}
    count = 0
    if statements:
        sources = ET.SubElement(root, f"{{{p}}}Sources")
        for s in statements:
            sguid = guid("statement", s["id"])
            files[f"sources/{sguid}.txt"] = s["text"] or ""
            source = ET.SubElement(
                sources,
                f"{{{p}}}TextSource",
                {"guid": sguid, "name": s["id"], "plainTextPath": f"internal://{sguid}.txt"},
            )
            whole = []
            for c in codings.get(s["id"], []):
                count += 1
                own = json.dumps({k: c[k] for k in _OWN_FIELDS}, ensure_ascii=False, sort_keys=True)
                if c["start"] is None or c["end"] is None:
                    whole.append((c, own))
                    continue
                sel = ET.SubElement(
                    source,
                    f"{{{p}}}PlainTextSelection",
                    {
                        "guid": guid("selection", c["id"]),
                        "name": c["text"] or "",
                        "startPosition": str(c["start"]),
                        "endPosition": str(c["end"]),
                        "creatingUser": guid("user", c["coder"]),
                    },
                )
                ET.SubElement(sel, f"{{{p}}}Description").text = own
                _add_coding(sel, p, c)
            for c, own in whole:
                # A whole-statement coding: a selection over the full text, marked in its description.
                sel = ET.SubElement(
                    source,
                    f"{{{p}}}PlainTextSelection",
                    {
                        "guid": guid("selection", c["id"]),
                        "name": "",
                        "startPosition": "0",
                        "endPosition": str(len(s["text"] or "")),
                        "creatingUser": guid("user", c["coder"]),
                    },
                )
                ET.SubElement(sel, f"{{{p}}}Description").text = json.dumps(
                    json.loads(own) | {"whole": True}, ensure_ascii=False, sort_keys=True
                )
                _add_coding(sel, p, c)
            if s["round"] is not None:
                _variable_value(source, "omgång", s["round"], "Integer")
            _variable_value(
                source, "förvaltning", departments.get(s["department_id"], s["department_id"] or ""), "Text"
            )
            _variable_value(source, "typ", s["kind"] or "", "Text")
    xml = _xml_bytes(root, p)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", xml)] + [(k, v.encode("utf-8")) for k, v in sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return {"statements": len(statements), "codings": count, "codes": len(themes)}


def import_qdpx(db: sqlite_utils.Database, path: Path, default_coder: str = "import") -> dict[str, Any]:
    """Read codings from a .qdpx into ``codings`` (statements and themes must exist in the db)."""
    p = f"{{{PROJECT_NS}}}"
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "project.qde" not in names:
                raise InputErrors([InputError(str(path), None, None, "project.qde saknas i arkivet")])
            root = ET.fromstring(archive.read("project.qde"))
            texts = {n: archive.read(n).decode("utf-8-sig") for n in names if n.lower().startswith("sources/")}
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputErrors([InputError(str(path), None, None, f"ingen giltig .qdpx-fil: {exc}")]) from None
    except ET.ParseError as exc:
        raise InputErrors([InputError(str(path), None, None, f"project.qde är inte giltig XML: {exc}")]) from None
    ensure_coding_schema(db)
    users = {u.get("guid", "").upper(): u.get("name") or default_coder for u in root.iter(f"{p}User")}
    theme_by_guid = {guid("theme", r[0]): r[0] for r in db.execute("SELECT id FROM themes")}
    label_to_id = {r[1]: r[0] for r in db.execute("SELECT id, label FROM themes")}
    for code in root.iter(f"{p}Code"):
        g = code.get("guid", "").upper()
        if g not in theme_by_guid and code.get("name") in label_to_id:
            theme_by_guid[g] = label_to_id[code.get("name")]
    statements = {r[0]: r[1] for r in db.execute("SELECT id, text FROM statements")}
    by_guid = {guid("statement", sid): sid for sid in statements}
    rows, errors, unknown_codes = [], [], set()
    for source in root.iter(f"{p}TextSource"):
        sid = by_guid.get(source.get("guid", "").upper()) or source.get("name")
        if sid not in statements:
            errors.append(InputError(str(path), None, "TextSource", f"okänt svar {source.get('name')!r}"))
            continue
        text = statements[sid]
        rel = (source.get("plainTextPath") or "").replace("internal://", "sources/")
        if rel in texts and texts[rel] != text:
            errors.append(InputError(str(path), None, rel, f"texten skiljer sig från svaret {sid!r} i databasen"))
            continue
        for sel in source.findall(f"{p}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            if not 0 <= start <= end <= len(text):
                errors.append(InputError(
                    str(path), None, "PlainTextSelection",
                    f"markeringen {start}-{end} ligger utanför svaret {sid!r} ({len(text)} tecken)",
                ))
                continue
            desc = sel.find(f"{p}Description")
            own: dict[str, Any] = {}
            if desc is not None and desc.text:
                try:
                    own = json.loads(desc.text)
                except ValueError:
                    own = {"note": desc.text}
            if own.get("whole"):
                start_v, end_v = None, None
            else:
                start_v, end_v = start, end
            applied = [
                (coding, theme_by_guid.get(((ref.get("targetGUID") if ref is not None else "") or "").upper()),
                 ((ref.get("targetGUID") if ref is not None else "") or "").upper())
                for coding in sel.findall(f"{p}Coding")
                for ref in [coding.find(f"{p}CodeRef")]
            ]
            if not applied and own.get("status") == REJECTED and own.get("theme_id"):
                applied = [(sel, own["theme_id"], own["theme_id"])]  # a rejected coding: no Coding element
            for coding, theme_id, code_guid in applied:
                if theme_id is None:
                    unknown_codes.add(code_guid)
                    continue
                user = users.get((coding.get("creatingUser") or sel.get("creatingUser") or "").upper(), default_coder)
                coder = own.get("coder") or user
                row = {
                    "statement_id": sid,
                    "theme_id": theme_id,
                    "start": start_v,
                    "end": end_v,
                    "text": text[start:end] if start_v is not None else None,
                    "rule": own.get("rule", "import:qdpx"),
                    "layer": own.get("layer", "manuell"),
                    "confidence": own.get("confidence", 1.0),
                    "negated": int(own.get("negated", 0)),
                    "coder": coder,
                    "status": own.get("status", ACCEPTED),
                    "decided_by": own.get("decided_by", None if own.get("status") == PROPOSED else user)
                    if own
                    else user,
                    "decided_at": own.get("decided_at", coding.get("creationDateTime")),
                    "created_at": own.get("created_at", coding.get("creationDateTime")),
                    "codebook_version": own.get("codebook_version"),
                    "note": own.get("note"),
                    "model_score": own.get("model_score"),
                }
                row["id"] = coding_id(sid, theme_id, start_v, end_v, coder)
                rows.append(row)
    if errors:
        raise InputErrors(errors)
    if rows:
        db["codings"].insert_all(rows, pk="id", replace=True)
    return {"codings": len(rows), "unknown_codes": sorted(unknown_codes)}
