"""The Samverkan KB Datasette plugin: safety limits, security headers, and the reconstruction notice.

Registered through the `datasette` entry point (`samverkan = "kb.publish.plugin"`); `kb.publish.serve` also
registers it by hand when the package was installed without it. The mechanisms live in their own modules and
are wired here:

- prepare_connection: kb.publish.sqlguard on every connection (length caps, bounded quadratic built-ins, an
  authorizer that refuses abuse-only functions and hides server paths, a result meter).
- asgi_wrapper: answers 405 to any method but GET and HEAD (the database is immutable, and Datasette 0.65.5
  answers a POST to a table or row with a 500), refuses paths that Datasette would turn into an off-site
  redirect (`/\\example.com/`, `//example.com/`), answers 404 for `/-/` pages a public site does not need,
  a Swedish 400 for a bad parameter (kb.publish.params), rate-limits and gates ad-hoc SQL per client and runs it
  on its own threads within a time budget (kb.publish.adhoc), and adds the security headers (kb.publish.headers).
- extra_body_script: on a page with the forum map's coordinate columns, a guard that turns the map off when
  no row shown has coordinates (datasette-cluster-map would draw an empty map and log "Bounds are not valid").
- handle_exception: a value or result too big, a query over its time budget, a refused function: a Swedish 400,
  not a 500.
- extra_template_vars: `reconstruction_notice` (true where reconstructed response rows are shown) and
  `has_reconstruction` (the database holds any) and `reconstructed_rounds` (their years, from the db).
"""

from __future__ import annotations

import re
import sqlite3
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from datasette import hookimpl
from kb.publish import adhoc, headers, params, sqlguard, worker
from kb.publish.answers import send_error, send_plain
from kb.publish.cache import response_cache_wrapper  # noqa: F401 (issue 14: hooks defined there)
from kb.publish.profiles import prepare_jinja2_environment, register_routes, render_cell  # noqa: F401 (issue 14)

PLUGIN_NAME = "samverkan-kb"
MAX_LENGTH = sqlguard.MAX_LENGTH
SQL_BURST = 20  # ad-hoc requests (own SQL or patterns) a client may make at once
SQL_PER_MINUTE = 30  # and then per minute
MAX_CLIENTS = 10_000  # clients remembered by the rate limiter
ALLOWED_METHODS = ("GET", "HEAD")  # read-only: no write API, no Datasette forms (permissions, messages) in use
# The only /-/ pages a public site needs: its static files and the plugins'. The others show the server's
# paths (/-/databases), versions (/-/versions), threads, settings, plugins, or debug permissions and messages.
PUBLIC_DASH_PREFIXES = ("/-/static/", "/-/static-plugins/")
NOT_FOUND_MESSAGE = "Sidan finns inte på den publika webbplatsen."

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
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    if database == "_internal":  # Datasette's own catalogue, never reachable by a client's SQL
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
        return
    sqlguard.guard_connection(conn)
    adhoc.register_connection(conn)


def is_offsite_redirect_path(path: str, raw_path: bytes | None = None) -> bool:
    """True for paths a browser could read as another host once Datasette strips a trailing slash."""
    raw = (raw_path or b"").lower()
    return "\\" in path or path.startswith("//") or b"\\" in raw or b"%5c" in raw or raw.startswith(b"//")


def is_closed_dash_path(path: str) -> bool:
    """True for Datasette's /-/ pages a public site keeps closed (everything but static files)."""
    return (path == "/-" or path.startswith("/-/")) and not path.startswith(PUBLIC_DASH_PREFIXES)


class RateLimiter:
    """A token bucket per client: `burst` at once, then `per_minute`. `clock` is injectable for tests."""

    def __init__(
        self,
        burst: int = SQL_BURST,
        per_minute: int = SQL_PER_MINUTE,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.burst, self.rate, self.max_clients, self.clock = burst, per_minute / 60.0, max_clients, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str, now: float | None = None) -> tuple[bool, int]:
        """Take one token; returns (allowed, seconds to wait when not)."""
        now = self.clock() if now is None else now
        tokens, last = self.buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self.buckets[client] = (tokens, now)
        while len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return allowed, 0 if allowed else max(1, int((1 - tokens) / self.rate + 0.999))


def _has_sql_argument(query_string: bytes) -> bool:
    """Whether a request carries SQL or a LIKE/GLOB pattern of the client's own (see kb.publish.adhoc)."""
    return adhoc.is_adhoc(query_string)


def client_of(scope) -> str:
    """The client a request counts against: the peer address, which uvicorn has already replaced by the
    forwarded-for client when the peer is a trusted proxy (`kb serve --trusted-proxy`)."""
    return (scope.get("client") or ("okänd", 0))[0]


@dataclass
class GuardState:
    """What the plugin keeps per Datasette instance."""

    limiter: RateLimiter
    gate: adhoc.ClientGate = field(default_factory=adhoc.ClientGate)
    headers: list[tuple[bytes, bytes]] | None = None


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def state_for(datasette) -> GuardState:
    """The plugin's state for one Datasette instance (tests inject a clock through `state_for(ds).limiter`)."""
    if datasette not in _states:
        config = datasette.plugin_config(PLUGIN_NAME) or {}
        burst, per_minute = int(config.get("sql_burst", SQL_BURST)), int(config.get("sql_per_minute", SQL_PER_MINUTE))
        limiter = RateLimiter(burst, per_minute)
        _states[datasette] = GuardState(limiter)
    return _states[datasette]


