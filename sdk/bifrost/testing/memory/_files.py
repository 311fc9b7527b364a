"""`files.*` in memory, with the host's rules (bifrost_mcp/data/files/view.py).

- mode "cloud": per scope and location, no GLOBAL fallback. mode "local": one shared workspace per location,
  for platform admins only (AccessDenied otherwise).
- uploads is read-only to workflows (seed it with `InMemoryPlatform.put_file`).
- Paths are relative and '/'-separated; absolute paths, backslashes, `..` and NUL are ValidationErrors;
  empty and `.` segments are dropped. Missing files raise FileNotFoundError, folders IsADirectoryError.
- Writing a file makes its folders; they stay, empty, when their files are deleted (as on disk), and
  folders cannot be deleted.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

from bifrost._context import ExecutionContext
from bifrost.errors import AccessDenied, ValidationError
from bifrost.testing.memory._common import writable_scope
from bifrost.values import Parts, split_path

Root = tuple[str | None, str]  # (scope, or None for mode="local"; location)
FilesState = dict[Root, "Store"]

LOCATIONS = ("workspace", "temp", "uploads")


def root(caller: ExecutionContext, location: str, mode: str) -> Root:
    """Where `location` in `mode` is kept for `caller`; the host's checks of both."""
    if location not in LOCATIONS:
        raise ValidationError(f"location must be one of {', '.join(LOCATIONS)}; got {location!r}")
    if mode not in ("cloud", "local"):
        raise ValidationError(f"mode must be 'cloud' or 'local'; got {mode!r}")
    if mode == "cloud":
        return (caller.scope, location)
    if not caller.is_platform_admin:
        raise AccessDenied(
            "files mode='local' reaches the shared workspace folder and is for platform admins (local development); "
            "use mode='cloud', which is kept per organization"
        )
    return (None, location)


class FilesView:
    def __init__(self, state: FilesState, caller: ExecutionContext) -> None:
        self._state = state
        self._caller = caller

    def _store(self, location: str, mode: str) -> tuple[Store, str]:
        store = self._state.setdefault(root(self._caller, location, mode), Store())
        return store, location if mode == "cloud" else f"local {location}"

    def _writable(self, path: str, location: str, mode: str, action: str) -> tuple[Store, Parts, str]:
        store, label = self._store(location, mode)
        if mode == "cloud":
            writable_scope(self._caller)  # the store is the caller's scope's; local mode is admins' already
        if location == "uploads":
            where = _display(label, split_path(path, label, allow_root=True))
            raise AccessDenied(
                f"cannot {action} {where}: uploads is read-only to workflows; use location='workspace' or 'temp'"
            )
        return store, split_path(path, label), label

    async def read_bytes(self, path: str, location: str, mode: str) -> bytes:
        store, label = self._store(location, mode)
        parts = split_path(path, label)
        if parts in store.files:
            return store.files[parts]
        raise store.missing(parts, label, "is a folder, not a file")

    async def write_bytes(self, path: str, content: bytes, location: str, mode: str) -> None:
        store, parts, label = self._writable(path, location, mode, "write")
        if not isinstance(content, bytes | bytearray):
            raise ValidationError(f"content must be bytes, got {type(content).__name__}")
        store.write(parts, bytes(content), label)

    async def list(self, directory: str, location: str, mode: str) -> builtins.list[str]:
        store, label = self._store(location, mode)
        parts = split_path(directory, label, allow_root=True)
        if parts in store.files:
            raise NotADirectoryError(f"{_display(label, parts)} is a file, not a folder")
        if parts and parts not in store.folders:
            raise store.missing(parts, label, "")
        depth = len(parts) + 1
        entries = [p[-1] + "/" for p in store.folders if len(p) == depth and p[:-1] == parts]
        entries += [p[-1] for p in store.files if len(p) == depth and p[:-1] == parts]
        return sorted(entries)

    async def delete(self, path: str, location: str, mode: str) -> None:
        store, parts, label = self._writable(path, location, mode, "delete")
        if store.files.pop(parts, None) is None:
            raise store.missing(parts, label, "is a folder; delete the files in it")

    async def exists(self, path: str, location: str, mode: str) -> bool:
        store, label = self._store(location, mode)
        parts = split_path(path, label)
        return parts in store.files or parts in store.folders


@dataclass
class Store:
    """The files of one root, and its folders: made by writing a file inside, kept when emptied (as on disk)."""

    files: dict[Parts, bytes] = field(default_factory=dict)
    folders: set[Parts] = field(default_factory=set)

    def write(self, parts: Parts, content: bytes, label: str) -> None:
        if parts in self.folders:
            raise IsADirectoryError(f"{_display(label, parts)} is a folder; write to a file path inside it")
        if self.file_above(parts):
            raise NotADirectoryError(f"{_display(label, parts)}: a folder in that path is a file")
        self.folders.update(parts[:end] for end in range(1, len(parts)))
        self.files[parts] = content

    def file_above(self, parts: Parts) -> bool:
        return any(parts[:end] in self.files for end in range(1, len(parts)))

    def missing(self, parts: Parts, label: str, folder: str) -> OSError:
        """The error for `parts`, which is no file: a folder (`folder` says why that is wrong), or not there."""
        name = _display(label, parts)
        if folder and parts in self.folders:
            return IsADirectoryError(f"{name} {folder}")
        if self.file_above(parts):
            return NotADirectoryError(f"{name}: a folder in that path is a file")
        return FileNotFoundError(f"no such file or folder: {name}")


def _display(label: str, parts: Parts) -> str:
    """How errors name a file: its location and path (`workspace:/data/x.json`)."""
    return f"{label}:/{'/'.join(parts)}"
