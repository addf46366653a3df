"""Swedish for the published site: number formats and the words Datasette's templates would show in English.

Numbers: space (U+00A0, no-break) between thousands, decimal comma, "kr" and "%" after a no-break space.
Filters: the Swedish name of each of Datasette's filter lookups (`exact`, `contains` ...) and a Swedish
description of a table's filters, search and sort (Datasette's own is `human_description_en`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

NBSP = "\u00a0"

# Datasette 0.65's filter lookups (datasette/filters.py), in Swedish: key -> (menu label, clause template).
LOOKUPS: dict[str, tuple[str, str]] = {
    "exact": ("=", '{c} = "{v}"'),
    "not": ("≠", '{c} är inte "{v}"'),
    "contains": ("innehåller", '{c} innehåller "{v}"'),
    "endswith": ("slutar med", '{c} slutar med "{v}"'),
    "startswith": ("börjar med", '{c} börjar med "{v}"'),
    "gt": (">", "{c} > {v}"),
    "gte": ("≥", "{c} ≥ {v}"),
    "lt": ("<", "{c} < {v}"),
    "lte": ("≤", "{c} ≤ {v}"),
    "like": ("liknar (like)", '{c} liknar "{v}"'),
    "notlike": ("liknar inte (not like)", '{c} liknar inte "{v}"'),
    "glob": ("mönster (glob)", '{c} matchar mönstret "{v}"'),
    "in": ("är en av", "{c} är en av {v}"),
    "notin": ("är ingen av", "{c} är ingen av {v}"),
    "arraycontains": ("listan innehåller", '{c} innehåller "{v}"'),
    "arraynotcontains": ("listan saknar", '{c} saknar "{v}"'),
    "date": ("datum", '{c} är datumet "{v}"'),
    "isnull": ("saknar värde (null)", "{c} saknar värde"),
    "notnull": ("har ett värde", "{c} har ett värde"),
    "isblank": ("är tom", "{c} är tom"),
    "notblank": ("är inte tom", "{c} är inte tom"),
}
FACET_TYPES = {"column": "kolumn", "array": "lista", "date": "datum"}


def number(value: Any, decimals: int | None = None) -> str:
    """`1234567.5` -> `1 234 567,5` (no-break spaces); None and '' -> ''; text is returned as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value) if "." in str(value) else int(value)
        except (TypeError, ValueError):
            return str(value)
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def kronor(value: Any) -> str:
    """`250000` -> `250 000 kr`; empty stays empty."""
    text = number(value, 0)
    return f"{text}{NBSP}kr" if text else ""


def percent(value: Any, decimals: int | None = None) -> str:
    """`80.0` -> `80 %`, `12.5` -> `12,5 %`."""
    text = number(value, decimals)
    return f"{text}{NBSP}%" if text else ""


def lookup_label(key: str, fallback: str = "") -> str:
    """The Swedish menu label of a filter lookup."""
    return LOOKUPS.get(key, (fallback or key, ""))[0]


def _clause(column: str, lookup: str, value: str) -> str:
    template = LOOKUPS.get(lookup, (lookup, "{c} " + lookup + ' "{v}"'))[1]
    if lookup in ("in", "notin"):
        items = json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",")]
        value = ", ".join(f'"{v}"' for v in items)
    return template.format(c=column, v=value)


def describe(selections: Iterable[tuple[str, str, str]], search: str = "", sort: str = "", sort_desc: str = "") -> str:
    """A Swedish sentence for a table's filters, search and sort: `där kind = "positivt" och ...`."""
    clauses = [f'söker "{search}"'] if search else []
    clauses += [_clause(column, lookup, value) for column, lookup, value in selections]
    text = ""
    if clauses:
        head, tail = clauses[:-1], clauses[-1]
        text = "där " + (", ".join(head) + " och " + tail if head else tail)
    if sort or sort_desc:
        text = (text + " " if text else "") + f"sorterat på {sort or sort_desc}" + (" fallande" if sort_desc else "")
    return text


def rows_word(count: int) -> str:
    """`1 rad`, `2 rader`, `1 234 rader`."""
    return f"{number(count)} {'rad' if count == 1 else 'rader'}"


def file_size(size: int | float) -> str:
    """Bytes as `12,3 MB` (Datasette's format_bytes, with a decimal comma)."""
    current, unit = float(size), "byte"
    for unit in ("byte", "kB", "MB", "GB", "TB"):  # noqa: B007 (the unit the loop stops at is the one we want)
        if current < 1024:
            break
        current /= 1024
    return f"{int(current)}{NBSP}{unit}" if unit == "byte" else f"{number(current, 1)}{NBSP}{unit}"


def from_json(text: str | None) -> Any:
    """A JSON text (e.g. one a page's SQL built with json_group_array) as Python values; None -> []."""
    return json.loads(text) if text else []


FILTERS = {"sv_tal": number, "sv_kr": kronor, "sv_procent": percent, "sv_storlek": file_size, "kb_json": from_json}
GLOBALS = {"sv_villkor": lookup_label, "sv_beskrivning": describe, "sv_rader": rows_word, "sv_facettyp": FACET_TYPES}


def install(env) -> None:
    """Add the filters and globals above to a Jinja environment."""
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
