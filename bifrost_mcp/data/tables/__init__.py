"""Document tables: the SDK `tables` port over SQLite, with a parameterized query compiler."""

from bifrost_mcp.data.tables.schema import MIGRATIONS
from bifrost_mcp.data.tables.view import TablesView

__all__ = ["MIGRATIONS", "TablesView"]
