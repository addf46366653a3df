"""Security headers of every answer: a Content-Security-Policy whose scripts need no 'unsafe-inline', a
Permissions-Policy, and the usual framing, sniffing and referrer headers.

Scripts may come from the site itself, or be inline scripts whose SHA-256 is listed in the policy. The list is
computed when the app starts, from trusted sources only: the inline <script> blocks of every template Datasette
can load (ours in datasette/templates, the plugins', Datasette's own; a `{{ variable }}` in one is expanded over
KNOWN_VALUES, any other template syntax leaves the block out), and what the `extra_body_script` hooks of the
installed plugins return for a table with the map's coordinate columns. An injected inline handler (`onclick=`,
`onerror=`) or an injected <script> matches none of them, so the browser refuses to run it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
KNOWN_VALUES = {"datasette_allow_facet": ("true", "false")}  # table.html: DATASETTE_ALLOW_FACET = {{ ... }};
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
MAP_COLUMNS = ["latitude", "longitude"]

TILE_HOSTS = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), "
    "screen-wake-lock=(), xr-spatial-tracking=(), fullscreen=(self)"
)


def script_hash(body: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"


def _expand(body: str) -> list[str]:
    names = VARIABLE.findall(body)
    if "{%" in body or "{#" in body or any(name not in KNOWN_VALUES for name in names):
        return []
    bodies = [body]
    for name in dict.fromkeys(names):
        pattern = re.compile(r"\{\{\s*" + name + r"\s*\}\}")
        bodies = [pattern.sub(value, b) for b in bodies for value in KNOWN_VALUES[name]]
    return bodies


def inline_scripts_in(source: str) -> list[str]:
    """The executable inline script bodies of a template source (with known variables expanded)."""
    bodies = []
    for match in SCRIPT.finditer(source):
        attrs = match["attrs"].lower()
        if "src=" in attrs or ("type=" in attrs and "module" not in attrs and "javascript" not in attrs):
            continue  # external, or a data block (application/json) that never runs
        bodies += _expand(match["body"])
    return bodies


def template_scripts(env) -> list[str]:
    """Inline script bodies of every template the Jinja environment can load."""
    bodies = []
    for name in env.list_templates(extensions=["html"]):
        source = env.loader.get_source(env, name)[0]
        if "<script" in source:
            bodies += inline_scripts_in(source)
    return bodies


def body_scripts(datasette) -> list[str]:
    """What the plugins' extra_body_script hooks return on pages with and without the map's coordinate columns
    (datasette-cluster-map returns [] on the others, which Datasette renders as the script "[]")."""
    from datasette.plugins import pm

    bodies = []
    for database in datasette.databases:
        for view_name in ("index", "database", "table", "row", "page"):
            for columns in (MAP_COLUMNS, []):
                for result in pm.hook.extra_body_script(
                    template="table.html",
                    database=database,
                    table=None,
                    columns=columns,
                    view_name=view_name,
                    request=None,
                    datasette=datasette,
                ):
                    script = result.get("script") if isinstance(result, dict) else result
                    if isinstance(script, str | list):
                        bodies.append(str(script))
    return bodies


def content_security_policy(script_bodies: Iterable[str]) -> str:
    hashes = " ".join(sorted({script_hash(b) for b in script_bodies}))
    return (
        "default-src 'self'; "
        f"script-src 'self' {hashes}; "
        "script-src-attr 'none'; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: {TILE_HOSTS}; "
        "connect-src 'self'; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


def security_headers(datasette) -> list[tuple[bytes, bytes]]:
    """Every security header, with the CSP computed for this Datasette's templates and plugins."""
    csp = content_security_policy([*template_scripts(datasette.jinja_env), *body_scripts(datasette)])
    return [
        (b"content-security-policy", csp.encode()),
        (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
