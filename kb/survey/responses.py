"""Write one round's survey responses into the database, replacing what the round had."""

from __future__ import annotations

import sqlite_utils

from ingest.exports import StoredExport, export_rows

RESPONSE_TABLES = ("collaborations", "department_goal_areas", "funding", "staffed_share", "responses")
NEW_QUESTION_TABLES = ("collaboration_occasions", "department_target_groups", "respondent_functions")


def survey_source_ids(db: sqlite_utils.Database) -> list[str]:
    return [r["id"] for r in db.query("SELECT id FROM sources WHERE kind IN ('enkatexport', 'rekonstruktion')")]


def write_responses(db: sqlite_utils.Database, stored: StoredExport) -> dict[str, int]:
    """Replace stored.round's response rows and survey statements with those of the export.

    The caller owns the transaction (the build writes everything in one).
    """
    round_, source = stored.round, stored.source
    if not db["sources"].exists() or not list(db.query("SELECT 1 FROM sources WHERE id = ?", [source["id"]])):
        db["sources"].insert(source)
    if not list(db.query("SELECT 1 FROM rounds WHERE round = ?", [round_])):
        db["rounds"].insert(
            {
                "round": round_,
                "title": f"Inventering av samverkan med det civila samhället {round_}",
                "departments": len(stored.export.responses),
                "survey_tool": "Forms i Office 365",
                "source_id": source["id"],
            }
        )
    survey_sources = survey_source_ids(db)
    marks = ",".join("?" * len(survey_sources)) or "NULL"
    db.execute(f"DELETE FROM statements WHERE round = ? AND source_id IN ({marks})", [round_, *survey_sources])
    for table in (*NEW_QUESTION_TABLES, *RESPONSE_TABLES):
        db.execute(f"DELETE FROM [{table}] WHERE round = ?", [round_])
    db.execute("DELETE FROM ingests WHERE round = ?", [round_])
    grouped: dict[str, list[dict]] = {}
    for row in export_rows(stored.export):
        table = row.pop("table")
        row.update({"round": round_, "source_id": source["id"]})
        if table == "statements":
            row["id"] = f"{round_}-{row['department_id']}-{row['kind']}-{row['position']:02d}"
            row["question_id"] = "vad-upplever-forvaltningar-som-svart-respektive-positivt-med-samverkan"
        grouped.setdefault(table, []).append(row)
    for table in ("responses", *RESPONSE_TABLES[:-1], "statements", *NEW_QUESTION_TABLES):
        if grouped.get(table):
            db[table].insert_all(grouped[table])
    manifest = stored.manifest
    db["ingests"].insert(
        {
            "id": f"{round_}-{manifest.get('sha256', stored.export.sha256)[:16]}",
            "round": round_,
            "file_name": manifest.get("original_name", manifest["file"]),
            "sha256": manifest.get("sha256", stored.export.sha256),
            "rows": manifest.get("rows", stored.export.rows),
            "departments": len(stored.export.responses),
            "ingested_at": manifest.get("ingested_at"),
            "source_id": source["id"],
        }
    )
    return {table: len(rows) for table, rows in grouped.items()}
