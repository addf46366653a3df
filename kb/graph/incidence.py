"""The collaboration graph of one round: rows in, a typed NetworkX graph out, and breadth from it.

Nodes are named ``"<kind>:<id>"`` (ids are only unique within a kind) and carry ``kind``,
``entity_id``, ``label`` and ``position``. Kinds: department, category, form, goal_area, forum,
development_area, theme. Edges carry ``kind`` ("department-category", ...) and ``weight``:

- department-category: number of forms the department uses with the category;
- department-form: number of categories the department uses the form with;
- category-form: number of departments that use the form with the category;
- department-goal_area: 1 (the department reports that its collaboration contributes to the goal area);
- forum-department / forum-category / forum-goal_area / forum-form: 1 (the forum covers it);
- theme-development_area: 1 (the development area addresses the difficulty theme).

Goal areas are reported per department, not per category: there is no category-goal edge. Every
category-goal link is an inference through departments (see kb.graph.gaps).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from kb.core.rounding import round_half_up

KINDS = ("department", "category", "form", "goal_area", "forum", "development_area", "theme")


def node_id(kind: str, entity_id: str) -> str:
    """The graph node of an entity: ``"category:socialt-foretag"``."""
    return f"{kind}:{entity_id}"


def split_node(node: str) -> tuple[str, str]:
    """(kind, entity id) of a node name."""
    kind, _, entity_id = node.partition(":")
    return kind, entity_id


@dataclass
class RoundData:
    """The rows one round's graph is built from (read by kb.graph.store.read_round)."""

    round: int
    round_departments: int  # rounds.departments: the divisor of Table 3
    entities: dict[str, list[tuple[str, str, int]]]  # kind -> [(id, label, position)]; departments = responding
    collaborations: list[tuple[str, str, str]]  # (department, category, form)
    department_goals: list[tuple[str, str]]  # (department, goal area)
    forum_links: list[tuple[str, str, str]] = field(default_factory=list)  # (forum, kind, entity id)
    theme_development_areas: list[tuple[str, str]] = field(default_factory=list)
    theme_statements: dict[str, int] = field(default_factory=dict)  # theme -> coded statements this round
    theme_kinds: dict[str, str] = field(default_factory=dict)  # theme -> svarighet | positivt
    difficulty_statements: int = 0  # statements of kind svarighet this round
    ladder: dict[str, dict] = field(default_factory=dict)  # form id -> {step_id, step, level}
    category_goal_links: list[tuple[str, str, str]] | None = None  # (department, category, goal) if asked directly

    @property
    def has_forums(self) -> bool:
        return bool(self.entities.get("forum"))

    @property
    def has_themes(self) -> bool:
        return bool(self.entities.get("theme"))


def build_graph(data: RoundData) -> nx.Graph:
    """The typed, weighted collaboration graph of a round (every reference entity is a node)."""
    graph = nx.Graph(round=data.round, departments=len(data.entities.get("department", [])),
                     round_departments=data.round_departments)
    for kind in KINDS:
        for entity_id, label, position in data.entities.get(kind, []):
            attrs = {"kind": kind, "entity_id": entity_id, "label": label, "position": position}
            if kind == "theme":
                attrs["statements"] = data.theme_statements.get(entity_id, 0)
            if kind == "form" and entity_id in data.ladder:
                step = data.ladder[entity_id]
                attrs.update(ladder_step=step["step_id"], ladder_level=step["level"])
            graph.add_node(node_id(kind, entity_id), **attrs)

    def add(kind_a: str, a: str, kind_b: str, b: str, weight: int) -> None:
        u, v = node_id(kind_a, a), node_id(kind_b, b)
        if u in graph and v in graph:
            graph.add_edge(u, v, kind=f"{kind_a}-{kind_b}", weight=weight)

    triples = sorted(set(data.collaborations))  # sorted: the same graph, edge order and floats on every run
    for (d, c), w in Counter((d, c) for d, c, _ in triples).items():
        add("department", d, "category", c, w)
    for (d, f), w in Counter((d, f) for d, _, f in triples).items():
        add("department", d, "form", f, w)
    for (c, f), w in Counter((c, f) for _, c, f in triples).items():
        add("category", c, "form", f, w)
    for d, g in sorted(set(data.department_goals)):
        add("department", d, "goal_area", g, 1)
    for forum, kind, entity_id in sorted(set(data.forum_links)):
        add("forum", forum, kind, entity_id, 1)
    for theme, area in sorted(set(data.theme_development_areas)):
        add("theme", theme, "development_area", area, 1)
    return graph


