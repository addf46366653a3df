"""Network measures against values worked out by hand (in the comments) on small graphs."""

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

from .conftest import COLLABORATIONS, ROUND, A, B, C, D


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


def test_two_mode_betweenness_matches_networkx_bipartite(graph):
    sub = two_mode(graph, "department", "category")
    depts = [n for n in sub if n.startswith("department:")]
    ours = two_mode_centralities(graph, "department", "category")
    ref_b = bipartite.betweenness_centrality(sub, depts)
    # betweenness is a real cross-check: kb normalises raw nx.betweenness_centrality by Borgatti & Halgin's
    # maxima itself, bipartite.betweenness_centrality is a separate implementation. Degree and closeness
    # (which kb takes from bipartite) are checked by hand in test_two_mode_centralities_by_hand_on_a_path.
    for v in sub:
        assert ours[v]["betweenness"] == pytest.approx(ref_b[v])
    assert ours[node_id("department", D)]["degree"] == pytest.approx(3 / 15)  # D works with 3 of 15 categories
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
    # Burt (1992) worked out by hand, independently of NetworkX. Projection: A-B, A-C, B-C, B-D, C-D, all
    # weight 1, so p_ij = 1/deg(i): deg A = D = 2, deg B = C = 3.
    # constraint c_i = sum_j (p_ij + sum_q p_iq p_qj)^2
    #   A: j=B: 1/2 + p_AC p_CB = 1/2 + 1/6 = 2/3; j=C the same -> 2 * 4/9 = 8/9; D is A's mirror image.
    #   B: j=A: 1/3 + p_BC p_CA = 1/3 + 1/9 = 4/9; j=C: 1/3 + p_BA p_AC + p_BD p_DC = 1/3 + 1/6 + 1/6 = 2/3;
    #      j=D: 1/3 + p_BC p_CD = 4/9 -> 16/81 + 36/81 + 16/81 = 68/81; C is B's mirror image.
    # effective size = sum_j (1 - sum_q p_iq m_jq), m_jq = 1 for a tie (all weights equal):
    #   A: B is tied to C, C to B -> (1 - 1/2) * 2 = 1.  B: A tied to C (1 - 1/3), C tied to A and D
    #   (1 - 2/3), D tied to C (1 - 1/3) -> 5/3 (Borgatti's n - 2t/n = 3 - 4/3 agrees).
    expected = {A: (8 / 9, 1.0), B: (68 / 81, 5 / 3), C: (68 / 81, 5 / 3), D: (8 / 9, 1.0)}
    for d, (constraint, size) in expected.items():
        assert holes[dept(d)]["constraint"] == pytest.approx(constraint)
        assert holes[dept(d)]["effective_size"] == pytest.approx(size)


def test_two_mode_centralities_by_hand_on_a_path():
    """Degree, closeness and betweenness on the path a1 - b1 - a2 - b2, worked out by hand.

    Two-mode closeness (Borgatti & Everett 1997): (n_other + 2 n_own - 2) / sum of distances = 4 / total.
    a1: distances 1, 2, 3 -> 4/6; a2: 1, 1, 2 -> 1; b1: 1, 1, 2 -> 1; b2: 1, 2, 3 -> 4/6.
    Betweenness: a2 lies on a1-b2 and b1-b2 (2 pairs), b1 on a1-a2 and a1-b2 (2); the two-mode maximum for
    2 x 2 is 2, so both are 1.0 and the ends 0. Degree = ties / size of the other mode (2).
    """
    g = nx.Graph()
    for i, n in enumerate(("a1", "a2")):
        g.add_node(node_id("department", n), kind="department", position=i)
    for i, n in enumerate(("b1", "b2")):
        g.add_node(node_id("category", n), kind="category", position=i)
    for u, v in (("a1", "b1"), ("a2", "b1"), ("a2", "b2")):
        g.add_edge(node_id("department", u), node_id("category", v), kind="department-category", weight=1)
    got = two_mode_centralities(g, "department", "category", backend="networkx")
    expected = {"a1": (0.5, 4 / 6, 0.0), "a2": (1.0, 1.0, 1.0)}
    expected_b = {"b1": (1.0, 1.0, 1.0), "b2": (0.5, 4 / 6, 0.0)}
    for name, (deg, clo, btw) in expected.items():
        m = got[node_id("department", name)]
        assert (m["degree"], m["closeness"], m["betweenness"]) == pytest.approx((deg, clo, btw))
    for name, (deg, clo, btw) in expected_b.items():
        m = got[node_id("category", name)]
        assert (m["degree"], m["closeness"], m["betweenness"]) == pytest.approx((deg, clo, btw))


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
    # D's constraint and effective size worked out by hand in test_projection_and_structural_holes
    assert row["constraint"] == pytest.approx(8 / 9) and row["effective_size"] == pytest.approx(1.0)
    # 9 collaboration rows: 8 distinct department-category ties, counted independently of the writer
    ties = {(d, c) for d, c, _ in COLLABORATIONS}
    stored = {(r[0], r[1]) for r in fixture_db.execute(
        "SELECT source, target FROM graph_edges WHERE round = ? AND kind = 'department-category'", [ROUND])}
    assert stored == {(node_id("department", d), node_id("category", c)) for d, c in ties}


