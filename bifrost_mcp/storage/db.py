"""One aiosqlite connection per process, versioned migrations, and serialized write transactions."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import anyio

logger = logging.getLogger(__name__)

DB_FILENAME = "bifrost.sqlite3"


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step. Versions are global and unique; each domain owns a range (see migrations.py)."""

    version: int
    name: str
    sql: str


class Database:
    """The data dir's SQLite database.

    aiosqlite runs every statement on one worker thread, so reads never race. Write transactions take
    `self._write_lock` so that two tasks can never interleave statements inside one BEGIN ... COMMIT.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_FILENAME
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = anyio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("Database is not open: call `await db.open()` first")
        return self._conn

    async def open(self, migrations: Sequence[Migration]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await conn.execute(pragma)
        self._conn = conn
        await self._migrate(migrations)

    async def close(self) -> None:
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

    async def write(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """One write statement as its own autocommit transaction (one thread round trip); returns RETURNING rows.

        Serialized with `transaction()`, so it can never land inside another task's BEGIN ... COMMIT.
        """
        async with self._write_lock:
            return list(await self.conn.execute_fetchall(sql, params))

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
