"""The Samverkan KB Datasette plugin: safety limits, security headers, and the reconstruction notice.

Registered through the `datasette` entry point (`samverkan = "kb.publish.plugin"`); `kb.publish.serve` also
registers it by hand when the package was installed without it.

- prepare_connection: caps the length of any string or blob (SQLITE_LIMIT_LENGTH), so `randomblob`,
  `zeroblob` or `printf` cannot allocate gigabytes, and the length of an SQL text.
- asgi_wrapper: answers 405 to any method but GET and HEAD (the database is immutable, and Datasette 0.65.5
  answers a POST to a table or row with a 500), refuses paths that Datasette would turn into an off-site
  redirect (`/\\example.com/`, `//example.com/`), rate-limits `?sql=` and `?_where=` per client, and adds
  security headers (CSP, nosniff, frame protection, a Referrer-Policy that lets OpenStreetMap tiles load).
- extra_body_script: on a page with the forum map's coordinate columns, a guard that turns the map off when
  no row shown has coordinates (datasette-cluster-map would draw an empty map and log "Bounds are not valid").
- handle_exception: a value too big for SQLITE_LIMIT_LENGTH is a 400 with a Swedish message, not a 500.
- extra_template_vars: `reconstruction_notice` (true where reconstructed response rows are shown) and
  `has_reconstruction` (the database holds any) and `reconstructed_rounds` (their years, from the db).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections import OrderedDict
from urllib.parse import parse_qs

from datasette import hookimpl

PLUGIN_NAME = "samverkan-kb"
MAX_LENGTH = 20_000_000  # bytes of one string or blob
MAX_SQL_LENGTH = 100_000  # bytes of one SQL text
SQL_BURST = 20  # ?sql= requests a client may make at once
SQL_PER_MINUTE = 30  # and then per minute
MAX_CLIENTS = 10_000  # clients remembered by the rate limiter
ALLOWED_METHODS = ("GET", "HEAD")  # read-only: no write API, no Datasette forms (permissions, messages) in use

TILE_HOSTS = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    f"img-src 'self' data: {TILE_HOSTS}; "
    "connect-src 'self'; "
    "font-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_REPLACED = {name for name, _ in SECURITY_HEADERS}

# Tables and views whose rows are (or are computed from) the reconstructed 2022 responses.
RECONSTRUCTED = {
    "responses",
    "collaborations",
    "department_goal_areas",
    "funding",
    "staffed_share",
    "ingests",
    "response_rounds",
    "category_measures",
    "table1_departments_per_category",
    "table2_forms_per_category",
    "table3_average_per_category",
    "table4_average_per_collaborating",
    "table5_reports_per_form",
    "table6_departments_per_goal_area",
    "table7_funding",
    "table8_staffed_share",
    "diagram1_department_overview",
    "verify_findings",
    "gaps",
    "gap_stability",
    "graph_metrics",
    "graph_edges",
    "graph_nodes",
}
_WORD = re.compile(r"[A-Za-z0-9_]+")

# Runs before datasette-cluster-map's DOMContentLoaded listener (an inline script registers its listener while
# the page is parsed; the map's module script only after): when no row of the table has both coordinates and
# there is no further page, the map's column names are replaced by one no column has, so no map is drawn.
MAP_GUARD = """
document.addEventListener("DOMContentLoaded", function () {
  var lat = window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN, lon = window.DATASETTE_CLUSTER_MAP_LONGITUDE_COLUMN;
  var table = document.querySelector("table.rows-and-columns");
  if (!lat || !lon || !table) { return; }
  var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
    return (th.getAttribute("data-column") || th.textContent).trim().toLowerCase();
  });
  var i = names.indexOf(String(lat).toLowerCase()), j = names.indexOf(String(lon).toLowerCase());
  if (i < 0 || j < 0) { return; }
  var located = Array.prototype.some.call(table.querySelectorAll("tbody tr"), function (tr) {
    var a = tr.cells[i] && parseFloat(tr.cells[i].textContent), b = tr.cells[j] && parseFloat(tr.cells[j].textContent);
    return isFinite(a) && isFinite(b);
  });
  if (located || document.querySelector("a[href*='_next=']")) { return; }
  window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN = window.DATASETTE_CLUSTER_MAP_LONGITUDE_COLUMN = "kb:inga-koordinater";
  var note = document.createElement("p");
  note.className = "kb-map-note";
  note.textContent = "Kartan visas när någon rad har koordinater (latitude och longitude). Ingen rad här har det ännu.";
  var wrapper = document.querySelector(".table-wrapper") || table;
  wrapper.parentNode.insertBefore(note, wrapper);
});
"""


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_LENGTH)


def is_offsite_redirect_path(path: str, raw_path: bytes | None = None) -> bool:
    """True for paths a browser could read as another host once Datasette strips a trailing slash."""
    raw = (raw_path or b"").lower()
    return "\\" in path or path.startswith("//") or b"\\" in raw or b"%5c" in raw or raw.startswith(b"//")


class RateLimiter:
    """A token bucket per client: `burst` at once, then `per_minute`."""

    def __init__(self, burst: int = SQL_BURST, per_minute: int = SQL_PER_MINUTE, max_clients: int = MAX_CLIENTS):
        self.burst, self.rate, self.max_clients = burst, per_minute / 60.0, max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> tuple[bool, int]:
        """Take one token; returns (allowed, seconds to wait when not)."""
        now = time.monotonic() if now is None else now
        tokens, last = self.buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self.buckets[client] = (tokens, now)
        while len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return allowed, 0 if allowed else max(1, int((1 - tokens) / self.rate + 0.999))


async def _send_text(send, status: int, text: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = f'<!DOCTYPE html><html lang="sv"><meta charset="utf-8"><title>{status}</title><p>{text}</p></html>'
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), *SECURITY_HEADERS, *headers],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


SQL_ARGUMENTS = ("sql", "_where")  # query-string arguments that carry SQL of the client's own


def _has_sql_argument(query_string: bytes) -> bool:
    """Whether a request carries SQL of its own: `?sql=` or a table's `?_where=`."""
    if b"sql=" not in query_string and b"_where=" not in query_string:
        return False
    arguments = parse_qs(query_string.decode("latin1"))
    return any(name in arguments for name in SQL_ARGUMENTS)


