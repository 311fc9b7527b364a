"""Re-embed stored chunks with the configured embedder (`bifrost-mcp knowledge reindex`).

Chunks are kept as they are; only vectors change (records of the earlier layout, which kept their text as
Chroma documents, are rewritten with it in their metadata: see `records`). Each space is rebuilt into a
side collection which then replaces the original, so searches keep working on the old vectors until the
switch. Run it with the server stopped, or at least not writing to the namespaces being rebuilt from
another process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from bifrost_mcp.knowledge import records
from bifrost_mcp.knowledge.errors import UnknownNamespaceError
from bifrost_mcp.knowledge.progress import progress_bar
from bifrost_mcp.knowledge.store import KnowledgeStore
from bifrost_mcp.knowledge.vectors import SpaceInfo

_PAGE = 256


@dataclass(frozen=True)
class ReindexResult:
    scope: str
    namespace: str
    previous_embedder: str
    chunks: int
    rebuilt: bool  # False: it already used the configured embedder (and force was off)


async def reindex(
    store: KnowledgeStore, namespace: str | None = None, *, force: bool = False, progress: bool = False
) -> list[ReindexResult]:
    await store.vectors.recover_rebuilds()
    infos = [i for i in await store.vectors.spaces() if namespace is None or i.space.namespace == namespace]
    if namespace is not None and not infos:
        raise UnknownNamespaceError(f"no knowledge namespace {namespace!r} exists in any organization or GLOBAL")
    results = []
    with progress_bar(progress) as bar:
        for info in sorted(infos, key=lambda i: (i.space.namespace, i.space.scope)):
            if info.embedder == store.embedder.id and not force:
                results.append(ReindexResult(info.space.scope, info.space.namespace, info.embedder, 0, False))
                continue
            task = bar.add_task(f"{info.space.namespace} ({info.space.scope})", total=None)
            async with store.write_lock(info.space):
                chunks = await _rebuild(store, info, lambda n, t=task: bar.advance(t, n))
            results.append(ReindexResult(info.space.scope, info.space.namespace, info.embedder, chunks, True))
    return results


async def _rebuild(store: KnowledgeStore, info: SpaceInfo, advance: Any) -> int:
    vectors, space = store.vectors, info.space
    old = await vectors.collection(space)
    if old is None:
        return 0
    total = await vectors.call(old.count)
    scratch, dimensions, offset = None, 0, 0
    while offset < total:
        page = await vectors.call(partial(old.get, limit=_PAGE, offset=offset, include=["documents", "metadatas"]))
        if not page["ids"]:
            break
        metas = [records.with_body(d, m) for d, m in zip(page["documents"], page["metadatas"], strict=True)]
        embeddings = await store.embedder.embed([records.passage_of(None, records.info(m)) for m in metas])
        if scratch is None:
            dimensions = len(embeddings[0])
            scratch = await vectors.create_scratch(space, store.embedder.id, dimensions)
        await vectors.call(partial(scratch.add, ids=page["ids"], embeddings=embeddings, metadatas=metas))
        offset += len(page["ids"])
        advance(len(page["ids"]))
    if scratch is None:
        return 0
    await vectors.swap_in(scratch, space, store.embedder.id, dimensions)
    return offset
