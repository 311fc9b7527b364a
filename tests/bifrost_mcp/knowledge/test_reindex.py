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
from bifrost_mcp.knowledge.reindex import reindex
from bifrost_mcp.knowledge.view import KnowledgeView
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
    await KnowledgeView(store, "org-a").store("Backups run nightly.", "it", "backup", None)
    other = KnowledgeView(remote_store, "org-a")
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
    await KnowledgeView(remote_store, "GLOBAL").store("Global note.", "it", "note", None)
    await KnowledgeView(store, "org-a").store("Org note.", "it", "mine", None)
    with pytest.raises(EmbedderMismatchError, match=r"\(GLOBAL\)"):
        await KnowledgeView(store, "org-a").search("note", ["it"], 5, None, None, True)
    results = await KnowledgeView(store, "org-a").search("note", ["it"], 5, None, None, False)
    assert [r.key for r in results] == ["mine"]


async def test_reindex_re_embeds_every_scope_with_the_configured_embedder(
    small_chunk_store: KnowledgeStore, remote_store: KnowledgeStore, minilm: MiniLMEmbedder
) -> None:
    long_text = "\n\n".join(f"Paragraph {i} about the backup rotation and tape vault." for i in range(20))
    await KnowledgeView(small_chunk_store, "org-a").store(long_text, "it", "backup", {"owner": "ops"})
    await KnowledgeView(small_chunk_store, "GLOBAL").store("Printers map by floor.", "it", "printers", None)
    await KnowledgeView(small_chunk_store, "org-a").store("HR note.", "hr", "note", None)

    results = await reindex(remote_store, "it")
    assert sorted((r.scope, r.namespace, r.previous_embedder, r.rebuilt) for r in results) == [
        ("GLOBAL", "it", "minilm-l6-v2@onnx", True),
        ("org-a", "it", "minilm-l6-v2@onnx", True),
    ]
    assert next(r.chunks for r in results if r.scope == "org-a") > 5

    org_a = KnowledgeView(remote_store, "org-a")
    found = await org_a.search("Paragraph 7 about the backup rotation and tape vault.", ["it"], 5, None, None, True)
    assert {r.key for r in found} == {"backup", "printers"}
    document = await org_a.get("backup", "it")
    assert document is not None and document.content == long_text and document.metadata == {"owner": "ops"}
    assert {i.name: i.embedder for i in await org_a.list_namespaces()} == {
        "hr": "minilm-l6-v2@onnx",
        "it": "openai-compatible:loopback-embed",
    }
    with pytest.raises(EmbedderMismatchError):
        await KnowledgeView(small_chunk_store, "org-a").search("backup", ["it"], 5, None, None, True)

    again = await reindex(remote_store, "it")
    assert [r.rebuilt for r in again] == [False, False]


async def test_reindex_of_an_unknown_namespace_is_an_error(remote_store: KnowledgeStore) -> None:
    with pytest.raises(UnknownNamespaceError, match="'nope'"):
        await reindex(remote_store, "nope")
    assert (
        await reindex(
            remote_store,
        )
        == []
    )
