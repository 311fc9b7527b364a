"""Org B never sees org A's documents; GLOBAL documents are readable by every org; writes stay in scope."""

from __future__ import annotations

import pytest

from bifrost_mcp.knowledge import GLOBAL, KnowledgeStore, UnknownNamespaceError
from bifrost_mcp.knowledge.passages import search_passages
from bifrost_mcp.knowledge.view import KnowledgeView

SECRET = "Org A's alarm code is 4711 and the safe is behind the painting."


@pytest.fixture
async def populated(store: KnowledgeStore) -> KnowledgeStore:
    await KnowledgeView(store, "org-a").store(SECRET, "secrets", "alarm", None)
    await KnowledgeView(store, "org-a").store("Org A prints on PRN-A.", "shared", "printing", None)
    await KnowledgeView(store, "org-b").store("Org B prints on PRN-B.", "shared", "printing", None)
    await KnowledgeView(store, GLOBAL).store(
        "All offices use vpn.example.com for remote access.", "shared", "vpn", None
    )
    return store


async def test_org_b_cannot_find_org_a_documents_by_search(populated: KnowledgeStore) -> None:
    org_b = KnowledgeView(populated, "org-b")
    results = await org_b.search("what is the alarm code", ["shared"], 10, None, None, True)
    assert {(r.key, r.organization_id) for r in results} == {("printing", "org-b"), ("vpn", None)}
    with pytest.raises(UnknownNamespaceError) as raised:
        await org_b.search("alarm code", ["secrets"], 10, None, None, True)
    assert "4711" not in str(raised.value) and "secrets'" in str(raised.value)
    assert "'secrets'" not in str(raised.value).split("search one of")[1]
    passages = await search_passages(org_b, "alarm code safe painting", None, 10)
    assert all("4711" not in p["content"] for p in passages) and passages


async def test_org_b_cannot_get_list_or_delete_org_a_documents(populated: KnowledgeStore) -> None:
    org_b = KnowledgeView(populated, "org-b")
    assert await org_b.get("alarm", "secrets") is None
    assert [(i.name, i.org_document_count, i.global_document_count) for i in await org_b.list_namespaces()] == [
        ("shared", 1, 1)
    ]
    assert await org_b.delete("alarm", "secrets") is False
    assert await org_b.delete_namespace("secrets") == 0
    assert await org_b.delete("printing", "shared") is True  # org B's own copy
    org_a = KnowledgeView(populated, "org-a")
    alarm = await org_a.get("alarm", "secrets")
    printing = await org_a.get("printing", "shared")
    assert alarm is not None and alarm.content == SECRET
    assert printing is not None and printing.content == "Org A prints on PRN-A."


async def test_global_documents_are_readable_by_every_org_but_deletable_only_globally(
    populated: KnowledgeStore,
) -> None:
    for org, own_documents in (("org-a", 1), ("org-b", 1), ("org-new", 0)):
        service = KnowledgeView(populated, org)
        document = await service.get("vpn", "shared")
        assert document is not None and document.organization_id is None
        results = await service.search("remote access address", ["shared"], 1, None, None, True)
        assert [r.key for r in results] == ["vpn"]
        assert await service.delete("vpn", "shared") is False
        assert await service.delete_namespace("shared") == own_documents
    assert await KnowledgeView(populated, "org-a").get("vpn", "shared") is not None
    assert await KnowledgeView(populated, GLOBAL).delete("vpn", "shared") is True
    assert await KnowledgeView(populated, "org-a").get("vpn", "shared") is None


async def test_without_fallback_a_search_covers_only_the_callers_org(populated: KnowledgeStore) -> None:
    results = await KnowledgeView(populated, "org-b").search("remote access", ["shared"], 10, None, None, False)
    assert [r.key for r in results] == ["printing"]
    with pytest.raises(UnknownNamespaceError):
        await KnowledgeView(populated, "org-new").search("remote access", ["shared"], 10, None, None, False)


async def test_the_global_caller_sees_no_org_documents(populated: KnowledgeStore) -> None:
    service = KnowledgeView(populated, GLOBAL)
    results = await service.search("printer queue", ["shared"], 10, None, None, True)
    assert [r.key for r in results] == ["vpn"]
    assert [(i.name, i.org_document_count, i.global_document_count) for i in await service.list_namespaces()] == [
        ("shared", 0, 1)
    ]
    assert await service.get("alarm", "secrets") is None


async def test_an_org_document_shadows_the_global_one_with_the_same_key(populated: KnowledgeStore) -> None:
    org_a = KnowledgeView(populated, "org-a")
    await org_a.store("Org A uses its own gateway vpn-a.example.com.", "shared", "vpn", None)
    document = await org_a.get("vpn", "shared")
    assert document is not None and document.organization_id == "org-a"
    results = await org_a.search("all offices remote access vpn.example.com", ["shared"], 10, None, None, True)
    assert [(r.key, r.organization_id) for r in results if r.key == "vpn"] == [("vpn", "org-a")]
    org_b_results = await KnowledgeView(populated, "org-b").search("vpn", ["shared"], 10, None, None, True)
    assert [(r.key, r.organization_id) for r in org_b_results if r.key == "vpn"] == [("vpn", None)]
