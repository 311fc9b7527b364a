"""A dispatcher running an App's queued (async) runs for the length of a test, and waiting for a run to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.triggers.dispatcher import Dispatcher
from tests.support.poll import poll

UNFINISHED = (ExecutionStatus.PENDING, ExecutionStatus.RUNNING)


@asynccontextmanager
async def dispatching(
    app: App, *, concurrency: int | None = None, poll_seconds: float = 0.02
) -> AsyncIterator[Dispatcher]:
    """A dispatcher polling every 20 ms (a submit in this App wakes it at once), stopped at the end."""
    dispatcher = Dispatcher(app, concurrency=concurrency, poll_seconds=poll_seconds)
    async with anyio.create_task_group() as tg:
        tg.start_soon(dispatcher.run)
        yield dispatcher
        tg.cancel_scope.cancel()


async def finished(app: App, execution_id: str, *, timeout: float = 30) -> ExecutionRecord:
    """The record of `execution_id` once it is no longer Pending or Running."""

    async def check() -> ExecutionRecord | None:
        record = await app.host.executions.get(execution_id)
        return record if record is not None and record.status not in UNFINISHED else None

    return await poll(check, timeout=timeout, what=f"execution {execution_id} to finish")
