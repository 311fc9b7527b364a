from pathlib import Path

import pytest

from bifrost.types import Organization
from bifrost_mcp.data.files import FilesService
from bifrost_mcp.identity.caller import Caller
from bifrost_mcp.settings import HostSettings

ORG_A = Organization(id="org-a", name="Org A")
ORG_B = Organization(id="org-b", name="Org B")


def member(org: Organization) -> Caller:
    return Caller(
        user_id=f"user-{org.id}", email=f"u@{org.id}.test", name="U", organization=org, is_platform_admin=False
    )


def platform_admin() -> Caller:
    return Caller(user_id="admin", email="admin@test", name="Admin", organization=None, is_platform_admin=True)


@pytest.fixture
def settings(tmp_path: Path) -> HostSettings:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return HostSettings(data_dir=tmp_path / "data", workspace=workspace)


@pytest.fixture
def files_a(settings: HostSettings) -> FilesService:
    return FilesService(settings, member(ORG_A))


@pytest.fixture
def files_b(settings: HostSettings) -> FilesService:
    return FilesService(settings, member(ORG_B))


@pytest.fixture
def files_admin(settings: HostSettings) -> FilesService:
    return FilesService(settings, platform_admin())
