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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulp

from ingest.reference import Reference
from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR
from kb.core.rounding import round_half_up

CONSTRAINTS_PATH = INGEST_DIR / "reconstruction.yml"

KINDS = {"rapport", "rimlighet"}
MEASURES = {"reported_forms", "categories", "goal_areas"}
ALL_DEPARTMENTS = "alla"
_COMMON_REQUIRED = {"id", "kind", "type", "quote", "explanation"}
_COMMON_OPTIONAL = {"section"}

# type -> its parameters (all required)
TYPES: dict[str, set[str]] = {
    "broadest": {"department"},
    "among_broadest": {"department", "measure", "k"},
    "among_narrowest": {"department", "measure", "k"},
    "more_than": {"department", "than", "measure"},
    "at_least": {"departments", "measure", "value"},
    "at_most": {"departments", "measure", "value"},
    "collaborates": {"departments", "category"},
    "uses_form": {"department", "form", "value"},
    "requires_form": {"forms", "requires"},
    "goal_area_departments_include": {"goal_area", "departments"},
    "spread": {"measure", "ratio"},
}

# parameter -> (reference list it names, whether it is a list)
_ENTITY_PARAMS = {
    "department": ("departments", False),
    "than": ("departments", False),
    "departments": ("departments", True),
    "category": ("categories", False),
    "form": ("forms", False),
    "forms": ("forms", True),
    "requires": ("forms", True),
    "goal_area": ("goal_areas", False),
}
_SINGULAR = {
    "departments": "förvaltning",
    "categories": "kategori",
    "forms": "samverkansform",
    "goal_areas": "delmålområde",
}
_MEASURE_LABEL = {
    "reported_forms": "inrapporterade samverkansformer",
    "categories": "kategorier",
    "goal_areas": "delmålområden",
}


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


# ---------------------------------------------------------------------------------------------------------
# Constraint file


def _resolve_param(
    path: Path, item: dict, key: str, reference: Reference, resolvers: dict, errors: list[InputError]
) -> Any:
    """A parameter's value with names resolved to ids; records an error and returns None if invalid."""
    value = item.get(key)
    line = line_of(item)
    if key in _ENTITY_PARAMS:
        kind, is_list = _ENTITY_PARAMS[key]
        if is_list:
            if key == "departments" and value == ALL_DEPARTMENTS:
                return [d["id"] for d in reference.departments]
            if not isinstance(value, list) or not value:
                errors.append(InputError(str(path), line, key, "ska vara en icke-tom lista"))
                return None
            labels = value
        else:
            labels = [value]
        ids = []
        for label in labels:
            resolved = resolvers[kind].get(str(label)) if isinstance(label, str) else None
            if resolved is None:
                errors.append(
                    InputError(str(path), line, key, resolvers[kind].unknown_message(str(label), _SINGULAR[kind]))
                )
                return None
            ids.append(resolved)
        return ids if is_list else ids[0]
    if key == "measure":
        if value not in MEASURES:
            message = f"okänt mått {value!r} (giltiga: {', '.join(sorted(MEASURES))})"
            errors.append(InputError(str(path), line, key, message))
            return None
        return value
    if key == "ratio":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 1:
            errors.append(InputError(str(path), line, key, "ska vara ett tal >= 1"))
            return None
        return float(value)
    if key in {"k", "value"}:
        minimum = 1 if key == "k" else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            errors.append(InputError(str(path), line, key, f"ska vara ett heltal >= {minimum}"))
            return None
        return value
    raise AssertionError(key)  # pragma: no cover - TYPES and this function name the same parameters


