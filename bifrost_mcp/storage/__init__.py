"""The embedded database: one SQLite file in the data dir, WAL, versioned migrations."""

from bifrost_mcp.storage.db import Database, Migration, WriteBusy

__all__ = ["Database", "Migration", "WriteBusy"]
