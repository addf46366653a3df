"""Find person names in free text ("Kontakta Anna Svensson på fritid") so redact() can replace them by [namn].

A gazetteer plus capitalisation context, no model: the Swedish first and last names shipped in Faker
(provider person/sv_SE: Isof's 1 000 most common first names, Skatteverket's 500 most common last names),
and the rules below. Phrases the reference data, the forum registry and ingest/names.yml know as
organisations or places are never touched.

A capitalised run of words ("Anna Svensson", "Anna-Karin Lind") is a name from its first gazetteer first
name on; a first name alone is a name too, except an everyday word alone at the start of a sentence ("Per
capita"). A capitalised word followed by a known last name, or by a word with a typical last-name ending
("Aino Virtanen"), is a name; so is a run starting with a known last name ("Nguyen Van Minh"), and a
capitalised word after a person context ("kontaktperson Lindqvist"). In lower case only a gazetteer first
name that is no Swedish word followed by a gazetteer last name counts ("anna svensson"). A run with a
compound like "Bergman-teatern" is an organisation: kept.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.core.paths import INGEST_DIR

PERSON = "[namn]"
NAMES_FILE = INGEST_DIR / "names.yml"
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = tuple(".!?:;\n")
_OPENERS = " \t\"'“”„(«»–—-*•>"


@dataclass(frozen=True)
class NameRules:
    """Everything the name finder knows: gazetteer, kept phrases and context words."""

    first: frozenset[str]
    last: frozenset[str]
    ambiguous: frozenset[str]
    contexts: frozenset[str]
    endings: tuple[str, ...]
    keep: tuple[str, ...]


def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    from faker.providers.person.sv_SE import Provider

    first = frozenset(Provider.first_names_female) | frozenset(Provider.first_names_male)
    return first, frozenset(Provider.last_names)


def _reference_names() -> list[str]:
    """Names and aliases of the reference data and the forum registry's forums (empty if unreadable)."""
    from ingest.yamlfile import read_yaml
    from kb.core.errors import InputErrors

    names: list[str] = []
    files = sorted((INGEST_DIR / "reference").glob("*.yml")) + [INGEST_DIR / "data" / "forums.yml"]
    for path in files:
        try:
            data = read_yaml(path) if path.exists() else None
        except InputErrors:
            continue
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict):
                continue
            aliases = item.get("aliases") or []
            aliases = aliases.split(";") if isinstance(aliases, str) else aliases
            names += [str(v).strip() for v in [item.get("name"), *aliases] if isinstance(v, str) and v.strip()]
    return names


@lru_cache(maxsize=1)
def default_rules() -> NameRules:
    """The rules from the gazetteer, ingest/names.yml, the reference data and the forum registry."""
    from ingest.yamlfile import read_yaml, strip_lines

    data = strip_lines(read_yaml(NAMES_FILE))
    first, last = _gazetteer()
    keep = {*data["places"], *data["organisations"], *_reference_names()}
    return NameRules(
        first=first,
        last=last,
        ambiguous=frozenset(data["ambiguous_first_names"]),
        contexts=frozenset(w.lower() for w in data["person_contexts"]),
        endings=tuple(data["surname_endings"]),
        keep=tuple(sorted(keep, key=lambda k: (-len(k), k))),
    )


@lru_cache(maxsize=1)
def _dictionary():
    """hunspell-sv (a dependency of the coder) to tell everyday words from names; None if missing."""
    for base in (Path(sys.prefix), Path(sys.base_prefix), Path("/usr")):
        directory = base / "share" / "hunspell"
        if (directory / "sv_SE.dic").exists():
            try:
                from hunspell import Hunspell

                return Hunspell("sv_SE", hunspell_data_dir=str(directory))
            except ImportError:
                return None
    return None


def _is_word(token: str) -> bool:
    dictionary = _dictionary()
    return bool(dictionary and dictionary.spell(token.lower()))


def _capitalised(token: str) -> bool:
    return token[0].isupper() and not (len(token) > 1 and token.isupper())


def _forms(token: str) -> list[str]:
    """The token and its base without a genitive s ("Annas" -> "Anna")."""
    forms = [token]
    if len(token) > 3 and token.endswith("s"):
        forms.append(token[:-1])
    return forms


def _in(token: str, names: frozenset[str]) -> bool:
    if any(form in names for form in _forms(token)):
        return True
    parts = re.split(r"[-'’]", token)
    return len(parts) > 1 and all(p in names for p in parts)