@hookimpl
def asgi_wrapper(datasette):
    config = datasette.plugin_config(PLUGIN_NAME) or {}
    limiter = RateLimiter(int(config.get("sql_burst", SQL_BURST)), int(config.get("sql_per_minute", SQL_PER_MINUTE)))

    def wrap(app):
        async def samverkan_guard(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope.get("method", "GET").upper() not in ALLOWED_METHODS:
                await _send_text(
                    send,
                    405,
                    "Metoden är inte tillåten: kunskapsbasen är skrivskyddad och kan bara läsas (GET).",
                    [(b"allow", b", ".join(m.encode() for m in ALLOWED_METHODS))],
                )
                return
            if is_offsite_redirect_path(scope.get("path", ""), scope.get("raw_path")):
                await _send_text(send, 400, "Ogiltig adress: snedstreck i början av sökvägen är inte tillåtna.")
                return
            if _has_sql_argument(scope.get("query_string", b"")):
                client = (scope.get("client") or ("okänd", 0))[0]
                allowed, wait = limiter.allow(client)
                if not allowed:
                    await _send_text(
                        send,
                        429,
                        f"För många egna SQL-frågor på kort tid. Försök igen om {wait} sekunder.",
                        [(b"retry-after", str(wait).encode())],
                    )
                    return

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    headers = [h for h in event.get("headers") or [] if bytes(h[0]).lower() not in _REPLACED]
                    event = {**event, "headers": [*headers, *SECURITY_HEADERS]}
                await send(event)

            await app(scope, receive, send_with_headers)

        return samverkan_guard

    return wrap


@hookimpl
def extra_body_script(database, table, columns, view_name, datasette):
    if view_name not in ("table", "database") or not columns:
        return None
    config = datasette.plugin_config("datasette-cluster-map", database=database, table=table) or {}
    lat, lon = config.get("latitude_column"), config.get("longitude_column")
    lower = {str(c).lower() for c in columns}
    if not lat or not lon or lat.lower() not in lower or lon.lower() not in lower:
        return None
    return MAP_GUARD


TOO_BIG_MESSAGE = (
    "Resultatet blev för stort: en sträng eller ett blobvärde får vara högst 20 MB. Förenkla frågan eller villkoret."
)


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    """A query whose value outgrows SQLITE_LIMIT_LENGTH (e.g. `?_where=length(randomblob(5e8))`) is the
    client's mistake: 400 with a Swedish message instead of Datasette's 500."""
    if not (isinstance(exception, sqlite3.DataError) or "string or blob too big" in str(exception)):
        return None

    async def inner():
        from datasette.utils.asgi import Response

        info = {"ok": False, "error": TOO_BIG_MESSAGE, "status": 400, "title": "För stort resultat"}
        if request.path.endswith(".json"):
            return Response.json(info, status=400)
        html = await datasette.render_template(["400.html", "error.html"], info, request=request)
        return Response.html(html, status=400)

    return inner


_reconstructed_rounds: dict[tuple[int, str], list[int]] = {}


async def reconstructed_rounds(datasette, database: str) -> list[int]:
    """Rounds whose responses come from a source of kind `rekonstruktion` (cached: the db is immutable)."""
    key = (id(datasette), database)
    if key not in _reconstructed_rounds:
        db = datasette.get_database(database)
        found: list[int] = []
        if await db.table_exists("responses") and await db.table_exists("sources"):
            rows = await db.execute(
                "SELECT DISTINCT round FROM responses WHERE source_id IN "
                "(SELECT id FROM sources WHERE kind = 'rekonstruktion') ORDER BY round"
            )
            found = [r[0] for r in rows.rows]
        _reconstructed_rounds[key] = found
    return _reconstructed_rounds[key]


def swedish_list(items: list) -> str:
    """"2022", "2022 och 2023", "2021, 2022 och 2023"."""
    words = [str(i) for i in items]
    return " och ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def mentions_reconstructed(text: str | None) -> bool:
    """Whether an SQL text or a name refers to a reconstructed table or view."""
    return bool(text) and not RECONSTRUCTED.isdisjoint(_WORD.findall(text))


@hookimpl
def extra_template_vars(datasette, database, table, view_name, request):
    async def inner():
        names = [n for n in datasette.databases if n != "_internal"]
        database_name = database or (names[0] if len(names) == 1 else None)
        if database_name is None or database_name not in datasette.databases:
            return {"has_reconstruction": False, "reconstruction_notice": False, "reconstructed_rounds": ""}
        rounds = await reconstructed_rounds(datasette, database_name)
        has = bool(rounds)
        notice = False
        if has and request is not None:
            parts = [p for p in request.path.split("/") if p]
            name = table or (parts[1].split(".")[0] if len(parts) > 1 else None)
            if mentions_reconstructed(name) or mentions_reconstructed(request.args.get("sql")):
                notice = True
            elif name:
                query = await datasette.get_canned_query(database_name, name, None)
                notice = bool(query) and mentions_reconstructed(query.get("sql"))
        return {
            "has_reconstruction": has, "reconstruction_notice": notice, "reconstructed_rounds": swedish_list(rounds)
        }

    return inner
