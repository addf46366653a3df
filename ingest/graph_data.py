"""Loaders for the graph's curated data: the relevance matrix and the participation ladder.

Each loader validates its file against the reference data and returns plain records (ready for the
`relevance` and `ladder_steps` tables) or raises InputErrors naming file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.reference import Reference, Resolver, load_reference
from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR

RELEVANCE_FILE = INGEST_DIR / "relevance.yml"
LADDER_FILE = INGEST_DIR / "ladder.yml"

# Relevance kinds: the gap type each section of relevance.yml feeds.
CELL, GOAL, FORM = "kategori-delmal", "delmal", "kategori-form"
_SECTIONS = {  # section -> (kind, key of the default, id fields as (yaml key, resolver kind, record key))
    "goals": (GOAL, "goal", [("goal", "goal_areas", "goal_area_id")]),
    "cells": (CELL, "cell", [("category", "categories", "category_id"), ("goal", "goal_areas", "goal_area_id")]),
    "forms": (FORM, "form", [("category", "categories", "category_id"), ("form", "forms", "form_id")]),
}


@dataclass
class GraphData:
    """Curated inputs of the graph and gap analysis, validated."""

    relevance: list[dict]
    ladder_steps: list[dict]
    ladder_forms: list[dict]


def _relevance_value(path: Path, item: dict, field: str, errors: list[InputError]) -> int | None:
    value = item.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
        errors.append(InputError(str(path), line_of(item), field, f"ska vara ett heltal 0-3, inte {value!r}"))
        return None
    return value


def _resolve(path: Path, item: dict, key: str, resolver: Resolver, what: str, errors: list[InputError]) -> str | None:
    label = item.get(key)
    if not isinstance(label, str) or not label.strip():
        return None  # check_keys reports a missing key
    entity_id = resolver.get(label)
    if entity_id is None:
        errors.append(InputError(str(path), line_of(item), key, resolver.unknown_message(label, what)))
    return entity_id


_WHAT = {"categories": "kategori", "goal_areas": "delmålområde", "forms": "samverkansform"}
EMPTY = "obligatoriskt fält är tomt"


def _key_lines(path: Path) -> dict[str, int]:
    """The 1-based line of each top-level key of a YAML mapping file (for values that carry no line of their own)."""
    with open(path, encoding="utf-8") as handle:
        node = yaml.compose(handle, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _section(path: Path, data: dict, section: str, errors: list[InputError]) -> list:
    """The list under a top-level key (empty when absent); anything else is an error on the key's line."""
    items = data.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        errors.append(InputError(str(path), _key_lines(path).get(section), section, "ska vara en lista"))
        return []
    return items


def load_relevance(reference: Reference | None = None, path: Path = RELEVANCE_FILE) -> list[dict]:
    """Every cell of the three relevance matrices, explicit or default, as records.

    Record keys: kind, category_id, goal_area_id, form_id, relevance, is_default, rationale, source.
    A goal area with goal relevance 0 makes its category cells 0 unless a cell says otherwise.
    """
    reference = reference or load_reference()
    errors: list[InputError] = []
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputErrors([InputError(str(path), None, None, "filen ska vara en mappning")])
    check_keys(path, data, {"default"}, {"version", *_SECTIONS}, errors)
    default = data.get("default")
    defaults: dict[str, int] = {}
    if isinstance(default, dict):
        check_keys(path, default, {"goal", "cell", "form", "rationale"}, set(), errors)
        for key in ("goal", "cell", "form"):
            if key in default:
                defaults[key] = _relevance_value(path, default, key, errors) or 0
    elif "default" in data:  # a missing default is reported by check_keys above, once
        errors.append(InputError(str(path), _key_lines(path).get("default"), "default", "ska vara en mappning"))
    default_rationale = str(default.get("rationale") or "").strip() if isinstance(default, dict) else ""
    resolvers = {kind: reference.resolver(kind) for kind in _WHAT}
    explicit: dict[str, dict[tuple, dict]] = {kind: {} for kind, _, _ in _SECTIONS.values()}
    for section, (kind, _, fields) in _SECTIONS.items():
        for item in _section(path, data, section, errors):
            if not isinstance(item, dict):
                errors.append(InputError(str(path), line_of(data), section, "varje post ska vara en mappning"))
                continue
            check_keys(path, item, {f[0] for f in fields} | {"relevance", "rationale", "source"}, set(), errors)
            ids = tuple(_resolve(path, item, key, resolvers[rk], _WHAT[rk], errors) for key, rk, _ in fields)
            value = _relevance_value(path, item, "relevance", errors)
            texts_ok = True
            for key in ("rationale", "source"):
                if not str(item.get(key) or "").strip():
                    texts_ok = False
                    if key in item:
                        errors.append(InputError(str(path), line_of(item), key, "får inte vara tomt"))
            if None in ids or value is None or not texts_ok:
                continue
            if ids in explicit[kind]:
                first = explicit[kind][ids]["line"]
                errors.append(InputError(str(path), line_of(item), fields[-1][0], f"finns redan på rad {first}"))
                continue
            record = {rec: entity for (_, _, rec), entity in zip(fields, ids, strict=True)}
            record.update(
                kind=kind,
                relevance=value,
                is_default=0,
                rationale=" ".join(str(item["rationale"]).split()),
                source=str(item["source"]).strip(),
                line=line_of(item),
            )
            explicit[kind][ids] = record
    if errors:
        raise InputErrors(errors)
    return _complete(reference, defaults, default_rationale, explicit, _display(path))


