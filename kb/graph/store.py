"""The graph in the database: read a round's rows, write the graph tables at build, read gaps fast.

Tables written by ``write_graph_tables`` (every round with response rows):

- ``graph_nodes`` (round, id, kind, entity_id, label, position, breadth and network measures ...);
- ``graph_edges`` (round, source, target, kind, weight);
- ``graph_metrics`` (round, measure, scope, value): densities, centralisations, modularity;
- ``gaps`` (round, type, rank, score, relevance, shortfall, actionability and its parts, k_c, k_g, k_f, x,
  expected, lift, ids, basis, explanation, brokers as a JSON list, rank_min/rank_max under leave-one-out,
  rank_dropouts = leave-one-out runs in which it is no gap);
- ``gap_stability`` (round, type, method, runs, tau_mean, tau_min);
- ``relevance`` (every cell of the three relevance matrices) and ``ladder_steps`` (each form's ladder step).

This module imports only the standard library at the top: ``kb gaps`` reads through ``read_gaps``
without loading NetworkX. The writers import the graph code when called.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS graph_nodes (
    round INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL, label TEXT,
    position INTEGER,
    categories INTEGER, forms INTEGER, reported_forms INTEGER, goal_areas INTEGER, departments INTEGER,
    reported INTEGER, average_all REAL, average_collaborating REAL,
    ladder_step TEXT, ladder_information REAL, ladder_konsultation REAL, ladder_dialog REAL,
    ladder_partnerskap REAL, ladder_mean_level REAL, statements INTEGER,
    degree INTEGER, weighted_degree REAL,
    two_mode_degree REAL, two_mode_betweenness REAL, two_mode_closeness REAL,
    gini_simpson_categories REAL, shannon_categories REAL, gini_simpson_forms REAL, shannon_forms REAL,
    community INTEGER, "constraint" REAL, effective_size REAL,
    PRIMARY KEY (round, id)
);
CREATE TABLE IF NOT EXISTS graph_edges (
    round INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, weight REAL,
    PRIMARY KEY (round, source, target)
);
CREATE TABLE IF NOT EXISTS graph_metrics (
    round INTEGER NOT NULL, measure TEXT NOT NULL, scope TEXT NOT NULL, value REAL,
    PRIMARY KEY (round, measure, scope)
);
CREATE TABLE IF NOT EXISTS gaps (
    round INTEGER NOT NULL, type TEXT NOT NULL, rank INTEGER NOT NULL, score REAL NOT NULL,
    relevance INTEGER, shortfall REAL, actionability REAL, broker_share REAL, relatedness_density REAL,
    forum_cover REAL, n INTEGER, k_c INTEGER, k_g INTEGER, k_f INTEGER, x INTEGER, expected REAL, lift REAL,
    z REAL, q REAL, category_id TEXT, goal_area_id TEXT, form_id TEXT, theme_id TEXT, forum_id TEXT, basis TEXT,
    explanation TEXT NOT NULL, brokers TEXT, rank_min INTEGER, rank_max INTEGER, rank_dropouts INTEGER,
    PRIMARY KEY (round, type, rank)
);
CREATE INDEX IF NOT EXISTS idx_gaps_ids ON gaps (round, type, category_id, goal_area_id);
CREATE TABLE IF NOT EXISTS gap_stability (
    round INTEGER NOT NULL, type TEXT NOT NULL, method TEXT, runs INTEGER, tau_mean REAL, tau_min REAL,
    PRIMARY KEY (round, type)
);
CREATE TABLE IF NOT EXISTS relevance (
    kind TEXT NOT NULL, category_id TEXT, goal_area_id TEXT, form_id TEXT, relevance INTEGER NOT NULL,
    is_default INTEGER NOT NULL, rationale TEXT, source TEXT
);
CREATE TABLE IF NOT EXISTS ladder_steps (
    form_id TEXT PRIMARY KEY, step_id TEXT NOT NULL, step TEXT NOT NULL, level INTEGER NOT NULL,
    step_description TEXT, rationale TEXT, source TEXT
);
"""
GRAPH_TABLES = ("graph_nodes", "graph_edges", "graph_metrics", "gaps", "gap_stability", "relevance", "ladder_steps")
GAP_COLUMNS = (
    "round", "type", "rank", "score", "relevance", "shortfall", "actionability", "broker_share",
    "relatedness_density", "forum_cover", "n", "k_c", "k_g", "k_f", "x", "expected", "lift", "z", "q",
    "category_id", "goal_area_id", "form_id", "theme_id", "forum_id", "basis", "explanation", "brokers", "rank_min",
    "rank_max", "rank_dropouts",
)


def _conn(db: Any) -> sqlite3.Connection:
    """The sqlite3 connection of a sqlite_utils.Database or a connection."""
    return getattr(db, "conn", db)


