"""`bifrost.knowledge` for one caller.

A view writes only in the scope it is built for (an org id or "GLOBAL"); reads (search, get, list) cover the
scope and GLOBAL. A document stored under the same namespace and key in both shadows the GLOBAL one. A view
built for a caller (`for_caller`, what runs get) writes only where the gate allows (`access.writable_scope`):
GLOBAL documents rank in every organization's searches.

Search scores are cosine similarities in [-1, 1] (higher is better; related passages of MiniLM usually
score 0.3 to 0.8), one result per document: its best-matching passage. Searching a namespace that holds
no document the caller can read raises UnknownNamespaceError (it names the namespaces that exist); get,
delete and delete_namespace on one return None, False and 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from bifrost.errors import ValidationError
from bifrost.types import KnowledgeDocument, NamespaceInfo
from bifrost_mcp.access import writable_scope
from bifrost_mcp.caller import Caller
from bifrost_mcp.knowledge import records
from bifrost_mcp.knowledge.documents import (
    GLOBAL,
    PreparedDocument,
    check_name,
    count_documents,
    prepare,
    to_document,
    write_documents,
)
from bifrost_mcp.knowledge.search import search_spaces
from bifrost_mcp.knowledge.store import KnowledgeStore
from bifrost_mcp.knowledge.vectors import Space


@dataclass(frozen=True)
class EmbeddedBatch:
    space: Space
    documents: list[PreparedDocument]
    embeddings: list[list[float]]


class KnowledgeView:
    """Knowledge of one scope: writes in `scope`, reads over `scope` and GLOBAL.

    Built with a bare scope it is the host's own (the CLI's ingestion acts for the operator); `for_caller`
    builds the view a caller gets.
    """

    def __init__(self, store: KnowledgeStore, scope: str, *, caller: Caller | None = None) -> None:
        if not isinstance(scope, str) or not scope.strip():
            raise ValidationError("knowledge scope must be an organization id or 'GLOBAL'")
        self._store = store
        self.scope = scope
        self._caller = caller

    @classmethod
    def for_caller(cls, store: KnowledgeStore, caller: Caller) -> KnowledgeView:
        return cls(store, caller.scope, caller=caller)

    def _spaces(self, namespace: str, *, with_global: bool) -> list[Space]:
        check_name("namespace", namespace)
        own = Space(self.scope, namespace)
        return [own, Space(GLOBAL, namespace)] if with_global and self.scope != GLOBAL else [own]

    def _writable_space(self, namespace: str) -> Space:
        """The namespace's space in this view's scope, once the gate lets the caller write there."""
        if self._caller is not None:
            writable_scope(self._caller)
        (space,) = self._spaces(namespace, with_global=False)
        return space

    async def store(
        self, content: str, namespace: str = "default", key: str | None = None, metadata: dict[str, Any] | None = None
    ) -> str:
        return (await self.store_many([{"content": content, "key": key, "metadata": metadata}], namespace))[0]

    async def store_many(self, documents: Sequence[Mapping[str, Any]], namespace: str = "default") -> list[str]:
        return await self.write(await self.embed_documents(documents, namespace))

    async def embed_documents(self, documents: Sequence[Mapping[str, Any]], namespace: str) -> EmbeddedBatch:
        """First half of store_many: check, chunk and embed. Bad input fails here, before anything is written."""
        space = self._writable_space(namespace)
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
        if batch.space != self._writable_space(batch.space.namespace):
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
        space = self._writable_space(namespace)
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
        space = self._writable_space(namespace)
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
