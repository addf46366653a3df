"""REFI-QDA project import (`kb import qdpx`): codings of a .qdpx back into ``codings``.

Reads projects written by `kb export qdpx` without loss (the machine fields come from the project Note
kb.coding.refiqda writes; older exports carried them as JSON in each selection's Description) and
projects from other tools (their codings become accepted human codings, a selection's memo its note).
The case codes of our export (codes with a case's GUID, how QualCoder links a case to its text) are
not themes and are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import sqlite_utils

from kb.coding.qdpx_read import own_problem, position, read_archive
from kb.coding.refiqda import META_NOTE, PROJECT_NS, guid
from kb.coding.store import ACCEPTED, PROPOSED, REJECTED, coding_id, ensure_coding_schema
from kb.core.errors import InputError, InputErrors


def _machine_fields(root: ET.Element, p: str) -> dict[str, dict[str, Any]]:
    """Selection GUID -> our own fields, from the project Note our export writes (empty if absent)."""
    for note in root.iter(f"{p}Note"):
        if note.get("guid", "").upper() == guid("note", META_NOTE) or note.get("name") == META_NOTE:
            content = note.find(f"{p}PlainTextContent")
            try:
                data = json.loads(content.text or "{}") if content is not None else {}
            except ValueError:
                return {}
            return {k.upper(): v for k, v in data.items()} if isinstance(data, dict) else {}
    return {}


def _own_fields(sel: ET.Element, p: str, machine: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if sel.get("guid", "").upper() in machine:
        return machine[sel.get("guid", "").upper()]
    desc = sel.find(f"{p}Description")
    if desc is None or not desc.text:
        return {}
    try:
        own = json.loads(desc.text)  # an export from before the memo was Swedish text
    except ValueError:
        return {"note": desc.text}
    return own if isinstance(own, dict) else {"note": desc.text}


def import_qdpx(
    db: sqlite_utils.Database, path: Path, default_coder: str = "import", pseudonymise: Any = None
) -> dict[str, Any]:
    """Read codings from a .qdpx into ``codings`` (statements and themes must exist in the db).

    The archive is read hardened (kb.coding.qdpx_read: size and path checks, no DTDs or entities).
    ``pseudonymise`` (name -> pseudonym) is applied to every human coder the file names; `kb import qdpx`
    passes kb.coding.pseudonyms so that no reviewer's name reaches the db. All or nothing.
    """
    p = f"{{{PROJECT_NS}}}"
    path = Path(path)
    root, texts = read_archive(path)

    def who(name: Any) -> Any:
        if not isinstance(name, str) or not name or pseudonymise is None or name.startswith("regel"):
            return name
        return pseudonymise(name)

    if not {"codings", "themes", "statements"} <= set(db.table_names()):
        ensure_coding_schema(db)  # only then: recreating the views would rewrite the file before a refusal
    machine = _machine_fields(root, p)
    case_guids = {c.get("guid", "").upper() for c in root.iter(f"{p}Case")}
    users = {u.get("guid", "").upper(): who(u.get("name") or default_coder) for u in root.iter(f"{p}User")}
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
            start, end = position(sel.get("startPosition")), position(sel.get("endPosition"))
            if start is None or end is None or not 0 <= start <= end <= len(text):
                shown = f"{sel.get('startPosition')}-{sel.get('endPosition')}"
                errors.append(InputError(
                    str(path), None, "PlainTextSelection",
                    f"markeringen {shown} är inga heltal eller ligger utanför svaret {sid!r} ({len(text)} tecken)",
                ))
                continue
            own = _own_fields(sel, p, machine)
            problem = own_problem(own, set(theme_by_guid.values()))
            if problem:
                errors.append(InputError(str(path), None, "Description", f"svaret {sid!r}: {problem}"))
                continue
            if own.get("whole"):
                start_v, end_v = None, None
            else:
                start_v, end_v = start, end
            applied = []
            for coding in sel.findall(f"{p}Coding"):
                ref = coding.find(f"{p}CodeRef")
                code_guid = ((ref.get("targetGUID") if ref is not None else "") or "").upper()
                if code_guid in case_guids:
                    continue  # a case code: the case's text, not a theme
                applied.append((coding, theme_by_guid.get(code_guid), code_guid))
            if not applied and own.get("status") == REJECTED and own.get("theme_id"):
                applied = [(sel, own["theme_id"], own["theme_id"])]  # a rejected coding: no Coding element
            for coding, theme_id, code_guid in applied:
                if theme_id is None:
                    unknown_codes.add(code_guid)
                    continue
                user = users.get((coding.get("creatingUser") or sel.get("creatingUser") or "").upper(),
                                 who(default_coder))
                coder = who(own.get("coder")) or user
                row = {
                    "statement_id": sid,
                    "theme_id": theme_id,
                    "start": start_v,
                    "end": end_v,
                    "text": text[start:end] if start_v is not None else None,
                    "rule": own.get("rule", "import:qdpx"),
                    "layer": own.get("layer", "manuell"),
                    "confidence": float(own.get("confidence", 1.0)),
                    "negated": int(own.get("negated", 0)),
                    "coder": coder,
                    "status": own.get("status", ACCEPTED),
                    "decided_by": who(own.get("decided_by", None if own.get("status") == PROPOSED else user))
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
        with db.conn:  # all or nothing
            db["codings"].insert_all(rows, pk="id", replace=True)
    return {"codings": len(rows), "unknown_codes": sorted(unknown_codes)}
