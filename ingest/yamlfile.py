"""Read YAML files keeping the line number of every mapping, for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.core.errors import InputError, InputErrors

LINE_KEY = "__line__"


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~5x faster


class _LineLoader(_BaseLoader):
    # Dates stay text ("2024-02-30" is then an error a loader reports with file and line, not a crash).
    yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"nyckeln {key!r} förekommer två gånger", key_node.start_mark
                )
            seen.add(key)
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; every mapping gets its 1-based line under LINE_KEY."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except FileNotFoundError:
        raise InputErrors([InputError(str(path), None, None, "filen finns inte")]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputErrors([InputError(str(path), line, None, f"ogiltig YAML: {exc.problem}")]) from None


def line_of(mapping: Any) -> int | None:
    """The line a mapping started on, if known."""
    return mapping.get(LINE_KEY) if isinstance(mapping, dict) else None


def strip_lines(value: Any) -> Any:
    """A copy of value without the line bookkeeping keys."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def check_keys(path: Path, mapping: dict, required: set[str], optional: set[str], errors: list[InputError]) -> None:
    """Record an error for each missing required key and each unknown key of a mapping."""
    line = line_of(mapping)
    keys = set(mapping) - {LINE_KEY}
    for key in sorted(required - keys):
        errors.append(InputError(str(path), line, key, "obligatoriskt fält saknas"))
    for key in sorted(keys - required - optional):
        errors.append(InputError(str(path), line, key, "okänt fält"))
