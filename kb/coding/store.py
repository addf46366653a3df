"""Coding tables and views in the SQLite db: themes, codings, and the views researchers query.

Tables:
- ``themes`` (id, kind, label, parent, is_group, definition, include, exclude, examples,
  codebook_version, position) and ``theme_development_areas`` (theme_id, development_area_id);
- ``codings``: one row per coded span (statement_id, theme_id, start, end, text, rule, layer,
  confidence, negated, coder, status, decided_by, decided_at, ..., model_score). ``coder`` is who proposed it
  (``regel:<version>`` for the machine, a name for a human); ``status`` is ``forslag``,
  ``accepterad`` or ``avvisad``; ``model_score`` is the trained classifier's score for the theme (the
  second opinion, kb.coding.combine) and ``confidence`` blends it with the rule layer's confidence;
- ``coding_log``: every human decision, so review can be undone.

Views (all built on ``coded_themes``: statement x theme, not negated, not rejected):
``theme_overview``, ``statement_themes``, ``theme_matrix``, ``theme_cooccurrence``,
``theme_by_department``. ``statement_themes`` also gives each theme its best confidence and a level:
``granskad`` (accepted by a human), ``säker`` (confidence >= ``TRUSTED``) or ``osäker`` (review first).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kb.coding.codebook import Codebook

PROPOSED, ACCEPTED, REJECTED = "forslag", "accepterad", "avvisad"
# A machine proposal at or above this confidence is "säker": on real text it was right in 86-91 % of cases
# (cross-validated on the tune split, then the test split of tests/data/real_statements.csv; README, issue 13).
TRUSTED = 0.7
STATUSES = (PROPOSED, ACCEPTED, REJECTED)
MACHINE_PREFIX = "regel:"

_TABLES = """
CREATE TABLE IF NOT EXISTS themes (
    id TEXT PRIMARY KEY, kind TEXT, label TEXT, parent TEXT, is_group INTEGER,
    definition TEXT, include TEXT, exclude TEXT, examples TEXT, codebook_version TEXT, position INTEGER
);
CREATE TABLE IF NOT EXISTS theme_development_areas (
    theme_id TEXT, development_area_id TEXT, PRIMARY KEY (theme_id, development_area_id)
);
CREATE TABLE IF NOT EXISTS codings (
    id TEXT PRIMARY KEY, statement_id TEXT NOT NULL, theme_id TEXT NOT NULL,
    start INTEGER, "end" INTEGER, text TEXT, rule TEXT, layer TEXT, confidence REAL,
    negated INTEGER NOT NULL DEFAULT 0, coder TEXT NOT NULL, status TEXT NOT NULL,
    decided_by TEXT, decided_at TEXT, created_at TEXT, codebook_version TEXT, note TEXT, model_score REAL
);
CREATE INDEX IF NOT EXISTS codings_statement ON codings(statement_id);
CREATE INDEX IF NOT EXISTS codings_theme ON codings(theme_id);
CREATE TABLE IF NOT EXISTS coding_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, coding_id TEXT, coder TEXT, action TEXT,
    old_status TEXT, new_status TEXT, at TEXT
);
"""

_VIEWS = {
    "coded_themes": """
        SELECT statement_id, theme_id,
               MAX(status = 'accepterad') AS accepted,
               GROUP_CONCAT(DISTINCT coder) AS coders,
               MAX(confidence) AS confidence
        FROM codings WHERE negated = 0 AND status != 'avvisad'
        GROUP BY statement_id, theme_id""",
    "theme_overview": """
        SELECT t.kind, t.id AS theme_id, t.label, t.parent,
               COUNT(DISTINCT ct.statement_id) AS statements,
               COUNT(DISTINCT s.department_id) AS departments,
               COUNT(DISTINCT CASE WHEN ct.accepted = 1 THEN ct.statement_id END) AS accepted,
               COUNT(DISTINCT CASE WHEN ct.accepted = 0 THEN ct.statement_id END) AS proposed
        FROM themes t
        LEFT JOIN coded_themes ct ON ct.theme_id = t.id
        LEFT JOIN statements s ON s.id = ct.statement_id
        WHERE t.is_group = 0
        GROUP BY t.id ORDER BY t.kind, t.position""",
    "statement_themes": f"""
        SELECT ct.statement_id, s.text, s.department_id, ct.theme_id,
               CASE WHEN ct.accepted = 1 THEN 'accepterad' ELSE 'forslag' END AS status,
               ct.coders AS coder, ct.confidence,
               CASE WHEN ct.accepted = 1 THEN 'granskad'
                    WHEN ct.confidence >= {TRUSTED} THEN 'säker' ELSE 'osäker' END AS confidence_level
        FROM coded_themes ct JOIN statements s ON s.id = ct.statement_id
        ORDER BY ct.statement_id, ct.theme_id""",
    "theme_cooccurrence": """
        SELECT a.theme_id AS theme_a, b.theme_id AS theme_b, COUNT(DISTINCT a.statement_id) AS statements
        FROM coded_themes a JOIN coded_themes b
          ON a.statement_id = b.statement_id AND a.theme_id < b.theme_id
        GROUP BY a.theme_id, b.theme_id ORDER BY statements DESC, theme_a, theme_b""",
    "theme_by_department": """
        SELECT ct.theme_id, s.department_id, d.name AS department, COUNT(DISTINCT s.id) AS statements
        FROM coded_themes ct JOIN statements s ON s.id = ct.statement_id
        LEFT JOIN departments d ON d.id = s.department_id
        GROUP BY ct.theme_id, s.department_id ORDER BY ct.theme_id, s.department_id""",
}


def now() -> str:
    """The current UTC time as ISO 8601 (seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def as_db(db: sqlite_utils.Database | str | Path) -> sqlite_utils.Database:
    """A Database for a path or an open Database."""
    return db if isinstance(db, sqlite_utils.Database) else sqlite_utils.Database(db)


def _theme_matrix_sql(db: sqlite_utils.Database) -> str:
    ids = [r[0] for r in db.execute("SELECT id FROM themes WHERE is_group = 0 ORDER BY kind, position")]
    columns = "".join(f",\n       MAX(CASE WHEN ct.theme_id = '{tid}' THEN 1 ELSE 0 END) AS \"{tid}\"" for tid in ids)
    return f"""
        SELECT s.id AS statement_id, s.round, s.kind, s.department_id{columns}
        FROM statements s LEFT JOIN coded_themes ct ON ct.statement_id = s.id
        GROUP BY s.id ORDER BY s.round, s.kind, s.position, s.id"""


def _ensure_base_tables(db: sqlite_utils.Database) -> None:
    """Empty statements/departments tables when the db has none yet (views need them)."""
    if not db["statements"].exists():
        db["statements"].create(
            {
                "id": str,
                "round": int,
                "kind": str,
                "department_id": str,
                "question_id": str,
                "text": str,
                "position": int,
                "source_id": str,
            },
            pk="id",
        )
    if not db["departments"].exists():
        db["departments"].create({"id": str, "name": str}, pk="id")


def ensure_coding_schema(db: sqlite_utils.Database | str | Path) -> sqlite_utils.Database:
    """Create the coding tables (if missing) and (re)create the views."""
    db = as_db(db)
    _ensure_base_tables(db)
    db.executescript(_TABLES)
    if "model_score" not in db["codings"].columns_dict:  # a db made before codebook 2026.1
        db.execute("ALTER TABLE codings ADD COLUMN model_score REAL")
    for name in ("theme_matrix", *reversed(_VIEWS)):
        db.execute(f"DROP VIEW IF EXISTS {name}")
    for name, sql in _VIEWS.items():
        db.execute(f"CREATE VIEW {name} AS {sql}")
    db.execute(f"CREATE VIEW theme_matrix AS {_theme_matrix_sql(db)}")
    db.conn.commit()
    return db


def write_codebook(db: sqlite_utils.Database | str | Path, codebook: Codebook) -> sqlite_utils.Database:
    """Replace the themes (and their development areas) with the codebook's; rebuild the views."""
    db = as_db(db)
    db.executescript(_TABLES)
    rows: list[dict[str, Any]] = []
    for i, parent in enumerate(codebook.parents):
        rows.append(
            {
                "id": parent.id,
                "kind": parent.kind,
                "label": parent.label,
                "parent": None,
                "is_group": 1,
                "definition": parent.definition,
                "include": "",
                "exclude": "",
                "examples": "[]",
                "codebook_version": codebook.version,
                "position": i,
            }
        )
    for i, theme in enumerate(codebook.themes):
        rows.append(
            {
                "id": theme.id,
                "kind": theme.kind,
                "label": theme.label,
                "parent": theme.parent,
                "is_group": 0,
                "definition": theme.definition,
                "include": theme.include,
                "exclude": theme.exclude,
                "examples": json.dumps(list(theme.examples), ensure_ascii=False),
                "codebook_version": codebook.version,
                "position": i,
            }
        )
    with db.conn:
        db.execute("DELETE FROM themes")
        db.execute("DELETE FROM theme_development_areas")
    db["themes"].insert_all(rows, pk="id")
    db["theme_development_areas"].insert_all(
        [{"theme_id": t.id, "development_area_id": a} for t in codebook.themes for a in t.development_areas],
        pk=("theme_id", "development_area_id"),
    )
    return ensure_coding_schema(db)


def coding_id(statement_id: str, theme_id: str, start: int | None, end: int | None, coder: str) -> str:
    """A stable id for a coding."""
    key = f"{statement_id}|{theme_id}|{start}|{end}|{coder}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def save_machine_codings(
    db: sqlite_utils.Database, results: Iterable[Any], codebook: Codebook, stamp: str | None = ""
) -> dict[str, int]:
    """Replace the machine's open proposals for the coded statements; keep every human decision.

    A new proposal is skipped when a coding of the same statement, theme and span already exists
    with a human decision (accepted or rejected) or from a human coder. `stamp` is the creation time
    recorded ("" = now; None = none, which `kb build` uses so that two builds are identical).
    """
    coder = codebook.coder
    stamp = now() if stamp == "" else stamp
    results = list(results)
    ids = [r.id for r in results]
    with db.conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            db.execute(
                f"DELETE FROM codings WHERE status = 'forslag' AND coder LIKE 'regel:%' AND statement_id IN ({marks})",
                chunk,
            )
    kept = {(r[0], r[1], r[2], r[3]) for r in db.execute('SELECT statement_id, theme_id, start, "end" FROM codings')}
    rows = []
    for result in results:
        for c in result.codings:
            if (result.id, c["theme"], c["start"], c["end"]) in kept:
                continue
            rows.append(
                {
                    "id": coding_id(result.id, c["theme"], c["start"], c["end"], coder),
                    "statement_id": result.id,
                    "theme_id": c["theme"],
                    "start": c["start"],
                    "end": c["end"],
                    "text": c["text"],
                    "rule": c["rule"],
                    "layer": c["layer"],
                    "confidence": c["confidence"],
                    "negated": int(c["negated"]),
                    "coder": coder,
                    "status": PROPOSED,
                    "decided_by": None,
                    "decided_at": None,
                    "created_at": stamp,
                    "codebook_version": codebook.version,
                    "note": None,
                    "model_score": c.get("model_score"),
                }
            )
    if rows:
        db["codings"].insert_all(rows, pk="id", replace=True)
    return {
        "statements": len(results),
        "proposed": sum(1 for r in rows if not r["negated"]),
        "negated": sum(1 for r in rows if r["negated"]),
        "kept_decisions": db.execute("SELECT COUNT(*) FROM codings WHERE status != 'forslag'").fetchone()[0],
    }


