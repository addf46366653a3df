"""Stored organisation exports: ingest/data/civilsamhalle/<round>/ holds a PII-free copy and its manifest.

`kb ingest forms --side civilsamhalle` never stores the file it is given. It stores the answers in the
questionnaire's own format (no e-mail or name columns, free text redacted, one row per answer, answers
kept apart) plus `manifest.yml`, so that `kb build` reproduces the database from repository files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ingest.civil_forms import (
    CivilExport,
    CivilOptions,
    expected_headings,
    parse_civil_export,
    source_id,
)
from ingest.exports import EXPORTS_DIR, manifest_source, read_manifest
from ingest.yamlfile import read_yaml
from kb.core.errors import InputError, InputErrors

CIVIL_DIR_NAME = "civilsamhalle"
CIVIL_DIR = EXPORTS_DIR / CIVIL_DIR_NAME
MANIFEST = "manifest.yml"


@dataclass
class StoredCivilExport:
    """One round's stored organisation answers with their provenance."""

    round: int
    manifest: dict
    export: CivilExport

    @property
    def source(self) -> dict:
        return manifest_source(self.manifest, f"Civilsamhällets enkätsvar {self.round}")


def sanitised_civil_csv(export: CivilExport, options: CivilOptions) -> str:
    """The export in the questionnaire's format, without personal data, one row per answer, in order."""
    names = {kind: {r["id"]: r["name"] for r in getattr(options.reference, kind)}
             for kind in ("categories", "forms", "goal_areas")}
    order = {kind: {r["id"]: i for i, r in enumerate(getattr(options.reference, kind))}
             for kind in ("forms", "goal_areas")}
    for kind in ("target_groups", "member_bands", "forums"):
        names[kind] = {r["id"]: r["name"] for r in getattr(options, kind)}
        order[kind] = {r["id"]: i for i, r in enumerate(getattr(options, kind))}

    def joined(kind: str, ids) -> str:
        return ";".join(names[kind][i] for i in sorted(ids, key=order[kind].get))

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(expected_headings(options))
    departments = [d["id"] for d in options.reference.departments]
    for a in export.answers:
        texts = {kind: " ".join(t for k, t in a.statements if k == kind) for kind in ("svarighet", "positivt")}
        writer.writerow([
            a.organisation_name or "",
            names["categories"].get(a.category_id, ""),
            {"ja": "Ja", "nej": "Nej"}.get(a.staffed or "", ""),
            names["member_bands"].get(a.members, "") if a.members else "",
            *[joined("forms", [f for d, f in a.collaborations if d == department]) for department in departments],
            joined("goal_areas", a.goal_areas),
            "" if a.occasions is None else a.occasions,
            joined("target_groups", a.target_groups),
            joined("forums", a.forums),
            texts["svarighet"],
            texts["positivt"],
        ])
    return buffer.getvalue()


def civil_manifest(round_: int, original_name: str, export: CivilExport, ingested_at: str) -> dict:
    return {
        "round": round_,
        "file": f"{source_id(round_)}.csv",
        "source_id": source_id(round_),
        "source_kind": "enkatexport",
        "source_title": f"Civilsamhällets enkätsvar {round_} (Forms-export {original_name})",
        "original_name": original_name,
        "sha256": export.sha256,
        "rows": export.rows,
        "ingested_at": ingested_at,
    }


def load_stored_civil(options: CivilOptions, civil_dir: Path = CIVIL_DIR) -> list[StoredCivilExport]:
    """Parse every stored organisation export under civil_dir/<round>/ (raises InputErrors on any problem)."""
    if not civil_dir.is_dir():
        return []
    stored, errors = [], []
    for round_dir in sorted(p for p in civil_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        if not any(round_dir.iterdir()):
            continue
        try:
            manifest = read_manifest(round_dir)
            if manifest["source_id"] != source_id(manifest["round"]):
                raise InputErrors([InputError(str(round_dir / MANIFEST), None, "source_id",
                                              f"ska vara {source_id(manifest['round'])!r}")])
            path = round_dir / manifest["file"]
            export = parse_civil_export(path, options, manifest["round"], display_name=str(path))
            stored.append(StoredCivilExport(manifest["round"], manifest, export))
        except InputErrors as exc:
            errors += exc.errors
            continue
        listed = read_yaml(round_dir / MANIFEST).get("file")
        for other in sorted(p.name for p in round_dir.iterdir() if p.suffix in {".csv", ".xlsx"}):
            if other != listed:
                errors.append(InputError(str(round_dir / other), None, None,
                                         f"filen står inte i {MANIFEST}: lägg in den med `kb ingest forms`"))
    if errors:
        raise InputErrors(errors)
    return stored
