"""Publish the database with Datasette, read-only, with the project's metadata and templates."""

from __future__ import annotations

import sys
from pathlib import Path

from kb.paths import DATASETTE_DIR


def datasette_args(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The `datasette serve` arguments for our publication."""
    args = ["serve", "-i", str(db_path), "--host", host, "--port", str(port)]
    metadata = DATASETTE_DIR / "metadata.yml"
    if metadata.exists():
        args += ["--metadata", str(metadata)]
    for option, folder in (("--template-dir", "templates"), ("--plugins-dir", "plugins")):
        if (DATASETTE_DIR / folder).is_dir():
            args += [option, str(DATASETTE_DIR / folder)]
    if (DATASETTE_DIR / "static").is_dir():
        args += ["--static", f"static:{DATASETTE_DIR / 'static'}"]
    return args


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette in this process until interrupted."""
    from datasette.cli import cli as datasette_cli

    sys.argv = ["datasette", *datasette_args(db_path, host, port)]
    datasette_cli.main(args=datasette_args(db_path, host, port), prog_name="datasette")
