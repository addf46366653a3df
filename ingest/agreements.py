"""The agreements file (ingest/data/agreements.yml): validated agreement records, or errors naming file and line.

The file is a YAML list; each item is one agreement between Örebro kommun and civil society (an IOP, an
överenskommelse, a riktlinje that governs such agreements, or another avtal), sourced from a public page.
Keys (English) and values (Swedish):

    name            required; the id is its slug
    kind            required; one of AGREEMENT_KINDS
    url             required; the public page (http/https) the facts come from
    parties         list of the parties: organisations or groups of organisations, never persons
    form            the collaboration form: a name, alias or id of ingest/reference/forms.yml
    decided_by      the body that decided it (as the source says, e.g. Kommunstyrelsen)
    status          one of AGREEMENT_STATUSES
    years, source_date, source_undated, link_notes: see ingest.sourcing
    categories, goal_areas, departments: lists of names, aliases or ids of the reference data
    report_says     what the report says about it; source: a source id (default `avtalsregister`)
    note            anything else

Written by the build into `agreements` and its link tables (kb.publish.agreements).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest import sourcing
from ingest.reference import Reference, load_reference
from ingest.yamlfile import line_of
from kb.core.errors import InputError
from kb.core.paths import INGEST_DIR
from kb.core.slug import slugify

AGREEMENTS_FILE = INGEST_DIR / "data" / "agreements.yml"


def agreements_file_in(folder: Path) -> Path:
    """The agreements file a build of this data dir reads: its own copy, or the repository's if it has none."""
    own = Path(folder) / AGREEMENTS_FILE.name
    return own if own.exists() else AGREEMENTS_FILE
AGREEMENTS_SOURCE_ID = "avtalsregister"

AGREEMENT_KINDS = ("iop", "överenskommelse", "riktlinje", "avtal")
AGREEMENT_STATUSES = ("aktiv", "avslutad", "okänd")
LINKS = {
    "departments": "förvaltning",
    "categories": "kategori",
    "goal_areas": "delmålområde",
}
TEXT_FIELDS = ("decided_by", "report_says", "note")
REQUIRED = {"name", "kind", "url"}
OPTIONAL = {
    "parties",
    "form",
    "status",
    "years",
    "source_date",
    "source_undated",
    "link_notes",
    "source",
    *TEXT_FIELDS,
    *LINKS,
}


def _form(path: Path, item: dict, reference: Reference, errors: list[InputError]) -> str | None:
    label = sourcing.text(item.get("form"))
    if label is None:
        return None
    resolver = reference.resolver("forms")
    form_id = resolver.get(label)
    if form_id is None:
        errors.append(InputError(str(path), line_of(item), "form", resolver.unknown_message(label, "samverkansform")))
    return form_id


def _record(
    path: Path, item: dict, position: int, reference: Reference, source_ids: set[str], errors: list
) -> dict:
    record: dict[str, Any] = {"id": slugify(str(item["name"])), "name": sourcing.text(item["name"])}
    record["position"] = position
    record["kind"] = sourcing.choice(path, item, "kind", AGREEMENT_KINDS, errors)
    record["status"] = sourcing.choice(path, item, "status", AGREEMENT_STATUSES, errors)
    record["url"] = sourcing.url(path, item, "url", errors)
    record["parties"] = sourcing.names(path, item, "parties", errors)
    record["form_id"] = _form(path, item, reference, errors)
    for key in TEXT_FIELDS:
        record[key] = sourcing.text(item.get(key))
    record["source_id"] = sourcing.source_id(path, item, AGREEMENTS_SOURCE_ID, source_ids, errors)
    record["links"] = sourcing.links(path, item, reference, LINKS, errors)
    link_kinds = {"form": "forms", **{kind: kind for kind in LINKS}}
    sourcing.add_sourcing(path, item, record, reference, link_kinds, errors, (*TEXT_FIELDS, "parties"))
    return record


def load_agreements(path: Path = AGREEMENTS_FILE, reference: Reference | None = None) -> list[dict]:
    """Read and validate the agreements file; raise InputErrors listing every problem with file and line.

    Each record has the agreement's fields plus `links`: {departments, categories, goal_areas: [ids]} and
    `form_id`.
    """
    return sourcing.load_registry(
        Path(path), reference or load_reference(), (REQUIRED, OPTIONAL), AGREEMENTS_SOURCE_ID, _record,
        "överenskommelse",
    )
