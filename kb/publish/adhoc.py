"""SQL whose cost a client controls runs apart from the pages, within a time budget per request.

A request is ad hoc when it carries SQL of the client's own (`?sql=`, `?_where=`) or a pattern filter
(`col__contains=`, `__like`, `__glob` ... : LIKE and GLOB with a pattern of the client's choosing). Its queries
(`Database.execute`) run in a worker process (kb.publish.worker); Datasette's other database calls for it
(`execute_fn`: schema look-ups) on ADHOC_THREADS threads of their own, never on the pool that serves pages, so
hostile SQL can only ever wait for other ad-hoc SQL. Each ad-hoc request may hold SQL for BUDGET_SECONDS in
total over all its queries: in the worker a timer interrupts the query and the parent kills a worker that
does not answer in time; in the threads a watchdog interrupts the connection (`Connection.interrupt()`,
effective at the next virtual-machine step; kb.publish.sqlguard keeps single steps short); a query that would
start after the budget is spent is interrupted at once.

`ClientGate` caps how many ad-hoc requests one client and all clients may have in flight.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from kb.publish import sqlguard

ADHOC_THREADS = 1  # threads for ad-hoc SQL (pages keep Datasette's num_sql_threads for themselves)
BUDGET_SECONDS = 1.5  # SQL-thread time one ad-hoc request may use, over all its queries
PER_CLIENT = 2  # ad-hoc requests one client may have in flight
IN_FLIGHT = 12  # ad-hoc requests all clients together may have in flight (running or waiting)
ADHOC_NICE = 0  # niceness of the ad-hoc threads (Linux: per thread): they mostly wait for the worker
SQL_ARGUMENTS = ("sql", "_where")
PATTERN_OPERATORS = ("contains", "startswith", "endswith", "like", "notlike", "glob")


def is_adhoc(query_string: bytes) -> bool:
    """Whether a request carries SQL or a LIKE/GLOB pattern of the client's own."""
    if not query_string:
        return False
    for name, _ in parse_qsl(query_string.decode("latin1"), keep_blank_values=True):
        if name in SQL_ARGUMENTS:
            return True
        if not name.startswith("_") and "__" in name and name.rsplit("__", 1)[1] in PATTERN_OPERATORS:
            return True
    return False


@dataclass
class Budget:
    """SQL-thread seconds one request may still use."""

    seconds: float = field(default_factory=lambda: BUDGET_SECONDS)
    spent: float = 0.0

    def remaining(self) -> float:
        return self.seconds - self.spent


CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("kb_adhoc_budget", default=None)

# Connections by the thread that opened them. Datasette keeps one per database in a thread-local for the
# thread's life, so holding them here keeps nothing alive that would otherwise go; dead threads are pruned.
_connections: dict[int, list[sqlite3.Connection]] = {}
_connections_lock = threading.Lock()


def register_connection(conn: sqlite3.Connection) -> None:
    """Remember conn as belonging to the current thread, so the watchdog can interrupt it."""
    with _connections_lock:
        alive = {t.ident for t in threading.enumerate()}
        for ident in [i for i in _connections if i not in alive]:
            del _connections[ident]
        _connections.setdefault(threading.get_ident(), []).append(conn)


def interrupt_thread(ident: int) -> None:
    with _connections_lock:
        conns = list(_connections.get(ident, []))
    for conn in conns:
        conn.interrupt()


@dataclass(order=True)
class _Alarm:
    deadline: float
    token: int
    ident: int = field(compare=False)


class Watchdog:
    """One thread that interrupts the connections of a worker thread whose deadline has passed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._cond = threading.Condition()
        self._heap: list[_Alarm] = []
        self._armed: set[int] = set()
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None
        self.fired = 0

    def arm(self, deadline: float) -> int:
        with self._cond:
            token = next(self._tokens)
            heapq.heappush(self._heap, _Alarm(deadline, token, threading.get_ident()))
            self._armed.add(token)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-sql-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._cond:
            self._armed.discard(token)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0].token not in self._armed:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0].deadline - self.clock()
                if wait > 0:
                    self._cond.wait(min(wait, 1.0))
                    continue
                alarm = heapq.heappop(self._heap)
                self._armed.discard(alarm.token)
                self.fired += 1
                interrupt_thread(alarm.ident)


_thread = threading.local()  # .watchdog: set in an ad-hoc thread while it runs a request's SQL
_datasette_timelimit = None


@contextlib.contextmanager
def watchdog_timelimit(conn: sqlite3.Connection, ms: int) -> Iterator[None]:
    """Datasette's per-query time limit. In an ad-hoc thread the watchdog enforces it with interrupt(), which
    costs nothing while the query runs; Datasette's own progress handler calls back into Python every 1000
    virtual-machine steps, and a few threads doing that take the GIL so often that the event loop serving
    every page waits for it (the convoy effect). Page threads keep Datasette's handler."""
    watchdog = getattr(_thread, "watchdog", None)
    if watchdog is None:
        with _datasette_timelimit(conn, ms):
            yield
        return
    token = watchdog.arm(watchdog.clock() + ms / 1000)
    try:
        yield
    finally:
        watchdog.disarm(token)


