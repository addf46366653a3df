"""Exports read back in each format, and the `gaps`, `breadth` and `export graph` commands."""

import json
from pathlib import Path

import click
import networkx as nx
import pytest
from click.testing import CliRunner
from lxml import etree

from kb.core.swedish_click import SwedishGroup
from kb.graph.commands import breadth, export_graph, gaps
from kb.graph.export import FORMATS, graph_from_tables, write_graph

from .conftest import ROUND


@pytest.fixture
def db_path(fixture_db):
    fixture_db.conn.commit()
    return fixture_db.conn.execute("PRAGMA database_list").fetchone()[2]


@click.group(cls=SwedishGroup)
def cli():
    """The commands as kb/cli.py registers them."""


cli.add_command(gaps)
cli.add_command(breadth)


@cli.group()
def export():
    """Export."""


export.add_command(export_graph, "graph")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_reads_back(fixture_db, tmp_path, fmt):
    graph = graph_from_tables(fixture_db.conn, ROUND)
    graph.nodes["department:miljokontoret"]["tags"] = ["a", "b"]  # a list attribute must be flattened
    path = tmp_path / f"graph.{fmt}"
    write_graph(graph, fmt, path)
    if fmt == "gexf":
        back = nx.read_gexf(path)
    elif fmt == "graphml":
        back = nx.read_graphml(path)
    elif fmt == "json":
        back = nx.node_link_graph(json.loads(path.read_text("utf-8")), edges="edges")
    elif fmt == "cytoscape":
        back = nx.cytoscape_graph(json.loads(path.read_text("utf-8")))
    else:
        blueprint = json.loads(path.read_text("utf-8"))
        labels = [e["label"] for e in blueprint["elements"]]
        assert len(labels) == len(set(labels)) == graph.number_of_nodes()
        assert len(blueprint["connections"]) == graph.number_of_edges()
        assert {c["from"] for c in blueprint["connections"]} <= set(labels)
        return
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    node = back.nodes["department:miljokontoret"]
    assert node["kind"] == "department" and node["tags"] == "a;b"
    weight = back["department:miljokontoret"]["category:natverk"]["weight"]
    assert float(weight) == 2.0


DATA = Path(__file__).parents[1] / "data"
SCHEMAS = {"gexf": DATA / "gexf-1.2draft" / "gexf.xsd", "graphml": DATA / "graphml" / "graphml.xsd"}


@pytest.mark.parametrize("fmt", sorted(SCHEMAS))
@pytest.mark.parametrize("round_", [ROUND, 2022])
def test_export_is_valid_against_the_xsd_it_declares(fixture_db, tmp_path, fmt, round_):
    graph = graph_from_tables(fixture_db.conn, round_)
    assert graph.number_of_nodes() > 0 and graph.number_of_edges() > 0
    path = tmp_path / f"graph.{fmt}"
    write_graph(graph, fmt, path)
    doc = etree.parse(str(path))
    if fmt == "gexf":  # the XSD is the one of the version the file declares
        assert doc.getroot().tag == "{http://www.gexf.net/1.2draft}gexf" and doc.getroot().get("version") == "1.2"
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS[fmt])))
    assert schema.validate(doc), [str(e) for e in schema.error_log]


def test_gaps_json_contract(db_path):
    result = run("gaps", "--db", db_path, "--round", ROUND, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"type", "rank", "score", "explanation", "brokers"} <= set(rows[0])
    assert all(v is not None for row in rows for v in row.values())  # absent keys are omitted
    pair = next(r for r in rows if r.get("category_id") == "socialt-foretag"
                and r.get("goal_area_id") == "cirkular-ekonomi")
    assert pair["type"] == "kategori-delmal" and "form_id" not in pair
    assert isinstance(pair["brokers"], list)


def test_gaps_filters_and_formats(db_path):
    result = run("gaps", "--db", db_path, "--type", "delmal", "--top", "2", "--format", "json")
    rows = json.loads(result.output)
    assert [r["rank"] for r in rows] == [1, 2] and {r["type"] for r in rows} == {"delmal"}
    result = run("gaps", "--db", db_path, "--category", "Socialt företag", "--format", "csv")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("round,type,rank,score") and all("socialt-foretag" in line for line in lines[1:])
    table = run("gaps", "--db", db_path, "--goal", "cirkular-ekonomi", "--top", "1")
    assert table.exit_code == 0 and "Förvaltningar som samverkar med" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--category", "socialt-foretg"), "menade du 'socialt-foretag'"),
        (("--goal", "cirkular"), "okänt delmålområdes-id"),
        (("--type", "kategori-mal"), "okänd lucktyp"),
        (("--round", "1999"), "omgången 1999 har inga svarsrader"),
        (("--top", "0"), "--top"),
    ],
)
def test_gaps_bad_input_exits_2(db_path, args, message):
    result = run("gaps", "--db", db_path, *args)
    assert result.exit_code == 2
    assert message in result.output  # CliRunner mixes stderr into output


def test_gaps_without_graph_tables(tmp_path, built_db_path):
    import sqlite3

    plain = tmp_path / "plain.db"
    plain.write_bytes(built_db_path.read_bytes())
    with sqlite3.connect(plain) as conn:
        conn.execute("DROP TABLE gaps")
    result = run("gaps", "--db", plain)
    assert result.exit_code == 2 and "kb build" in result.output
    assert run("gaps", "--db", tmp_path / "missing.db").exit_code == 2


def test_breadth_command(db_path):
    result = run("breadth", "--db", db_path, "--round", ROUND, "--by", "goal", "--format", "json")
    rows = json.loads(result.output)
    assert rows[0] == {"goal_area_id": "klimat", "goal_area": "Klimat", "departments": 2}
    result = run("breadth", "--db", db_path, "--round", ROUND)
    assert result.exit_code == 0 and "reported_forms" in result.output


def test_help_is_swedish():
    for args in (("gaps", "--help"), ("breadth", "--help"), ("export", "graph", "--help")):
        result = run(*args)
        assert result.exit_code == 0 and "Användning:" in result.output and "Visa den här hjälptexten" in result.output


def test_export_command(db_path, tmp_path):
    path = tmp_path / "g.gexf"
    result = run("export", "graph", "--db", db_path, "--round", ROUND, "--format", "gexf", path)
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(path).number_of_nodes() > 0


def test_gaps_path_imports_no_heavy_modules():
    import subprocess
    import sys

    code = ("import sys, kb.graph.commands, kb.graph.store; "
            "heavy = [m for m in ('networkx', 'spacy', 'scipy', 'numpy') if m in sys.modules]; "
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
