"""Read the civil-society questionnaire's Forms export (.xlsx or .csv) into validated answers (issue 12).

The organisations' side of the survey: one row per answer. Forms' metadata columns come first; the
respondent's name and e-mail are dropped at once and free text is redacted. Unlike the department
survey, answers are never merged: several answers from one organisation are kept apart, and aggregates
count each organisation once (`CivilAnswer.organisation_id`). The same tolerance for messy cells as the
department ingest: case, spaces, trailing separators, Swedish numbers.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.forms import ANONYMOUS, labelled_entity, metadata_role, note_repeated_question, resolve_choices
from ingest.redact import redact
from ingest.reference import REFERENCE_DIR, Reference, Resolver, normalise_label
from ingest.tables import column_name, read_table
from ingest.yamlfile import check_keys, read_yaml
from kb.core.errors import InputError, InputErrors
from kb.core.slug import slugify

SIDE = "civilsamhalle"
ORGANISATION = "Organisation"
CATEGORY = "Kategori"
STAFFED = "Anställd personal"
MEMBERS = "Antal medlemmar"
DEPARTMENT_PREFIX = "Samverkar med: "
GOAL_AREAS = "Delmålområden"
OCCASIONS = "Antal samverkanstillfällen under året"
TARGET_GROUPS = "Målgrupper"
FORUMS = "Forum"
DIFFICULT = "Vad upplever ni som svårt i samverkan med kommunen?"
POSITIVE = "Vad upplever ni som positivt i samverkan med kommunen?"
FREE_TEXT = {DIFFICULT: "svarighet", POSITIVE: "positivt"}
STAFFED_OPTIONS = {"ja": "ja", "nej": "nej"}
NO_NAME = ANONYMOUS | {"-", "–", "vill ej uppge", "ej angivet"}
OPTION_FILES = ("target_groups", "member_bands")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_APPROX = re.compile(r"^(?:ca\.?|cirka|ungefär|ung\.?|~)\s*")


def source_id(round_: int) -> str:
    """The provenance of a round's organisation answers: enkat-civilsamhalle-YEAR."""
    return f"enkat-civilsamhalle-{round_}"


@dataclass
class CivilAnswer:
    """One organisation's answer (one row of the export)."""

    number: int
    row: int
    organisation_name: str | None
    organisation_id: str
    category_id: str | None = None
    staffed: str | None = None
    members: str | None = None
    collaborations: set[tuple[str, str]] = field(default_factory=set)  # (department_id, form_id)
    goal_areas: set[str] = field(default_factory=set)
    occasions: int | None = None
    target_groups: set[str] = field(default_factory=set)
    forums: set[str] = field(default_factory=set)
    statements: list[tuple[str, str]] = field(default_factory=list)  # (kind, redacted text)


@dataclass
class CivilExport:
    """A validated organisation export."""

    file_name: str
    sha256: str
    rows: int
    answers: list[CivilAnswer]

    @property
    def organisations(self) -> int:
        return len({(a.category_id, a.organisation_id) for a in self.answers})


@dataclass
class CivilOptions:
    """The answer options: reference resolvers plus target groups, member bands and the forum registry."""

    reference: Reference
    target_groups: list[dict]
    member_bands: list[dict]
    forums: list[dict]

    def resolver(self, kind: str) -> Resolver:
        if kind in ("target_groups", "member_bands", "forums"):
            resolver = Resolver(kind)
            for record in getattr(self, kind):
                aliases = record.get("aliases") or ""
                resolver.add(record["id"], record["name"], [a for a in aliases.split(";") if a])
            return resolver
        return self.reference.resolver(kind)


