"""Two perspectives in one graph (issue 12): the departments' and the organisations' view of collaboration.

One NetworkX MultiDiGraph per civil round holds both sides' edges between the same nodes as the main graph:
a department-side edge ``department -> category`` (key = form, side ``forvaltning``) for every
collaboration a department reports, and an organisation-side edge ``category -> department`` (key = form,
side ``civilsamhalle``, weight = organisations) for what the category's organisations report. A pair
(category, department, form) that one side reports and the other does not is a ``perspektiv`` gap.

Score of a gap = organisations that contradict the other side / (organisations in the category that
answered + 1): for a pair only the department reports, all n organisations (none of them reports it);
for a pair only organisations report, the o organisations that do. The +1 keeps a category with one
answer from outranking one with twenty. Only pairs both sides could report count: the category has
answering organisations and the department answered the department survey it is compared with.

Tables written at build (``write_perspective``): ``perspective_edges``, ``perspective_gaps`` and
``perspective_theme_shares`` (both sides' theme shares, the organisations counted once each). The
readers at the end import only the standard library, for the commands.
"""

from __future__ import annotations

import sqlite3
from typing import Any

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS perspective_edges (
    round INTEGER NOT NULL, side TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, form_id TEXT NOT NULL,
    weight INTEGER NOT NULL, PRIMARY KEY (round, side, source, target, form_id)
);
CREATE TABLE IF NOT EXISTS perspective_gaps (
    round INTEGER NOT NULL, department_round INTEGER, department_basis TEXT, type TEXT NOT NULL, rank INTEGER NOT NULL,
    score REAL NOT NULL, agreement TEXT NOT NULL, category_id TEXT NOT NULL, department_id TEXT NOT NULL,
    form_id TEXT NOT NULL, department_reports INTEGER NOT NULL, organisations_reporting INTEGER NOT NULL,
    category_organisations INTEGER NOT NULL, explanation TEXT NOT NULL, PRIMARY KEY (round, rank)
);
CREATE TABLE IF NOT EXISTS perspective_theme_shares (
    round INTEGER NOT NULL, department_round INTEGER, kind TEXT NOT NULL, theme_id TEXT NOT NULL, theme TEXT,
    department_statements INTEGER NOT NULL, department_total INTEGER NOT NULL, department_share REAL,
    civil_organisations INTEGER NOT NULL, civil_total INTEGER NOT NULL, civil_share REAL, difference REAL,
    PRIMARY KEY (round, kind, theme_id)
);
"""
TABLES = ("perspective_edges", "perspective_gaps", "perspective_theme_shares")
GAP_TYPE = "perspektiv"
DEPARTMENT_SIDE, CIVIL_SIDE = "forvaltning", "civilsamhalle"
BOTH, DEPARTMENT_ONLY, CIVIL_ONLY = "båda", "bara förvaltningen", "bara civilsamhället"


def _rows(conn: sqlite3.Connection, sql: str, args=()) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sql, args)]


def civil_rounds(conn: sqlite3.Connection) -> list[tuple[int, int | None]]:
    """(civil round, department round it is compared with) of every round with organisation answers."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'perspective_rounds'").fetchone():
        return []
    return _rows(conn, "SELECT round, department_round FROM perspective_rounds ORDER BY round")


def perspective_graph(conn: sqlite3.Connection, round_: int, department_round: int | None):
    """Both sides' edges of a civil round in one MultiDiGraph (nodes as in the main graph)."""
    import networkx as nx

    from kb.graph.incidence import node_id

    graph = nx.MultiDiGraph(round=round_, department_round=department_round)
    labels = {kind: dict(_rows(conn, f"SELECT id, name FROM {table}"))
              for kind, table in (("department", "departments"), ("category", "categories"))}

    def node(kind: str, entity: str) -> str:
        n = node_id(kind, entity)
        if n not in graph:
            graph.add_node(n, kind=kind, entity_id=entity, label=labels[kind].get(entity, entity))
        return n

    graph.graph["answered"] = {d for (d,) in _rows(conn, "SELECT department_id FROM responses WHERE round = ?",
                                                     [department_round])}
    graph.graph["organisations"] = dict(_rows(conn, "SELECT category_id, organisations FROM civil_categories "
                                                     "WHERE round = ?", [round_]))
    for department, category, form in _rows(conn, "SELECT department_id, category_id, form_id FROM collaborations "
                                                  "WHERE round = ?", [department_round]):
        graph.add_edge(node("department", department), node("category", category), key=form, side=DEPARTMENT_SIDE,
                       form_id=form, weight=1)
    for category, department, form, organisations in _rows(
            conn, "SELECT category_id, department_id, form_id, organisations FROM civil_edges WHERE round = ?",
            [round_]):
        graph.add_edge(node("category", category), node("department", department), key=form, side=CIVIL_SIDE,
                       form_id=form, weight=organisations)
    return graph


