"""Benchmark of the graph at national scale, and of `kb gaps` on the default database.

Generates a synthetic round: 290 municipalities with 7-12 departments each, every department working with
a plausible share of the 15 categories (popular categories more often, as in Table 1), in a few forms each,
and reporting 4-12 of the 17 goal areas. Prints the time of graph build, breadth, gaps (with leave-one-
group-out stability), the researcher measures on the national graph and on the municipality aggregate, the
peak memory, and the wall-clock time of `kb gaps` (interpreter start included). With igraph installed (extra
`fast`) it also times the igraph backend beside NetworkX: exact two-mode betweenness and closeness on the
national department-category graph and on the aggregate, and seeded Leiden against Louvain on the national
graph and (igraph only) on the national department projection. NetworkX's exact betweenness on the national
graph takes minutes: `--networkx-exact` times it.

Targets (issue 5): build + breadth + gaps under 30 s and 2 GiB; `kb gaps` under 0.3 s.
Run: .venv/bin/python bench/bench_graph.py [--municipalities 290] [--seed 1] [--networkx-exact]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readme_figures import report  # noqa: E402

from ingest.graph_data import load_graph_data  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from kb.graph import metrics_igraph  # noqa: E402
from kb.graph.gaps import Incidence, Relevance, compute_gaps  # noqa: E402
from kb.graph.incidence import RoundData, breadth, build_graph, nodes_of  # noqa: E402
from kb.graph.metrics import communities, graph_metrics, node_metrics, two_mode, two_mode_centralities  # noqa: E402

# Share of departments working with each category and reporting each goal area, from Tables 1 and 6 (of 9).
CATEGORY_SHARE = [9, 5, 7, 4, 6, 6, 8, 6, 7, 5, 5, 6, 6, 7, 6]
GOAL_SHARE = [8, 7, 7, 7, 7, 6, 6, 5, 5, 5, 4, 3, 3, 3, 2, 1, 1]


def synthetic_round(municipalities: int, seed: int) -> RoundData:
    """A national-scale RoundData with plausible answers."""
    rng = random.Random(seed)
    ref = load_reference()
    categories = [c["id"] for c in ref.categories]
    forms = [f["id"] for f in ref.forms]
    form_weight = [59, 59, 37, 49, 44, 17, 32, 15, 18, 48, 34, 20, 27, 22]  # Table 5
    goals = [g["id"] for g in ref.goal_areas]
    departments, collaborations, department_goals = [], [], []
    for m in range(municipalities):
        activity = rng.uniform(0.6, 1.2)
        for k in range(rng.randint(7, 12)):
            d = f"kommun-{m:03d}-forvaltning-{k:02d}"
            departments.append((d, f"Kommun {m:03d} förvaltning {k:02d}", len(departments) + 1))
            for c, share in zip(categories, CATEGORY_SHARE, strict=True):
                if rng.random() < min(0.95, share / 9 * activity):
                    for f in set(rng.choices(forms, weights=form_weight, k=rng.randint(1, 8))):
                        collaborations.append((d, c, f))
            for g, share in zip(goals, GOAL_SHARE, strict=True):
                if rng.random() < share / 9:
                    department_goals.append((d, g))
    entities = {
        "department": departments,
        "category": [(c["id"], c["name"], c["position"]) for c in ref.categories],
        "form": [(f["id"], f["name"], f["position"]) for f in ref.forms],
        "goal_area": [(g["id"], g["name"], g["position"]) for g in ref.goal_areas],
    }
    return RoundData(round=2030, round_departments=len(departments), entities=entities,
                     collaborations=collaborations, department_goals=department_goals)


def timed(label: str, results: dict, fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    results[label] = time.perf_counter() - start
    print(f"  {label:<48} {results[label]:7.2f} s", flush=True)
    return value


def municipality_aggregate(data: RoundData):
    """Municipality x category two-mode graph (weight = departments), where exact centralities are cheap."""
    from kb.graph.incidence import build_graph as build

    municipality = {d: d.split("-forvaltning-")[0] for d, _, _ in data.entities["department"]}
    munis = sorted(set(municipality.values()))
    aggregate = RoundData(
        round=data.round, round_departments=len(munis),
        entities={**data.entities, "department": [(m, m, i) for i, m in enumerate(munis, start=1)]},
        collaborations=sorted({(municipality[d], c, f) for d, c, f in data.collaborations}),
        department_goals=sorted({(municipality[d], g) for d, g in data.department_goals}),
    )
    return build(aggregate)


def projection_igraph(graph):
    """The weighted department projection as an igraph graph, through a sparse product (NetworkX's is too slow)."""
    import igraph
    import numpy as np
    from scipy import sparse

    departments, categories = nodes_of(graph, "department"), nodes_of(graph, "category")
    row = {d: i for i, d in enumerate(departments)}
    col = {c: j for j, c in enumerate(categories)}
    ties = [(row[u], col[v]) if u in row else (row[v], col[u])
            for u, v, kind in graph.edges(data="kind") if kind == "department-category"]
    rows, cols = zip(*ties, strict=True)
    incidence = sparse.csr_matrix((np.ones(len(ties)), (rows, cols)), shape=(len(departments), len(categories)))
    shared = sparse.triu(incidence @ incidence.T, k=1).tocoo()
    projection = igraph.Graph(n=len(departments), edges=list(zip(shared.row.tolist(), shared.col.tolist(),
                                                                  strict=True)))
    projection.es["weight"] = shared.data.tolist()
    return projection


def backend_comparison(graph, aggregate, results: dict, networkx_exact: bool) -> None:
    """Time the igraph backend beside NetworkX on the national graph and the municipality aggregate."""
    import networkx as nx

    print("igraph backend beside NetworkX:")
    sub = two_mode(graph, "department", "category")
    print(f"  (national department-category graph: {len(sub)} nodes, {sub.number_of_edges()} edges)")
    timed("igraph: exact betweenness + closeness, national", results, two_mode_centralities,
          graph, "department", "category", backend="igraph")
    timed("igraph: exact betweenness only, national", results, metrics_igraph.betweenness, sub)
    timed("networkx: sampled betweenness (k=200), national", results, two_mode_centralities,
          graph, "department", "category", backend="networkx")
    if networkx_exact:
        timed("networkx: exact betweenness only, national", results, nx.betweenness_centrality, sub,
              normalized=False)
    timed("igraph: exact centralities, aggregate", results, two_mode_centralities,
          aggregate, "department", "category", backend="igraph")
    timed("networkx: exact centralities, aggregate", results, two_mode_centralities,
          aggregate, "department", "category", backend="networkx")
    for backend, name in (("igraph", "leiden"), ("networkx", "louvain")):
        membership, modularity = timed(f"{backend}: {name}, national graph", results, communities, graph,
                                       backend=backend)
        print(f"    {len(set(membership.values()))} communities, modularity {modularity:.4f}")
    projection = timed("igraph: department projection (sparse product)", results, projection_igraph, graph)
    print(f"    ({projection.vcount()} departments, {projection.ecount()} weighted edges)")
    membership, modularity = timed("igraph: leiden, national department projection", results,
                                   metrics_igraph.leiden, projection)
    print(f"    {len(set(membership))} communities, modularity {modularity:.4f} "
          "(NetworkX: not computed, projection limit 1,000 departments)")


def time_kb_gaps(db: Path, runs: int = 7) -> list[float]:
    """Wall-clock of `kb gaps` (or the same command through a bare click group if kb.cli lacks it)."""
    kb = ROOT / ".venv" / "bin" / "kb"
    probe = subprocess.run([str(kb), "gaps", "--help"], capture_output=True, text=True)
    if probe.returncode == 0:
        command = [str(kb), "gaps", "--db", str(db)]
    else:
        command = [sys.executable, "-c", "import sys; from kb.graph.commands import gaps; gaps(sys.argv[1:])",
                   "--db", str(db)]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-metrics", action="store_true", help="skip the researcher measures")
    parser.add_argument("--networkx-exact", action="store_true",
                        help="also time NetworkX's exact betweenness on the national graph (minutes)")
    args = parser.parse_args()

    data = synthetic_round(args.municipalities, args.seed)
    print(f"Synthetic round: {args.municipalities} municipalities, {len(data.entities['department'])} departments, "
          f"{len(data.collaborations)} collaboration rows, {len(data.department_goals)} goal rows")
    results: dict[str, float] = {}
    graph = timed("graph build", results, build_graph, data)
    print(f"  ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
    timed("breadth", results, breadth, graph)
    relevance = Relevance.from_records(load_graph_data().relevance)
    labels = {kind: {e[0]: e[1] for e in ents} for kind, ents in data.entities.items()}

    def gaps():
        inc = Incidence.from_rows([d[0] for d in data.entities["department"]], list(labels["category"]),
                                  list(labels["goal_area"]), list(labels["form"]), data.collaborations,
                                  data.department_goals)
        return compute_gaps(inc, relevance, labels)

    rows, stability = timed("gaps (3 types, 20-group jackknife, z + BH)", results, gaps)
    core = results["graph build"] + results["breadth"] + results["gaps (3 types, 20-group jackknife, z + BH)"]
    peak_core = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'= build + breadth + gaps':<48} {core:7.2f} s   (target < 30 s)")
    report("  national graph + breadth + gaps", core, "s", "national synthetic data (290 municipalities")
    taus = ", ".join(
        f"{s['type']} {s['tau_mean']:.3f}" if s["tau_mean"] is not None else f"{s['type']} – (no gaps to rank)"
        for s in stability
    )
    print(f"  peak memory so far {peak_core:.0f} MiB (target < 2048 MiB); {len(rows)} gaps; tau_mean {taus}")
    if not args.skip_metrics:
        aggregate = municipality_aggregate(data)
        timed("exact two-mode centralities, municipality aggregate", results, two_mode_centralities,
              aggregate, "department", "category", backend="networkx")
        timed("node measures, national graph (sampled betweenness)", results, node_metrics, graph,
              backend="networkx")
        timed("graph measures, national graph", results, graph_metrics, graph, backend="networkx")
        if metrics_igraph.available():
            timed("node measures, national graph (igraph, exact)", results, node_metrics, graph, backend="igraph")
            backend_comparison(graph, aggregate, results, args.networkx_exact)
        else:
            print(f"  igraph backend not timed: {metrics_igraph.INSTALL_HINT}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (whole run) {peak:.0f} MiB")

    print("kb gaps on the default database:")
    from kb.core.db import open_db
    from kb.graph.store import table_names, write_graph_tables
    from kb.pipeline import build

    default = ROOT / "data" / "samverkan.db"
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "samverkan.db"
        if default.exists() and "gaps" in table_names(open_db(default).conn):
            shutil.copy(default, db_path)
            print("  (data/samverkan.db has the graph tables)")
        else:
            build(db_path)
            db = open_db(db_path)
            write_graph_tables(db)
            db.close()
            print("  (data/samverkan.db lacks the graph tables: timed on a fresh build with them)")
        times = time_kb_gaps(db_path)
        print(f"  wall-clock min {times[0]:.3f} s, median {times[len(times) // 2]:.3f} s, "
              f"max {times[-1]:.3f} s over {len(times)} runs (target < 0.3 s)")
        report("  kb gaps median", times[len(times) // 2], "s", "`kb gaps` on the default db", digits=3)


if __name__ == "__main__":
    main()
