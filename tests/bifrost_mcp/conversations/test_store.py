"""The conversations store over a real SQLite data dir: order, usage, paging, restarts, deletion."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bifrost.errors import NotFoundError, ValidationError
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.conversations.records import (
    Approval,
    AssistantMessage,
    Conversation,
    Message,
    ToolCall,
    ToolResult,
    UserMessage,
)
from bifrost_mcp.errors import ConflictError
from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings
from tests.support.data_dir import db_rows, files_containing

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def transcript() -> list[Message]:
    return [
        UserMessage(text="Reset the VPN for Ada"),
        ToolCall(tool_call_id="call-1", name="reset_vpn", arguments={"user": "ada"}, status="pending"),
        Approval(tool_call_id="call-1", arguments={"user": "ada"}, decision="pending"),
        ToolResult(tool_call_id="call-1", text="VPN reset", is_error=False),
        AssistantMessage(text="Done: Ada's VPN is reset."),
    ]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def host(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Host]:
    async with Host.opened(HostSettings(data_dir=tmp_path), clock) as opened:
        yield opened


async def test_a_conversation_starts_with_its_first_messages_in_one_step(host: Host) -> None:
    first = [UserMessage(text="Earlier question"), AssistantMessage(text="Earlier answer"), UserMessage(text="Now?")]

    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk", messages=first)
    more = await host.conversations.append(started.id, [AssistantMessage(text="Now.")])
    stored = await host.conversations.get(started.id)

    assert [(m.seq, m.created_at) for m in started.messages] == [(1, START), (2, START), (3, START)]
    assert started.message_count == 3 and more[0].seq == 4
    assert stored is not None and stored.messages == [*started.messages, *more]


async def test_messages_of_every_kind_come_back_in_order_after_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    async with Host.opened(HostSettings(data_dir=tmp_path), clock) as host:
        started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk", title="VPN")
        stored = await host.conversations.append(started.id, transcript(), input_tokens=120, output_tokens=30)
    assert [m.seq for m in stored] == [1, 2, 3, 4, 5]
    async with Host.opened(HostSettings(data_dir=tmp_path), clock) as host:
        reopened = await host.conversations.get(started.id)
    assert reopened is not None
    assert [m.model_copy(update={"seq": 0, "created_at": None}) for m in reopened.messages] == transcript()
    assert reopened.messages == stored
    assert (reopened.title, reopened.agent, reopened.user_id, reopened.scope) == ("VPN", "helpdesk", "u1", "org-a")
    assert (reopened.input_tokens, reopened.output_tokens, reopened.message_count) == (120, 30, 5)
    assert reopened.org_id == "org-a"


async def test_a_conversation_survives_a_json_round_trip_with_its_message_kinds(host: Host) -> None:
    started = await host.conversations.create(user_id="u1", scope="GLOBAL", agent="helpdesk")
    await host.conversations.append(started.id, transcript())
    full = await host.conversations.get(started.id)
    assert full is not None and full.org_id is None
    again = Conversation.model_validate_json(full.model_dump_json())
    assert again == full
    assert [m.kind for m in again.messages] == ["user", "tool_call", "approval", "tool_result", "assistant"]


async def test_appending_moves_updated_at_and_adds_to_the_usage_totals(host: Host, clock: ManualClock) -> None:
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    clock.advance(60)
    await host.conversations.append(started.id, [UserMessage(text="hi")], input_tokens=10, output_tokens=2)
    clock.advance(60)
    [reply] = await host.conversations.append(started.id, [AssistantMessage(text="hello")], input_tokens=5)
    found = await host.conversations.get(started.id, with_messages=False)
    assert found is not None and found.messages == []
    assert found.created_at == START
    assert found.updated_at == reply.created_at == datetime(2026, 12, 1, 9, 2, tzinfo=UTC)
    assert (found.input_tokens, found.output_tokens, found.message_count) == (15, 2, 2)


async def test_concurrent_appends_get_distinct_positions_and_every_token_is_counted(host: Host) -> None:
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    await asyncio.gather(
        *(host.conversations.append(started.id, [UserMessage(text=f"m{n}")] * 2, input_tokens=1) for n in range(20))
    )
    found = await host.conversations.get(started.id)
    assert found is not None
    assert [m.seq for m in found.messages] == list(range(1, 41))
    assert (found.input_tokens, found.message_count) == (20, 40)


async def test_appending_to_an_unknown_conversation_is_not_found_and_writes_nothing(host: Host) -> None:
    with pytest.raises(NotFoundError, match="conversation 'nope' not found"):
        await host.conversations.append("nope", [UserMessage(text="hi")])
    assert db_rows(host.settings.data_dir, "SELECT * FROM conversation_messages") == []
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    with pytest.raises(ValidationError, match="must not be negative"):
        await host.conversations.append(started.id, [UserMessage(text="hi")], input_tokens=-1)


async def test_the_list_is_most_recently_active_first_paged_and_filtered(host: Host, clock: ManualClock) -> None:
    ids = []
    for n in range(5):
        clock.advance(1)
        ids.append((await host.conversations.create(user_id=f"u{n % 2}", scope="org-a", agent="a")).id)
    other = await host.conversations.create(user_id="u0", scope="org-b", agent="a")
    clock.advance(1)
    await host.conversations.append(ids[0], [UserMessage(text="back to the first")])
    listed = [c.id for c in await host.conversations.list(scope="org-a")]
    assert listed == [ids[0], ids[4], ids[3], ids[2], ids[1]]
    assert [c.id for c in await host.conversations.list(scope="org-a", limit=2, offset=2)] == [ids[3], ids[2]]
    assert [c.id for c in await host.conversations.list(scope="org-a", user_id="u1")] == [ids[3], ids[1]]
    assert [c.id for c in await host.conversations.list()][:2] == [ids[0], other.id]


async def test_renaming_keeps_the_activity_time_and_a_missing_id_says_false(host: Host, clock: ManualClock) -> None:
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    clock.advance(30)
    assert await host.conversations.set_title(started.id, "Printer") is True
    found = await host.conversations.get(started.id)
    assert found is not None and (found.title, found.updated_at) == ("Printer", START)
    assert await host.conversations.set_title("nope", "x") is False


async def test_a_decision_replaces_the_pending_approval_in_place(host: Host, clock: ManualClock) -> None:
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    stored = await host.conversations.append(started.id, transcript())
    clock.advance(5)
    pending = stored[2]
    assert isinstance(pending, Approval)
    decided = pending.model_copy(update={"decision": "approved", "decided_by": "u1", "decided_at": clock.now()})
    assert await host.conversations.replace(started.id, decided) == decided
    found = await host.conversations.get(started.id)
    assert found is not None and found.messages[2] == decided and found.updated_at == clock.now()
    with pytest.raises(ValidationError, match="message 2 is a tool_call, not a approval"):
        await host.conversations.replace(started.id, decided.model_copy(update={"seq": 2}))
    with pytest.raises(NotFoundError, match="has no message 9"):
        await host.conversations.replace(started.id, decided.model_copy(update={"seq": 9}))


async def test_a_replace_conditioned_on_the_old_message_fails_once_it_changed(host: Host) -> None:
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    pending = (await host.conversations.append(started.id, transcript()))[2]
    assert isinstance(pending, Approval)
    approved = pending.model_copy(update={"decision": "approved", "decided_by": "u1"})
    denied = pending.model_copy(update={"decision": "denied", "decided_by": "u2"})

    assert await host.conversations.replace(started.id, approved, expected=pending) == approved
    with pytest.raises(ConflictError, match=f"message 3 of conversation '{started.id}' changed meanwhile"):
        await host.conversations.replace(started.id, denied, expected=pending)
    found = await host.conversations.get(started.id)
    assert found is not None and found.messages[2] == approved


async def test_deleting_removes_the_conversation_and_its_messages_for_good(host: Host) -> None:
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    await host.conversations.append(started.id, transcript())
    assert await host.conversations.delete(started.id) is True
    assert await host.conversations.get(started.id) is None
    assert db_rows(host.settings.data_dir, "SELECT * FROM conversation_messages") == []
    assert await host.conversations.delete(started.id) is False


async def test_the_host_never_logs_message_contents(host: Host, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    started = await host.conversations.create(user_id="u1", scope="org-a", agent="helpdesk")
    await host.conversations.append(started.id, [UserMessage(text="my password is hunter2-secret")])
    await host.conversations.get(started.id)
    # aiosqlite's DEBUG lines carry statement parameters; the server's handler (logs.py) lets other libraries
    # through only from WARNING up, so what the host itself logs is what could ever be seen.
    assert [r for r in caplog.records if r.name.startswith("bifrost") and "hunter2" in r.getMessage()] == []
    assert files_containing(host.settings.data_dir, "hunter2-secret")  # stored as given: the loop redacts before