def load_options_list(kind: str, directory: Path = REFERENCE_DIR) -> list[dict]:
    """A list of {name, aliases?} from ingest/reference/<kind>.yml as records with slug ids."""
    path = directory / f"{kind}.yml"
    items = read_yaml(path)
    errors: list[InputError] = []
    if not isinstance(items, list):
        raise InputErrors([InputError(str(path), None, None, "filen ska vara en lista")])
    records = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(InputError(str(path), None, None, f"post {position} ska vara en mappning"))
            continue
        check_keys(path, item, {"name"}, {"aliases", "id", "description"}, errors)
        name = str(item.get("name", "")).strip()
        if name:
            aliases = ";".join(str(a) for a in item.get("aliases") or [])
            records.append({"id": item.get("id") or slugify(name), "name": name, "aliases": aliases,
                            "position": position})
    if errors:
        raise InputErrors(errors)
    return records


def load_options(reference: Reference, forums: list[dict], directory: Path = REFERENCE_DIR) -> CivilOptions:
    return CivilOptions(reference, load_options_list("target_groups", directory),
                        load_options_list("member_bands", directory), forums)


def expected_headings(options: CivilOptions) -> list[str]:
    """The organisation questionnaire's columns, in order (without Forms' metadata columns)."""
    return [
        ORGANISATION, CATEGORY, STAFFED, MEMBERS,
        *[DEPARTMENT_PREFIX + d["name"] for d in options.reference.departments],
        GOAL_AREAS, OCCASIONS, TARGET_GROUPS, FORUMS, DIFFICULT, POSITIVE,
    ]


_SINGLE = {normalise_label(h): r for h, r in (
    (ORGANISATION, "organisation"), (CATEGORY, "category"), (STAFFED, "staffed"), (MEMBERS, "members"),
    (GOAL_AREAS, "goal_areas"), (OCCASIONS, "occasions"), (TARGET_GROUPS, "target_groups"), (FORUMS, "forums"),
)}
_REQUIRED = ((CATEGORY, "category"),)


def _classify(headings: list[str], options: CivilOptions, column_map: dict[str, str], name: str,
              errors: list[InputError]) -> dict[int, tuple[str, str | None]]:
    departments = options.resolver("departments")
    known = [normalise_label(h) for h in expected_headings(options)]
    roles: dict[int, tuple[str, str | None]] = {}
    seen: dict[str, int] = {}
    for index, raw in enumerate(headings):
        heading = column_map.get(normalise_label(raw), raw)
        key = normalise_label(heading)
        if not key:
            continue
        if role := metadata_role(key):
            roles[index] = role
        elif key in _SINGLE:
            roles[index] = (_SINGLE[key], None)
        elif key.startswith(normalise_label(DEPARTMENT_PREFIX)):
            department_id = labelled_entity(heading, raw, departments, "förvaltning", name, errors)
            if department_id is None:
                continue
            roles[index] = ("department", department_id)
        elif key in {normalise_label(k) for k in FREE_TEXT}:
            roles[index] = ("free_text", next(v for k, v in FREE_TEXT.items() if normalise_label(k) == key))
        else:
            hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            suggestion = f" (menade du {expected_headings(options)[known.index(hint[0])]!r}?)" if hint else ""
            errors.append(InputError(name, 1, raw or column_name(index), "okänd kolumn" + suggestion
                                     + ": mappa den till en fråga med --columns KARTA.yml, eller ta bort den ur filen"))
            continue
        note_repeated_question(roles[index], index, raw, seen, name, errors)
    present = {role for role, _ in roles.values()}
    for heading, role in _REQUIRED:
        if role not in present:
            errors.append(InputError(name, 1, heading, "obligatorisk kolumn saknas"))
    if "department" not in present:
        errors.append(InputError(name, 1, DEPARTMENT_PREFIX + "<förvaltning>",
                                 "inga kolumner för samverkan med förvaltningar: är det här förvaltningsenkäten? "
                                 "Läs in den utan --side civilsamhalle"))
    return roles


def _single(value: str, resolver: Resolver, what: str, name: str, number: int, column: str,
            errors: list[InputError]) -> str | None:
    """One choice: trailing separators are forgiven, two choices are an error."""
    choices = [c.strip() for c in value.split(";") if c.strip()]
    if not choices:
        return None
    if len(choices) > 1:
        errors.append(InputError(name, number, column, f"välj ett alternativ, inte {len(choices)} ({value!r})"))
        return None
    found = resolver.get(choices[0])
    if found is None:
        errors.append(InputError(name, number, column, resolver.unknown_message(choices[0], what)))
    return found


