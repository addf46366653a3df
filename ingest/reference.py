"""Reference data: rounds, sources, departments, categories, forms, goal areas, development areas, questions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR
from kb.core.slug import slugify

REFERENCE_DIR = INGEST_DIR / "reference"

# Entity lists named by file: (file stem, required keys, optional keys)
ENTITY_FILES = {
    "departments": ({"name"}, {"aliases", "description"}),
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

    def resolver(self, kind: str) -> Resolver:
        resolver = Resolver(kind)
        for record in getattr(self, kind):
            aliases = [a for a in (record.get("aliases") or "").split(";") if a]
            resolver.add(record["id"], record["name"], aliases)
        return resolver


def _load_entities(kind: str, directory: Path, errors: list[InputError]) -> list[dict]:
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
        record["source_id"] = "rapport-2022"
        records.append(record)
    return records


def _load_rounds(directory: Path, errors: list[InputError]) -> list[dict]:
    path = directory / "rounds.yml"
    records = []
    for item in read_yaml(path) or []:
        check_keys(
            path, item, {"round", "title", "departments", "source_id"}, {"survey_tool", "note", "note_url"}, errors
        )
        if not isinstance(item.get("round"), int):
            errors.append(InputError(str(path), line_of(item), "round", "ska vara ett årtal (heltal)"))
            continue
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


def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Load and validate every reference file; raise InputErrors listing all problems."""
    errors: list[InputError] = []
    entities = {kind: _load_entities(kind, directory, errors) for kind in ENTITY_FILES}
    reference = Reference(
        rounds=_load_rounds(directory, errors),
        sources=_load_sources(directory, errors),
        questions=_load_questions(directory, errors),
        **entities,
    )
    if errors:
        raise InputErrors(errors)
    return reference
