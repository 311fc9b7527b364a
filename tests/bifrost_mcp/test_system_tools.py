"""Knowledge over MCP: the search_knowledge system tool, namespace resources and RAG, per tenant.

Real Chroma in the data dir and the real offline embedder; the model behind ai.complete is bifrost.testing's
offline TestModel, which records the system prompt the RAG step built.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from bifrost import ai, knowledge, workflow
from bifrost.testing import TestModel, override_model
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import add_function

ACME_RESET = "Acme password resets: the user opens portal.acme.example and confirms with the Authenticator app."
GLOBAL_VPN = "VPN for every client: install WireGuard, then import the profile the service desk emails you."
GLOBEX_PRINT = "Globex printers are mapped by the login script; run gpupdate /force if a printer is missing."
MODEL = TestModel("Use the self-service portal.")


@workflow(is_tool=True)
async def remember(content: str, key: str, namespace: str = "runbooks") -> str:
    return await knowledge.store(content, namespace=namespace, key=key)


@workflow(is_tool=True)
async def ask(question: str) -> str:
    with override_model(MODEL):
        return (await ai.complete(question, knowledge=["runbooks"])).content


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[App, dict[str, Caller]]]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    async with App.opened(HostSettings(data_dir=tmp_path / "data", workspace=workspace)) as app:
        for fn in (remember, ask):  # defined here, registered beside the system tools
            add_function(app.registry, fn, "tests")
        app.registry.assign_tool_names()
        callers = {"admin": await app.host.callers.owner()}
        for org in ("Acme", "Globex"):
            created = await app.host.identity.create_org(org)
            user = await app.host.identity.create_user(f"tech@{org.lower()}.test", "Tech", org_id=created.id)
            callers[org] = await app.host.callers.for_user(user.id)
        yield app, callers


async def _client_for(app: App, caller: Caller) -> Any:
    async def resolve(_ctx: object) -> Caller:
        return caller

    return Client(BifrostServer(app, resolve).server)


async def _call(app: App, caller: Caller, tool: str, arguments: dict[str, Any]) -> Any:
    async with await _client_for(app, caller) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content


async def test_each_organization_finds_its_own_and_shared_documents_and_never_another_organizations(
    world: tuple[App, dict[str, Caller]],
) -> None:
    app, callers = world
    await _call(app, callers["Acme"], "remember", {"content": ACME_RESET, "key": "acme/password-reset.md"})
    await _call(app, callers["Globex"], "remember", {"content": GLOBEX_PRINT, "key": "globex/printers.md"})
    await _call(app, callers["admin"], "remember", {"content": GLOBAL_VPN, "key": "shared/vpn.md"})
    await _call(app, callers["Acme"], "remember", {"content": "Acme only.", "key": "x", "namespace": "acme-only"})

    acme = await _call(app, callers["Acme"], "search_knowledge", {"query": "I forgot my login, how do I get in?"})
    assert acme["passages"][0]["key"] == "acme/password-reset.md"
    assert acme["passages"][0]["shared"] is False
    globex = await _call(app, callers["Globex"], "search_knowledge", {"query": "I forgot my login, how do I get in?"})
    globex_keys = {p["key"] for p in globex["passages"]}
    assert globex_keys == {"globex/printers.md", "shared/vpn.md"}  # never Acme's documents
    scoped = await _call(
        app, callers["Globex"], "search_knowledge", {"query": "remote access", "namespace": "runbooks", "limit": 1}
    )
    assert [p["key"] for p in scoped["passages"]] == ["shared/vpn.md"]

    async with await _client_for(app, callers["Globex"]) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        assert set(listed) == {"bifrost://knowledge/runbooks"}
        assert "1 organization and 1 shared document(s)" in (listed["bifrost://knowledge/runbooks"].description or "")
        content = await client.read_resource("bifrost://knowledge/runbooks")
        documents = json.loads(content.contents[0].text)["documents"]  # type: ignore[union-attr]
        assert [(d["key"], d["shared"]) for d in documents] == [("globex/printers.md", False), ("shared/vpn.md", True)]
        with pytest.raises(MCPError, match="Resource not found"):
            await client.read_resource("bifrost://knowledge/acme-only")
        empty = await client.call_tool("search_knowledge", {"query": "   "})
        assert empty.is_error
        assert "ValidationError: search query is empty" in empty.content[0].text  # type: ignore[union-attr]


async def test_rag_puts_only_the_callers_passages_with_their_keys_into_the_system_prompt(
    world: tuple[App, dict[str, Caller]],
) -> None:
    app, callers = world
    await _call(app, callers["Acme"], "remember", {"content": ACME_RESET, "key": "acme/password-reset.md"})
    await _call(app, callers["admin"], "remember", {"content": GLOBAL_VPN, "key": "shared/vpn.md"})
    MODEL.requests.clear()
    assert await _call(app, callers["Acme"], "ask", {"question": "How does a user reset a password?"}) == {
        "result": "Use the self-service portal."
    }
    await _call(app, callers["Globex"], "ask", {"question": "How does a user reset a password?"})
    acme_prompt, globex_prompt = (request.system or "" for request in MODEL.requests)
    assert "acme/password-reset.md" in acme_prompt and "portal.acme.example" in acme_prompt
    assert "shared/vpn.md" in globex_prompt
    assert "acme" not in globex_prompt.lower()
