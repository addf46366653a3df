"""Validators shared by the registry files that cite public pages (forums.yml, agreements.yml).

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
from pathlib import Path
from typing import Any

from ingest.reference import Reference, normalise_label
from ingest.yamlfile import LINE_KEY, line_of
from kb.core.errors import InputError

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


def url(path: Path, item: dict, key: str, errors: list[InputError]) -> str | None:
    """A web address (http/https) or None."""
    value: Any = item.get(key)
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        return None
    if not URL.match(text):
        errors.append(InputError(str(path), line_of(item), key, f"ska vara en webbadress (http/https), inte {text!r}"))
    return text
