"""Shared strategies and the loaders' contract for the fuzz suite (issue 15).

Contract for every loader a user feeds: it returns, or raises InputErrors whose every error names the
file; never another exception (which would reach the user as a traceback).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kb.core.errors import InputErrors

settings.register_profile(
    "fuzz", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FUZZ = settings.get_profile("fuzz")

# Text that breaks naive parsers: separators, quotes, formula starts, control and combining characters.
NASTY = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(";,\t\"'\n\r=+-@:*&!%#|>{}[]åäöÅÄÖé\u00a0\u0308\u200b\ufeff\x00\x1b")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=40,
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True), NASTY,
    st.sampled_from(["javascript:alert(1)", "2024-02-30", "1e309", "-", "=1+1", "~", "null", "yes", ""]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(NASTY, children, max_size=4)),
    max_leaves=12,
)


def check_contract(call: Callable[[], Any], file_name: str) -> InputErrors | None:
    """Run a loader; a refusal must be InputErrors naming the file in every error."""
    try:
        call()
    except InputErrors as exc:
        assert exc.errors, "a refusal without a message"
        for error in exc.errors:
            assert file_name in error.file, (file_name, str(error))
            assert error.message.strip()
        return exc
    return None


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += _paths(value, (*prefix, index))
    return paths


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@lru_cache(maxsize=8)
def _original(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader


@st.composite
def mutated_yaml(draw, original: Path) -> str:
    """The text of a real source file with a few values replaced, keys dropped or added, or the text cut."""
    data = copy.deepcopy(_original(original))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "drop", "add", "duplicate"]))
        if not path:
            data = draw(VALUES) if action == "replace" else data
            continue
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "drop":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(NASTY)] = draw(VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    text = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()) and draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # a file cut short
    return text
