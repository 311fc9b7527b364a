"""The chat tenant matrix: every kind of caller, over every front end people chat through.

For each caller (tests/support/chat_world.py) and each front end (the web page's JSON API and AG-UI stream,
the OpenAI-compatible API through the official openai SDK, MCP through the official client, the terminal
commands) exactly the agents the gate allows are listed and answer; a hidden agent answers exactly like an
unknown one; another user's or organization's conversation answers exactly like an unknown id (a platform
admin may read it, and only its owner may continue it); and every tool step is an execution record of the
chatting caller, tied to the conversation by its session_id.

The world is built once, and one server serves the whole module from a thread of its own (its App lives in
that thread's event loop; the tests reach it through `Served.portal`).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import openai
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.shared.exceptions import MCPError
from typer.testing import Result

from bifrost.enums import ExecutionStatus
from bifrost.testing import override_model
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.chat_world import AGENTS, ANSWER, QUESTION, WORKSPACE, Who, World, build, model
from tests.support.cli import WorkspaceCli, chat_commands
from tests.support.mcp import mcp_http_client
from tests.support.server import LoopbackServer
from tests.support.workspace import workspace_modules_dropped, write_files

CALLERS = ["plain@acme", "tech@acme", "key:acme", "plain@globex", "admin@msp"]
UNKNOWN_AGENT = "nobody"
UNKNOWN_ID = "no-such-conversation"
CONVERSATION_HEADER = "X-Bifrost-Conversation"
OPENAI_STEP = re.compile(r"\[tool whoami → completed, execution (\S+)\]")
MCP_STEP = re.compile(r"tool step 1 done \(execution (\S+)\)")


@dataclass
class Served:
    portal: BlockingPortal
    app: App
    base: str

    def assert_ran_as(self, who: Who, execution_id: str, conversation_id: str) -> None:
        """The tool step ran as `who`, in their scope, tied to the conversation."""
        record = self.portal.call(self.app.host.executions.get, execution_id)
        assert record is not None, execution_id
        assert (record.workflow_name, record.status) == ("whoami", ExecutionStatus.COMPLETED)
        assert (record.executed_by, record.org_id, record.scope) == (who.user_id, who.org_id, who.scope), who.label
        assert record.session_id == conversation_id
        assert record.result == {"user_id": who.user_id, "org_id": who.org_id, "scope": who.scope}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with workspace_modules_dropped(tmp_path_factory.mktemp("workspace")) as root:
        world = World(tmp_path_factory.mktemp("data"), write_files(root, WORKSPACE), {})
        with override_model(model()):
            anyio.run(build, world)
        yield world


@pytest.fixture(scope="module")
def served(world: World) -> Iterator[Served]:
    @asynccontextmanager
    async def serving() -> AsyncIterator[tuple[App, str]]:
        with override_model(model()):  # before serving: uvicorn's tasks copy the context
            async with App.opened(world.settings) as app:
                server = LoopbackServer()
                async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
                    yield app, base

    with start_blocking_portal() as portal, portal.wrap_async_context_manager(serving()) as (app, base):
        yield Served(portal, app, base)


def same_answer(hidden: Any, unknown: Any, hidden_name: str, unknown_name: str) -> bool:
    """Whether two answers are the same once each names its own subject as X."""
    return str(hidden).replace(hidden_name, "X") == str(unknown).replace(unknown_name, "X")


def refused_continuation(conversation_id: str) -> str:
    """What a platform admin is told on continuing a conversation they may read but not write."""
    return f"conversation {conversation_id!r} is another user's: only its owner may continue it"


# the web page's JSON API and its AG-UI stream
def run_input(agent: str, thread: str | None = None) -> dict[str, Any]:
    return {"threadId": thread, "messages": [{"role": "user", "content": QUESTION}], "forwardedProps": {"agent": agent}}


async def ag_ui(http: httpx2.AsyncClient, agent: str, thread: str | None = None) -> tuple[httpx2.Response, list[Any]]:
    """POST /api/chat; the response and its events (none when it was refused before streaming)."""
    response = await http.post("/api/chat", json=run_input(agent, thread))
    if not response.headers.get("content-type", "").startswith("text/event-stream"):
        return response, []
    return response, [json.loads(frame.removeprefix("data: ")) for frame in response.text.split("\n\n") if frame]


@pytest.mark.parametrize("label", CALLERS)
async def test_the_web_api_and_its_ag_ui_stream(world: World, served: Served, label: str) -> None:
    who = world.callers[label]

    async def turn(agent: str, thread: str | None = None) -> str:
        response, events = await ag_ui(http, agent, thread)
        assert response.status_code == 200, (who.label, agent, response.text)
        assert events[-1]["type"] == "RUN_FINISHED", (who.label, agent, events[-1])
        assert "".join(e.get("delta", "") for e in events if e["type"] == "TEXT_MESSAGE_CONTENT") == ANSWER
        conversation: str = events[0]["threadId"]
        [step] = [e["value"] for e in events if e["type"] == "CUSTOM" and e["name"] == "bifrost.tool_step"]
        served.assert_ran_as(who, step["executionId"], conversation)
        world.register(who, conversation, agent)
        return conversation

    async with httpx2.AsyncClient(base_url=served.base, headers={"Authorization": f"Bearer {who.token}"}) as http:
        listed = (await http.get("/api/agents")).json()["agents"]
        assert {a["name"] for a in listed} == who.agents
        unknown, _ = await ag_ui(http, UNKNOWN_AGENT)
        assert unknown.status_code == 404
        for agent in sorted(AGENTS):
            if agent in who.agents:
                await turn(agent)
            else:
                hidden, _ = await ag_ui(http, agent)
                assert hidden.status_code == 404 and same_answer(hidden.json(), unknown.json(), agent, UNKNOWN_AGENT)

        conversations = (await http.get("/api/conversations")).json()["conversations"]
        assert {c["id"] for c in conversations} == world.visible_to(who)
        unknown_read = await http.get(f"/api/conversations/{UNKNOWN_ID}")
        unknown_turn, _ = await ag_ui(http, "assistant", UNKNOWN_ID)
        assert unknown_read.status_code == unknown_turn.status_code == 404
        for other in world.others(who):
            read = await http.get(f"/api/conversations/{other.id}")
            continued, _ = await ag_ui(http, other.agent if who.admin else "assistant", other.id)
            if who.admin:  # reads every conversation of its scope, continues none but its own
                assert read.status_code == 200 and read.json()["id"] == other.id
                assert continued.status_code == 403
                assert continued.json()["error_description"] == refused_continuation(other.id)
            else:
                assert read.status_code == 404 and same_answer(read.json(), unknown_read.json(), other.id, UNKNOWN_ID)
                assert continued.status_code == 404
                assert same_answer(continued.json(), unknown_turn.json(), other.id, UNKNOWN_ID)
        own = world.seeds[label]
        assert await turn(own.agent, own.id) == own.id


# the OpenAI-compatible API, through the official SDK
async def completion(client: openai.AsyncOpenAI, agent: str, conversation_id: str | None = None) -> Any:
    """A chat completion's raw response (its headers name the conversation)."""
    headers = {CONVERSATION_HEADER: conversation_id} if conversation_id else {}
    return await client.chat.completions.with_raw_response.create(
        model=agent, messages=[{"role": "user", "content": QUESTION}], extra_headers=headers
    )


