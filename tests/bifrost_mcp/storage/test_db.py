"""The embedded database: migrations, inline single-statement writes and their fallback when SQLite is busy."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from bifrost_mcp.storage import Database, Migration, WriteBusy

NOTES = [Migration(900, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")]


async def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    for _ in range(2):
        db = Database(tmp_path)
        await db.open(NOTES)
        rows = await db.fetchall("SELECT version, name FROM schema_migrations")
        assert [tuple(r) for r in rows] == [(900, "notes")]
        await db.close()


async def test_duplicate_migration_versions_are_refused(tmp_path: Path) -> None:
    db = Database(tmp_path)
    with pytest.raises(RuntimeError, match="duplicate migration versions"):
        await db.open([*NOTES, Migration(900, "again", "SELECT 1;")])
    await db.close()


async def test_a_write_returns_its_rows_and_integrity_errors_propagate(tmp_path: Path) -> None:
    db = Database(tmp_path)
    await db.open(NOTES)
    rows = await db.write("INSERT INTO notes (id, body) VALUES (?, ?) RETURNING id, body", (1, "first"))
    assert [tuple(r) for r in rows] == [(1, "first")]
    with pytest.raises(sqlite3.IntegrityError):
        await db.write("INSERT INTO notes (id, body) VALUES (?, ?)", (1, "again"))
    assert [tuple(r) for r in await db.fetchall("SELECT id, body FROM notes")] == [(1, "first")]
    await db.close()


async def test_a_write_waits_for_another_process_holding_the_lock_instead_of_failing(tmp_path: Path) -> None:
    db = Database(tmp_path)
    await db.open(NOTES)
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)  # as another process would
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (id, body) VALUES (1, 'theirs')")
    results: list[list[sqlite3.Row]] = []

    async def write() -> None:
        results.append(await db.write("INSERT INTO notes (id, body) VALUES (2, 'ours') RETURNING id", ()))

    async with anyio.create_task_group() as tg:
        tg.start_soon(write)
        # The inline attempt runs on the event loop's thread and must fail at once with SQLITE_BUSY (an attempt
        # that waited for SQLite's lock would freeze the loop past this bound); the write then waits threaded.
        with anyio.fail_after(2):
            await anyio.wait_all_tasks_blocked()  # the write task, past its inline attempt, awaits the threaded one
            # a deadline that passed while the loop was frozen fires on the next turn and lands on the one after
            await anyio.lowlevel.checkpoint()
            await anyio.lowlevel.checkpoint()
        assert results == []  # waiting, not failed
        other.execute("COMMIT")
    assert [tuple(r) for r in results[0]] == [(2,)]
    assert [tuple(r) for r in await db.fetchall("SELECT id, body FROM notes ORDER BY id")] == [
        (1, "theirs"),
        (2, "ours"),
    ]
    other.close()
    await db.close()


def _insert_two(first: int, conn: sqlite3.Connection) -> int:
    conn.execute("INSERT INTO notes (id, body) VALUES (?, 'a')", (first,))
    conn.execute("INSERT INTO notes (id, body) VALUES (?, 'b')", (first + 1,))
    return first


async def test_a_small_transaction_commits_all_its_statements_or_none(tmp_path: Path) -> None:
    db = Database(tmp_path)
    await db.open(NOTES)
    assert await db.run_small_transaction(lambda conn: _insert_two(1, conn)) == 1
    with pytest.raises(sqlite3.IntegrityError):  # the second insert clashes: the first is rolled back with it
        await db.run_small_transaction(lambda conn: _insert_two(3, conn) + _insert_two(2, conn))
    other = sqlite3.connect(db.path)  # committed, as another process sees it
    assert other.execute("SELECT id FROM notes ORDER BY id").fetchall() == [(1,), (2,)]
    other.close()
    await db.close()


async def test_a_small_transaction_waits_for_another_process_holding_the_lock_instead_of_failing(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path)
    await db.open(NOTES)
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)  # as another process would
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (id, body) VALUES (10, 'theirs')")
    results: list[int] = []

    async def transact() -> None:
        results.append(await db.run_small_transaction(lambda conn: _insert_two(1, conn)))

    async with anyio.create_task_group() as tg:
        tg.start_soon(transact)
        with anyio.fail_after(2):  # the inline attempt fails at once with SQLITE_BUSY, never freezing the loop
            await anyio.wait_all_tasks_blocked()
            await anyio.lowlevel.checkpoint()
            await anyio.lowlevel.checkpoint()
        assert results == []  # waiting on the threaded path, not failed
        other.execute("COMMIT")
    assert results == [1]
    assert [r[0] for r in await db.fetchall("SELECT id FROM notes ORDER BY id")] == [1, 2, 10]
    other.close()
    await db.close()


async def test_a_transaction_now_commits_at_once_or_refuses_when_anything_else_is_writing(tmp_path: Path) -> None:
    db = Database(tmp_path)
    await db.open(NOTES)
    assert db.small_transaction_now(lambda conn: _insert_two(1, conn)) == 1  # no await: committed already
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)  # as another process would
    assert other.execute("SELECT id FROM notes ORDER BY id").fetchall() == [(1,), (2,)]

    other.execute("BEGIN IMMEDIATE")  # another process holds SQLite's write lock: refused at once, nothing written
    started = time.monotonic()
    with pytest.raises(WriteBusy):
        db.small_transaction_now(lambda conn: _insert_two(3, conn))
    assert time.monotonic() - started < 1  # SQLite answered busy at once: it never waits on the loop's thread
    other.execute("COMMIT")

    async with db.transaction() as conn:  # a task of this process is inside a transaction: refused too
        await conn.execute("INSERT INTO notes (id, body) VALUES (5, 'in the open transaction')")
        with pytest.raises(WriteBusy):
            db.small_transaction_now(lambda conn: _insert_two(3, conn))
    with pytest.raises(sqlite3.IntegrityError):  # any other error is the caller's, rolled back
        db.small_transaction_now(lambda conn: _insert_two(6, conn) + _insert_two(5, conn))
    assert other.execute("SELECT id FROM notes ORDER BY id").fetchall() == [(1,), (2,), (5,)]
    other.close()
    await db.close()
