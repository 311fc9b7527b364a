"""Semantic search over several spaces: one query vector, best passage per document, GLOBAL shadowed by org.

All Chroma work (opening the spaces, querying, shadowing) runs in one worker-thread call, together with
embedding the query when the embedder is local: on a busy machine each thread hop costs about as much as
a small Chroma query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chromadb.errors import NotFoundError

from bifrost.types import KnowledgeDocument
from bifrost_mcp.knowledge import records
from bifrost_mcp.knowledge.documents import GLOBAL, to_document
from bifrost_mcp.knowledge.errors import UnknownNamespaceError
from bifrost_mcp.knowledge.store import KnowledgeStore
from bifrost_mcp.knowledge.vectors import Space


@dataclass(frozen=True)
class _Hit:
    space: Space
    doc_id: str
    score: float
    document: str | None  # the chunk's text in records of the earlier layout (see records)
    meta: dict[str, Any]


async def search_spaces(
    store: KnowledgeStore,
    scope: str,
    spaces: list[Space],
    query: str,
    limit: int,
    min_score: float | None,
    where: dict[str, Any] | None,
) -> list[KnowledgeDocument]:
    def search(vector: list[float]) -> list[_Hit]:
        try:
            return _search(store, scope, spaces, vector, limit, where, cached=True)
        except NotFoundError:  # a cached handle whose collection another process dropped or rebuilt
            store.vectors.forget()
            return _search(store, scope, spaces, vector, limit, where, cached=False)

    embed_now = store.embed_blocking
    if embed_now is not None:  # local model: embed and query in the same thread hop
        hits = await store.vectors.call(lambda: search(embed_now([query])[0]))
    else:
        (vector,) = await store.embedder.embed([query])
        hits = await store.vectors.call(lambda: search(vector))
    if min_score is not None:
        hits = [h for h in hits if h.score >= min_score]
    documents = []
    for hit in hits[:limit]:
        details = records.info(hit.meta)
        passage = records.passage_of(hit.document, details)
        documents.append(to_document(hit.space, passage, hit.meta, details, score=hit.score))
    return documents


def _search(
    store: KnowledgeStore,
    scope: str,
    spaces: list[Space],
    vector: list[float],
    limit: int,
    where: dict[str, Any] | None,
    *,
    cached: bool,
) -> list[_Hit]:
    opened = [(space, c) for space in spaces if (c := store.vectors.open(space, cached=cached)) is not None]
    if cached and {s.namespace for s in spaces} - {s.namespace for s, _ in opened}:
        # a namespace with no collection at all is an error: make sure with a fresh look before saying so
        opened = [(space, c) for space in spaces if (c := store.vectors.open(space)) is not None]
    for space, collection in opened:
        store.check_embedder(space, collection)
    missing = sorted({s.namespace for s in spaces} - {s.namespace for s, _ in opened})
    if missing:
        readable = sorted({i.space.namespace for i in store.vectors.list_spaces() if i.space.scope in (scope, GLOBAL)})
        raise UnknownNamespaceError(
            f"no knowledge namespace {', '.join(map(repr, missing))} for this caller: "
            f"store documents there first, or search one of {readable or 'none (nothing is stored yet)'}"
        )
    best: dict[tuple[Space, str], _Hit] = {}
    for space, collection in opened:
        for hit in _query(space, collection, vector, limit, where):
            current = best.get((space, hit.doc_id))
            if current is None or hit.score > current.score:
                best[(space, hit.doc_id)] = hit
    if scope != GLOBAL:
        _drop_shadowed(scope, opened, best)
    return sorted(best.values(), key=lambda h: h.score, reverse=True)


def _query(space: Space, collection: Any, vector: list[float], limit: int, where: dict[str, Any] | None) -> list[_Hit]:
    """Enough best chunks to cover `limit` distinct documents (a long document may own many top chunks).

    Starts at `limit` chunks, the common case where the best chunks are of distinct documents, and widens the
    query only when some document owns several of them.
    """
    n_results = limit
    while True:
        result = collection.query(
            query_embeddings=[vector], n_results=n_results, where=where, include=["documents", "metadatas", "distances"]
        )
        rows = list(zip(result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True))
        hits = [_Hit(space, str(m["doc_id"]), 1.0 - float(d), document, dict(m)) for document, m, d in rows]
        if len(rows) < n_results or len({h.doc_id for h in hits}) >= limit:
            return hits
        n_results *= 4


def _drop_shadowed(scope: str, opened: list[tuple[Space, Any]], best: dict[tuple[Space, str], _Hit]) -> None:
    """A GLOBAL document whose namespace and key the caller's org also has is hidden behind the org's."""
    own = {space.namespace: collection for space, collection in opened if space.scope == scope}
    for namespace, collection in own.items():
        candidates = [doc_id for (space, doc_id) in best if space.scope == GLOBAL and space.namespace == namespace]
        if not candidates:
            continue
        where = {"$and": [{"doc_id": {"$in": candidates}}, {"chunk": 0}]}
        for meta in collection.get(where=where, include=["metadatas"])["metadatas"]:
            best.pop((Space(GLOBAL, namespace), str(meta["doc_id"])), None)
