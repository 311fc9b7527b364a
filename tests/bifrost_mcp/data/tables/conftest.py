from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost_mcp.data.tables import MIGRATIONS, TablesView
from bifrost_mcp.storage.db import Database
from tests.support.callers import ORG_A, ORG_B, member, platform_admin


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path)
    await database.open(MIGRATIONS)
    yield database
    await database.close()


@pytest.fixture
def tables_a(db: Database) -> TablesView:
    return TablesView(db, member(ORG_A))


@pytest.fixture
def tables_b(db: Database) -> TablesView:
    return TablesView(db, member(ORG_B))


@pytest.fixture
def tables_admin(db: Database) -> TablesView:
    return TablesView(db, platform_admin())