def parse_count(text: str) -> int | None:
    """A whole number as people write it: "1 200", "ca 12", "12,0", "-" or empty (= unknown)."""
    folded = _SPACES.sub(" ", text).strip().casefold()
    folded = _APPROX.sub("", folded).replace(" ", "")
    if folded in {"", "-", "–", "—"}:
        return None
    if re.fullmatch(r"\d+(?:[.,]0+)?", folded):
        return int(re.split(r"[.,]", folded)[0])
    raise ValueError(f"ska vara ett heltal (t.ex. 12 eller 1 200), inte {text!r}")


def parse_civil_export(path: Path, options: CivilOptions, round_: int, column_map: dict[str, str] | None = None,
                       display_name: str | None = None) -> CivilExport:
    """Validate an organisation export; raise InputErrors with every problem (file, row, column) at once."""
    name = display_name or path.name
    table = read_table(path)
    while table and not any(table[-1]):
        table.pop()
    if not table or not any(table[0]):
        raise InputErrors([InputError(name, None, None, "filen är tom: ingen rubrikrad")])
    errors: list[InputError] = []
    headings = table[0]
    roles = _classify(headings, options, column_map or {}, name, errors)
    if errors:
        raise InputErrors(errors)  # a wrong heading makes every row's errors noise
    data_rows = [(number, row) for number, row in enumerate(table[1:], start=2) if any(row)]
    if not data_rows:
        raise InputErrors([InputError(name, None, None, "filen innehåller inga svar (bara en rubrikrad)")])
    resolvers = {kind: options.resolver(kind) for kind in
                 ("categories", "forms", "goal_areas", "target_groups", "member_bands", "forums")}
    answers = []
    for count, (number, row) in enumerate(data_rows, start=1):
        cells = {index: (row[index] if index < len(row) else "") for index in roles}
        answer = CivilAnswer(count, number, None, f"svar-{count:05d}")
        category_given = False
        for index, (role, detail) in roles.items():
            value, column = cells[index], headings[index]
            if role in {"personal", "metadata"} or not value:
                continue
            if role == "organisation":
                if normalise_label(value) not in NO_NAME and slugify(value):
                    answer.organisation_name = " ".join(redact(value).split())
                    answer.organisation_id = slugify(answer.organisation_name)
            elif role == "category":
                category_given = bool(value.strip(" ;,"))
                answer.category_id = _single(value, resolvers["categories"], "kategori", name, number, column, errors)
            elif role == "members":
                answer.members = _single(value, resolvers["member_bands"], "storleksklass", name, number, column,
                                         errors)
            elif role == "staffed":
                answer.staffed = STAFFED_OPTIONS.get(normalise_label(value).strip(" ;."))
                if answer.staffed is None:
                    errors.append(InputError(name, number, column, f"svara Ja eller Nej, inte {value!r}"))
            elif role == "department":
                for form_id in resolve_choices(value, resolvers["forms"], "samverkansform", name, number, column,
                                                errors):
                    answer.collaborations.add((detail, form_id))
            elif role in {"goal_areas", "target_groups", "forums"}:
                what = {"goal_areas": "delmålområde", "target_groups": "målgrupp", "forums": "forum"}[role]
                getattr(answer, role).update(resolve_choices(value, resolvers[role], what, name, number, column,
                                                              errors))
            elif role == "occasions":
                try:
                    answer.occasions = parse_count(value)
                except ValueError as exc:
                    errors.append(InputError(name, number, column, str(exc)))
            elif role == "free_text":
                answer.statements.append((detail, redact(value)))
        if not category_given:
            errors.append(InputError(name, number, CATEGORY, "kategori saknas: välj en av de 15 kategorierna"))
        answers.append(answer)
    if errors:
        raise InputErrors(errors)
    return CivilExport(name, hashlib.sha256(path.read_bytes()).hexdigest(), len(data_rows), answers)
