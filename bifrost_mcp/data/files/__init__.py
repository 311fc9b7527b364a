"""Files: the SDK `files` port over a per-organization store (cloud) or the workspace (local), sandboxed."""

from bifrost_mcp.data.files.cleanup import clean_temp
from bifrost_mcp.data.files.service import CloudStoreFactory, FilesService, cloud_root, local_root
from bifrost_mcp.data.files.store import FileStore, FolderStore

__all__ = ["CloudStoreFactory", "FileStore", "FilesService", "FolderStore", "clean_temp", "cloud_root", "local_root"]
