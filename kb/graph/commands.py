"""Click commands of the graph: `kb gaps`, `kb breadth` and `kb export graph`.

Register in kb/cli.py: ``cli.add_command(gaps)``, ``cli.add_command(breadth)`` and
``export.add_command(export_graph, "graph")``. `kb gaps` and `kb breadth` read what `kb build` stored,
through kb.graph.store's standard-library readers: no NetworkX import on their path.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from pathlib import Path

import click

from kb.core.cli_common import db_option, fail, output_argument
from kb.core.output import format_option, render
from kb.core.swedish_click import SwedishCommand
from kb.survey.provenance import echo_notice

GRAPH_FORMATS = ("gexf", "graphml", "json", "cytoscape", "kumu")
GAP_TYPES = ("kategori-delmal", "delmal", "kategori-form", "forum", "tema", "perspektiv")
TYPE_TITLES = {
    "kategori-delmal": "Kategori x delmålområde (slutledning via förvaltningar: de som samverkar med kategorin "
    "och bidrar till delmålområdet)",
    "delmal": "Delmålområden som få förvaltningar når",
    "kategori-form": "Kategori x samverkansform",
    "forum": "Kategorier och delmålområden utan forum, forum med lite samverkan",
    "tema": "Svårigheter som inget utvecklingsområde tar upp",
}
JSON_KEYS = ("type", "rank", "score", "category_id", "goal_area_id", "form_id", "theme_id", "forum_id", "explanation",
             "brokers", "round", "relevance", "shortfall", "actionability", "basis", "rank_min", "rank_max",
             "rank_dropouts")
CSV_COLUMNS = ("round", "type", "rank", "score", "relevance", "shortfall", "actionability", "category_id",
               "goal_area_id", "form_id", "theme_id", "forum_id", "k_c", "k_g", "k_f", "x", "expected", "lift", "basis",
               "rank_min", "rank_max", "rank_dropouts", "brokers", "explanation")

round_option = click.option("--round", "round_", type=int, help="Omgång (år); standard är den senaste med svar.")


def _connect(db_path: Path, table: str) -> sqlite3.Connection:
    from kb.graph.store import open_readonly, table_names

    try:
        conn = open_readonly(db_path)
    except FileNotFoundError as exc:
        fail(str(exc))
    if table not in table_names(conn):
        fail(f"databasen {db_path} saknar tabellen {table}: bygg om den med `kb build`")
    return conn


def _round(conn: sqlite3.Connection, table: str, round_: int | None) -> int:
    stored = [r[0] for r in conn.execute(f"SELECT DISTINCT round FROM {table} ORDER BY round")]
    if round_ is None:
        if not stored:
            fail("databasen har inga omgångar med svarsrader")
        return stored[-1]
    if round_ not in stored:
        known = ", ".join(map(str, stored)) or "inga"
        fail(f"omgången {round_} har inga svarsrader i databasen (omgångar med svar: {known})")
    return round_


def _resolve(conn: sqlite3.Connection, table: str, value: str | None, what: str) -> str | None:
    """An id of the table from an id or a name; exit 2 with a suggestion when unknown."""
    if value is None:
        return None
    rows = conn.execute(f"SELECT id, name FROM {table}").fetchall()
    for entity_id, name in rows:
        if value == entity_id or value.casefold() == name.casefold():
            return entity_id
    hint = difflib.get_close_matches(value.lower(), [r[0] for r in rows], n=1, cutoff=0.5)
    suggestion = f" (menade du {hint[0]!r}?)" if hint else ""
    fail(f"okänt {what} {value!r}{suggestion}; se tabellen {table} för giltiga id")


def _ids(row: dict) -> str:
    parts = [row.get(k) for k in ("category_id", "goal_area_id", "form_id", "theme_id", "forum_id")]
    return " x ".join(p for p in parts if p)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


@click.command("gaps", cls=SwedishCommand)
@round_option
@click.option("--type", "gap_type", help="Lucktyp: " + ", ".join(GAP_TYPES) + ".")
@click.option("--category", help="Bara luckor med denna civilsamhälleskategori (id eller namn).")
@click.option("--goal", help="Bara luckor med detta delmålområde (id eller namn).")
@click.option("--top", type=int, help="Visa högst N luckor per typ.")
@format_option
@db_option
def gaps(round_: int | None, gap_type: str | None, category: str | None, goal: str | None, top: int | None,
         fmt: str, db_path: Path) -> None:
    """Rangordnade luckor: där samverkan kan göra skillnad men lite händer.

    Varje lucka har poäng = relevans x underskott x roten ur genomförbarhet,
    delarna redovisade var för sig, och en förklaring på en rad med siffrorna
    och vilka förvaltningar och forum att tala med. Med nio förvaltningar är
    siffrorna beskrivande utvecklingshypoteser, inte statistiska test.
    Kopplingen kategori-delmålområde är en slutledning via förvaltningarna.

    Läser --db. Skriver ingenting.
    """
    from kb.graph.store import read_gaps

    if gap_type is not None and gap_type not in GAP_TYPES:
        hint = difflib.get_close_matches(gap_type, GAP_TYPES, n=1, cutoff=0.4)
        fail(f"okänd lucktyp {gap_type!r}" + (f" (menade du {hint[0]!r}?)" if hint else "")
             + f"; giltiga: {', '.join(GAP_TYPES)}")
    if top is not None and top < 1:
        fail("--top ska vara minst 1")
    if gap_type == "perspektiv":  # issue 12: the two perspectives, stored by kb.graph.perspective
        from kb.graph.perspective_commands import echo_perspective_gaps

        conn = _connect(db_path, "perspective_gaps")
        echo_perspective_gaps(db_path, round_, _resolve(conn, "categories", category, "kategori-id"), top, fmt)
        return
    conn = _connect(db_path, "gaps")
    round_ = _round(conn, "gaps", round_)
    category = _resolve(conn, "categories", category, "kategori-id")
    goal = _resolve(conn, "goal_areas", goal, "delmålområdes-id")
    rows = read_gaps(conn, round_, gap_type, category, goal, top)
    echo_notice(conn, round_, fmt)
    if fmt == "json":
        out = [{k: row[k] for k in JSON_KEYS if row.get(k) not in (None, [])} for row in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(render([{**r, "brokers": ";".join(r["brokers"])} for r in rows], "csv", CSV_COLUMNS))
    else:
        click.echo(f"Luckor {round_} (poäng = relevans x underskott x roten ur genomförbarhet)")
        if not rows:
            click.echo("(inga luckor)")
        current = None
        stability = _stability(conn, round_)
        for row in rows:
            if row["type"] != current:
                current = row["type"]
                title = TYPE_TITLES.get(current, current)
                if current == "kategori-delmal" and row.get("basis") == "direkt":
                    title = "Kategori x delmålområde (direkt rapporterade kopplingar)"
                click.echo(f"\n{current}: {title}")
                if current in stability:
                    click.echo(f"      {stability[current]}")
            click.echo(f"{row['rank']:>4}. {_ids(row)}  poäng {_num(row['score'])}{_range(row)}")
            click.echo(f"      {row['explanation']}")


def _stability(conn: sqlite3.Connection, round_: int) -> dict[str, str]:
    """One line per gap type on how stable its ranking is when one department is left out."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gap_stability'").fetchone():
        return {}
    lines = {}
    for gap_type, runs, tau_mean, tau_min in conn.execute(
        "SELECT type, runs, tau_mean, tau_min FROM gap_stability WHERE round = ?", [round_]
    ):
        if tau_mean is not None:
            lines[gap_type] = (f"Rangordningens stabilitet när en förvaltning i taget lämnas ute ({runs} körningar): "
                               f"Kendalls tau i medel {_num(tau_mean)}, lägst {_num(tau_min)}.")
    return lines