@pytest.mark.parametrize("label", CALLERS)
async def test_the_openai_compatible_api(world: World, served: Served, label: str) -> None:
    who = world.callers[label]

    async def turn(agent: str, conversation_id: str | None = None) -> str:
        raw = await completion(client, agent, conversation_id)
        content = raw.parse().choices[0].message.content or ""
        step = OPENAI_STEP.search(content)
        assert step is not None and content.endswith(ANSWER), (who.label, agent, content)
        conversation: str = raw.headers[CONVERSATION_HEADER]
        served.assert_ran_as(who, step[1], conversation)
        world.register(who, conversation, agent)
        return conversation

    async with openai.AsyncOpenAI(base_url=f"{served.base}/v1", api_key=who.token, max_retries=0) as client:
        assert [m.id async for m in client.models.list()] == sorted(who.agents)
        with pytest.raises(openai.NotFoundError) as unknown:
            await completion(client, UNKNOWN_AGENT)
        for agent in sorted(AGENTS):
            if agent in who.agents:
                await turn(agent)
            else:
                with pytest.raises(openai.NotFoundError) as hidden:
                    await completion(client, agent)
                assert hidden.value.code == unknown.value.code == "model_not_found"
                assert same_answer(hidden.value, unknown.value, agent, UNKNOWN_AGENT)

        with pytest.raises(openai.NotFoundError) as unknown_id:
            await completion(client, "assistant", UNKNOWN_ID)
        for other in world.others(who):
            if who.admin:
                with pytest.raises(openai.PermissionDeniedError) as refused:
                    await completion(client, other.agent, other.id)
                assert refused.value.body == {
                    "message": refused_continuation(other.id), "type": "invalid_request_error", "param": None,
                    "code": "forbidden",
                }  # fmt: skip
            else:
                with pytest.raises(openai.NotFoundError) as theirs:
                    await completion(client, "assistant", other.id)
                assert same_answer(theirs.value, unknown_id.value, other.id, UNKNOWN_ID)
        own = world.seeds[label]
        assert await turn(own.agent, own.id) == own.id


