"""The knowledge service: a process-wide store, and per-caller views of it that enforce tenancy.

`KnowledgeStore.for_scope(scope)` returns the `bifrost._ports.KnowledgeService` of one caller (an org id or
"GLOBAL"). Writes, deletes and namespace drops touch only that scope; reads (search, get, list) cover the
scope and GLOBAL. A document stored under the same namespace and key in both shadows the GLOBAL one.

Search scores are cosine similarities in [-1, 1] (higher is better; related passages of MiniLM usually
score 0.3 to 0.8), one result per document: its best-matching passage. Searching a namespace that holds
no document the caller can read raises UnknownNamespaceError (it names the namespaces that exist); get,
delete and delete_namespace on one return None, False and 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from bifrost._ports import KnowledgeService
from bifrost.errors import ValidationError
from bifrost.types import KnowledgeDocument, NamespaceInfo
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.knowledge import records
from bifrost_mcp.knowledge.chunking import DEFAULT_MAX_CHARS, DEFAULT_OVERLAP_CHARS
from bifrost_mcp.knowledge.documents import (
    GLOBAL,
    PreparedDocument,
    check_name,
    count_documents,
    prepare,
    to_document,
    write_documents,
)
from bifrost_mcp.knowledge.embedders import Embedder
from bifrost_mcp.knowledge.embedders.base import BlockingEmbedder
from bifrost_mcp.knowledge.errors import EmbedderMismatchError
from bifrost_mcp.knowledge.reindex import ReindexResult, reindex
from bifrost_mcp.knowledge.search import search_spaces
from bifrost_mcp.knowledge.vectors import Space, VectorStore, http_client, persistent_client


@dataclass(frozen=True)
class KnowledgeSettings:
    chunk_chars: int = DEFAULT_MAX_CHARS
    overlap_chars: int = DEFAULT_OVERLAP_CHARS
    max_document_chars: int = 2_000_000


class KnowledgeStore:
    """Built once per process from vector storage and an embedder; hands out scoped services."""

    def __init__(self, vectors: VectorStore, embedder: Embedder, settings: KnowledgeSettings | None = None) -> None:
        self.vectors = vectors
        self.embedder = embedder
        # a local model embeds a query in the thread that then queries Chroma: one thread hop per search
        self.embed_blocking: Callable[[Sequence[str]], list[list[float]]] | None = (
            embedder.embed_blocking if isinstance(embedder, BlockingEmbedder) else None
        )
        self.settings = settings or KnowledgeSettings()
        self._write_locks: dict[Space, anyio.Lock] = {}

    @classmethod
    def open(
        cls,
        data_dir: Path,
        embedder: Embedder,
        *,
        chroma_url: str | None = None,
        settings: KnowledgeSettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> KnowledgeStore:
        """Embedded Chroma in `<data_dir>/chroma`, or the Chroma server at `chroma_url`."""
        client = http_client(chroma_url) if chroma_url else persistent_client(data_dir / "chroma")
        return cls(VectorStore(client, clock=clock), embedder, settings)

    async def aclose(self) -> None:
        """Close the vector store client and the embedder's (remote embedders hold an HTTP client)."""
        self.vectors.close()
        close = getattr(self.embedder, "aclose", None)
        if close is not None:
            await close()

    def for_scope(self, scope: str) -> ScopedKnowledge:
        if not isinstance(scope, str) or not scope.strip():
            raise ValidationError("knowledge scope must be an organization id or 'GLOBAL'")
        return ScopedKnowledge(self, scope)

    def write_lock(self, space: Space) -> anyio.Lock:
        # writes to one namespace serialize inside this process, so two stores of a key cannot interleave
        return self._write_locks.setdefault(space, anyio.Lock())

    def check_embedder(self, space: Space, collection: Any) -> None:
        built_with = str((collection.metadata or {}).get("bifrost_embedder"))
        if built_with != self.embedder.id:
            where = "GLOBAL" if space.scope == GLOBAL else f"organization {space.scope}"
            raise EmbedderMismatchError(
                f"Knowledge namespace {space.namespace!r} ({where}) was embedded with {built_with!r}, but the "
                f"configured embedder is {self.embedder.id!r}: run `bifrost-mcp knowledge reindex --namespace "
                f"{space.namespace}` to re-embed it, or configure {built_with!r} again."
            )

    async def reindex(
        self, namespace: str | None = None, *, force: bool = False, progress: bool = False
    ) -> list[ReindexResult]:
        """Re-embed a namespace (in every scope), or all namespaces, whose vectors came from another embedder."""
        return await reindex(self, namespace, force=force, progress=progress)


