"""FilesView: the SDK's `files` port, for one caller.

Roots (decisions the spec leaves open):

- mode "cloud" (default): the platform's store, per organization: `<data_dir>/files/<scope>/<location>/`
  through a BlobStore (a folder here; an S3-compatible store can be passed as `cloud_store`). The scope
  is the caller's (a platform admin acting in an organization gets that organization's files); there is
  no GLOBAL fallback. Writing GLOBAL files takes what the gate asks of every GLOBAL write
  (`access.writable_scope`).
- mode "local": the workspace on disk, for local development, not split per organization:
  workspace -> `<workspace>/`, temp -> `<workspace>/.bifrost/temp/`, uploads -> `<workspace>/.bifrost/uploads/`.
  The workspace location cannot reach `<workspace>/.bifrost/` or the data dir when those lie inside it,
  so local uploads stay read-only and no workflow reaches the host's database or other tenants' files. (A
  host starts with the data dir inside the workspace only in a folder the loader skips, such as
  `<workspace>/.bifrost`: see workspace/layout.py.)
- uploads is read-only to workflows: write and delete are refused before any store is touched.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from bifrost.errors import AccessDenied, ConfigurationError, ValidationError
from bifrost_mcp.access import require_local_files, writable_scope
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.files.paths import display, split_path
from bifrost_mcp.data.files.store import BlobStore, FolderStore
from bifrost_mcp.settings import HostSettings

LOCATIONS = ("workspace", "temp", "uploads")
MODES = ("cloud", "local")
LOCAL_RESERVED = ".bifrost"

CloudStoreFactory = Callable[[str, str], BlobStore]
"""(scope, location) -> the BlobStore holding that organization's files in that location."""


def scope_folder(scope: str) -> str:
    """A scope id as one safe folder name (injective: '%' and '.' are escaped too)."""
    if not scope:
        raise RuntimeError("a caller's scope is never empty")
    return quote(scope, safe="-_").replace(".", "%2E").replace("~", "%7E")


def cloud_root(settings: HostSettings, scope: str, location: str) -> Path:
    """Where the folder store keeps a scope's files (form uploads are written under location 'uploads')."""
    return settings.data_dir / "files" / scope_folder(scope) / location


def local_root(workspace: Path, location: str) -> Path:
    return workspace if location == "workspace" else workspace / LOCAL_RESERVED / location


class FilesView:
    def __init__(self, settings: HostSettings, caller: Caller, *, cloud_store: CloudStoreFactory | None = None) -> None:
        self._settings = settings
        self._caller = caller
        self._cloud_store = cloud_store or self._folder_store

    def _folder_store(self, scope: str, location: str) -> BlobStore:
        return FolderStore(cloud_root(self._settings, scope, location), label=location)

    def _store(self, location: str, mode: str) -> BlobStore:
        if location not in LOCATIONS:
            raise ValidationError(f"location must be one of {', '.join(LOCATIONS)}; got {location!r}")
        if mode not in MODES:
            raise ValidationError(f"mode must be 'cloud' or 'local'; got {mode!r}")
        if mode == "cloud":
            return self._cloud_store(self._caller.scope, location)
        require_local_files(self._caller)
        workspace = self._settings.workspace
        if workspace is None:
            raise ConfigurationError(
                "mode='local' needs a workspace folder: start the host with --workspace or set BIFROST_WORKSPACE, "
                "or use mode='cloud'"
            )
        reserved = (workspace / LOCAL_RESERVED, self._settings.data_dir)
        # the workspace is the developer's own folder: files there keep the usual modes
        return FolderStore(local_root(workspace, location), label=f"local {location}", reserved=reserved, private=False)

    def _writable(self, store: BlobStore, path: str, location: str, mode: str, action: str) -> BlobStore:
        if mode == "cloud":
            writable_scope(self._caller)  # the store is the caller's scope's; local mode is admins' already
        if location == "uploads":
            where = display(store.label, split_path(path, store.label, allow_root=True))
            raise AccessDenied(
                f"cannot {action} {where}: uploads is read-only to workflows; use location='workspace' or 'temp'"
            )
        return store

    async def read_bytes(self, path: str, location: str, mode: str) -> bytes:
        store = self._store(location, mode)
        return await store.read(split_path(path, store.label))

    async def write_bytes(self, path: str, content: bytes, location: str, mode: str) -> None:
        store = self._writable(self._store(location, mode), path, location, mode, "write")
        parts = split_path(path, store.label)
        if not isinstance(content, bytes | bytearray):
            raise ValidationError(f"content must be bytes, got {type(content).__name__}")
        await store.write(parts, bytes(content))

    async def list(self, directory: str, location: str, mode: str) -> builtins.list[str]:
        store = self._store(location, mode)
        return await store.list(split_path(directory, store.label, allow_root=True))

    async def delete(self, path: str, location: str, mode: str) -> None:
        store = self._writable(self._store(location, mode), path, location, mode, "delete")
        await store.delete(split_path(path, store.label))

    async def exists(self, path: str, location: str, mode: str) -> bool:
        store = self._store(location, mode)
        return await store.exists(split_path(path, store.label))