def load_constraints(path: Path = CONSTRAINTS_PATH, reference: Reference | None = None) -> list[dict]:
    """Read and validate the constraint file; raise InputErrors naming file, line and field of every problem."""
    if reference is None:
        from ingest.reference import load_reference

        reference = load_reference()
    path = Path(path)
    data = read_yaml(path)
    errors: list[InputError] = []
    if not isinstance(data, dict) or not isinstance(data.get("constraints"), list):
        raise InputErrors([InputError(str(path), line_of(data), "constraints", "ska vara en lista av villkor")])
    check_keys(path, data, {"constraints"}, {"round", "source_id"}, errors)
    resolvers = {kind: reference.resolver(kind) for kind in _SINGULAR}
    constraints: list[dict] = []
    seen: dict[str, int | None] = {}
    for item in data["constraints"]:
        if not isinstance(item, dict):
            errors.append(InputError(str(path), line_of(data), "constraints", "varje villkor ska vara en mappning"))
            continue
        line = line_of(item)
        type_ = item.get("type")
        if type_ not in TYPES:
            message = f"okänd villkorstyp {type_!r} (giltiga: {', '.join(sorted(TYPES))})"
            errors.append(InputError(str(path), line, "type", message))
            continue
        before = len(errors)
        check_keys(path, item, _COMMON_REQUIRED | TYPES[type_], _COMMON_OPTIONAL, errors)
        if len(errors) > before:
            continue
        constraint_id = str(item["id"])
        if constraint_id in seen:
            errors.append(
                InputError(str(path), line, "id", f"id {constraint_id!r} finns redan på rad {seen[constraint_id]}")
            )
            continue
        seen[constraint_id] = line
        if item["kind"] not in KINDS:
            errors.append(InputError(str(path), line, "kind", f"ska vara en av {', '.join(sorted(KINDS))}"))
            continue
        params = {key: _resolve_param(path, item, key, reference, resolvers, errors) for key in sorted(TYPES[type_])}
        if len(errors) > before:
            continue
        constraints.append(
            {
                "id": constraint_id,
                "kind": item["kind"],
                "type": type_,
                "section": item.get("section"),
                "quote": " ".join(str(item["quote"]).split()),
                "explanation": " ".join(str(item["explanation"]).split()),
                "line": line,
                **params,
            }
        )
    if errors:
        raise InputErrors(errors)
    return constraints


# ---------------------------------------------------------------------------------------------------------
# Published figures


def _published(figures: list[dict]) -> dict[tuple[int, str, str], float]:
    """Published table figures by (table_no, row_id, measure), excluding text figures and total rows."""
    rounds = {f["round"] for f in figures if f["table_no"] is not None}
    if len(rounds) > 1:
        raise ValueError(f"figurer från flera omgångar: {sorted(rounds)}")
    return {
        (f["table_no"], f["row_id"], f["measure"]): f["value"]
        for f in figures
        if f["table_no"] is not None and f["row_id"] != "kommuntotal"
    }


def _targets(reference: Reference, figures: list[dict]) -> dict[str, dict[str, int]]:
    """The integer targets the solver must meet, per table."""
    published = _published(figures)

    def column(table_no: int, kind: str, measure: str) -> dict[str, int]:
        return {e["id"]: int(published[(table_no, e["id"], measure)]) for e in getattr(reference, kind)}

    return {
        "t1": column(1, "categories", "departments"),
        "t2": column(2, "categories", "forms"),
        "t3": column(3, "categories", "reported_forms"),
        "t5": column(5, "forms", "reported"),
        "t6": column(6, "goal_areas", "departments"),
    }


# ---------------------------------------------------------------------------------------------------------
# Plain-Python evaluation of response rows


def department_measures(
    reference: Reference, collaborations: list[tuple[str, str, str]], goal_areas: list[tuple[str, str]]
) -> dict[str, dict[str, int]]:
    """Per department: reported_forms, categories and goal_areas, counted from rows."""
    measures = {d["id"]: {"reported_forms": 0, "categories": 0, "goal_areas": 0} for d in reference.departments}
    categories: dict[str, set[str]] = defaultdict(set)
    for department, category, _form in collaborations:
        measures[department]["reported_forms"] += 1
        categories[department].add(category)
    for department, found in categories.items():
        measures[department]["categories"] = len(found)
    for department, _goal_area in goal_areas:
        measures[department]["goal_areas"] += 1
    return measures