def nodes_of(graph: nx.Graph, kind: str) -> list[str]:
    """Nodes of one kind in reference order."""
    return sorted((n for n, k in graph.nodes(data="kind") if k == kind), key=lambda n: graph.nodes[n]["position"])


def _neighbours(graph: nx.Graph, node: str, kind: str) -> list[str]:
    return [m for m in graph[node] if graph.nodes[m]["kind"] == kind]


def _weight(graph: nx.Graph, node: str, kind: str) -> int:
    return sum(graph[node][m]["weight"] for m in _neighbours(graph, node, kind))


def breadth(graph: nx.Graph) -> dict[str, list[dict]]:
    """Breadth per department (Diagram 1 + goal areas), category (Tables 1-4), form (Table 5), goal (Table 6).

    Keys: department, category, form, goal. Column names and order equal the report views'.
    """
    rnd, n = graph.graph["round"], graph.graph["round_departments"]

    def entity(node: str, kind: str) -> dict:
        attrs = graph.nodes[node]
        return {"round": rnd, f"{kind}_id": attrs["entity_id"], kind: attrs["label"]}

    departments = []
    for node in nodes_of(graph, "department"):
        row = entity(node, "department")
        row.update(
            categories=len(_neighbours(graph, node, "category")),
            forms=len(_neighbours(graph, node, "form")),
            reported_forms=_weight(graph, node, "category"),
            goal_areas=len(_neighbours(graph, node, "goal_area")),
        )
        departments.append(row)
    departments.sort(key=lambda r: -r["reported_forms"])  # stable: reference order breaks ties

    categories = []
    for node in nodes_of(graph, "category"):
        row = entity(node, "category")
        k, reported = len(_neighbours(graph, node, "department")), _weight(graph, node, "department")
        row.update(
            departments=k,
            forms=len(_neighbours(graph, node, "form")),
            reported_forms=reported,
            average_all=round_half_up(reported, n, 1) if n else None,
            average_collaborating=round_half_up(reported, k, 1) if k else None,
        )
        row.update(_ladder_profile(graph, node))
        categories.append(row)
    categories.sort(key=lambda r: -r["departments"])

    forms = []
    for node in nodes_of(graph, "form"):
        row = entity(node, "form")
        row.update(reported=_weight(graph, node, "category"), departments=len(_neighbours(graph, node, "department")))
        row["ladder_step"] = graph.nodes[node].get("ladder_step")
        forms.append(row)
    forms.sort(key=lambda r: -r["reported"])

    goals = []
    for node in nodes_of(graph, "goal_area"):
        row = entity(node, "goal_area")
        row["departments"] = len(_neighbours(graph, node, "department"))
        goals.append(row)
    goals.sort(key=lambda r: -r["departments"])
    return {"department": departments, "category": categories, "form": forms, "goal": goals}


LADDER_STEPS = ("information", "konsultation", "dialog", "partnerskap")


def _ladder_profile(graph: nx.Graph, category: str) -> dict:
    """Share of a category's reported forms on each ladder step, and the mean step level.

    The share is over reported (department, form) pairs: sum of category-form weights per step.
    """
    per_step: Counter = Counter()
    levels = 0.0
    total = 0
    for form in _neighbours(graph, category, "form"):
        attrs, w = graph.nodes[form], graph[category][form]["weight"]
        if attrs.get("ladder_step"):
            per_step[attrs["ladder_step"]] += w
            levels += w * attrs["ladder_level"]
            total += w
    profile = {f"ladder_{s}": round(per_step[s] / total, 4) if total else None for s in LADDER_STEPS}
    profile["ladder_mean_level"] = round(levels / total, 4) if total else None
    return profile
