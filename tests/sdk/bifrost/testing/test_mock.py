"""MockPlatform: SDK operations answered by the test's own functions, recorded as they are made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bifrost import ai, config, context, tables
from bifrost.errors import NotAvailableError
from bifrost.testing import MockPlatform, bound, test_context
from bifrost.types import AIStreamChunk, DocumentData, Organization


async def test_an_operation_is_answered_by_its_handler_and_recorded() -> None:
    platform = MockPlatform({"config.get": lambda key, default: f"value of {key}"})

    with bound(platform):
        assert await config.get("greeting") == "value of greeting"

    assert platform.calls == [("config.get", {"key": "greeting", "default": None})]


async def test_a_module_handler_answers_with_its_methods_sync_or_async() -> None:
    class Tables:
        def get(self, table: str, doc_id: str, scope: str | None, app: str | None) -> dict[str, Any]:
            return {"id": doc_id, "table_id": table, "data": {"subject": "Printer"}}

        async def count(self, table: str, where: dict[str, Any] | None, scope: str | None, app: str | None) -> int:
            return 7

    with bound(MockPlatform({"tables": Tables()})):
        document = await tables.get("tickets", "t-1")
        assert await tables.count("tickets") == 7

    # plain data, as from another process, comes back as the SDK's type
    assert isinstance(document, DocumentData) and document.data == {"subject": "Printer"}


async def test_a_streaming_handler_may_return_an_async_or_a_plain_iterable() -> None:
    async def stream(**_: Any) -> AsyncIterator[dict[str, Any]]:
        yield {"content": "Hello"}
        yield {"done": True, "input_tokens": 3, "output_tokens": 1}

    for handler in (stream, lambda **_: [{"content": "Hello"}, {"done": True}]):
        with bound(MockPlatform({"ai.stream": handler})):
            chunks = [chunk async for chunk in ai.stream("Say hello")]
        assert chunks[0] == AIStreamChunk(content="Hello") and chunks[-1].done


async def test_an_operation_without_a_handler_says_how_to_add_one() -> None:
    with bound(MockPlatform({})), pytest.raises(NotAvailableError, match=r"MockPlatform\(\{'config.set': function\}\)"):
        await config.set("k", "v")


async def test_bound_makes_the_given_context_current() -> None:
    ctx = test_context(name="Ada", scope="org-1")

    with bound(MockPlatform({}), ctx) as current:
        assert current is ctx
        assert context.name == "Ada" and context.scope == "org-1"


class _Config:
    def get(self, key: str, default: object) -> object:
        return default


def test_handles_names_operations_and_module_objects() -> None:
    platform = MockPlatform({"tables.insert": lambda **arguments: None, "config": _Config()})
    assert platform.handles("tables.insert") is True
    assert platform.handles("config.get") is True
    assert platform.handles("config.set") is False
    assert platform.handles("config._private") is False
    assert platform.handles("files.read_bytes") is False
    assert platform.calls == []  # asking is not calling


def test_context_scope_follows_the_organization() -> None:
    assert test_context().scope == "GLOBAL"
    acme = test_context(organization=Organization(id="org-acme", name="Acme"))
    assert (acme.scope, acme.org_id) == ("org-acme", "org-acme")
    assert test_context(organization=Organization(id="org-acme", name="Acme"), scope="other").scope == "other"
