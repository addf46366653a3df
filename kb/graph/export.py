"""Export a round's graph for Gephi (GEXF), GraphML tools, the web (node-link JSON), Cytoscape and Kumu.

The graph is read back from the stored tables ``graph_nodes`` and ``graph_edges`` (what `kb build` computed),
so an export shows the same numbers as Datasette. GEXF and GraphML accept only scalar attributes:
None is left out and lists are joined with ";". The GEXF file is valid against the XSD of the version it
declares (1.2draft): networkx writes ``name=""`` on ``<graph>``, which that schema does not allow, so
`write_gexf` drops it.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

FORMATS = ("gexf", "graphml", "json", "cytoscape", "kumu")


def graph_from_tables(conn: sqlite3.Connection, round_: int) -> nx.Graph:
    """The stored graph of a round with every non-empty column as an attribute."""
    conn.row_factory = sqlite3.Row
    graph = nx.Graph(round=round_)
    for row in conn.execute("SELECT * FROM graph_nodes WHERE round = ? ORDER BY kind, position", [round_]):
        attrs = {k: row[k] for k in row.keys() if k not in ("round", "id") and row[k] is not None}
        graph.add_node(row["id"], **attrs)
    for row in conn.execute("SELECT source, target, kind, weight FROM graph_edges WHERE round = ?", [round_]):
        graph.add_edge(row["source"], row["target"], kind=row["kind"], weight=row["weight"])
    names = dict(conn.execute("SELECT id, name FROM departments"))
    for node, attrs in graph.nodes(data=True):
        if "kind" not in attrs:  # a predecessor department at the end of a lineage edge: an earlier round's
            kind, _, entity_id = node.partition(":")
            attrs.update(kind=kind, entity_id=entity_id, label=names.get(entity_id, entity_id))
    return graph


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def flatten_attributes(graph: nx.Graph) -> nx.Graph:
    """A copy whose graph, node and edge attributes are all scalars (no None, lists joined by ';')."""
    flat = nx.Graph()
    flat.graph.update({k: _scalar(v) for k, v in graph.graph.items() if v is not None})
    for node, attrs in graph.nodes(data=True):
        flat.add_node(node, **{k: _scalar(v) for k, v in attrs.items() if v is not None})
    for u, v, attrs in graph.edges(data=True):
        flat.add_edge(u, v, **{k: _scalar(x) for k, x in attrs.items() if x is not None})
    return flat


def kumu_blueprint(graph: nx.Graph) -> dict:
    """Kumu's JSON blueprint: elements (label, type, attributes) and connections (from, to by label).

    Kumu links connections to elements by label, so a label shared by two kinds gets its kind appended.
    """
    counts = Counter(attrs.get("label", node) for node, attrs in graph.nodes(data=True))
    labels = {}
    for node, attrs in graph.nodes(data=True):
        label = attrs.get("label", node)
        labels[node] = f"{label} ({attrs.get('kind')})" if counts[label] > 1 else label
    elements = []
    for node, attrs in graph.nodes(data=True):
        element = {"label": labels[node], "type": attrs.get("kind"), "id": node}
        element.update({k: _scalar(v) for k, v in attrs.items() if k not in ("label", "kind") and v is not None})
        elements.append(element)
    connections = [
        {"from": labels[u], "to": labels[v], "type": d.get("kind"), "weight": d.get("weight")}
        for u, v, d in graph.edges(data=True)
    ]
    return {"elements": elements, "connections": connections}


def write_gexf(graph: nx.Graph, path: Path | str) -> None:
    """GEXF 1.2draft as networkx writes it, minus the ``name`` attribute on <graph> the XSD forbids."""
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(graph)
    writer.graph_element.attrib.pop("name", None)
    writer.write(path)


def write_graph(graph: nx.Graph, fmt: str, path: Path | str) -> None:
    """Write the graph in one of FORMATS."""
    path = Path(path)
    flat = flatten_attributes(graph)
    if fmt == "gexf":
        write_gexf(flat, path)
    elif fmt == "graphml":
        nx.write_graphml(flat, path)
    elif fmt == "json":
        path.write_text(json.dumps(nx.node_link_data(flat, edges="edges"), ensure_ascii=False, indent=1), "utf-8")
    elif fmt == "cytoscape":
        path.write_text(json.dumps(nx.cytoscape_data(flat), ensure_ascii=False, indent=1), "utf-8")
    elif fmt == "kumu":
        path.write_text(json.dumps(kumu_blueprint(flat), ensure_ascii=False, indent=1), "utf-8")
    else:
        raise ValueError(f"okänt format {fmt!r}")
