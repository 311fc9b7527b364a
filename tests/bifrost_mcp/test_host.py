"""The Host over its data dir: what it holds (every tenant's data, the key to their secrets) is its user's alone.

A new data dir is made 0700 with 0600 files, whatever the umask; one an earlier release left readable to
others is narrowed when a host opens it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bifrost.types import Organization
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.files.view import FilesView
from tests.support.data_dir import opened_host


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The common default umask, under which plain creation leaves files readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(data_dir: Path) -> dict[str, str]:
    """Every folder and file under `data_dir` (itself as "."), with its permission bits in octal."""
    found = {".": oct(stat.S_IMODE(data_dir.stat().st_mode))}
    for path in sorted(data_dir.rglob("*")):
        found[path.relative_to(data_dir).as_posix()] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


async def fill(data_dir: Path) -> str:
    """Open a host over `data_dir` and store a secret and a tenant's file; the tenant's organization id."""
    async with opened_host(data_dir) as host:
        org = await host.identity.create_org("Acme")
        await host.config.set(org.id, "vendor_api_key", "k-123", is_secret=True)
        member = Caller(user_id="u", email="u@acme.test", name="U", is_platform_admin=False,
                        organization=Organization(id=org.id, name="Acme"))  # fmt: skip
        await FilesView(host.settings, member).write_bytes("reports/q1.txt", b"numbers", "workspace", "cloud")
        return org.id


def expected_modes(org_id: str, *, wal: bool) -> dict[str, str]:
    files = {
        ".": "0o700",
        "bifrost.sqlite3": "0o600",
        "files": "0o700",
        f"files/{org_id}": "0o700",
        f"files/{org_id}/workspace": "0o700",
        f"files/{org_id}/workspace/reports": "0o700",
        f"files/{org_id}/workspace/reports/q1.txt": "0o600",
        "secret.key": "0o600",
    }
    if wal:
        files |= {"bifrost.sqlite3-shm": "0o600", "bifrost.sqlite3-wal": "0o600"}
    return files


async def test_a_new_data_dir_its_database_secret_key_and_tenant_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    org_id = await fill(data_dir)
    assert modes(data_dir) == expected_modes(org_id, wal=False)
    async with opened_host(data_dir):  # while open, SQLite's -wal and -shm files exist: private as well
        assert modes(data_dir) == expected_modes(org_id, wal=True)


async def test_a_data_dir_an_earlier_release_left_readable_is_narrowed_on_open(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    org_id = await fill(data_dir)
    open_to_everyone(data_dir)
    async with opened_host(data_dir) as host:
        assert modes(data_dir) == expected_modes(org_id, wal=True)
        found = await host.config.get(org_id, "vendor_api_key", reveal=True)
        assert found is not None and found.value == "k-123"


def open_to_everyone(data_dir: Path) -> None:
    """What an earlier release left: folders 0755, files 0644."""
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


async def test_a_secret_key_left_readable_in_a_private_data_dir_is_narrowed_on_open(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    org_id = await fill(data_dir)
    (data_dir / "secret.key").chmod(0o644)
    async with opened_host(data_dir):
        assert modes(data_dir) == expected_modes(org_id, wal=True)
