"""Fixtures of the graph tests: a built db with a hand-made response round whose answers are known by hand."""

from __future__ import annotations

import pytest

from kb.graph.store import write_graph_tables

ROUND = 2099
A, B, C, D = "miljokontoret", "stadsbyggnad", "kommunstyrelseforvaltningen", "kultur-och-fritidsforvaltningen"
COLLABORATIONS = [
    (A, "natverk", "informationsutbyte"),
    (A, "natverk", "kunskapsutbyte"),
    (B, "natverk", "informationsutbyte"),
    (B, "idrottsforening", "avtal-kontrakt"),
    (C, "socialt-foretag", "avtal-kontrakt"),
    (C, "natverk", "avtal-kontrakt"),
    (D, "idrottsforening", "samarrangemang-av-aktivitet-event"),
    (D, "kulturforening", "samarrangemang-av-aktivitet-event"),
    (D, "socialt-foretag", "dialog-enstaka-tillfalle"),
]
GOALS = [
    (A, "klimat"),
    (A, "cirkular-ekonomi"),
    (B, "klimat"),
    (C, "sysselsattning-for-alla"),
    (D, "manskliga-rattigheter-och-demokrati"),
    (D, "goda-livsmiljoer"),
]


def add_round(db, round_=ROUND, departments=(A, B, C, D), collaborations=COLLABORATIONS, goals=GOALS):
    """Insert a response round into a built db (sqlite_utils.Database)."""
    if "fixture" not in {r["id"] for r in db["sources"].rows}:
        db["sources"].insert({"id": "fixture", "kind": "test", "title": "hand-made fixture"})
    db["rounds"].insert({"round": round_, "title": "fixture", "departments": len(departments), "source_id": "fixture"})
    db["responses"].insert_all(
        {"round": round_, "department_id": d, "respondents": 1, "source_id": "fixture"} for d in departments
    )
    db["collaborations"].insert_all(
        {"round": round_, "department_id": d, "category_id": c, "form_id": f, "source_id": "fixture"}
        for d, c, f in collaborations
    )
    db["department_goal_areas"].insert_all(
        {"round": round_, "department_id": d, "goal_area_id": g, "source_id": "fixture"} for d, g in goals
    )


def add_forums(db):
    """A forum registry as the publishing helper's tables will hold it."""
    db["forums"].insert({"id": "samverkansradet", "name": "Samverkansrådet", "kind": "rad", "source_id": "fixture",
                          "position": 1, "status": "aktivt"})
    db["forum_departments"].insert_all({"forum_id": "samverkansradet", "department_id": d} for d in (A, D))
    db["forum_categories"].insert_all(
        {"forum_id": "samverkansradet", "category_id": c} for c in ("natverk", "idrottsforening")
    )
    db["forum_goal_areas"].insert({"forum_id": "samverkansradet", "goal_area_id": "klimat"})


def add_codings(db):
    """Themes and codings as the coding helper's tables hold them (replacing any), on four difficulty statements."""
    db.conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS themes (id TEXT PRIMARY KEY, kind TEXT, label TEXT, parent TEXT,
                                           is_group INTEGER, position INTEGER);
        CREATE TABLE IF NOT EXISTS theme_development_areas (theme_id TEXT, development_area_id TEXT);
        CREATE TABLE IF NOT EXISTS codings (id TEXT PRIMARY KEY, statement_id TEXT, theme_id TEXT,
                                            negated INTEGER, coder TEXT, status TEXT);
        DELETE FROM themes;
        DELETE FROM theme_development_areas;
        DELETE FROM codings;
        """
    )
    db["themes"].insert_all(
        [
            {"id": "tid", "kind": "svarighet", "label": "Tid", "is_group": 0, "position": 1},
            {"id": "forum", "kind": "svarighet", "label": "Forum", "is_group": 0, "position": 2},
            {"id": "resurser", "kind": "svarighet", "label": "Resurser", "is_group": 0, "position": 3},
            {"id": "sekretess", "kind": "svarighet", "label": "Sekretess", "is_group": 0, "position": 4},
            {"id": "kunskap", "kind": "positivt", "label": "Kunskap", "is_group": 0, "position": 5},
            {"id": "resursfragor", "kind": "svarighet", "label": "Resursfrågor", "is_group": 1, "position": 6},
        ]
    )
    db["theme_development_areas"].insert(
        {"theme_id": "forum", "development_area_id": "karta-over-befintliga-samverkansforum"}
    )
    db["statements"].insert_all(
        {"id": f"s{i}", "round": ROUND, "kind": "svarighet", "text": f"svar {i}", "position": i,
         "source_id": "fixture"}
        for i in range(1, 5)
    )
    codings = [
        ("c1", "s1", "tid", 0, "forslag"),
        ("c2", "s2", "tid", 0, "accepterad"),
        ("c3", "s3", "forum", 0, "forslag"),
        ("c4", "s4", "resurser", 0, "avvisad"),
        ("c5", "s4", "sekretess", 1, "forslag"),
        ("c6", "s1", "kunskap", 0, "forslag"),
    ]
    db["codings"].insert_all(
        {"id": i, "statement_id": s, "theme_id": t, "negated": n, "coder": "regel:x", "status": st}
        for i, s, t, n, st in codings
    )


def clear_registry_and_codings(db):
    """Empty the forum registry and the coding tables the build fills, so answers can be known by hand."""
    for table in ("forum_departments", "forum_categories", "forum_goal_areas", "forum_forms", "forums",
                  "codings", "theme_development_areas", "themes"):
        if db[table].exists():
            db.execute(f"DELETE FROM [{table}]")
    db.conn.commit()


@pytest.fixture
def fixture_db(built_db):
    """The built db plus round 2099 (four departments), graph tables written."""
    clear_registry_and_codings(built_db)
    add_round(built_db)
    write_graph_tables(built_db)
    return built_db


@pytest.fixture
def full_fixture_db(built_db):
    """Round 2099 with a forum registry and coded difficulty themes."""
    clear_registry_and_codings(built_db)
    add_round(built_db)
    add_forums(built_db)
    add_codings(built_db)
    write_graph_tables(built_db)
    return built_db


@pytest.fixture(scope="session")
def graph_db_path(built_db_path, tmp_path_factory):
    """The repository's build (2022 responses) with the graph tables written, shared read-only."""
    from kb.core.db import open_db

    path = tmp_path_factory.mktemp("graph") / "graph.db"
    path.write_bytes(built_db_path.read_bytes())
    db = open_db(path)
    write_graph_tables(db)
    db.close()
    return path