def _complete(reference: Reference, defaults: dict, rationale: str, explicit: dict, source: str) -> list[dict]:
    """Fill every cell not given explicitly with its default."""
    categories = [c["id"] for c in reference.categories]
    goals = [g["id"] for g in reference.goal_areas]
    forms = [f["id"] for f in reference.forms]
    records = []

    def add(kind: str, ids: tuple, value: int, fields: dict, note: str = "") -> None:
        if ids in explicit[kind]:
            record = dict(explicit[kind][ids])
            record.pop("line", None)
        else:
            record = {**fields, "kind": kind, "relevance": value, "is_default": 1,
                      "rationale": note or rationale, "source": f"{source}: default"}
        records.append({"category_id": None, "goal_area_id": None, "form_id": None, **record})

    goal_value = {}
    for g in goals:
        add(GOAL, (g,), defaults.get("goal", 0), {"goal_area_id": g})
        goal_value[g] = records[-1]["relevance"]
    for c in categories:
        for g in goals:
            zero = goal_value[g] == 0
            note = "Delmålområdet har relevans 0 (se goals), så även cellen." if zero else ""
            add(CELL, (c, g), 0 if zero else defaults.get("cell", 0), {"category_id": c, "goal_area_id": g}, note)
        for f in forms:
            add(FORM, (c, f), defaults.get("form", 0), {"category_id": c, "form_id": f})
    return records


def load_ladder(reference: Reference | None = None, path: Path = LADDER_FILE) -> tuple[list[dict], list[dict]]:
    """The ladder's steps and each form's step: (steps, forms), every form mapped exactly once."""
    reference = reference or load_reference()
    errors: list[InputError] = []
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputErrors([InputError(str(path), None, None, "filen ska vara en mappning")])
    check_keys(path, data, {"steps", "forms", "source"}, set(), errors)
    steps, by_id, levels = [], {}, set()
    id_lines: dict[str, int | None] = {}
    for item in _section(path, data, "steps", errors):
        if not isinstance(item, dict):
            errors.append(InputError(str(path), line_of(data), "steps", "varje steg ska vara en mappning"))
            continue
        check_keys(path, item, {"id", "name", "level", "description"}, set(), errors)
        ok = _texts_present(path, item, ("id", "name", "description"), errors)
        step_id = str(item.get("id")).strip()
        if ok and step_id in id_lines:
            errors.append(InputError(str(path), line_of(item), "id", f"finns redan på rad {id_lines[step_id]}"))
            ok = False
        level = item.get("level")
        if isinstance(level, bool) or not isinstance(level, int) or level < 1 or level in levels:
            errors.append(InputError(str(path), line_of(item), "level", "ska vara ett unikt heltal >= 1"))
            ok = False
        if not ok:
            continue
        levels.add(level)
        id_lines[step_id] = line_of(item)
        step = {
            "id": step_id,
            "name": str(item.get("name")).strip(),
            "level": level,
            "description": " ".join(str(item.get("description", "")).split()),
            "source": str(data.get("source") or ""),
        }
        steps.append(step)
        by_id[step["id"]] = step
    resolver = reference.resolver("forms")
    mapped: dict[str, int | None] = {}
    forms = []
    for item in _section(path, data, "forms", errors):
        if not isinstance(item, dict):
            errors.append(InputError(str(path), line_of(data), "forms", "varje post ska vara en mappning"))
            continue
        check_keys(path, item, {"form", "step", "rationale"}, set(), errors)
        form_id = _resolve(path, item, "form", resolver, _WHAT["forms"], errors)
        _texts_present(path, item, ("rationale",), errors)  # still mapped: no spurious "saknar steg" error
        step_id = item.get("step")
        if not isinstance(step_id, str) or step_id not in by_id:
            errors.append(InputError(str(path), line_of(item), "step", f"okänt steg {step_id!r} ({', '.join(by_id)})"))
            continue
        if form_id is None:
            continue
        if form_id in mapped:
            errors.append(InputError(str(path), line_of(item), "form", f"finns redan på rad {mapped[form_id]}"))
            continue
        mapped[form_id] = line_of(item)
        step = by_id[step_id]
        forms.append(
            {
                "form_id": form_id,
                "step_id": step_id,
                "step": step["name"],
                "level": step["level"],
                "rationale": " ".join(str(item.get("rationale", "")).split()),
                "source": step["source"],
            }
        )
    for form in reference.forms:
        if form["id"] not in mapped:
            errors.append(InputError(str(path), None, "forms", f"samverkansformen {form['id']!r} saknar steg"))
    if errors:
        raise InputErrors(errors)
    return sorted(steps, key=lambda s: s["level"]), forms


def _texts_present(path: Path, item: dict, keys: tuple[str, ...], errors: list[InputError]) -> bool:
    """True when every key holds non-blank text; a present but blank key is an error (a missing one is check_keys')."""
    ok = True
    for key in keys:
        value = item.get(key)
        if value is None or not str(value).strip():
            ok = False
            if key in item:
                errors.append(InputError(str(path), line_of(item), key, EMPTY))
    return ok


def load_graph_data(reference: Reference | None = None) -> GraphData:
    """Load and validate relevance.yml and ladder.yml together (all errors at once)."""
    reference = reference or load_reference()
    errors: list[InputError] = []
    relevance, steps, forms = [], [], []
    try:
        relevance = load_relevance(reference)
    except InputErrors as exc:
        errors += exc.errors
    try:
        steps, forms = load_ladder(reference)
    except InputErrors as exc:
        errors += exc.errors
    if errors:
        raise InputErrors(errors)
    return GraphData(relevance=relevance, ladder_steps=steps, ladder_forms=forms)


def _display(path: Path) -> str:
    """A path as stored in the db: relative to the repository, so builds do not depend on where it lives."""
    from kb.core.paths import ROOT

    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return Path(path).name
