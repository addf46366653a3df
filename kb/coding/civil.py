"""Code the organisations' free text with the departments' codebook (issue 12): table ``civil_codings``.

The same rule coder and codebook as the department statements (kinds svarighet/positivt), so that the
theme shares of both sides can be set side by side. Machine proposals only: the review commands work on
the department statements.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

CIVIL_CODINGS_SQL = """
CREATE TABLE IF NOT EXISTS civil_codings (
    statement_id TEXT NOT NULL REFERENCES civil_statements(id), theme_id TEXT NOT NULL,
    start INTEGER, "end" INTEGER, text TEXT, rule TEXT, coder TEXT NOT NULL,
    PRIMARY KEY (statement_id, theme_id, start)
);
"""


def code_civil_statements(db: sqlite_utils.Database, codebook_path: Path | None = None,
                          cache_root: Path | None = None) -> int:
    """Replace civil_codings with the rule coder's themes of every civil statement; returns the row count."""
    db.conn.executescript(CIVIL_CODINGS_SQL)
    db.execute("DELETE FROM civil_codings")
    if "civil_statements" not in db.table_names():
        return 0
    rows = [(r[0], r[1] or "", r[2]) for r in db.execute("SELECT id, text, kind FROM civil_statements ORDER BY id")]
    if not rows:
        return 0
    from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook
    from kb.coding.pipeline import code_texts, load_pipeline

    codebook = load_codebook(codebook_path or DEFAULT_CODEBOOK)
    nlp = load_pipeline(codebook, cache_root)
    out, seen = [], set()
    for result in code_texts(nlp, rows):
        for c in result.themes:
            key = (result.id, c["theme"], c["start"])
            if key not in seen:
                seen.add(key)
                out.append({"statement_id": result.id, "theme_id": c["theme"], "start": c["start"], "end": c["end"],
                            "text": c["text"], "rule": c.get("rule"), "coder": codebook.coder})
    if out:
        db["civil_codings"].insert_all(out)
    return len(out)
