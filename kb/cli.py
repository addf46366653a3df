"""The `kb` command line. Thin: it parses arguments and calls library functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb import __version__
from kb.core.cli_common import (
    REPOSITORY_DATA,
    data_dir_for,
    data_dir_option,
    db_option,
    db_path_option,
    db_target_option,
    fail,
    forums_file_in,
    output_argument,
    require_kb_db,
    writable_data_dir,
)
from kb.core.db import replaceable_problem
from kb.core.errors import InputErrors
from kb.core.output import format_option, render
from kb.core.paths import DEFAULT_DB
from kb.core.swedish_click import LazyGroup
from kb.survey.provenance import echo_notice

side_option = click.option(  # issue 12: the department or the civil-society questionnaire
    "--side", type=click.Choice(["avdelning", "civilsamhalle"]), default="avdelning", show_default=True,
    help="Enkätens sida: avdelning (förvaltningarnas enkät) eller civilsamhalle (organisationernas).",
)


def open_existing(db_path: Path):
    from kb.core.db import open_db

    try:
        return open_db(db_path)
    except FileNotFoundError as exc:
        fail(str(exc))


@click.group(
    cls=LazyGroup,
    lazy={
        "code": "kb.coding.commands:code",
        "gaps": "kb.graph.commands:gaps",
        "breadth": "kb.graph.commands:breadth",
        "perspective": "kb.graph.perspective_commands:perspective",  # issue 12
        "compare": "kb.graph.commands:compare",  # issue 11
    },
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="kb", message="%(prog)s %(version)s", help="Visa versionen och avsluta.")
def cli() -> None:
    """Samverkan KB: Örebro kommuns inventering av samverkan med civilsamhället som kunskapsbas.

    Bygg databasen med `kb build`, kontrollera rapportens siffror med `kb verify`
    och publicera med `kb serve`.
    """


@cli.command()
@db_target_option
@data_dir_option
@click.option("--if-stale", is_flag=True, help="Bygg bara om databasen saknas eller källfilerna har ändrats.")
def build(db_path: Path, data_dir: Path | None, if_stale: bool) -> None:
    """Bygg databasen från källfilerna under ingest/.

    Bygget skrivs till en temporär fil som ersätter databasen först när allt
    lyckats: ett misslyckat bygge lämnar den gamla databasen orörd.

    Läser ingest/ och databasens datamapp (ingest/data för standarddatabasen,
    annars --data-dir eller DB-data bredvid --db om den finns). Skriver bara --db.
    """
    from kb.pipeline import build as run_build
    from kb.survey.build import is_stale

    folder = data_dir_for(db_path, data_dir)
    # The fingerprint covers ingest/ only: a db with its own data dir is always rebuilt.
    if if_stale and folder == REPOSITORY_DATA and not is_stale(db_path):
        click.echo(f"{db_path} är aktuell.")
        return
    try:
        counts = run_build(db_path, folder, forums_file_in(folder))
    except InputErrors as exc:
        fail(f"källfilerna innehåller fel:\n{exc}")
    click.echo(f"Byggde {db_path} ({sum(counts.values())} rader i {len(counts)} tabeller).")


@cli.command()
@db_option
@click.option("--round", "round_", type=int, help="Kontrollera bara denna omgång (år).")
@format_option
def verify(db_path: Path, round_: int | None, fmt: str) -> None:
    """Kontrollera rapportens publicerade siffror mot varandra och mot svarsraderna.

    Kända inkonsekvenser i rapporten (ingest/report/known_inconsistencies.yml)
    listas som kända. Slutstatus 0 när allt stämmer eller är känt, annars 1.

    Läser --db. Skriver ingenting.
    """
    from kb.survey.verify import CHECK_LABELS, DISCREPANCY, KNOWN
    from kb.survey.verify import verify as run_verify

    db = open_existing(db_path)
    if round_ is not None and not db.execute("SELECT 1 FROM rounds WHERE round = ?", [round_]).fetchone():
        known = ", ".join(str(r[0]) for r in db.execute("SELECT round FROM rounds ORDER BY round"))
        fail(f"omgång {round_} finns inte i databasen (omgångar: {known})")
    result = run_verify(db, round_)
    for round_with_responses in sorted(set(result["rounds_with_responses"]) & set(result["rounds"])):
        echo_notice(db.conn, round_with_responses, fmt)  # stdout before a table, stderr beside csv/json
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        shown = [f for f in result["findings"] if f["status"] in (DISCREPANCY, KNOWN)]
        columns = ["status", "check", "table_no", "row_id", "measure", "published", "computed", "known_id"]
        if fmt == "csv":
            click.echo(render(shown, "csv", columns))
        else:
            checks = result["checks"]
            click.echo(
                f"Omgångar: {', '.join(map(str, result['rounds']))}; med svarsrader: "
                f"{', '.join(map(str, result['rounds_with_responses'])) or 'inga'}"
            )
            click.echo(
                f"{checks.get('ok', 0)} kontroller stämmer, {checks.get(KNOWN, 0)} kända inkonsekvenser, "
                f"{checks.get(DISCREPANCY, 0)} avvikelser."
            )
            for finding in shown:
                label = CHECK_LABELS.get(finding["check"], finding["check"])
                tag = "AVVIKELSE" if finding["status"] == DISCREPANCY else "känd"
                click.echo(
                    f"  [{tag}] {label}: rad {finding['row_id']}, {finding['measure']}: "
                    f"publicerat {finding['published']}, beräknat {finding['computed']}"
                    + (f" ({finding['known_id']})" if finding["known_id"] else "")
                )
            notes = [k for k in result["known_inconsistencies"] if not k["check"]]
            if notes:
                click.echo("Noterade inkonsekvenser i rapportens text:")
                for note in notes:
                    click.echo(f"  - {note['id']}: {note['explanation']}")
    sys.exit(0 if result["ok"] else 1)


@cli.group(cls=LazyGroup, lazy={"forums": "kb.publish.commands:ingest_forums"})
def ingest() -> None:
    """Läs in nya källfiler (enkätsvar, forum) i kunskapsbasen."""


@ingest.command("forms")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--round", "round_", type=int, required=True, help="Omgångens år, t.ex. 2024.")
@click.option(
    "--columns",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML-karta från rubrik i exporten till rubrik i enkäten, för en export med andra rubriker.",
)
@db_target_option
@data_dir_option
@side_option
def ingest_forms(
    file: Path, round_: int, columns: Path | None, db_path: Path, data_dir: Path | None, side: str
) -> None:
    """Läs in en export från Microsoft Forms (.xlsx eller .csv) för en omgång.

    Filen kontrolleras först; vid fel skrivs ingenting och alla fel listas med
    fil, rad och kolumn. Namn och e-postadresser tas bort och fritext rensas
    från e-post, telefonnummer och personnummer. En rensad kopia sparas under
    ingest/data/ÅR/ och ersätter omgångens tidigare svar, och databasen byggs om.
    Med --side civilsamhalle läses organisationernas enkät (datamappens civilsamhalle/ÅR/).

    Läser FILE och ingest/. Skriver databasens datamapp (ingest/data för
    standarddatabasen, annars --data-dir eller DB-data bredvid --db, som första
    gången blir en kopia av ingest/data) och --db. Förrådet ändras bara med
    standarddatabasen, så nästa `kb build` har kvar omgången.
    """
    from kb.pipeline import ingest_forms as run_ingest

    if not file.is_file():
        fail(f"filen {file} finns inte")
    if side == "civilsamhalle":  # issue 12: the organisations' side
        from kb.pipeline import ingest_civil_forms

        try:
            with writable_data_dir(db_path, data_dir) as folder:
                summary = ingest_civil_forms(
                    file, round_, db_path, folder, columns=columns, forums_file=forums_file_in(folder)
                )
        except InputErrors as exc:
            fail(f"{len(exc.errors)} fel i indata, ingenting skrevs:\n{exc}")
        click.echo(
            f"Läste {summary['rows']} svar från {summary['organisations']} "
            f"{'organisation' if summary['organisations'] == 1 else 'organisationer'} ({summary['file']}, "
            f"omgång {summary['round']}, civilsamhällets sida): {summary['collaborations']} samverkansformer, "
            f"{summary['statements']} fritextsvar. Databasen {db_path} är uppdaterad."
        )
        if summary["protected_categories"]:
            click.echo(
                f"{summary['protected_categories']} kategorier har färre än 5 organisationer: deras svar visas "
                "bara i summeringar (skydd för små tal)."
            )
        return

    try:
        with writable_data_dir(db_path, data_dir) as folder:
            summary = run_ingest(file, round_, db_path, folder, columns=columns, forums_file=forums_file_in(folder))
    except InputErrors as exc:
        fail(f"{len(exc.errors)} fel i indata, ingenting skrevs:\n{exc}")
    for notice in summary.get("notices", []):
        click.echo(f"Obs: {notice}")
    click.echo(
        f"Läste {summary['rows']} svar från {summary['departments']} "
        f"{'förvaltning' if summary['departments'] == 1 else 'förvaltningar'} ({summary['file']}, "
        f"omgång {summary['round']}): {summary['collaborations']} samverkansformer, "
        f"{summary['statements']} fritextsvar. Databasen {db_path} är uppdaterad; "
        f"den rensade kopian ligger i {folder / str(round_)}."
    )


@cli.group(cls=LazyGroup, lazy={"forums": "kb.publish.commands:template_forums"})
def template() -> None:
    """Skriv tomma mallar för källfiler."""


@template.command("forms")
@output_argument("path")
@click.option("--round", "round_", type=int, default=2024, show_default=True, help="Omgångens år.")
@side_option
def template_forms(path: Path, round_: int, side: str, force: bool) -> None:
    """Skriv en tom enkätmall (.xlsx) med alla kolumner och ett blad med giltiga val.

    Med --side civilsamhalle skrivs organisationernas enkät i stället för förvaltningarnas.
    Läser ingest/reference. Skriver PATH (en befintlig fil bara med --force).
    """
    from kb.survey.forms import write_forms_template

    if path.suffix.lower() != ".xlsx":
        fail("mallen skrivs som .xlsx: ange en sökväg som slutar på .xlsx")
    if side == "civilsamhalle":  # issue 12
        from kb.survey.civil import write_civil_template

        write_civil_template(path, round_)
    else:
        write_forms_template(path, round_)
    click.echo(f"Skrev {path}.")


@cli.command()
@click.option("--round", "round_", type=int, help="Omgången att rekonstruera (standard: rapportens senaste omgång).")
@click.option("--seed", type=int, help="Slumpfrö för likvärdiga lösningar (standard: omgångens år).")
@db_target_option
@data_dir_option
def reconstruct(round_: int | None, seed: int | None, db_path: Path, data_dir: Path | None) -> None:
    """Rekonstruera svarsrader som återger rapportens tabeller (inte de faktiska svaren).

    Ett heltalsprogram (PuLP/CBC) tar fram svar per förvaltning som återger
    tabell 1-4 och 6 exakt och tabell 5 så nära rapportens egen
    inkonsekvens tillåter, under de villkor rapporten anger i text
    (ingest/reconstruction.yml). Tabell 7 och 8 förs över som de är tryckta. Resultatet sparas under ingest/data/ÅR/ med
    källan "rekonstruktion", och databasen byggs om.

    Läser ingest/. Skriver databasens datamapp (ingest/data för
    standarddatabasen, annars --data-dir eller DB-data bredvid --db) och --db:
    en provkörning med --db någon annanstans ändrar aldrig ingest/data.
    """
    from kb.pipeline import reconstruct_round
    from kb.survey.reconstruct_round import published_rounds

    round_ = round_ if round_ is not None else max(published_rounds(), default=None)
    if round_ is None:
        fail("rapporten har inga publicerade siffror att rekonstruera från")
    seed = seed if seed is not None else round_
    try:
        with writable_data_dir(db_path, data_dir) as folder:
            summary = reconstruct_round(round_, seed, db_path, folder, forums_file=forums_file_in(folder))
    except InputErrors as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    click.echo("OBS: rekonstruktion förenlig med rapporten, inte förvaltningarnas faktiska svar.")
    click.echo(f"Sparade svarsraderna i {folder / str(round_)} och byggde om {db_path}.")
    click.echo(
        f"Rekonstruerade {summary['collaborations']} samverkansformer och {summary['goal_areas']} delmålsval "
        f"för {summary['departments']} förvaltningar (frö {seed}, lösarstatus {summary['status']})."
    )
    click.echo("Kvarstående skillnad mot tabell 5 (beräknat - publicerat):")
    for form_id, difference in summary["table5_difference"].items():
        if difference:
            click.echo(f"  {form_id}: {difference:+d}")
    click.echo(
        f"  totalt {summary['table5_total_abs']} kryss (rapportens egen skillnad mellan tabell 3 och 5 är "
        f"{summary['report_gap']})"
    )
    for result in summary["constraints"]:
        click.echo(f"  villkor {result['id']}: {'uppfyllt' if result['holds'] else 'EJ UPPFYLLT'}")


@cli.command()
@db_path_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port att lyssna på.")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="IP",
    help="En omvänd proxy (IP-adress eller nät) vars X-Forwarded-For gäller som klientens adress. Kan upprepas.",
)
def serve(db_path: Path, host: str, port: int, trusted_proxies: tuple[str, ...]) -> None:
    """Publicera kunskapsbasen med Datasette (skrivskyddad).

    Bygger databasen först om den saknas eller är inaktuell (bara för
    standarddatabasen), och startar sedan Datasette på http://HOST:PORT/.

    Läser --db och datasette/. Skriver bara standarddatabasen, när den byggs.
    """
    from kb.pipeline import build as run_build
    from kb.publish.serve import CannotListen, check_port
    from kb.publish.serve import serve as run_serve
    from kb.survey.build import is_stale

    if db_path.resolve() == DEFAULT_DB.resolve() and is_stale(db_path):
        problem = replaceable_problem(db_path)
        if problem:
            fail(problem)
        click.echo("Databasen saknas eller är inaktuell: bygger den först ...")
        try:
            run_build(db_path)
        except InputErrors as exc:
            fail(f"källfilerna innehåller fel:\n{exc}")
    require_kb_db(db_path)
    try:
        check_port(host, port)
        run_serve(db_path, host=host, port=port, trusted_proxies=trusted_proxies)
    except CannotListen as exc:
        fail(str(exc))


@cli.group(
    "export",
    cls=LazyGroup,
    lazy={
        "qdc": "kb.coding.commands:export_qdc",
        "qdpx": "kb.coding.commands:export_qdpx",
        "graph": "kb.graph.commands:export_graph",
        "dcat": "kb.publish.commands:export_dcat",
    },
)
def export_group() -> None:
    """Exportera kodbok, kodat material, graf och metadata till andra verktyg."""


@cli.group("import", cls=LazyGroup, lazy={"qdpx": "kb.coding.commands:import_qdpx"})
def import_group() -> None:
    """Importera kodningar från andra verktyg."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
