"""The one seam between the SDK and the host that runs it: a platform bound to the current run.

Each SDK function is stated once, in its module: signature, defaults, argument checks, and the conversion of
the answer into SDK types. It reaches the host through a single call, the httpx way (one small transport
interface, with an in-memory one beside the real one in `bifrost.testing`):

    await call("tables.insert", table="tickets", data={...}, id=None, scope=None, app=None)

The operation is "<module>.<function>" and the arguments are keywords of plain values, so the same call can
cross a process boundary. The host binds a platform built for the run's caller: tenancy, scope and admin
checks are decided there, and a workflow can never choose whom it acts as.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Protocol, TypeVar

from pydantic import TypeAdapter

from bifrost._context import GLOBAL_SCOPE, ExecutionContext, _current_context, _current_platform
from bifrost.errors import NoExecutionContextError

T = TypeVar("T")


class Platform(Protocol):
    """What the SDK may reach, bound to one caller. An operation the platform lacks raises NotAvailableError."""

    async def call(self, operation: str, arguments: dict[str, Any]) -> Any:
        """Perform `operation` ("tables.insert") with keyword `arguments`; return its result."""
        ...

    def stream(self, operation: str, arguments: dict[str, Any]) -> AsyncIterator[Any]:
        """Perform a streaming `operation` ("ai.stream"), yielding its items as they come."""
        ...


def current() -> Platform:
    """The platform bound to the running workflow; raises outside a run."""
    bound: Platform | None = _current_platform.get()
    if bound is None:
        raise NoExecutionContextError(
            "No workflow is running: bifrost SDK modules (config, tables, files, ai, ...) only work inside a "
            "workflow run by bifrost-mcp (an MCP tool call, `bifrost-mcp run`, or bifrost.testing)."
        )
    return bound


@contextmanager
def bind(ctx: ExecutionContext, platform: Platform) -> Iterator[None]:
    """Make `ctx` and `platform` current for the code run inside the block (and the threads it starts)."""
    ctx_token = _current_context.set(ctx)
    platform_token = _current_platform.set(platform)
    try:
        yield
    finally:
        _current_platform.reset(platform_token)
        _current_context.reset(ctx_token)


async def call(operation: str, **arguments: Any) -> Any:
    """Perform `operation` on the current platform."""
    return await current().call(operation, arguments)


def stream(operation: str, **arguments: Any) -> AsyncIterator[Any]:
    """Perform a streaming `operation` on the current platform."""
    return current().stream(operation, arguments)


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def returned(kind: type[T], value: Any) -> T:
    """`value` as the SDK type `kind`: an instance passes through; plain data (from another process) is validated."""
    if isinstance(value, kind):
        return value
    return _adapter(kind).validate_python(value)  # type: ignore[arg-type, no-any-return]


def returned_or_none(kind: type[T], value: Any) -> T | None:
    """`returned`, for operations that answer None when there is nothing."""
    return None if value is None else returned(kind, value)


def returned_list(kind: type[T], value: Any) -> list[T]:
    """`returned`, for a list of `kind`."""
    if isinstance(value, list) and all(isinstance(item, kind) for item in value):
        return value
    return _adapter(list[kind]).validate_python(value)  # type: ignore[no-any-return, valid-type]


__all__ = [
    "GLOBAL_SCOPE",
    "ExecutionContext",
    "Platform",
    "bind",
    "call",
    "current",
    "returned",
    "returned_list",
    "returned_or_none",
    "stream",
]