def _side_pairs(graph) -> dict[str, dict[tuple[str, str, str], int]]:
    """{side: {(category, department, form): weight}} from the graph's edges."""
    from kb.graph.incidence import split_node

    sides: dict[str, dict[tuple[str, str, str], int]] = {DEPARTMENT_SIDE: {}, CIVIL_SIDE: {}}
    for u, v, data in graph.edges(data=True):
        a, b = split_node(u)[1], split_node(v)[1]
        category, department = (b, a) if data["side"] == DEPARTMENT_SIDE else (a, b)
        sides[data["side"]][(category, department, data["form_id"])] = data["weight"]
    return sides


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def gap_rows(graph, labels: dict[str, dict[str, str]], basis: str | None = None) -> list[dict]:
    """Ranked perspektiv gaps: pairs one side reports and the other does not, with both sides' counts."""
    sides = _side_pairs(graph)
    answered, organisations = graph.graph["answered"], graph.graph["organisations"]
    rows = []
    for key in sorted(set(sides[DEPARTMENT_SIDE]) | set(sides[CIVIL_SIDE])):
        category, department, form = key
        n = organisations.get(category, 0)
        if n == 0 or department not in answered:
            continue
        reports, o = key in sides[DEPARTMENT_SIDE], sides[CIVIL_SIDE].get(key, 0)
        if reports and o:
            continue
        c, d, f = labels["category"][category], labels["department"][department], labels["form"][form]
        if reports:
            score = n / (n + 1)
            text = (f"{d} anger samverkan med {c} i formen {f}, men ingen av de "
                    f"{_count(n, 'organisation', 'organisationer')} i kategorin som svarat anger det.")
        else:
            score = o / (n + 1)
            text = (f"{_count(o, 'organisation', 'organisationer')} av {n} i kategorin {c} "
                    f"({round(100 * o / n)} %) anger samverkan med {d} i formen {f}, men förvaltningen anger det inte.")
        if basis == "rekonstruktion":
            text += " Förvaltningssidan är en rekonstruktion, inte förvaltningarnas faktiska svar."
        rows.append({"type": GAP_TYPE, "score": score, "agreement": DEPARTMENT_ONLY if reports else CIVIL_ONLY,
                     "category_id": category, "department_id": department, "form_id": form,
                     "department_reports": int(reports), "organisations_reporting": o,
                     "category_organisations": n, "explanation": text})
    rows.sort(key=lambda r: (-r["score"], -r["category_organisations"], r["category_id"], r["department_id"],
                             r["form_id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def theme_share_rows(conn: sqlite3.Connection, round_: int, department_round: int | None,
                     statement_organisations: dict[str, tuple[str, str]]) -> list[dict]:
    """Both sides' theme shares: department statements per theme, organisations (once each) per theme."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if "themes" not in tables:
        return []
    themes = _rows(conn, "SELECT id, label, kind FROM themes WHERE COALESCE(is_group, 0) = 0 ORDER BY position")
    dept_total = dict(_rows(conn, "SELECT kind, COUNT(*) FROM statements WHERE round = ? GROUP BY kind",
                            [department_round]))
    dept = {}
    if "coded_themes" in tables:
        dept = dict(((t, k), n) for t, k, n in _rows(
            conn, "SELECT ct.theme_id, s.kind, COUNT(DISTINCT s.id) FROM coded_themes ct "
                  "JOIN statements s ON s.id = ct.statement_id WHERE s.round = ? GROUP BY ct.theme_id, s.kind",
            [department_round]))
    civil_kind = dict(_rows(conn, "SELECT id, kind FROM civil_statements WHERE round = ?", [round_]))
    civil_total: dict[str, set] = {}
    for statement, kind in civil_kind.items():
        civil_total.setdefault(kind, set()).add(statement_organisations.get(statement, statement))
    civil: dict[tuple[str, str], set] = {}
    for statement, theme in _rows(conn, "SELECT DISTINCT c.statement_id, c.theme_id FROM civil_codings c "
                                        "JOIN civil_statements s ON s.id = c.statement_id WHERE s.round = ?", [round_]):
        civil.setdefault((theme, civil_kind[statement]), set()).add(statement_organisations.get(statement, statement))
    rows = []
    for theme, label, kind in themes:
        d, o = dept.get((theme, kind), 0), len(civil.get((theme, kind), ()))
        if not d and not o:
            continue
        dt_, ct_ = dept_total.get(kind, 0), len(civil_total.get(kind, ()))
        ds, cs = (d / dt_ if dt_ else None), (o / ct_ if ct_ else None)
        rows.append({"round": round_, "department_round": department_round, "kind": kind, "theme_id": theme,
                     "theme": label, "department_statements": d, "department_total": dt_, "department_share": ds,
                     "civil_organisations": o, "civil_total": ct_, "civil_share": cs,
                     "difference": None if ds is None or cs is None else cs - ds})
    return rows


def write_perspective(db: Any, inputs: Any = None) -> dict[str, int]:
    """Build stage: code the organisations' free text, then write edges, gaps and theme shares per round."""
    from kb.coding.civil import code_civil_statements
    from kb.survey.civil import statement_rows

    conn = getattr(db, "conn", db)
    code_civil_statements(db)
    conn.executescript(TABLES_SQL)
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    owners = {}
    for stored in getattr(inputs, "civil", None) or []:
        for statement_id, _, _, answer, _ in statement_rows(stored):
            owners[statement_id] = (answer.category_id, answer.organisation_id)
    labels = {kind: dict(_rows(conn, f"SELECT id, name FROM {table}")) for kind, table in
              (("category", "categories"), ("department", "departments"), ("form", "forms"))}
    for round_, department_round in civil_rounds(conn):
        graph = perspective_graph(conn, round_, department_round)
        conn.executemany("INSERT INTO perspective_edges VALUES (?, ?, ?, ?, ?, ?)",
                         [(round_, d["side"], u, v, d["form_id"], d["weight"]) for u, v, d in graph.edges(data=True)])
        basis = department_basis(conn, department_round)
        gaps = gap_rows(graph, labels, basis)
        conn.executemany(
            "INSERT INTO perspective_gaps VALUES (:round, :department_round, :department_basis, :type, :rank, :score, "
            ":agreement, :category_id, :department_id, :form_id, :department_reports, :organisations_reporting, "
            ":category_organisations, :explanation)",
            [{**g, "round": round_, "department_round": department_round, "department_basis": basis} for g in gaps])
        shares = theme_share_rows(conn, round_, department_round, owners)
        if shares:
            db["perspective_theme_shares"].insert_all(shares)
    conn.commit()
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def department_basis(conn: sqlite3.Connection, department_round: int | None) -> str | None:
    """rekonstruktion when the department side of the comparison is reconstructed, else enkatexport."""
    if department_round is None:
        return None
    row = conn.execute("SELECT 1 FROM responses r JOIN sources s ON s.id = r.source_id WHERE r.round = ? "
                       "AND s.kind = 'rekonstruktion' LIMIT 1", [department_round]).fetchone()
    return "rekonstruktion" if row else "enkatexport"


# ---------------------------------------------------------------- readers (standard library only)


def read_perspective_gaps(conn: sqlite3.Connection, round_: int, category: str | None = None,
                          top: int | None = None) -> list[dict]:
    sql = "SELECT * FROM perspective_gaps WHERE round = ?"
    args: list[Any] = [round_]
    if category:
        sql += " AND category_id = ?"
        args.append(category)
    sql += " ORDER BY rank"
    if top:
        sql += " LIMIT ?"
        args.append(top)
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor]


def read_theme_shares(conn: sqlite3.Connection, round_: int) -> list[dict]:
    cursor = conn.execute("SELECT * FROM perspective_theme_shares WHERE round = ? "
                          "ORDER BY kind, ABS(COALESCE(difference, 0)) DESC, theme_id", [round_])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor]
