"""Both perspectives in one graph: edges, `perspektiv` gaps, theme shares and the commands (issue 12)."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.core.db import open_db
from kb.graph.perspective import CIVIL_SIDE, DEPARTMENT_SIDE, gap_rows

LABELS = {"category": {"idrott": "Idrottsförening", "kultur": "Kulturförening", "etnisk": "Etnisk förening"},
          "department": {"kof": "Kultur- och fritidsförvaltningen", "mk": "Miljökontoret", "sb": "Stadsbyggnad"},
          "form": {"dialog": "Dialog", "avtal": "Avtal/kontrakt"}}


def graph(department_edges, civil_edges, organisations, answered=("kof", "mk")):
    g = nx.MultiDiGraph()
    g.graph.update(answered=set(answered), organisations=organisations)
    for d, c, f in department_edges:
        g.add_edge(f"department:{d}", f"category:{c}", key=f, side=DEPARTMENT_SIDE, form_id=f, weight=1)
    for c, d, f, o in civil_edges:
        g.add_edge(f"category:{c}", f"department:{d}", key=f, side=CIVIL_SIDE, form_id=f, weight=o)
    return g


def test_pairs_one_side_reports_and_the_other_not_with_both_counts():
    g = graph(department_edges=[("kof", "idrott", "dialog"), ("kof", "idrott", "avtal")],
              civil_edges=[("idrott", "kof", "avtal", 3), ("idrott", "mk", "dialog", 2)],
              organisations={"idrott": 4})
    rows = gap_rows(g, LABELS)
    assert [(r["category_id"], r["department_id"], r["form_id"], r["agreement"]) for r in rows] == [
        ("idrott", "kof", "dialog", "bara förvaltningen"),  # 4 / 5
        ("idrott", "mk", "dialog", "bara civilsamhället"),  # 2 / 5
    ]  # (idrott, kof, avtal) is reported by both sides: no gap
    first, second = rows
    assert first["score"] == pytest.approx(4 / 5) and second["score"] == pytest.approx(2 / 5)
    assert (first["department_reports"], first["organisations_reporting"], first["category_organisations"]) == (1, 0, 4)
    assert (second["department_reports"], second["organisations_reporting"]) == (0, 2)
    assert [r["rank"] for r in rows] == [1, 2]
    assert first["explanation"] == ("Kultur- och fritidsförvaltningen anger samverkan med Idrottsförening i formen "
                                    "Dialog, men ingen av de 4 organisationer i kategorin som svarat anger det.")
    assert second["explanation"] == ("2 organisationer av 4 i kategorin Idrottsförening (50 %) anger samverkan med "
                                     "Miljökontoret i formen Dialog, men förvaltningen anger det inte.")


def test_only_pairs_both_sides_could_report_count():
    g = graph(department_edges=[("kof", "etnisk", "dialog")],  # no ethnic association answered
              civil_edges=[("idrott", "sb", "dialog", 5)],  # Stadsbyggnad did not answer the department survey
              organisations={"idrott": 5}, answered=("kof",))
    assert gap_rows(g, LABELS) == []


def test_more_answers_outrank_fewer_and_reconstruction_is_said():
    g = graph(department_edges=[("kof", "idrott", "dialog"), ("kof", "kultur", "dialog")], civil_edges=[],
              organisations={"idrott": 1, "kultur": 9})
    rows = gap_rows(g, LABELS, basis="rekonstruktion")
    assert [r["category_id"] for r in rows] == ["kultur", "idrott"]
    assert all(r["explanation"].endswith("Förvaltningssidan är en rekonstruktion, inte förvaltningarnas faktiska svar.")
               for r in rows)
    assert "ingen av de 1 organisation i" in rows[1]["explanation"]


def test_both_sides_edges_are_in_one_graph_table(civil_db_path):
    db = open_db(civil_db_path)
    sides = dict(db.execute("SELECT side, COUNT(*) FROM perspective_edges WHERE round = 2024 GROUP BY side"))
    assert sides[CIVIL_SIDE] == db.execute("SELECT COUNT(*) FROM civil_edges").fetchone()[0]
    assert sides[DEPARTMENT_SIDE] == db.execute("SELECT COUNT(*) FROM collaborations WHERE round = 2022").fetchone()[0]
    edge = db.execute("SELECT source, target, weight FROM perspective_edges WHERE side = ? AND form_id = "
                      "'dialog-aterkommande-lopande' AND source = 'category:idrottsforening'", [CIVIL_SIDE]).fetchone()
    assert edge == ("category:idrottsforening", "department:kultur-och-fritidsforvaltningen", 6)


def test_the_view_and_the_ranked_gaps_agree(civil_db_path):
    db = open_db(civil_db_path)
    view = set(db.execute("SELECT category_id, department_id, form_id, department_reports, organisations_reporting, "
                          "category_organisations, agreement FROM perspective_pairs WHERE agreement != 'båda'"))
    table = set(db.execute("SELECT category_id, department_id, form_id, department_reports, organisations_reporting, "
                           "category_organisations, agreement FROM perspective_gaps"))
    assert view == table and len(table) > 0
    assert db.execute("SELECT DISTINCT department_round, department_basis FROM perspective_gaps").fetchall() == [
        (2022, "rekonstruktion")]


def test_theme_shares_of_the_synthetic_export(civil_db_path):
    db = open_db(civil_db_path)
    row = db.execute("SELECT civil_organisations, civil_total, department_statements, department_total "
                     "FROM perspective_theme_shares WHERE kind = 'svarighet' AND theme_id = 'kontaktytor'").fetchone()
    # six sports associations write it; 8 organisations (not 9 answers) wrote a difficulty
    total = db.execute("SELECT COUNT(*) FROM statements WHERE round = 2022 AND kind = 'svarighet'").fetchone()[0]
    assert row[:2] == (6, 8) and row[3] == total and row[2] >= 1


def test_theme_shares_count_each_organisation_once():
    import sqlite3

    from kb.graph.perspective import theme_share_rows

    conn = sqlite3.connect(":memory:")
    conn.executescript("""
        CREATE TABLE themes (id, label, kind, is_group, position);
        CREATE TABLE statements (id, round, kind);
        CREATE TABLE coded_themes (statement_id, theme_id);
        CREATE TABLE civil_statements (id, round, kind);
        CREATE TABLE civil_codings (statement_id, theme_id);
        INSERT INTO themes VALUES ('tid', 'Tid', 'svarighet', 0, 1), ('lokaler', 'Lokaler', 'svarighet', 0, 2);
        INSERT INTO statements VALUES ('d1', 2022, 'svarighet'), ('d2', 2022, 'svarighet'), ('d3', 2022, 'svarighet');
        INSERT INTO coded_themes VALUES ('d1', 'tid'), ('d2', 'tid');
        INSERT INTO civil_statements VALUES ('c1', 2024, 'svarighet'), ('c2', 2024, 'svarighet'),
                                            ('c3', 2024, 'svarighet');
        INSERT INTO civil_codings VALUES ('c1', 'tid'), ('c2', 'tid'), ('c3', 'lokaler');
    """)
    owners = {"c1": ("idrott", "a"), "c2": ("idrott", "a"), "c3": ("idrott", "b")}  # a answered twice
    rows = {r["theme_id"]: r for r in theme_share_rows(conn, 2024, 2022, owners)}
    assert (rows["tid"]["civil_organisations"], rows["tid"]["civil_total"]) == (1, 2)
    assert rows["tid"]["civil_share"] == pytest.approx(0.5)
    assert (rows["tid"]["department_statements"], rows["tid"]["department_total"]) == (2, 3)
    assert rows["tid"]["difference"] == pytest.approx(0.5 - 2 / 3)
    assert (rows["lokaler"]["civil_organisations"], rows["lokaler"]["department_statements"]) == (1, 0)


def test_kb_gaps_type_perspektiv(civil_db_path):
    result = CliRunner().invoke(cli, ["gaps", "--type", "perspektiv", "--db", str(civil_db_path), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "civilsamhällets svar 2024 mot förvaltningarnas svar 2022" in result.output
    assert "rekonstruktion" in result.output
    assert result.output.count("  poäng ") == 3  # three gaps
    as_json = CliRunner().invoke(cli, ["gaps", "--type", "perspektiv", "--db", str(civil_db_path), "--format", "json",
                                       "--category", "Pensionärsförening"])
    rows = json.loads(as_json.output)
    assert rows and {r["category_id"] for r in rows} == {"pensionarsforening"}
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def test_kb_gaps_perspektiv_without_civil_answers_says_so(built_db_path):
    result = CliRunner().invoke(cli, ["gaps", "--type", "perspektiv", "--db", str(built_db_path)])
    assert result.exit_code == 0
    assert "inga svar från civilsamhället" in result.output and "--side civilsamhalle" in result.output


def test_kb_gaps_perspektiv_unknown_round_is_refused(civil_db_path):
    result = CliRunner().invoke(cli, ["gaps", "--type", "perspektiv", "--round", "2019", "--db", str(civil_db_path)])
    assert result.exit_code == 2 and "2024" in result.output


def test_kb_perspective_sets_theme_shares_side_by_side(civil_db_path):
    result = CliRunner().invoke(cli, ["perspective", "--db", str(civil_db_path)])
    assert result.exit_code == 0, result.output
    assert "förvaltningarna" in result.output and "civilsamhället" in result.output
    line = next(x for x in result.output.splitlines() if "Hitta rätt, kontaktytor" in x)
    assert "6 av 8 (75 %)" in line


def test_the_default_build_has_empty_civil_tables(built_db):
    for table in ("civil_answers", "civil_edges", "civil_statements", "perspective_gaps", "perspective_edges",
                  "perspective_theme_shares"):
        assert built_db[table].count == 0, table
    assert not built_db.execute("SELECT 1 FROM sources WHERE id LIKE 'enkat-civilsamhalle-%'").fetchall()


def test_a_civil_round_before_any_department_round_has_nothing_to_compare(tmp_path):
    import shutil

    from kb.core.paths import INGEST_DIR
    from kb.pipeline import ingest_civil_forms

    exports = tmp_path / "data"
    shutil.copytree(INGEST_DIR / "data" / "2022", exports / "2022")
    db_path = tmp_path / "early.db"
    synthetic = INGEST_DIR.parent / "tests" / "data" / "civilsamhalle-syntetisk-2024.csv"
    ingest_civil_forms(synthetic, 2020, db_path, exports)
    db = open_db(db_path)
    assert db.execute("SELECT round, department_round FROM perspective_rounds").fetchall() == [(2020, None)]
    assert db["perspective_gaps"].count == 0 and db.execute("SELECT COUNT(*) FROM perspective_pairs").fetchone() == (0,)
    result = CliRunner().invoke(cli, ["gaps", "--type", "perspektiv", "--db", str(db_path)])
    assert "ingen omgång med förvaltningarnas svar" in result.output
