"""A response cache for the published site: the database is immutable, so a page is the same every time.

An ASGI wrapper (a Datasette `asgi_wrapper` hook, imported by kb.publish.plugin) that keeps the last
MAX_ENTRIES successful GET responses (HTML or JSON, at most MAX_BODY bytes each, MAX_TOTAL in all) keyed by
path, query string, Host and scheme (Datasette writes absolute links from them), and answers a repeated
request from memory. It sits inside the plugin's guard, so method checks, rate limits and security headers
still apply to every request. Not cached: requests with SQL of their own (`?sql=`, `?_where=`), `?_trace=`,
the database download, `/-/` pages, responses that set a cookie, and requests carrying a login cookie.
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import parse_qs

from datasette import hookimpl

MAX_ENTRIES = 512
MAX_BODY = 1_000_000  # bytes of one cached response
MAX_TOTAL = 48_000_000  # bytes of all cached responses
UNCACHED_ARGUMENTS = ("sql", "_where", "_trace")
CACHED_TYPES = (b"text/html", b"application/json")


class ResponseCache:
    """An LRU of complete responses: key -> (status, headers, body)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_total: int = MAX_TOTAL):
        self.max_entries, self.max_total = max_entries, max_total
        self.entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        self.total = 0
        self.hits = self.misses = 0

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return entry

    def put(self, key, status: int, headers: list, body: bytes) -> None:
        if key in self.entries:
            return
        self.entries[key] = (status, headers, body)
        self.total += len(body)
        while len(self.entries) > self.max_entries or self.total > self.max_total:
            _key, (_status, _headers, old) = self.entries.popitem(last=False)
            self.total -= len(old)


def cacheable_request(scope) -> bool:
    """Whether a request may be answered from the cache."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return False
    path = scope.get("path", "")
    if path.startswith("/-/") or path.endswith(".db"):
        return False
    query = scope.get("query_string", b"")
    if query and any(name.encode() in query for name in UNCACHED_ARGUMENTS):
        arguments = parse_qs(query.decode("latin1"))
        if any(name in arguments for name in UNCACHED_ARGUMENTS):
            return False
    for name, value in scope.get("headers") or []:
        if name.lower() == b"cookie" and b"ds_actor" in value:
            return False
    return True


def cacheable_response(status: int, headers: list) -> bool:
    if status != 200:
        return False
    for name, value in headers:
        name = bytes(name).lower()
        if name == b"set-cookie":
            return False
        if name == b"content-type" and not bytes(value).startswith(CACHED_TYPES):
            return False
    return True


def wrap(app, cache: ResponseCache):
    async def cached_app(scope, receive, send):
        if not cacheable_request(scope):
            await app(scope, receive, send)
            return
        # Datasette writes absolute addresses (the next page's link) from the request's scheme and Host
        host = next((bytes(v) for k, v in scope.get("headers") or [] if bytes(k).lower() == b"host"), b"")
        key = (scope.get("path", ""), scope.get("query_string", b""), host, scope.get("scheme", "http"))
        entry = cache.get(key)
        if entry is not None:
            status, headers, body = entry
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        state = {"status": 0, "headers": [], "chunks": [], "size": 0, "keep": False}

        async def recording_send(event):
            if event["type"] == "http.response.start":
                state["status"], state["headers"] = event["status"], list(event.get("headers") or [])
                state["keep"] = cacheable_response(state["status"], state["headers"])
            elif event["type"] == "http.response.body" and state["keep"]:
                chunk = event.get("body", b"")
                state["size"] += len(chunk)
                if state["size"] > MAX_BODY:
                    state["keep"], state["chunks"] = False, []
                else:
                    state["chunks"].append(chunk)
                    if not event.get("more_body"):
                        cache.put(key, state["status"], state["headers"], b"".join(state["chunks"]))
            await send(event)

        await app(scope, receive, recording_send)

    cached_app.cache = cache
    return cached_app


@hookimpl(specname="asgi_wrapper", tryfirst=True)
def response_cache_wrapper(datasette):
    """Innermost wrapper (tryfirst): the plugin's guard still sees every request."""
    cache = ResponseCache()
    return lambda app: wrap(app, cache)
