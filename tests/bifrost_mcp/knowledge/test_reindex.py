from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost_mcp.knowledge import (
    EmbedderMismatchError,
    KnowledgeStore,
    MiniLMEmbedder,
    OpenAIEmbedder,
    UnknownNamespaceError,
)
from tests.support.loopback.embeddings_server import EmbeddingsServer


@pytest.fixture
async def remote_store(tmp_path: Path, embeddings_server: EmbeddingsServer) -> AsyncIterator[KnowledgeStore]:
    embedder = OpenAIEmbedder("loopback-embed", base_url=embeddings_server.base_url, api_key=embeddings_server.api_key)
    knowledge = KnowledgeStore.open(tmp_path / "data", embedder)
    yield knowledge
    await knowledge.aclose()


async def test_a_namespace_refuses_writes_and_searches_with_another_embedder(
    store: KnowledgeStore, remote_store: KnowledgeStore
) -> None:
    await store.for_scope("org-a").store("Backups run nightly.", "it", "backup", None)
    other = remote_store.for_scope("org-a")
    message = r"'minilm-l6-v2@onnx'.*'openai-compatible:loopback-embed'.*bifrost-mcp knowledge reindex --namespace it"
    with pytest.raises(EmbedderMismatchError, match=message):
        await other.search("backups", ["it"], 5, None, None, True)
    with pytest.raises(EmbedderMismatchError, match=message):
        await other.store("Printers map by floor.", "it", "printers", None)
    document = await other.get("backup", "it")  # reads need no vectors
    assert document is not None and document.content == "Backups run nightly."


async def test_a_global_namespace_built_with_another_embedder_blocks_org_searches_too(
    store: KnowledgeStore, remote_store: KnowledgeStore
) -> None:
    await remote_store.for_scope("GLOBAL").store("Global note.", "it", "note", None)
    await store.for_scope("org-a").store("Org note.", "it", "mine", None)
    with pytest.raises(EmbedderMismatchError, match=r"\(GLOBAL\)"):
        await store.for_scope("org-a").search("note", ["it"], 5, None, None, True)
    results = await store.for_scope("org-a").search("note", ["it"], 5, None, None, False)
    assert [r.key for r in results] == ["mine"]


async def test_reindex_re_embeds_every_scope_with_the_configured_embedder(
    small_chunk_store: KnowledgeStore, remote_store: KnowledgeStore, minilm: MiniLMEmbedder
) -> None:
    long_text = "\n\n".join(f"Paragraph {i} about the backup rotation and tape vault." for i in range(20))
    await small_chunk_store.for_scope("org-a").store(long_text, "it", "backup", {"owner": "ops"})
    await small_chunk_store.for_scope("GLOBAL").store("Printers map by floor.", "it", "printers", None)
    await small_chunk_store.for_scope("org-a").store("HR note.", "hr", "note", None)

    results = await remote_store.reindex("it")
    assert sorted((r.scope, r.namespace, r.previous_embedder, r.rebuilt) for r in results) == [
        ("GLOBAL", "it", "minilm-l6-v2@onnx", True),
        ("org-a", "it", "minilm-l6-v2@onnx", True),
    ]
    assert next(r.chunks for r in results if r.scope == "org-a") > 5

    org_a = remote_store.for_scope("org-a")
    found = await org_a.search("Paragraph 7 about the backup rotation and tape vault.", ["it"], 5, None, None, True)
    assert {r.key for r in found} == {"backup", "printers"}
    document = await org_a.get("backup", "it")
    assert document is not None and document.content == long_text and document.metadata == {"owner": "ops"}
    assert {i.name: i.embedder for i in await org_a.list_namespaces()} == {
        "hr": "minilm-l6-v2@onnx",
        "it": "openai-compatible:loopback-embed",
    }
    with pytest.raises(EmbedderMismatchError):
        await small_chunk_store.for_scope("org-a").search("backup", ["it"], 5, None, None, True)

    again = await remote_store.reindex("it")
    assert [r.rebuilt for r in again] == [False, False]


async def test_reindex_of_an_unknown_namespace_is_an_error(remote_store: KnowledgeStore) -> None:
    with pytest.raises(UnknownNamespaceError, match="'nope'"):
        await remote_store.reindex("nope")
    assert await remote_store.reindex() == []
