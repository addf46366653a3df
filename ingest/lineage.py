"""The organisation per round: department validity (first and last round) and lineage between departments.

`ingest/reference/lineage.yml` says which earlier departments (or parts of them) a department continues.
Loading validates it (known departments, kinds, sources, no cycles, validity that agrees with the kind);
`Organisation` answers which department a name in a round's export means: a department valid in the round
is itself, an ended one is mapped to its only successor when the lineage makes that unambiguous, and is
refused otherwise. Only kb.core is imported here (ingest/reference.py builds on this module).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ingest.yamlfile import check_keys, line_of, read_yaml
from kb.core.errors import InputError

KINDS = ("same", "renamed", "merged", "split", "part")
KIND_LABELS = {"same": "samma", "renamed": "nytt namn", "merged": "sammanslagen", "split": "delad", "part": "del av"}
UNAMBIGUOUS = {"same", "renamed", "merged"}  # kinds along which an old name may be read as its successor
LINEAGE_SOURCE = "ingest/reference/lineage.yml"


class DepartmentResolver(Protocol):
    names: dict[str, str]

    def get(self, label: str) -> str | None: ...

    def unknown_message(self, label: str, what: str) -> str: ...


def read_validity(item: dict, path: Path, default_first: int | None, errors: list[InputError]) -> tuple:
    """(first_round, last_round) of a departments.yml entry; first defaults to the first survey round."""
    first, last = item.get("first_round", default_first), item.get("last_round")
    for key, value in (("first_round", first), ("last_round", last)):
        if value is not None and not isinstance(value, int):
            errors.append(InputError(str(path), line_of(item), key, "ska vara ett årtal (heltal)"))
            return default_first, None
    if first is not None and last is not None and last < first:
        errors.append(InputError(str(path), line_of(item), "last_round", f"{last} ligger före first_round {first}"))
    return first, last


def load_lineage(
    path: Path, departments: DepartmentResolver, validity: dict[str, tuple], errors: list[InputError]
) -> list[dict]:
    """The lineage edges (predecessor -> successor) of lineage.yml, validated; problems go to errors."""
    items = read_yaml(path) or []
    if not isinstance(items, list):
        errors.append(InputError(str(path), None, None, "filen ska vara en lista"))
        return []
    edges: list[dict] = []
    seen: dict[tuple[str, str], int | None] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(InputError(str(path), None, None, f"post {position} ska vara en mappning"))
            continue
        line = line_of(item)
        before = len(errors)
        check_keys(path, item, {"department", "continues", "kind", "source_url"}, {"note"}, errors)
        kind = item.get("kind")
        if kind not in KINDS:
            errors.append(InputError(str(path), line, "kind", f"okänd sort {kind!r}; giltiga: {', '.join(KINDS)}"))
        url = str(item.get("source_url") or "")
        if not url.startswith(("https://", "http://")):
            errors.append(InputError(str(path), line, "source_url", "ska vara en webbadress (https://...) till källan"))
        successor = _department(item.get("department"), departments, path, line, "department", errors)
        continues = item.get("continues")
        if isinstance(continues, str):
            continues = [continues]
        if not isinstance(continues, list) or not continues:
            errors.append(InputError(str(path), line, "continues", "ska vara en lista med minst en förvaltning"))
            continues = []
        predecessors = [_department(p, departments, path, line, "continues", errors) for p in continues]
        if kind in {"same", "renamed"} and len(continues) != 1:
            errors.append(InputError(str(path), line, "continues", f"sorten {kind} har exakt en föregångare"))
        if kind == "merged" and len(continues) < 2:
            errors.append(InputError(str(path), line, "continues", "sorten merged har minst två föregångare"))
        if len(errors) > before or successor is None:
            continue
        for predecessor in predecessors:
            if predecessor is None:
                continue
            if predecessor == successor:
                errors.append(InputError(str(path), line, "continues", "en förvaltning kan inte efterträda sig själv"))
                continue
            if (predecessor, successor) in seen:
                earlier = seen[predecessor, successor]
                errors.append(InputError(str(path), line, "continues",
                                         f"{departments.names[predecessor]!r} står redan på rad {earlier}"))
                continue
            seen[predecessor, successor] = line
            _check_rounds(predecessor, successor, kind, departments, validity, path, line, errors)
            edges.append({
                "predecessor_id": predecessor, "successor_id": successor, "kind": kind,
                "round": validity.get(successor, (None, None))[0], "source_url": url, "note": item.get("note"),
                "source_file": f"{LINEAGE_SOURCE}:{line}" if line else LINEAGE_SOURCE, "position": len(edges) + 1,
            })
    cycle = find_cycle([(e["predecessor_id"], e["successor_id"]) for e in edges])
    if cycle:
        chain = " -> ".join(departments.names.get(d, d) for d in cycle)
        errors.append(InputError(str(path), None, "continues", f"leden bildar en cirkel: {chain}"))
    return edges


def _department(label, departments: DepartmentResolver, path: Path, line, column: str,
                errors: list[InputError]) -> str | None:
    if not isinstance(label, str) or not label.strip():
        errors.append(InputError(str(path), line, column, "förvaltning saknas"))
        return None
    department_id = departments.get(label)
    if department_id is None:
        errors.append(InputError(str(path), line, column,
                                 departments.unknown_message(label, "förvaltning") + " (finns inte i departments.yml)"))
    return department_id


def _check_rounds(predecessor: str, successor: str, kind: str, departments: DepartmentResolver,
                  validity: dict[str, tuple], path: Path, line, errors: list[InputError]) -> None:
    """The successor starts after the predecessor; a predecessor that did not go on has ended before it."""
    names = departments.names
    first = validity.get(successor, (None, None))[0]
    pred_first, pred_last = validity.get(predecessor, (None, None))
    if first is None or (pred_first is not None and first <= pred_first):
        errors.append(InputError(str(path), line, "department",
                                 f"{names[successor]!r} behöver first_round i departments.yml, senare än "
                                 f"föregångarens ({pred_first})"))
        return
    if kind != "part" and (pred_last is None or pred_last >= first):
        errors.append(InputError(str(path), line, "continues",
                                 f"{names[predecessor]!r} ska ha last_round före {first} i departments.yml "
                                 f"(sorten {kind} betyder att den upphörde)"))


def find_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    """A cycle in the directed edges as [a, b, ..., a], or None."""
    graph: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        graph[a].append(b)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


@dataclass
class Mapping:
    """What a department name in a round's export means."""

    department_id: str | None
    notice: str | None = None
    error: str | None = None