def _range(row: dict) -> str:
    """The rank range under leave-one-out, when it differs from the rank."""
    low, high, dropouts = row.get("rank_min"), row.get("rank_max"), row.get("rank_dropouts")
    parts = []
    if low is not None and (low, high) != (row["rank"], row["rank"]):
        parts.append(f"rang {low}-{high} när en förvaltning lämnas ute")
    if dropouts:
        parts.append(f"ingen lucka i {dropouts} av körningarna")
    return f"  ({'; '.join(parts)})" if parts else ""


BREADTH_BY = ("department", "category", "form", "goal")


@click.command("breadth", cls=SwedishCommand)
@click.option("--by", "by", type=click.Choice(BREADTH_BY), default="department", show_default=True,
              help="Bredd per förvaltning, kategori, samverkansform eller delmålområde.")
@round_option
@format_option
@db_option
def breadth(by: str, round_: int | None, fmt: str, db_path: Path) -> None:
    """Samverkans bredd: per förvaltning (diagram 1 och antal delmålområden),
    per kategori (tabell 1-4 och profil på delaktighetstrappan), per
    samverkansform (tabell 5) eller per delmålområde (tabell 6).

    Läser --db. Skriver ingenting.
    """
    from kb.graph.store import read_breadth

    conn = _connect(db_path, "graph_nodes")
    round_ = _round(conn, "graph_nodes", round_)
    echo_notice(conn, round_, fmt)
    click.echo(render(read_breadth(conn, round_, by), fmt))


