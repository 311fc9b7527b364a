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
from chromadb.errors import NotFoundError

from bifrost.errors import ValidationError
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.storage.private import make_private_dirs

T = TypeVar("T")
_SCOPE, _NAMESPACE, _EMBEDDER, _DIMENSIONS = "bifrost_scope", "bifrost_namespace", "bifrost_embedder", "bifrost_dims"
_REBUILD = "bifrost_rebuild"
_HNSW = {"hnsw": {"space": "cosine"}}
MISS_TTL = 1.0  # seconds a cached open remembers that a collection does not exist


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
    make_private_dirs(path)  # every organization's documents: for the server's user alone
    return chromadb.PersistentClient(path=str(path), settings=_settings())


def http_client(url: str) -> Any:
    """A Chroma server at `url`, e.g. http://127.0.0.1:8000."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValidationError(f"Chroma URL {url!r} must look like http://host:port (no path)")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=_settings())


class VectorStore:
    """Thin async wrapper over a Chroma client."""

    def __init__(self, client: Any, *, miss_ttl: float = MISS_TTL, clock: Clock = SYSTEM_CLOCK) -> None:
        self._client = client
        self._clock = clock
        self.max_batch = int(client.get_max_batch_size())
        self._handles: dict[Space, Any] = {}
        self._misses: dict[Space, float] = {}  # space -> monotonic time its collection was found missing
        self._miss_ttl = miss_ttl

    @property
    def client_settings(self) -> Settings:
        """The Chroma client's settings (its telemetry among them)."""
        settings: Settings = self._client.get_settings()
        return settings

    def close(self) -> None:
        """Release the client (the SQLite files of an embedded store, the connections to a server)."""
        # chromadb stops an HTTP client's systems on close but never closes their connection pools; each
        # HttpClient gets systems of its own (random identifiers), so closing the pools here is safe
        servers = [getattr(self._client, "_server", None)]
        servers.append(getattr(getattr(self._client, "_admin_client", None), "_server", None))
        self._client.close()
        for server in servers:
            session = getattr(server, "_session", None)
            if session is not None:
                session.close()

    async def call(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(fn)

    async def collection(self, space: Space) -> Any | None:
        """The space's collection, or None if nothing was ever stored there."""
        return await self.call(lambda: self.open(space))

    async def create(self, space: Space, embedder: str, dimensions: int) -> Any:
        metadata = {_SCOPE: space.scope, _NAMESPACE: space.namespace, _EMBEDDER: embedder, _DIMENSIONS: dimensions}

        def create() -> Any:
            collection = self._client.get_or_create_collection(
                space.collection_name,
                metadata=metadata,
                configuration=_HNSW,
                embedding_function=None,  # vectors always come from our embedder; Chroma's default downloads one
            )
            _check_owner(collection, space)
            return collection

        collection = await self.call(create)
        self.forget(space)  # cached opens see it at once
        return collection

    async def spaces(self) -> list[SpaceInfo]:
        """Every space in the store (all scopes: callers filter to what they may see)."""
        return await self.call(self.list_spaces)

    def list_spaces(self) -> list[SpaceInfo]:
        """Blocking: for code already running in a worker thread."""
        infos = []
        for collection in self._client.list_collections():
            meta = collection.metadata or {}
            if _SCOPE in meta and collection.name == Space(meta[_SCOPE], meta[_NAMESPACE]).collection_name:
                infos.append(info_of(collection))
        return infos

    async def drop(self, space: Space) -> None:
        self.forget(space)
        await self.call(lambda: self._client.delete_collection(space.collection_name))

    async def create_scratch(self, space: Space, embedder: str, dimensions: int) -> Any:
        """An empty side collection to rebuild `space` into; a leftover of an interrupted rebuild is dropped."""
        name = f"{space.collection_name}-rebuild"
        meta = {_SCOPE: space.scope, _NAMESPACE: space.namespace, _EMBEDDER: embedder, _DIMENSIONS: dimensions}

        def create() -> Any:
            if any(c.name == name for c in self._client.list_collections()):
                self._client.delete_collection(name)
            return self._client.create_collection(
                name, metadata={**meta, _REBUILD: "filling"}, configuration=_HNSW, embedding_function=None
            )

        return await self.call(create)

    async def swap_in(self, scratch: Any, space: Space, embedder: str, dimensions: int) -> None:
        """Replace the space's collection by the filled `scratch` one."""
        meta = {_SCOPE: space.scope, _NAMESPACE: space.namespace, _EMBEDDER: embedder, _DIMENSIONS: dimensions}

        self.forget(space)

        def swap() -> None:
            # marked complete first: if the process dies between the two calls below, recover_rebuilds finishes
            scratch.modify(metadata={**meta, _REBUILD: "complete"})
            self._client.delete_collection(space.collection_name)
            scratch.modify(name=space.collection_name, metadata=meta)

        await self.call(swap)

    async def recover_rebuilds(self) -> None:
        """Finish swaps an interrupted reindex left half done; drop its unfinished side collections."""
        self.forget()

        def recover() -> None:
            collections = {c.name: c for c in self._client.list_collections()}
            for name, collection in collections.items():
                meta = collection.metadata or {}
                if not name.endswith("-rebuild") or _REBUILD not in meta:
                    continue
                target = name.removesuffix("-rebuild")
                if meta[_REBUILD] == "complete" and target not in collections:
                    collection.modify(name=target, metadata={k: v for k, v in meta.items() if k != _REBUILD})
                elif target in collections:
                    self._client.delete_collection(name)

        await self.call(recover)

    def open(self, space: Space, *, cached: bool = False) -> Any | None:
        """Blocking: for code already running in a worker thread.

        `cached` reuses the handle of an earlier open, and for `MISS_TTL` seconds the finding that the
        collection does not exist: each saves a SQLite lookup per search (a search covers the caller's
        namespace and its GLOBAL fallback, which mostly does not exist). A handle goes stale when another
        process drops or rebuilds the collection: its use then raises chromadb's NotFoundError, and the
        caller retries with `forget()` and a fresh open. A collection another process creates is seen by
        cached opens within `MISS_TTL`; one this store creates, at once.
        """
        if cached:
            if (handle := self._handles.get(space)) is not None:
                return handle
            missed = self._misses.get(space)
            if missed is not None and self._clock.monotonic() - missed < self._miss_ttl:
                return None
        try:
            collection = self._client.get_collection(space.collection_name, embedding_function=None)
        except NotFoundError:
            self._misses[space] = self._clock.monotonic()
            return None
        _check_owner(collection, space)
        self._misses.pop(space, None)
        self._handles[space] = collection
        return collection

    def forget(self, space: Space | None = None) -> None:
        """Drop what cached opens remember (of one space, or all)."""
        if space is None:
            self._handles.clear()
            self._misses.clear()
        else:
            self._handles.pop(space, None)
            self._misses.pop(space, None)


def info_of(collection: Any) -> SpaceInfo:
    meta = collection.metadata or {}
    return SpaceInfo(Space(meta[_SCOPE], meta[_NAMESPACE]), str(meta[_EMBEDDER]), int(meta[_DIMENSIONS]))


def _check_owner(collection: Any, space: Space) -> None:
    meta = collection.metadata or {}
    if (meta.get(_SCOPE), meta.get(_NAMESPACE)) != (space.scope, space.namespace):
        raise RuntimeError(f"Chroma collection {collection.name} belongs to {meta.get(_SCOPE)!r}, not {space.scope!r}")
