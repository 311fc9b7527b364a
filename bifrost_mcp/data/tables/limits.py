"""How many tables and table indexes one scope may hold (HostSettings, BIFROST_MAX_*_PER_SCOPE).

A scope's indexes cost only its own writes (stores.py), but every index and table is also part of the
schema that each connection reloads after any schema change, and of the data dir every tenant shares.
Both counts are read inside the write transaction that would add to them, so concurrent creates cannot
slip past a cap together.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables.indexes import INDEX_PREFIX
from bifrost_mcp.settings import MAX_INDEXES_PER_SCOPE, MAX_TABLES_PER_SCOPE, HostSettings

TABLES_SETTING = "BIFROST_MAX_TABLES_PER_SCOPE"
INDEXES_SETTING = "BIFROST_MAX_INDEXES_PER_SCOPE"


@dataclass(frozen=True, slots=True)
class TableLimits:
    max_tables: int = MAX_TABLES_PER_SCOPE
    max_indexes: int = MAX_INDEXES_PER_SCOPE

    @classmethod
    def of(cls, settings: HostSettings) -> TableLimits:
        return cls(max_tables=settings.max_tables_per_scope, max_indexes=settings.max_indexes_per_scope)

    async def check_room(self, conn: aiosqlite.Connection, scope: str, store: str, *, name: str, indexes: int) -> None:
        """Refuse, saying which limit and how to get room, a new table `name` declaring `indexes` indexes."""
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM data_tables WHERE scope = ?", (scope,))
        tables = next(iter(rows))[0]
        if tables >= self.max_tables:
            raise ValidationError(
                f"cannot create table {name!r}: scope {scope!r} already has {tables} tables, the most allowed "
                f"({TABLES_SETTING}={self.max_tables}); delete tables it no longer needs, or ask the host's "
                f"operator to raise {TABLES_SETTING}"
            )
        if not indexes:
            return
        rows = await conn.execute_fetchall(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name GLOB ?",
            (store, f"{INDEX_PREFIX}*"),
        )
        existing = next(iter(rows))[0]
        if existing + indexes > self.max_indexes:
            raise ValidationError(
                f"cannot create table {name!r} with {indexes} indexes: scope {scope!r} already has {existing} "
                f"table indexes and may have at most {self.max_indexes} ({INDEXES_SETTING}); declare fewer "
                f"indexes, delete tables it no longer needs, or ask the host's operator to raise {INDEXES_SETTING}"
            )
