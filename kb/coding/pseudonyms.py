"""Reviewer identity: the published db names human coders only by a stable pseudonym (granskare-1, ...).

`kb code review --coder NAME` and `kb import qdpx` turn a name into its pseudonym before anything is
stored; the mapping from names to pseudonyms lives only in a local file outside the published db and
outside git (`.granskare.local.yml` in the repository root, git-ignored; `KB_CODER_MAP` names another).
A new name gets the next number not used by the mapping or by the codings already stored, so pseudonyms
stay stable across builds: the decisions file (ingest/data/coding_decisions.csv) holds only pseudonyms.
Agreement statistics work on the pseudonyms; `--coders` accepts either.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils
import yaml

from kb.core.paths import ROOT

PREFIX = "granskare-"
MAP_ENV = "KB_CODER_MAP"
DEFAULT_MAP = ROOT / ".granskare.local.yml"
_PSEUDONYM = re.compile(rf"^{PREFIX}[1-9]\d*$")
_MACHINE = re.compile(r"^regel(?::.*)?$")


def is_pseudonym(coder: str) -> bool:
    """A pseudonym (granskare-N)."""
    return bool(_PSEUDONYM.match(coder or ""))


def is_publishable(coder: str | None) -> bool:
    """What may stand in a published coder column: empty, the machine (regel:VERSION) or a pseudonym."""
    return not coder or bool(_MACHINE.match(coder)) or is_pseudonym(coder)


def map_path() -> Path:
    """The local mapping file (KB_CODER_MAP or .granskare.local.yml in the repository root)."""
    return Path(os.environ.get(MAP_ENV) or DEFAULT_MAP)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def load_map(path: Path | None = None) -> dict[str, str]:
    """{normalised name: pseudonym}; empty when there is no file yet."""
    path = path or map_path()
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items() if is_pseudonym(str(v))} if isinstance(data, dict) else {}


def used_pseudonyms(db: sqlite_utils.Database) -> set[str]:
    """Pseudonyms already in a db's codings and log."""
    used: set[str] = set()
    tables = set(db.table_names())
    queries = [("codings", "coder"), ("codings", "decided_by"), ("coding_log", "coder")]
    for table, column in queries:
        if table in tables:
            used |= {r[0] for r in db.execute(f"SELECT DISTINCT [{column}] FROM [{table}]") if is_pseudonym(r[0])}
    return used


def lookup(name: str, path: Path | None = None) -> str | None:
    """The pseudonym of a name (or the pseudonym itself), without assigning a new one."""
    name = name.strip()
    if is_pseudonym(name) or _MACHINE.match(name):
        return name
    return load_map(path).get(_key(name))


def pseudonym(name: str, path: Path | None = None, taken: Iterable[str] = ()) -> str:
    """The stable pseudonym of a coder's name, assigning the next free one (and saving it locally) if new."""
    name = name.strip()
    known = lookup(name, path)
    if known:
        return known
    path = path or map_path()
    mapping = load_map(path)
    numbers = [int(p[len(PREFIX) :]) for p in [*mapping.values(), *taken] if is_pseudonym(p)]
    assigned = f"{PREFIX}{max(numbers, default=0) + 1}"
    mapping[_key(name)] = assigned
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    header = "# Local only, never committed or published: coder name -> pseudonym used in the db.\n"
    tmp.write_text(header + yaml.safe_dump(mapping, allow_unicode=True, sort_keys=True), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return assigned
