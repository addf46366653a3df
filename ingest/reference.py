"""Reference data: rounds, sources, departments, categories, forms, goal areas, development areas, questions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.lineage import Organisation, load_lineage, read_validity
from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR
from kb.core.slug import slugify

REFERENCE_DIR = INGEST_DIR / "reference"

# Entity lists named by file: (file stem, required keys, optional keys)
ENTITY_FILES = {
    "departments": ({"name"}, {"aliases", "description", "first_round", "last_round"}),
    "categories": ({"name"}, {"aliases", "description"}),
    "forms": ({"name"}, {"aliases", "description"}),
    "goal_areas": ({"name"}, {"aliases", "description"}),
    "development_areas": ({"name", "text"}, {"references"}),
}


def normalise_label(text: str) -> str:
    """The matching key of a label: NFC, case-folded, white space (incl. non-breaking) collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class Resolver:
    """Maps names, aliases and ids of one entity kind to ids, forgiving case and white space."""

    kind: str
    names: dict[str, str] = field(default_factory=dict)  # id -> canonical name
    keys: dict[str, str] = field(default_factory=dict)  # normalised label -> id

    def add(self, entity_id: str, name: str, aliases: list[str]) -> None:
        self.names[entity_id] = name
        for label in [entity_id, name, *aliases]:
            self.keys[normalise_label(label)] = entity_id

    def get(self, label: str) -> str | None:
        return self.keys.get(normalise_label(label))

    def suggest(self, label: str) -> str | None:
        """The nearest canonical name, for 'did you mean' messages.

        A name the label begins ("Avtal" -> "Avtal/kontrakt") wins; otherwise string similarity plus shared
        word stems ("Socialförvaltningen" -> "Förvaltningen för sociala insatser").
        """
        key = normalise_label(label)
        if not key:
            return None
        starts = [k for k in self.keys if len(key) >= 3 and k.startswith(key)]
        if starts:
            return self.names[self.keys[min(starts, key=len)]]

        def stems(text: str) -> set[str]:
            return {w[:5] for w in re.findall(r"\w+", text) if len(w) >= 4}

        def score(candidate: str) -> float:
            shared = len(stems(key) & stems(candidate)) / max(1, len(stems(key)))
            return difflib.SequenceMatcher(None, key, candidate).ratio() + 0.5 * shared

        best = max(self.keys, key=score)
        return self.names[self.keys[best]] if score(best) >= 0.6 else None

    def unknown_message(self, label: str, what: str) -> str:
        hint = self.suggest(label)
        adjective = "okänt" if what.endswith(("område", "id", "tema")) else "okänd"  # ett delmålområde, ett id
        message = f"{adjective} {what} {label!r}"
        return f"{message} (menade du {hint!r}?)" if hint else message


@dataclass
class Reference:
    """All reference records, ready for the database, plus resolvers from labels to ids."""

    rounds: list[dict]
    sources: list[dict]
    departments: list[dict]
    categories: list[dict]
    forms: list[dict]
    goal_areas: list[dict]
    development_areas: list[dict]
    questions: list[dict]
    target_groups: list[dict] = field(default_factory=list)  # questionnaire options from the round after 2022
    department_validity: list[dict] = field(default_factory=list)  # {department_id, first_round, last_round}
    lineage: list[dict] = field(default_factory=list)  # predecessor -> successor edges (ingest/lineage.py)

    def resolver(self, kind: str) -> Resolver:
        resolver = Resolver(kind)
        for record in getattr(self, kind):
            aliases = [a for a in (record.get("aliases") or "").split(";") if a]
            resolver.add(record["id"], record["name"], aliases)
        return resolver

    def organisation(self) -> Organisation:
        """Departments per round: validity and lineage."""
        return Organisation(
            names={d["id"]: d["name"] for d in self.departments},
            validity={v["department_id"]: (v["first_round"], v["last_round"]) for v in self.department_validity},
            edges=self.lineage,
        )


