"""A small reader of .qdpx files that follows QualCoder's importer (src/qualcoder/refi.py, class RefiImport,
github.com/ccbogel/QualCoder at commit c320464), without Qt or a QualCoder project database.

What it keeps of QualCoder's logic, step by step as in RefiImport.import_project:
- Users: name and guid.
- CodeBook (sub_codes): a Code with isCodable="false" is a category, any other Code a code; names must be
  unique (QualCoder's code_name.name is UNIQUE: a second code of the same name is merged into the first).
- Variables (parse_variables): every variable starts as a file variable.
- Cases without a name and with exactly one SourceRef carry file variables (parse_case_for_file_variables).
- Sources (load_text_source): the text comes from the plainTextPath file; a source's Description is its memo;
  each PlainTextSelection's Description is the coding memo; a selection with Coding elements becomes one
  coded text per Coding, looked up by CodeRef GUID (cid None when the GUID is no code); a selection without
  a Coding becomes an annotation; a source's VariableValues are file attributes (text stripped, "" if empty).
- Notes (parse_notes): creationDateTime (or modifiedDateTime) is required (QualCoder calls .replace on it);
  a Note with a plainTextPath and a name becomes a journal.
- Cases (parse_cases): a named Case is a case with its Description as memo; its VariableValues are case
  attributes (the value element's text: None for an empty <TextValue/>) and turn those variables into case
  variables. The SourceRefs of named cases are ignored.
- clean_up_case_codes_and_case_text: a code whose GUID is a case's GUID is removed, and its coded text
  becomes that case's text.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

NS = "{urn:QDA-XML:project:1.0}"
VALUE_TAGS = {f"{NS}{t}Value" for t in ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")}


@dataclass
class QualCoderProject:
    users: list[dict[str, str]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    codes: list[dict[str, Any]] = field(default_factory=list)
    merged_code_names: list[str] = field(default_factory=list)
    variables: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    code_text: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)  # name, value, id, attr_type
    journals: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    case_text: list[dict[str, Any]] = field(default_factory=list)

    def variable(self, name: str) -> dict[str, Any]:
        return next(v for v in self.variables if v["name"] == name)


def _sub_codes(project: QualCoderProject, element: ET.Element, cat_id: int | None, super_cid: int | None) -> None:
    description = next((e.text for e in element if e.tag == f"{NS}Description"), "")
    children = [e for e in element if e.tag == f"{NS}Code"]
    name = element.get("name")
    if element.get("isCodable") == "false":
        catid = len(project.categories) + 1
        project.categories.append({"catid": catid, "name": name, "memo": description, "supercatid": cat_id})
        for child in children:
            _sub_codes(project, child, catid, None)
        return
    cid = None
    if name in {c["name"] for c in project.codes}:
        project.merged_code_names.append(name)
        cid = next(c["cid"] for c in project.codes if c["name"] == name)
    else:
        cid = len(project.codes) + 1
        project.codes.append({"cid": cid, "guid": element.get("guid"), "name": name, "memo": description,
                              "catid": None if super_cid else cat_id, "supercid": super_cid})
    for child in children:
        _sub_codes(project, child, None, cid)


def _variable_name(project: QualCoderProject, guid: str | None) -> str:
    return next((v["name"] for v in project.variables if v["guid"] == guid), "")


def read_qdpx(path: Path) -> QualCoderProject:
    """Read a .qdpx the way QualCoder's RefiImport.import_project does (see the module docstring)."""
    project = QualCoderProject()
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        names = archive.namelist()
        folder = "sources/" if any(n.startswith("sources/") for n in names) else "Sources/"
        files = {n: archive.read(n).decode("utf-8", errors="replace") for n in names if n.startswith(folder)}
    children = list(root)
    for child in children:
        if child.tag == f"{NS}Users":
            project.users = [{"name": u.get("name"), "guid": u.get("guid")} for u in child]
        elif child.tag == f"{NS}CodeBook":
            for code in list(child)[0]:
                _sub_codes(project, code, None, None)
        elif child.tag == f"{NS}Variables":
            for var in child:
                project.variables.append({"name": var.get("name"), "guid": var.get("guid"), "caseOrFile": "file",
                                          "type": var.get("typeOfVariable")})
    file_vars = []
    for cases in (c for c in children if c.tag == f"{NS}Cases"):
        for case in cases:
            refs = [e.get("targetGUID") for e in case if e.tag == f"{NS}SourceRef"]
            if case.get("name") is not None or len(refs) != 1:
                continue
            for vv in (e for e in case if e.tag == f"{NS}VariableValue"):
                guid = next((e.get("targetGUID") for e in vv if e.tag == f"{NS}VariableRef"), None)
                value = next((e.text for e in vv if e.tag in VALUE_TAGS), None)
                file_vars.append({"file_guid": refs[0], "name": _variable_name(project, guid), "value": value})
    users = {u["guid"]: u["name"] for u in project.users}
    for sources in (c for c in children if c.tag == f"{NS}Sources"):
        for element in (e for e in sources if e.tag == f"{NS}TextSource"):
            fid = len(project.sources) + 1
            text = files[folder + element.get("plainTextPath").split("internal://")[1]]
            memo = next((e.text for e in element if e.tag == f"{NS}Description"), "")
            project.sources.append({"id": fid, "guid": element.get("guid"), "name": element.get("name"),
                                    "fulltext": text, "memo": memo})
            for sel in (e for e in element if e.tag == f"{NS}PlainTextSelection"):
                pos0, pos1 = int(sel.get("startPosition")), int(sel.get("endPosition"))
                sel_memo = next((e.text for e in sel if e.tag == f"{NS}Description" and e.text is not None), "")
                owner = users.get(sel.get("creatingUser"), "default")
                coded = [e for e in sel if e.tag == f"{NS}Coding"]
                for coding in coded:
                    ref = list(coding)[0].get("targetGUID")
                    cid = next((c["cid"] for c in project.codes if c["guid"] == ref), None)
                    project.code_text.append({"cid": cid, "fid": fid, "seltext": text[pos0:pos1], "pos0": pos0,
                                              "pos1": pos1, "owner": owner, "memo": sel_memo})
                if not coded:
                    project.annotations.append({"fid": fid, "pos0": pos0, "pos1": pos1, "memo": sel_memo})
            for vv in (e for e in element if e.tag == f"{NS}VariableValue"):
                guid = next((e.get("targetGUID") for e in vv if e.tag == f"{NS}VariableRef"), None)
                value = next(((e.text or "").strip() for e in vv if e.tag in VALUE_TAGS and e.text is not None), "")
                project.attributes.append({"name": _variable_name(project, guid), "value": value, "id": fid,
                                           "attr_type": "file"})
    for notes in (c for c in children if c.tag == f"{NS}Notes"):
        for note in notes:
            created = note.get("creationDateTime") or note.get("modifiedDateTime")
            if created is None:
                raise AttributeError("'NoneType' object has no attribute 'replace' (a Note without a date)")
            if note.get("plainTextPath") is not None and note.get("name") != "":
                project.journals.append({"name": note.get("name")})
    for v in file_vars:
        for s in project.sources:
            if v["file_guid"] == s["guid"]:
                project.attributes.append({"name": v["name"], "value": v["value"], "id": s["id"],
                                           "attr_type": "file"})
    for cases in (c for c in children if c.tag == f"{NS}Cases"):
        for case in (e for e in cases if e.get("name") is not None):
            caseid = len(project.cases) + 1
            memo = next((e.text for e in case if e.tag == f"{NS}Description"), "")
            project.cases.append({"caseid": caseid, "name": case.get("name"), "guid": case.get("guid"), "memo": memo})
            for vv in (e for e in case if e.tag == f"{NS}VariableValue"):
                guid = next((e.get("targetGUID") for e in vv if e.tag == f"{NS}VariableRef"), None)
                value = next((e.text for e in vv if e.tag in VALUE_TAGS), None)
                project.attributes.append({"name": _variable_name(project, guid), "value": value, "id": caseid,
                                           "attr_type": "case"})
                for var in project.variables:
                    if var["guid"] == guid:
                        var["caseOrFile"] = "case"
    for case in project.cases:  # clean_up_case_codes_and_case_text
        for code in [c for c in project.codes if c["guid"] == case["guid"]]:
            project.codes.remove(code)
            for row in [r for r in project.code_text if r["cid"] == code["cid"]]:
                project.code_text.remove(row)
                project.case_text.append({"caseid": case["caseid"], **{k: row[k] for k in ("fid", "pos0", "pos1")}})
    return project
