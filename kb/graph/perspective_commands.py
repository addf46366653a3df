"""Commands of the two perspectives (issue 12): `kb gaps --type perspektiv` and `kb perspective`.

Both read what `kb build` stored (kb.graph.perspective's standard-library readers): no NetworkX import.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click

from kb.core.cli_common import db_option, fail
from kb.core.output import format_option, render
from kb.core.swedish_click import SwedishCommand

NO_ANSWERS = ("Databasen har inga svar från civilsamhället ännu. Skriv organisationernas enkät med "
              "`kb template forms mall.xlsx --side civilsamhalle` och läs in exporten med "
              "`kb ingest forms FIL --round ÅR --side civilsamhalle`.")
GAP_COLUMNS = ("round", "department_round", "department_basis", "type", "rank", "score", "agreement", "category_id",
               "department_id", "form_id", "department_reports", "organisations_reporting",
               "category_organisations", "explanation")
SHARE_COLUMNS = ("kind", "theme", "department_statements", "department_total", "department_share",
                 "civil_organisations", "civil_total", "civil_share", "difference")


def _open(db_path: Path) -> sqlite3.Connection:
    from kb.graph.store import open_readonly

    try:
        return open_readonly(db_path)
    except FileNotFoundError as exc:
        fail(str(exc))


def _civil_round(conn: sqlite3.Connection, round_: int | None) -> tuple[int, int | None] | None:
    """(civil round, department round); None when the db holds no organisation answers."""
    from kb.graph.perspective import civil_rounds

    rounds = civil_rounds(conn)
    if not rounds:
        return None
    if round_ is None:
        return rounds[-1]
    for found in rounds:
        if found[0] == round_:
            return found
    fail(f"omgången {round_} har inga svar från civilsamhället (omgångar med svar: "
         f"{', '.join(str(r[0]) for r in rounds)})")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def echo_perspective_gaps(db_path: Path, round_: int | None, category: str | None, top: int | None,
                          fmt: str) -> None:
    """`kb gaps --type perspektiv`: pairs one side reports and the other does not, ranked."""
    from kb.graph.perspective import read_perspective_gaps

    conn = _open(db_path)
    found = _civil_round(conn, round_)
    if found is None:
        click.echo("[]" if fmt == "json" else NO_ANSWERS, err=fmt == "csv")
        return
    rows = read_perspective_gaps(conn, found[0], category, top)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        click.echo(render(rows, "csv", GAP_COLUMNS))
        return
    click.echo(f"Luckor mellan perspektiven: civilsamhällets svar {found[0]} mot förvaltningarnas svar "
               f"{found[1] if found[1] is not None else '(ingen omgång)'}")
    click.echo("Poäng = organisationer som säger emot den andra sidan / (organisationer i kategorin som svarat + 1).")
    if rows and rows[0]["department_basis"] == "rekonstruktion":
        click.echo("OBS: förvaltningssidan är en rekonstruktion förenlig med rapporten, inte de faktiska svaren.")
    if found[1] is None:
        click.echo("(inga luckor: det finns ingen omgång med förvaltningarnas svar att jämföra med)")
    elif not rows:
        click.echo("(inga luckor: sidorna anger samma samverkan)")
    for row in rows:
        click.echo(f"{row['rank']:>4}. {row['category_id']} x {row['department_id']} x {row['form_id']}  "
                   f"{row['agreement']}  poäng " + f"{row['score']:.2f}".replace(".", ",")
                   + f"  (förvaltningen: {'ja' if row['department_reports'] else 'nej'}; organisationer: "
                   f"{row['organisations_reporting']} av {row['category_organisations']})")
        click.echo(f"      {row['explanation']}")


@click.command("perspective", cls=SwedishCommand)
@click.option("--round", "round_", type=int, help="Civilsamhällets omgång (år); standard är den senaste.")
@format_option
@db_option
def perspective(round_: int | None, fmt: str, db_path: Path) -> None:
    """Två perspektiv: teman i förvaltningarnas och civilsamhällets fritext sida vid sida.

    Samma kodbok kodar båda sidornas svar om svårigheter och positiva
    erfarenheter. Förvaltningssidan räknas i svar, civilsamhällessidan i
    organisationer (varje organisation en gång). Luckorna mellan sidorna
    visas med `kb gaps --type perspektiv`.

    Läser --db. Skriver ingenting.
    """
    from kb.graph.perspective import read_theme_shares

    conn = _open(db_path)
    found = _civil_round(conn, round_)
    if found is None:
        click.echo("[]" if fmt == "json" else NO_ANSWERS, err=fmt == "csv")
        return
    rows = read_theme_shares(conn, found[0])
    if fmt != "table":
        click.echo(render(rows, fmt, None if fmt == "json" else ("round", "department_round", *SHARE_COLUMNS)))
        return
    click.echo(f"Teman sida vid sida: förvaltningarnas svar {found[1] or '(ingen omgång)'} och civilsamhällets "
               f"svar {found[0]}")
    table = [{"slag": r["kind"], "tema": r["theme"],
              "förvaltningarna": f"{r['department_statements']} av {r['department_total']} "
                                 f"({_pct(r['department_share'])})",
              "civilsamhället": f"{r['civil_organisations']} av {r['civil_total']} ({_pct(r['civil_share'])})",
              "skillnad": "–" if r["difference"] is None else f"{100 * r['difference']:+.0f} procentenheter"}
             for r in rows]
    click.echo(render(table, "table"))
