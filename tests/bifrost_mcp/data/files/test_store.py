import os
import re
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.files.store import PARTIAL_SUFFIX, FolderStore


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "root"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("host secret")
    return folder


@pytest.fixture
def store(root: Path) -> FolderStore:
    return FolderStore(root, label="workspace")


def plant_link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=target.is_dir())


def lexists(path: Path) -> bool:
    return os.path.lexists(path)


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


async def test_a_written_file_reads_back_and_its_parents_are_created(store: FolderStore, root: Path) -> None:
    await store.write(("data", "deep", "x.bin"), b"\x00\x01")
    assert await store.read(("data", "deep", "x.bin")) == b"\x00\x01"
    assert (root / "data" / "deep" / "x.bin").read_bytes() == b"\x00\x01"


async def test_overwriting_replaces_the_content_and_leaves_no_partial_file(store: FolderStore, root: Path) -> None:
    await store.write(("x.txt",), b"old and longer")
    await store.write(("x.txt",), b"new")
    assert await store.read(("x.txt",)) == b"new"
    assert tree(root) == ["x.txt"]


async def test_list_gives_sorted_relative_names_with_folders_ending_in_a_slash(store: FolderStore) -> None:
    for parts in (("data", "b.txt"), ("data", "a.txt"), ("data", "sub", "c.txt"), ("top.txt",)):
        await store.write(parts, b"x")
    assert await store.list(("data",)) == ["a.txt", "b.txt", "sub/"]
    assert await store.list(()) == ["data/", "top.txt"]


async def test_list_hides_unfinished_writes(store: FolderStore, root: Path) -> None:
    await store.write(("a.txt",), b"x")
    (root / f".a.txt.123{PARTIAL_SUFFIX}").write_bytes(b"half")
    assert await store.list(()) == ["a.txt"]


async def test_an_empty_root_lists_as_empty_but_a_missing_folder_is_an_error(store: FolderStore) -> None:
    assert await store.list(()) == []
    with pytest.raises(FileNotFoundError, match="no such file or folder: workspace:/nope"):
        await store.list(("nope",))


async def test_listing_a_file_says_it_is_not_a_folder(store: FolderStore) -> None:
    await store.write(("a.txt",), b"x")
    with pytest.raises(NotADirectoryError, match=re.escape("workspace:/a.txt is a file, not a folder")):
        await store.list(("a.txt",))


async def test_a_missing_file_error_names_the_file_without_host_folders(store: FolderStore, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        await store.read(("data", "x.json"))
    assert str(caught.value) == "no such file or folder: workspace:/data/x.json"
    assert str(tmp_path) not in str(caught.value)
    assert caught.value.__suppress_context__


async def test_a_symlinked_folder_leading_outside_is_refused_for_every_operation(
    store: FolderStore, root: Path, outside: Path
) -> None:
    plant_link(root / "link", outside)
    before = tree(outside)
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: store.read(("link", "secret.txt")),
        lambda: store.write(("link", "new", "planted.txt"), b"x"),
        lambda: store.list(("link",)),
        lambda: store.delete(("link", "secret.txt")),
        lambda: store.exists(("link", "secret.txt")),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=r"workspace:/link.* a symlink leads outside the workspace root"):
            await attempt()
    assert tree(outside) == before
    assert (outside / "secret.txt").read_text() == "host secret"


async def test_a_symlinked_file_leading_outside_is_refused(store: FolderStore, root: Path, outside: Path) -> None:
    plant_link(root / "innocent.txt", outside / "secret.txt")
    with pytest.raises(ValidationError, match="symlink leads outside"):
        await store.read(("innocent.txt",))
    with pytest.raises(ValidationError, match="symlink leads outside"):
        await store.write(("innocent.txt",), b"overwrite")
    assert (outside / "secret.txt").read_text() == "host secret"


async def test_a_dangling_symlink_leading_outside_creates_nothing_there(
    store: FolderStore, root: Path, outside: Path
) -> None:
    plant_link(root / "trap", outside / "created-by-write")
    with pytest.raises(ValidationError, match="symlink leads outside"):
        await store.write(("trap",), b"x")
    assert not (outside / "created-by-write").exists()


