"""The forum registry file (ingest/data/forums.yml): validated forum records, or errors naming file and line.

The file is a YAML list; each item is one forum, council, network or partnership where the municipality and
civil society meet. Keys (English) and values (Swedish):

    name            required; the id is its slug
    kind            required; one of FORUM_KINDS
    status          optional; one of FORUM_STATUSES (aktiv, engångs, avslutad, okänd for entries sourced from
                    public pages; the older aktivt, under översyn, föreslaget, avslutat stay valid)
    organiser_side  optional; one of ORGANISER_SIDES
    organiser_department, organiser, purpose, participants, meets, meeting_place,
    latitude, longitude (decimal degrees, both or neither), url, contact_role (a role, never a name),
    report_says, source (a source id, default `forumregister`), web_source (the address of the public page
    other facts come from), last_verified (YYYY-MM-DD), note
    departments, categories, goal_areas, forms: lists of names, aliases or ids of the reference data
    districts       the stadsdelar or places the source says the forum works in (a list of names)
    years, source_date, source_undated, link_notes: see ingest.sourcing (the years the source speaks of, the
    date the page shows or `source_undated: true`, and per linked name "källan" or "egen tolkning")
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ingest import sourcing
from ingest.reference import Reference, load_reference
from ingest.yamlfile import line_of
from kb.core.errors import InputError
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
FORUM_STATUSES = ("aktivt", "under översyn", "föreslaget", "avslutat", "aktiv", "engångs", "avslutad", "okänd")
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
    "years",
    "source_date",
    "source_undated",
    "link_notes",
    "districts",
    *TEXT_FIELDS,
    *LINKS,
}

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


def _record(
    path: Path, item: dict, position: int, reference: Reference, source_ids: set[str], errors: list
) -> dict:
    line = line_of(item)
    record: dict[str, Any] = {"id": slugify(str(item["name"])), "name": sourcing.text(item["name"])}
    record["kind"] = sourcing.choice(path, item, "kind", FORUM_KINDS, errors)
    record["status"] = sourcing.choice(path, item, "status", FORUM_STATUSES, errors)
    record["organiser_side"] = sourcing.choice(path, item, "organiser_side", ORGANISER_SIDES, errors)
    organiser = sourcing.text(item.get("organiser_department"))
    record["organiser_department_id"] = None
    if organiser:
        resolver = reference.resolver("departments")
        record["organiser_department_id"] = resolver.get(organiser)
        if record["organiser_department_id"] is None:
            errors.append(
                InputError(str(path), line, "organiser_department", resolver.unknown_message(organiser, "förvaltning"))
            )
    for key in TEXT_FIELDS:
        record[key] = sourcing.text(item.get(key))
    latitude = _coordinate(path, item, "latitude", 90, errors)
    longitude = _coordinate(path, item, "longitude", 180, errors)
    if (item.get("latitude") in (None, "")) != (item.get("longitude") in (None, "")):
        errors.append(InputError(str(path), line, "latitude", "ange både latitude och longitude, eller ingen av dem"))
    record["latitude"], record["longitude"] = latitude, longitude
    for key in ("url", "web_source"):
        record[key] = sourcing.url(path, item, key, errors)
    record["source_id"] = sourcing.source_id(path, item, REGISTRY_SOURCE_ID, source_ids, errors)
    if not (record["url"] or record["web_source"]) and record["source_id"] == REGISTRY_SOURCE_ID:
        message = "forumet saknar källa: ange url eller web_source (en offentlig webbsida), eller source (ett käll-id)"
        errors.append(InputError(str(path), line, "url", message))
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
    record["links"] = sourcing.links(path, item, reference, LINKS, errors)
    record["districts"] = sourcing.names(path, item, "districts", errors)
    link_kinds = {"organiser_department": "departments", **{kind: kind for kind in LINKS}}
    sourcing.add_sourcing(path, item, record, reference, link_kinds, errors, TEXT_FIELDS)
    return record


def load_forums(path: Path = FORUMS_FILE, reference: Reference | None = None) -> list[dict]:
    """Read and validate the forum registry; raise InputErrors listing every problem with file and line.

    Each record has the forum's columns plus `links`: {departments, categories, goal_areas, forms: [ids]}.
    """
    return sourcing.load_registry(
        Path(path), reference or load_reference(), (REQUIRED, OPTIONAL), REGISTRY_SOURCE_ID, _record, "forum"
    )
