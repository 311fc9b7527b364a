import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bifrost import files as sdk_files
from bifrost.errors import ConfigurationError, ValidationError
from bifrost_mcp.data.files import FilesView, cloud_root
from bifrost_mcp.data.files.view import scope_folder
from bifrost_mcp.settings import HostSettings
from tests.bifrost_mcp.data.sdk_binding import bound
from tests.support.callers import ORG_A, ORG_B, member, platform_admin

Operation = Callable[[FilesView, str], Awaitable[Any]]
OPERATIONS: dict[str, Operation] = {
    "read_bytes": lambda f, path: f.read_bytes(path, "workspace", "cloud"),
    "write_bytes": lambda f, path: f.write_bytes(path, b"planted", "workspace", "cloud"),
    "list": lambda f, path: f.list(path, "workspace", "cloud"),
    "delete": lambda f, path: f.delete(path, "workspace", "cloud"),
    "exists": lambda f, path: f.exists(path, "workspace", "cloud"),
}


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


async def test_cloud_files_live_in_the_callers_organization_folder(files_a: FilesView, settings: HostSettings) -> None:
    await files_a.write_bytes("data/config.json", b"{}", "workspace", "cloud")
    assert await files_a.read_bytes("data/config.json", "workspace", "cloud") == b"{}"
    assert (cloud_root(settings, "org-a", "workspace") / "data" / "config.json").read_bytes() == b"{}"
    assert await files_a.list("data/", "workspace", "cloud") == ["config.json"]
    assert await files_a.exists("data/config.json", "workspace", "cloud")


async def test_each_location_is_its_own_root(files_a: FilesView) -> None:
    await files_a.write_bytes("x.txt", b"workspace", "workspace", "cloud")
    await files_a.write_bytes("x.txt", b"temp", "temp", "cloud")
    assert await files_a.read_bytes("x.txt", "temp", "cloud") == b"temp"
    assert await files_a.read_bytes("x.txt", "workspace", "cloud") == b"workspace"
    assert not await files_a.exists("x.txt", "uploads", "cloud")


async def test_uploads_are_readable_but_writing_or_deleting_them_is_refused(
    files_a: FilesView, settings: HostSettings
) -> None:
    upload = cloud_root(settings, "org-a", "uploads") / "form-1" / "u1" / "file.txt"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"uploaded")
    assert await files_a.read_bytes("form-1/u1/file.txt", "uploads", "cloud") == b"uploaded"
    assert await files_a.list("form-1/u1", "uploads", "cloud") == ["file.txt"]
    with pytest.raises(
        PermissionError, match=re.escape("cannot write uploads:/form-1/u1/file.txt: uploads is read-only")
    ):
        await files_a.write_bytes("form-1/u1/file.txt", b"changed", "uploads", "cloud")
    with pytest.raises(
        PermissionError, match=re.escape("cannot delete uploads:/form-1/u1/file.txt: uploads is read-only")
    ):
        await files_a.delete("form-1/u1/file.txt", "uploads", "cloud")
    assert upload.read_bytes() == b"uploaded"


async def test_a_refused_upload_write_creates_no_folders(files_a: FilesView, settings: HostSettings) -> None:
    with pytest.raises(PermissionError, match="read-only"):
        await files_a.write_bytes("new/dir/file.txt", b"x", "uploads", "cloud")
    assert not cloud_root(settings, "org-a", "uploads").exists()


