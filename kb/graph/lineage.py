"""Department lineage in the graph: edges of kind ``lineage`` from a predecessor to its successor.

The table ``department_lineage`` (written at build from ingest/reference/lineage.yml) holds the edges.
In a round's stored graph (``graph_edges``), a lineage edge joins ``department:<predecessor>`` to
``department:<successor>`` when the successor answered the round; the predecessor node is then a
department of an earlier round. ``kb compare`` walks the same edges backwards to compare a department
with the union of its predecessors. Standard library only at the top: NetworkX loads in lineage_graph.
"""

from __future__ import annotations

import sqlite3
from typing import Any

EDGE_KIND = "lineage"
LINEAGE_COLUMNS = ("predecessor_id", "successor_id", "kind", "round", "source_url", "note")


def read_lineage(conn: sqlite3.Connection) -> list[dict]:
    """Rows of department_lineage (empty when the db predates the table)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'department_lineage'").fetchone():
        return []
    cursor = conn.execute(f"SELECT {', '.join(LINEAGE_COLUMNS)} FROM department_lineage ORDER BY position")
    return [dict(zip(LINEAGE_COLUMNS, row, strict=True)) for row in cursor]


def lineage_edges(lineage: list[dict], responding: set[str], round_: int) -> list[dict]:
    """The graph_edges rows of a round: lineage edges whose successor answered the round."""
    return [
        {"round": round_, "source": f"department:{e['predecessor_id']}", "target": f"department:{e['successor_id']}",
         "kind": EDGE_KIND, "weight": 1}
        for e in lineage
        if e["successor_id"] in responding and e["predecessor_id"] not in responding
    ]


def predecessors_in(lineage: list[dict], department: str, earlier: set[str]) -> tuple[set[str], list[str]]:
    """The departments of `earlier` that `department` continues (walking back through lineage), and the
    kinds of the edges used. A department in `earlier` itself is its own predecessor (kind ``same``)."""
    if department in earlier:
        return {department}, ["same"]
    found: set[str] = set()
    kinds: list[str] = []
    queue, seen = [department], {department}
    while queue:
        current = queue.pop(0)
        for edge in lineage:
            if edge["successor_id"] != current or edge["predecessor_id"] in seen:
                continue
            seen.add(edge["predecessor_id"])
            kinds.append(edge["kind"])
            if edge["predecessor_id"] in earlier:
                found.add(edge["predecessor_id"])
            else:
                queue.append(edge["predecessor_id"])
    return found, kinds


def lineage_graph(lineage: list[dict], names: dict[str, str]) -> Any:
    """A NetworkX DiGraph of the lineage: department nodes, edges of kind ``lineage`` with the change's
    kind, first round, source and note."""
    import networkx as nx

    graph = nx.DiGraph()
    for edge in lineage:
        for department in (edge["predecessor_id"], edge["successor_id"]):
            graph.add_node(f"department:{department}", kind="department", entity_id=department,
                           label=names.get(department, department))
        graph.add_edge(f"department:{edge['predecessor_id']}", f"department:{edge['successor_id']}",
                       kind=EDGE_KIND, lineage_kind=edge["kind"], round=edge["round"],
                       source_url=edge["source_url"], note=edge["note"])
    return graph
