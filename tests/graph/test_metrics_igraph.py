"""The igraph backend against NetworkX on small fixtures and seeded random two-mode graphs."""

from __future__ import annotations

import functools
import random

import networkx as nx
import pytest
from networkx.algorithms import bipartite

from kb.graph import metrics_igraph
from kb.graph.incidence import build_graph, node_id
from kb.graph.metrics import (
    EXACT_LIMIT,
    communities,
    department_projection,
    graph_metrics,
    node_metrics,
    resolve_backend,
    two_mode,
    two_mode_centralities,
)
from kb.graph.store import read_round

from .conftest import ROUND

TOLERANCE = 1e-9
SEEDS = range(12)


@pytest.fixture
def graph(fixture_db) -> nx.Graph:
    return build_graph(read_round(fixture_db, ROUND))


def random_two_mode(seed: int) -> nx.Graph:
    """A typed department x category graph with 3-25 departments, 2-15 categories and random ties.

    Sparse draws leave isolated nodes and several components, dense ones give a connected graph.
    """
    rng = random.Random(seed)
    n, m, p = rng.randint(3, 25), rng.randint(2, 15), rng.choice([0.08, 0.2, 0.5])
    graph = nx.Graph()
    for kind, size in (("department", n), ("category", m)):
        graph.add_nodes_from((node_id(kind, f"{kind[0]}{i:02d}"), {"kind": kind, "position": i}) for i in range(size))
    for i in range(n):
        for j in range(m):
            if rng.random() < p:
                graph.add_edge(node_id("department", f"d{i:02d}"), node_id("category", f"c{j:02d}"),
                               kind="department-category", weight=rng.randint(1, 5))
    return graph


def assert_close(ours: dict, reference: dict) -> None:
    assert ours.keys() == reference.keys()
    for v, value in reference.items():
        assert ours[v] == pytest.approx(value, abs=TOLERANCE, rel=TOLERANCE), v


def test_backend_selection(monkeypatch):
    monkeypatch.delenv("KB_GRAPH_BACKEND", raising=False)
    assert metrics_igraph.available()
    assert resolve_backend(None, EXACT_LIMIT) == "networkx"  # the 2022 build and every small graph
    assert resolve_backend("auto", EXACT_LIMIT + 1) == "igraph"
    assert resolve_backend("networkx", 10**6) == "networkx"
    assert resolve_backend("igraph", 3) == "igraph"
    monkeypatch.setenv("KB_GRAPH_BACKEND", "igraph")
    assert resolve_backend(None, 3) == "igraph"
    assert resolve_backend("networkx", 3) == "networkx"  # the argument wins over the environment
    monkeypatch.setenv("KB_GRAPH_BACKEND", "spark")
    with pytest.raises(ValueError, match="unknown graph backend"):
        resolve_backend(None, 3)
    monkeypatch.delenv("KB_GRAPH_BACKEND")
    monkeypatch.setattr(metrics_igraph, "available", lambda: False)
    assert resolve_backend("auto", 10**6) == "networkx"
    with pytest.raises(ImportError, match="samverkan-kb\\[fast\\]"):
        resolve_backend("igraph", 3)


def test_fixture_centralities_equal_networkx(graph):
    for kind_a, kind_b in (("department", "category"), ("department", "form"), ("department", "goal_area")):
        ours = two_mode_centralities(graph, kind_a, kind_b, backend="igraph")
        reference = two_mode_centralities(graph, kind_a, kind_b, backend="networkx")
        for measure in ("degree", "betweenness", "closeness"):
            assert_close({v: x[measure] for v, x in ours.items()}, {v: x[measure] for v, x in reference.items()})


@pytest.mark.parametrize("seed", SEEDS)
def test_random_two_mode_equal_networkx_references(seed):
    graph = random_two_mode(seed)
    sub = two_mode(graph, "department", "category")
    top = [v for v in sub if v.startswith("department:")]
    assert_close(metrics_igraph.betweenness(sub), nx.betweenness_centrality(sub, normalized=False))
    assert_close(metrics_igraph.bipartite_closeness(sub, top), bipartite.closeness_centrality(sub, top))
    ours = two_mode_centralities(graph, "department", "category", backend="igraph")
    assert_close({v: x["betweenness"] for v, x in ours.items()}, bipartite.betweenness_centrality(sub, top))
    assert_close({v: x["closeness"] for v, x in ours.items()}, bipartite.closeness_centrality(sub, top))