async def test_org_a_cannot_read_list_overwrite_or_delete_org_b_files(
    files_a: FilesView, files_b: FilesView, settings: HostSettings
) -> None:
    await files_b.write_bytes("data/secret.txt", b"b only", "workspace", "cloud")
    with pytest.raises(FileNotFoundError, match=re.escape("workspace:/data/secret.txt")):
        await files_a.read_bytes("data/secret.txt", "workspace", "cloud")
    assert await files_a.list("", "workspace", "cloud") == []
    assert not await files_a.exists("data/secret.txt", "workspace", "cloud")
    with pytest.raises(FileNotFoundError):
        await files_a.delete("data/secret.txt", "workspace", "cloud")
    await files_a.write_bytes("data/secret.txt", b"a's own", "workspace", "cloud")
    assert await files_b.read_bytes("data/secret.txt", "workspace", "cloud") == b"b only"
    assert await files_a.read_bytes("data/secret.txt", "workspace", "cloud") == b"a's own"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize(
    "path",
    [
        "../org-b/workspace/data/secret.txt",
        "../../org-b/workspace/data/secret.txt",
        "data/../../org-b",
        "{absolute}",
        "data/secret.txt\x00../../../org-b",
    ],
)
async def test_no_path_from_org_a_reaches_org_b_files(
    files_a: FilesView, files_b: FilesView, settings: HostSettings, operation: str, path: str
) -> None:
    await files_b.write_bytes("data/secret.txt", b"b only", "workspace", "cloud")
    b_root = cloud_root(settings, "org-b", "workspace")
    before = tree(b_root)
    path = path.format(absolute=b_root / "data" / "secret.txt")
    with pytest.raises(ValidationError, match=r"'\.\.'|absolute|NUL"):
        await OPERATIONS[operation](files_a, path)
    assert tree(b_root) == before
    assert (b_root / "data" / "secret.txt").read_bytes() == b"b only"
    assert tree(cloud_root(settings, "org-a", "workspace")) == []


async def test_a_symlink_planted_in_org_a_folder_does_not_reach_org_b(
    files_a: FilesView, files_b: FilesView, settings: HostSettings
) -> None:
    await files_b.write_bytes("data/secret.txt", b"b only", "workspace", "cloud")
    a_root = cloud_root(settings, "org-a", "workspace")
    a_root.mkdir(parents=True)
    (a_root / "b").symlink_to(cloud_root(settings, "org-b", "workspace"), target_is_directory=True)
    with pytest.raises(ValidationError, match="symlink leads outside"):
        await files_a.read_bytes("b/data/secret.txt", "workspace", "cloud")
    with pytest.raises(ValidationError, match="symlink leads outside"):
        await files_a.write_bytes("b/data/secret.txt", b"overwritten", "workspace", "cloud")
    assert await files_b.read_bytes("data/secret.txt", "workspace", "cloud") == b"b only"


async def test_a_platform_admin_has_its_own_global_files_and_reaches_an_org_only_by_acting_in_it(
    files_admin: FilesView, files_b: FilesView, settings: HostSettings
) -> None:
    await files_b.write_bytes("data/secret.txt", b"b only", "workspace", "cloud")
    assert not await files_admin.exists("data/secret.txt", "workspace", "cloud")
    acting = FilesView(settings, platform_admin().acting_in(ORG_B))
    assert await acting.read_bytes("data/secret.txt", "workspace", "cloud") == b"b only"
    await files_admin.write_bytes("global.txt", b"g", "workspace", "cloud")
    assert (cloud_root(settings, "GLOBAL", "workspace") / "global.txt").read_bytes() == b"g"
    assert await files_b.list("", "workspace", "cloud") == ["data/"]


async def test_local_mode_is_refused_to_organization_members_and_writes_nothing(
    files_a: FilesView, settings: HostSettings
) -> None:
    assert settings.workspace is not None
    for action in (
        files_a.write_bytes("evil.py", b"import os", "workspace", "local"),
        files_a.read_bytes("examples.py", "workspace", "local"),
        files_a.list("", "workspace", "local"),
    ):
        with pytest.raises(PermissionError, match="mode='local' reaches the shared workspace folder"):
            await action
    assert list(settings.workspace.iterdir()) == []


async def test_local_mode_uses_the_workspace_and_its_bifrost_folder(
    files_admin: FilesView, settings: HostSettings
) -> None:
    files_a = files_admin
    assert settings.workspace is not None
    ws = settings.workspace
    await files_a.write_bytes("out/report.csv", b"id\n", "workspace", "local")
    await files_a.write_bytes("scratch.txt", b"t", "temp", "local")
    assert (ws / "out" / "report.csv").read_bytes() == b"id\n"
    assert (ws / ".bifrost" / "temp" / "scratch.txt").read_bytes() == b"t"
    (ws / ".bifrost" / "uploads").mkdir(parents=True)
    (ws / ".bifrost" / "uploads" / "u.txt").write_bytes(b"u")
    assert await files_a.read_bytes("u.txt", "uploads", "local") == b"u"
    with pytest.raises(PermissionError, match=re.escape("cannot write local uploads:/u.txt: uploads is read-only")):
        await files_a.write_bytes("u.txt", b"x", "uploads", "local")


