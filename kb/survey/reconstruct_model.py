"""The integer programme (PuLP/CBC): variables, the tables as equalities, the constraints, the two phases."""

from __future__ import annotations

import pulp

from ingest.reference import Reference


def published_values(figures: list[dict]) -> dict[tuple[int, str, str], float]:
    """Published table figures by (table_no, row_id, measure), excluding text figures and total rows."""
    rounds = {f["round"] for f in figures if f["table_no"] is not None}
    if len(rounds) > 1:
        raise ValueError(f"figurer från flera omgångar: {sorted(rounds)}")
    return {
        (f["table_no"], f["row_id"], f["measure"]): f["value"]
        for f in figures
        if f["table_no"] is not None and f["row_id"] != "kommuntotal"
    }


def table_targets(reference: Reference, figures: list[dict]) -> dict[str, dict[str, int]]:
    """The integer targets the solver must meet, per table."""
    published = published_values(figures)

    def column(table_no: int, kind: str, measure: str) -> dict[str, int]:
        return {e["id"]: int(published[(table_no, e["id"], measure)]) for e in getattr(reference, kind)}

    return {
        "t1": column(1, "categories", "departments"),
        "t2": column(2, "categories", "forms"),
        "t3": column(3, "categories", "reported_forms"),
        "t5": column(5, "forms", "reported"),
        "t6": column(6, "goal_areas", "departments"),
    }



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


def build_model(reference: Reference, targets: dict, constraints: list[dict]) -> tuple[pulp.LpProblem, dict]:
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


def run_phase(prob: pulp.LpProblem, seed: int, time_limit: float, gap: float | None = None) -> str:
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
