"""Read YAML files keeping the line number of every mapping, for error messages.

Hardened for files a user hands in: a size limit, an alias-expansion limit (a "billion laughs" file
refers to one anchor from many aliases and would explode when walked), and every parse failure (invalid
YAML, not UTF-8, nesting deeper than Python's recursion limit) reported as an InputError.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.core.errors import InputError, InputErrors

LINE_KEY = "__line__"
MAX_YAML_BYTES = 5 * 1024 * 1024  # the largest source file today is under 100 kB
MAX_YAML_NODES = 200_000  # nodes after expanding aliases


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


def _expanded_nodes(text: str) -> tuple[int, int | None]:
    """How many nodes the document has once every alias is expanded, and the line where it got too many."""
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            size = sizes.get(event.anchor, 1) if isinstance(event, yaml.AliasEvent) else 1
            if isinstance(event, yaml.ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            stack[-1][1] += size
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            stack.append([event.anchor, 1])
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            stack[-1][1] += size
        if stack[-1][1] > MAX_YAML_NODES or sum(s[1] for s in stack) > MAX_YAML_NODES:
            return MAX_YAML_NODES + 1, event.start_mark.line + 1 if event.start_mark else None
    return stack[0][1], None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; every mapping gets its 1-based line under LINE_KEY."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputErrors([InputError(name, None, None, "filen finns inte")]) from None
    except OSError as exc:
        raise InputErrors([InputError(name, None, None, f"filen kan inte läsas ({exc.strerror})")]) from None
    if len(data) > MAX_YAML_BYTES:
        message = f"filen är för stor ({len(data) // 1024} kB; högst {MAX_YAML_BYTES // 1024} kB)"
        raise InputErrors([InputError(name, None, None, message)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputErrors([InputError(name, line, None, "filen är inte UTF-8 (spara den som UTF-8)")]) from None
    try:
        nodes, line = _expanded_nodes(text)
        if nodes > MAX_YAML_NODES:
            message = f"för många värden ({MAX_YAML_NODES} eller fler efter att alias (*namn) expanderats)"
            raise InputErrors([InputError(name, line, None, message)])
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputErrors([InputError(name, line, None, f"ogiltig YAML: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise InputErrors([InputError(name, None, None, f"ogiltig YAML: {exc}")]) from None
    except RecursionError:
        raise InputErrors([InputError(name, None, None, "ogiltig YAML: för djupt nästlad")]) from None


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
