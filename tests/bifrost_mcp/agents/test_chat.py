"""Chat.turn: the one place every chat front end goes through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bifrost.errors import NotFoundError, ValidationError
from bifrost.llm import ChatRequest, ToolCall
from bifrost.testing import FunctionModel, TestModel, override_model
from bifrost_mcp.agents.chat import Chat
from bifrost_mcp.agents.events import AgentEvent, TextDelta, ToolFinished
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import AssistantMessage, ToolResult, UserMessage
from bifrost_mcp.conversations.records import ToolCall as StoredCall
from tests.support.mcp import workspace_app

WORKSPACE = {
    "tickets.py": """
from bifrost import Agent, context, workflow


@workflow(is_tool=True)
async def lookup_ticket(ticket: str) -> dict:
    '''Look a ticket up.'''
    return {"ticket": ticket, "status": "open", "asked_by": context.email}


@workflow(is_tool=True, roles=["Technician"])
async def close_ticket(ticket: str) -> str:
    '''Close a ticket.'''
    return f"closed {ticket}"


helpdesk = Agent(
    "helpdesk",
    description="Service desk",
    instructions="You are the service desk of {org_name}.",
    tools=[lookup_ticket, close_ticket],
)
technicians = Agent("technicians", tools=["close_ticket"], roles=["Technician"])
librarian = Agent("librarian", instructions="Answer from the runbooks.", knowledge=["runbooks", "unfilled"])
""",
}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with workspace_app(tmp_path, WORKSPACE) as opened:
        yield opened


async def user(app: App, email: str, *, roles: tuple[str, ...] = ()) -> Caller:
    identity = app.host.identity
    org = await identity.create_org("Acme") if not await _has_org(app) else await identity.resolve_org("Acme")
    created = await identity.create_user(email, email.split("@")[0], org_id=org.id)
    for name in roles:
        role = await identity.create_role(org.id, name)
        await identity.assign_users(role.id, [created.id])
    return await app.host.callers.for_user(created.id)


async def _has_org(app: App) -> bool:
    return any(o.name == "Acme" for o in await app.host.identity.list_orgs())


async def test_a_turn_runs_the_tool_as_the_chatting_user_and_stores_every_step(app: App) -> None:
    ada = await user(app, "ada@acme.test")
    model = TestModel("Ticket T-1 is open.", tool_calls=[ToolCall("c1", "lookup_ticket", {"ticket": "T-1"})])
    events: list[AgentEvent] = []

    async def collect(event: AgentEvent) -> None:
        events.append(event)

    with override_model(model):
        turn = await Chat(app).turn(ada, "helpdesk", "Is T-1 open?", on_event=collect)

    assert turn.text == "Ticket T-1 is open."
    (outcome,) = turn.steps.values()
    record = await app.host.executions.get(outcome.execution_id or "")
    assert record is not None
    assert (record.workflow_name, record.executed_by, record.session_id) == (
        "lookup_ticket",
        ada.user_id,
        turn.conversation_id,
    )
    assert any(isinstance(e, ToolFinished) for e in events) and any(isinstance(e, TextDelta) for e in events)
    assert model.requests[0].system == "You are the service desk of Acme."
    conversation = await app.host.conversations.get(turn.conversation_id)
    assert conversation is not None and conversation.user_id == ada.user_id and conversation.agent == "helpdesk"
    assert [type(m) for m in conversation.messages] == [UserMessage, StoredCall, ToolResult, AssistantMessage]
    assert conversation.messages[1].execution_id == outcome.execution_id  # type: ignore[union-attr]


async def test_a_conversation_continues_with_its_history(app: App) -> None:
    ada = await user(app, "ada@acme.test")
    seen: list[ChatRequest] = []

    def reply(request: ChatRequest) -> str:
        seen.append(request)
        return f"answer {len(seen)}"

    with override_model(FunctionModel(reply)):
        first = await Chat(app).turn(ada, "helpdesk", "Hello")
        second = await Chat(app).turn(ada, "helpdesk", "And again", conversation_id=first.conversation_id)

    assert second.conversation_id == first.conversation_id
    assert [(m.role, m.content) for m in seen[1].messages] == [
        ("user", "Hello"),
        ("assistant", "answer 1"),
        ("user", "And again"),
    ]


async def test_the_agent_offers_only_the_tools_the_chatting_user_may_run(app: App) -> None:
    plain = await user(app, "plain@acme.test")
    tech = await user(app, "tech@acme.test", roles=("Technician",))
    for caller, expected in [(plain, ["lookup_ticket"]), (tech, ["close_ticket", "lookup_ticket"])]:
        model = TestModel("ok")
        with override_model(model):
            await Chat(app).turn(caller, "helpdesk", "What can you do?")
        assert sorted(t.name for t in model.requests[0].tools) == expected


async def test_a_hidden_agent_and_another_users_conversation_answer_like_unknown_ones(app: App) -> None:
    plain = await user(app, "plain@acme.test")
    tech = await user(app, "tech@acme.test", roles=("Technician",))
    with override_model(TestModel("ok")):
        techs = await Chat(app).turn(tech, "technicians", "hi")
        with pytest.raises(NotFoundError) as hidden:
            await Chat(app).turn(plain, "technicians", "hi")
        with pytest.raises(NotFoundError) as unknown:
            await Chat(app).turn(plain, "nobody", "hi")
        with pytest.raises(NotFoundError) as theirs:
            await Chat(app).turn(plain, "technicians", "hi", conversation_id=techs.conversation_id)
        with pytest.raises(NotFoundError) as missing:
            await Chat(app).turn(plain, "helpdesk", "hi", conversation_id="no-such-conversation")

    assert str(hidden.value).replace("technicians", "X") == str(unknown.value).replace("nobody", "X")
    assert "no agent named" in str(theirs.value)  # the agent is hidden from them before the conversation is looked up
    assert "not found" in str(missing.value)


async def test_an_empty_message_or_the_wrong_agent_for_a_conversation_says_what_to_do(app: App) -> None:
    ada = await user(app, "ada@acme.test")
    with override_model(TestModel("ok")):
        first = await Chat(app).turn(ada, "helpdesk", "hi")
        with pytest.raises(ValidationError, match="empty"):
            await Chat(app).turn(ada, "helpdesk", "   ")
        with pytest.raises(ValidationError, match="with agent 'helpdesk', not 'assistant'"):
            await Chat(app).turn(ada, "assistant", "hi", conversation_id=first.conversation_id)


async def test_an_agents_knowledge_is_searched_in_the_callers_organization_and_its_passages_reach_the_model(
    app: App,
) -> None:
    from bifrost_mcp.knowledge.view import KnowledgeView

    ada = await user(app, "ada@acme.test")
    other = await app.host.identity.create_org("Globex")
    own = KnowledgeView(app.host.knowledge, ada.scope)
    await own.store("To reset a printer, hold its power button for ten seconds.", "runbooks", "printer-reset", None)
    await own.store("Wi-Fi guests use the visitor network.", "runbooks", "guest-wifi", None)
    await KnowledgeView(app.host.knowledge, other.id).store("Globex printers: call Bob.", "runbooks", "globex", None)
    seen: list[ChatRequest] = []

    def reply(request: ChatRequest) -> str:
        seen.append(request)
        return "Hold the power button for ten seconds [printer-reset]."

    with override_model(FunctionModel(reply)):
        turn = await Chat(app).turn(ada, "librarian", "How do I reset the printer?")

    system = seen[0].system or ""
    assert system.startswith("Answer from the runbooks.")
    assert 'key="printer-reset"' in system and "hold its power button" in system
    assert "globex" not in system.lower()  # another organization's documents never reach this caller's model
    assert "printer-reset" in turn.text
