"""Load on a served workspace: sessions calling an echo tool, every answer checked and noted by execution id."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.mcp import execution_id_of, mcp_http_client
from tests.support.served import Served

ECHO = """
from bifrost import workflow


@workflow(is_tool=True)
async def echo(text: str) -> str:
    return text
"""


async def echo_session(
    server: Served, number: int, calls: int, acknowledged: dict[str, str], after_each: Callable[[], None] | None = None
) -> None:
    """One MCP session making `calls` echo calls; `acknowledged` gets execution id -> the text sent and got back."""
    async with mcp_http_client(server.url, server.token, mode="legacy") as client:
        for call in range(calls):
            text = f"session {number} call {call}"
            result = await client.call_tool("echo", {"text": text})
            assert not result.is_error and result.structured_content == {"result": text}
            acknowledged[execution_id_of(result)] = text
            if after_each is not None:
                after_each()
