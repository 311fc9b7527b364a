"""One aiosqlite connection per process, versioned migrations, and serialized write transactions."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite
import anyio

from bifrost_mcp.storage.private import PRIVATE_FILE, create_private_file, make_private_dirs, narrow

logger = logging.getLogger(__name__)

DB_FILENAME = "bifrost.sqlite3"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step. Versions are global and unique; each domain owns a range (see migrations.py).

    `run`, when given, runs after `sql` in the same transaction, for a step SQL alone cannot say (a
    statement per existing row's value). It gets the sqlite3 connection and must only run statements.
    """

    version: int
    name: str
    sql: str
    run: Callable[[sqlite3.Connection], None] | None = None


class WriteBusy(Exception):
    """Something else is writing (another task of this process, or another process): nothing was written."""


class Database:
    """The data dir's SQLite database.

    aiosqlite runs every statement on one worker thread, so reads never race. Write transactions take
    `self._write_lock` so that two tasks can never interleave statements inside one BEGIN ... COMMIT.
    `lookup` alone reads through a second, read-only connection on the caller's thread (hot point reads).
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_FILENAME
        self._conn: aiosqlite.Connection | None = None
        self._reader: sqlite3.Connection | None = None  # `lookup`'s read-only connection, used on the loop thread
        self._writer: sqlite3.Connection | None = None  # `write`'s connection, used on the loop thread
        self._write_lock = anyio.Lock(fast_acquire=True)  # no event-loop round trip when uncontended

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("Database is not open: call `await db.open()` first")
        return self._conn

    async def open(self, migrations: Sequence[Migration]) -> None:
        make_private_dirs(self.path.parent)
        # SQLite gives the -wal and -shm files the database file's mode: create it 0600 before SQLite does.
        create_private_file(self.path)
        for path in (
            self.path,
            self.path.with_name(self.path.name + "-wal"),
            self.path.with_name(self.path.name + "-shm"),
        ):
            narrow(path, PRIVATE_FILE)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
            # Deleted and overwritten content is zeroed, so a secret that was ever stored does not linger in
            # free pages (the setting is per connection, like synchronous).
            "PRAGMA secure_delete=ON",
        ):
            await conn.execute(pragma)
        self._conn = conn
        await self._migrate(migrations)
        # busy_timeout stays 0: a lookup never waits on the event loop's thread; it falls back instead.
        reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0)
        reader.row_factory = sqlite3.Row
        reader.execute("PRAGMA query_only=ON")
        self._reader = reader
        # `write`'s connection for single autocommit statements, also on the loop thread and never waiting.
        writer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0)
        writer.row_factory = sqlite3.Row
        writer.execute("PRAGMA foreign_keys=ON")
        writer.execute("PRAGMA synchronous=NORMAL")  # per connection, like the main one
        writer.execute("PRAGMA secure_delete=ON")
        self._writer = writer

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        versions = [m.version for m in migrations]
        if len(set(versions)) != len(versions):
            raise RuntimeError(f"duplicate migration versions: {sorted(versions)}")
        async with self.transaction() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            applied = {row[0] for row in await conn.execute_fetchall("SELECT version FROM schema_migrations")}
            for migration in sorted(migrations, key=lambda m: m.version):
                if migration.version in applied:
                    continue
                logger.info("applying migration %s %s", migration.version, migration.name)
                for statement in _split_sql(migration.sql):
                    await conn.execute(statement)
                if migration.run is not None:
                    await conn._execute(migration.run, conn._conn)  # type: ignore[no-untyped-call]
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (migration.version, migration.name)
                )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error), serialized in this process."""
        async with self._write_lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await conn.execute("ROLLBACK")
                raise
            else:
                with anyio.CancelScope(shield=True):
                    await conn.execute("COMMIT")

    async def run_in_transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK if it raises), in one thread round trip.

        `fn` runs on aiosqlite's worker thread with its sqlite3 connection, so a whole batch of statements
        costs one hop instead of one per statement. Serialized with `transaction()` and `write()`. `fn` must
        only run statements: it blocks every other database call while it runs. Once started it completes
        (COMMIT or ROLLBACK) even if the awaiting task is cancelled.
        """
        async with self._write_lock:
            conn = self.conn
            # aiosqlite has no public "run this on your thread"; `_execute` is what its public methods use.
            result = await conn._execute(_in_transaction, conn._conn, fn)  # type: ignore[no-untyped-call]
            return cast(T, result)

    async def run_small_transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`run_in_transaction` for a few indexed statements (tens of microseconds): inline, like `write`.

        The thread round trip costs more than such a transaction; when another process holds the write lock
        (SQLite busy, which the inline connection reports at once) it goes the threaded way, which may wait.
        """
        async with self._write_lock:
            if self._writer is not None:
                try:
                    return _in_transaction(self._writer, fn)
                except sqlite3.OperationalError as exc:
                    if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                        raise
            conn = self.conn
            result = await conn._execute(_in_transaction, conn._conn, fn)  # type: ignore[no-untyped-call]
            return cast(T, result)

    def small_transaction_now(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`run_small_transaction` from synchronous code on the event loop's thread, or WriteBusy at once.

        For a writer that would otherwise wake a task only to take the write lock: when no task holds it, no
        task can take it while this runs (nothing else runs on the loop meanwhile).

        Raises:
            WriteBusy: a task of this process holds the write lock, or another process holds SQLite's.
        """
        if self._writer is None or self._write_lock.locked():
            raise WriteBusy
        try:
            return _in_transaction(self._writer, fn)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise WriteBusy from None
            raise

    async def write(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """One write statement as its own autocommit transaction; returns its RETURNING rows.

        A single-row write takes tens of microseconds in SQLite, less than a round trip to aiosqlite's thread,
        so it runs inline on a connection whose busy_timeout is 0: when another process holds the write lock
        it fails at once and the statement goes the threaded way, which may wait. Serialized with
        `transaction()` by the write lock, so it never lands inside another task's BEGIN ... COMMIT. Only
        SQLite's built-in functions are available on the inline connection.
        """
        async with self._write_lock:
            if self._writer is not None:
                try:
                    return self._writer.execute(sql, params).fetchall()
                except sqlite3.OperationalError as exc:
                    if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                        raise
            return list(await self.conn.execute_fetchall(sql, params))

    async def lookup(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """A small indexed read for a per-request hot path, run on the calling thread when it can be.

        It skips the worker-thread round trip (two thread wake-ups), which costs far more than the read itself.
        A WAL read never waits for writers and the connection's busy timeout is 0, so it cannot stall the event
        loop: when SQLite answers busy (rare: a WAL reset or recovery) the read goes through `fetchall`. Every
        call is its own read transaction and sees everything committed before it. Only for point lookups on
        an index: anything that scans belongs in `fetchall`.
        """
        if self._reader is not None:
            try:
                return self._reader.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):  # primary code
                    raise
        return await self.fetchall(sql, params)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        rows = await self.conn.execute_fetchall(sql, params)
        return list(rows)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return row

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the number of rows changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)


def _in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (sqlite3.complete_statement knows about quoted ';')."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
