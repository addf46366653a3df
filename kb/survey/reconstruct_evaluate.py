"""Plain-Python evaluation of response rows against the constraints: no solver, so it can check the solver."""

from __future__ import annotations

from collections import defaultdict

from ingest.reference import Reference
from kb.survey.reconstruct_constraints import MEASURE_LABEL


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
            f"{names[d]}: {value(d, measure)} {MEASURE_LABEL[measure]}; {len(beyond)} förvaltningar har {word} "
            f"(högst {k - 1} tillåts)"
        )
        return len(beyond) <= k - 1, detail
    if type_ == "more_than":
        d, than, measure = constraint["department"], constraint["than"], constraint["measure"]
        detail = f"{names[d]}: {value(d, measure)}, {names[than]}: {value(than, measure)} {MEASURE_LABEL[measure]}"
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
        detail = f"{MEASURE_LABEL[measure]} per förvaltning: {low}-{high}"
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
            f"{MEASURE_LABEL[measure]}; kvot minst {ratio:g} krävs"
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
