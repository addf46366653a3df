"""SIGKILL during `kb build` and `kb ingest forms` (issue 15): the previous db stays intact, and the next
run leaves no temporary files behind (and rolls an interrupted ingest back).

Each case runs the real command in a subprocess that kills itself with SIGKILL at a chosen point (a
function wrapped before the CLI starts), so the kill point is exact, not a matter of timing.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.forums import FORUMS_FILE
from kb.core.db import open_db, table_contents
from kb.pipeline import build, ingest_forms
from kb.survey.forms import recover_interrupted
from tests.survey.conftest import ROUND, write_csv
from tests.survey.test_forms_ingest import answer

DRIVER = textwrap.dedent(
    """
    import importlib, os, pathlib, signal, sys
    point, argv = sys.argv[1], sys.argv[2:]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "between-renames":  # the round folder moved aside, the new one not yet in place
        original = pathlib.Path.rename
        def rename(self, target):
            result = original(self, target)
            if str(target).endswith(".previous"):
                die()
            return result
        pathlib.Path.rename = rename
    elif point == "before-replace":  # the new db complete in its temporary file
        os.replace = die
    else:
        module, name = point.split(":")
        setattr(importlib.import_module(module), name, die)
    from kb.cli import main
    sys.argv = ["kb", *argv]
    main()
    """
)


def _run(point: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, point, *argv], capture_output=True, text=True, timeout=600
    )


def _state(db_path: Path) -> tuple:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return tuple((t, conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]) for t in tables)
    finally:
        conn.close()


def _leftovers(*folders: Path) -> list[str]:
    return sorted(p.name for folder in folders for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(
    "point",
    ["kb.survey.build:create_schema", "kb.graph.store:write_graph_tables", "before-replace"],
    ids=["at-start", "mid-build", "before-replace"],
)
def test_sigkill_during_build_keeps_the_previous_db(point, tmp_path, built_db_path):
    db = tmp_path / "kb.db"
    db.write_bytes(built_db_path.read_bytes())
    before, counts = db.read_bytes(), _state(db)
    result = _run(point, "build", "--db", str(db))
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert db.read_bytes() == before and _state(db) == counts
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the killed build's file is there...
    build(db)  # the next run (in this process: the killed one is gone)
    assert _leftovers(tmp_path) == []  # ...and the next run removes it
    assert _state(db) == counts


@pytest.fixture
def ingested(tmp_path):
    """A db and data folder holding one ingested round (the "previous" state a killed ingest must keep)."""
    data, db = tmp_path / "data", tmp_path / "kb.db"
    data.mkdir()
    shutil.copyfile(FORUMS_FILE, data / "forums.yml")  # a data dir holds its own forum registry (the CLI contract)
    first = write_csv(tmp_path / "first.csv", _headings(), [answer()])
    ingest_forms(first, ROUND, db, data)
    newer = write_csv(tmp_path / "newer.csv", _headings(), [answer(**{"Förvaltning": "Stadsbyggnad"})])
    return db, data, newer


def _headings():
    from ingest.forms import expected_headings
    from ingest.reference import load_reference
    from kb.survey.forms import FORMS_METADATA_HEADINGS

    return [*FORMS_METADATA_HEADINGS, *expected_headings(load_reference(), ROUND)]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "point",
    ["kb.survey.forms:write_manifest", "between-renames", "kb.coding:code_database", "before-replace"],
    ids=["while-staging", "between-renames", "during-rebuild", "before-replace"],
)
def test_sigkill_during_ingest_keeps_the_previous_db_and_round(point, ingested):
    db, data, newer = ingested
    before, counts, files = db.read_bytes(), _state(db), _files(data)
    argv = ["ingest", "forms", str(newer), "--round", str(ROUND), "--db", str(db), "--data-dir", str(data)]
    result = _run(point, *argv)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert db.read_bytes() == before and _state(db) == counts
    assert _leftovers(data, db.parent)  # the kill left something to clean up
    recover_interrupted(data)  # what every next run does first
    assert _files(data) == files and _leftovers(data) == []  # the interrupted ingest is rolled back
    ingest_forms(newer, ROUND, db, data)  # the next run
    assert _leftovers(data, db.parent) == []
    assert "stadsbyggnad" in {r[0] for r in open_db(db).execute("SELECT department_id FROM responses")}
    assert table_contents(open_db(db))  # readable