def evaluate_constraint(
    constraint: dict,
    reference: Reference,
    collaborations: list[tuple[str, str, str]],
    goal_areas: list[tuple[str, str]],
) -> tuple[bool, str]:
    """Whether a constraint holds for the rows, and a Swedish detail saying why."""
    names = {d["id"]: d["name"] for d in reference.departments}
    measures = department_measures(reference, collaborations, goal_areas)
    type_ = constraint["type"]

    def value(department: str, measure: str) -> int:
        return measures[department][measure]

    if type_ == "broadest":
        d = constraint["department"]
        others = [e for e in names if e != d]
        top_forms = max(others, key=lambda e: value(e, "reported_forms"))
        top_categories = max(others, key=lambda e: value(e, "categories"))
        holds = value(d, "reported_forms") > value(top_forms, "reported_forms") and value(d, "categories") >= value(
            top_categories, "categories"
        )
        detail = (
            f"{names[d]}: {value(d, 'reported_forms')} inrapporterade samverkansformer och "
            f"{value(d, 'categories')} kategorier; bland övriga flest former {value(top_forms, 'reported_forms')} "
            f"({names[top_forms]}) och flest kategorier {value(top_categories, 'categories')} ({names[top_categories]})"
        )
        return holds, detail
    if type_ in {"among_broadest", "among_narrowest"}:
        d, measure, k = constraint["department"], constraint["measure"], constraint["k"]
        if type_ == "among_broadest":
            beyond = [e for e in names if value(e, measure) > value(d, measure)]
            word = "fler"
        else:
            beyond = [e for e in names if value(e, measure) < value(d, measure)]
            word = "färre"
        detail = (
            f"{names[d]}: {value(d, measure)} {_MEASURE_LABEL[measure]}; {len(beyond)} förvaltningar har {word} "
            f"(högst {k - 1} tillåts)"
        )
        return len(beyond) <= k - 1, detail
    if type_ == "more_than":
        d, than, measure = constraint["department"], constraint["than"], constraint["measure"]
        detail = f"{names[d]}: {value(d, measure)}, {names[than]}: {value(than, measure)} {_MEASURE_LABEL[measure]}"
        return value(d, measure) > value(than, measure), detail
    if type_ in {"at_least", "at_most"}:
        measure, limit = constraint["measure"], constraint["value"]
        bad = [
            e
            for e in constraint["departments"]
            if (value(e, measure) < limit if type_ == "at_least" else value(e, measure) > limit)
        ]
        low = min(value(e, measure) for e in constraint["departments"])
        high = max(value(e, measure) for e in constraint["departments"])
        detail = f"{_MEASURE_LABEL[measure]} per förvaltning: {low}-{high}"
        if bad:
            detail += "; bryter: " + ", ".join(names[e] for e in bad)
        return not bad, detail
    if type_ == "collaborates":
        pairs = {(d, c) for d, c, _f in collaborations}
        missing = [e for e in constraint["departments"] if (e, constraint["category"]) not in pairs]
        if missing:
            return False, "samverkar inte: " + ", ".join(names[e] for e in missing)
        return True, f"{len(constraint['departments'])} av {len(constraint['departments'])} förvaltningar samverkar"
    if type_ == "uses_form":
        d, form = constraint["department"], constraint["form"]
        count = sum(1 for e, _c, f in collaborations if e == d and f == form)
        return count >= constraint["value"], f"{names[d]} anger formen för {count} kategorier"
    if type_ == "requires_form":
        ticks = set(collaborations)
        bad = [
            (d, c, f)
            for d, c, f in collaborations
            if f in constraint["forms"] and not any((d, c, r) in ticks for r in constraint["requires"])
        ]
        used = sum(1 for _d, _c, f in collaborations if f in constraint["forms"])
        detail = f"{used} kryss för {', '.join(constraint['forms'])}; {len(bad)} utan krävd form"
        return not bad, detail
    if type_ == "goal_area_departments_include":
        marked = {d for d, a in goal_areas if a == constraint["goal_area"]}
        missing = [e for e in constraint["departments"] if e not in marked]
        if missing:
            return False, "har inte kryssat: " + ", ".join(names[e] for e in missing)
        return True, f"alla {len(constraint['departments'])} angivna förvaltningar har kryssat delmålområdet"
    if type_ == "spread":
        measure, ratio = constraint["measure"], constraint["ratio"]
        high = max(names, key=lambda e: value(e, measure))
        low = min(names, key=lambda e: value(e, measure))
        detail = (
            f"flest {value(high, measure)} ({names[high]}), minst {value(low, measure)} ({names[low]}) "
            f"{_MEASURE_LABEL[measure]}; kvot minst {ratio:g} krävs"
        )
        return value(high, measure) >= ratio * value(low, measure), detail
    raise ValueError(f"okänd villkorstyp {type_!r}")


