"""Thematic coding of the survey's free-text answers (codebook, auto-coder, review, agreement, REFI-QDA).

Importing this package is cheap: spaCy and the Swedish dictionaries are imported only by the
functions that code text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils


def code_database(
    db: sqlite_utils.Database | str | Path,
    round: int | None = None,  # noqa: A002 - the contract's name
    codebook_path: str | Path | None = None,
    cache_root: Path | None = None,
    stamp: str | None = "",
) -> dict[str, Any]:
    """Code every statement (of one round, if given) with the rule coder; keep human decisions.

    Loads the codebook into ``themes`` (and rebuilds the views), then stores the machine's
    codings as proposals (coder ``regel:<version>``, status ``forslag``), each with the trained model's
    score when a model exists. Returns counts.
    """
    from kb.coding.codebook import DEFAULT_CODEBOOK, load_codebook
    from kb.coding.combine import predict_rows
    from kb.coding.pipeline import load_pipeline
    from kb.coding.store import as_db, save_machine_codings, write_codebook

    db = as_db(db)
    codebook = load_codebook(codebook_path or DEFAULT_CODEBOOK)
    write_codebook(db, codebook)
    sql = "SELECT id, text, kind FROM statements"
    params: list[Any] = []
    if round is not None:
        sql += " WHERE round = ?"
        params.append(round)
    rows = [(r[0], r[1] or "", r[2]) for r in db.execute(sql + " ORDER BY id", params)]
    nlp = load_pipeline(codebook, cache_root)
    # The rules decide; a trained model (if any) adds its score and sets the confidence (kb.coding.combine).
    summary = save_machine_codings(db, predict_rows(rows, codebook, "regler", nlp), codebook, stamp)
    summary["coder"] = codebook.coder
    return summary