def test_graph_metrics_every_row_by_hand(graph):
    """Every graph-level row on the fixture (4 departments; 15 categories, 14 forms, 17 goal areas).

    Ties: department-category 8, department-form 7 (A info+kunskap, B info+avtal, C avtal, D samarr+dialog),
    department-goal 6 (A 2, B 1, C 1, D 2). Degree centralisation within a mode: sum(max - d/n_other) / (n - 1).
    Projection (A-B, A-C, B-C, B-D, C-D): density 5/6; Freeman on it, denominators from the 4-star:
      degree: 2/3, 1, 1, 2/3 -> sum(max - c) = 2/3; star 3 * 2/3 = 2 -> 1/3
      betweenness: B and C each on half of A-D's two paths -> 1/2 / 3 pairs = 1/6; A, D 0 -> 1/3 over 3 -> 1/9
      closeness: A, D 3/4, B, C 1 -> 1/2; star leaves 3/5, centre 1 -> 6/5 -> 5/12
    """
    rows = {(r["measure"], r["scope"]): r["value"] for r in graph_metrics(graph, backend="networkx")}
    expected = {
        ("two_mode_density", "department-category"): 8 / 60,
        ("two_mode_density", "department-form"): 7 / 56,
        ("two_mode_density", "department-goal_area"): 6 / 68,
        ("two_mode_degree_centralization", "department-category/department"): (4 / 15) / 3,
        ("two_mode_degree_centralization", "department-category/category"): (37 / 4) / 14,
        ("two_mode_degree_centralization", "department-form/department"): (1 / 14) / 3,
        ("two_mode_degree_centralization", "department-form/form"): 5.25 / 13,
        ("two_mode_degree_centralization", "department-goal_area/department"): (2 / 17) / 3,
        ("two_mode_degree_centralization", "department-goal_area/goal_area"): 7 / 16,
        ("density", "department-projection"): 5 / 6,
        ("freeman_degree_centralization", "department-projection"): 1 / 3,
        ("freeman_betweenness_centralization", "department-projection"): 1 / 9,
        ("freeman_closeness_centralization", "department-projection"): 5 / 12,
    }
    for key, value in expected.items():
        assert rows[key] == pytest.approx(value), key
    assert set(rows) == set(expected) | {("louvain_modularity", "department-projection")}
    assert -0.5 <= rows["louvain_modularity", "department-projection"] <= 1


