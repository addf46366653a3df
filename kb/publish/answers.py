"""Error answers the plugin gives itself, before Datasette: Swedish, with the security headers, as JSON for a
`.json` address and otherwise as HTML (Datasette's error template where one is wanted, so the site looks the same).
"""

from __future__ import annotations

import json
from html import escape


async def send_plain(send, status: int, text: str, headers) -> None:
    """A minimal Swedish HTML page (for answers that need no site chrome: 405, 429, 503)."""
    body = f'<!DOCTYPE html><html lang="sv"><meta charset="utf-8"><title>{status}</title><p>{escape(text)}</p></html>'
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


async def send_error(datasette, scope, receive, send, status: int, title: str, message: str, headers) -> None:
    """An error page in the site's own layout (error.html), or JSON for a .json address."""
    from datasette.utils.asgi import Request

    info = {"ok": False, "error": message, "status": status, "title": title}
    if scope.get("path", "").endswith(".json"):
        body, content_type = json.dumps(info, ensure_ascii=False).encode(), b"application/json; charset=utf-8"
    else:
        request = Request({"csrftoken": lambda: "", **scope}, receive)
        await datasette.invoke_startup()  # our wrapper may answer before Datasette's router has started it
        html = await datasette.render_template([f"{status}.html", "error.html"], info, request=request)
        body, content_type = html.encode(), b"text/html; charset=utf-8"
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type), *headers]}
    )
    await send({"type": "http.response.body", "body": body})
