"""Graph construction on the hand-made fixture, and breadth equal to the report views."""

import random

import pytest

from kb.graph.incidence import breadth, build_graph, node_id
from kb.graph.store import read_breadth, read_round

from .conftest import ROUND, A, B, C, D, add_round

VIEWS = {
    "department": ("diagram1_department_overview", "department_id", ("categories", "forms", "reported_forms")),
    "category": (
        "table3_average_per_category", "category_id", ("departments", "forms", "reported_forms", "average_all"),
    ),
    "form": ("table5_reports_per_form", "form_id", ("reported",)),
    "goal": ("table6_departments_per_goal_area", "goal_area_id", ("departments",)),
}
ORDER_VIEWS = {
    "department": "diagram1_department_overview",
    "category": "table1_departments_per_category",
    "form": "table5_reports_per_form",
    "goal": "table6_departments_per_goal_area",
}


def test_nodes_and_edges_are_typed_and_weighted(fixture_db):
    graph = build_graph(read_round(fixture_db, ROUND))
    kinds = {k for _, k in graph.nodes(data="kind")}
    assert {"department", "category", "form", "goal_area", "development_area"} <= kinds
    assert len([n for n, k in graph.nodes(data="kind") if k == "department"]) == 4
    assert len([n for n, k in graph.nodes(data="kind") if k == "category"]) == 15
    # Miljökontoret works with Nätverk in two forms
    edge = graph[node_id("department", A)][node_id("category", "natverk")]
    assert (edge["kind"], edge["weight"]) == ("department-category", 2)
    # Avtal/kontrakt is used with Nätverk by one department, Informationsutbyte by two
    assert graph[node_id("category", "natverk")][node_id("form", "avtal-kontrakt")]["weight"] == 1
    assert graph[node_id("category", "natverk")][node_id("form", "informationsutbyte")]["weight"] == 2
    assert graph[node_id("department", C)][node_id("form", "avtal-kontrakt")]["weight"] == 2
    assert graph[node_id("department", D)][node_id("goal_area", "goda-livsmiljoer")]["kind"] == "department-goal_area"
    # no category-goal edge: that link is only ever inferred through departments
    assert not any(d["kind"] == "category-goal_area" for _, _, d in graph.edges(data=True))
    assert graph.nodes[node_id("form", "avtal-kontrakt")]["ladder_step"] == "partnerskap"


def test_breadth_by_hand(fixture_db):
    result = breadth(build_graph(read_round(fixture_db, ROUND)))
    dept = {r["department_id"]: r for r in result["department"]}
    assert (dept[A]["categories"], dept[A]["forms"], dept[A]["reported_forms"], dept[A]["goal_areas"]) == (1, 2, 2, 2)
    assert (dept[D]["categories"], dept[D]["forms"], dept[D]["reported_forms"], dept[D]["goal_areas"]) == (3, 2, 3, 2)
    cat = {r["category_id"]: r for r in result["category"]}
    assert (cat["natverk"]["departments"], cat["natverk"]["forms"], cat["natverk"]["reported_forms"]) == (3, 3, 4)
    assert cat["natverk"]["average_all"] == 1.0 and cat["natverk"]["average_collaborating"] == 1.3
    # Nätverk: informationsutbyte x2 (information), kunskapsutbyte (dialog), avtal (partnerskap)
    assert cat["natverk"]["ladder_information"] == 0.5 and cat["natverk"]["ladder_dialog"] == 0.25
    assert cat["natverk"]["ladder_mean_level"] == pytest.approx((1 + 1 + 3 + 4) / 4)
    assert cat["socialt-foretag"]["ladder_partnerskap"] == 0.5
    assert cat["pensionarsforening"]["average_collaborating"] is None
    forms = {r["form_id"]: r["reported"] for r in result["form"]}
    assert forms["avtal-kontrakt"] == 3 and forms["samarrangemang-av-aktivitet-event"] == 2
    goals = {r["goal_area_id"]: r["departments"] for r in result["goal"]}
    assert goals["klimat"] == 2 and goals["livsmedelsforsorjning"] == 0


def _assert_equal_to_views(db, round_):
    result = breadth(build_graph(read_round(db, round_)))
    for by, (view, key, columns) in VIEWS.items():
        expected = {r[key]: r for r in db.query(f"SELECT * FROM {view} WHERE round = ?", [round_])}
        got = result[by]
        assert sorted(r[key] for r in got) == sorted(expected)
        for g in got:
            e = expected[g[key]]
            assert {c: g[c] for c in columns} == {c: e[c] for c in columns}, (by, g[key])
        order_view = ORDER_VIEWS[by]
        order = [r[key] for r in db.query(f"SELECT {key} FROM {order_view} WHERE round = ?", [round_])]
        assert [r[key] for r in got] == order, f"{by}: order differs from {order_view}"
    t4 = {r["category_id"]: r["average_collaborating"] for r in db.query(
        "SELECT * FROM table4_average_per_collaborating WHERE round = ?", [round_])}
    assert {r["category_id"]: r["average_collaborating"] for r in result["category"]} == t4
    t2 = [r["category_id"] for r in db.query("SELECT * FROM table2_forms_per_category WHERE round = ?", [round_])]
    assert sorted(t2) == sorted(r["category_id"] for r in result["category"])


def test_breadth_equals_views_on_fixture(fixture_db):
    _assert_equal_to_views(fixture_db, ROUND)


def test_breadth_equals_views_on_random_round(built_db):
    rng = random.Random(7)
    departments = [r["id"] for r in built_db["departments"].rows]
    categories = [r["id"] for r in built_db["categories"].rows]
    forms = [r["id"] for r in built_db["forms"].rows]
    goals = [r["id"] for r in built_db["goal_areas"].rows]
    collaborations = {(d, c, f) for d in departments for c in categories for f in forms if rng.random() < 0.2}
    goal_rows = {(d, g) for d in departments for g in goals if rng.random() < 0.4}
    add_round(built_db, 2098, departments, sorted(collaborations), sorted(goal_rows))
    _assert_equal_to_views(built_db, 2098)


def test_breadth_equals_views_on_2022(built_db):
    rounds = [r[0] for r in built_db.execute("SELECT DISTINCT round FROM responses")]
    assert 2022 in rounds, "the build has no 2022 response rows"
    _assert_equal_to_views(built_db, 2022)


def test_stored_breadth_equals_plain_counts(fixture_db):
    """Stored breadth against counts made here in plain SQL on the collaboration rows, not by breadth()."""
    expected = {r[0]: (r[1], r[2]) for r in fixture_db.execute(
        "SELECT c.id, COUNT(DISTINCT k.department_id), COUNT(k.department_id) FROM categories c "
        "LEFT JOIN collaborations k ON k.category_id = c.id AND k.round = ? GROUP BY c.id", [ROUND])}
    stored = read_breadth(fixture_db.conn, ROUND, "category")
    assert {r["category_id"]: (r["departments"], r["reported_forms"]) for r in stored} == expected
    assert expected["natverk"] == (3, 4)  # the fixture by eye: A, B, C; four rows
    goals = read_breadth(fixture_db.conn, ROUND, "goal")
    assert [r["goal_area_id"] for r in goals][:2] == ["klimat", "manskliga-rattigheter-och-demokrati"]
    assert {r["department_id"] for r in read_breadth(fixture_db.conn, ROUND, "department")} == {A, B, C, D}