def _load_entities(
    kind: str, directory: Path, errors: list[InputError], validity: list[dict] | None = None,
    first_round: int | None = None,
) -> list[dict]:
    path = directory / f"{kind}.yml"
    required, optional = ENTITY_FILES[kind]
    items = read_yaml(path)
    if not isinstance(items, list):
        errors.append(InputError(str(path), None, None, "filen ska vara en lista"))
        return []
    records, seen = [], {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(InputError(str(path), None, None, f"post {position} ska vara en mappning"))
            continue
        check_keys(path, item, required, optional, errors)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        entity_id = slugify(name)
        if entity_id in seen:
            errors.append(
                InputError(str(path), line_of(item), "name", f"id {entity_id!r} finns redan på rad {seen[entity_id]}")
            )
            continue
        seen[entity_id] = line_of(item)
        record = {"id": entity_id, "name": name.strip(), "position": position}
        if kind == "development_areas":
            record["text"] = " ".join(str(item.get("text", "")).split())
            record["references"] = "\n".join(item.get("references") or [])
        else:
            record["aliases"] = ";".join(item.get("aliases") or [])
            record["description"] = item.get("description")
        if validity is not None:
            first, last = read_validity(item, path, first_round, errors)
            validity.append({"department_id": entity_id, "first_round": first, "last_round": last,
                             "source": f"ingest/reference/{kind}.yml:{line_of(item)}"})
        record["source_id"] = "rapport-2022"
        records.append(record)
    return records


def _load_rounds(directory: Path, errors: list[InputError]) -> list[dict]:
    path = directory / "rounds.yml"
    records, seen = [], {}
    for item in read_yaml(path) or []:
        check_keys(
            path, item, {"round", "title", "departments", "source_id"}, {"survey_tool", "note", "note_url"}, errors
        )
        if not isinstance(item.get("round"), int):
            errors.append(InputError(str(path), line_of(item), "round", "ska vara ett årtal (heltal)"))
            continue
        if item["round"] in seen:
            errors.append(InputError(str(path), line_of(item), "round",
                                     f"omgången {item['round']} finns redan på rad {seen[item['round']]}: "
                                     "varje år är en omgång"))
            continue
        seen[item["round"]] = line_of(item)
        records.append(
            {k: item.get(k) for k in ("round", "title", "departments", "survey_tool", "note", "note_url", "source_id")}
        )
    return records


def _load_sources(directory: Path, errors: list[InputError]) -> list[dict]:
    path = directory / "sources.yml"
    records = []
    for item in read_yaml(path) or []:
        check_keys(path, item, {"id", "kind", "title"}, {"publisher", "note", "url"}, errors)
        records.append({k: item.get(k) for k in ("id", "kind", "title", "publisher", "url", "note")})
    return records


def _load_questions(directory: Path, errors: list[InputError]) -> list[dict]:
    path = directory / "questions.yml"
    records = []
    for item in read_yaml(path) or []:
        check_keys(path, item, {"number", "text"}, {"measures"}, errors)
        text = str(item.get("text", ""))
        records.append(
            {
                "id": slugify(text),
                "number": item.get("number"),
                "text": text,
                "measures": item.get("measures"),
                "source_id": "rapport-2022",
            }
        )
    return records


def _load_target_groups(directory: Path, errors: list[InputError]) -> list[dict]:
    """target_groups.yml: a list of {id, name, aliases?}; ids are slugs; "annat" is required."""
    path = directory / "target_groups.yml"
    if not path.exists():
        return []
    records, seen = [], {}
    for position, item in enumerate(read_yaml(path) or [], start=1):
        if not isinstance(item, dict):
            errors.append(InputError(str(path), None, None, f"post {position} ska vara en mappning"))
            continue
        check_keys(path, item, {"id", "name"}, {"aliases"}, errors)
        entity_id, name = str(item.get("id") or ""), str(item.get("name") or "").strip()
        if not entity_id or slugify(entity_id) != entity_id:
            errors.append(InputError(str(path), line_of(item), "id", f"id {entity_id!r} ska vara en slug "
                                     f"(t.ex. {slugify(name or entity_id)!r})"))
            continue
        if entity_id in seen:
            errors.append(InputError(str(path), line_of(item), "id",
                                     f"id {entity_id!r} finns redan på rad {seen[entity_id]}"))
            continue
        seen[entity_id] = line_of(item)
        records.append({"id": entity_id, "name": name, "aliases": ";".join(item.get("aliases") or []),
                        "position": position, "source": "ingest/reference/target_groups.yml"})
    if records and "annat" not in seen:
        errors.append(InputError(str(path), None, "id", "alternativet 'annat' (Annat) saknas"))
    return records


def load_reference(directory: Path | None = None) -> Reference:
    """Load and validate every reference file; raise InputErrors listing all problems."""
    directory = directory or REFERENCE_DIR
    errors: list[InputError] = []
    rounds = _load_rounds(directory, errors)
    first_round = min((r["round"] for r in rounds), default=None)
    validity: list[dict] = []
    entities = {
        kind: _load_entities(kind, directory, errors, validity if kind == "departments" else None, first_round)
        for kind in ENTITY_FILES
    }
    reference = Reference(
        rounds=rounds,
        sources=_load_sources(directory, errors),
        questions=_load_questions(directory, errors),
        target_groups=_load_target_groups(directory, errors),
        department_validity=validity,
        **entities,
    )
    if (directory / "lineage.yml").exists():
        reference.lineage = load_lineage(
            directory / "lineage.yml", reference.resolver("departments"),
            {v["department_id"]: (v["first_round"], v["last_round"]) for v in validity}, errors)
    if errors:
        raise InputErrors(errors)
    return reference
