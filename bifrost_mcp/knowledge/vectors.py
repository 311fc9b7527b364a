"""Chroma as the vector store: one collection per (scope, namespace), always queried with our own vectors.

A collection's name is derived from its scope and namespace, and the scope is also kept in the
collection's metadata and checked when it is opened, so no query can reach another tenant's vectors:
every method takes a `Space`, never a collection name. Chroma's client is blocking, so every call
runs in a worker thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
import chromadb
from chromadb.config import Settings

T = TypeVar("T")
_SCOPE, _NAMESPACE, _EMBEDDER, _DIMENSIONS = "bifrost_scope", "bifrost_namespace", "bifrost_embedder", "bifrost_dims"


@dataclass(frozen=True)
class Space:
    """A tenant's namespace: the unit of storage, listing and embedder identity."""

    scope: str
    namespace: str

    @property
    def collection_name(self) -> str:
        digest = hashlib.sha256(f"{self.scope}\x00{self.namespace}".encode()).hexdigest()
        return f"kb-{digest[:40]}"


@dataclass(frozen=True)
class SpaceInfo:
    space: Space
    embedder: str
    dimensions: int


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


def persistent_client(path: Path) -> Any:
    """Embedded Chroma storing under `path` (the data dir's `chroma` folder)."""
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_settings())


def http_client(url: str) -> Any:
    """A Chroma server at `url`, e.g. http://127.0.0.1:8000."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"Chroma URL {url!r} must look like http://host:port (no path)")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=_settings())


class VectorStore:
    """Thin async wrapper over a Chroma client."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.max_batch = int(client.get_max_batch_size())

    async def call(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(fn)

    async def collection(self, space: Space) -> Any | None:
        """The space's collection, or None if nothing was ever stored there."""
        return await self.call(lambda: self._open(space))

    async def create(self, space: Space, embedder: str, dimensions: int) -> Any:
        metadata = {_SCOPE: space.scope, _NAMESPACE: space.namespace, _EMBEDDER: embedder, _DIMENSIONS: dimensions}

        def create() -> Any:
            collection = self._client.get_or_create_collection(
                space.collection_name,
                metadata=metadata,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,  # vectors always come from our embedder; Chroma's default downloads one
            )
            _check_owner(collection, space)
            return collection

        return await self.call(create)

    async def spaces(self) -> list[SpaceInfo]:
        """Every space in the store (all scopes: callers filter to what they may see)."""

        def list_all() -> list[SpaceInfo]:
            infos = []
            for collection in self._client.list_collections():
                meta = collection.metadata or {}
                if _SCOPE in meta and collection.name == Space(meta[_SCOPE], meta[_NAMESPACE]).collection_name:
                    infos.append(info_of(collection))
            return infos

        return await self.call(list_all)

    async def drop(self, space: Space) -> None:
        await self.call(lambda: self._client.delete_collection(space.collection_name))

    async def rename(self, collection: Any, space: Space, embedder: str, dimensions: int) -> None:
        """Make `collection` the one of `space` (used by reindex, after the old one is dropped)."""
        meta = {_SCOPE: space.scope, _NAMESPACE: space.namespace, _EMBEDDER: embedder, _DIMENSIONS: dimensions}
        await self.call(lambda: collection.modify(name=space.collection_name, metadata=meta))

    async def create_scratch(self, space: Space, embedder: str, dimensions: int) -> Any:
        """An empty side collection to rebuild `space` into; any leftover of an interrupted rebuild is dropped."""
        name = f"{space.collection_name}-rebuild"
        meta = {"bifrost_rebuild_of": space.collection_name, _EMBEDDER: embedder, _DIMENSIONS: dimensions}

        def create() -> Any:
            if any(c.name == name for c in self._client.list_collections()):
                self._client.delete_collection(name)
            return self._client.create_collection(
                name, metadata=meta, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )

        return await self.call(create)

    def _open(self, space: Space) -> Any | None:
        try:
            collection = self._client.get_collection(space.collection_name, embedding_function=None)
        except chromadb.errors.NotFoundError:
            return None
        _check_owner(collection, space)
        return collection


def info_of(collection: Any) -> SpaceInfo:
    meta = collection.metadata or {}
    return SpaceInfo(Space(meta[_SCOPE], meta[_NAMESPACE]), str(meta[_EMBEDDER]), int(meta[_DIMENSIONS]))


def _check_owner(collection: Any, space: Space) -> None:
    meta = collection.metadata or {}
    if (meta.get(_SCOPE), meta.get(_NAMESPACE)) != (space.scope, space.namespace):
        raise RuntimeError(f"Chroma collection {collection.name} belongs to {meta.get(_SCOPE)!r}, not {space.scope!r}")
