"""A platform for unit tests that answers each SDK operation with a function the test gives.

The httpx way: `MockTransport(handler)` beside the real transport. Here the host's platform is the real one
and `MockPlatform` the test one:

    from bifrost.testing import MockPlatform, bound

    async def test_greeting_reads_the_config():
        platform = MockPlatform({"config.get": lambda key, default: "Hello"})
        with bound(platform):
            assert await greet("Ada") == "Hello, Ada"
        assert platform.calls == [("config.get", {"key": "greeting", "default": None})]
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bifrost.errors import NotAvailableError
from bifrost.platform import GLOBAL_SCOPE, ExecutionContext, Platform, bind


class MockPlatform:
    """Answers operations from `handlers`; records every call in `.calls` as (operation, arguments).

    A key is an operation ("config.get") mapped to a function of its keyword arguments, or a module ("ai")
    mapped to an object whose methods answer that module's operations. Handlers may be sync or async; a
    streaming operation's handler returns an (async) iterable. An operation without a handler raises
    NotAvailableError naming it.
    """

    def __init__(self, handlers: Mapping[str, Any]) -> None:
        self.handlers = dict(handlers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, operation: str, arguments: dict[str, Any]) -> Any:
        result = self._handler(operation, arguments)(**arguments)
        return await result if inspect.isawaitable(result) else result

    async def stream(self, operation: str, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        items = self._handler(operation, arguments)(**arguments)
        if inspect.isawaitable(items):
            items = await items
        if hasattr(items, "__aiter__"):
            async for item in items:
                yield item
        else:
            for item in items:
                yield item

    def handles(self, operation: str) -> bool:
        """Whether `handlers` answer `operation` (so calling it will not raise NotAvailableError)."""
        return self._find(operation) is not None

    def _find(self, operation: str) -> Any:
        module, _, name = operation.partition(".")
        handler = self.handlers.get(operation)
        if handler is None and module in self.handlers and not name.startswith("_"):
            handler = getattr(self.handlers[module], name, None)
        return handler

    def _handler(self, operation: str, arguments: dict[str, Any]) -> Any:
        self.calls.append((operation, dict(arguments)))  # recorded even when no handler answers it
        handler = self._find(operation)
        if handler is None:
            raise NotAvailableError(
                f"MockPlatform has no handler for {operation!r}: pass MockPlatform({{{operation!r}: function}})"
            )
        return handler


def test_context(**fields: Any) -> ExecutionContext:
    """An ExecutionContext for tests, as the host builds one, unless `fields` say otherwise.

    Without an `organization`: the local owner, a platform admin in GLOBAL scope (whom `bifrost-mcp run` and
    stdio act as by default), so a test may write GLOBAL. Given an `organization`: a member of it (no admin),
    acting in its scope. A plain user in GLOBAL scope (`is_platform_admin=False`) may read GLOBAL but write
    nothing, as on the host.
    """
    organization = fields.get("organization")
    values: dict[str, Any] = {
        "user_id": "test-user",
        "email": "test@example.com",
        "name": "Test User",
        "scope": GLOBAL_SCOPE if organization is None else organization.id,
        "organization": None,
        "is_platform_admin": organization is None,
        "is_function_key": False,
        "execution_id": "test-execution",
    }
    values.update(fields)
    return ExecutionContext(**values)


test_context.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test


@contextmanager
def bound(platform: Platform, ctx: ExecutionContext | None = None) -> Iterator[ExecutionContext]:
    """Run the block as a workflow run would: `platform` and `ctx` (default `test_context()`) are current."""
    context = ctx if ctx is not None else test_context()
    with bind(context, platform):
        yield context


__all__ = ["MockPlatform", "bound", "test_context"]
