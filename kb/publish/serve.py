"""Publish the database with Datasette, read-only, with the project's metadata, plugin, templates and static files.

`serve()` runs `datasette serve -i` with `datasette_args()`; `make_datasette()` builds the same instance in
process, for tests and the benchmark. Both read SETTINGS and the files under datasette/.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from kb.core.paths import DATASETTE_DIR

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 1500,  # one query may run this long
    "max_returned_rows": 2000,  # rows of one page or query (the largest table has a few hundred)
    "num_sql_threads": 8,  # a few slow queries cannot starve every page
    "facet_time_limit_ms": 300,
    "suggest_facets": False,  # a query per column on every table page (issue 14: the main cost under load)
    "allow_download": True,  # anyone may download the .db file
    "default_cache_ttl": 300,
}
DATABASE_NAME = "samverkan"  # metadata, templates and pages address the database by this name
METADATA = DATASETTE_DIR / "metadata.yml"
TEMPLATES = DATASETTE_DIR / "templates"
STATIC = DATASETTE_DIR / "static"


def ensure_plugin() -> None:
    """Register kb.publish.plugin with Datasette unless its entry point already did."""
    from datasette.plugins import pm

    import kb.publish.plugin as plugin

    if not pm.is_registered(plugin) and pm.get_plugin(plugin.PLUGIN_NAME) is None:
        names = {pm.get_name(p) for p in pm.get_plugins()}
        if "kb.publish.plugin" not in names and "samverkan" not in names:
            pm.register(plugin, name=plugin.PLUGIN_NAME)


def load_metadata() -> dict:
    """datasette/metadata.yml as a dict."""
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


def datasette_args(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The `datasette serve` arguments for our publication."""
    args = ["serve", "-i", str(db_path), "--host", host, "--port", str(port)]
    args += ["--metadata", str(METADATA), "--template-dir", str(TEMPLATES), "--static", f"static:{STATIC}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return args


def make_datasette(db_path: Path | str, **overrides: Any):
    """A Datasette instance configured exactly as `kb serve` runs it (for tests and the benchmark).

    The file is published as the database DATABASE_NAME whatever its filename (Datasette would name it
    after the file stem).
    """
    from datasette.app import Datasette

    ensure_plugin()
    ds = Datasette(
        immutables=[str(db_path)],
        metadata=load_metadata(),
        template_dir=str(TEMPLATES),
        static_mounts=[("static", str(STATIC))],
        settings={**SETTINGS, **overrides},
    )
    (name,) = [n for n in ds.databases if n != "_internal"]
    if name != DATABASE_NAME:
        db = ds.databases[name]
        ds.remove_database(name)
        ds.add_database(db, name=DATABASE_NAME)
    return ds


@contextlib.contextmanager
def published_path(db_path: Path | str) -> Iterator[Path]:
    """A path to db_path whose stem is DATABASE_NAME, so `datasette serve` names the database right.

    The file itself when it is already called samverkan.db; otherwise a symbolic link (a copy where links
    are not allowed) in a temporary directory that lives as long as the context.
    """
    db_path = Path(db_path)
    if db_path.stem == DATABASE_NAME:
        yield db_path
        return
    with tempfile.TemporaryDirectory(prefix="kb-serve-") as tmp:
        link = Path(tmp) / f"{DATABASE_NAME}.db"
        try:
            link.symlink_to(db_path.resolve())
        except OSError:
            shutil.copyfile(db_path, link)
        yield link


class CannotListen(OSError):
    """`kb serve` cannot listen where it was asked to (message in Swedish, naming --host or --port)."""


class PortInUse(CannotListen):
    """The port is taken, or may not be used (message in Swedish, naming the port and --port)."""

    def __init__(self, host: str, port: int, reason: str | None = None):
        super().__init__(
            f"porten {port} på {host} {reason or 'används redan av ett annat program'}: välj en annan port med "
            f"--port (t.ex. --port {port + 1 if port < 65535 else 8001}) eller stoppa programmet som använder den"
        )


def check_port(host: str, port: int) -> None:
    """Raise CannotListen when nothing can listen on host:port (tried the way uvicorn binds)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CannotListen(f"adressen {host!r} går inte att slå upp: ange en giltig adress med --host") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(host, port) from exc
            if exc.errno == errno.EADDRNOTAVAIL:
                raise CannotListen(f"adressen {host} finns inte på den här datorn: ange en annan med --host") from exc
            raise PortInUse(host, port, f"går inte att lyssna på ({exc.strerror or exc})") from exc


def trust_proxies(trusted_proxies: Sequence[str] = ()) -> None:
    """Tell uvicorn which peers are reverse proxies whose X-Forwarded-For it may read (FORWARDED_ALLOW_IPS).

    uvicorn then takes as the client the right-most address in X-Forwarded-For that is not itself a trusted
    proxy: the one the proxy appended, so entries a client forged in front of it are ignored. With no trusted
    proxy (the default) the header is ignored and every peer address is a client of its own; uvicorn's own
    default would trust 127.0.0.1, which lets any local process claim to be any client.
    """
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(trusted_proxies)


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001, trusted_proxies: Sequence[str] = ()) -> None:
    """Run Datasette in this process until interrupted (the database is always named DATABASE_NAME).

    Raises PortInUse when the port is taken (uvicorn's start-up failure, exit status 3, becomes that: after
    check_port, a taken port is by far its likeliest cause).
    """
    from datasette.cli import cli as datasette_cli

    ensure_plugin()
    trust_proxies(trusted_proxies)
    with published_path(db_path) as path:
        try:
            datasette_cli.main(args=datasette_args(path, host, port), prog_name="datasette")
        except SystemExit as exc:
            if exc.code == 3:  # uvicorn's STARTUP_FAILURE: the port was taken after check_port
                raise PortInUse(host, port) from exc
            raise
