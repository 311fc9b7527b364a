from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost.types import Organization
from bifrost_mcp.data.tables import MIGRATIONS, TablesService
from bifrost_mcp.identity.caller import Caller
from bifrost_mcp.storage.db import Database

ORG_A = Organization(id="org-a", name="Org A")
ORG_B = Organization(id="org-b", name="Org B")


def member(org: Organization) -> Caller:
    return Caller(
        user_id=f"user-{org.id}", email=f"u@{org.id}.test", name="U", organization=org, is_platform_admin=False
    )


def platform_admin() -> Caller:
    return Caller(user_id="admin", email="admin@test", name="Admin", organization=None, is_platform_admin=True)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path)
    await database.open(MIGRATIONS)
    yield database
    await database.close()


@pytest.fixture
def tables_a(db: Database) -> TablesService:
    return TablesService(db, member(ORG_A))


@pytest.fixture
def tables_b(db: Database) -> TablesService:
    return TablesService(db, member(ORG_B))


@pytest.fixture
def tables_admin(db: Database) -> TablesService:
    return TablesService(db, platform_admin())
