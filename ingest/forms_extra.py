"""The questions the report asked the next round to add (from the round after 2022 on).

- "Antal tillfällen: <samverkansform>": how many occasions of the form the department had in the year, an
  optional whole number (empty = not known; "ca 10" or "flera" are refused, never guessed);
- "Målgrupper": target groups the collaboration reached, multiple choice from
  ingest/reference/target_groups.yml ("Annat" or "Annat: ..." is stored as `annat`, without the text);
- "Svarandes funktion": the respondent's function (a role such as "enhetschef"), never a name.

The civil-society questionnaire uses the same headings and the same target-group list.
"""

from __future__ import annotations

import re

from ingest.redact import redact
from ingest.reference import Reference, normalise_label
from kb.core.errors import InputError

OCCASIONS_PREFIX = "Antal tillfällen: "
TARGET_GROUPS = "Målgrupper"
FUNCTION = "Svarandes funktion"
NEW_QUESTIONS_FROM = 2023  # rounds from this year on are asked the new questions
OTHER = "annat"
_WHOLE_NUMBER = re.compile(r"^\d{1,3}(?:[ \u00a0]\d{3})*$|^\d+$")
MAX_FUNCTION_LENGTH = 80


def new_headings(reference: Reference, round_: int) -> list[str]:
    """The new questions' columns for a round (none before NEW_QUESTIONS_FROM)."""
    if round_ < NEW_QUESTIONS_FROM:
        return []
    return [*[OCCASIONS_PREFIX + f["name"] for f in reference.forms], TARGET_GROUPS, FUNCTION]


def classify(key: str, heading: str, reference: Reference) -> tuple[str, str | None] | None:
    """(role, detail) of a new question's normalised heading, ("unknown_form", label) for an occasions
    column naming no form, or None when the heading is not a new question."""
    if key.startswith(normalise_label(OCCASIONS_PREFIX)):
        label = heading.split(":", 1)[1]
        form_id = reference.resolver("forms").get(label)
        return ("occasions", form_id) if form_id else ("unknown_form", label.strip())
    if key == normalise_label(TARGET_GROUPS):
        return ("target_groups", None)
    if key == normalise_label(FUNCTION):
        return ("function", None)
    return None


def parse_occasions(value: str, name: str, number: int, column: str, errors: list[InputError]) -> int | None:
    """A whole number of occasions, or None for an empty cell; anything else is an error."""
    text = value.strip()
    if not text:
        return None
    if not _WHOLE_NUMBER.match(text):
        errors.append(InputError(name, number, column, f"ska vara ett heltal (antal tillfällen), inte {value!r}; "
                                                       "lämna cellen tom om antalet inte är känt"))
        return None
    return int(re.sub(r"\D", "", text))


def parse_target_groups(value: str, reference: Reference, name: str, number: int, column: str,
                        errors: list[InputError]) -> set[str]:
    """The target-group ids of a multiple-choice cell."""
    resolver = reference.resolver("target_groups")
    ids = set()
    for choice in (c.strip() for c in value.split(";")):
        if not choice:
            continue
        if normalise_label(choice).startswith(OTHER + ":") and resolver.get(OTHER):
            ids.add(OTHER)
            continue
        group = resolver.get(choice)
        if group is None:
            errors.append(InputError(name, number, column, resolver.unknown_message(choice, "målgrupp")
                                     + "; välj bland målgrupperna eller Annat"))
        else:
            ids.add(group)
    return ids


def parse_function(value: str, identities: list[str], name: str, number: int, column: str,
                   errors: list[InputError]) -> str | None:
    """The respondent's function as a role; a cell holding the respondent's name or e-mail is refused."""
    text = " ".join(value.split())
    if not text:
        return None
    key = normalise_label(text)
    for identity in identities:
        parts = [normalise_label(identity)] + [normalise_label(identity.split("@")[0].replace(".", " "))]
        if any(p and p in key for p in parts):
            errors.append(InputError(name, number, column, "ange funktionen (t.ex. enhetschef), inte ett namn"))
            return None
    if "@" in text or len(text) > MAX_FUNCTION_LENGTH:
        errors.append(InputError(name, number, column,
                                 f"ange bara funktionen (högst {MAX_FUNCTION_LENGTH} tecken, ingen e-postadress)"))
        return None
    return redact(text)
