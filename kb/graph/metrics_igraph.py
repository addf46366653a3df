"""The igraph backend of kb.graph.metrics: exact two-mode betweenness and closeness, and Leiden communities.

Optional (``pip install samverkan-kb[fast]``, package ``igraph``): kb.graph.metrics dispatches here when asked to,
or on graphs large enough that NetworkX would sample. igraph is imported only inside the functions, so this
module can be imported (and ``available`` asked) without it. The measures are defined exactly as on the
NetworkX path and tested against it: betweenness counts each unordered pair once (NetworkX's
``normalized=False`` on an undirected graph), closeness is ``bipartite.closeness_centrality`` with its
component correction, and Leiden (Traag, Waltman & van Eck 2019) optimises the same weighted modularity
(Newman 2006) that Louvain does, from a seeded random number generator.
"""

from __future__ import annotations

import importlib.util
import math
import random
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

INSTALL_HINT = "igraph is not installed: pip install 'samverkan-kb[fast]' (or 'igraph>=0.11,<2')"


def available() -> bool:
    """True when the ``igraph`` package can be imported."""
    return importlib.util.find_spec("igraph") is not None


def _igraph() -> Any:
    try:
        import igraph
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError(INSTALL_HINT) from error
    return igraph


def to_igraph(graph: nx.Graph, weight: str | None = None) -> tuple[Any, list[Hashable]]:
    """An undirected igraph copy of a NetworkX graph and its node order (vertex i is ``nodes[i]``)."""
    ig = _igraph()
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges()]
    converted = ig.Graph(n=len(nodes), edges=edges, directed=False)
    if weight is not None:
        converted.es["weight"] = [float(d.get(weight, 1)) for _, _, d in graph.edges(data=True)]
    return converted, nodes


def betweenness(graph: nx.Graph) -> dict[Hashable, float]:
    """Exact unnormalised, unweighted betweenness of every node (each unordered pair counted once)."""
    converted, nodes = to_igraph(graph)
    return dict(zip(nodes, converted.betweenness(directed=False), strict=True))


def bipartite_closeness(graph: nx.Graph, top: Iterable[Hashable]) -> dict[Hashable, float]:
    """Two-mode closeness as ``networkx.algorithms.bipartite.closeness_centrality`` (normalized=True).

    A top node's closeness is (m + 2(n - 1)) / (sum of distances to the nodes it reaches), times the share of
    the other nodes it reaches (reached / (N - 1)); bottom nodes likewise with n and m swapped; 0 when
    it reaches nothing.
    """
    converted, nodes = to_igraph(graph)
    return _bipartite_closeness(converted, nodes, set(top))


def two_mode_exact(graph: nx.Graph, top: Iterable[Hashable]) -> tuple[dict[Hashable, float], dict[Hashable, float]]:
    """(unnormalised betweenness, two-mode closeness) of every node, from one conversion."""
    converted, nodes = to_igraph(graph)
    raw = dict(zip(nodes, converted.betweenness(directed=False), strict=True))
    return raw, _bipartite_closeness(converted, nodes, set(top))


def _bipartite_closeness(converted: Any, nodes: list[Hashable], top: set[Hashable]) -> dict[Hashable, float]:
    n = sum(1 for v in nodes if v in top)
    m = len(nodes) - n
    size = len(nodes)
    component = converted.connected_components().membership
    component_size: dict[int, int] = {}
    for c in component:
        component_size[c] = component_size.get(c, 0) + 1
    inverse_sums = converted.closeness(normalized=False)  # 1 / sum of distances to reachable nodes
    result = {}
    for i, v in enumerate(nodes):
        inverse, reached = inverse_sums[i], component_size[component[i]] - 1
        if reached == 0 or size < 2 or inverse is None or math.isnan(inverse) or inverse <= 0:
            result[v] = 0.0
            continue
        numerator = (m + 2 * (n - 1)) if v in top else (n + 2 * (m - 1))
        result[v] = numerator * inverse * reached / (size - 1)
    return result


def leiden_membership(
    graph: nx.Graph, *, weight: str | None = "weight", seed: int = 42, n_iterations: int = -1
) -> tuple[list[set[Hashable]], float]:
    """Leiden communities maximising weighted modularity, from a generator seeded with ``seed``.

    Returns the communities as node sets and their modularity (igraph's, the same definition as
    ``networkx.community.modularity``). ``n_iterations=-1`` iterates until the partition is stable.
    """
    converted, nodes = to_igraph(graph, weight)
    membership, modularity = leiden(converted, weighted=weight is not None, seed=seed, n_iterations=n_iterations)
    found: dict[int, set[Hashable]] = {}
    for i, c in enumerate(membership):
        found.setdefault(c, set()).add(nodes[i])
    return list(found.values()), modularity


def leiden(converted: Any, *, weighted: bool = True, seed: int = 42, n_iterations: int = -1) -> tuple[list[int], float]:
    """Seeded Leiden (modularity objective) on an igraph graph: (membership per vertex, modularity).

    Weights are the edge attribute ``weight`` when ``weighted``. igraph's generator is replaced by
    ``random.Random(seed)`` for the call and set back to the ``random`` module (its default) after, so the
    result depends on the seed only and the global ``random`` state is left untouched.
    """
    ig = _igraph()
    weights = "weight" if weighted else None
    ig.set_random_number_generator(random.Random(seed))
    try:
        clustering = converted.community_leiden(
            objective_function="modularity", weights=weights, n_iterations=n_iterations
        )
    finally:
        ig.set_random_number_generator(random)
    return clustering.membership, converted.modularity(clustering.membership, weights=weights)
