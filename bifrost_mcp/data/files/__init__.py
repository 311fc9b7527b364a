"""Files: the SDK `files` port over a per-organization store (cloud) or the workspace (local), sandboxed."""

from bifrost_mcp.data.files.cleanup import clean_temp
from bifrost_mcp.data.files.store import BlobStore, FolderStore
from bifrost_mcp.data.files.view import CloudStoreFactory, FilesView, cloud_root, local_root

__all__ = ["BlobStore", "CloudStoreFactory", "FilesView", "FolderStore", "clean_temp", "cloud_root", "local_root"]