def security_headers(datasette) -> list[tuple[bytes, bytes]]:
    state = state_for(datasette)
    if state.headers is None:
        state.headers = headers.security_headers(datasette)
    return state.headers


@hookimpl
def asgi_wrapper(datasette):
    state = state_for(datasette)
    quiet_default_exception_handler()  # not at import: datasette.handle_exception imports datasette.plugins
    if datasette.executor is not None and not isinstance(datasette.executor, adhoc.SqlExecutor):
        datasette.executor = adhoc.SqlExecutor(datasette.executor)
        worker.patch_datasette()  # an ad-hoc request's queries run in a worker process

    def wrap(app):
        async def samverkan_guard(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            extra = security_headers(datasette)
            replaced = {name for name, _ in extra}
            path = scope.get("path", "")
            if scope.get("method", "GET").upper() not in ALLOWED_METHODS:
                allow = (b"allow", b", ".join(m.encode() for m in ALLOWED_METHODS))
                text = "Metoden är inte tillåten: kunskapsbasen är skrivskyddad och kan bara läsas (GET)."
                await send_plain(send, 405, text, [*extra, allow])
                return
            if is_offsite_redirect_path(path, scope.get("raw_path")):
                text = "Ogiltig adress: snedstreck i början av sökvägen är inte tillåtna."
                await send_plain(send, 400, text, extra)
                return
            if is_closed_dash_path(path):
                await send_error(datasette, scope, receive, send, 404, "Sidan finns inte", NOT_FOUND_MESSAGE, extra)
                return
            problem = await params.check(datasette, path, scope.get("query_string", b""))
            if problem is not None:
                title = f"Ogiltig parameter: {problem.name}"
                await send_error(datasette, scope, receive, send, 400, title, problem.message, extra)
                return
            budget = None
            client = client_of(scope)
            if adhoc.is_adhoc(scope.get("query_string", b"")):
                allowed, wait = state.limiter.allow(client)
                refused = None if allowed else f"För många egna SQL-frågor på kort tid. Försök igen om {wait} sekunder."
                refused = refused or state.gate.enter(client)
                if refused:
                    wait = wait or 2
                    await send_plain(send, 429, refused, [*extra, (b"retry-after", str(wait).encode())])
                    return
                budget = adhoc.Budget()

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    kept = [h for h in event.get("headers") or [] if bytes(h[0]).lower() not in replaced]
                    if budget is not None:  # SQL-thread time this request used (read by bench/bench_hostile.py)
                        kept.append((b"server-timing", f"sql;dur={budget.spent * 1000:.0f}".encode()))
                    event = {**event, "headers": [*kept, *extra]}
                await send(event)

            if budget is None:
                await app(scope, receive, send_with_headers)
                return
            token = adhoc.CURRENT.set(budget)
            try:
                await app(scope, receive, send_with_headers)
            finally:
                adhoc.CURRENT.reset(token)
                state.gate.leave(client)

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
    f"Resultatet blev för stort: en sträng eller ett blobvärde får vara högst {MAX_LENGTH // 1_000_000} MB. "
    "Förenkla frågan eller villkoret."
)
INTERRUPTED_MESSAGE = (
    f"Frågan tog för lång tid: en egen fråga får använda högst {adhoc.BUDGET_SECONDS:g} sekunder "
    "(och en enskild fråga högst tiden i inställningen sql_time_limit_ms). Begränsa frågan, t.ex. med LIMIT."
)
# Datasette 0.65's own 500s for parameters that kb.publish.params checks first (a backstop, in case one slips).
PARAMETER_ERRORS = ("Cannot sort table by", "Cannot use _sort and _sort_desc", "Invalid _through")


def _swedish_error(exception) -> tuple[str, str] | None:
    """(title, message) for an exception that is the client's doing, or None."""
    from datasette.database import QueryInterrupted
    from datasette.utils import InvalidSql
    from datasette.views.base import DatasetteError

    text = str(exception)
    if isinstance(exception, sqlguard.ResultTooBig):
        return "För stort svar", text
    if isinstance(exception, sqlite3.DataError) or "string or blob too big" in text:
        return "För stort resultat", TOO_BIG_MESSAGE
    if isinstance(exception, QueryInterrupted) or (
        isinstance(exception, DatasetteError) and getattr(exception, "title", None) == "SQL Interrupted"
    ):
        return "Frågan avbröts", INTERRUPTED_MESSAGE
    if isinstance(exception, DatasetteError) and text.startswith(PARAMETER_ERRORS):
        return "Ogiltig parameter", f"Ogiltig parameter: {text}"
    if isinstance(exception, InvalidSql | sqlite3.OperationalError) or (
        isinstance(exception, DatasetteError) and getattr(exception, "title", None) == "Invalid SQL"
    ):
        return "Ogiltig fråga", text
    return None


def quiet_default_exception_handler() -> None:
    """Datasette 0.65 awaits every handle_exception hook, its own too, and that one prints a `rich` traceback
    with all local variables for every error (404s and 400s included), on the event loop: a few hundred ms of
    CPU per hostile request, which starved every reader. Without `rich` (an optional import there) it prints a
    plain traceback for 500s only."""
    import datasette.handle_exception as default_handler

    default_handler.rich = None



@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    """The client's mistakes (a value or result too big, a query over its time, a refused function, a bad
    parameter Datasette itself rejects) are a 400 with a Swedish message, not a 500 or an English page."""
    found = _swedish_error(exception)
    if found is None:
        return None
    title, message = found

    async def inner():
        from datasette.utils.asgi import Response

        info = {"ok": False, "error": message, "status": 400, "title": title}
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