async def test_local_workspace_cannot_reach_the_bifrost_folder_or_the_data_dir(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    settings = HostSettings(data_dir=ws / "state", workspace=ws)
    await FilesView(settings, member(ORG_A)).write_bytes("cloud.txt", b"org a cloud file", "workspace", "cloud")
    files = FilesView(settings, platform_admin())
    (ws / ".bifrost" / "uploads").mkdir(parents=True)
    (ws / ".bifrost" / "uploads" / "u.txt").write_bytes(b"u")
    for path in ("state/bifrost.sqlite3", "state/files/org-a/workspace/cloud.txt", ".bifrost/uploads/u.txt"):
        with pytest.raises(ValidationError, match="reserved for the host"):
            await files.write_bytes(path, b"x", "workspace", "local")
        with pytest.raises(ValidationError, match="reserved for the host"):
            await files.read_bytes(path, "workspace", "local")
    assert await files.list("", "workspace", "local") == []
    assert (ws / ".bifrost" / "uploads" / "u.txt").read_bytes() == b"u"


async def test_local_mode_without_a_workspace_says_how_to_configure_one(tmp_path: Path) -> None:
    files = FilesView(HostSettings(data_dir=tmp_path), platform_admin())
    with pytest.raises(ConfigurationError, match=r"mode='local' needs a workspace folder.*BIFROST_WORKSPACE"):
        await files.read_bytes("x.txt", "workspace", "local")


@pytest.mark.parametrize(("location", "mode", "message"), [("disk", "cloud", "location"), ("temp", "s3", "mode")])
async def test_an_unknown_location_or_mode_is_refused(
    files_a: FilesView, location: str, mode: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        await files_a.read_bytes("x.txt", location, mode)


async def test_content_must_be_bytes(files_a: FilesView) -> None:
    with pytest.raises(ValidationError, match="content must be bytes"):
        await files_a.write_bytes("x.txt", "text", "workspace", "cloud")  # type: ignore[arg-type]


@pytest.mark.parametrize("operation", ["read_bytes", "write_bytes", "delete", "exists"])
async def test_file_operations_need_a_file_path(files_a: FilesView, operation: str) -> None:
    with pytest.raises(ValidationError, match="names no file"):
        await OPERATIONS[operation](files_a, "")


def test_scope_ids_become_single_distinct_folder_names() -> None:
    names = {scope_folder(s) for s in ("org-a", "..", ".", "a/b", "a%2Fb", "GLOBAL", "x~y", "é")}
    assert len(names) == 8
    assert all("/" not in n and n not in (".", "..") for n in names)
    assert scope_folder("org-a") == "org-a"


async def test_the_spec_examples_run_through_the_sdk_files_module(files_a: FilesView) -> None:
    with bound(member(ORG_A), files=files_a):
        await sdk_files.write("data/output.csv", "id,name\n1,Alice\n")
        await sdk_files.write_bytes("images/chart.png", b"\x89PNG")
        await sdk_files.write("temp_report.html", "<p>hi</p>", location="temp")
        assert await sdk_files.read("data/output.csv") == "id,name\n1,Alice\n"
        assert await sdk_files.read_bytes("images/chart.png") == b"\x89PNG"
        assert await sdk_files.list("data/") == ["output.csv"]
        assert await sdk_files.list() == ["data/", "images/"]
        assert await sdk_files.exists("data/output.csv")
        await sdk_files.delete("data/output.csv")
        assert not await sdk_files.exists("data/output.csv")
        assert await sdk_files.read("temp_report.html", location="temp") == "<p>hi</p>"