def _surname_like(token: str, rules: NameRules) -> bool:
    return _in(token, rules.last) or any(
        form.lower().endswith(e) and len(form) > len(e) + 1 for form in _forms(token) for e in rules.endings
    )


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(_OPENERS)
    return not before or before.endswith(_SENTENCE_END)


def _protected_spans(text: str, keep: tuple[str, ...]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for phrase in keep:
        if phrase not in text:  # the same result (the pattern is the literal phrase), without building a regex
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            if not any(s < match.end() and match.start() < e for s, e in spans):
                spans.append(match.span())
    return spans


def _runs(text: str, tokens: list[re.Match]) -> list[list[int]]:
    """Indices of maximal runs of capitalised tokens separated by one space (or 'A. ' after an initial)."""
    runs: list[list[int]] = []
    for index, token in enumerate(tokens):
        if not _capitalised(token.group()):
            continue
        if runs and runs[-1][-1] == index - 1:
            previous = tokens[index - 1]
            gap = text[previous.end() : token.start()]
            if gap == " " or (gap == ". " and len(previous.group()) == 1):
                runs[-1].append(index)
                continue
        runs.append([index])
    return runs


def _marks_in_run(text: str, tokens: list[re.Match], run: list[int], rules: NameRules) -> set[int]:
    words = [tokens[i].group() for i in run]
    if any(re.search(r"-[a-zåäö]", w) for w in words):
        return set()  # "Bergman-teatern", "Astrid Lindgren-skolan": an organisation or a place
    marks: set[int] = set()
    before = text[: tokens[run[0]].start()].split()
    context = bool(before) and before[-1].lower().strip(",:") in rules.contexts
    initial = _sentence_initial(text, tokens[run[0]].start())
    position = 0
    while position < len(words):
        word = words[position]
        alone = len(words) == 1
        if word.lower() in rules.contexts:
            context, position = True, position + 1
            continue
        if _in(word, rules.first) and not (alone and initial and word in rules.ambiguous):
            end = min(len(words), position + 4)
            marks.update(run[position:end])
            position = end
            continue
        initial_dot = text[tokens[run[position]].end() :].startswith(".")
        if len(word) == 1 and initial_dot and position + 1 < len(words):  # an initial: "A. Svensson"
            marks.update(run[position : position + 2])
            position += 2
            continue
        following = words[position + 1] if position + 1 < len(words) else None
        starts_sentence = position == 0 and initial
        if following and _in(word, rules.last) and not (starts_sentence and _is_word(word)):
            end = min(len(words), position + 3)  # family name first: "Nguyen Van Minh"
            marks.update(run[position:end])
            position = end
            continue
        if following and _surname_like(following, rules) and not (starts_sentence and _is_word(word)):
            marks.update(run[position : position + 2])
            position += 2
            continue
        if context and (_in(word, rules.last) or _surname_like(word, rules) or following):
            marks.update(run[position : position + (2 if following else 1)])
            position += 2 if following else 1
            continue
        context = False
        position += 1
    return marks


def name_spans(text: str, rules: NameRules | None = None) -> list[tuple[int, int]]:
    """Character spans of person names in text, in order, merged where adjacent."""
    rules = rules or default_rules()
    protected = _protected_spans(text, rules.keep)
    tokens = [
        t for t in _TOKEN.finditer(text) if not any(s <= t.start() < e for s, e in protected) and t.group() != "namn"
    ]
    marks: set[int] = set()
    for run in _runs(text, tokens):
        marks |= _marks_in_run(text, tokens, run, rules)
    for index in range(len(tokens) - 1):  # lower case: "anna svensson"
        a, b = tokens[index], tokens[index + 1]
        first, last = a.group(), b.group()
        if (
            first.islower() and last.islower() and text[a.end() : b.start()] == " "
            and first.title() in rules.first and first.title() not in rules.ambiguous
            and last.title() in rules.last and not _is_word(first)
        ):
            marks |= {index, index + 1}
    spans: list[tuple[int, int]] = []
    for index in sorted(marks):
        start, end = tokens[index].span()
        if len(tokens[index].group()) == 1 and text[end : end + 1] == ".":
            end += 1  # the initial's full stop
        if spans and text[spans[-1][1] : start] in {" ", ". ", ""}:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def redact_names(text: str, rules: NameRules | None = None) -> str:
    """Replace every person name by [namn]."""
    for start, end in reversed(name_spans(text, rules)):
        text = text[:start] + PERSON + text[end:]
    return text


def find_names(text: str, rules: NameRules | None = None) -> list[str]:
    """The person names redact_names() would replace."""
    return [text[s:e] for s, e in name_spans(text, rules)]
