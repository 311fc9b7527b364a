"""Document tables: the SDK `tables` port over SQLite, with a parameterized query compiler."""

from bifrost_mcp.data.tables.schema import MIGRATIONS
from bifrost_mcp.data.tables.service import TablesService

__all__ = ["MIGRATIONS", "TablesService"]
