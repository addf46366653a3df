"""What the publication needs in the built database: full-text search and the stored `kb verify` findings.

`kb build` calls these at its end, after every table is written:

    write_verify_findings(db)
    enable_search(db)
"""

from __future__ import annotations

import sqlite_utils

# table -> columns searched; a table that is missing (not built yet) is skipped
SEARCH_COLUMNS = {
    "statements": ["text"],
    "forums": ["name", "kind", "organiser", "purpose", "participants", "report_says", "note"],
}
STATUS_LABELS = {"ok": "stämmer", "kand": "känd inkonsekvens", "avvikelse": "avvikelse"}


def enable_search(db: sqlite_utils.Database) -> list[str]:
    """Create FTS5 indexes (`<table>_fts`) for statements and forums; returns the tables indexed."""
    indexed = []
    for table, columns in SEARCH_COLUMNS.items():
        if not db[table].exists():
            continue
        if db[f"{table}_fts"].exists():
            db[f"{table}_fts"].drop()
        db[table].enable_fts(columns, fts_version="FTS5", create_triggers=False, replace=True)
        indexed.append(table)
    return indexed


def write_verify_findings(db: sqlite_utils.Database) -> int:
    """Store every finding of kb.survey.verify.verify(db) in table `verify_findings`; returns the row count."""
    from kb.survey.verify import CHECK_LABELS, verify

    result = verify(db)
    rows = [
        {
            "id": position,
            "round": f["round"],
            "check_id": f["check"],
            "check_label": CHECK_LABELS.get(f["check"], f["check"]),
            "status": f["status"],
            "status_label": STATUS_LABELS.get(f["status"], f["status"]),
            "table_no": f["table_no"],
            "row_id": f["row_id"],
            "measure": f["measure"],
            "published": f["published"],
            "computed": f["computed"],
            "known_id": f["known_id"],
            "explanation": f["explanation"],
        }
        for position, f in enumerate(result["findings"], start=1)
    ]
    if db["verify_findings"].exists():
        db["verify_findings"].drop()
    db["verify_findings"].create(
        {
            "id": int,
            "round": int,
            "check_id": str,
            "check_label": str,
            "status": str,
            "status_label": str,
            "table_no": int,
            "row_id": str,
            "measure": str,
            "published": str,
            "computed": str,
            "known_id": str,
            "explanation": str,
        },
        pk="id",
    )
    db["verify_findings"].insert_all(rows)
    return len(rows)
