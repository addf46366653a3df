"""Ad-hoc SQL in a worker process of its own: no GIL, no SQLite mutex and no CPU priority shared with the pages.

In threads, a low-priority ad-hoc thread that the OS preempts while it holds the GIL or one of SQLite's
process-wide mutexes stalls every page until it runs again (priority inversion), and at normal priority it
takes their CPU. A separate process at low priority shares neither, and can be killed: the parent waits for an
answer until the request's deadline plus GRACE_SECONDS and otherwise kills the worker and starts another, a
hard bound whatever SQLite does inside one step.

`patch_datasette()` routes `Database.execute` to a worker when the request is ad hoc (kb.publish.adhoc.CURRENT
is set); Datasette's other database calls (`execute_fn`: schema look-ups) stay on the ad-hoc threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from kb.publish import adhoc, sqlguard

WORKERS = 1  # processes for ad-hoc SQL
WORKER_NICE = 10
GRACE_SECONDS = 0.25  # beyond the deadline before a silent worker is killed
START_SECONDS = 30  # for a new worker to say it is ready
RETRY_SECONDS = 60  # after a failed start, before the next attempt


class WorkerUnavailable(RuntimeError):
    """No worker process could be started here (e.g. `spawn` cannot re-import the main module): the
    ad-hoc request then runs on the ad-hoc threads, still within its budget."""


def _run(pipe, db_path: str, nice: int) -> None:
    """The worker: open the db immutable, guard it, answer (sql, params, limit_s, max_rows) requests."""
    try:
        os.nice(nice)
    except OSError:
        pass
    conn = sqlite3.connect(Path(db_path).resolve().as_uri() + "?immutable=1", uri=True, check_same_thread=False)
    sqlguard.guard_connection(conn)
    try:
        from datasette.utils import escape_fts  # Datasette's one SQL function (table search)

        conn.create_function("escape_fts", 1, escape_fts)
    except ImportError:  # pragma: no cover
        pass
    pipe.send(("ready",))
    while True:
        try:
            sql, params, limit_s, max_rows = pipe.recv()
        except EOFError:
            return
        sqlguard.reset(sqlguard.MAX_RESULT_BYTES)
        timer = threading.Timer(limit_s, conn.interrupt)
        timer.start()
        try:
            cursor = conn.execute(sql, params if params is not None else {})
            rows = cursor.fetchmany(max_rows + 1) if max_rows else cursor.fetchall()
            answer = ("ok", [tuple(r) for r in rows], cursor.description)
        except sqlite3.DatabaseError as error:
            answer = ("error", type(error).__name__, str(error), sqlguard.refusal())
        finally:
            timer.cancel()
            sqlguard.reset()
        pipe.send(answer)


class Worker:
    def __init__(self, db_path: str):
        self.db_path = db_path
        self.process = None
        self.pipe = None
        self.failed_at: float | None = None  # when a start last failed: no new attempt for RETRY_SECONDS

    def start(self) -> None:
        """Start the process and wait for it to say it is ready (WorkerUnavailable if it does not)."""
        if self.failed_at is not None and time.monotonic() - self.failed_at < RETRY_SECONDS:
            raise WorkerUnavailable("the ad-hoc SQL worker failed to start a moment ago")
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self.process = context.Process(target=_run, args=(child, self.db_path, WORKER_NICE), daemon=True)
        self.process.start()
        child.close()
        self.pipe = parent
        try:
            if parent.poll(START_SECONDS) and parent.recv() == ("ready",):
                return
        except (EOFError, OSError):
            pass
        self.stop()
        self.failed_at = time.monotonic()
        raise WorkerUnavailable("the ad-hoc SQL worker did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
        self.process = None

    def call(self, request: tuple, wait: float) -> tuple:
        """Send a request, wait up to `wait` seconds; a silent worker is killed and restarted."""
        if self.process is None or not self.process.is_alive():
            self.start()
        try:
            self.pipe.send(request)
            if self.pipe.poll(wait):
                return self.pipe.recv()
        except (EOFError, OSError):  # it died during the query: the query's doing, so no fallback
            self.stop()
            return ("error", "OperationalError", "Frågan avbröts: den körande processen avslutades.", None)
        self.stop()
        return ("error", "OperationalError", "interrupted", None)


class WorkerPool:
    """WORKERS worker processes for one database file, handed out one request at a time."""

    def __init__(self, db_path: str, size: int = WORKERS):
        self.idle = [Worker(db_path) for _ in range(size)]
        self.available = threading.Semaphore(size)
        self.lock = threading.Lock()

    def call(self, request: tuple, wait: float) -> tuple[tuple, float]:
        """(the worker's answer, seconds a worker was held), after waiting for a free worker."""
        with self.available:
            with self.lock:
                worker = self.idle.pop()
            started = time.monotonic()
            try:
                return worker.call(request, wait), time.monotonic() - started
            finally:
                with self.lock:
                    self.idle.append(worker)


def _rows(values: list[tuple], description) -> list[sqlite3.Row]:
    """sqlite3.Row objects (what Datasette expects) for rows computed in the worker."""
    if not description:
        return []
    names = ", ".join('NULL AS "{}"'.format(d[0].replace('"', '""')) for d in description)
    cursor = sqlite3.connect(":memory:").execute(f"SELECT {names}")
    return [sqlite3.Row(cursor, row) for row in values]


_pools: dict[str, WorkerPool] = {}
_original_execute = None


async def execute(
    self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None, log_sql_errors=True
) -> Any:
    """Database.execute, in a worker process for an ad-hoc request (the same answer as Datasette's)."""
    from datasette.database import QueryInterrupted, Results

    budget = adhoc.CURRENT.get()
    threads = getattr(self.ds.executor, "adhoc", None)
    if budget is None or threads is None or self.is_memory or self.path is None or self.name == "_internal":
        return await _original_execute(self, sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
    remaining = budget.remaining()
    if remaining <= 0:
        raise QueryInterrupted(sqlite3.OperationalError("interrupted"), sql, params)
    limit_ms = self.ds.sql_time_limit_ms
    if custom_time_limit and custom_time_limit < limit_ms:
        limit_ms = custom_time_limit
    limit_s = min(limit_ms / 1000, remaining)
    page_size = page_size or self.ds.page_size
    max_rows = self.ds.max_returned_rows
    if max_rows == page_size:
        max_rows += 1
    pool = _pools.setdefault(str(self.path), WorkerPool(str(self.path)))
    request = (sql, dict(params) if isinstance(params, dict) else params, limit_s, max_rows if truncate else 0)
    try:
        answer, held = await asyncio.get_running_loop().run_in_executor(
            threads, pool.call, request, limit_s + GRACE_SECONDS
        )
    except WorkerUnavailable:
        return await _original_execute(self, sql, params, truncate, custom_time_limit, page_size, log_sql_errors)
    budget.spent += held
    if answer[0] == "ok":
        rows = _rows(answer[1], answer[2])
        truncated = bool(truncate and max_rows and len(rows) > max_rows)
        return Results(rows[:max_rows] if truncate and max_rows else rows, truncated, answer[2])
    _, kind, message, reason = answer
    if message == "interrupted":
        raise QueryInterrupted(sqlite3.OperationalError("interrupted"), sql, params)
    if kind in ("DataError", "ResultTooBig"):
        raise (sqlguard.ResultTooBig if kind == "ResultTooBig" else sqlite3.DataError)(message)
    raise sqlite3.OperationalError(reason or message)


def patch_datasette() -> None:
    """Put `execute` in place of datasette.database.Database.execute (once)."""
    from datasette.database import Database

    global _original_execute
    if Database.execute is not execute:
        _original_execute = Database.execute
        Database.execute = execute
