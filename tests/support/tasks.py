"""A client side of the MCP Tasks extension (io.modelcontextprotocol/tasks), as the official client's extension seam
takes it: a claim on tools/call results of `resultType: "task"`, resolved by polling `tasks/get`.

The python-sdk does not ship the extension; this is what a client that speaks it does, written to the spec
(SEP-2663), so the server's side can be tested with the official `mcp.Client`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import anyio
import mcp_types as types
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.session import ClientSession
from pydantic import TypeAdapter

TASKS = "io.modelcontextprotocol/tasks"
_ANY = TypeAdapter(dict[str, Any])


class CreatedTask(types.Result):
    result_type: Literal["task"]
    task_id: str
    status: str
    status_message: str | None = None
    created_at: str
    last_updated_at: str
    ttl_ms: int | None = None
    poll_interval_ms: int | None = None


class TaskCancelled(Exception):
    pass


async def get_task(session: ClientSession, task_id: str) -> dict[str, Any]:
    request = types.GetTaskRequest(params=types.GetTaskRequestParams(task_id=task_id))
    return await session.send_request(request, _ANY)


async def cancel_task(session: ClientSession, task_id: str) -> dict[str, Any]:
    request = types.CancelTaskRequest(params=types.CancelTaskRequestParams(task_id=task_id))
    return await session.send_request(request, _ANY)


class TasksClient(ClientExtension):
    """Declares the extension; a task a tools/call answers with is polled (at most `timeout` s) to its result."""

    identifier = TASKS

    def __init__(self, *, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.created: list[CreatedTask] = []  # every task the server answered with
        self.polls: list[dict[str, Any]] = []  # every tasks/get answer, in order

    def claims(self) -> Sequence[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreatedTask, resolve=self._resolve)]

    async def _resolve(self, created: CreatedTask, ctx: ClaimContext) -> types.CallToolResult:
        self.created.append(created)
        with anyio.fail_after(self.timeout):
            while True:
                task = await get_task(ctx.session, created.task_id)
                self.polls.append(task)
                if task["status"] == "completed":
                    return types.CallToolResult.model_validate(task["result"], by_name=False)
                if task["status"] in ("cancelled", "failed"):
                    raise TaskCancelled(task.get("statusMessage"))
                await anyio.sleep(0.02)  # the server suggests pollIntervalMs; a test polls faster, bounded above
