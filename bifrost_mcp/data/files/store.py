"""The file store seam and its one built backend, a folder on the local disk.

BlobStore is what an S3-compatible backend would implement later: it receives paths already checked by
paths.split_path, one store per (scope, location) root. FolderStore adds the rule only a filesystem
needs: a path whose resolution (following every symlink, parents included) leaves the root, or enters a
reserved folder inside it, is refused before anything is created.
"""

from __future__ import annotations

import builtins
import logging
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import anyio.to_thread

from bifrost.errors import AccessDenied, ValidationError
from bifrost_mcp.data.files.paths import Parts, display
from bifrost_mcp.storage.private import PRIVATE_FILE, make_private_dirs

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".bifrost-partial"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class BlobStore(Protocol):
    """Files under one root. `parts` are checked relative segments; `()` is the root itself."""

    label: str

    async def read(self, parts: Parts) -> bytes: ...
    async def write(self, parts: Parts, content: bytes) -> None: ...
    async def list(self, parts: Parts) -> builtins.list[str]: ...
    async def delete(self, parts: Parts) -> None: ...
    async def exists(self, parts: Parts) -> bool: ...


class FolderStore:
    """A BlobStore in a local folder (created on first write). `reserved` folders inside it are refused.

    A `private` store (a tenant's files in the data dir) creates its folders 0700 and its files 0600.
    """

    def __init__(self, root: Path, label: str, reserved: Sequence[Path] = (), *, private: bool = True) -> None:
        self.label = label
        self._private = private
        self._root = Path(os.path.realpath(root))
        self._reserved = [r for r in (Path(os.path.realpath(p)) for p in reserved) if r.is_relative_to(self._root)]

    def _resolve(self, parts: Parts) -> Path:
        target = Path(os.path.realpath(self._root.joinpath(*parts)))
        if not target.is_relative_to(self._root):
            raise ValidationError(
                f"{display(self.label, parts)} is refused: a symlink leads outside the {self.label} root"
            )
        if any(target.is_relative_to(reserved) for reserved in self._reserved):
            raise ValidationError(f"{display(self.label, parts)} is refused: that folder is reserved for the host")
        return target

    async def read(self, parts: Parts) -> bytes:
        return await anyio.to_thread.run_sync(self._read, parts)

    async def write(self, parts: Parts, content: bytes) -> None:
        await anyio.to_thread.run_sync(self._write, parts, content)

    async def list(self, parts: Parts) -> builtins.list[str]:
        return await anyio.to_thread.run_sync(self._list, parts)

    async def delete(self, parts: Parts) -> None:
        await anyio.to_thread.run_sync(self._delete, parts)

    async def exists(self, parts: Parts) -> bool:
        return await anyio.to_thread.run_sync(self._exists, parts)

    def _read(self, parts: Parts) -> bytes:
        target = self._resolve(parts)
        with _os_errors(display(self.label, parts)):
            fd = os.open(target, os.O_RDONLY | _NOFOLLOW)
            with os.fdopen(fd, "rb") as handle:
                return handle.read()

    def _write(self, parts: Parts, content: bytes) -> None:
        target = self._resolve(parts)
        name = display(self.label, parts)
        if target == self._root or target.is_dir():
            raise IsADirectoryError(f"{name} is a folder; write to a file path inside it")
        with _os_errors(name):
            if self._private:
                make_private_dirs(target.parent)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
            # Write beside the target, then rename over it: readers see the old or the new file, never half.
            partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}{PARTIAL_SUFFIX}")
            mode = PRIVATE_FILE if self._private else 0o644
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content)
                os.replace(partial, target)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise

    def _list(self, parts: Parts) -> builtins.list[str]:
        folder = self._resolve(parts)
        name = display(self.label, parts)
        if not parts and not folder.exists():
            return []  # a scope's store exists logically before its first file
        if folder.is_file():
            raise NotADirectoryError(f"{name} is a file, not a folder")
        entries: list[str] = []
        with _os_errors(name), os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.endswith(PARTIAL_SUFFIX):
                    continue
                try:
                    resolved = self._resolve((*parts, entry.name))
                except ValidationError:
                    continue  # not reachable through this store, so not listed either
                entries.append(entry.name + "/" if resolved.is_dir() else entry.name)
        return sorted(entries)

    def _delete(self, parts: Parts) -> None:
        if not parts:
            raise ValidationError(f"{display(self.label, parts)} is the root folder; name a file to delete")
        self._resolve(parts)
        # Unlink the last segment itself (a symlink is removed, not its target); its parent is resolved.
        link = self._resolve(parts[:-1]) / parts[-1]
        name = display(self.label, parts)
        if not link.is_symlink() and link.is_dir():
            raise IsADirectoryError(f"{name} is a folder; delete the files in it")
        with _os_errors(name):
            link.unlink()

    def _exists(self, parts: Parts) -> bool:
        return self._resolve(parts).exists()


@contextmanager
def _os_errors(name: str) -> Iterator[None]:
    """Re-raise filesystem errors naming the file as the workflow knows it, without the host's folders."""
    try:
        yield
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file or folder: {name}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{name} is a folder, not a file") from None
    except (NotADirectoryError, FileExistsError):
        raise NotADirectoryError(f"{name}: a folder in that path is a file") from None
    except PermissionError:
        raise AccessDenied(f"{name}: the host's file permissions do not allow this") from None
    except OSError as exc:
        logger.warning("file operation on %s failed: %s", name, exc)
        raise OSError(f"{name}: {exc.strerror or type(exc).__name__}") from None