def constraint_results(
    constraints: list[dict],
    reference: Reference,
    collaborations: list[tuple[str, str, str]],
    goal_areas: list[tuple[str, str]],
) -> list[dict]:
    """Every constraint with whether it holds for the rows."""
    results = []
    for constraint in constraints:
        holds, detail = evaluate_constraint(constraint, reference, collaborations, goal_areas)
        results.append(
            {
                "id": constraint["id"],
                "kind": constraint["kind"],
                "type": constraint["type"],
                "quote": constraint["quote"],
                "explanation": constraint["explanation"],
                "holds": holds,
                "detail": detail,
            }
        )
    return results


# ---------------------------------------------------------------------------------------------------------
# The integer programme


def _measure_exprs(model: dict, reference: Reference) -> dict[str, dict[str, pulp.LpAffineExpression]]:
    departments = [d["id"] for d in reference.departments]
    categories = [c["id"] for c in reference.categories]
    forms = [f["id"] for f in reference.forms]
    goal_areas = [a["id"] for a in reference.goal_areas]
    x, y, g = model["x"], model["y"], model["g"]
    return {
        "reported_forms": {d: pulp.lpSum(x[d, c, f] for c in categories for f in forms) for d in departments},
        "categories": {d: pulp.lpSum(y[d, c] for c in categories) for d in departments},
        "goal_areas": {d: pulp.lpSum(g[d, a] for a in goal_areas) for d in departments},
    }


_BIG = {"reported_forms": 15 * 14, "categories": 15, "goal_areas": 17}


