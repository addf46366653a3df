"""The SQLite database: opening a file and replacing the built file atomically."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils


def open_db(path: Path | str, *, must_exist: bool = True) -> sqlite_utils.Database:
    """Open a database file; by default refuse to create one silently."""
    path = Path(path)
    if must_exist and not path.exists():
        raise FileNotFoundError(f"databasen {path} finns inte: kör `kb build` först")
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
