"""Read a Microsoft Forms export (.xlsx, or .csv saved from it) into validated per-department responses.

One row per response. Forms writes metadata columns first (ID, times, e-mail, name), then one column per
question. Personal data never leaves this module: the e-mail and name columns are dropped, and free text
is redacted. Several responses from one department merge into one (the union of their choices).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest import forms_extra as extra
from ingest.redact import redact
from ingest.reference import Reference, normalise_label
from ingest.tables import column_name, read_table
from ingest.values import REPORTED, ValueParseError, parse_amount, parse_percent
from ingest.yamlfile import read_yaml
from kb.core.errors import InputError, InputErrors

DEPARTMENT = "Förvaltning"
CATEGORY_PREFIX = "Samverkan med: "
GOAL_AREAS = "Delmålområden"
FUNDING = "Utbetalda medel"
STAFFED = "Andel aktörer med anställd personal"
RESPONDENTS = "Antal svarande"  # written by our own sanitised copies, not by Forms
DIFFICULT = "Vad upplever ni som svårt med samverkan?"
POSITIVE = "Vad upplever ni som positivt med samverkan?"
FREE_TEXT = {DIFFICULT: "svarighet", POSITIVE: "positivt"}

# Metadata columns Forms writes, in English and Swedish. Personal ones are dropped at once.
ANONYMOUS = {"anonymous", "anonym", "anonymt"}  # what Forms writes when it collects no identity
PERSONAL_COLUMNS = {"email", "e-mail", "e-post", "epost", "e-postadress", "name", "namn"}
METADATA_COLUMNS = PERSONAL_COLUMNS | {
    "id",
    "start time",
    "starttid",
    "completion time",
    "sluttid",
    "tid för slutförande",
    "slutförandetid",
    "last modified time",
    "senast ändrad",
    "tid för senaste ändring",
    "senaste ändringstid",
}
_FUNDING_HEADING = re.compile(r"^utbetalda medel(?:\s+(\d{4}))?$")


@dataclass
class DepartmentResponse:
    """One department's merged answers for a round."""

    department_id: str
    rows: list[int] = field(default_factory=list)
    collaborations: set[tuple[str, str]] = field(default_factory=set)  # (category_id, form_id)
    goal_areas: set[str] = field(default_factory=set)
    funding: tuple[int | None, str, str] | None = None  # (amount, status, printed)
    funding_row: int | None = None
    staffed: tuple[float | None, str, str] | None = None
    staffed_row: int | None = None
    statements: list[tuple[str, str]] = field(default_factory=list)  # (kind, redacted text)
    respondents: set[str] = field(default_factory=set)  # hashes of names/e-mails, never stored
    declared_respondents: int = 0
    has_declared_column: bool = False
    occasions: dict[str, int] = field(default_factory=dict)  # form_id -> occasions (summed over rows)
    target_groups: set[str] = field(default_factory=set)
    functions: list[str] = field(default_factory=list)  # respondents' functions (roles), in order, no repeats

    @property
    def respondent_count(self) -> int | None:
        """Distinct respondents: as declared by a sanitised copy (empty = unknown), else distinct
        names/e-mails, else the number of rows."""
        if self.has_declared_column:
            return self.declared_respondents or None
        return len(self.respondents) or len(self.rows) or None


@dataclass
class FormsExport:
    """A validated export: per-department responses plus what the file was."""

    file_name: str
    sha256: str
    rows: int
    responses: dict[str, DepartmentResponse]
    funding_year: int | None
    notices: list[str] = field(default_factory=list)  # old department names read as their successors
    new_questions: bool = False  # the export has the questions added after 2022


def metadata_role(key: str) -> tuple[str, None] | None:
    """The role of a Forms metadata heading (personal data to drop, or other metadata), else None."""
    if key in PERSONAL_COLUMNS:
        return ("personal", None)
    if key in METADATA_COLUMNS:
        return ("metadata", None)
    return None


def labelled_entity(heading: str, raw: str, resolver, what: str, name: str, errors: list[InputError]) -> str | None:
    """The id a "Prefix: name" heading names; an error (row 1, the column) when the name is unknown."""
    label = heading.split(":", 1)[1]
    entity_id = resolver.get(label)
    if entity_id is None:
        errors.append(InputError(name, 1, raw, resolver.unknown_message(label.strip(), what)))
    return entity_id


def note_repeated_question(
    role: tuple[str, str | None], index: int, raw: str, seen: dict[str, int], name: str, errors: list[InputError]
) -> None:
    """An error when a question (not metadata) has a column already; remembers the column in seen."""
    if role[0] in {"metadata", "personal"}:
        return
    role_key = f"{role[0]}:{role[1]}"
    if role_key in seen:
        errors.append(InputError(name, 1, raw, f"samma fråga som kolumn {column_name(seen[role_key])}"))
    seen[role_key] = index


