from pathlib import Path

import pytest

from bifrost_mcp.data.files import FilesView
from bifrost_mcp.settings import HostSettings
from tests.support.callers import ORG_A, ORG_B, member, platform_admin


@pytest.fixture
def settings(tmp_path: Path) -> HostSettings:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return HostSettings(data_dir=tmp_path / "data", workspace=workspace)


@pytest.fixture
def files_a(settings: HostSettings) -> FilesView:
    return FilesView(settings, member(ORG_A))


@pytest.fixture
def files_b(settings: HostSettings) -> FilesView:
    return FilesView(settings, member(ORG_B))


@pytest.fixture
def files_admin(settings: HostSettings) -> FilesView:
    return FilesView(settings, platform_admin())
