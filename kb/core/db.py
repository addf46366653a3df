"""The SQLite database: what makes a file a Samverkan KB db, opening it, and replacing the built file atomically.

A Samverkan KB db is marked in its SQLite header: `PRAGMA application_id` = APPLICATION_ID and
`PRAGMA user_version` = SCHEMA_VERSION (kb.survey.schema.create_schema sets both). Bump SCHEMA_VERSION
when a change to the tables or views makes an older db unreadable for the commands; `check_kb_database`
then tells the user to rebuild.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kb.core.paths import DEFAULT_DB

if TYPE_CHECKING:  # sqlite_utils imports numpy when present: only the commands that need it load it
    import sqlite_utils

APPLICATION_ID = 0x4B425356  # "KBSV": this file is a Samverkan KB db
SCHEMA_VERSION = 1
REQUIRED_TABLES = ("build_info", "rounds", "sources")
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseProblem(ValueError):
    """A file given as database that is missing, not SQLite, or not a Samverkan KB db of this version."""


def mark_kb_database(conn: sqlite3.Connection) -> None:
    """Stamp a new database as a Samverkan KB db of the current schema version."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER))


def sqlite_problem(path: Path | str) -> str | None:
    """Why path is no readable SQLite file (in Swedish), or None when it is one."""
    path = Path(path)
    if not path.exists():
        build = "kb build" if path.resolve() == DEFAULT_DB.resolve() else f"kb build --db {path}"
        return f"databasen {path} finns inte: kör `{build}` först"
    if path.is_dir():
        return f"{path} är en mapp, inte en databasfil"
    try:
        header = _header(path)
    except OSError as exc:
        return f"databasen {path} går inte att läsa: {exc.strerror or exc}"
    if not header:
        return f"{path} är tom (0 byte) och ingen SQLite-databas: bygg en databas med `kb build --db {path}`"
    if header != SQLITE_HEADER:
        return f"{path} är ingen SQLite-databas (filen börjar inte som en SQLite-fil)"
    return None


def _identity(path: Path) -> tuple[int, int, set[str]]:
    """application_id, user_version and table names of a SQLite file (raises DatabaseProblem)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseProblem(f"{path} går inte att läsa som SQLite-databas ({exc})") from exc
    return application_id, version, tables


def _is_ours(application_id: int, tables: set[str]) -> bool:
    """Marked as a Samverkan KB db, or built by a kb from before the marking (it has build_info)."""
    return application_id == APPLICATION_ID or (application_id == 0 and "build_info" in tables)


def check_kb_database(path: Path | str) -> None:
    """Raise DatabaseProblem with a Swedish message unless path is a Samverkan KB db this version can read."""
    path = Path(path)
    problem = sqlite_problem(path)
    if problem:
        raise DatabaseProblem(problem)
    application_id, version, tables = _identity(path)
    rebuild = f"bygg om den med `kb build --db {path}`"
    if not _is_ours(application_id, tables):
        raise DatabaseProblem(f"{path} är en SQLite-databas men ingen Samverkan KB-databas (kb:s märkning saknas)")
    if application_id == 0:
        raise DatabaseProblem(f"{path} byggdes av en äldre kb, utan schemaversion: {rebuild}")
    if version < SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{path} har schemaversion {version}, den här kb läser version {SCHEMA_VERSION}: {rebuild}"
        )
    if version > SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{path} har schemaversion {version}, nyare än den här kb (version {SCHEMA_VERSION}): uppdatera kb"
        )
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise DatabaseProblem(f"{path} saknar tabellerna {', '.join(missing)}: {rebuild}")


def replaceable_problem(path: Path | str) -> str | None:
    """Why a build must not replace path (in Swedish), or None: absent, empty, or a Samverkan KB db of any version."""
    path = Path(path)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return None
    refuse = "; bygget ersätter bara en Samverkan KB-databas: välj en annan sökväg med --db"
    problem = sqlite_problem(path)
    if problem:
        return problem + refuse
    try:
        application_id, _version, tables = _identity(path)
    except DatabaseProblem as exc:
        return f"{exc}{refuse}"
    if not _is_ours(application_id, tables):
        return f"{path} är en SQLite-databas men ingen Samverkan KB-databas{refuse}"
    return None


def open_db(path: Path | str, *, must_exist: bool = True) -> sqlite_utils.Database:
    """Open a database file; by default refuse to create one silently."""
    path = Path(path)
    if must_exist and not path.exists():
        raise FileNotFoundError(f"databasen {path} finns inte: kör `kb build` först")
    import sqlite_utils

    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA foreign_keys = ON")
    return db


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(path: Path | str) -> list[Path]:
    """Remove what a killed build left beside `path`: temporary databases (and their journals) of
    processes that no longer run. Returns what was removed."""
    path = Path(path)
    removed = []
    for candidate in path.parent.glob(f".{path.name}.*.tmp*"):
        owner = candidate.name[len(path.name) + 2 :].split(".", 1)[0]
        if owner.isdigit() and pid_alive(int(owner)) and int(owner) != 0:
            continue  # a build running now
        if not owner.isdigit() and time.time() - candidate.stat().st_mtime < 3600:
            continue  # an older build's name without its process id: left alone for an hour
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


@contextmanager
def atomic_database(path: Path | str) -> Iterator[sqlite_utils.Database]:
    """Yield a fresh database in a temporary file; on success it replaces `path` in one step.

    If the body raises, the temporary file is removed and `path` is left as it was. If the process is
    killed (SIGKILL, power loss), `path` is still the previous database, and the next build removes the
    temporary file: its name carries the process id.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    tmp.unlink()
    import sqlite_utils

    db = sqlite_utils.Database(tmp)
    try:
        db.conn.execute("PRAGMA foreign_keys = ON")
        yield db
        problems = db.conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise sqlite3.IntegrityError(f"främmande nycklar pekar fel: {problems[:5]}")
        db.conn.commit()
        db.conn.execute("VACUUM")
        db.close()
        os.replace(tmp, path)
    except BaseException:
        db.close()
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
        raise


def table_contents(db: sqlite_utils.Database) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, to compare two builds table by table."""
    contents = {}
    for table in sorted(db.table_names()):
        if table.startswith("sqlite_") or "_fts" in table:
            continue
        order = ", ".join(f"[{c}]" for c in db[table].pks) or "rowid"
        contents[table] = db.execute(f"SELECT * FROM [{table}] ORDER BY {order}").fetchall()
    return contents
