"""The forum registry file (ingest/data/forums.yml): validated forum records, or errors naming file and line.

The file is a YAML list; each item is one forum, council, network or partnership where the municipality and
civil society meet. Keys (English) and values (Swedish):

    name            required; the id is its slug
    kind            required; one of FORUM_KINDS
    status          optional; one of FORUM_STATUSES
    organiser_side  optional; one of ORGANISER_SIDES
    organiser_department, organiser, purpose, participants, meets, meeting_place,
    latitude, longitude (decimal degrees, both or neither), url, contact_role (a role, never a name),
    report_says, source (a source id, default `forumregister`), web_source (the address of the public page
    other facts come from), last_verified (YYYY-MM-DD), note
    departments, categories, goal_areas, forms: lists of names, aliases or ids of the reference data
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from ingest.reference import Reference, load_reference
from ingest.yamlfile import MAX_YAML_BYTES, check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR
from kb.core.slug import slugify

FORUMS_FILE = INGEST_DIR / "data" / "forums.yml"
REGISTRY_SOURCE_ID = "forumregister"

FORUM_KINDS = (
    "råd",
    "nätverk",
    "dialogforum",
    "referensgrupp",
    "partnerskap",
    "arbetsgrupp",
    "mötesplats",
    "forum",
)
FORUM_STATUSES = ("aktivt", "under översyn", "föreslaget", "avslutat")
ORGANISER_SIDES = ("kommun", "civilsamhälle", "gemensamt")
LINKS = {
    "departments": "förvaltning",
    "categories": "kategori",
    "goal_areas": "delmålområde",
    "forms": "samverkansform",
}
TEXT_FIELDS = (
    "organiser",
    "purpose",
    "participants",
    "meets",
    "meeting_place",
    "contact_role",
    "report_says",
    "note",
)
REQUIRED = {"name", "kind"}
OPTIONAL = {
    "status",
    "organiser_side",
    "organiser_department",
    "latitude",
    "longitude",
    "url",
    "source",
    "web_source",
    "last_verified",
    *TEXT_FIELDS,
    *LINKS,
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<![\w.,])(?:\+46|0)[\s-]?\d{1,3}(?:[\s-]?\d{2,3}){2,4}(?![\w.,])")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _coordinate(path: Path, item: dict, key: str, limit: float, errors: list[InputError]) -> float | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value).replace(",", "."))
        except ValueError:
            errors.append(
                InputError(str(path), line_of(item), key, f"ska vara ett tal i decimalgrader, inte {value!r}")
            )
            return None
    if not -limit <= float(value) <= limit:
        errors.append(InputError(str(path), line_of(item), key, f"{value} ligger utanför ±{limit:g} grader"))
        return None
    return float(value)


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


def _check_private(path: Path, item: dict, errors: list[InputError]) -> None:
    from ingest.names import find_names

    for key, value in item.items():
        if not isinstance(value, str):
            continue
        if key in TEXT_FIELDS and (names := find_names(value)):
            errors.append(
                InputError(
                    str(path),
                    line_of(item),
                    key,
                    f"ser ut att innehålla ett personnamn ({', '.join(names)}): ange en roll i stället; är det en "
                    "organisation eller plats, lägg till den under organisations eller places i ingest/names.yml",
                )
            )
        if _EMAIL.search(value) or _PHONE.search(value):
            errors.append(
                InputError(
                    str(path),
                    line_of(item),
                    key,
                    "innehåller en e-postadress eller ett telefonnummer: ange en kontaktroll och en webbsida i stället",
                )
            )


def _choice(path: Path, item: dict, key: str, allowed: tuple[str, ...], errors: list[InputError]) -> str | None:
    value = _text(item.get(key))
    if value is not None and value not in allowed:
        errors.append(
            InputError(str(path), line_of(item), key, f"okänt värde {value!r}; tillåtna: {', '.join(allowed)}")
        )
    return value


def _record(path: Path, item: dict, position: int, reference: Reference, source_ids: set[str], errors: list) -> dict:
    line = line_of(item)
    record: dict[str, Any] = {"id": slugify(str(item["name"])), "name": _text(item["name"])}
    record["kind"] = _choice(path, item, "kind", FORUM_KINDS, errors)
    record["status"] = _choice(path, item, "status", FORUM_STATUSES, errors)
    record["organiser_side"] = _choice(path, item, "organiser_side", ORGANISER_SIDES, errors)
    organiser = _text(item.get("organiser_department"))
    record["organiser_department_id"] = None
    if organiser:
        resolver = reference.resolver("departments")
        record["organiser_department_id"] = resolver.get(organiser)
        if record["organiser_department_id"] is None:
            errors.append(
                InputError(str(path), line, "organiser_department", resolver.unknown_message(organiser, "förvaltning"))
            )
    for key in TEXT_FIELDS:
        record[key] = _text(item.get(key))
    latitude = _coordinate(path, item, "latitude", 90, errors)
    longitude = _coordinate(path, item, "longitude", 180, errors)
    if (item.get("latitude") in (None, "")) != (item.get("longitude") in (None, "")):
        errors.append(InputError(str(path), line, "latitude", "ange både latitude och longitude, eller ingen av dem"))
    record["latitude"], record["longitude"] = latitude, longitude
    for key in ("url", "web_source"):
        record[key] = _text(item.get(key))
        if record[key] and not _URL.match(record[key]):
            errors.append(
                InputError(str(path), line, key, f"ska vara en webbadress (http/https), inte {record[key]!r}")
            )
    record["source_id"] = _text(item.get("source")) or REGISTRY_SOURCE_ID
    if record["source_id"] not in source_ids:
        errors.append(
            InputError(
                str(path),
                line,
                "source",
                f"okänd källa {record['source_id']!r}; kända: {', '.join(sorted(source_ids))}",
            )
        )
    verified = item.get("last_verified")
    record["last_verified"] = None
    if isinstance(verified, dt.date):
        record["last_verified"] = verified.isoformat()
    elif verified not in (None, ""):
        try:
            record["last_verified"] = dt.date.fromisoformat(str(verified)).isoformat()
        except ValueError:
            errors.append(
                InputError(str(path), line, "last_verified", f"ska vara ett datum ÅÅÅÅ-MM-DD, inte {verified!r}")
            )
    record["position"] = position
    record["links"] = _links(path, item, reference, errors)
    _check_private(path, item, errors)
    return record


def _duplicate_keys(path: Path) -> list[InputError]:
    """Keys given twice inside one forum (YAML would silently keep the last), with the forum's line."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return []
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return []  # read_yaml reports unreadable files and invalid YAML
    if not isinstance(root, yaml.SequenceNode):
        return []
    errors = []
    for item in root.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        seen: dict[str, int] = {}
        for key_node, _value in item.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                errors.append(
                    InputError(
                        str(path),
                        item.start_mark.line + 1,
                        key_node.value,
                        f"fältet anges två gånger i samma forum (rad {seen[key_node.value]} och {line})",
                    )
                )
            else:
                seen[key_node.value] = line
    return errors


def load_forums(path: Path = FORUMS_FILE, reference: Reference | None = None) -> list[dict]:
    """Read and validate the forum registry; raise InputErrors listing every problem with file and line.

    Each record has the forum's columns plus `links`: {departments, categories, goal_areas, forms: [ids]}.
    """
    path = Path(path)
    reference = reference or load_reference()
    try:
        items = read_yaml(path)
    except InputErrors as exc:
        if any("två gånger" in e.message for e in exc.errors):  # a key given twice: say which forum
            duplicates = _duplicate_keys(path)
            if duplicates:
                raise InputErrors(duplicates) from None
        raise
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputErrors([InputError(str(path), None, None, "filen ska vara en lista av forum")])
    source_ids = {s["id"] for s in reference.sources} | {REGISTRY_SOURCE_ID}
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
                    f"forumet {record['id']!r} finns redan på rad {seen[record['id']]}",
                )
            )
            continue
        seen[record["id"]] = line_of(item)
        records.append(record)
    if errors:
        raise InputErrors(errors)
    return records
