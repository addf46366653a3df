"""Network measures against hand computations and NetworkX's reference implementations."""

import math

import networkx as nx
import pytest
from networkx.algorithms import bipartite

from kb.graph.incidence import build_graph, node_id
from kb.graph.metrics import (
    department_projection,
    diversity,
    freeman_centralization,
    graph_metrics,
    node_metrics,
    one_mode_centralization,
    structural_holes,
    two_mode,
    two_mode_centralities,
    two_mode_degree_centralization,
    two_mode_density,
)
from kb.graph.store import read_round

from .conftest import ROUND, A, B, C, D


@pytest.fixture
def graph(fixture_db):
    return build_graph(read_round(fixture_db, ROUND))


def test_freeman_centralization_star_and_complete():
    for measure in ("degree", "betweenness", "closeness"):
        assert one_mode_centralization(nx.star_graph(5), measure) == pytest.approx(1.0)
        assert one_mode_centralization(nx.complete_graph(6), measure) == pytest.approx(0.0)
    # degree on a path of 4: degrees 1,2,2,1 -> normalised 1/3,2/3,2/3,1/3; sum(max - c) = 2/3; star max = 2
    assert one_mode_centralization(nx.path_graph(4), "degree") == pytest.approx((2 / 3) / 2)
    assert freeman_centralization([], 1) is None


def test_two_mode_measures_by_hand(graph):
    # 4 departments x 15 categories, 8 department-category ties
    assert two_mode_density(graph, "department", "category") == pytest.approx(8 / 60)
    cent = two_mode_degree_centralization(graph, "department", "category")
    # department degrees / 15: A 1, B 2, C 2, D 3 -> sum(3 - d) / 15 = 4/15, over 4 - 1
    assert cent["department"] == pytest.approx((4 / 15) / 3)
    # categories: natverk 3, idrott 2, socialt 2, kultur 1, 11 zeros: sum(3 - d) = 0+1+1+2+33 = 37, /4, over 14
    assert cent["category"] == pytest.approx((37 / 4) / 14)


def test_two_mode_centralities_match_networkx(graph):
    sub = two_mode(graph, "department", "category")
    depts = [n for n in sub if n.startswith("department:")]
    ours = two_mode_centralities(graph, "department", "category")
    ref_b = bipartite.betweenness_centrality(sub, depts)
    ref_c = bipartite.closeness_centrality(sub, depts)
    ref_d = bipartite.degree_centrality(sub, depts)
    for v in sub:
        assert ours[v]["betweenness"] == pytest.approx(ref_b[v])
        assert ours[v]["closeness"] == pytest.approx(ref_c[v])
        assert ours[v]["degree"] == pytest.approx(ref_d[v])
    # sampled betweenness (large graphs) is normalised the same way
    sampled = two_mode_centralities(graph, "department", "category", exact_limit=1, sample=len(sub), backend="networkx")
    assert sampled[node_id("category", "natverk")]["betweenness"] == pytest.approx(
        ref_b[node_id("category", "natverk")])


def test_diversity():
    gini, shannon = diversity([1, 1])
    assert gini == pytest.approx(0.5) and shannon == pytest.approx(math.log(2))
    assert diversity([5]) == (0.0, 0.0)
    assert diversity([]) == (None, None)


def test_projection_and_structural_holes(graph):
    projection = department_projection(graph)
    # shared categories: A-B natverk, A-C natverk, B-C natverk, B-D idrott, C-D socialt
    dept = lambda d: node_id("department", d)  # noqa: E731
    assert projection[dept(A)][dept(B)]["weight"] == 1
    assert projection[dept(C)][dept(D)]["weight"] == 1
    assert not projection.has_edge(dept(A), dept(D))
    holes = structural_holes(projection)
    per_node = {v: nx.constraint(projection, [v], weight="weight")[v] for v in projection}
    per_size = {v: nx.effective_size(projection, [v], weight="weight")[v] for v in projection}
    for v in projection:
        assert holes[v]["constraint"] == pytest.approx(per_node[v])
        assert holes[v]["effective_size"] == pytest.approx(per_size[v])
    # A's two contacts B and C are tied to each other: effective size 2 - 2*(1/2) = 1
    assert holes[dept(A)]["effective_size"] == pytest.approx(1.0)


def test_node_and_graph_metrics(graph):
    metrics = node_metrics(graph)
    a = metrics[node_id("department", A)]
    assert a["gini_simpson_categories"] == 0 and a["gini_simpson_forms"] == pytest.approx(0.5)
    assert a["community"] >= 1
    again = node_metrics(graph)
    assert {v: m.get("community") for v, m in again.items()} == {v: m.get("community") for v, m in metrics.items()}
    rows = {(r["measure"], r["scope"]): r["value"] for r in graph_metrics(graph)}
    assert rows["two_mode_density", "department-category"] == pytest.approx(8 / 60)
    assert rows["density", "department-projection"] == pytest.approx(5 / 6)


def test_metrics_stored(fixture_db):
    row = next(fixture_db.query(
        "SELECT * FROM graph_nodes WHERE round = ? AND id = ?", [ROUND, node_id("department", D)]))
    assert row["categories"] == 3 and row["goal_areas"] == 2
    assert row["two_mode_degree"] == pytest.approx(3 / 15)
    assert row["constraint"] is not None and row["effective_size"] is not None
    assert fixture_db.execute("SELECT COUNT(*) FROM graph_edges WHERE round = ?", [ROUND]).fetchone()[0] > 0
    assert B and C  # the fixture's four departments
