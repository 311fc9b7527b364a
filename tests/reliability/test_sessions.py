"""Issue 14, finding 8: one function key's initialize-only sessions locked everyone out of new sessions.

10,000 sessions opened with one key filled the server's one cap on open sessions, after which every new
session, anyone's, was answered 503. A credential now has a cap of its own (100 by default): the credential
over it is refused with 429 and a message saying what to do, while others still connect.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx2
import pytest

from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.mcp import mcp_http_client, opened_app
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES

DEFAULT_CAP = 100  # BIFROST_MAX_SESSIONS_PER_CREDENTIAL unset
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "flood", "version": "0"}},
}


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}


async def post_into(answers: list[httpx2.Response], http: httpx2.AsyncClient, url: str) -> None:
    answers.append(await http.post(url, json=INITIALIZE))


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES) as application:
        yield application


@pytest.mark.slow
async def test_one_key_flooding_initialize_is_capped_and_another_key_still_connects(app: App) -> None:
    org_a = await app.host.identity.create_org("Flooder")
    org_b = await app.host.identity.create_org("Bystander")
    key_a = (await app.host.credentials.create_function_key(org_a.id, "flood")).token
    key_b = (await app.host.credentials.create_function_key(org_b.id, "rmm")).token
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        answers: list[httpx2.Response] = []
        async with httpx2.AsyncClient(headers=headers(key_a), timeout=30) as http, anyio.create_task_group() as tg:
            for _ in range(DEFAULT_CAP + 1):  # all at once: the cap holds against concurrent opening requests too
                tg.start_soon(lambda: post_into(answers, http, f"{base}/mcp"))
        assert sorted(r.status_code for r in answers) == [200] * DEFAULT_CAP + [429]
        opened = [r for r in answers if r.status_code == 200]
        [refused] = [r for r in answers if r.status_code == 429]
        assert len({r.headers["mcp-session-id"] for r in opened}) == DEFAULT_CAP
        assert "mcp-session-id" not in refused.headers
        assert refused.json()["error"]["message"] == (
            f"This credential has {DEFAULT_CAP} open MCP sessions, the most allowed "
            f"(BIFROST_MAX_SESSIONS_PER_CREDENTIAL={DEFAULT_CAP}). End sessions you no longer use (HTTP DELETE "
            "with their Mcp-Session-Id header) or wait: a session with no request for 600 seconds is closed."
        )

        async with mcp_http_client(f"{base}/mcp", key_b, mode="legacy") as client:
            assert "triage_ticket" in [tool.name for tool in (await client.list_tools()).tools]
