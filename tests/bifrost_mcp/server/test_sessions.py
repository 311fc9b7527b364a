"""Open MCP sessions per credential over streamable HTTP on 127.0.0.1: the cap, giving slots back, idle close."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.server.http import build_asgi
from bifrost_mcp.server.sessions import SessionLimits
from bifrost_mcp.settings import HostSettings
from tests.support.mcp import mcp_http_client
from tests.support.poll import poll
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}},
}
PING = {"jsonrpc": "2.0", "id": 2, "method": "ping"}


def refusal(held: int, cap: int, idle: str) -> dict[str, Any]:
    message = (
        f"This credential has {held} open MCP sessions, the most allowed (BIFROST_MAX_SESSIONS_PER_CREDENTIAL={cap})."
        " End sessions you no longer use (HTTP DELETE with their Mcp-Session-Id header) or wait: a session with no"
        f" request for {idle} seconds is closed."
    )
    return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": message}}


@dataclass
class Served:
    base: str
    sessions: SessionLimits
    callers: dict[str, Caller]  # by token
    http: httpx2.AsyncClient

    async def open(self, token: str, path: str = "/mcp") -> httpx2.Response:
        """An initialize request without a session: what opens one."""
        return await self.http.post(self.base + path, json=INITIALIZE, headers=_auth(token))

    def held(self, token: str) -> int:
        return self.sessions.held(self.callers[token])


def _auth(token: str, session: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}
    return headers | ({"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"} if session else {})


@asynccontextmanager
async def serving(tmp_path: Path, **limits: Any) -> AsyncIterator[tuple[Served, str, str]]:
    """The examples served with `limits`; yields two tokens of different credentials (A: owner, B: a key)."""
    settings = HostSettings(data_dir=tmp_path, workspace=EXAMPLES, **limits)
    async with App.opened(settings) as app:
        token_a = (await app.host.credentials.reset_owner_token()).token
        org = await app.host.identity.create_org("Bystander")
        token_b = (await app.host.credentials.create_function_key(org.id, "rmm")).token
        callers = {token: await app.host.callers.for_token(token) for token in (token_a, token_b)}
        server = LoopbackServer()
        asgi = build_asgi(app, port=server.port, watch=False)
        async with server.serve(asgi) as base, httpx2.AsyncClient(timeout=30) as http:
            yield Served(base, asgi.state.sessions, callers, http), token_a, token_b


async def test_a_credential_at_its_cap_is_refused_until_one_of_its_sessions_ends(tmp_path: Path) -> None:
    async with serving(tmp_path, max_sessions_per_credential=2) as (served, token_a, token_b):
        first, second = await served.open(token_a), await served.open(token_a)
        refused = await served.open(token_a)
        assert (first.status_code, second.status_code, refused.status_code) == (200, 200, 429)
        assert refused.json() == refusal(2, 2, "600")
        assert (await served.open(token_b)).status_code == 200
        assert (served.held(token_a), served.held(token_b)) == (2, 1)

        session = first.headers["mcp-session-id"]
        ended = await served.http.delete(f"{served.base}/mcp", headers=_auth(token_a, session))
        assert ended.status_code == 200
        await poll(lambda: served.held(token_a) == 1, timeout=5, what="the ended session to give its slot back")
        assert (await served.open(token_a)).status_code == 200
        assert (await served.open(token_a)).status_code == 429


async def test_mcp_and_the_agent_endpoints_share_one_count_per_credential(tmp_path: Path) -> None:
    async with serving(tmp_path, max_sessions_per_credential=2) as (served, token_a, _token_b):
        assert (await served.open(token_a, "/mcp/agents/helpdesk")).status_code == 200
        assert (await served.open(token_a)).status_code == 200
        refused = await served.open(token_a, "/mcp/agents/helpdesk")
        assert (refused.status_code, refused.json()) == (429, refusal(2, 2, "600"))
        assert (await served.open(token_a)).status_code == 429


async def test_requests_that_open_no_session_give_their_slot_back(tmp_path: Path) -> None:
    async with serving(tmp_path, max_sessions_per_credential=1) as (served, token_a, _token_b):
        stream = await served.http.get(f"{served.base}/mcp", headers=_auth(token_a))  # no session to stream
        not_initialize = await served.http.post(f"{served.base}/mcp", json=PING, headers=_auth(token_a))
        unknown_agent = await served.open(token_a, "/mcp/agents/nobody")
        assert (stream.status_code, not_initialize.status_code, unknown_agent.status_code) == (400, 400, 404)
        assert served.held(token_a) == 0
        assert (await served.open(token_a)).status_code == 200


async def test_an_idle_session_is_closed_and_gives_its_slot_back(tmp_path: Path) -> None:
    limits = {"max_sessions_per_credential": 1, "session_idle_timeout_seconds": 0.3}
    async with serving(tmp_path, **limits) as (served, token_a, _token_b):
        opened = await served.open(token_a)
        assert opened.status_code == 200
        session = opened.headers["mcp-session-id"]
        refused = await served.open(token_a)
        assert (refused.status_code, refused.json()) == (429, refusal(1, 1, "0.3"))

        await poll(lambda: served.held(token_a) == 0, timeout=5, what="the idle session to be closed")
        gone = await served.http.post(f"{served.base}/mcp", json=PING, headers=_auth(token_a, session))
        assert (gone.status_code, gone.json()["error"]["message"]) == (404, "Session not found")
        assert (await served.open(token_a)).status_code == 200


async def test_a_client_of_the_2026_protocol_opens_no_session_and_still_works_at_the_cap(tmp_path: Path) -> None:
    async with serving(tmp_path, max_sessions_per_credential=1) as (served, token_a, _token_b):
        assert (await served.open(token_a)).status_code == 200
        async with mcp_http_client(f"{served.base}/mcp", token_a, mode="auto") as client:
            assert client.protocol_version == "2026-07-28"
            assert "triage_ticket" in [tool.name for tool in (await client.list_tools()).tools]
        assert served.held(token_a) == 1


async def test_the_endpoint_wide_cap_is_a_setting_too(tmp_path: Path) -> None:
    async with serving(tmp_path, max_sessions=2) as (served, token_a, token_b):
        assert [(await served.open(token)).status_code for token in (token_a, token_b)] == [200, 200]
        full = await served.open(token_b)
        assert (full.status_code, full.json()["error"]["message"]) == (503, "Too many open sessions")
        assert served.held(token_b) == 1


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_official_client_connects_and_its_session_is_counted_while_open(tmp_path: Path, mode: str) -> None:
    async with serving(tmp_path) as (served, token_a, _token_b):
        async with mcp_http_client(f"{served.base}/mcp", token_a, mode=mode) as client:
            assert "triage_ticket" in [tool.name for tool in (await client.list_tools()).tools]
            assert served.held(token_a) == (1 if mode == "legacy" else 0)
        await poll(lambda: served.held(token_a) == 0, timeout=5, what="the client's session to end")
