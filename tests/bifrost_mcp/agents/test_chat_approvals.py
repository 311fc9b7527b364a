"""Approval before a dangerous action, through Chat: the real vendor SDKs against loopback, real workflows.

`disable_account` is `requires_approval=True`: the turn ends on it, and only the person's decision releases it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from bifrost.enums import ExecutionStatus
from bifrost.errors import NotFoundError, ValidationError
from bifrost_mcp.agents.approvals import NOT_RUN, PendingCall
from bifrost_mcp.agents.chat import Chat, ChatTurn
from bifrost_mcp.agents.events import AgentEvent, ApprovalDecided, ApprovalRequested, ToolFinished, ToolStarted
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Approval, AssistantMessage, ToolCall, UserMessage
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.errors import ConflictError
from tests.bifrost_mcp.agents.test_loop_with_vendors import tool_results
from tests.bifrost_mcp.agents.workflows import ALL, DISABLED, Signals
from tests.support.ai import Vendor
from tests.support.loopback import Reply, ToolUse
from tests.support.mcp import opened_app

ASK = "Ticket T-42 says dana left: disable her account and show me the ticket."
DISABLE = ToolUse("disable_account", {"account": "dana@acme.test"}, id="call_disable")
LOOKUP = ToolUse("get_ticket", {"id": "T-42"}, id="call_ticket")


@pytest.fixture
async def app(tmp_path: Path, vendor: Vendor) -> AsyncIterator[App]:
    Signals.reset()
    DISABLED.clear()
    async with opened_app(tmp_path / "data", functions=ALL, system_agents=True) as opened:
        config = ConfigStore(opened.host.db, opened.host.secrets)
        for key, value in vendor.settings.items():
            await config.set("GLOBAL", key, value, is_secret=key.endswith("api_key"))
        yield opened


async def member(app: App, email: str) -> Caller:
    org = await app.host.identity.resolve_org("Acme") if await app.host.identity.list_orgs() else None
    org = org or await app.host.identity.create_org("Acme")
    user = await app.host.identity.create_user(email, email.split("@")[0], org_id=org.id)
    return await app.host.callers.for_user(user.id)


class Events(list[AgentEvent]):
    async def __call__(self, event: AgentEvent) -> None:
        self.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self if isinstance(e, kind)]


async def held_turn(app: App, caller: Caller, vendor: Vendor, events: Events | None = None) -> ChatTurn:
    """The model asks for the ticket and the account at once: the ticket is read, the account waits."""
    vendor.server.push(Reply("On it.", tool_calls=[LOOKUP, DISABLE]))
    return await Chat(app).turn(caller, "assistant", ASK, on_event=events)


async def runs_of(app: App, workflow: str) -> list[Any]:
    return [r for r in await app.host.executions.query() if r.workflow_name == workflow]


async def test_the_turn_ends_on_the_held_call_with_the_others_run(app: App, vendor: Vendor) -> None:
    ada, events = await member(app, "ada@acme.test"), Events()

    turn = await held_turn(app, ada, vendor, events)

    assert turn.pending == [PendingCall("call_disable", "disable_account", {"account": "dana@acme.test"})]
    assert turn.text == "On it." and len(vendor.server.requests) == 1  # no model call while a call waits
    assert events.of(ApprovalRequested) == [
        ApprovalRequested("call_disable", "disable_account", {"account": "dana@acme.test"})
    ]
    assert [e.call_id for e in events.of(ToolStarted)] == ["call_ticket"]
    assert DISABLED == [] and await runs_of(app, "disable_account") == []
    conversation = await app.host.conversations.get(turn.conversation_id)
    assert conversation is not None
    kinds = [(m.kind, getattr(m, "status", getattr(m, "decision", None))) for m in conversation.messages]
    assert kinds == [
        ("user", None), ("assistant", None), ("tool_call", "completed"), ("tool_call", "awaiting_approval"),
        ("approval", "pending"), ("tool_result", None),
    ]  # fmt: skip
    assert "Runs only after the user approves" in next(
        t["description"] for t in _tools(vendor, vendor.server.requests[0].body) if t["name"] == "disable_account"
    )


async def test_an_approved_call_runs_once_with_the_exact_arguments_as_the_person(app: App, vendor: Vendor) -> None:
    ada, events = await member(app, "ada@acme.test"), Events()
    held = await held_turn(app, ada, vendor)
    vendor.server.push(Reply("Dana's account is disabled."))

    turn = await Chat(app).decide(ada, held.conversation_id, {"call_disable": "approved"}, on_event=events)

    assert turn.text == "Dana's account is disabled." and turn.pending == []
    assert DISABLED == ["dana@acme.test"]
    (run,) = await runs_of(app, "disable_account")
    assert (run.status, run.executed_by, run.session_id) == (
        ExecutionStatus.COMPLETED,
        ada.user_id,
        held.conversation_id,
    )
    assert run.input_data == {"account": "dana@acme.test"}
    assert events.of(ApprovalDecided) == [ApprovalDecided("call_disable", "disable_account", "approved")]
    assert [e.outcome.execution_id for e in events.of(ToolFinished)] == [run.id]
    # the model reads both results after its calls, in the order every provider requires
    assert [(i, t, e) for i, t, e in tool_results(vendor, vendor.server.requests[1].body)] == [
        ("call_ticket", json.dumps({"id": "T-42", "title": "Printer jammed on floor 2"}), False),
        ("call_disable", "Disabled dana@acme.test.", False),
    ]
    stored = await app.host.conversations.get(held.conversation_id)
    assert stored is not None
    approval = next(m for m in stored.messages if isinstance(m, Approval))
    assert (approval.decision, approval.decided_by, approval.name) == ("approved", ada.user_id, "disable_account")
    call = next(m for m in stored.messages if isinstance(m, ToolCall) and m.tool_call_id == "call_disable")
    assert (call.status, call.execution_id) == ("completed", run.id)
    assert isinstance(stored.messages[-1], AssistantMessage)


@pytest.mark.parametrize("reply", ["deny", "No."])
async def test_a_denied_call_never_runs_and_the_model_is_told(app: App, vendor: Vendor, reply: str) -> None:
    ada = await member(app, "ada@acme.test")
    held = await held_turn(app, ada, vendor)
    vendor.server.push(Reply("Understood, I left the account alone."))

    turn = await Chat(app).turn(ada, "assistant", reply, conversation_id=held.conversation_id)

    assert turn.text == "Understood, I left the account alone."
    assert DISABLED == [] and await runs_of(app, "disable_account") == []
    results = tool_results(vendor, vendor.server.requests[1].body)
    assert results[-1] == ("call_disable", NOT_RUN["denied"], False)
    assert reply not in json.dumps(vendor.server.requests[1].body)  # the decision is no user turn for the model
    stored = await app.host.conversations.get(held.conversation_id)
    assert stored is not None
    approval = next(m for m in stored.messages if isinstance(m, Approval))
    assert (approval.decision, approval.decided_by) == ("denied", ada.user_id)
    assert (
        next(m for m in stored.messages if isinstance(m, ToolCall) and m.name == "disable_account").status == "denied"
    )
    assert any(isinstance(m, UserMessage) and m.approval_reply and m.text == reply for m in stored.messages)


async def test_an_unanswered_call_never_runs_when_the_person_moves_on(app: App, vendor: Vendor) -> None:
    ada = await member(app, "ada@acme.test")
    held = await held_turn(app, ada, vendor)
    vendor.server.push(Reply("The printer ticket is T-42."))
    chat = Chat(app)

    await chat.turn(ada, "assistant", "Actually, which printer was it?", conversation_id=held.conversation_id)
    vendor.server.push(Reply("Still T-42."))
    await chat.turn(ada, "assistant", "And again?", conversation_id=held.conversation_id)

    assert DISABLED == [] and await runs_of(app, "disable_account") == []
    second, third = vendor.server.requests[1].body, vendor.server.requests[2].body
    assert tool_results(vendor, second)[-1] == ("call_disable", NOT_RUN["unanswered"], False)
    # rebuilt from the store on the next turn, the result still sits right after its call
    assert tool_results(vendor, third) == tool_results(vendor, second)
    stored = await app.host.conversations.get(held.conversation_id)
    assert stored is not None
    assert next(m for m in stored.messages if isinstance(m, Approval)).decision == "unanswered"


async def test_two_decisions_racing_run_the_call_once(app: App, vendor: Vendor) -> None:
    ada = await member(app, "ada@acme.test")
    held = await held_turn(app, ada, vendor)
    vendor.server.push(Reply("Disabled."), Reply("Disabled."))
    outcomes: list[object] = []

    async def decide() -> None:
        try:
            outcomes.append(await Chat(app).decide(ada, held.conversation_id, {"call_disable": "approved"}))
        except ConflictError as exc:
            outcomes.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(decide)
        tg.start_soon(decide)

    assert DISABLED == ["dana@acme.test"]
    assert sorted(type(o).__name__ for o in outcomes) == ["ChatTurn", "ConflictError"]


async def test_only_the_person_chatting_decides_and_only_calls_that_wait(app: App, vendor: Vendor) -> None:
    ada, bea = await member(app, "ada@acme.test"), await member(app, "bea@acme.test")
    held = await held_turn(app, ada, vendor)
    chat = Chat(app)

    with pytest.raises(NotFoundError, match=f"conversation '{held.conversation_id}' not found"):
        await chat.decide(bea, held.conversation_id, {"call_disable": "approved"})
    with pytest.raises(ValidationError, match="no call waiting for approval with id 'call_ticket'; waiting in this "
                       "conversation: 'call_disable'"):  # fmt: skip
        await chat.decide(ada, held.conversation_id, {"call_ticket": "approved"})
    with pytest.raises(ValidationError, match="a decision is one of approved, denied, unanswered"):
        await chat.decide(ada, held.conversation_id, {"call_disable": "maybe"})  # type: ignore[dict-item]

    assert DISABLED == []
    vendor.server.push(Reply("Done."))
    await chat.decide(ada, held.conversation_id, {"call_disable": "denied"})
    with pytest.raises(ValidationError, match="waiting in this conversation: none"):
        await chat.decide(ada, held.conversation_id, {"call_disable": "approved"})
    assert DISABLED == []


async def test_two_held_calls_wait_until_both_are_decided(app: App, vendor: Vendor) -> None:
    ada = await member(app, "ada@acme.test")
    second = ToolUse("disable_account", {"account": "eve@acme.test"}, id="call_eve")
    vendor.server.push(Reply(tool_calls=[DISABLE, second]))
    chat = Chat(app)
    held = await chat.turn(ada, "assistant", "Disable dana and eve.")

    first = await chat.decide(ada, held.conversation_id, {"call_disable": "approved"})

    assert first.pending == [PendingCall("call_eve", "disable_account", {"account": "eve@acme.test"})]
    assert first.text == "" and len(vendor.server.requests) == 1 and DISABLED == ["dana@acme.test"]
    vendor.server.push(Reply("Dana is disabled; eve is not."))
    done = await chat.decide(ada, held.conversation_id, {"call_eve": "denied"})
    assert done.text == "Dana is disabled; eve is not." and DISABLED == ["dana@acme.test"]
    assert [i for i, _, _ in tool_results(vendor, vendor.server.requests[1].body)] == ["call_disable", "call_eve"]


async def test_a_decision_on_a_call_that_changed_since_it_was_shown_is_refused(app: App, vendor: Vendor) -> None:
    ada = await member(app, "ada@acme.test")
    held = await held_turn(app, ada, vendor)
    other = PendingCall("call_disable", "disable_account", {"account": "eve@acme.test"})
    chat = Chat(app)

    with pytest.raises(ConflictError, match="call 'call_disable' changed since it was shown; decide it again"):
        await chat.decide(ada, held.conversation_id, {"call_disable": "approved"}, shown=[other])

    assert DISABLED == [] and await runs_of(app, "disable_account") == []
    vendor.server.push(Reply("Disabled."))
    await chat.decide(ada, held.conversation_id, {"call_disable": "approved"}, shown=held.pending)
    assert DISABLED == ["dana@acme.test"]


async def test_without_typed_decisions_an_approve_message_decides_nothing(app: App, vendor: Vendor) -> None:
    ada = await member(app, "ada@acme.test")
    held = await held_turn(app, ada, vendor)
    vendor.server.push(Reply("Approve what?"))

    turn = await Chat(app).turn(
        ada, "assistant", "approve", conversation_id=held.conversation_id, typed_decisions=False
    )

    assert turn.text == "Approve what?" and turn.pending == []
    assert DISABLED == [] and await runs_of(app, "disable_account") == []
    assert tool_results(vendor, vendor.server.requests[1].body)[-1] == ("call_disable", NOT_RUN["unanswered"], False)
    stored = await app.host.conversations.get(held.conversation_id)
    assert stored is not None
    assert next(m for m in stored.messages if isinstance(m, Approval)).decision == "unanswered"
    assert not any(isinstance(m, UserMessage) and m.approval_reply for m in stored.messages)


def _tools(vendor: Vendor, body: dict[str, Any]) -> list[dict[str, Any]]:
    if vendor.name == "anthropic":
        return [{"name": t["name"], "description": t.get("description", "")} for t in body["tools"]]
    return [t["function"] for t in body["tools"]]
