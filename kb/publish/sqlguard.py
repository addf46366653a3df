"""Bounds on what one SQL statement can cost inside a single virtual-machine step, for every Datasette connection.

Datasette's time limit is a progress handler, and `Connection.interrupt()` works the same way: both act only
between virtual-machine steps. A built-in function call is one step, so a quadratic built-in on long values
(`instr`, `replace`, `LIKE`, `GLOB`, two-argument `trim`, `json_patch`) runs to its end however long that is.
This module makes every single step cheap:

- `SQLITE_LIMIT_LENGTH` caps any string, blob or row at MAX_LENGTH (the largest stored value is a few KB; the
  largest table concatenated is under 200 KB), so every linear function (printf width, randomblob, zeroblob,
  `||`, hex, upper ...) costs at most a few milliseconds per call.
- The quadratic built-ins are replaced (`create_function` overrides a built-in of the same name and arity) by
  wrappers that compare the product of their arguments' lengths with a cap per function (sized from measured
  cost so one call stays well under 50 ms) and then hand the very same arguments to the real built-in on a
  private in-memory connection. Same answers as before; a call over the cap is refused with a Swedish reason.
- An authorizer refuses what only serves abuse or reveals the server: `load_extension`, `fts3_tokenizer`
  (pointer registration), the rtree debugging functions, `sqlite_compileoption_*`, the `sqlite_stmt` table
  (other clients' recent SQL on a shared connection) and `dbstat`; pragmas outside PRAGMA_ALLOWED; and it
  hides the `file` column of `pragma_database_list` (the server's path) as NULL.
- A result meter (a row factory) refuses an ad-hoc result bigger than MAX_RESULT_BYTES.

`refusal()` names the reason of the last refusal in this thread (the caller turns SQLite's generic "user-defined
function raised exception" or "not authorized" into it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

MAX_LENGTH = 1_000_000  # bytes of one string, blob or row
MAX_SQL_LENGTH = 100_000  # bytes of one SQL text
MAX_RESULT_BYTES = 4_000_000  # bytes of one ad-hoc result (all rows); the largest table is under 200 KB
# Measured on the 2-core machine (bench/bench_hostile.py): instr/replace ~3e-11 s, LIKE/GLOB ~1e-9 s,
# trim ~2e-9 s, json_patch ~8e-11 s per unit of (length of one argument x length of the other).
CAPS = {
    "instr": 1_000_000_000,
    "replace": 1_000_000_000,
    "like": 20_000_000,
    "glob": 20_000_000,
    "trim": 10_000_000,
    "ltrim": 10_000_000,
    "rtrim": 10_000_000,
    "json_patch": 300_000_000,
}
DENIED_FUNCTIONS = {
    "load_extension",
    "fts3_tokenizer",
    "fts5",
    "rtreenode",
    "rtreedepth",
    "rtreecheck",
    "sqlite_compileoption_get",
    "sqlite_compileoption_used",
    "sqlite_log",
    "optimize",
}
DENIED_TABLES = {"sqlite_stmt", "dbstat"}
HIDDEN_COLUMNS = {("pragma_database_list", "file")}
# Pragmas Datasette runs itself, and the pragma functions it offers to SQL of a client's own.
PRAGMA_ALLOWED = {
    "database_list",
    "foreign_key_list",
    "function_list",
    "index_info",
    "index_list",
    "index_xinfo",
    "page_count",
    "page_size",
    "max_page_count",
    "schema_version",
    "table_info",
    "table_xinfo",
    "query_only",
    "cache_size",
    "data_version",  # FTS5 reads it on every query
}
SQLITE_PRAGMA, SQLITE_READ, SQLITE_FUNCTION = 19, 20, 31

_local = threading.local()


class ResultTooBig(sqlite3.DataError):
    """An ad-hoc result over MAX_RESULT_BYTES (a DatabaseError, so Datasette shows it as a 400)."""


def refusal() -> str | None:
    """The Swedish reason of the last refusal in this thread, if any since `reset()`."""
    return getattr(_local, "reason", None)


def reset(meter_limit: int | None = None) -> None:
    """Forget the last refusal; with meter_limit, start metering result bytes for this thread's next query."""
    _local.reason = None
    _local.meter = [0, meter_limit] if meter_limit else None


