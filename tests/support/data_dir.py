"""A real Host over a temp data dir, and the data dir read as another process would: its database, its bytes."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.storage.db import DB_FILENAME


@asynccontextmanager
async def opened_host(data_dir: Path) -> AsyncIterator[Host]:
    async with Host.opened(HostSettings(data_dir=data_dir)) as host:
        yield host


def files_containing(data_dir: Path, needle: str) -> list[str]:
    """Every file under `data_dir` (database, -wal, -shm, key file, ...) whose bytes contain `needle`."""
    raw = needle.encode("utf-8")
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file() and raw in p.read_bytes())


def data_files(data_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())


def db_rows(data_dir: Path, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """Read the data dir's database directly (read-only), as another process would."""
    path = data_dir / DB_FILENAME
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        conn.close()