def table_names(db: Any) -> set[str]:
    return {r[0] for r in _conn(db).execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}


# ---------------------------------------------------------------- reading a round


def rounds_with_responses(db: Any) -> list[int]:
    return [r[0] for r in _conn(db).execute("SELECT DISTINCT round FROM responses ORDER BY round")]


def read_round(db: Any, round_: int, ladder: list[dict] | None = None):
    """The RoundData of a round: reference entities, responses, forums and coded themes when present."""
    from kb.graph.incidence import RoundData

    conn = _conn(db)
    tables = table_names(conn)

    def entities(sql: str, *args) -> list[tuple[str, str, int]]:
        return [(r[0], r[1], r[2]) for r in conn.execute(sql, args)]

    ents = {
        "department": entities(
            "SELECT d.id, d.name, d.position FROM departments d JOIN responses r ON r.department_id = d.id "
            "WHERE r.round = ? ORDER BY d.position", round_),
        "category": entities("SELECT id, name, position FROM categories ORDER BY position"),
        "form": entities("SELECT id, name, position FROM forms ORDER BY position"),
        "goal_area": entities("SELECT id, name, position FROM goal_areas ORDER BY position"),
        "development_area": entities("SELECT id, name, position FROM development_areas ORDER BY position"),
    }
    row = conn.execute("SELECT departments FROM rounds WHERE round = ?", [round_]).fetchone()
    data = RoundData(
        round=round_,
        round_departments=row[0] if row else len(ents["department"]),
        entities=ents,
        collaborations=[tuple(r) for r in conn.execute(
            "SELECT department_id, category_id, form_id FROM collaborations WHERE round = ?", [round_])],
        department_goals=[tuple(r) for r in conn.execute(
            "SELECT department_id, goal_area_id FROM department_goal_areas WHERE round = ?", [round_])],
    )
    if ladder:
        data.ladder = {r["form_id"]: r for r in ladder}
    elif "ladder_steps" in tables:
        data.ladder = {r[0]: {"step_id": r[1], "level": r[2]} for r in conn.execute(
            "SELECT form_id, step_id, level FROM ladder_steps")}
    _read_forums(conn, tables, data)
    _read_themes(conn, tables, data)
    if "collaboration_goal_areas" in tables:  # a future questionnaire linking category and goal directly
        links = [tuple(r) for r in conn.execute(
            "SELECT department_id, category_id, goal_area_id FROM collaboration_goal_areas WHERE round = ?",
            [round_])]
        data.category_goal_links = links or None
    return data


# Statuses of forums that are no standing forum: closed, only proposed, or a one-off event.
NOT_STANDING = ("avslutat", "avslutad", "föreslaget", "engångs")
FORUM_LINKS = {"forum_departments": ("department", "department_id"), "forum_categories": ("category", "category_id"),
               "forum_goal_areas": ("goal_area", "goal_area_id"), "forum_forms": ("form", "form_id")}


