"""A served App with a chat workspace and two users of one org, for the chat APIs over real HTTP.

@pytest.fixture
async def app(tmp_path): async with chat_app(tmp_path) as opened: yield opened

with override_model(TestModel(...)):          # before serving: uvicorn's tasks copy the context
    async with chat_serving(app) as served: ...

with OpenAIServer(handler=..., api_key=OPENAI_KEY) as model:   # or a loopback model, through config
    await serve_model(app, model)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.ai import MODELS, OPENAI_KEY
from tests.support.callers import user_token
from tests.support.loopback import OpenAIServer
from tests.support.mcp import opened_app
from tests.support.server import LoopbackServer
from tests.support.workspace import workspace_modules_dropped, write_files

CHAT_WORKSPACE = {
    "tickets.py": """
import anyio

from bifrost import Agent, workflow


@workflow(is_tool=True)
async def lookup_ticket(ticket: str) -> dict:
    '''Look a ticket up.'''
    return {"ticket": ticket, "status": "open"}


@workflow(is_tool=True)
async def slow_lookup(ticket: str) -> str:
    '''Look a ticket up in the archive, which takes a while.'''
    await anyio.sleep(60)
    return "archived"


@workflow(is_tool=True, roles=["Technician"])
async def close_ticket(ticket: str) -> str:
    '''Close a ticket.'''
    return f"closed {ticket}"


@workflow(is_tool=True, requires_approval=True)
async def delete_ticket(ticket: str) -> str:
    '''Delete a ticket for good.'''
    return f"deleted {ticket}"


helpdesk = Agent("helpdesk", description="Service desk", tools=[lookup_ticket, slow_lookup, delete_ticket])
technicians = Agent("technicians", description="For technicians", tools=[close_ticket], roles=["Technician"])
""",
}


@dataclass
class ChatServed:
    app: App
    base: str
    ada: str  # a plain member's token
    bob: str  # another plain member's token
    tech: str  # a Technician's token
    ada_id: str


@asynccontextmanager
async def chat_app(tmp_path: Path) -> AsyncIterator[App]:
    """An App over CHAT_WORKSPACE, for a test module's `app` fixture."""
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        write_files(path, CHAT_WORKSPACE)
        async with opened_app(tmp_path / "data", workspace=path) as opened:
            yield opened


@asynccontextmanager
async def chat_serving(app: App) -> AsyncIterator[ChatServed]:
    """uvicorn serving the app, entered inside each test (its task group must not span fixture tasks)."""
    org = await app.host.identity.create_org("Acme")
    ada, ada_id = await user_token(app, org.id, "ada@acme.test")
    bob, _ = await user_token(app, org.id, "bob@acme.test")
    tech, _ = await user_token(app, org.id, "tech@acme.test", "Technician")
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        yield ChatServed(app, base, ada, bob, tech, ada_id)


async def serve_model(app: App, model: OpenAIServer) -> None:
    """Make `model`, a loopback OpenAI server (with the key OPENAI_KEY), every organization's default model."""
    config = app.host.config
    await config.set("GLOBAL", "openai_api_key", OPENAI_KEY, is_secret=True)
    await config.set("GLOBAL", "openai_base_url", model.base_url)
    await config.set("GLOBAL", "ai_default_model", f"openai:{MODELS['openai']}")
