"""Load and validate the codebook (ingest/codebook.yml): themes, match rules, negation words.

Pure Python (no spaCy): the loader runs on quick paths such as `kb build`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.yamlfile import LINE_KEY, check_keys, line_of, read_yaml
from kb.coding.codebook_checks import PATTERN_KEYS, PATTERN_OPS  # noqa: F401 - re-exported
from kb.coding.codebook_checks import check_history as _history
from kb.coding.codebook_checks import check_pattern_token as _check_pattern_token
from kb.core.errors import InputError, InputErrors
from kb.core.paths import INGEST_DIR

DEFAULT_CODEBOOK = INGEST_DIR / "codebook.yml"
KINDS = ("svarighet", "positivt")
DEVELOPMENT_AREAS = (
    "kunskap-om-det-civila-samhallet-och-olika-samverkansmodeller",
    "karta-over-befintliga-samverkansforum",
    "goda-exempel-pa-samverkan",
    "forum-for-gemensam-samhallsanalys-och-omvarldsbevakning",
    "c-natverket",
    "upphandling-som-verktyg-for-att-framja-ideburen-valfard-och-sociala-foretag",
    "extern-finansiering",
    "lokaler",
    "en-vag-in",
)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Term:
    """A word or phrase that signals a theme."""

    text: str
    compound: bool = False
    prefix: bool = False
    compound_exclude: tuple[str, ...] = ()
    negatable: bool = False
    standalone: bool = True  # false: only as part of a compound (with compound/prefix), never the word alone

    @property
    def is_phrase(self) -> bool:
        return " " in self.text


@dataclass(frozen=True)
class Pattern:
    """A hand-written spaCy token pattern (BASE = any inflection of a word)."""

    name: str
    tokens: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Theme:
    """One code of the codebook."""

    id: str
    kind: str
    label: str
    parent: str | None
    definition: str
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    development_areas: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    exclude_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parent:
    """A grouping theme (not applied to text)."""

    id: str
    kind: str
    label: str
    definition: str = ""


@dataclass(frozen=True)
class Negation:
    """Words and phrases for negation, denial, lack and scope."""

    negators: tuple[str, ...] = ("inte", "ej")
    non_negations: tuple[str, ...] = ()
    denial: tuple[str, ...] = ()
    lack: tuple[str, ...] = ()
    scope_breakers: tuple[str, ...] = (",", ".", "men")


@dataclass(frozen=True)
class Codebook:
    """The whole codebook, validated."""

    version: str
    themes: tuple[Theme, ...]
    parents: tuple[Parent, ...] = ()
    negation: Negation = field(default_factory=Negation)
    history: tuple[tuple[str, str], ...] = ()  # (version, note), oldest first
    source: str = ""
    sha: str = ""

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def kind_of(self) -> dict[str, str]:
        return {t.id: t.kind for t in self.themes}

    @property
    def coder(self) -> str:
        """The machine coder's name: regel:<version>."""
        return f"regel:{self.version}"

    def to_data(self) -> dict[str, Any]:
        """A JSON-serialisable form (used by the spaCy component's config and to_disk)."""
        return {
            "version": self.version,
            "sha": self.sha,
            "negation": self.negation.__dict__ | {},
            "themes": [
                {
                    "id": t.id,
                    "kind": t.kind,
                    "terms": [term.__dict__ | {} for term in t.terms],
                    "patterns": [{"name": p.name, "tokens": list(p.tokens)} for p in t.patterns],
                    "exclude_phrases": list(t.exclude_phrases),
                }
                for t in self.themes
            ],
        }


_TOP_KEYS = {"version", "history", "negation", "parents", "themes"}
_PARENT_KEYS = {"id", "kind", "label"}
_PARENT_OPTIONAL = {"definition"}
_THEME_KEYS = {"id", "kind", "label", "definition"}
_THEME_OPTIONAL = {
    "parent",
    "include",
    "exclude",
    "examples",
    "development_areas",
    "terms",
    "patterns",
    "exclude_phrases",
}
_TERM_KEYS = {"term"}
_TERM_OPTIONAL = {"compound", "prefix", "compound_exclude", "negatable", "standalone"}
_NEGATION_KEYS = {"negators", "non_negations", "denial", "lack", "scope_breakers"}