def _numbered(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    """(id, label, position from 1) of the rows an (id, label) query gives, in its order."""
    return [(r[0], r[1], i) for i, r in enumerate(conn.execute(sql), start=1)]


def _read_forums(conn: sqlite3.Connection, tables: set[str], data) -> None:
    if "forums" not in tables:
        return
    columns = _columns(conn, "forums")
    label = "name" if "name" in columns else "id"
    # Only standing forums cover anything: proposed, closed and one-off ones do not.
    standing = f"COALESCE(status, '') NOT IN ({', '.join(repr(s) for s in NOT_STANDING)})"
    where = f"WHERE {standing}" if "status" in columns else ""
    order = "position, id" if "position" in columns else "id"
    data.entities["forum"] = _numbered(conn, f"SELECT id, [{label}] FROM forums {where} ORDER BY {order}")
    active = {f[0] for f in data.entities["forum"]}
    for table, (kind, column) in FORUM_LINKS.items():
        if table in tables and column in _columns(conn, table):
            rows = conn.execute(f"SELECT forum_id, [{column}] FROM [{table}]")
            data.forum_links += [(r[0], kind, r[1]) for r in rows if r[0] in active]


def _read_themes(conn: sqlite3.Connection, tables: set[str], data) -> None:
    if "themes" not in tables:
        return
    columns = _columns(conn, "themes")
    label = "label" if "label" in columns else "id"
    where = "WHERE COALESCE(is_group, 0) = 0" if "is_group" in columns else ""
    order = "position" if "position" in columns else "id"
    data.entities["theme"] = _numbered(conn, f"SELECT id, [{label}] FROM themes {where} ORDER BY {order}")
    data.theme_kinds = dict(conn.execute(f"SELECT id, kind FROM themes {where}")) if "kind" in columns else {}
    if "theme_development_areas" in tables:
        data.theme_development_areas = [tuple(r) for r in conn.execute(
            "SELECT theme_id, development_area_id FROM theme_development_areas")]
    if "codings" in tables:
        codings = _columns(conn, "codings")
        conditions = ["s.round = ?"]
        if "negated" in codings:
            conditions.append("COALESCE(c.negated, 0) = 0")
        if "status" in codings:
            conditions.append("COALESCE(c.status, '') != 'avvisad'")
        data.theme_statements = dict(conn.execute(
            "SELECT c.theme_id, COUNT(DISTINCT c.statement_id) FROM codings c "
            "JOIN statements s ON s.id = c.statement_id "
            f"WHERE {' AND '.join(conditions)} GROUP BY c.theme_id", [data.round]))
    data.difficulty_statements = conn.execute(
        "SELECT COUNT(*) FROM statements WHERE round = ? AND kind = 'svarighet'", [data.round]).fetchone()[0]


# ---------------------------------------------------------------- writing at build


def write_graph_tables(db: Any, round: int | None = None, graph_data: Any = None) -> dict[str, int]:
    """Create and fill the graph tables for one round or every round with responses; returns row counts.

    ``graph_data`` is ingest.graph_data.GraphData (loaded and validated if not given).
    """
    from ingest.graph_data import load_graph_data

    conn = _conn(db)
    graph_data = graph_data or load_graph_data()
    conn.executescript(TABLES_SQL)
    rounds = [round] if round is not None else rounds_with_responses(conn)
    conn.execute("DELETE FROM relevance")
    conn.execute("DELETE FROM ladder_steps")
    conn.executemany(
        "INSERT INTO relevance VALUES (:kind, :category_id, :goal_area_id, :form_id, :relevance, :is_default, "
        ":rationale, :source)", graph_data.relevance)
    steps = {s["id"]: s for s in graph_data.ladder_steps}
    conn.executemany(
        "INSERT INTO ladder_steps VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(f["form_id"], f["step_id"], f["step"], f["level"], steps[f["step_id"]]["description"], f["rationale"],
          f["source"]) for f in graph_data.ladder_forms])
    for rnd in rounds:
        for table in ("graph_nodes", "graph_edges", "graph_metrics", "gaps", "gap_stability"):
            conn.execute(f"DELETE FROM {table} WHERE round = ?", [rnd])
        _write_round(conn, read_round(conn, rnd, graph_data.ladder_forms), graph_data.relevance)
        _write_lineage(conn, rnd)
    conn.commit()
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in GRAPH_TABLES}


def _write_lineage(conn: sqlite3.Connection, rnd: int) -> None:
    """Lineage edges (predecessor -> successor department) of the round's graph."""
    from kb.graph.lineage import lineage_edges, read_lineage

    responding = {r[0] for r in conn.execute("SELECT department_id FROM responses WHERE round = ?", [rnd])}
    _insert(conn, "graph_edges", lineage_edges(read_lineage(conn), responding, rnd))


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = _columns(conn, table)
    keys = sorted({k for r in rows for k in r if k in columns})
    sql = f"INSERT INTO {table} ({', '.join(f'[{k}]' for k in keys)}) VALUES ({', '.join('?' for _ in keys)})"
    conn.executemany(sql, [[r.get(k) for k in keys] for r in rows])


def analyse_round(data, relevance_records: list[dict], *, with_stability: bool = True) -> dict[str, Any]:
    """Graph, breadth, measures and gaps of one round as plain rows (no database)."""
    from kb.graph.gaps import Forums, Incidence, Relevance, compute_gaps
    from kb.graph.incidence import build_graph
    from kb.graph.metrics import graph_metrics, node_metrics

    graph = build_graph(data)
    labels = {kind: {e[0]: e[1] for e in ents} for kind, ents in data.entities.items()}
    inc = Incidence.from_rows(
        [e[0] for e in data.entities["department"]], list(labels["category"]), list(labels["goal_area"]),
        list(labels["form"]), data.collaborations, data.department_goals, data.category_goal_links)
    forums = None
    if data.has_forums:
        forums = Forums(labels=labels["forum"])
        target = {"department": forums.departments, "category": forums.categories, "goal_area": forums.goals,
                  "form": forums.forms}
        for forum, kind, entity in data.forum_links:
            target[kind].setdefault(forum, set()).add(entity)
    themes = None
    if data.has_themes:
        kinds = data.theme_kinds
        areas = {}
        for theme, _ in data.theme_development_areas:
            areas[theme] = areas.get(theme, 0) + 1
        themes = [{"theme_id": t, "label": label, "statements": data.theme_statements.get(t, 0),
                   "total": data.difficulty_statements, "areas": areas.get(t, 0)}
                  for t, label, _ in data.entities["theme"] if kinds.get(t, "svarighet") == "svarighet"]
    gaps, stability = compute_gaps(inc, Relevance.from_records(relevance_records), labels, forums, themes,
                                   with_stability=with_stability)
    return {"graph": graph, "gaps": gaps, "stability": stability, "node_metrics": node_metrics(graph),
            "graph_metrics": graph_metrics(graph)}