@dataclass
class Organisation:
    """Departments per round: validity and lineage edges."""

    names: dict[str, str]
    validity: dict[str, tuple[int | None, int | None]]
    edges: list[dict] = field(default_factory=list)

    def valid_in(self, department_id: str, round_: int) -> bool:
        first, last = self.validity.get(department_id, (None, None))
        return (first is None or first <= round_) and (last is None or round_ <= last)

    def departments_in(self, round_: int) -> list[str]:
        return [d for d in self.names if self.valid_in(d, round_)]

    def successors_in(self, department_id: str, round_: int) -> dict[str, list[str]]:
        """Successors valid in round_, each with the kinds along the way (following chains of changes)."""
        found: dict[str, list[str]] = {}
        queue = [(department_id, [])]
        visited = {department_id}
        while queue:
            current, kinds = queue.pop(0)
            for edge in self.edges:
                if edge["predecessor_id"] != current or edge["successor_id"] in visited:
                    continue
                nxt, path = edge["successor_id"], [*kinds, edge["kind"]]
                visited.add(nxt)
                if self.valid_in(nxt, round_):
                    found[nxt] = path
                else:
                    queue.append((nxt, path))
        return found

    def predecessors(self, department_id: str) -> list[dict]:
        return [e for e in self.edges if e["successor_id"] == department_id]

    def map(self, department_id: str, label: str, round_: int) -> Mapping:
        """The department an export's name means in round_, with a notice when it was mapped."""
        if self.valid_in(department_id, round_):
            return Mapping(department_id)
        first, last = self.validity.get(department_id, (None, None))
        span = f"{first or '?'}-{last or ''}"
        successors = self.successors_in(department_id, round_)
        if not successors:
            return Mapping(None, error=f"förvaltningen {label!r} fanns inte omgång {round_} (giltig {span}) och har "
                                       "ingen efterträdare i ingest/reference/lineage.yml")
        names = ", ".join(repr(self.names[s]) for s in sorted(successors, key=list(self.names).index))
        if len(successors) == 1:
            (successor, kinds), = successors.items()
            if set(kinds) <= UNAMBIGUOUS:
                how = ", ".join(KIND_LABELS[k] for k in kinds)
                return Mapping(successor, notice=f"{label!r} fanns inte omgång {round_}: läst som "
                                                 f"{self.names[successor]!r} ({how} enligt lineage.yml)")
        return Mapping(None, error=f"förvaltningen {label!r} fanns inte omgång {round_} och är inte entydig: "
                                   f"den fortsätter i {names}; skriv vilken av dem som svarat")
