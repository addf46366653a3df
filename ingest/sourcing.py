"""Validators shared by the registry files that cite public pages (forums.yml, agreements.yml).

load_registry reads such a file (a YAML list of named items); the helpers below check one key each.

Each checks one key of one YAML mapping and appends InputErrors naming file, line and field:

    years           the years the source speaks of: a list of integers (1800-2100)
    source_date     the date the page shows: YYYY-MM-DD, YYYY, or empty when it shows none
    source_undated  true when the page shows no date (then source_date stays empty)
    link_notes      {linked name: "källan" | "egen tolkning"}: whether a link to the reference data is what
                    the source says or the registry's own reading; every key must be one of the item's links
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ingest.reference import Reference, normalise_label
from ingest.yamlfile import LINE_KEY, MAX_YAML_BYTES, check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors

LINK_NOTE_VALUES = ("källan", "egen tolkning")
FIRST_YEAR, LAST_YEAR = 1800, 2100
URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")
_YEAR_ONLY = re.compile(r"^\d{4}$")


def years(path: Path, item: dict, errors: list[InputError]) -> list[int]:
    """The item's `years` as a sorted list without duplicates ([] when absent)."""
    value = item.get("years")
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        errors.append(InputError(str(path), line_of(item), "years", f"ska vara en lista med årtal, inte {value!r}"))
        return []
    found: set[int] = set()
    for year in value:
        if isinstance(year, bool) or not isinstance(year, int):
            errors.append(
                InputError(str(path), line_of(item), "years", f"ska vara årtal som heltal (ÅÅÅÅ), inte {year!r}")
            )
        elif not FIRST_YEAR <= year <= LAST_YEAR:
            errors.append(
                InputError(str(path), line_of(item), "years", f"{year} ligger utanför {FIRST_YEAR}-{LAST_YEAR}")
            )
        else:
            found.add(year)
    return sorted(found)


def source_date(path: Path, item: dict, errors: list[InputError]) -> tuple[str | None, bool]:
    """The item's (source_date, source_undated); a date and `source_undated: true` together are an error."""
    line = line_of(item)
    undated = item.get("source_undated", False)
    if undated is None:
        undated = False
    if not isinstance(undated, bool):
        errors.append(InputError(str(path), line, "source_undated", f"ska vara true eller false, inte {undated!r}"))
        undated = False
    value = item.get("source_date")
    if isinstance(value, dt.date):
        value = value.isoformat()
    text = "" if value is None else str(value).strip()
    if not text:
        return None, undated
    if undated:
        errors.append(
            InputError(
                str(path),
                line,
                "source_date",
                f"anger ett datum ({text!r}) fast source_undated är true: ta bort det ena",
            )
        )
    if isinstance(value, bool) or (isinstance(value, int) and not _YEAR_ONLY.match(text)):
        errors.append(InputError(str(path), line, "source_date", f"ska vara ÅÅÅÅ-MM-DD eller ÅÅÅÅ, inte {value!r}"))
        return None, undated
    if _YEAR_ONLY.match(text):
        if not FIRST_YEAR <= int(text) <= LAST_YEAR:
            errors.append(InputError(str(path), line, "source_date", f"{text} ligger utanför {FIRST_YEAR}-{LAST_YEAR}"))
            return None, undated
        return text, undated
    try:
        return dt.date.fromisoformat(text).isoformat(), undated
    except ValueError:
        errors.append(InputError(str(path), line, "source_date", f"ska vara ÅÅÅÅ-MM-DD eller ÅÅÅÅ, inte {text!r}"))
        return None, undated