@click.command("graph", cls=SwedishCommand)
@output_argument("path")
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default=None,
              help="gexf (Gephi), graphml, json (node-link för webben), cytoscape eller kumu (blueprint). "
                   "Utan flaggan väljs formatet efter filändelsen (.gexf, .graphml, .json).")
@round_option
@db_option
def export_graph(path: Path, fmt: str, round_: int | None, db_path: Path, force: bool) -> None:
    """Exportera samverkansgrafen för en omgång till PATH.

    Noderna är förvaltningar, kategorier, samverkansformer, delmålområden och,
    när de finns, forum, utvecklingsområden och teman, med sina mått.

    Läser --db. Skriver PATH (en befintlig fil bara med --force).
    """
    from kb.graph.export import graph_from_tables, write_graph

    if fmt is None:
        fmt = {".gexf": "gexf", ".graphml": "graphml", ".json": "json"}.get(path.suffix.lower())
        if fmt is None:
            fail(f"ange --format: filändelsen {path.suffix or '(ingen)'!r} säger inte vilket format som avses")
    conn = _connect(db_path, "graph_nodes")
    round_ = _round(conn, "graph_nodes", round_)
    graph = graph_from_tables(conn, round_)
    try:
        write_graph(graph, fmt, path)
    except OSError as exc:
        fail(f"kunde inte skriva {path}: {exc.strerror or exc}")
    click.echo(f"Skrev {path} ({fmt}, omgång {round_}: {graph.number_of_nodes()} noder, "
               f"{graph.number_of_edges()} kanter).")


# ---------------------------------------------------------------- kb compare (issue 11)

COMPARE_TITLES = {"department": "Förvaltningar", "category": "Kategorier", "form": "Samverkansformer",
                  "goal": "Delmålområden", "theme": "Teman"}
COMPARE_CSV = ("section", "item_id", "item", "from_value", "to_value", "change", "status", "lineage",
               "from_source_kind", "to_source_kind")


def _compare_rounds(conn: sqlite3.Connection, from_round: int | None, to_round: int | None) -> tuple[int, int]:
    from kb.graph.compare import rounds_with_responses

    stored = rounds_with_responses(conn)
    if len(stored) < 2:
        only = ", ".join(map(str, stored)) or "ingen"
        fail(f"databasen har bara en omgång med svarsrader ({only}): det finns inget att jämföra med. "
             "Läs in nästa omgång med `kb ingest forms FIL --round ÅR`.")
    to_round = stored[-1] if to_round is None else to_round
    from_round = max((r for r in stored if r < to_round), default=stored[0]) if from_round is None else from_round
    for value, flag in ((from_round, "--from"), (to_round, "--to")):
        if value not in stored:
            fail(f"{flag} {value}: omgången har inga svarsrader (omgångar med svar: {', '.join(map(str, stored))})")
    if from_round >= to_round:
        fail(f"--from ({from_round}) ska vara en tidigare omgång än --to ({to_round})")
    return from_round, to_round