def decide(db: sqlite_utils.Database, coding: str, status: str, coder: str) -> None:
    """Record a human decision on a coding (accepterad / avvisad / forslag to undo).

    When another human has already decided on the coding, this coder's decision is kept beside it, as a
    coding of their own over the same span, so that both judgements count in `kb code agreement`.
    """
    if status not in STATUSES:
        raise ValueError(f"okänd status {status!r}")
    row = db["codings"].get(coding)
    if row["decided_by"] and row["decided_by"] != coder and status != PROPOSED:
        add_human_coding(db, row["statement_id"], row["theme_id"], coder, row["start"], row["end"], row["text"],
                         status=status)
        return
    stamp = now()
    db["codings"].update(
        coding,
        {
            "status": status,
            "decided_by": coder if status != PROPOSED else None,
            "decided_at": stamp if status != PROPOSED else None,
        },
    )
    db["coding_log"].insert(
        {
            "coding_id": coding,
            "coder": coder,
            "action": "decide",
            "old_status": row["status"],
            "new_status": status,
            "at": stamp,
        }
    )


def add_human_coding(
    db: sqlite_utils.Database,
    statement_id: str,
    theme_id: str,
    coder: str,
    start: int | None = None,
    end: int | None = None,
    text: str | None = None,
    status: str = ACCEPTED,
    note: str | None = None,
) -> str:
    """Add a coding made by a human (accepted by default); returns its id."""
    stamp = now()
    cid = coding_id(statement_id, theme_id, start, end, coder)
    db["codings"].insert(
        {
            "id": cid,
            "statement_id": statement_id,
            "theme_id": theme_id,
            "start": start,
            "end": end,
            "text": text,
            "rule": "manuell",
            "layer": "manuell",
            "confidence": 1.0,
            "negated": 0,
            "coder": coder,
            "status": status,
            "decided_by": coder if status != PROPOSED else None,
            "decided_at": stamp if status != PROPOSED else None,
            "created_at": stamp,
            "codebook_version": None,
            "note": note,
        },
        pk="id",
        replace=True,
    )
    db["coding_log"].insert(
        {"coding_id": cid, "coder": coder, "action": "add", "old_status": None, "new_status": status, "at": stamp}
    )
    return cid


def undo_last(db: sqlite_utils.Database, coder: str) -> dict[str, Any] | None:
    """Undo the coder's latest decision or addition; returns the log row undone."""
    rows = list(
        db.query(
            "SELECT * FROM coding_log WHERE coder = ? AND action IN ('decide', 'add') ORDER BY id DESC LIMIT 1",
            [coder],
        )
    )
    if not rows:
        return None
    last = rows[0]
    with db.conn:
        if last["action"] == "add":
            db.execute("DELETE FROM codings WHERE id = ?", [last["coding_id"]])
        else:
            restore = {"status": last["old_status"]}
            if last["old_status"] == PROPOSED:
                restore |= {"decided_by": None, "decided_at": None}
            db["codings"].update(last["coding_id"], restore)
        db.execute("UPDATE coding_log SET action = action || ':undone' WHERE id = ?", [last["id"]])
    return last