def _write_round(conn: sqlite3.Connection, data, relevance_records: list[dict]) -> None:
    from kb.graph.incidence import breadth, node_id

    result = analyse_round(data, relevance_records)
    graph, rnd = result["graph"], data.round
    by_node: dict[str, dict] = {}
    for kind, rows in breadth(graph).items():
        entity_kind = "goal_area" if kind == "goal" else kind
        for row in rows:
            values = {k: v for k, v in row.items() if k not in ("round", kind, f"{kind}_id", f"{entity_kind}_id")}
            by_node[node_id(entity_kind, row[f"{entity_kind}_id"])] = values
    nodes = []
    for node, attrs in graph.nodes(data=True):
        row = {"round": rnd, "id": node, "kind": attrs["kind"], "entity_id": attrs["entity_id"],
               "label": attrs["label"], "position": attrs["position"], "statements": attrs.get("statements")}
        row.update(by_node.get(node, {}))
        row.update(result["node_metrics"].get(node, {}))
        nodes.append(row)
    _insert(conn, "graph_nodes", nodes)
    _insert(conn, "graph_edges", [{"round": rnd, "source": u, "target": v, "kind": d["kind"], "weight": d["weight"]}
                                  for u, v, d in graph.edges(data=True)])
    _insert(conn, "graph_metrics", [{"round": rnd, **r} for r in result["graph_metrics"]])
    _insert(conn, "gaps", [{**g, "round": rnd, "brokers": json.dumps(g.get("brokers", []), ensure_ascii=False)}
                           for g in result["gaps"]])
    _insert(conn, "gap_stability", [{"round": rnd, **s} for s in result["stability"]])


# ---------------------------------------------------------------- reading gaps (fast path of `kb gaps`)


def open_readonly(path: Path | str) -> sqlite3.Connection:
    """A read-only connection; FileNotFoundError when the file is missing."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"databasen {path} finns inte: kör `kb build` först")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    """Rows as dicts, whatever the connection's row factory."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def gap_rounds(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT DISTINCT round FROM gaps ORDER BY round")]


def read_gaps(
    conn: sqlite3.Connection,
    round_: int,
    gap_type: str | None = None,
    category: str | None = None,
    goal: str | None = None,
    top: int | None = None,
) -> list[dict]:
    """Stored gaps of a round, ranked within type, filtered; brokers parsed to a list."""
    conditions, args = ["round = ?"], [round_]
    for column, value in (("type", gap_type), ("category_id", category), ("goal_area_id", goal)):
        if value:
            conditions.append(f"{column} = ?")
            args.append(value)
    order = "CASE type " + " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(TYPE_ORDER)) + " ELSE 9 END, rank"
    sql = f"SELECT * FROM gaps WHERE {' AND '.join(conditions)} ORDER BY {order}"
    rows = _dicts(conn.execute(sql, args))
    if top:
        counts: dict[str, int] = {}
        kept = []
        for row in rows:
            counts[row["type"]] = counts.get(row["type"], 0) + 1
            if counts[row["type"]] <= top:
                kept.append(row)
        rows = kept
    for row in rows:
        row["brokers"] = json.loads(row["brokers"] or "[]")
    return rows


TYPE_ORDER = ("kategori-delmal", "delmal", "kategori-form", "forum", "tema")


BREADTH_QUERIES = {  # by -> (kind, columns, order)
    "department": ("department", ("entity_id AS department_id", "label AS department", "categories", "forms",
                                  "reported_forms", "goal_areas", "gini_simpson_categories", "shannon_categories",
                                  "community"), "reported_forms DESC, position"),
    "category": ("category", ("entity_id AS category_id", "label AS category", "departments", "forms",
                              "reported_forms", "average_all", "average_collaborating", "ladder_information",
                              "ladder_konsultation", "ladder_dialog", "ladder_partnerskap", "ladder_mean_level"),
                 "departments DESC, position"),
    "form": ("form", ("entity_id AS form_id", "label AS form", "reported", "departments", "ladder_step"),
             "reported DESC, position"),
    "goal": ("goal_area", ("entity_id AS goal_area_id", "label AS goal_area", "departments"),
             "departments DESC, position"),
}


def read_breadth(conn: sqlite3.Connection, round_: int, by: str) -> list[dict]:
    """Stored breadth rows of a round (written at build from kb.graph.incidence.breadth), in the report views' order."""
    kind, columns, order = BREADTH_QUERIES[by]
    sql = f"SELECT {', '.join(columns)} FROM graph_nodes WHERE round = ? AND kind = ? ORDER BY {order}"
    return _dicts(conn.execute(sql, [round_, kind]))