def _strings(value: Any, path: Path, line: int | None, key: str, errors: list[InputError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.append(InputError(str(path), line, key, "ska vara en lista med icke-tomma texter"))
        return ()
    return tuple(v.strip() for v in value)


def _text(mapping: dict, key: str, path: Path, errors: list[InputError], required: bool = False) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(InputError(str(path), line_of(mapping), key, "ska vara en icke-tom text"))
        return ""
    return value.strip()


def _term(raw: Any, path: Path, line: int | None, where: str, errors: list[InputError]) -> Term | None:
    if isinstance(raw, str):
        raw = {"term": raw}
    if not isinstance(raw, dict):
        errors.append(InputError(str(path), line, where, "en term ska vara en text eller en mappning"))
        return None
    line = line_of(raw) or line
    before = len(errors)
    check_keys(path, raw, _TERM_KEYS, _TERM_OPTIONAL, errors)
    text = raw.get("term")
    if not isinstance(text, str) or not text.strip():
        errors.append(InputError(str(path), line, f"{where}.term", "ska vara en icke-tom text"))
    for flag in ("compound", "prefix", "negatable", "standalone"):
        if flag in raw and not isinstance(raw[flag], bool):
            errors.append(InputError(str(path), line, f"{where}.{flag}", "ska vara true eller false"))
    excl = _strings(raw.get("compound_exclude"), path, line, f"{where}.compound_exclude", errors)
    if len(errors) > before:
        return None
    return Term(
        text=" ".join(text.lower().split()),
        compound=bool(raw.get("compound", False)),
        prefix=bool(raw.get("prefix", False)),
        compound_exclude=tuple(e.lower() for e in excl),
        negatable=bool(raw.get("negatable", False)),
        standalone=bool(raw.get("standalone", True)),
    )


def _theme(raw: dict, path: Path, errors: list[InputError]) -> Theme | None:
    line = line_of(raw)
    before = len(errors)
    check_keys(path, raw, _THEME_KEYS, _THEME_OPTIONAL, errors)
    theme_id = raw.get("id")
    if not isinstance(theme_id, str) or not _ID.match(theme_id):
        errors.append(InputError(str(path), line, "id", f"ogiltigt id {theme_id!r} (gemener, siffror och -)"))
        theme_id = str(theme_id)
    where = f"themes[{theme_id}]"
    kind = raw.get("kind")
    if kind not in KINDS:
        errors.append(InputError(str(path), line, f"{where}.kind", f"ska vara en av {', '.join(KINDS)}"))
    label = _text(raw, "label", path, errors, required=True)
    definition = _text(raw, "definition", path, errors, required=True)
    parent = raw.get("parent")
    if parent is not None and not (isinstance(parent, str) and _ID.match(parent)):
        errors.append(InputError(str(path), line, f"{where}.parent", f"ska vara ett övertemas id, inte {parent!r}"))
    areas = _strings(raw.get("development_areas"), path, line, f"{where}.development_areas", errors)
    for area in areas:
        if area not in DEVELOPMENT_AREAS:
            errors.append(
                InputError(str(path), line, f"{where}.development_areas", f"okänt utvecklingsområde {area!r}")
            )
    terms: list[Term] = []
    raw_terms = raw.get("terms") or []
    if not isinstance(raw_terms, list):
        errors.append(InputError(str(path), line, f"{where}.terms", "ska vara en lista"))
        raw_terms = []
    for i, raw_term in enumerate(raw_terms):
        term = _term(raw_term, path, line, f"{where}.terms[{i}]", errors)
        if term:
            terms.append(term)
    patterns: list[Pattern] = []
    raw_patterns = raw.get("patterns") or []
    if not isinstance(raw_patterns, list):
        errors.append(InputError(str(path), line, f"{where}.patterns", "ska vara en lista"))
        raw_patterns = []
    for i, raw_pattern in enumerate(raw_patterns):
        pwhere = f"{where}.patterns[{i}]"
        if not isinstance(raw_pattern, dict):
            errors.append(InputError(str(path), line, pwhere, "ett mönster ska vara en mappning {name, pattern}"))
            continue
        pline = line_of(raw_pattern) or line
        check_keys(path, raw_pattern, {"name", "pattern"}, set(), errors)
        tokens = raw_pattern.get("pattern")
        if not isinstance(tokens, list) or not tokens:
            errors.append(InputError(str(path), pline, f"{pwhere}.pattern", "ska vara en icke-tom lista med tokens"))
            continue
        for token in tokens:
            _check_pattern_token(token, f"{pwhere}.pattern", path, pline, errors)
        if all(isinstance(t, dict) and t.get("OP") in ("?", "*") for t in tokens):
            errors.append(InputError(str(path), pline, f"{pwhere}.pattern", "mönstret kan matcha noll tokens"))
        name = raw_pattern.get("name")
        patterns.append(Pattern(name=str(name), tokens=tuple(_plain(t) for t in tokens)))
    if not terms and not patterns:
        errors.append(InputError(str(path), line, f"{where}.terms", "temat har varken termer eller mönster"))
    excl_phrases = _strings(raw.get("exclude_phrases"), path, line, f"{where}.exclude_phrases", errors)
    examples = _strings(raw.get("examples"), path, line, f"{where}.examples", errors)
    if len(errors) > before:
        return None
    return Theme(
        id=theme_id,
        kind=kind,
        label=label,
        parent=parent,
        definition=definition,
        include=_text(raw, "include", path, errors),
        exclude=_text(raw, "exclude", path, errors),
        examples=examples,
        development_areas=areas,
        terms=tuple(terms),
        patterns=tuple(patterns),
        exclude_phrases=tuple(p.lower() for p in excl_phrases),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_codebook(path: Path | str = DEFAULT_CODEBOOK) -> Codebook:
    """Read and validate a codebook; raise InputErrors naming file, line and key for every problem."""
    path = Path(path)
    data = read_yaml(path)
    errors: list[InputError] = []
    if not isinstance(data, dict):
        raise InputErrors([InputError(str(path), None, None, "kodboken ska vara en mappning")])
    check_keys(path, data, {"version", "themes"}, _TOP_KEYS - {"version", "themes"}, errors)
    version = data.get("version")
    if not isinstance(version, (str, int, float)) or not str(version).strip():
        errors.append(InputError(str(path), line_of(data), "version", "ska vara en icke-tom text"))
    negation = Negation()
    raw_neg = data.get("negation")
    if raw_neg is not None:
        if not isinstance(raw_neg, dict):
            errors.append(InputError(str(path), line_of(data), "negation", "ska vara en mappning"))
        else:
            check_keys(path, raw_neg, set(), _NEGATION_KEYS, errors)
            nline = line_of(raw_neg)
            values = {
                key: tuple(s.lower() for s in _strings(raw_neg.get(key), path, nline, f"negation.{key}", errors))
                for key in _NEGATION_KEYS
                if key in raw_neg
            }
            negation = Negation(**values)
    history = _history(data.get("history"), path, errors)
    parents: list[Parent] = []
    seen: dict[str, int | None] = {}

    def _claim(item_id: str, line: int | None, where: str) -> None:
        if item_id in seen:
            errors.append(
                InputError(str(path), line, where, f"dubblett av id {item_id!r} (först på rad {seen[item_id]})")
            )
        else:
            seen[item_id] = line

    for raw in data.get("parents") or []:
        if not isinstance(raw, dict):
            errors.append(InputError(str(path), line_of(data), "parents", "varje överteman ska vara en mappning"))
            continue
        check_keys(path, raw, _PARENT_KEYS, _PARENT_OPTIONAL, errors)
        pid = str(raw.get("id"))
        if not _ID.match(pid):
            errors.append(InputError(str(path), line_of(raw), "parents.id", f"ogiltigt id {pid!r}"))
        if raw.get("kind") not in KINDS:
            errors.append(
                InputError(str(path), line_of(raw), f"parents[{pid}].kind", f"ska vara en av {', '.join(KINDS)}")
            )
        _claim(pid, line_of(raw), f"parents[{pid}].id")
        parents.append(Parent(pid, str(raw.get("kind")), str(raw.get("label", "")), str(raw.get("definition", ""))))
    themes: list[Theme] = []
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        errors.append(InputError(str(path), line_of(data), "themes", "ska vara en icke-tom lista"))
        raw_themes = []
    for raw in raw_themes:
        if not isinstance(raw, dict):
            errors.append(InputError(str(path), line_of(data), "themes", "varje tema ska vara en mappning"))
            continue
        _claim(str(raw.get("id")), line_of(raw), f"themes[{raw.get('id')}].id")
        theme = _theme(raw, path, errors)
        if theme:
            themes.append(theme)
    parent_kind = {p.id: p.kind for p in parents}
    for theme in themes:
        if theme.parent is not None:
            if theme.parent not in parent_kind:
                errors.append(
                    InputError(str(path), None, f"themes[{theme.id}].parent", f"okänt övertema {theme.parent!r}")
                )
            elif parent_kind[theme.parent] != theme.kind:
                errors.append(InputError(str(path), None, f"themes[{theme.id}].parent", "övertemat har en annan kind"))
    if errors:
        raise InputErrors(errors)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Codebook(
        version=str(version).strip(),
        themes=tuple(themes),
        parents=tuple(parents),
        negation=negation,
        history=history,
        source=str(path),
        sha=sha,
    )
