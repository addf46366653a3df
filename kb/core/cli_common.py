"""What every `kb` command shares: the --db option and exiting on bad input (status 2)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from kb.core.paths import DEFAULT_DB

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="Databasfilen.",
)


def fail(message: str) -> NoReturn:
    """Exit with status 2 and a message on stderr (bad input or usage)."""
    click.echo(f"Fel: {message}", err=True)
    sys.exit(2)
