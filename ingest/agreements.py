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

Not yet written to the database: the build does not read this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest import sourcing
from ingest.reference import Reference, load_reference
from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR
from kb.core.slug import slugify

AGREEMENTS_FILE = INGEST_DIR / "data" / "agreements.yml"
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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _choice(path: Path, item: dict, key: str, allowed: tuple[str, ...], errors: list[InputError]) -> str | None:
    value = _text(item.get(key))
    if value is not None and value not in allowed:
        errors.append(
            InputError(str(path), line_of(item), key, f"okänt värde {value!r}; tillåtna: {', '.join(allowed)}")
        )
    return value


def _links(path: Path, item: dict, reference: Reference, errors: list[InputError]) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for kind, what in LINKS.items():
        labels = item.get(kind) or []
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list):
            errors.append(InputError(str(path), line_of(item), kind, "ska vara en lista"))
            continue
        resolver, ids = reference.resolver(kind), []
        for label in labels:
            entity_id = resolver.get(str(label))
            if entity_id is None:
                errors.append(InputError(str(path), line_of(item), kind, resolver.unknown_message(str(label), what)))
            elif entity_id not in ids:
                ids.append(entity_id)
        links[kind] = ids
    return links


def _parties(path: Path, item: dict, errors: list[InputError]) -> list[str]:
    value = item.get("parties")
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        errors.append(InputError(str(path), line_of(item), "parties", "ska vara en lista med organisationers namn"))
        return []
    return [" ".join(p.split()) for p in value]


def _form(path: Path, item: dict, reference: Reference, errors: list[InputError]) -> str | None:
    label = _text(item.get("form"))
    if label is None:
        return None
    resolver = reference.resolver("forms")
    form_id = resolver.get(label)
    if form_id is None:
        errors.append(InputError(str(path), line_of(item), "form", resolver.unknown_message(label, "samverkansform")))
    return form_id


def _record(path: Path, item: dict, position: int, reference: Reference, source_ids: set[str], errors: list) -> dict:
    line = line_of(item)
    record: dict[str, Any] = {"id": slugify(str(item["name"])), "name": _text(item["name"]), "position": position}
    record["kind"] = _choice(path, item, "kind", AGREEMENT_KINDS, errors)
    record["status"] = _choice(path, item, "status", AGREEMENT_STATUSES, errors)
    record["url"] = sourcing.url(path, item, "url", errors)
    record["parties"] = _parties(path, item, errors)
    record["form_id"] = _form(path, item, reference, errors)
    for key in TEXT_FIELDS:
        record[key] = _text(item.get(key))
    record["source_id"] = _text(item.get("source")) or AGREEMENTS_SOURCE_ID
    if record["source_id"] not in source_ids:
        errors.append(
            InputError(
                str(path),
                line,
                "source",
                f"okänd källa {record['source_id']!r}; kända: {', '.join(sorted(source_ids))}",
            )
        )
    record["years"] = sourcing.years(path, item, errors)
    record["source_date"], record["source_undated"] = sourcing.source_date(path, item, errors)
    record["links"] = _links(path, item, reference, errors)
    link_kinds = {"form": "forms", **{kind: kind for kind in LINKS}}
    record["link_notes"] = sourcing.link_notes(path, item, reference, link_kinds, errors)
    return record


def load_agreements(path: Path = AGREEMENTS_FILE, reference: Reference | None = None) -> list[dict]:
    """Read and validate the agreements file; raise InputErrors listing every problem with file and line.

    Each record has the agreement's fields plus `links`: {departments, categories, goal_areas: [ids]} and
    `form_id`.
    """
    path = Path(path)
    reference = reference or load_reference()
    items = read_yaml(path)
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputErrors([InputError(str(path), None, None, "filen ska vara en lista av överenskommelser")])
    source_ids = {s["id"] for s in reference.sources} | {AGREEMENTS_SOURCE_ID}
    errors: list[InputError] = []
    records, seen = [], {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(
                InputError(str(path), None, None, f"post {position} ska vara en mappning (name: ..., kind: ...)")
            )
            continue
        check_keys(path, item, REQUIRED, OPTIONAL, errors)
        for key in sorted(REQUIRED):
            if key in item and not _text(item[key]):
                errors.append(InputError(str(path), line_of(item), key, "obligatoriskt fält är tomt"))
        if not _text(item.get("name")) or not _text(item.get("kind")):
            continue
        record = _record(path, item, position, reference, source_ids, errors)
        if record["id"] in seen:
            errors.append(
                InputError(
                    str(path),
                    line_of(item),
                    "name",
                    f"överenskommelsen {record['id']!r} finns redan på rad {seen[record['id']]}",
                )
            )
            continue
        seen[record["id"]] = line_of(item)
        records.append(record)
    if errors:
        raise InputErrors(errors)
    return records