def _add_constraint(prob: pulp.LpProblem, model: dict, reference: Reference, constraint: dict, index: int) -> None:
    """Add one constraint of the file to the programme."""
    measures = model["measures"]
    departments = [d["id"] for d in reference.departments]
    categories = [c["id"] for c in reference.categories]
    x, y, g = model["x"], model["y"], model["g"]
    type_ = constraint["type"]
    tag = f"k{index}"
    if type_ == "broadest":
        d = constraint["department"]
        for e in departments:
            if e != d:
                prob += measures["reported_forms"][d] >= measures["reported_forms"][e] + 1, f"{tag}_former_{e[:20]}"
                prob += measures["categories"][d] >= measures["categories"][e], f"{tag}_kategorier_{e[:20]}"
    elif type_ in {"among_broadest", "among_narrowest"}:
        d, measure, k = constraint["department"], constraint["measure"], constraint["k"]
        m = measures[measure]
        beyond = {}
        for e in departments:
            if e == d:
                continue
            beyond[e] = pulp.LpVariable(f"{tag}_b_{departments.index(e)}", cat=pulp.LpBinary)
            if type_ == "among_broadest":
                prob += m[e] - m[d] <= _BIG[measure] * beyond[e]
            else:
                prob += m[d] - m[e] <= _BIG[measure] * beyond[e]
        prob += pulp.lpSum(beyond.values()) <= k - 1, f"{tag}_k"
    elif type_ == "more_than":
        m = measures[constraint["measure"]]
        prob += m[constraint["department"]] >= m[constraint["than"]] + 1, tag
    elif type_ in {"at_least", "at_most"}:
        m = measures[constraint["measure"]]
        for e in constraint["departments"]:
            if type_ == "at_least":
                prob += m[e] >= constraint["value"]
            else:
                prob += m[e] <= constraint["value"]
    elif type_ == "collaborates":
        for e in constraint["departments"]:
            prob += y[e, constraint["category"]] == 1
    elif type_ == "uses_form":
        d, form = constraint["department"], constraint["form"]
        prob += pulp.lpSum(x[d, c, form] for c in categories) >= constraint["value"], tag
    elif type_ == "requires_form":
        for d in departments:
            for c in categories:
                for f in constraint["forms"]:
                    prob += x[d, c, f] <= pulp.lpSum(x[d, c, r] for r in constraint["requires"])
    elif type_ == "goal_area_departments_include":
        for e in constraint["departments"]:
            prob += g[e, constraint["goal_area"]] == 1
    elif type_ == "spread":
        measure, ratio = constraint["measure"], constraint["ratio"]
        m, big = measures[measure], _BIG[measure]
        is_low = {d: pulp.LpVariable(f"{tag}_l_{i}", cat=pulp.LpBinary) for i, d in enumerate(departments)}
        prob += pulp.lpSum(is_low.values()) == 1, f"{tag}_en_lag"
        top = model["top"].get(measure)
        if top is not None:  # a `broadest` constraint already names the largest: a much tighter model
            for d in departments:
                prob += ratio * m[d] <= m[top] + ratio * big * (1 - is_low[d])
        else:
            high = pulp.LpVariable(f"{tag}_hog", lowBound=0)
            low = pulp.LpVariable(f"{tag}_lag", lowBound=0)
            is_high = {d: pulp.LpVariable(f"{tag}_h_{i}", cat=pulp.LpBinary) for i, d in enumerate(departments)}
            prob += pulp.lpSum(is_high.values()) == 1, f"{tag}_en_hog"
            for d in departments:
                prob += high <= m[d] + big * (1 - is_high[d])
                prob += low >= m[d] - big * (1 - is_low[d])
            prob += high >= ratio * low, f"{tag}_kvot"
    else:  # pragma: no cover - load_constraints rejects unknown types
        raise ValueError(f"okänd villkorstyp {type_!r}")