def test_node_metrics_by_mode_and_portfolio(graph):
    metrics = node_metrics(graph, backend="networkx")
    dept = lambda d: metrics[node_id("department", d)]  # noqa: E731
    # a department's two-mode measures come from the department-category graph only: A works with 1 of 15
    assert dept(A)["two_mode_degree"] == pytest.approx(1 / 15)
    assert metrics[node_id("form", "informationsutbyte")]["two_mode_degree"] == pytest.approx(2 / 4)
    assert metrics[node_id("goal_area", "klimat")]["two_mode_degree"] == pytest.approx(2 / 4)
    # D: three categories once each -> Gini-Simpson 2/3, Shannon ln 3; A: two forms once each -> ln 2
    assert dept(D)["gini_simpson_categories"] == pytest.approx(2 / 3)
    assert dept(D)["shannon_categories"] == pytest.approx(math.log(3))
    assert dept(A)["shannon_forms"] == pytest.approx(math.log(2)) and dept(A)["shannon_categories"] == 0
    assert (dept(B)["degree"], dept(B)["weighted_degree"]) == (2 + 2 + 1, 2 + 2 + 1)  # 2 categories, 2 forms, 1 goal
    assert dept(B)["constraint"] == pytest.approx(68 / 81)
    numbers = sorted({dept(d)["community"] for d in (A, B, C, D)})
    assert numbers == list(range(1, len(numbers) + 1))  # numbered 1.. without gaps
    sizes = [sum(dept(d)["community"] == n for d in (A, B, C, D)) for n in numbers]
    assert sizes == sorted(sizes, reverse=True)  # 1 is the largest
    # above the projection limit no projection measure is computed
    assert "constraint" not in node_metrics(graph, projection_limit=3, backend="networkx")[node_id("department", A)]


def test_structural_holes_of_an_isolated_node_is_none():
    projection = nx.Graph()
    projection.add_edge("x", "y", weight=2)
    projection.add_node("alone")
    holes = structural_holes(projection)
    assert holes["alone"] == {"constraint": None, "effective_size": None}
    assert holes["x"] == {"constraint": pytest.approx(1.0), "effective_size": pytest.approx(1.0)}  # one contact


def test_betweenness_maximum():
    from kb.graph.metrics import _betweenness_maximum

    # Borgatti & Halgin: n=2 facing m=2 -> 2 (the path by hand above); a star of 1 facing 3 -> C(3, 2) = 3
    assert _betweenness_maximum(2, 2) == 2 and _betweenness_maximum(1, 3) == 3
    # 3 facing 2, by hand: u tied to b1 and b2, a2 to b1, a3 to b2; u lies on b1-b2, a2-b2, a3-b1 and a2-a3
    # = 4; the formula: s, t = divmod(2, 2) = (1, 0) -> (4 * 4 + 2 * 2 * (0 - 1 - 1) - 0) / 2 = 4
    assert _betweenness_maximum(3, 2) == 4


def test_structural_holes_use_the_weights():
    """Triangle x-y weight 2, y-z 1, x-z 1, worked out by hand (Burt 1992; p_ij = w_ij / sum_k w_ik).

    y: p_yx 2/3, p_yz 1/3; x: p_xy 2/3, p_xz 1/3; z: p_zx = p_zy = 1/2.
    constraint(y) = (2/3 + p_yz p_zx)^2 + (1/3 + p_yx p_xz)^2 = (5/6)^2 + (5/9)^2 = 325/324 (unweighted: 8/9).
    effective size(y), m_jq = w_jq / max_k w_jk: j=x: 1 - p_yz m_xz = 1 - 1/3 * 1/2 = 5/6;
    j=z: 1 - p_yx m_zx = 1 - 2/3 * 1 = 1/3 -> 7/6 (unweighted: 1).
    """
    projection = nx.Graph()
    projection.add_weighted_edges_from([("x", "y", 2), ("y", "z", 1), ("x", "z", 1)])
    holes = structural_holes(projection)
    assert holes["y"]["constraint"] == pytest.approx(325 / 324)
    assert holes["y"]["effective_size"] == pytest.approx(7 / 6)


def test_weighted_degree(graph):
    # C: socialt-foretag and natverk (one form each), avtal-kontrakt (two categories), one goal area
    c = node_metrics(graph, backend="networkx")[node_id("department", C)]
    assert (c["degree"], c["weighted_degree"]) == (4, 5)


def test_effective_size_agrees_with_networkx_per_node_path():
    """Second implementation: NetworkX's per-node formula (its all-nodes matrix path is wrong when weighted)."""
    import random

    from kb.graph.metrics import effective_sizes

    rng = random.Random(3)
    g = nx.gnp_random_graph(12, 0.4, seed=3)
    for u, v in g.edges:
        g[u][v]["weight"] = rng.randint(1, 5)
    g.add_node(99)
    ours = effective_sizes(g)
    reference = nx.effective_size(g, nodes=list(g), weight="weight")
    for v in g:
        if v == 99:
            assert math.isnan(ours[v]) and math.isnan(reference[v])
        else:
            assert ours[v] == pytest.approx(reference[v])
