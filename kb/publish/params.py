"""Query-string parameters checked before Datasette sees them: a bad one is a Swedish 400 naming it, not a 500.

Datasette 0.65 answers an unknown `_sort`, `_sort_desc` or `_through` column, or `_sort` with `_sort_desc`, with a
500, a bad `_timelimit` too, and ignores unknown filter columns and most malformed `_next` values (or fails with
an SQL error). `check()` returns the first problem of a request as `BadParameter` (or None):

- everywhere: `_size` (an integer from 0 to max_returned_rows, or `max`), `_timelimit` (a whole number of ms),
  `_shape` on JSON answers;
- on a table or view page: `_sort`/`_sort_desc` (a sortable column, not both), `_facet`, `_facet_array`,
  `_facet_date`, `_col`, `_nocol` (columns), `_through` (JSON naming a table with a foreign key to this one and
  one of its columns), filters `column` / `column__operation` (a column and a known operation) and `_next`
  (an offset on a view; on a table as many parts as the sort value and primary key need).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

SHAPES = ("objects", "arrays", "array", "arrayfirst", "object")
FORMATS = ("json", "csv", "jsono", "geojson", "atom", "rss")
COLUMN_ARGUMENTS = ("_facet", "_facet_array", "_facet_date", "_col", "_nocol")


@dataclass
class BadParameter:
    name: str
    message: str


@dataclass
class TableInfo:
    columns: list[str]
    pks: list[str]
    is_view: bool
    use_rowid: bool


_cache: dict[tuple[int, str, str], TableInfo | None] = {}


async def table_info(datasette, database: str, table: str) -> TableInfo | None:
    """Columns, primary keys and kind of a table or view (None when there is none; cached, the db is immutable)."""
    key = (id(datasette), database, table)
    if key not in _cache:
        db = datasette.get_database(database)
        info = None
        if await db.table_exists(table):
            pks = await db.primary_keys(table)
            info = TableInfo(await db.table_columns(table), pks, False, not pks)
        elif table in await db.view_names():
            info = TableInfo(await db.table_columns(table), [], True, False)
        _cache[key] = info
    return _cache[key]


def _filter_operations() -> set[str]:
    from datasette.filters import Filters

    return {f.key for f in Filters._filters}


def _generic(args: list[tuple[str, str]], datasette, is_json: bool) -> BadParameter | None:
    for name, value in args:
        if name == "_size" and value != "max":
            if not value.isdigit() or int(value) > datasette.max_returned_rows:
                return BadParameter(
                    name,
                    f"Ogiltigt värde för _size: {value!r}. Ange ett heltal från 0 till "
                    f"{datasette.max_returned_rows} eller max.",
                )
        if name == "_timelimit" and not value.isdigit():
            return BadParameter(name, f"Ogiltigt värde för _timelimit: {value!r}. Ange ett heltal (millisekunder).")
        if name == "_shape" and is_json and value not in SHAPES:
            return BadParameter(name, f"Ogiltigt värde för _shape: {value!r}. Välj något av {', '.join(SHAPES)}.")
    return None


def _unknown_column(name: str, value: str, table: str, columns: list[str]) -> BadParameter:
    return BadParameter(
        name, f"Okänd kolumn i {name}: {value!r}. {table} har kolumnerna {', '.join(columns)}."
    )


async def _check_through(datasette, database: str, table: str, value: str) -> BadParameter | None:
    problem = BadParameter(
        "_through",
        f"Ogiltigt värde för _through: {value[:200]!r}. Ange JSON med table (en tabell med en främmande nyckel "
        f"till {table}), column (en av dess kolumner) och value.",
    )
    try:
        data = json.loads(value)
    except ValueError:
        return problem
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str | int) for k in ("table", "column")):
        return problem
    if "value" not in data:
        return problem
    through = await table_info(datasette, database, str(data["table"]))
    if through is None or through.is_view or str(data["column"]) not in through.columns:
        return problem
    fks = await datasette.get_database(database).foreign_keys_for_table(str(data["table"]))
    if not any(fk["other_table"] == table for fk in fks):
        return problem
    return None


def _check_next(value: str, info: TableInfo, sorted_: bool) -> bool:
    from datasette.utils import urlsafe_components

    if info.is_view:
        return value.isdigit()
    parts = len(urlsafe_components(value))
    keys = 1 if info.use_rowid else len(info.pks)
    if not sorted_:
        return parts == keys
    return parts == keys + 1 or parts == keys == 1  # Datasette reads one part as the key alone


async def check(datasette, path: str, query_string: bytes) -> BadParameter | None:
    """The first bad parameter of a request, or None."""
    if not query_string:
        return None
    args = parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    parts = [p for p in path.split("/") if p]
    is_json = path.endswith(".json")
    problem = _generic(args, datasette, is_json)
    if problem or len(parts) != 2:
        return problem
    from datasette.utils import tilde_decode

    database = tilde_decode(parts[0])
    name, _, suffix = parts[1].partition(".")
    if database not in datasette.databases or database == "_internal" or (suffix and suffix not in FORMATS):
        return None
    table = tilde_decode(name)
    if await datasette.get_canned_query(database, table, None):
        return None
    info = await table_info(datasette, database, table)
    if info is None:
        return None
    meta = datasette.table_metadata(database, table)
    sortable = set(meta.get("sortable_columns") or info.columns) | ({"rowid"} if info.use_rowid else set())
    names = {n for n, _ in args}
    if "_sort" in names and "_sort_desc" in names:
        return BadParameter("_sort", "Ange antingen _sort eller _sort_desc, inte båda.")
    columns = [*info.columns, *(["rowid"] if info.use_rowid else [])]
    operations = _filter_operations()
    for name, value in args:
        if name in ("_sort", "_sort_desc") and value not in sortable:
            return BadParameter(
                name, f"Okänd kolumn i {name}: {value!r}. {table} kan sorteras på {', '.join(sorted(sortable))}."
            )
        if name in COLUMN_ARGUMENTS and value not in info.columns:
            return _unknown_column(name, value, table, info.columns)
        if name == "_through":
            problem = await _check_through(datasette, database, table, value)
            if problem:
                return problem
        if not name.startswith("_") and name not in columns:
            column, _, operation = name.rpartition("__") if "__" in name else (name, "", "")
            if column not in columns:
                return BadParameter(
                    name, f"Okänt filter {name}: {table} har ingen kolumn {column!r}. Kolumnerna: {', '.join(columns)}."
                )
            if operation and operation not in operations:
                return BadParameter(
                    name,
                    f"Okänt filter {name}: {operation!r} är ingen jämförelse. "
                    f"Välj bland {', '.join(sorted(operations))}.",
                )
    sorted_ = any(n in names for n in ("_sort", "_sort_desc")) or bool(meta.get("sort") or meta.get("sort_desc"))
    for name, value in args:
        if name == "_next" and value and not _check_next(value, info, sorted_):
            return BadParameter(name, f"Ogiltigt värde för _next: {value[:100]!r}. Använd länken till nästa sida.")
    return None
