"""The web chat's JSON API and page over real HTTP: the bearer gate, the caller's agents and conversations."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bifrost_mcp.app import App
from bifrost_mcp.conversations.records import AssistantMessage, ToolCall, UserMessage
from bifrost_mcp.server.http import build_asgi
from tests.support.mcp import opened_app
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES) as application:
        yield application


@asynccontextmanager
async def client(app: App, token: str | None, *, prefix: str = "") -> AsyncIterator[httpx2.AsyncClient]:
    server = LoopbackServer()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        server.serve(build_asgi(app, port=server.port, prefix=prefix, watch=False)) as base,
        httpx2.AsyncClient(base_url=base + prefix, headers=headers) as http,
    ):
        yield http


async def org_user(app: App, email: str) -> tuple[str, str]:
    """A member of an organization: (user id, token)."""
    identity = app.host.identity
    orgs = [o for o in await identity.list_orgs() if o.name == "Acme"]
    org = orgs[0] if orgs else await identity.create_org("Acme")
    user = await identity.create_user(email, email.split("@")[0], org_id=org.id)
    return user.id, (await app.host.credentials.create_token(user.id)).token


async def owner_token(app: App) -> str:
    return (await app.host.credentials.reset_owner_token()).token


@pytest.mark.parametrize(
    "path", ["/api/agents", "/api/conversations", "/api/conversations/anything"], ids=["agents", "list", "one"]
)
async def test_the_api_refuses_a_request_without_a_valid_token_like_mcp(app: App, path: str) -> None:
    async with client(app, None) as anonymous:
        missing = await anonymous.get(path)
        wrong = await anonymous.get(path, headers={"Authorization": "Bearer bft_not-a-token-we-issued"})
    assert missing.status_code == 401 and "missing bearer token" in missing.json()["error_description"]
    assert missing.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert wrong.status_code == 401 and "unknown token" in wrong.json()["error_description"]


async def test_the_agents_are_the_ones_the_caller_may_chat_with(app: App) -> None:
    _, user_token = await org_user(app, "ada@acme.test")
    async with client(app, await owner_token(app)) as owner, client(app, user_token) as user:
        as_owner = (await owner.get("/api/agents")).json()
        as_user = (await user.get("/api/agents")).json()
    owner_agents = {a["name"]: a["description"] for a in as_owner["agents"]}
    assert owner_agents["helpdesk"] == "Answers service-desk questions, triages tickets and drafts replies"
    # helpdesk asks for the Technician role, which a plain member lacks
    assert "helpdesk" not in {a["name"] for a in as_user["agents"]}


async def test_a_user_lists_and_reads_their_own_conversation_with_its_messages(app: App) -> None:
    user_id, token = await org_user(app, "ada@acme.test")
    caller = await app.host.callers.for_user(user_id)
    started = await app.host.conversations.create(user_id=user_id, scope=caller.scope, agent="helpdesk", title="VPN")
    await app.host.conversations.append(
        started.id,
        [
            UserMessage(text="Is the VPN down?"),
            ToolCall(tool_call_id="c1", name="triage_ticket", arguments={"subject": "VPN"}, execution_id="e1"),
            AssistantMessage(text="<b>No</b>, it is up."),
        ],
    )
    async with client(app, token) as user:
        listed = (await user.get("/api/conversations")).json()
        one = (await user.get(f"/api/conversations/{started.id}")).json()
    (summary,) = listed["conversations"]
    assert {k: summary[k] for k in ("id", "title", "agent")} == {"id": started.id, "title": "VPN", "agent": "helpdesk"}
    assert summary["updated_at"]
    assert [m["kind"] for m in one["messages"]] == ["user", "tool_call", "assistant"]
    assert one["messages"][1]["execution_id"] == "e1" and one["messages"][2]["text"] == "<b>No</b>, it is up."


async def test_another_users_conversation_answers_404_exactly_like_an_unknown_id(app: App) -> None:
    ada_id, _ = await org_user(app, "ada@acme.test")
    _, bob_token = await org_user(app, "bob@acme.test")
    ada = await app.host.callers.for_user(ada_id)
    theirs = await app.host.conversations.create(user_id=ada_id, scope=ada.scope, agent="helpdesk")
    async with client(app, bob_token) as bob:
        other = await bob.get(f"/api/conversations/{theirs.id}")
        unknown = await bob.get("/api/conversations/no-such-conversation")
        listed = (await bob.get("/api/conversations")).json()
    assert other.status_code == unknown.status_code == 404
    assert other.json() == _with_id(unknown.json(), "no-such-conversation", theirs.id)
    assert listed == {"conversations": []}


def _with_id(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {k: v.replace(old, new) if isinstance(v, str) else v for k, v in body.items()}


async def test_the_page_loads_without_a_token_and_carries_the_security_headers(app: App) -> None:
    async with client(app, None) as anonymous:
        page = await anonymous.get("/chat")
        script = await anonymous.get("/static/chat.js")
        api = await anonymous.get("/api/agents")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="static/chat.js"' in page.text and "<script>" not in page.text
    assert script.headers["content-type"].startswith("text/javascript")
    for response in (page, script):
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert api.status_code == 401


async def test_the_page_and_api_are_served_under_the_mount_prefix(app: App) -> None:
    async with client(app, await owner_token(app), prefix="/bifrost") as owner:
        page = await owner.get("/chat")
        agents = await owner.get("/api/agents")
    assert page.status_code == 200 and agents.status_code == 200