async def test_a_symlinked_root_is_followed_once_and_its_content_is_reachable(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "data").mkdir(parents=True)
    (real / "data" / "x.txt").write_bytes(b"ok")
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    store = FolderStore(tmp_path / "alias", label="workspace")
    assert await store.read(("data", "x.txt")) == b"ok"


async def test_symlinks_inside_the_root_work_and_listing_skips_those_that_leave(
    store: FolderStore, root: Path, outside: Path
) -> None:
    await store.write(("data", "x.txt"), b"inside")
    (root / "alias").symlink_to(root / "data", target_is_directory=True)
    (root / "away").symlink_to(outside, target_is_directory=True)
    assert await store.read(("alias", "x.txt")) == b"inside"
    assert await store.list(()) == ["alias/", "data/"]


async def test_deleting_a_symlink_removes_the_link_not_its_target(store: FolderStore, root: Path) -> None:
    await store.write(("x.txt",), b"keep me")
    (root / "link.txt").symlink_to(root / "x.txt")
    await store.delete(("link.txt",))
    assert not lexists(root / "link.txt")
    assert await store.read(("x.txt",)) == b"keep me"


async def test_delete_removes_files_only(store: FolderStore) -> None:
    await store.write(("data", "x.txt"), b"x")
    with pytest.raises(IsADirectoryError, match="workspace:/data is a folder"):
        await store.delete(("data",))
    await store.delete(("data", "x.txt"))
    assert not await store.exists(("data", "x.txt"))
    with pytest.raises(FileNotFoundError, match=re.escape("workspace:/data/x.txt")):
        await store.delete(("data", "x.txt"))


async def test_exists_is_true_for_files_and_folders(store: FolderStore) -> None:
    await store.write(("data", "x.txt"), b"x")
    assert await store.exists(("data", "x.txt"))
    assert await store.exists(("data",))
    assert not await store.exists(("data", "y.txt"))


async def test_writing_over_a_folder_or_below_a_file_is_refused_clearly(store: FolderStore) -> None:
    await store.write(("data", "x.txt"), b"x")
    with pytest.raises(IsADirectoryError, match="workspace:/data is a folder"):
        await store.write(("data",), b"x")
    with pytest.raises(
        NotADirectoryError, match=re.escape("workspace:/data/x.txt/y.txt: a folder in that path is a file")
    ):
        await store.write(("data", "x.txt", "y.txt"), b"x")


async def test_reading_a_folder_is_refused_clearly(store: FolderStore) -> None:
    await store.write(("data", "x.txt"), b"x")
    with pytest.raises(IsADirectoryError, match="workspace:/data is a folder, not a file"):
        await store.read(("data",))


async def test_a_reserved_folder_inside_the_root_is_unreachable_and_unlisted(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / ".bifrost" / "uploads").mkdir(parents=True)
    (root / ".bifrost" / "uploads" / "u.txt").write_bytes(b"upload")
    store = FolderStore(root, label="local workspace", reserved=[root / ".bifrost", tmp_path / "elsewhere"])
    with pytest.raises(ValidationError, match="reserved for the host"):
        await store.read((".bifrost", "uploads", "u.txt"))
    with pytest.raises(ValidationError, match="reserved for the host"):
        await store.write((".bifrost", "uploads", "u.txt"), b"replaced")
    assert (root / ".bifrost" / "uploads" / "u.txt").read_bytes() == b"upload"
    assert await store.list(()) == []


@pytest.mark.parametrize(("private", "folder_mode", "file_mode"), [(True, 0o700, 0o600), (False, 0o755, 0o644)])
async def test_a_private_store_makes_its_folders_and_files_for_the_servers_user_alone(
    root: Path, private: bool, folder_mode: int, file_mode: int
) -> None:
    previous = os.umask(0o022)
    try:
        await FolderStore(root, label="workspace", private=private).write(("a", "b", "c.txt"), b"x")
    finally:
        os.umask(previous)
    assert modes(root) == {".": folder_mode, "a": folder_mode, "a/b": folder_mode, "a/b/c.txt": file_mode}


def modes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}
