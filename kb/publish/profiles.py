"""Profile pages and Swedish template helpers, as Datasette hooks (imported by kb.publish.plugin).

- register_routes: `/profiler` (every profile), `/forvaltning/<id>` (Förvaltningsprofil), `/kategori/<id>`
  and `/delmalomrade/<id>`, rendered with templates/profile.html from kb.publish.profile_data. The database
  is immutable, so a rendered profile is cached per Datasette instance.
- render_cell: a department, category or goal area named in a table cell links to its profile.
- prepare_jinja2_environment: the Swedish filters and globals of kb.publish.swedish, and `kb_profile_url`.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from datasette import hookimpl
from kb.publish import swedish
from kb.publish.profile_data import (
    COLUMN_KIND,
    KINDS,
    NAME_COLUMN_KIND,
    TABLE_KIND,
    build_index,
    build_profile,
    name_ids,
    profile_url,
)

DATABASE = "samverkan"
_cache: dict[tuple[int, str], Any] = {}

# Datasette's English error messages, in Swedish (regex on the message -> replacement).
ERRORS = [
    (r"^Table not found:? ?$", "Tabellen finns inte"),
    (r"^Table not found:? ?(.+)$", r"Tabellen finns inte: \1"),
    (r"^Database not found:? ?(.*)$", r"Databasen finns inte: \1"),
    (r"^Record not found:? ?(.*)$", r"Raden finns inte: \1"),
    (r"^Invalid database$", "Databasen finns inte"),
    (r"^Cannot sort table by (.*)$", r"Tabellen kan inte sorteras på \1"),
    (r"^Cannot use _sort and _sort_desc at the same time$", "Sortera stigande eller fallande, inte båda samtidigt"),
    (r"^_size must be a positive integer$", "_size måste vara ett positivt heltal"),
    (r"^_size must be <= (\d+)$", r"_size får vara högst \1"),
    (r"^_facet= is not allowed$", "Facetter är inte tillåtna"),
    (r"^Permission denied$", "Åtkomst nekad"),
    (r"^SQL query took too long.*$", "Frågan tog för lång tid och avbröts. Förenkla den eller begränsa urvalet."),
    (r"^Statement must be a SELECT$", "Frågan måste vara en SELECT-fråga"),
    (r"^no such table: (.*)$", r"Tabellen finns inte: \1"),
    (r"^no such column: (.*)$", r"Kolumnen finns inte: \1"),
    (r"^near \"(.*)\": syntax error$", r'Syntaxfel nära "\1"'),
    (r"^incomplete input$", "Frågan är ofullständig"),
    (r"^Not found$|^404$", "Sidan finns inte"),
]


def error_in_swedish(message: Any) -> str:
    """Datasette's error message in Swedish where we know it; otherwise as it is."""
    text = str(message or "")
    for pattern, replacement in ERRORS:
        if re.match(pattern, text, flags=re.S):
            return re.sub(pattern, replacement, text, flags=re.S)
    return text


def profile_kind(table: str | None) -> str | None:
    """The profile kind of a table whose rows have profiles (departments, categories, goal_areas)."""
    return TABLE_KIND.get(table or "")


def row_profile_url(table: str | None, entity_id: Any) -> str | None:
    kind = profile_kind(table)
    return profile_url(kind, entity_id) if kind and entity_id not in (None, "") else None


@hookimpl
def prepare_jinja2_environment(env):
    swedish.install(env)
    env.globals.update(
        kb_profile_url=row_profile_url,
        kb_profile_kind=profile_kind,
        kb_error_sv=error_in_swedish,
    )


_LINK = '<a href="{href}" class="kb-profile-cell">{label}</a>'


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Department, category and goal-area ids (foreign keys or plain columns) and the names in the tables of
    those entities link to the profile page."""
    if database != DATABASE or value in (None, ""):
        return None
    kind = COLUMN_KIND.get(column)
    if kind is None and column in NAME_COLUMN_KIND and isinstance(value, str):
        return _name_link(datasette, NAME_COLUMN_KIND[column], value)
    if kind is None:
        if column != "name" or table not in TABLE_KIND:
            return None
        try:
            entity_id = row["id"]
        except (IndexError, KeyError):
            return None
        kind, label = TABLE_KIND[table], value
    elif isinstance(value, dict):
        entity_id, label = value.get("value"), value.get("label") or value.get("value")
    else:
        entity_id = label = value
    if not isinstance(entity_id, str) or not entity_id:
        return None
    from markupsafe import Markup

    return Markup(_LINK.format(href=escape(profile_url(kind, entity_id)), label=escape(str(label))))


def _name_link(datasette, kind: str, name: str):
    """A cell holding a department's, category's or goal area's name (views, canned queries) links to it."""

    async def inner():
        from markupsafe import Markup

        key = (id(datasette), "names")
        if key not in _cache:
            _cache[key] = await name_ids(datasette.get_database(DATABASE))
        entity_id = _cache[key][kind].get(name)
        if entity_id is None:
            return None
        return Markup(_LINK.format(href=escape(profile_url(kind, entity_id)), label=escape(name)))

    return inner()


async def _render_profile(datasette, request, kind: str):
    from datasette.utils.asgi import NotFound, Response

    entity_id = request.url_vars["id"]
    key = (id(datasette), f"{kind}:{entity_id}")
    if key not in _cache:
        db = datasette.get_database(DATABASE)
        profile = await build_profile(db, kind, entity_id)
        if profile is None:
            raise NotFound(f"Det finns ingen {KINDS[kind][2].lower()} med id {entity_id}")
        _cache[key] = profile
        while len(_cache) > 500:
            _cache.pop(next(iter(_cache)))
    profile = _cache[key]
    html = await datasette.render_template("profile.html", {"profile": profile}, request=request)
    return Response.html(html)


async def department_page(datasette, request):
    return await _render_profile(datasette, request, "forvaltning")


async def category_page(datasette, request):
    return await _render_profile(datasette, request, "kategori")


async def goal_area_page(datasette, request):
    return await _render_profile(datasette, request, "delmalomrade")


async def index_page(datasette, request):
    from datasette.utils.asgi import Response

    key = (id(datasette), "index")
    if key not in _cache:
        _cache[key] = await build_index(datasette.get_database(DATABASE))
    html = await datasette.render_template("profiles.html", {"groups": _cache[key]}, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [
        (r"^/profiler$", index_page),
        (r"^/forvaltning/(?P<id>[^/]+)$", department_page),
        (r"^/kategori/(?P<id>[^/]+)$", category_page),
        (r"^/delmalomrade/(?P<id>[^/]+)$", goal_area_page),
    ]
