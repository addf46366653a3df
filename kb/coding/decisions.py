"""Human coding decisions kept as a reviewable file, so that `kb build` keeps them.

The database is a build product. Decisions made in it (`kb code review`, `kb import qdpx`) are saved to
`ingest/data/coding_decisions.csv` (a full, sorted snapshot of every human decision and human-added
coding), and every build replays that file after the machine has coded.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlite_utils

from kb.coding.pseudonyms import is_publishable
from kb.core.errors import InputError, InputErrors
from kb.core.output import excel_safe, excel_unescape
from kb.core.paths import INGEST_DIR

DECISIONS_PATH = INGEST_DIR / "data" / "coding_decisions.csv"
COLUMNS = [
    "id",
    "statement_id",
    "theme_id",
    "start",
    "end",
    "text",
    "rule",
    "layer",
    "confidence",
    "coder",
    "status",
    "decided_by",
    "decided_at",
    "codebook_version",
    "note",
]
_INTEGER = {"start", "end"}


def human_codings(db: sqlite_utils.Database) -> list[dict]:
    """Every coding a human decided on or added, in id order."""
    sql = f"""SELECT {", ".join(f'"{c}"' for c in COLUMNS)} FROM codings
              WHERE status != 'forslag' OR coder NOT LIKE 'regel:%' ORDER BY id"""
    return [dict(row) for row in db.query(sql)]


def save_decisions(db: sqlite_utils.Database, path: Path = DECISIONS_PATH) -> int:
    """Write the snapshot of human decisions; returns how many rows it holds."""
    rows = human_codings(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: excel_safe(v) for k, v in row.items()} for row in rows)
    tmp.replace(path)
    return len(rows)


def load_decisions(path: Path = DECISIONS_PATH) -> list[tuple[int, dict]]:
    """(line, row) of the decisions file; empty when there is none."""
    if not path.exists():
        return []
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(enumerate(csv.DictReader(handle), start=2))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputErrors([InputError(str(path), None, None, f"filen kan inte läsas som CSV UTF-8 ({exc})")]) from None
    errors = []
    for line, row in rows:
        for key in COLUMNS:
            value = row.get(key)
            value = excel_unescape(value) if isinstance(value, str) else value
            row[key] = None if value in ("", None) else value
            try:
                if row[key] is not None and key in _INTEGER:
                    row[key] = int(row[key])
                elif row[key] is not None and key == "confidence":
                    row[key] = float(row[key])
            except (TypeError, ValueError):
                errors.append(InputError(str(path), line, key, f"ska vara ett tal, inte {row[key]!r}"))
    if errors:
        raise InputErrors(errors)
    return rows


def apply_decisions(db: sqlite_utils.Database, path: Path = DECISIONS_PATH) -> int:
    """Replay the saved decisions onto freshly coded codings; raises InputErrors for rows that do not fit."""
    rows = load_decisions(path)
    if not rows:  # no decisions file (or an empty one): nothing to replay, no human coding to win
        return 0
    statements = {r[0] for r in db.execute("SELECT id FROM statements")}
    themes = {r[0] for r in db.execute("SELECT id FROM themes")}
    errors = []
    for line, row in rows:
        if row["statement_id"] not in statements:
            errors.append(InputError(str(path), line, "statement_id", f"okänt svar {row['statement_id']!r}"))
        if row["theme_id"] not in themes:
            errors.append(InputError(str(path), line, "theme_id", f"okänt tema {row['theme_id']!r}"))
        if row["status"] not in {"forslag", "accepterad", "avvisad"}:
            errors.append(InputError(str(path), line, "status", f"okänd status {row['status']!r}"))
        for column in ("coder", "decided_by"):  # issue 15: no reviewer's name reaches the published db
            if not is_publishable(row[column]):
                message = f"{row[column]!r} är inget pseudonymt kodar-id (granskare-N eller regel:VERSION)"
                errors.append(InputError(str(path), line, column, message))
    if errors:
        raise InputErrors(errors)
    for _line, row in rows:
        record = {**row, "negated": 0}
        existing = db["codings"].count_where("id = ?", [row["id"]])
        if existing:
            db["codings"].update(row["id"], {k: row[k] for k in ("status", "decided_by", "decided_at", "note")})
        else:
            db["codings"].insert(record, pk="id")
    # A decision made under an older codebook version has another coding id than today's proposal for the
    # same span: the human decision wins, the duplicate proposal goes. Keyed by the few human codings and
    # looked up through the statement index (issue 20: a correlated EXISTS over every coding chose the
    # theme index and took about 2 s on 2,000 responses, on every build).
    human = db.execute(
        """SELECT id, statement_id, theme_id, start, "end" FROM codings
           WHERE status != 'forslag' OR coder NOT LIKE 'regel:%'"""
    ).fetchall()
    db.conn.executemany(
        """DELETE FROM codings INDEXED BY codings_statement
           WHERE statement_id = ? AND theme_id = ? AND start IS ? AND "end" IS ? AND id != ?
           AND status = 'forslag' AND coder LIKE 'regel:%'""",
        [(statement, theme, start, end, id_) for id_, statement, theme, start, end in human],
    )
    return len(rows)