def _refuse(reason: str) -> None:
    _local.reason = reason


def cost_size(value: Any) -> int:
    """An upper bound on the bytes SQLite sees for a value (UTF-8 is at most 4 bytes per character)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value) if value.isascii() else 4 * len(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    return 32  # a number as text


def _helper() -> sqlite3.Connection:
    conn = getattr(_local, "helper", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
        _local.helper = conn
    return conn


def _bounded(name: str, arity: int, pairs: tuple[tuple[int, int], ...]) -> Callable[..., Any]:
    """A wrapper for built-in `name` refusing calls whose (len(args[i]) * len(args[j])) exceeds CAPS[name]."""
    cap = CAPS[name]
    sql = f"SELECT {name}({', '.join('?' * arity)})"

    def call(*args: Any) -> Any:
        cost = max(cost_size(args[i]) * cost_size(args[j]) for i, j in pairs)
        if cost > cap:
            _refuse(
                f"Frågan är för kostsam: {name}() på så långa värden ({cost:.2g} jämförelser, högst {cap:.2g}) "
                "tillåts inte. Korta ner strängarna eller mönstret."
            )
            raise ValueError(name)
        return _helper().execute(sql, args).fetchone()[0]

    return call


# name, arity, which argument pairs drive the cost
BOUNDED = [
    ("instr", 2, ((0, 1),)),
    ("replace", 3, ((0, 1),)),
    ("like", 2, ((0, 1),)),
    ("like", 3, ((0, 1),)),
    ("glob", 2, ((0, 1),)),
    ("trim", 2, ((0, 1),)),
    ("ltrim", 2, ((0, 1),)),
    ("rtrim", 2, ((0, 1),)),
    ("json_patch", 2, ((0, 1),)),
]


def authorizer(action: int, arg1: str | None, arg2: str | None, dbname: str | None, source: str | None) -> int:
    """SQLite authorizer: refuse abuse-only functions, server-revealing tables and pragmas; hide server paths."""
    if action == SQLITE_FUNCTION and arg2 and arg2.lower() in DENIED_FUNCTIONS:
        _refuse(f"Funktionen {arg2}() är inte tillåten på den publika webbplatsen.")
        return sqlite3.SQLITE_DENY
    if action == SQLITE_READ and arg1:
        if arg1.lower() in DENIED_TABLES:
            _refuse(f"Tabellen {arg1} är inte tillgänglig på den publika webbplatsen.")
            return sqlite3.SQLITE_DENY
        if (arg1.lower(), (arg2 or "").lower()) in HIDDEN_COLUMNS:
            return sqlite3.SQLITE_IGNORE  # read as NULL
    if action == SQLITE_PRAGMA and (arg1 or "").lower() not in PRAGMA_ALLOWED:
        _refuse(f"PRAGMA {arg1} är inte tillåtet på den publika webbplatsen.")
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _metered_row(cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
    meter = getattr(_local, "meter", None)
    if meter is not None:
        meter[0] += sum(cost_size(v) for v in row) + 8 * len(row)
        if meter[0] > meter[1]:
            raise ResultTooBig(
                f"Svaret blev för stort: högst {meter[1] // 1_000_000} MB per egen fråga. "
                "Välj färre kolumner eller rader (LIMIT)."
            )
    return sqlite3.Row(cursor, row)


def guard_connection(conn: sqlite3.Connection) -> None:
    """Apply every bound of this module to a Datasette connection (not to Datasette's own _internal db).

    Also turns off the printing of callback tracebacks that Datasette turns on (process-wide): every refusal
    would print one to the log. The refusal reason reaches the client instead (see `refusal()`)."""
    sqlite3.enable_callback_tracebacks(False)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    for name, arity, pairs in BOUNDED:
        conn.create_function(name, arity, _bounded(name, arity, pairs), deterministic=True)
    conn.set_authorizer(authorizer)
    conn.row_factory = _metered_row