def install_timelimit() -> None:
    """Put watchdog_timelimit in place of datasette.database.sqlite_timelimit (once)."""
    import datasette.database

    global _datasette_timelimit
    if datasette.database.sqlite_timelimit is not watchdog_timelimit:
        _datasette_timelimit = datasette.database.sqlite_timelimit
        datasette.database.sqlite_timelimit = watchdog_timelimit


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ADHOC_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: same priority as pages
        pass


def _interrupted():
    from datasette.database import QueryInterrupted

    return QueryInterrupted(sqlite3.OperationalError("interrupted"), "", None)


class SqlExecutor(Executor):
    """Datasette's executor, split: ad-hoc requests (CURRENT set) get their own threads and budget."""

    def __init__(self, pages: Executor, adhoc_threads: int = ADHOC_THREADS, watchdog: Watchdog | None = None):
        self.pages = pages
        self.adhoc = ThreadPoolExecutor(adhoc_threads, thread_name_prefix="kb-adhoc", initializer=_lower_priority)
        self.watchdog = watchdog or Watchdog()
        install_timelimit()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        budget = CURRENT.get()
        if budget is None:
            return self.pages.submit(self._run_page, fn, args, kwargs)
        return self.adhoc.submit(self._run_adhoc, budget, fn, args, kwargs)

    @staticmethod
    def _translate(error: sqlite3.DatabaseError) -> Exception:
        """SQLite's generic messages for our refusals ("user-defined function raised exception", "not
        authorized", "access to ... is prohibited") replaced by the Swedish reason; an interrupt by Datasette's
        QueryInterrupted (also where Datasette itself would not translate it)."""
        if error.args == ("interrupted",):
            return _interrupted()
        reason = sqlguard.refusal()
        return sqlite3.OperationalError(reason) if reason and not isinstance(error, sqlguard.ResultTooBig) else error

    def _call(self, fn, args, kwargs) -> Any:
        """fn(*args, **kwargs) with SQLite errors translated for readers."""
        try:
            return fn(*args, **kwargs)
        except sqlite3.DatabaseError as error:
            translated = self._translate(error)
            if translated is error:
                raise
            raise translated from error

    def _run_page(self, fn, args, kwargs) -> Any:
        sqlguard.reset()
        return self._call(fn, args, kwargs)

    def _run_adhoc(self, budget: Budget, fn, args, kwargs) -> Any:
        remaining = budget.remaining()
        if remaining <= 0:
            raise _interrupted()
        sqlguard.reset(sqlguard.MAX_RESULT_BYTES)
        clock = self.watchdog.clock
        started = clock()
        token = self.watchdog.arm(started + remaining)
        _thread.watchdog = self.watchdog
        try:
            return self._call(fn, args, kwargs)
        finally:
            _thread.watchdog = None
            self.watchdog.disarm(token)
            budget.spent += clock() - started
            sqlguard.reset()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pages.shutdown(wait, cancel_futures=cancel_futures)
        self.adhoc.shutdown(wait, cancel_futures=cancel_futures)


class ClientGate:
    """Counts ad-hoc requests in flight, per client and in all."""

    def __init__(self, per_client: int = PER_CLIENT, total: int = IN_FLIGHT):
        self.per_client, self.total = per_client, total
        self.running: dict[str, int] = {}

    def enter(self, client: str) -> str | None:
        """None when the request may run (call leave() after), else the Swedish reason it may not."""
        if self.running.get(client, 0) >= self.per_client:
            return f"Du har redan {self.per_client} egna SQL-frågor igång. Vänta tills de är klara."
        if sum(self.running.values()) >= self.total:
            return "Servern kör redan många egna SQL-frågor. Försök igen om en stund."
        self.running[client] = self.running.get(client, 0) + 1
        return None

    def leave(self, client: str) -> None:
        left = self.running.get(client, 1) - 1
        if left:
            self.running[client] = left
        else:
            self.running.pop(client, None)
