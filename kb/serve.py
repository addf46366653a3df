"""Publish the database with Datasette, read-only, with the project's metadata, plugin, templates and static files.

`serve()` runs `datasette serve -i` with `datasette_args()`; `make_datasette()` builds the same instance in
process, for tests and the benchmark. Both read SETTINGS and the files under datasette/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.paths import DATASETTE_DIR

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 1500,  # one query may run this long
    "max_returned_rows": 2000,  # rows of one page or query (the largest table has a few hundred)
    "num_sql_threads": 8,  # a few slow queries cannot starve every page
    "facet_time_limit_ms": 300,
    "allow_download": True,  # anyone may download the .db file
    "default_cache_ttl": 300,
}
METADATA = DATASETTE_DIR / "metadata.yml"
TEMPLATES = DATASETTE_DIR / "templates"
STATIC = DATASETTE_DIR / "static"


def ensure_plugin() -> None:
    """Register kb.datasette_plugin with Datasette unless its entry point already did."""
    from datasette.plugins import pm

    import kb.datasette_plugin as plugin

    if not pm.is_registered(plugin) and pm.get_plugin(plugin.PLUGIN_NAME) is None:
        names = {pm.get_name(p) for p in pm.get_plugins()}
        if "kb.datasette_plugin" not in names and "samverkan" not in names:
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
    """A Datasette instance configured exactly as `kb serve` runs it (for tests and the benchmark)."""
    from datasette.app import Datasette

    ensure_plugin()
    return Datasette(
        immutables=[str(db_path)],
        metadata=load_metadata(),
        template_dir=str(TEMPLATES),
        static_mounts=[("static", str(STATIC))],
        settings={**SETTINGS, **overrides},
    )


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette in this process until interrupted."""
    from datasette.cli import cli as datasette_cli

    ensure_plugin()
    datasette_cli.main(args=datasette_args(db_path, host, port), prog_name="datasette")
