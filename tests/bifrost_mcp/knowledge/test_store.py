from __future__ import annotations

from typing import Any

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge import DocumentTooLargeError, KnowledgeStore
from bifrost_mcp.knowledge.vectors import Space
from bifrost_mcp.knowledge.view import KnowledgeView

LONG = "# Runbook\n\n" + "\n\n".join(
    f"## Step {i}\n\nOn step {i} the engineer checks service number {i} and writes the result in the log."
    for i in range(12)
)


async def _chunk_count(store: KnowledgeStore, scope: str, namespace: str) -> int:
    collection = await store.vectors.collection(Space(scope, namespace))
    assert collection is not None
    return int(await store.vectors.call(collection.count))


async def test_store_returns_the_key_and_get_returns_the_document(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    doc_id = await service.store("VPN portal is vpn.example.com.", "it", "vpn", {"team": "network", "tier": 2})
    document = await service.get("vpn", "it")
    assert doc_id == "vpn" and document is not None
    assert (document.id, document.key, document.namespace) == ("vpn", "vpn", "it")
    assert document.content == "VPN portal is vpn.example.com."
    assert document.metadata == {"team": "network", "tier": 2}
    assert document.organization_id == "org-a" and document.score is None and document.created_at is not None


async def test_a_document_without_key_gets_a_generated_id_that_get_accepts(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    first = await service.store("Guest wifi vouchers last one day.", "it", None, None)
    second = await service.store("Guest wifi vouchers last one day.", "it", None, None)
    assert first != second and len(first) == 32
    document = await service.get(first, "it")
    assert document is not None and document.key is None and document.id == first


async def test_get_reassembles_a_multi_chunk_document_exactly(small_chunk_store: KnowledgeStore) -> None:
    service = KnowledgeView(small_chunk_store, "org-a")
    await service.store(LONG, "ops", "runbook", None)
    assert await _chunk_count(small_chunk_store, "org-a", "ops") > 5
    document = await service.get("runbook", "ops")
    assert document is not None and document.content == LONG


async def test_storing_an_existing_key_replaces_all_of_its_chunks(small_chunk_store: KnowledgeStore) -> None:
    service = KnowledgeView(small_chunk_store, "org-a")
    await service.store(LONG, "ops", "runbook", {"version": 1})
    await service.store("The runbook moved to the wiki.", "ops", "runbook", {"version": 2})
    assert await _chunk_count(small_chunk_store, "org-a", "ops") == 1
    document = await service.get("runbook", "ops")
    assert document is not None and document.content == "The runbook moved to the wiki."
    assert document.metadata == {"version": 2}
    results = await service.search("engineer checks service number 7", ["ops"], 5, None, None, True)
    assert [r.content for r in results] == ["The runbook moved to the wiki."]


async def test_store_many_stores_every_document_in_one_call(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    documents: list[dict[str, Any]] = [
        {"content": "Backups run nightly.", "key": "backup"},
        {"content": "Printers map by floor.", "key": "printers", "metadata": {"floor": 3}},
        {"content": "No key for this one."},
    ]
    ids = await service.store_many(documents, "it")
    assert ids[:2] == ["backup", "printers"] and len(ids[2]) == 32
    assert [info.org_document_count for info in await service.list_namespaces()] == [3]
    assert await service.store_many([], "it") == []


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ([{"content": "a", "key": "k"}, {"content": "b", "key": "k"}], "same key twice"),
        ([{"text": "wrong field"}], "must be a dict with 'content'"),
        ([{"content": "   "}], "has no text"),
        ([{"content": "x", "key": ""}], "key must be a non-empty string"),
        ([{"content": "x", "metadata": ["not", "a", "dict"]}], "metadata must be a dict"),
    ],
)
async def test_store_many_refuses_bad_documents_and_says_what_is_wrong(
    store: KnowledgeStore, documents: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        await KnowledgeView(store, "org-a").store_many(documents, "it")


async def test_an_oversize_document_is_refused_naming_the_limit(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    with pytest.raises(DocumentTooLargeError, match=r"2,000,001 characters, more than the 2,000,000 allowed"):
        await service.store("a" * 2_000_001, "it", "huge", None)
    assert await service.list_namespaces() == []


async def test_delete_removes_one_document_and_an_emptied_namespace_disappears(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store_many([{"content": "one", "key": "a"}, {"content": "two", "key": "b"}], "it")
    assert await service.delete("a", "it") is True
    assert await service.delete("a", "it") is False
    assert await service.get("a", "it") is None and await service.get("b", "it") is not None
    assert await service.delete("b", "it") is True
    assert await service.list_namespaces() == []


async def test_delete_namespace_returns_how_many_documents_it_removed(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store_many([{"content": f"doc {i}", "key": str(i)} for i in range(4)], "tmp")
    assert await service.delete_namespace("tmp") == 4
    assert await service.delete_namespace("tmp") == 0


async def test_unknown_namespace_reads_are_empty_not_errors(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    assert await service.get("k", "nowhere") is None
    assert await service.delete("k", "nowhere") is False
    assert await service.delete_namespace("nowhere") == 0


async def test_list_namespaces_counts_documents_not_chunks(small_chunk_store: KnowledgeStore) -> None:
    service = KnowledgeView(small_chunk_store, "org-a")
    await service.store(LONG, "ops", "runbook", None)
    await service.store("short", "ops", "note", None)
    (info,) = await service.list_namespaces()
    assert (info.name, info.org_document_count, info.global_document_count) == ("ops", 2, 0)
    assert info.embedder == "minilm-l6-v2@onnx"


async def test_documents_survive_reopening_the_store(store: KnowledgeStore, tmp_path: Any, minilm: Any) -> None:
    await KnowledgeView(store, "org-a").store("Kept on disk.", "it", "disk", None)
    reopened = KnowledgeStore.open(tmp_path / "data", minilm)
    try:
        document = await KnowledgeView(reopened, "org-a").get("disk", "it")
    finally:
        await reopened.aclose()
    assert document is not None and document.content == "Kept on disk."


@pytest.mark.parametrize("scope", ["", "   "])
def test_a_blank_scope_is_refused(store: KnowledgeStore, scope: str) -> None:
    with pytest.raises(ValidationError, match="organization id or 'GLOBAL'"):
        KnowledgeView(store, scope)