def link_notes(
    path: Path, item: dict, reference: Reference, link_kinds: dict[str, str], errors: list[InputError]
) -> dict[str, str]:
    """The item's `link_notes`, keyed by canonical name; each key must name one of the item's links.

    link_kinds maps the item's keys that hold links (e.g. "categories", "form") to reference kinds.
    """
    value = item.get("link_notes")
    if value is None or value == "":
        return {}
    line = line_of(item)
    if not isinstance(value, dict):
        errors.append(
            InputError(str(path), line, "link_notes", "ska vara en mappning: länkat namn -> källan | egen tolkning")
        )
        return {}
    linked: dict[str, str] = {}  # normalised label or id -> canonical name
    for key, kind in link_kinds.items():
        labels = item.get(key) or []
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list):
            continue
        resolver = reference.resolver(kind)
        for label in labels:
            entity_id = resolver.get(str(label))
            if entity_id is not None:
                canonical = resolver.names[entity_id]
                linked[normalise_label(str(label))] = canonical
                linked[normalise_label(canonical)] = canonical
                linked[entity_id] = canonical
    notes: dict[str, str] = {}
    for name, note in value.items():
        if name == LINE_KEY:
            continue
        canonical = linked.get(normalise_label(str(name)))
        if canonical is None:
            errors.append(
                InputError(
                    str(path),
                    line,
                    "link_notes",
                    f"{name!r} är inte en av postens länkar ({', '.join(sorted(link_kinds))})",
                )
            )
            continue
        if note not in LINK_NOTE_VALUES:
            errors.append(
                InputError(
                    str(path),
                    line,
                    "link_notes",
                    f"okänt värde {note!r} för {name!r}; tillåtna: {', '.join(LINK_NOTE_VALUES)}",
                )
            )
            continue
        notes[canonical] = note
    return notes


def link_basis(reference: Reference, links: dict[str, list[str]], notes: dict[str, str]) -> dict[str, dict]:
    """{kind: {id: "källan" | "egen tolkning" | None}}: link_notes (keyed by name) by linked id."""
    return {
        kind: {entity_id: notes.get(reference.resolver(kind).names.get(entity_id, entity_id)) for entity_id in ids}
        for kind, ids in links.items()
    }


def names(path: Path, item: dict, key: str, errors: list[InputError]) -> list[str]:
    """A list of names (organisations, places) as one-line texts; [] when absent."""
    value = item.get(key)
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        message = "ska vara en lista med namn (organisationers eller platsers)"
        errors.append(InputError(str(path), line_of(item), key, message))
        return []
    return [" ".join(v.split()) for v in value]


def add_sourcing(
    path: Path,
    item: dict,
    record: dict,
    reference: Reference,
    link_kinds: dict[str, str],
    errors: list[InputError],
    name_fields: tuple[str, ...] = (),
) -> None:
    """Fill record's years, source_date, source_undated, link_notes and link_basis (after its links) and refuse
    private contact details and person names in name_fields: what every registry item carries."""
    record["years"] = years(path, item, errors)
    record["source_date"], record["source_undated"] = source_date(path, item, errors)
    record["link_notes"] = link_notes(path, item, reference, link_kinds, errors)
    record["link_basis"] = link_basis(reference, record["links"], record["link_notes"])
    check_private(path, item, errors, name_fields)


def url(path: Path, item: dict, key: str, errors: list[InputError]) -> str | None:
    """A web address (http/https) or None."""
    value: Any = item.get(key)
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        return None
    if not URL.match(text):
        errors.append(InputError(str(path), line_of(item), key, f"ska vara en webbadress (http/https), inte {text!r}"))
    return text


# ---------------------------------------------------------------- shared by every registry file

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<![\w.,])(?:\+46|0)[\s-]?\d{1,3}(?:[\s-]?\d{2,3}){2,4}(?![\w.,])")


def text(value: Any) -> str | None:
    """A value as one line of text, or None when empty."""
    if value is None:
        return None
    joined = " ".join(str(value).split())
    return joined or None


def choice(path: Path, item: dict, key: str, allowed: tuple[str, ...], errors: list[InputError]) -> str | None:
    """The item's value of key, which must be one of allowed (or empty)."""
    value = text(item.get(key))
    if value is not None and value not in allowed:
        errors.append(
            InputError(str(path), line_of(item), key, f"okänt värde {value!r}; tillåtna: {', '.join(allowed)}")
        )
    return value