def _source_word(kind: str) -> str:
    return "rekonstruktion" if kind == "rekonstruktion" else "enkätsvar"


@click.command("compare", cls=SwedishCommand)
@click.option("--from", "from_round", type=int, help="Den tidigare omgången (år); standard är den näst senaste.")
@click.option("--to", "to_round", type=int, help="Den senare omgången (år); standard är den senaste.")
@click.option("--by", "by", type=click.Choice(("department", "category", "form", "goal", "theme")),
              default="department", show_default=True,
              help="Jämför per förvaltning, kategori, samverkansform, delmålområde eller tema.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="Hur många luckor per typ från varje omgång som följs.")
@format_option
@db_option
def compare(from_round: int | None, to_round: int | None, by: str, top: int, fmt: str, db_path: Path) -> None:
    """Förändring mellan två omgångar: värdet i varje omgång och skillnaden.

    Förvaltningar jämförs genom sin härkomst (ingest/reference/lineage.yml):
    en sammanslagen förvaltning mot unionen av sina föregångare, markerat.
    Dessutom: samverkan (kategori x form) som är ny eller har upphört, och
    vilka av den tidigare omgångens främsta luckor som stängts, kvarstår
    eller tillkommit. Rekonstruerade omgångar märks i all utdata.

    Läser --db. Skriver ingenting.
    """
    from kb.graph.compare import compare as run_compare
    from kb.survey.provenance import reconstruction_notice

    conn = _connect(db_path, "responses")
    from_round, to_round = _compare_rounds(conn, from_round, to_round)
    result = run_compare(conn, from_round, to_round, by, top)
    kinds = {r["round"]: r["source_kind"] for r in result["rounds"]}
    notices = [n for n in (reconstruction_notice(conn, r) for r in (from_round, to_round)) if n]
    result["notices"] = notices
    for row in result["rows"]:
        row["from_source_kind"], row["to_source_kind"] = kinds[from_round], kinds[to_round]
    if fmt == "json":
        for notice in notices:
            click.echo(notice, err=True)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        for notice in notices:
            click.echo(notice, err=True)
        flat = [{**r, "lineage": (r.get("lineage") or {}).get("label")} for r in result["rows"]]
        click.echo(render(flat, "csv", COMPARE_CSV))
        return
    _compare_table(result, notices)


def _compare_table(result: dict, notices: list[str]) -> None:
    a, b = result["from_round"], result["to_round"]
    click.echo(f"Förändring mellan omgångarna {a} och {b}")
    for notice in notices:
        click.echo(notice)
    click.echo("; ".join(f"{r['round']}: {r['departments']} förvaltningar med svar ({_source_word(r['source_kind'])})"
                         for r in result["rounds"]))
    sections = {}
    for row in result["rows"]:
        sections.setdefault(row["section"], []).append(row)
    by = result["by"]
    click.echo(f"\n{COMPARE_TITLES[by]}: {result['measure']}")
    columns = [COMPARE_TITLES[by].lower(), str(a), str(b), "förändring"] + (["härkomst"] if by == "department" else [])
    click.echo(render([dict(zip(columns, [r["item"], r["from_value"], r["to_value"], _signed(r["change"]),
                                          (r.get("lineage") or {}).get("label")], strict=False))
                       for r in sections.get(by, [])], "table", columns))
    click.echo(f"\nSamverkan (kategori x form) som är ny eller har upphört (antal förvaltningar {a} och {b})")
    click.echo(render([{"status": r["status"], "kategori x form": r["item"], str(a): r["from_value"],
                        str(b): r["to_value"]} for r in sections.get("pair", [])], "table"))
    click.echo(f"\nLuckor: de främsta per typ (rang {a} och {b})")
    click.echo(render([{"status": r["status"], "lucka": r["item"], str(a): r["from_value"], str(b): r["to_value"]}
                       for r in sections.get("gap", [])], "table"))


def _signed(value) -> str | None:
    if value is None:
        return None
    text = f"{value:+.1f}".replace(".", ",") if isinstance(value, float) else f"{value:+d}"
    return text if value != 0 else "0"
