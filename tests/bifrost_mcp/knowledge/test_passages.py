from __future__ import annotations

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge import GLOBAL, KnowledgeStore, search_passages
from bifrost_mcp.knowledge.view import KnowledgeView


async def test_passages_cover_every_namespace_the_caller_may_read(store: KnowledgeStore) -> None:
    await KnowledgeView(store, "org-a").store("Printers map by floor at logon.", "it", "printers", None)
    await KnowledgeView(store, "org-a").store("Holidays are booked in the HR portal.", "hr", None, None)
    await KnowledgeView(store, GLOBAL).store("Company printers are leased from Acme.", "vendors", "acme", None)
    await KnowledgeView(store, "org-b").store("Org B printers are in the basement.", "it", "printers", None)
    passages = await search_passages(KnowledgeView(store, "org-a"), "printers", None, 5)
    assert {(p["namespace"], p["key"], p["organization_id"]) for p in passages} == {
        ("it", "printers", "org-a"),
        ("vendors", "acme", None),
        ("hr", passages[-1]["key"], "org-a"),
    }
    assert passages[0]["content"] in ("Printers map by floor at logon.", "Company printers are leased from Acme.")
    assert all(set(p) == {"key", "namespace", "score", "content", "organization_id"} for p in passages)
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)


async def test_passages_of_one_namespace_and_of_an_empty_store(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    assert await search_passages(service, "anything", None, 5) == []
    await service.store("Printers map by floor.", "it", "printers", None)
    await service.store("Holidays are booked in the HR portal.", "hr", "holidays", None)
    assert [p["key"] for p in await search_passages(service, "printers", "hr", 5)] == ["holidays"]


async def test_an_empty_query_is_refused_even_when_nothing_is_stored(store: KnowledgeStore) -> None:
    with pytest.raises(ValidationError, match="search query is empty"):
        await search_passages(KnowledgeView(store, "org-a"), " ", None, 5)
