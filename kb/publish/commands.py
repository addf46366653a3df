"""Click commands of the publication: `kb ingest forums`, `kb template forums`, `kb export dcat`.

kb.cli loads them lazily as sub-commands of its `ingest`, `template` and `export` groups.
"""

from __future__ import annotations

from pathlib import Path

import click

from kb.core.cli_common import (
    data_dir_option,
    db_option,
    fail,
    forums_file_in,
    output_argument,
    writable_data_dir,
)
from kb.core.errors import InputErrors
from kb.core.swedish_click import SwedishCommand


@click.command(cls=SwedishCommand)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--no-install",
    is_flag=True,
    help="Läs bara in i databasen; ersätt inte datamappens forums.yml med filen.",
)
@data_dir_option
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Tillåt ett register utan forum (tömmer forumregistret).",
)
def ingest_forums(file: Path, db_path: Path, no_install: bool, data_dir: Path | None, allow_empty: bool) -> None:
    """Kontrollera ett forumregister (YAML) och läs in det i databasen.

    Fel (okända förvaltningar, kategorier, delmålområden eller former, felaktiga
    koordinater, namn som saknas, e-postadresser och telefonnummer) anges med fil
    och rad. Inläsningen sker i en enda transaktion: vid fel ändras ingenting.
    Filen ersätter också datamappens forums.yml så att nästa `kb build` behåller den.
    Ett register utan forum (den tomma mallen) avvisas om inte --allow-empty anges.

    Läser FILE och --db. Skriver --db och, utan --no-install, databasens datamapp
    (ingest/data för standarddatabasen, annars --data-dir eller DB-data bredvid
    --db, som första gången blir en kopia av ingest/data).
    """
    from kb.pipeline import ingest_forums as run_ingest

    if not file.exists():
        fail(f"filen {file} finns inte")
    if no_install and data_dir is not None:
        fail("--data-dir gäller bara när registret installeras: utelämna --no-install eller --data-dir")
    try:
        if no_install:
            counts = run_ingest(db_path, file, install=False, allow_empty=allow_empty)
        else:
            with writable_data_dir(db_path, data_dir) as folder:
                counts = run_ingest(
                    db_path, file, allow_empty=allow_empty, exports_dir=folder, target=forums_file_in(folder)
                )
    except InputErrors as exc:
        fail(f"forumregistret innehåller fel:\n{exc}")
    links = sum(v for k, v in counts.items() if k != "forums")
    click.echo(f"Läste in {counts['forums']} forum med {links} kopplingar i {db_path}.")


@click.command(cls=SwedishCommand)
@output_argument("path")
def template_forums(path: Path, force: bool) -> None:
    """Skriv en tom mall för forumregistret, med formatet beskrivet i kommentarer.

    Läser ingenting. Skriver PATH (en befintlig fil bara med --force).
    """
    from kb.publish.forums import write_template

    write_template(path)
    click.echo(f"Skrev mallen {path}.")


@click.command(cls=SwedishCommand)
@output_argument("path")
@db_option
@click.option(
    "--base-url",
    default="http://127.0.0.1:8001",
    show_default=True,
    help="Adressen där kunskapsbasen publiceras (för distributionernas länkar).",
)
def export_dcat(path: Path, db_path: Path, base_url: str, force: bool) -> None:
    """Exportera DCAT-AP-SE-metadata (RDF/XML) för dataportal.se.

    Läser --db. Skriver PATH (en befintlig fil bara med --force).
    """
    from kb.publish.dcat import is_loopback_url, write_dcat

    if not base_url.startswith(("http://", "https://")):
        fail(f"--base-url ska börja med http:// eller https://, inte {base_url!r}")
    write_dcat(db_path, path, base_url)
    click.echo(f"Skrev DCAT-AP-SE-metadata till {path}.")
    if is_loopback_url(base_url):
        click.echo(
            f"Varning: --base-url {base_url} är en lokal adress (loopback). Dataportal.se kan inte skörda "
            "filen eller nå länkarna i den. Ange adressen där kunskapsbasen publiceras med --base-url, "
            "till exempel --base-url https://data.example.se/samverkan.",
            err=True,
        )