def load_column_map(path: Path | None) -> dict[str, str]:
    """A --columns MAP.yml: {heading in the export: heading in our questionnaire}."""
    if path is None:
        return {}
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputErrors([InputError(str(path), None, None, "kolumnkartan ska vara en mappning rubrik: rubrik")])
    return {normalise_label(str(k)): str(v) for k, v in data.items() if k != "__line__"}


def _split_choices(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def expected_headings(reference: Reference, round_: int) -> list[str]:
    """The questionnaire's columns, in order (without Forms' metadata columns)."""
    return [
        DEPARTMENT,
        *[CATEGORY_PREFIX + c["name"] for c in reference.categories],
        GOAL_AREAS,
        f"{FUNDING} {round_}",
        STAFFED,
        DIFFICULT,
        POSITIVE,
        *extra.new_headings(reference, round_),
    ]


def _classify_headings(
    headings: list[str],
    reference: Reference,
    column_map: dict[str, str],
    name: str,
    round_: int,
    errors: list[InputError],
) -> tuple[dict[int, tuple[str, str | None]], int | None]:
    """Map column index -> (role, detail). Roles: department, category, goal_areas, funding, staffed,
    free text kinds, metadata, personal."""
    categories = reference.resolver("categories")
    roles: dict[int, tuple[str, str | None]] = {}
    funding_year = None
    seen: dict[str, int] = {}
    for index, raw in enumerate(headings):
        heading = column_map.get(normalise_label(raw), raw)
        key = normalise_label(heading)
        column_letter = column_name(index)
        if not key:
            if raw == "":
                continue
        if role := metadata_role(key):
            roles[index] = role
        elif key == normalise_label(DEPARTMENT):
            roles[index] = ("department", None)
        elif key.startswith(normalise_label(CATEGORY_PREFIX)):
            category_id = labelled_entity(heading, raw, categories, "kategori", name, errors)
            if category_id is None:
                continue
            roles[index] = ("category", category_id)
        elif key == normalise_label(GOAL_AREAS):
            roles[index] = ("goal_areas", None)
        elif match := _FUNDING_HEADING.match(key):
            roles[index] = ("funding", None)
            if match.group(1):
                funding_year = int(match.group(1))
                if funding_year != round_:
                    errors.append(InputError(name, 1, raw, f"kolumnen gäller {funding_year} men omgången är {round_}"))
        elif key == normalise_label(RESPONDENTS):
            roles[index] = ("respondents", None)
        elif key == normalise_label(STAFFED):
            roles[index] = ("staffed", None)
        elif key in {normalise_label(k) for k in FREE_TEXT}:
            kind = next(v for k, v in FREE_TEXT.items() if normalise_label(k) == key)
            roles[index] = ("free_text", kind)
        elif new := extra.classify(key, heading, reference):
            if new[0] == "unknown_form":
                errors.append(InputError(name, 1, raw, reference.resolver("forms").unknown_message(
                    new[1], "samverkansform")))
                continue
            roles[index] = new
        else:
            errors.append(
                InputError(
                    name,
                    1,
                    raw or column_letter,
                    "okänd kolumn: mappa den till en fråga med --columns KARTA.yml, eller ta bort den ur filen",
                )
            )
            continue
        note_repeated_question(roles[index], index, raw, seen, name, errors)
    present = {role for role, _ in roles.values()}
    for role, heading in (
        ("department", DEPARTMENT),
        ("goal_areas", GOAL_AREAS),
        ("funding", f"{FUNDING} {round_}"),
        ("staffed", STAFFED),
    ):
        if role not in present:
            errors.append(InputError(name, 1, heading, "obligatorisk kolumn saknas"))
    found_categories = {detail for role, detail in roles.values() if role == "category"}
    for category in reference.categories:
        if category["id"] not in found_categories:
            errors.append(InputError(name, 1, CATEGORY_PREFIX + category["name"], "obligatorisk kolumn saknas"))
    return roles, funding_year


def parse_export(
    path: Path,
    reference: Reference,
    round_: int,
    column_map: dict[str, str] | None = None,
    display_name: str | None = None,
) -> FormsExport:
    """Validate a Forms export; raise InputErrors with every problem (file, row, column) at once."""
    name = display_name or path.name
    table = read_table(path, heading=DEPARTMENT)
    errors: list[InputError] = []
    while table and not any(table[-1]):
        table.pop()
    if not table or not any(table[0]):
        raise InputErrors([InputError(name, None, None, "filen är tom: ingen rubrikrad")])
    headings = table[0]
    roles, funding_year = _classify_headings(headings, reference, column_map or {}, name, round_, errors)
    if "department" not in {role for role, _ in roles.values()}:
        raise InputErrors(errors)  # without the department column no row can be read; the rest is reported
    data_rows = [(number, row) for number, row in enumerate(table[1:], start=2) if any(row)]
    if not data_rows:
        raise InputErrors([*errors, InputError(name, None, None, "filen innehåller inga svar (bara en rubrikrad)")])
    departments = reference.resolver("departments")
    organisation = reference.organisation()
    notices: list[str] = []
    forms = reference.resolver("forms")
    goals = reference.resolver("goal_areas")
    responses: dict[str, DepartmentResponse] = {}
    for number, row in data_rows:
        cells = {index: (row[index] if index < len(row) else "") for index in roles}
        heading = {index: headings[index] for index in roles}
        department_cell = next(cells[i] for i, (role, _) in roles.items() if role == "department")
        department_heading = next(heading[i] for i, (role, _) in roles.items() if role == "department")
        department_id = departments.get(department_cell) if department_cell else None
        if department_id is not None:
            mapping = organisation.map(department_id, department_cell, round_)  # an old name: its successor
            if mapping.error:
                errors.append(InputError(name, number, department_heading, mapping.error))
            elif mapping.notice:
                notices.append(f"{name}, rad {number}: {mapping.notice}")
            department_id = mapping.department_id or ""
        if department_id == "":
            response = DepartmentResponse("")  # refused above; the row's other cells are still checked
        elif department_id is None:
            message = (
                departments.unknown_message(department_cell, "förvaltning") if department_cell else "förvaltning saknas"
            )
            errors.append(InputError(name, number, department_heading, message))
            response = DepartmentResponse("")  # still check the row's other cells, so every error is reported
        else:
            response = responses.setdefault(department_id, DepartmentResponse(department_id))
        response.rows.append(number)
        identity = sorted(
            (normalise_label(headings[i]), cells[i])
            for i, (r, _) in roles.items()
            if r == "personal" and cells[i] and normalise_label(cells[i]) not in ANONYMOUS
        )
        identities = [cell for _, cell in identity]
        if identity:  # e-mail sorts before name: one respondent is one e-mail (or name)
            response.respondents.add(hashlib.sha256(normalise_label(identity[0][1]).encode()).hexdigest())
        for index, (role, detail) in roles.items():
            value, column = cells[index], heading[index]
            if role == "personal":
                continue
            if role == "category":
                for form_id in resolve_choices(value, forms, "samverkansform", name, number, column, errors):
                    response.collaborations.add((detail, form_id))
            elif role == "goal_areas":
                response.goal_areas.update(
                    resolve_choices(value, goals, "delmålområde", name, number, column, errors)
                )
            elif role in {"funding", "staffed"}:
                _merge_single(response, role, value, number, column, name, errors)
            elif role == "respondents":
                response.has_declared_column = True
                if not value:
                    continue
                if not value.isdigit():
                    errors.append(InputError(name, number, column, f"ska vara ett heltal, inte {value!r}"))
                else:
                    response.declared_respondents += int(value)
            elif role == "free_text" and value:
                response.statements.append((detail, redact(value)))
            elif role == "occasions":
                occasions = extra.parse_occasions(value, name, number, column, errors)
                if occasions is not None:
                    response.occasions[detail] = response.occasions.get(detail, 0) + occasions
            elif role == "target_groups":
                response.target_groups |= extra.parse_target_groups(value, reference, name, number, column, errors)
            elif role == "function":
                function = extra.parse_function(value, identities, name, number, column, errors)
                if function and function not in response.functions:
                    response.functions.append(function)
    if errors:
        raise InputErrors(errors)
    return FormsExport(
        file_name=name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        rows=len(data_rows),
        responses=dict(sorted(responses.items())),
        funding_year=funding_year,
        notices=notices,
        new_questions=any(role in {"occasions", "target_groups", "function"} for role, _ in roles.values()),
    )


def resolve_choices(value: str, resolver, what: str, name: str, number: int, column: str,
                     errors: list[InputError]) -> list[str]:
    """The ids of a multiple-choice cell; an unknown choice is an error with the nearest valid name."""
    ids = []
    for choice in _split_choices(value):
        entity_id = resolver.get(choice)
        if entity_id is None:
            errors.append(InputError(name, number, column, resolver.unknown_message(choice, what)))
        else:
            ids.append(entity_id)
    return ids


def _merge_single(
    response: DepartmentResponse, role: str, value: str, number: int, column: str, name: str, errors: list[InputError]
) -> None:
    parser = parse_amount if role == "funding" else parse_percent
    try:
        parsed, status = parser(value)
    except ValueParseError as exc:
        errors.append(InputError(name, number, column, str(exc)))
        return
    if status == "saknas":
        return
    current = getattr(response, role)
    if current is None or (current[1] != REPORTED and status == REPORTED):
        setattr(response, role, (parsed, status, value))
        setattr(response, f"{role}_row", number)
    elif (current[0], current[1]) != (parsed, status) and status == REPORTED:
        errors.append(
            InputError(
                name,
                number,
                column,
                f"motsäger rad {getattr(response, f'{role}_row')} för samma förvaltning ({current[2]!r} mot {value!r})",
            )
        )