def _build_model(reference: Reference, targets: dict, constraints: list[dict]) -> tuple[pulp.LpProblem, dict]:
    """Variables, the tables as equalities, the linking of x to y and z, and the file's constraints."""
    departments = [d["id"] for d in reference.departments]
    categories = [c["id"] for c in reference.categories]
    forms = [f["id"] for f in reference.forms]
    goal_areas = [a["id"] for a in reference.goal_areas]
    prob = pulp.LpProblem("rekonstruktion", pulp.LpMinimize)
    binary = pulp.LpBinary
    x = {
        (d, c, f): pulp.LpVariable(f"x_{i}_{j}_{k}", cat=binary)
        for i, d in enumerate(departments)
        for j, c in enumerate(categories)
        for k, f in enumerate(forms)
    }
    y = {  # department d collaborates with category c
        (d, c): pulp.LpVariable(f"y_{i}_{j}", cat=binary)
        for i, d in enumerate(departments)
        for j, c in enumerate(categories)
    }
    z = {  # form f is used by some department for category c
        (c, f): pulp.LpVariable(f"z_{j}_{k}", cat=binary) for j, c in enumerate(categories) for k, f in enumerate(forms)
    }
    g = {
        (d, a): pulp.LpVariable(f"g_{i}_{j}", cat=binary)
        for i, d in enumerate(departments)
        for j, a in enumerate(goal_areas)
    }
    over = {f: pulp.LpVariable(f"over_{k}", lowBound=0) for k, f in enumerate(forms)}
    under = {f: pulp.LpVariable(f"under_{k}", lowBound=0) for k, f in enumerate(forms)}
    # Definitions: y = OR_f x, z = OR_d x.
    for d in departments:
        for c in categories:
            prob += y[d, c] <= pulp.lpSum(x[d, c, f] for f in forms)
            for f in forms:
                prob += x[d, c, f] <= y[d, c]
                prob += x[d, c, f] <= z[c, f]
    for c in categories:
        for f in forms:
            prob += z[c, f] <= pulp.lpSum(x[d, c, f] for d in departments)
    # Tables 1, 2, 3 and 6 exactly.
    for j, c in enumerate(categories):
        prob += pulp.lpSum(y[d, c] for d in departments) == targets["t1"][c], f"tabell1_{j}"
        prob += pulp.lpSum(z[c, f] for f in forms) == targets["t2"][c], f"tabell2_{j}"
        prob += pulp.lpSum(x[d, c, f] for d in departments for f in forms) == targets["t3"][c], f"tabell3_{j}"
    for j, a in enumerate(goal_areas):
        prob += pulp.lpSum(g[d, a] for d in departments) == targets["t6"][a], f"tabell6_{j}"
    # Table 5 as closely as possible.
    for k, f in enumerate(forms):
        total = pulp.lpSum(x[d, c, f] for d in departments for c in categories)
        prob += total - targets["t5"][f] == over[f] - under[f], f"tabell5_{k}"
    model = {"x": x, "y": y, "z": z, "g": g, "over": over, "under": under}
    model["measures"] = _measure_exprs(model, reference)
    # The department a `broadest` constraint names has the largest reported forms and categories.
    model["top"] = {
        measure: c["department"]
        for c in constraints
        if c["type"] == "broadest"
        for measure in ("reported_forms", "categories")
    }
    for index, constraint in enumerate(constraints):
        _add_constraint(prob, model, reference, constraint, index)
    model["deviation"] = pulp.lpSum(over.values()) + pulp.lpSum(under.values())
    return prob, model


TIE_BREAK_GAP = 0.05  # relative gap at which the tie-break phase stops: any solution of phase 2 is valid


def _run(prob: pulp.LpProblem, seed: int, time_limit: float, gap: float | None = None) -> str:
    """Solve with CBC, single-threaded and seeded; return the solution status as a string."""
    solver = pulp.PULP_CBC_CMD(
        msg=False,
        threads=1,
        timeLimit=max(1, int(time_limit)),
        gapRel=gap,
        options=[f"randomCbcSeed {seed % 2**31 or 1}"],
    )
    prob.solve(solver)
    return pulp.LpSolution[prob.sol_status]


def solve(
    reference: Reference, figures: list[dict], constraints: list[dict], seed: int = 2022, time_limit: int = 60
) -> Reconstruction:
    """Find a response set reproducing Tables 1-4 and 6, nearest to Table 5, meeting every constraint."""
    started = time.monotonic()
    targets = _targets(reference, figures)
    prob, model = _build_model(reference, targets, constraints)
    # Phase 1: the least total deviation from Table 5.
    prob.setObjective(model["deviation"])
    status = _run(prob, seed, time_limit)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise ReconstructionError(f"ingen lösning uppfyller tabellerna och villkoren (lösarstatus: {status})")
    deviation = round(pulp.value(model["deviation"]))
    # Phase 2: keep that deviation, break ties with seeded random weights.
    prob += model["deviation"] <= deviation, "fas1_tabell5_avvikelse"
    rng = random.Random(seed)
    weights = [(rng.randint(1, 1000), var) for var in (*model["x"].values(), *model["g"].values())]
    prob.setObjective(pulp.lpSum(w * var for w, var in weights))
    remaining = max(1.0, time_limit - (time.monotonic() - started))
    status = _run(prob, seed, remaining, TIE_BREAK_GAP)
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
    published = _published(figures)
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
