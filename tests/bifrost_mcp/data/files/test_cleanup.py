import os
import time
from pathlib import Path

import pytest

from bifrost_mcp.clock import ManualClock
from bifrost_mcp.data.files import FilesView, clean_temp, cloud_root
from bifrost_mcp.settings import HostSettings
from tests.support.callers import ORG_A, ORG_B, member, platform_admin

HOUR = 3600


def lexists(path: Path) -> bool:
    return os.path.lexists(path)


def age(path: Path, seconds: float) -> None:
    """Backdate a file's (or link's) modification time."""
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp), follow_symlinks=False)


async def test_temp_files_older_than_the_age_are_deleted_across_scopes_and_local_mode(
    settings: HostSettings,
) -> None:
    for org in (ORG_A, ORG_B):
        files = FilesView(settings, member(org))
        await files.write_bytes("old/report.html", b"old", "temp", "cloud")
        await files.write_bytes("fresh.html", b"fresh", "temp", "cloud")
        await FilesView(settings, platform_admin()).write_bytes("old-local.txt", b"old", "temp", "local")
        age(cloud_root(settings, org.id, "temp") / "old" / "report.html", 2 * HOUR)
        age(cloud_root(settings, org.id, "temp") / "old", 2 * HOUR)
    assert settings.workspace is not None
    age(settings.workspace / ".bifrost" / "temp" / "old-local.txt", 2 * HOUR)

    assert await clean_temp(settings, HOUR) == 3
    for org in (ORG_A, ORG_B):
        files = FilesView(settings, member(org))
        assert await files.list("", "temp", "cloud") == ["fresh.html"]
    assert not (settings.workspace / ".bifrost" / "temp" / "old-local.txt").exists()


async def test_workspace_and_uploads_are_never_cleaned(files_a: FilesView, settings: HostSettings) -> None:
    await files_a.write_bytes("keep.txt", b"x", "workspace", "cloud")
    upload = cloud_root(settings, "org-a", "uploads") / "u.txt"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"u")
    age(cloud_root(settings, "org-a", "workspace") / "keep.txt", 100 * HOUR)
    age(upload, 100 * HOUR)
    assert await clean_temp(settings, 0) == 0
    assert await files_a.exists("keep.txt", "workspace", "cloud")
    assert upload.exists()


async def test_cleanup_removes_old_symlinks_without_following_them(
    files_a: FilesView, settings: HostSettings, tmp_path: Path
) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_bytes(b"keep")
    age(precious / "keep.txt", 100 * HOUR)
    await files_a.write_bytes("placeholder.txt", b"x", "temp", "cloud")
    temp_root = cloud_root(settings, "org-a", "temp")
    (temp_root / "link").symlink_to(precious, target_is_directory=True)
    age(temp_root / "link", 2 * HOUR)
    assert await clean_temp(settings, HOUR) == 1
    assert not lexists(temp_root / "link")
    assert (precious / "keep.txt").read_bytes() == b"keep"


async def test_the_age_is_measured_on_the_given_clock(files_a: FilesView, settings: HostSettings) -> None:
    await files_a.write_bytes("report.html", b"r", "temp", "cloud")
    clock = ManualClock()
    clock.advance(HOUR - 60)
    assert await clean_temp(settings, HOUR, clock=clock) == 0
    clock.advance(120)
    assert await clean_temp(settings, HOUR, clock=clock) == 1
    assert await files_a.list("", "temp", "cloud") == []


async def test_cleanup_with_nothing_to_clean_returns_zero(tmp_path: Path) -> None:
    assert await clean_temp(HostSettings(data_dir=tmp_path / "empty"), HOUR) == 0


async def test_a_negative_age_is_refused(settings: HostSettings) -> None:
    with pytest.raises(ValueError, match="max_age_seconds"):
        await clean_temp(settings, -1)


async def test_a_fresh_empty_folder_is_kept_for_the_write_about_to_use_it(settings: HostSettings) -> None:
    fresh = cloud_root(settings, "org-a", "temp") / "just-made"
    fresh.mkdir(parents=True)
    stale = cloud_root(settings, "org-a", "temp") / "stale"
    stale.mkdir()
    age(stale, 2 * HOUR)
    assert await clean_temp(settings, HOUR) == 0
    assert fresh.is_dir()
    assert not stale.exists()
