"""`kb build`: load every source file under ingest/ and write the database atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ingest.exports import EXPORTS_DIR, StoredExport, load_stored_exports
from ingest.figures import load_known_inconsistencies, load_published_figures, load_report_statements
from ingest.forums import FORUMS_FILE, load_forums
from ingest.graph_data import GraphData, load_graph_data
from ingest.reference import Reference, load_reference
from ingest.values import STATUSES
from kb import __version__
from kb.coding import code_database
from kb.coding.decisions import DECISIONS_PATH, apply_decisions
from kb.db import atomic_database, create_schema
from kb.fingerprint import fingerprint
from kb.forums import write_forums
from kb.graph_store import write_graph_tables
from kb.paths import DEFAULT_DB
from kb.publish_db import enable_search, write_verify_findings
from kb.responses import write_responses


@dataclass
class BuildInputs:
    """Everything a build writes, loaded and validated before the database is touched."""

    reference: Reference
    figures: list[dict]
    statements: list[dict]
    known_inconsistencies: list[dict]
    exports: list[StoredExport]
    graph: GraphData | None = None
    forums: list[dict] = field(default_factory=list)
    decisions_path: Path = DECISIONS_PATH
    counts: dict[str, int] = field(default_factory=dict)


def load_inputs(exports_dir: Path = EXPORTS_DIR, forums_file: Path = FORUMS_FILE) -> BuildInputs:
    """Read and validate all source files (raises InputErrors naming file, line and field)."""
    reference = load_reference()
    return BuildInputs(
        reference=reference,
        figures=load_published_figures(reference),
        statements=load_report_statements(),
        known_inconsistencies=load_known_inconsistencies(),
        exports=load_stored_exports(reference, exports_dir),
        graph=load_graph_data(reference),
        forums=load_forums(forums_file, reference=reference),
    )


def write_reference(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    ref = inputs.reference
    db["sources"].insert_all(ref.sources)
    db["value_statuses"].insert_all({"id": k, "label": v} for k, v in STATUSES.items())
    db["rounds"].insert_all(ref.rounds)
    for table in ("departments", "categories", "forms", "goal_areas", "development_areas", "questions"):
        db[table].insert_all(getattr(ref, table))
    db["published_figures"].insert_all(inputs.figures)
    db["statements"].insert_all(inputs.statements)
    db["known_inconsistencies"].insert_all(inputs.known_inconsistencies)


def build(
    db_path: Path | str = DEFAULT_DB, exports_dir: Path = EXPORTS_DIR, forums_file: Path = FORUMS_FILE
) -> dict[str, int]:
    """Build the database at db_path from ingest/; the old file survives any failure.

    Returns the row count of every table.
    """
    inputs = load_inputs(exports_dir, forums_file)
    with atomic_database(db_path) as db:
        create_schema(db)
        write_reference(db, inputs)
        write_forums(db, inputs.forums)
        for stored in inputs.exports:
            write_responses(db, stored)
        db.conn.commit()
        code_database(db, stamp=None)
        apply_decisions(db, inputs.decisions_path)
        write_verify_findings(db)
        write_graph_tables(db, graph_data=inputs.graph)
        enable_search(db)
        db["build_info"].insert_all(
            [{"key": "fingerprint", "value": fingerprint()}, {"key": "kb_version", "value": __version__}]
        )
        counts = {name: db[name].count for name in sorted(db.table_names())}
    return counts


def is_stale(db_path: Path | str = DEFAULT_DB) -> bool:
    """True when the db is missing or was built from other inputs than the current ones."""
    path = Path(db_path)
    if not path.exists():
        return True
    db = sqlite_utils.Database(path)
    try:
        if "build_info" not in db.table_names():
            return True
        row = db.execute("SELECT value FROM build_info WHERE key = 'fingerprint'").fetchone()
    finally:
        db.close()
    return row is None or row[0] != fingerprint()
