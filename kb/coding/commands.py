"""Click commands for coding: ``kb code`` (+ predict, eval, review, agreement) and REFI-QDA export/import.

Only argument parsing and output here; the work is done in the kb.coding modules. spaCy is
imported inside the commands that code text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from kb.core.cli_common import db_option, db_path_option, fail, output_argument, output_option, require_kb_db
from kb.core.errors import InputErrors
from kb.core.paths import DEFAULT_DB
from kb.core.swedish_click import SwedishCommand, SwedishGroup


def _open_db(path: Path):
    import sqlite_utils

    if not Path(path).exists():
        fail(f"databasen {path} finns inte (kör först `kb build`)")
    return sqlite_utils.Database(path)


def _codebook(path: Path | None):
    from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook

    try:
        return load_codebook(path or DEFAULT_CODEBOOK)
    except InputErrors as exc:
        fail(f"ogiltig kodbok:\n{exc}")


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    from kb.core.output import render

    if fmt == "table":
        rows = [{k: _cell(v) for k, v in row.items()} for row in rows]
    click.echo(render(rows, fmt, columns))


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


codebook_option = click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Kodboken (standard: ingest/codebook.yml).",
)


@click.group("code", cls=SwedishGroup, invoke_without_command=True)
@click.option("--round", "round_", type=int, default=None, help="Koda bara svaren från denna omgång (år).")
@db_path_option
@codebook_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Utdataformat.")
@click.pass_context
def code(ctx: click.Context, round_: int | None, db_path: Path, codebook_path: Path | None, fmt: str) -> None:
    """Koda fritextsvaren i databasen tematiskt enligt kodboken.

    Maskinens kodningar sparas som förslag (kodare regel:<kodboksversion>); mänskliga beslut
    (accepterade, avvisade och tillagda teman) behålls vid omkörning och vid ändrad kodbok.

    Läser --db och kodboken. Skriver kodningarna i --db (underkommandona har egna --db).
    """
    if ctx.invoked_subcommand is not None:
        return
    from kb.coding import code_database

    db = _open_db(require_kb_db(db_path))
    if round_ is not None and not db.execute("SELECT 1 FROM statements WHERE round = ?", [round_]).fetchone():
        known = ", ".join(str(r[0]) for r in db.execute("SELECT DISTINCT round FROM statements ORDER BY round"))
        fail(f"omgång {round_} har inga svar att koda (omgångar med svar: {known or 'inga'})")
    codebook = _codebook(codebook_path)
    summary = code_database(db, round=round_, codebook_path=codebook_path or codebook.source)
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"Kodade {summary['statements']} svar med {summary['coder']}: {summary['proposed']} förslag, "
            f"{summary['negated']} negerade träffar, {summary['kept_decisions']} mänskliga beslut behållna."
        )


_CSV_COLUMNS = ("id", "theme", "start", "end", "text", "rule", "layer", "confidence", "model_score", "negated")


@code.command("predict")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", help="Utdataformat.")
@codebook_option
@output_option("-o", "--output", help="Skriv resultatet till denna fil i stället för till stdout.")
def predict(file: Path, fmt: str, codebook_path: Path | None, output: Path | None, force: bool) -> None:
    """Koda en CSV-fil med kolumnerna id,text (och valfritt kind) utan att röra någon databas.

    Läser FILE och kodboken. Skriver till stdout, eller --output (en befintlig fil bara med --force).
    """
    from kb.coding.evaluate import read_rows

    try:
        rows = read_rows(file, ("id", "text"), ("kind",))
    except InputErrors as exc:
        fail(str(exc))
    from kb.coding.combine import predict_rows

    codebook = _codebook(codebook_path)
    results = predict_rows([(r["id"], r["text"], r["kind"] or None) for r in rows], codebook, "regler")
    if fmt == "json":
        _emit(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2), output)
    else:
        flat = []
        for r in results:
            flat += [
                {
                    "id": r.id,
                    **{k: c.get(k) for k in _CSV_COLUMNS[1:-1]},
                    "negated": int(c["negated"]),
                }
                for c in r.codings
            ] or [{"id": r.id}]  # a row with no theme still appears, with empty theme columns
        from kb.core.output import render

        _emit(render(flat, "csv", list(_CSV_COLUMNS)), output)


def _emit(text: str, output: Path | None) -> None:
    """Print text, or write it to the file the user named."""
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"Skrev {output}.", err=True)


@code.command("eval")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--split", type=click.Choice(["tune", "test"]), default=None,
              help="Utvärdera bara raderna med denna split (kolumnen split, t.ex. i tests/data/real_statements.csv).")
@click.option("--method", type=click.Choice(["regler", "kombinerad", "modell"]), default="regler", show_default=True,
              help="Regelkodaren, regler plus den tränade modellens andra åsikt, eller bara modellen.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Utdataformat.")
@codebook_option
def eval_(gold: Path, split: str | None, method: str, fmt: str, codebook_path: Path | None) -> None:
    """Utvärdera autokodningen mot en guldstandard (id,text,kind,themes; teman åtskilda med ;).

    Andra kolumner får finnas. Med --split används bara rader vars kolumn split har det värdet.
    Läser GOLD och kodboken. Skriver ingenting.
    """
    from kb.coding.evaluate import evaluate_file, format_table

    codebook = _codebook(codebook_path)
    try:
        result = evaluate_file(gold, codebook, split=split, method=method)
    except InputErrors as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result))


@code.command("train")
@db_option
def train_cmd(db_path: Path) -> None:
    """Träna modellen som ger regelkodaren en andra åsikt (spaCy textcat_multilabel, fast frö, bara CPU).

    Tränas på mänskliga beslut, de handkodade mängderna (gold, dev och tune-delen av de verkliga
    påståendena) och regelkodarens säkra träffar; sparas i ingest/models/textcat/.

    Läser --db, kodboken och de handkodade mängderna. Skriver ingest/models/textcat/.
    """
    from kb.coding.textcat import train_from_repo

    codebook = _codebook(None)
    try:
        summary = train_from_repo(codebook, db_path if Path(db_path).exists() else None)
    except InputErrors as exc:
        fail(str(exc))
    click.echo(
        f"Tränade på {summary['examples']} exempel; modellen ({summary['bytes'] / 1e6:.2f} MB, "
        f"data {summary['data_sha']}) sparad i {summary['path']}.\n"
        "Kör `kb build` så att databasen får de nya säkerheterna."
    )


@code.command("review")
@click.option(
    "--coder", default=lambda: os.environ.get("KB_CODER") or os.environ.get("USER") or "granskare",
    show_default="$KB_CODER eller $USER",
    help="Ditt namn eller dina initialer; databasen sparar bara en pseudonym (granskare-N).",
)
@click.option(
    "--under",
    type=click.FloatRange(0.0, 1.0, max_open=False),
    default=None,
    metavar="SÄKERHET",
    help="Granska bara förslag med lägre säkerhet än detta, t.ex. 0.7: på verklig text var förslag med "
    "säkerhet 0,70 eller mer rätt i 86-91 % av fallen (README, issue 13).",
)
@db_option
def review(coder: str, under: float | None, db_path: Path) -> None:
    """Granska maskinens förslag i terminalen: acceptera, avvisa, lägg till tema, hoppa över, ångra.

    Minst säkra förslag först. Läser --db. Skriver besluten i --db och, för standarddatabasen, också i
    ingest/data/coding_decisions.csv (följer med vid `kb build`).
    """
    from kb.coding.review import run_review
    from kb.coding.store import MACHINE_PREFIX, ensure_coding_schema

    coder = coder.strip()
    if not coder:
        fail("ange ett kodarnamn med --coder")
    if coder.startswith(MACHINE_PREFIX) or coder == "regel":
        fail("kodarnamnet får inte börja med 'regel' (reserverat för maskinen)")
    db = _open_db(db_path)
    ensure_coding_schema(db)
    coder = _pseudonym(db, coder)
    try:
        counts = run_review(db, coder, under=under)
    finally:  # also after Ctrl-C or end of input: decisions already made must reach the decisions file
        _save_decisions(db, db_path)
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items()))


def _pseudonym(db, name: str) -> str:
    """The coder's pseudonym (issue 15): the db never stores a reviewer's name."""
    from kb.coding.pseudonyms import map_path, pseudonym, used_pseudonyms

    coder = pseudonym(name, taken=used_pseudonyms(db))
    if coder != name:
        click.echo(f"Du granskar som {coder} (kopplingen till ditt namn sparas bara lokalt i {map_path()}).")
    return coder


def _save_decisions(db, db_path: Path) -> None:
    """Keep human decisions made in the default db in ingest/ so that `kb build` keeps them."""
    from kb.coding.decisions import DECISIONS_PATH, save_decisions

    if Path(db_path).resolve() == DEFAULT_DB.resolve():
        n = save_decisions(db)
        click.echo(f"{n} mänskliga beslut sparade i {DECISIONS_PATH} (följer med vid `kb build`).")


@code.command("agreement")
@click.option(
    "--coders", default=None,
    help="Kommaseparerade kodare, t.ex. regel,granskare-1 (eller namn ur den lokala kopplingen).",
)
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", help="Utdataformat.")
def agreement_cmd(coders: str | None, db_path: Path, fmt: str) -> None:
    """Överensstämmelse mellan kodare per svar och tema: andel lika, Cohens kappa, Krippendorffs alfa.

    Läser --db. Skriver ingenting.
    """
    from kb.coding.agreement import agreement

    db = _open_db(db_path)
    names = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    if names:
        from kb.coding.pseudonyms import lookup

        names = [lookup(n) or n for n in names]  # a name from the local mapping -> its pseudonym
    try:
        result = agreement(db, names)
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    rows = [{k: v for k, v in r.items() if k != "present"} for r in result["themes"]]
    _print_rows(rows, fmt)
    if fmt == "table":
        s = result["summary"]
        measure = f"kappa {_cell(s.get('kappa'))}" if "kappa" in s else f"alfa {_cell(s.get('alpha'))}"
        click.echo(
            f"\nKodare: {', '.join(s['coders'])}; {s['statements']} gemensamt bedömda svar; "
            f"andel lika {_cell(s['percent_agreement'])}; {measure}"
        )


@click.command("qdc", cls=SwedishCommand)
@output_argument("path")
@codebook_option
def export_qdc(path: Path, codebook_path: Path | None, force: bool) -> None:
    """Exportera kodboken som REFI-QDA-kodbok (.qdc) för QualCoder, NVivo, ATLAS.ti eller MAXQDA.

    Läser kodboken. Skriver PATH (en befintlig fil bara med --force).
    """
    from kb.coding.refiqda import export_qdc as run

    n = run(path, codebook=_codebook(codebook_path))
    click.echo(f"Skrev {n} koder till {path}")


@click.command("qdpx", cls=SwedishCommand)
@output_argument("path")
@db_option
@click.option("--include-proposed", is_flag=True, help="Ta med maskinens förslag, inte bara accepterade kodningar.")
def export_qdpx(path: Path, db_path: Path, include_proposed: bool, force: bool) -> None:
    """Exportera svaren och kodningarna som REFI-QDA-projekt (.qdpx).

    Läser --db. Skriver PATH (en befintlig fil bara med --force).
    """
    from kb.coding.refiqda import export_qdpx as run
    from kb.coding.store import PROPOSED, ensure_coding_schema

    db = _open_db(db_path)
    if "codings" not in db.table_names():  # an export never rewrites a db that has the coding tables
        ensure_coding_schema(db)
    counts = run(db, path, include_proposed=include_proposed)
    click.echo(
        f"Skrev {counts['statements']} svar i {counts['cases']} fall och {counts['codings']} kodningar till {path}"
    )
    if not include_proposed:
        proposed = db.execute("SELECT COUNT(*) FROM codings WHERE negated = 0 AND status = ?", [PROPOSED]).fetchone()[0]
        if proposed:
            click.echo(
                f"Obs: {proposed} kodningar är maskinens förslag som ingen har granskat än och kom inte med. "
                "Ta med dem med --include-proposed (deras memon visar status och belägg).",
                err=True,
            )


@click.command("qdpx", cls=SwedishCommand)
@click.argument("path", type=click.Path(path_type=Path))
@db_option
def import_qdpx(path: Path, db_path: Path) -> None:
    """Importera kodningar från ett REFI-QDA-projekt (.qdpx) till databasen.

    Läser PATH. Skriver kodningarna i --db och, för standarddatabasen,
    besluten i ingest/data/coding_decisions.csv (följer med vid `kb build`).
    """
    from kb.coding.refiqda_import import import_qdpx as run

    if not Path(path).exists():
        fail(f"filen {path} finns inte")
    db = _open_db(db_path)
    try:
        result = run(db, path, pseudonymise=lambda name: _pseudonym(db, name))
    except InputErrors as exc:
        fail(str(exc))
    click.echo(f"Importerade {result['codings']} kodningar från {path}")
    _save_decisions(db, db_path)
    if result["unknown_codes"]:
        click.echo(f"varning: {len(result['unknown_codes'])} okända koder hoppades över", err=True)


if __name__ == "__main__":  # python -m kb.coding.commands predict FILE
    code()