# MCP: agent_<name> tools on /mcp, and /mcp/agents/<name>
@pytest.mark.parametrize("label", CALLERS)
async def test_mcp_agent_tools_and_agent_endpoints(world: World, served: Served, label: str) -> None:
    who = world.callers[label]

    async def turn(agent: str, conversation_id: str | None = None) -> str:
        steps: list[str] = []

        async def on_progress(_done: float, _total: float | None, message: str | None) -> None:
            steps.append(message or "")

        arguments = {"message": QUESTION, **({"conversation_id": conversation_id} if conversation_id else {})}
        result = await client.call_tool(f"agent_{agent}", arguments, progress_callback=on_progress)
        assert not result.is_error and result.structured_content is not None, (who.label, agent, result.content)
        assert result.structured_content["answer"] == ANSWER
        conversation: str = result.structured_content["conversation_id"]
        [step] = steps
        execution = MCP_STEP.fullmatch(step)
        assert execution is not None, step
        served.assert_ran_as(who, execution[1], conversation)
        world.register(who, conversation, agent)
        return conversation

    async def refused(agent: str, conversation_id: str) -> str:
        result = await client.call_tool(f"agent_{agent}", {"message": QUESTION, "conversation_id": conversation_id})
        assert result.is_error, (who.label, conversation_id)
        return "".join(getattr(block, "text", "") for block in result.content)

    async with mcp_http_client(f"{served.base}/mcp", who.token) as client:
        listed = {t.name: (t.meta or {}).get("bifrost/agent") for t in (await client.list_tools()).tools}
        assert listed == dict.fromkeys(who.tools) | {f"agent_{agent}": agent for agent in who.agents}
        with pytest.raises(MCPError) as unknown:
            await client.call_tool(f"agent_{UNKNOWN_AGENT}", {"message": QUESTION})
        for agent in sorted(AGENTS):
            if agent in who.agents:
                await turn(agent)
            else:
                with pytest.raises(MCPError) as hidden:
                    await client.call_tool(f"agent_{agent}", {"message": QUESTION})
                assert hidden.value.error.code == unknown.value.error.code
                assert same_answer(hidden.value, unknown.value, agent, UNKNOWN_AGENT)

        unknown_id = await refused("assistant", UNKNOWN_ID)
        for other in world.others(who):
            if who.admin:
                assert await refused(other.agent, other.id) == refused_continuation(other.id)
            else:
                assert same_answer(await refused("assistant", other.id), unknown_id, other.id, UNKNOWN_ID)
        own = world.seeds[label]
        assert await turn(own.agent, own.id) == own.id

    # /mcp/agents/<name>: the agent's tools the caller may run, for an agent they may chat with; else 404
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {who.token}"}) as http:
        list_tools = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        accept = {"Accept": "application/json, text/event-stream"}
        unknown_endpoint = await http.post(f"{served.base}/mcp/agents/{UNKNOWN_AGENT}", json=list_tools, headers=accept)
        assert unknown_endpoint.status_code == 404
        for agent in sorted(AGENTS):
            url = f"{served.base}/mcp/agents/{agent}"
            if agent in who.agents:
                async with mcp_http_client(url, who.token) as endpoint:
                    names = {t.name for t in (await endpoint.list_tools()).tools}
                assert names == (who.tools if agent == "assistant" else {"whoami"}), (who.label, agent)
            else:
                hidden_endpoint = await http.post(url, json=list_tools, headers=accept)
                assert hidden_endpoint.status_code == 404
                assert same_answer(hidden_endpoint.text, unknown_endpoint.text, agent, UNKNOWN_AGENT)


# the terminal: bifrost-mcp chat --message --json, and bifrost-mcp conversations list --json
@pytest.mark.parametrize("label", CALLERS)
async def test_the_terminal_commands(world: World, served: Served, label: str) -> None:
    who = world.callers[label]
    cli = WorkspaceCli(world.data_dir, world.workspace, commands=chat_commands())

    async def chat(*args: str) -> Result:
        # the command runs its own event loop: on a worker thread, which carries this test's model override
        with override_model(model()):
            return await anyio.to_thread.run_sync(lambda: cli("chat", "--message", QUESTION, "--json", "--token",
                                                              who.token, *args))  # fmt: skip

    async def turn(agent: str, conversation_id: str | None = None) -> str:
        continued = ("--conversation", conversation_id) if conversation_id else ()
        result = await chat("--agent", agent, *continued)
        assert result.exit_code == 0, (who.label, agent, result.stderr)
        answered = json.loads(result.stdout)
        assert (answered["agent"], answered["answer"]) == (agent, ANSWER)
        [step] = answered["steps"]
        served.assert_ran_as(who, step["execution_id"], answered["conversation_id"])
        world.register(who, answered["conversation_id"], agent)
        return str(answered["conversation_id"])

    unknown = await chat("--agent", UNKNOWN_AGENT)
    assert unknown.exit_code == 1
    for agent in sorted(AGENTS):
        if agent in who.agents:
            await turn(agent)
        else:
            hidden = await chat("--agent", agent)
            assert hidden.exit_code == 1 and same_answer(hidden.stderr, unknown.stderr, agent, UNKNOWN_AGENT)

    listed = await anyio.to_thread.run_sync(
        lambda: cli.json("conversations", "list", "--token", who.token, "--limit", "1000", workspace=False)
    )
    assert {c["id"] for c in listed} == world.visible_to(who)
    unknown_id = await chat("--conversation", UNKNOWN_ID)
    assert unknown_id.exit_code == 1
    for other in world.others(who):
        theirs = await chat("--conversation", other.id)
        assert theirs.exit_code == 1
        if who.admin:
            assert theirs.stderr == f"error: {refused_continuation(other.id)}\n"
        else:
            assert same_answer(theirs.stderr, unknown_id.stderr, other.id, UNKNOWN_ID)
    own = world.seeds[label]
    assert await turn(own.agent, own.id) == own.id