if TYPE_CHECKING:

    def _implements_the_port(service: ScopedKnowledge) -> KnowledgeService:
        return service  # mypy checks ScopedKnowledge against the SDK's KnowledgeService protocol here


@dataclass(frozen=True)
class EmbeddedBatch:
    space: Space
    documents: list[PreparedDocument]
    embeddings: list[list[float]]


class ScopedKnowledge:
    """One caller's knowledge service (satisfies `bifrost._ports.KnowledgeService`)."""

    def __init__(self, store: KnowledgeStore, scope: str) -> None:
        self._store = store
        self.scope = scope

    def _spaces(self, namespace: str, *, with_global: bool) -> list[Space]:
        check_name("namespace", namespace)
        own = Space(self.scope, namespace)
        return [own, Space(GLOBAL, namespace)] if with_global and self.scope != GLOBAL else [own]

    async def store(
        self, content: str, namespace: str = "default", key: str | None = None, metadata: dict[str, Any] | None = None
    ) -> str:
        return (await self.store_many([{"content": content, "key": key, "metadata": metadata}], namespace))[0]

    async def store_many(self, documents: Sequence[Mapping[str, Any]], namespace: str = "default") -> list[str]:
        return await self.write(await self.embed_documents(documents, namespace))

    async def embed_documents(self, documents: Sequence[Mapping[str, Any]], namespace: str) -> EmbeddedBatch:
        """First half of store_many: check, chunk and embed. Bad input fails here, before anything is written."""
        (space,) = self._spaces(namespace, with_global=False)
        settings = self._store.settings
        prepared = [
            prepare(
                doc,
                i,
                max_document_chars=settings.max_document_chars,
                chunk_chars=settings.chunk_chars,
                overlap_chars=settings.overlap_chars,
            )
            for i, doc in enumerate(documents)
        ]
        keys = [doc.doc_id for doc in prepared]
        if len(set(keys)) != len(keys):
            raise ValidationError("store_many got the same key twice: each document in one call needs its own key")
        existing = await self._store.vectors.collection(space)
        if existing is not None:
            self._store.check_embedder(space, existing)
        texts = [chunk.text for doc in prepared for chunk in doc.chunks]
        return EmbeddedBatch(space, prepared, await self._store.embedder.embed(texts) if texts else [])

    async def write(self, batch: EmbeddedBatch) -> list[str]:
        """Second half of store_many: replace the documents' chunks (ingestion overlaps it with the next embed)."""
        if batch.space.scope != self.scope:
            raise ValidationError(f"this batch was embedded for scope {batch.space.scope!r}, not {self.scope!r}")
        if not batch.documents:
            return []
        store = self._store
        async with store.write_lock(batch.space):
            collection = await store.vectors.collection(batch.space)
            if collection is None:
                collection = await store.vectors.create(batch.space, store.embedder.id, len(batch.embeddings[0]))
            store.check_embedder(batch.space, collection)  # it may have been created meanwhile
            await write_documents(store.vectors, collection, batch.documents, batch.embeddings)
        return [doc.doc_id for doc in batch.documents]

    async def search(
        self,
        query: str,
        namespaces: list[str] | str = "default",
        limit: int = 5,
        min_score: float | None = None,
        metadata_filter: dict[str, Any] | None = None,
        fallback: bool = True,
    ) -> list[KnowledgeDocument]:
        if not isinstance(query, str) or not query.strip():
            raise ValidationError("search query is empty: pass the text to search for")
        names = [namespaces] if isinstance(namespaces, str) else list(namespaces)
        if not names:
            raise ValidationError("search needs at least one namespace")
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise ValidationError(f"limit must be an int between 1 and 1000, got {limit!r}")
        if min_score is not None and (isinstance(min_score, bool) or not isinstance(min_score, int | float)):
            raise ValidationError(
                f"min_score must be a number (a cosine similarity, -1 to 1) or None, got {min_score!r}"
            )
        spaces = [space for name in dict.fromkeys(names) for space in self._spaces(name, with_global=fallback)]
        where = records.chroma_where(metadata_filter)
        return await search_spaces(self._store, self.scope, spaces, query, limit, min_score, where)

    async def get(self, key: str, namespace: str = "default") -> KnowledgeDocument | None:
        check_name("key", key)
        for space in self._spaces(namespace, with_global=True):
            collection = await self._store.vectors.collection(space)
            if collection is None:
                continue
            got = await self._store.vectors.call(
                partial(collection.get, where={"doc_id": key}, include=["documents", "metadatas"])
            )
            whole = records.whole_document(got["documents"], got["metadatas"])
            if whole is not None:
                content, meta, details = whole
                return to_document(space, content, meta, details, score=None)
        return None

    async def delete(self, key: str, namespace: str = "default") -> bool:
        check_name("key", key)
        (space,) = self._spaces(namespace, with_global=False)
        async with self._store.write_lock(space):
            collection = await self._store.vectors.collection(space)
            if collection is None:
                return False

            def delete() -> tuple[bool, int]:
                ids = collection.get(where={"doc_id": key}, include=[])["ids"]
                if ids:
                    collection.delete(ids=ids)
                return bool(ids), collection.count()

            deleted, remaining = await self._store.vectors.call(delete)
            if remaining == 0:  # an emptied namespace disappears, as if never created
                await self._store.vectors.drop(space)
            return deleted

    async def delete_namespace(self, namespace: str) -> int:
        (space,) = self._spaces(namespace, with_global=False)
        async with self._store.write_lock(space):
            collection = await self._store.vectors.collection(space)
            if collection is None:
                return 0
            count = await count_documents(self._store.vectors, collection)
            await self._store.vectors.drop(space)
            return count

    async def list_namespaces(self) -> list[NamespaceInfo]:
        infos: dict[str, NamespaceInfo] = {}
        for space_info in await self._store.vectors.spaces():
            space = space_info.space
            if space.scope not in (self.scope, GLOBAL):
                continue
            collection = await self._store.vectors.collection(space)
            count = await count_documents(self._store.vectors, collection) if collection is not None else 0
            info = infos.setdefault(space.namespace, NamespaceInfo(name=space.namespace))
            if space.scope == GLOBAL:
                info.global_document_count = count
                info.embedder = info.embedder or space_info.embedder
            else:
                info.org_document_count = count
                info.embedder = space_info.embedder  # the caller's own namespace decides
        return [infos[name] for name in sorted(infos)]

    async def list_documents(self, namespace: str) -> list[dict[str, Any]]:
        """The documents of `namespace` this scope may read: its own first, then GLOBAL ones (`shared`)."""
        listed: list[dict[str, Any]] = []
        for space in self._spaces(namespace, with_global=True):
            collection = await self._store.vectors.collection(space)
            if collection is None:
                continue
            got = await self._store.vectors.call(partial(collection.get, where={"chunk": 0}, include=["metadatas"]))
            shared = space.scope == GLOBAL
            rows = []
            for meta in got["metadatas"]:
                details = records.info(meta)
                rows.append(
                    {
                        "key": str(details.get("key", meta["doc_id"])),
                        "chunks": details.get("chunks"),
                        "stored_at": details.get("stored_at"),
                        "shared": shared,
                        "metadata": details.get("meta") or {},
                    }
                )
            listed += sorted(rows, key=lambda doc: doc["key"])
        return listed

    async def fingerprints(self, namespace: str, keys: Sequence[str]) -> dict[str, str]:
        """Content hash of each of `keys` stored in this scope's namespace (for resumable ingestion)."""
        (space,) = self._spaces(namespace, with_global=False)
        collection = await self._store.vectors.collection(space)
        if collection is None or not keys:
            return {}
        step = self._store.vectors.max_batch

        def read() -> dict[str, str]:
            found = {}
            for start in range(0, len(keys), step):
                where = {"$and": [{"doc_id": {"$in": list(keys[start : start + step])}}, {"chunk": 0}]}
                for meta in collection.get(where=where, include=["metadatas"])["metadatas"]:
                    found[str(meta["doc_id"])] = str(records.info(meta).get("sha256"))
            return found

        return await self._store.vectors.call(read)
