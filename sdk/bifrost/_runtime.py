"""Binds one run (its ExecutionContext and its Platform) to the current task; the SDK reads it from here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bifrost._context import ExecutionContext, _current_context
from bifrost._ports import Platform
from bifrost.errors import NoExecutionContextError

_current_platform: ContextVar[Platform | None] = ContextVar("bifrost_platform", default=None)


def platform() -> Platform:
    """The platform bound to the running workflow; raises outside a run."""
    bound = _current_platform.get()
    if bound is None:
        raise NoExecutionContextError(
            "No workflow is running: bifrost SDK modules (config, tables, files, ai, ...) only work inside a "
            "workflow run by bifrost-mcp (an MCP tool call, `bifrost-mcp run`, or bifrost.testing)."
        )
    return bound


@contextmanager
def bind(ctx: ExecutionContext, bound_platform: Platform) -> Iterator[None]:
    """Make `ctx` and `bound_platform` current for the code run inside the block (and its threads)."""
    ctx_token = _current_context.set(ctx)
    platform_token = _current_platform.set(bound_platform)
    try:
        yield
    finally:
        _current_platform.reset(platform_token)
        _current_context.reset(ctx_token)