def test_auto_is_exact_where_networkx_samples(graph, monkeypatch):
    monkeypatch.delenv("KB_GRAPH_BACKEND", raising=False)
    exact = two_mode_centralities(graph, "department", "category", backend="networkx")
    sampled = two_mode_centralities(graph, "department", "category", exact_limit=1, sample=3, backend="networkx")
    assert all(x["closeness"] is None for x in sampled.values())
    auto = two_mode_centralities(graph, "department", "category", exact_limit=1)  # igraph: exact at any size
    for measure in ("betweenness", "closeness"):
        assert_close({v: x[measure] for v, x in auto.items()}, {v: x[measure] for v, x in exact.items()})


def test_default_build_stays_on_networkx(graph, monkeypatch):
    monkeypatch.delenv("KB_GRAPH_BACKEND", raising=False)
    assert node_metrics(graph) == node_metrics(graph, backend="networkx")
    rows = graph_metrics(graph)
    assert rows == graph_metrics(graph, backend="networkx")
    assert any(r["measure"] == "louvain_modularity" for r in rows)


def test_igraph_node_and_graph_metrics(graph):
    ours, reference = node_metrics(graph, backend="igraph"), node_metrics(graph, backend="networkx")
    assert ours.keys() == reference.keys()
    for v, values in reference.items():
        for key, value in values.items():
            if key == "community":
                assert ours[v][key] >= 1
            elif isinstance(value, float):
                assert ours[v][key] == pytest.approx(value, abs=TOLERANCE), (v, key)
            else:
                assert ours[v][key] == value, (v, key)
    rows = {r["measure"]: r["value"] for r in graph_metrics(graph, backend="igraph")}
    assert "louvain_modularity" not in rows and rows["leiden_modularity"] is not None


@functools.cache
def projections() -> list[nx.Graph]:
    """Weighted graphs with community structure: department projections, karate club, planted partitions."""
    graphs = [department_projection(random_two_mode(seed)) for seed in SEEDS]
    karate = nx.relabel_nodes(nx.karate_club_graph(), lambda v: f"n{v:02d}")
    graphs.append(karate)
    for seed in (1, 2, 3):
        planted = nx.planted_partition_graph(4, 10, 0.6, 0.05, seed=seed)
        rng = random.Random(seed)
        for u, v in planted.edges():
            planted[u][v]["weight"] = rng.randint(1, 4)
        graphs.append(nx.relabel_nodes(planted, lambda v: f"p{v:02d}"))
    return [g for g in graphs if g.number_of_edges()]


@pytest.mark.parametrize("index", range(len(projections())))
def test_leiden_partition_deterministic_and_comparable_to_louvain(index):
    projection = projections()[index]
    membership, modularity = communities(projection, backend="igraph")
    # a valid partition, numbered 1..k by size
    assert membership.keys() == set(projection)
    numbers = sorted(set(membership.values()))
    assert numbers == list(range(1, len(numbers) + 1))
    sizes = [sum(1 for c in membership.values() if c == k) for k in numbers]
    assert sizes == sorted(sizes, reverse=True)
    groups = [{v for v, c in membership.items() if c == k} for k in numbers]
    reference = nx.community.modularity(projection, groups, weight="weight")
    assert modularity == pytest.approx(reference, abs=TOLERANCE)
    # deterministic for a seed, whatever the global random state
    random.seed(index + 1000)
    assert communities(projection, backend="igraph") == (membership, modularity)
    # as good as seeded Louvain up to a small tolerance
    _, louvain = communities(projection, backend="networkx")
    assert modularity >= louvain - 0.02


def test_leiden_leaves_global_random_alone():
    projection = projections()[-1]
    random.seed(7)
    expected = random.random()
    random.seed(7)
    communities(projection, backend="igraph")
    assert random.random() == expected
