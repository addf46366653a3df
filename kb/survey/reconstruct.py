"""Reconstruct a 2022 response set from the report's published figures with an integer programme.

The real 2022 survey responses are not public. `solve` finds ticks x[d, c, f] (department d reports form f
for category c) and g[d, a] (department d says its collaboration contributes to goal area a) that reproduce
Tables 1, 2, 3 (and so 4) and 6 exactly, match Table 5 as closely as possible (the report's Table 5 sums to
16 fewer ticks than Table 3, so at least 16 apart) and respect the constraints of `ingest/reconstruction.yml`:
what the report says in words about the departments. The solver is PuLP with its bundled CBC, run in two
phases: first the least total deviation from Table 5, then, with that deviation fixed, a seeded random
tie-breaking objective, so that each seed gives a different but equally valid set and the same seed the
same set. `check` re-verifies a result in plain Python, without the solver.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import pulp

from ingest.reference import Reference
from kb.core.rounding import round_half_up
from kb.survey.reconstruct_constraints import CONSTRAINTS_PATH, TYPES, load_constraints
from kb.survey.reconstruct_evaluate import constraint_results, department_measures, evaluate_constraint
from kb.survey.reconstruct_model import TIE_BREAK_GAP, build_model, published_values, run_phase, table_targets

__all__ = [
    "CONSTRAINTS_PATH", "TYPES", "Reconstruction", "ReconstructionError", "check", "constraint_results",
    "department_measures", "evaluate_constraint", "load_constraints", "solve", "TIE_BREAK_GAP",
]


class ReconstructionError(Exception):
    """The solver found no response set that meets the tables and the constraints."""


@dataclass
class Reconstruction:
    """A reconstructed response set: rows, how it relates to the report, and how it was found."""

    collaborations: list[tuple[str, str, str]]  # (department_id, category_id, form_id), sorted
    goal_areas: list[tuple[str, str]]  # (department_id, goal_area_id), sorted
    table5_difference: dict[str, int]  # computed - published, per form_id
    constraint_results: list[dict]  # id, quote, holds, detail
    seed: int
    status: str  # solver status of the final phase
    objective: int  # total absolute deviation from Table 5 (the primary objective)
    tie_break_objective: float = 0.0  # value of the seeded secondary objective
    seconds: float = 0.0  # wall time of both solver phases
    solver: str = field(default_factory=lambda: f"PuLP {pulp.__version__} / CBC")


def solve(
    reference: Reference, figures: list[dict], constraints: list[dict], seed: int = 2022, time_limit: int = 60
) -> Reconstruction:
    """Find a response set reproducing Tables 1-4 and 6, nearest to Table 5, meeting every constraint."""
    started = time.monotonic()
    targets = table_targets(reference, figures)
    prob, model = build_model(reference, targets, constraints)
    # Phase 1: the least total deviation from Table 5.
    prob.setObjective(model["deviation"])
    status = run_phase(prob, seed, time_limit)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise ReconstructionError(f"ingen lösning uppfyller tabellerna och villkoren (lösarstatus: {status})")
    deviation = round(pulp.value(model["deviation"]))
    # Phase 2: keep that deviation, break ties with seeded random weights.
    prob += model["deviation"] <= deviation, "fas1_tabell5_avvikelse"
    rng = random.Random(seed)
    weights = [(rng.randint(1, 1000), var) for var in (*model["x"].values(), *model["g"].values())]
    prob.setObjective(pulp.lpSum(w * var for w, var in weights))
    remaining = max(1.0, time_limit - (time.monotonic() - started))
    status = run_phase(prob, seed, remaining, TIE_BREAK_GAP)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise ReconstructionError(f"andra fasen gav ingen lösning (lösarstatus: {status})")
    collaborations = sorted(key for key, var in model["x"].items() if var.value() > 0.5)
    goal_areas = sorted(key for key, var in model["g"].items() if var.value() > 0.5)
    difference = _table5_difference(reference, targets, collaborations)
    return Reconstruction(
        collaborations=collaborations,
        goal_areas=goal_areas,
        table5_difference=difference,
        constraint_results=constraint_results(constraints, reference, collaborations, goal_areas),
        seed=seed,
        status=status,
        objective=sum(abs(v) for v in difference.values()),
        tie_break_objective=float(pulp.value(prob.objective)),
        seconds=round(time.monotonic() - started, 2),
    )


def _table5_difference(
    reference: Reference, targets: dict, collaborations: list[tuple[str, str, str]]
) -> dict[str, int]:
    counts = {f["id"]: 0 for f in reference.forms}
    for _d, _c, form in collaborations:
        counts[form] += 1
    return {form: counts[form] - targets["t5"][form] for form in counts}


# ---------------------------------------------------------------------------------------------------------
# Independent re-verification


def check(
    reconstruction: Reconstruction, reference: Reference, figures: list[dict], constraints: list[dict]
) -> list[str]:
    """Recount the published tables from the rows in plain Python; return every violated fact (Swedish)."""
    problems: list[str] = []
    published = published_values(figures)
    departments = {d["id"] for d in reference.departments}
    categories = {c["id"] for c in reference.categories}
    forms = {f["id"] for f in reference.forms}
    goal_ids = {a["id"] for a in reference.goal_areas}
    rows = reconstruction.collaborations
    goals = reconstruction.goal_areas
    for row in rows:
        if row[0] not in departments or row[1] not in categories or row[2] not in forms:
            problems.append(f"okänt id i samverkansrad {row}")
    for row in goals:
        if row[0] not in departments or row[1] not in goal_ids:
            problems.append(f"okänt id i delmålsrad {row}")
    if len(set(rows)) != len(rows) or len(set(goals)) != len(goals):
        problems.append("dubbla rader")
    divisor = len(departments)
    per_category: dict[str, dict[str, Any]] = {
        c: {"departments": set(), "forms": set(), "reported_forms": 0} for c in categories
    }
    for d, c, f in rows:
        if c in per_category:
            per_category[c]["departments"].add(d)
            per_category[c]["forms"].add(f)
            per_category[c]["reported_forms"] += 1
    computed: dict[tuple[int, str, str], float] = {}
    for c, m in per_category.items():
        n_departments, n_forms, reported = len(m["departments"]), len(m["forms"]), m["reported_forms"]
        computed[(1, c, "departments")] = n_departments
        for table_no in (2, 3, 4):
            computed[(table_no, c, "departments")] = n_departments
            computed[(table_no, c, "forms")] = n_forms
        for table_no in (3, 4):
            computed[(table_no, c, "reported_forms")] = reported
        computed[(3, c, "average_all")] = round_half_up(reported, divisor, 1)
        if n_departments:
            computed[(4, c, "average_collaborating")] = round_half_up(reported, n_departments, 1)
    for a in goal_ids:
        computed[(6, a, "departments")] = sum(1 for _d, ga in goals if ga == a)
    for key, value in published.items():
        if key[0] not in (1, 2, 3, 4, 6):
            continue
        got = computed.get(key)
        if got is None or abs(got - value) > 1e-9:
            problems.append(f"tabell {key[0]}, {key[1]}, {key[2]}: publicerat {value:g}, beräknat {got}")
    # Table 5: the difference as stated, and the least possible total.
    counts = {f: 0 for f in forms}
    for _d, _c, f in rows:
        if f in counts:
            counts[f] += 1
    t5 = {f: int(published[(5, f, "reported")]) for f in forms}
    difference = {f: counts[f] - t5[f] for f in forms}
    if difference != reconstruction.table5_difference:
        problems.append(
            f"tabell 5: angiven skillnad {reconstruction.table5_difference} stämmer inte, räknat {difference}"
        )
    least = abs(sum(int(published[(3, c, "reported_forms")]) for c in categories) - sum(t5.values()))
    total = sum(abs(v) for v in difference.values())
    if total != least:
        problems.append(f"tabell 5: total avvikelse {total}, minsta möjliga {least}")
    for result in constraint_results(constraints, reference, rows, goals):
        if not result["holds"]:
            problems.append(f"villkor {result['id']} uppfylls inte: {result['detail']}")
    return problems
