"""The atomic build: load every source file under ingest/, then run the stages' writers into a fresh db."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ingest.agreements import AGREEMENTS_FILE, load_agreements
from ingest.civil_exports import CIVIL_DIR_NAME, load_stored_civil
from ingest.civil_forms import load_options
from ingest.exports import EXPORTS_DIR, StoredExport, load_stored_exports
from ingest.figures import load_known_inconsistencies, load_published_figures, load_report_statements
from ingest.forums import FORUMS_FILE, load_forums
from ingest.graph_data import GraphData, load_graph_data
from ingest.reference import Reference, load_reference
from ingest.values import STATUSES
from kb import __version__
from kb.core.db import SCHEMA_VERSION, DatabaseProblem, atomic_database, check_kb_database
from kb.core.fingerprint import fingerprint
from kb.core.paths import DEFAULT_DB
from kb.survey.responses import write_responses
from kb.survey.schema import create_schema


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
    agreements: list[dict] = field(default_factory=list)
    civil: list = field(default_factory=list)  # StoredCivilExport per round (issue 12)


def load_inputs(
    exports_dir: Path = EXPORTS_DIR, forums_file: Path = FORUMS_FILE, agreements_file: Path = AGREEMENTS_FILE
) -> BuildInputs:
    """Read and validate all source files (raises InputErrors naming file, line and field)."""
    reference = load_reference()
    inputs = BuildInputs(
        reference=reference,
        figures=load_published_figures(reference),
        statements=load_report_statements(),
        known_inconsistencies=load_known_inconsistencies(),
        exports=load_stored_exports(reference, exports_dir),
        graph=load_graph_data(reference),
        forums=load_forums(forums_file, reference=reference),
        agreements=load_agreements(agreements_file, reference=reference),
    )
    inputs.civil = load_stored_civil(load_options(reference, inputs.forums), exports_dir / CIVIL_DIR_NAME)
    return inputs


def write_reference(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    """Sources, rounds, the reference lists and the report's published figures and statements."""
    ref = inputs.reference
    db["sources"].insert_all(ref.sources)
    db["value_statuses"].insert_all({"id": k, "label": v} for k, v in STATUSES.items())
    db["rounds"].insert_all(ref.rounds)
    for table in ("departments", "categories", "forms", "goal_areas", "development_areas", "questions"):
        db[table].insert_all(getattr(ref, table))
    db["published_figures"].insert_all(inputs.figures)
    db["statements"].insert_all(inputs.statements)
    db["known_inconsistencies"].insert_all(inputs.known_inconsistencies)
    db["department_validity"].insert_all(ref.department_validity)
    db["department_lineage"].insert_all(ref.lineage)
    db["target_groups"].insert_all(ref.target_groups)


StageWriter = Callable[[sqlite_utils.Database, BuildInputs], object]


def build_database(db_path: Path | str, inputs: BuildInputs, writers: Sequence[StageWriter]) -> dict[str, int]:
    """Write a fresh database at db_path by running each stage's writer in order; atomic.

    The writers come from the caller (kb.pipeline lists every stage's), so this stage never imports a
    later one. The old file survives any failure. Returns the row count of every table.
    """
    with atomic_database(db_path) as db:
        create_schema(db)
        for write in writers:
            write(db, inputs)
        db["build_info"].insert_all(
            [
                {"key": "fingerprint", "value": fingerprint()},
                {"key": "kb_version", "value": __version__},
                {"key": "data_modified", "value": data_modified(inputs)},
                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            ]
        )
        counts = {name: db[name].count for name in sorted(db.table_names())}
    return counts


def data_modified(inputs: BuildInputs) -> str | None:
    """The newest date the inputs themselves carry (YYYY-MM-DD): the DCAT export's modified date.

    Taken from the data, not the clock, so two builds of the same inputs are identical: the latest of a stored
    round's `ingested_at`, a registry entry's `source_date` or `last_verified`. SOURCE_DATE_EPOCH (the
    reproducible-builds convention) overrides it. None when the inputs carry no date.
    """
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    dates = [str(e.manifest.get("ingested_at") or "")[:10] for e in inputs.exports]
    for record in [*inputs.forums, *inputs.agreements]:
        dates += [str(record.get("source_date") or ""), str(record.get("last_verified") or "")]
    full = [d for d in dates if len(d) == 10]
    return max(full, default=None)


def write_survey_responses(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    """Every stored round's responses, committed so the later stages read them."""
    for stored in inputs.exports:
        write_responses(db, stored)
    db.conn.commit()


def is_stale(db_path: Path | str = DEFAULT_DB) -> bool:
    """True when the db is missing, is no Samverkan KB db of this schema version, or was built from other inputs."""
    path = Path(db_path)
    if not path.exists():
        return True
    try:
        check_kb_database(path)
    except DatabaseProblem:
        return True
    db = sqlite_utils.Database(path)
    try:
        if "build_info" not in db.table_names():
            return True
        row = db.execute("SELECT value FROM build_info WHERE key = 'fingerprint'").fetchone()
    finally:
        db.close()
    return row is None or row[0] != fingerprint()
