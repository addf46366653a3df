"""The composition root: the whole build, and every "store a source file, then rebuild" step.

This module sits in the command layer, beside `kb/cli.py` and the packages' `commands` modules: it is the
one place that knows every stage. The build runs each stage's writer in the data's order:

    survey   reference data, the report's figures  (kb.survey.build.write_reference)
    publish  forum and agreement registry tables    (kb.publish.forums.write_forums, write_agreements)
    survey   stored rounds' responses               (kb.survey.build.write_survey_responses)
    coding   machine codings + saved human decisions (kb.coding)
    publish  stored `kb verify` findings            (kb.publish.publication.write_verify_findings)
    survey   organisation answers (issue 12)        (kb.survey.civil.write_civil_responses)
    graph    graph, metrics, gaps tables            (kb.graph.store.write_graph_tables)
    graph    both perspectives (issue 12)           (kb.graph.perspective.write_perspective)
    publish  full-text search indexes               (kb.publish.publication.enable_search)

The forum tables are written before the responses only so that table order, and so the db file, stays as
it has been.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from ingest.exports import EXPORTS_DIR
from ingest.forums import FORUMS_FILE
from kb.core.paths import DEFAULT_DB
from kb.survey.build import (
    BuildInputs,
    StageWriter,
    build_database,
    load_inputs,
    write_reference,
    write_survey_responses,
)
from kb.survey.civil import write_civil_responses


def _forums(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    from kb.publish.forums import write_agreements, write_forums

    write_forums(db, inputs.forums)
    write_agreements(db, inputs.agreements)


def _coding(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    from kb.coding import code_database
    from kb.coding.decisions import DECISIONS_PATH, apply_decisions

    code_database(db, stamp=None)
    apply_decisions(db, DECISIONS_PATH)


def _verify_findings(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    from kb.publish.publication import write_verify_findings

    write_verify_findings(db)


def _graph(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    from kb.graph.store import write_graph_tables

    write_graph_tables(db, graph_data=inputs.graph)


def _perspective(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    from kb.graph.perspective import write_perspective

    write_perspective(db, inputs)


def _search(db: sqlite_utils.Database, inputs: BuildInputs) -> None:
    from kb.publish.publication import enable_search

    enable_search(db)


STAGE_WRITERS: tuple[StageWriter, ...] = (
    write_reference,
    _forums,
    write_survey_responses,
    write_civil_responses,
    _coding,
    _verify_findings,
    _graph,
    _perspective,
    _search,
)


def build(
    db_path: Path | str = DEFAULT_DB, exports_dir: Path = EXPORTS_DIR, forums_file: Path = FORUMS_FILE
) -> dict[str, int]:
    """Build the database at db_path from ingest/; the old file survives any failure, even SIGKILL.

    First rolls back what an interrupted `kb ingest forms` left (kb.survey.forms.recover_interrupted).
    Returns the row count of every table.
    """
    from kb.survey.forms import recover_interrupted

    recover_interrupted(exports_dir)
    return _build(db_path, exports_dir, forums_file)


def _build(db_path: Path | str, exports_dir: Path, forums_file: Path = FORUMS_FILE) -> dict[str, int]:
    from ingest.agreements import agreements_file_in

    inputs = load_inputs(exports_dir, forums_file, agreements_file_in(exports_dir))
    return build_database(db_path, inputs, STAGE_WRITERS)


def ingest_forms(
    file: Path,
    round_: int,
    db_path: Path = DEFAULT_DB,
    exports_dir: Path = EXPORTS_DIR,
    columns: Path | None = None,
    forums_file: Path = FORUMS_FILE,
    side: str = "avdelning",
) -> dict:
    """Validate a Forms export, store its sanitised copy for the round and rebuild the database.

    side "avdelning" (the departments' survey) stores under exports_dir/<round>/, "civilsamhalle" (the
    organisations' survey, issue 12) under exports_dir/civilsamhalle/<round>/. Raises InputErrors (nothing
    written) on bad input. If the rebuild fails, the stored files and the database are left as they were.
    """
    from kb.survey.forms import recover_interrupted

    recover_interrupted(exports_dir)
    if side == "civilsamhalle":
        from ingest.civil_exports import CIVIL_DIR_NAME
        from kb.survey.civil import civil_summary, read_civil_export, staged_civil_export

        export, options, manifest = read_civil_export(file, round_, columns)
        with staged_civil_export(export, options, round_, exports_dir / CIVIL_DIR_NAME, manifest):
            _build(db_path, exports_dir, forums_file)
        return civil_summary(export, file, round_)
    from kb.survey.forms import forms_summary, read_forms_export, staged_export

    export, reference, manifest = read_forms_export(file, round_, columns)
    with staged_export(export, reference, round_, exports_dir, manifest):
        _build(db_path, exports_dir, forums_file)
    return forms_summary(export, file, round_)


def ingest_civil_forms(file: Path, round_: int, *args: Any, **kwargs: Any) -> dict:
    """ingest_forms for the organisations' side (issue 12)."""
    return ingest_forms(file, round_, *args, side="civilsamhalle", **kwargs)


def reconstruct_round(
    round_: int, seed: int, db_path: Path = DEFAULT_DB, exports_dir: Path = EXPORTS_DIR, forums_file: Path = FORUMS_FILE
) -> dict:
    """Solve, check independently, store under exports_dir/<round>/ as source `rekonstruktion` and rebuild."""
    from kb.survey.forms import recover_interrupted, staged_export
    from kb.survey.reconstruct_round import reconstruct

    recover_interrupted(exports_dir)
    export, reference, manifest, summary = reconstruct(round_, seed)
    with staged_export(export, reference, round_, exports_dir, manifest):
        _build(db_path, exports_dir, forums_file)
    return summary


def ingest_forums(
    db_path: Path | str,
    source: Path | str,
    install: bool = True,
    allow_empty: bool = False,
    exports_dir: Path = EXPORTS_DIR,
    target: Path | None = None,
) -> dict[str, int]:
    """Validate a registry file and load it (raises InputErrors; nothing is written on bad input).

    With install (the default) the file becomes `target` (default ingest/data/forums.yml) and the whole db is
    rebuilt from exports_dir and it, so the graph, the gaps and the search index include the forums; if the
    build fails, the previous registry file is put back (or the new one removed when there was none).
    Without install the forums are only loaded into db_path, in one transaction.
    """
    from kb.publish import forums

    records = forums.read_registry(source, allow_empty)
    if not install:
        return forums.load_into(db_path, records)
    with forums.staged_registry(source, target or forums.FORUMS_FILE) as installed:
        build(db_path, exports_dir, installed)
    return forums.link_counts(records)