def links(
    path: Path, item: dict, reference: Reference, kinds: dict[str, str], errors: list[InputError]
) -> dict[str, list[str]]:
    """{kind: [ids]} for the item's lists of reference names (kinds: key -> the Swedish word for one)."""
    found: dict[str, list[str]] = {}
    for kind, what in kinds.items():
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
        found[kind] = ids
    return found


def source_id(path: Path, item: dict, default: str, known: set[str], errors: list[InputError]) -> str:
    """The item's `source` (a source id of ingest/reference/sources.yml), or the registry's default."""
    value = text(item.get("source")) or default
    if value not in known:
        message = f"okänd källa {value!r}; kända: {', '.join(sorted(known))}"
        errors.append(InputError(str(path), line_of(item), "source", message))
    return value


def check_private(path: Path, item: dict, errors: list[InputError], name_fields: tuple[str, ...] = ()) -> None:
    """Refuse e-mail addresses and phone numbers anywhere in the item, and person names in name_fields:
    registries name roles, organisations and pages, never people."""
    from ingest.names import find_names

    for key, value in item.items():
        values = value if isinstance(value, list) else [value]
        texts = [v for v in values if isinstance(v, str)]
        names = [n for v in texts for n in find_names(v)] if key in name_fields else []
        if names:
            message = (
                f"ser ut att innehålla ett personnamn ({', '.join(names)}): ange en roll i stället; är det en "
                "organisation eller plats, lägg till den under organisations eller places i ingest/names.yml"
            )
            errors.append(InputError(str(path), line_of(item), key, message))
        if any(_EMAIL.search(v) or _PHONE.search(v) for v in texts):
            message = "innehåller en e-postadress eller ett telefonnummer: ange en kontaktroll och en webbsida"
            errors.append(InputError(str(path), line_of(item), key, message))


def duplicate_keys(path: Path, what: str) -> list[InputError]:
    """Keys given twice inside one item (YAML would silently keep the last), with the item's line."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return []  # read_yaml refuses it with its size
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
                message = f"fältet anges två gånger i samma {what} (rad {seen[key_node.value]} och {line})"
                errors.append(InputError(str(path), item.start_mark.line + 1, key_node.value, message))
            else:
                seen[key_node.value] = line
    return errors


RecordMaker = Callable[[Path, dict, int, Reference, set[str], list[InputError]], dict]


def load_registry(
    path: Path,
    reference: Reference,
    keys: tuple[set[str], set[str]],
    default_source: str,
    make_record: RecordMaker,
    what: str,
) -> list[dict]:
    """Read a YAML list of named items; validate each with make_record; raise InputErrors listing every problem.

    keys: (required, optional). make_record(path, item, position, reference, known source ids, errors).
    Items whose name or kind is missing are reported, not recorded; a name whose slug is taken is refused
    with both lines.
    """
    known = {s["id"] for s in reference.sources} | {default_source}
    duplicates = duplicate_keys(path, what)
    if duplicates:
        raise InputErrors(duplicates)
    items = read_yaml(path)
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputErrors([InputError(str(path), None, None, f"filen ska vara en lista, en post per {what}")])
    required, optional = keys
    errors: list[InputError] = []
    records, seen = [], {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(
                InputError(str(path), None, None, f"post {position} ska vara en mappning (name: ..., kind: ...)")
            )
            continue
        check_keys(path, item, required, optional, errors)
        for key in sorted(required):
            if key in item and not text(item[key]):
                errors.append(InputError(str(path), line_of(item), key, "obligatoriskt fält är tomt"))
        if not text(item.get("name")) or not text(item.get("kind")):
            continue
        record = make_record(path, item, position, reference, known, errors)
        if record["id"] in seen:
            message = f"{what} {record['id']!r} finns redan på rad {seen[record['id']]}"
            errors.append(InputError(str(path), line_of(item), "name", message))
            continue
        seen[record["id"]] = line_of(item)
        records.append(record)
    if errors:
        raise InputErrors(errors)
    return records
