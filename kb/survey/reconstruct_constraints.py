"""The reconstruction's constraint file (ingest/reconstruction.yml): what the report says in words about the
departments, validated and with names resolved to ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.reference import Reference
from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR

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
MEASURE_LABEL = {
    "reported_forms": "inrapporterade samverkansformer",
    "categories": "kategorier",
    "goal_areas": "delmålområden",
}



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
