"""Finding the conversation a client's resent history continues: the caller's own, by their user messages in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bifrost_mcp.caller import Caller
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.conversations.matching import conversation_continued
from bifrost_mcp.conversations.records import AssistantMessage, Message, ToolCall, ToolResult, UserMessage
from bifrost_mcp.conversations.store import ConversationsStore
from bifrost_mcp.conversations.view import ConversationsView
from tests.support.callers import ORG_A, ORG_B, member, platform_admin
from tests.support.data_dir import opened_host

ALICE = member(ORG_A)
BOB = replace(member(ORG_A), user_id="bob", email="bob@org-a.test")  # Alice's colleague
ADMIN = platform_admin()
CLOCK = ManualClock()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ConversationsStore]:
    async with opened_host(tmp_path) as host:
        yield ConversationsStore(host.db, clock=CLOCK)  # a clock of our own: "most recent" must not be a tie


async def conversation(store: ConversationsStore, caller: Caller, *messages: Message, agent: str = "helpdesk") -> str:
    CLOCK.advance(1)
    conversations = ConversationsView(store, caller)
    started = await conversations.start(agent)
    if messages:
        await conversations.append(started.id, list(messages))
    return started.id


def turn(question: str, answer: str) -> list[Message]:
    return [UserMessage(text=question), AssistantMessage(text=answer)]


async def continued(store: ConversationsStore, caller: Caller, *user_texts: str, agent: str = "helpdesk") -> str | None:
    found = await conversation_continued(ConversationsView(store, caller), agent, user_texts)
    if found is not None:  # it comes whole, as the store reads it, for the turn to continue
        assert found == await store.get(found.id)
    return None if found is None else found.id


async def test_the_conversation_whose_user_messages_are_the_clients_in_order_continues(
    store: ConversationsStore,
) -> None:
    steps = [
        ToolCall(tool_call_id="c1", name="lookup", arguments={"id": 1}, status="completed"),
        ToolResult(tool_call_id="c1", text="open"),
    ]
    vpn = await conversation(store, ALICE, *turn("VPN down?", "Checking."), *steps, *turn("Still?", "Yes."))
    await conversation(store, ALICE, *turn("Printer?", "Jammed."))

    assert await continued(store, ALICE, "VPN down?", "Still?") == vpn
    assert await continued(store, ALICE, "Still?", "VPN down?") is None  # order matters
    assert await continued(store, ALICE, "VPN down?") is None  # a prefix is another conversation
    assert await continued(store, ALICE, "Still?") is None
    assert await continued(store, ALICE, "Earlier", "VPN down?", "Still?") is None
    assert await continued(store, ALICE, "VPN down?", "Still?", agent="billing") is None
    assert await continued(store, ALICE) is None


async def test_of_several_with_the_same_user_messages_the_most_recently_active_continues(
    store: ConversationsStore,
) -> None:
    first = await conversation(store, ALICE, *turn("Hello", "Hi"))
    second = await conversation(store, ALICE, *turn("Hello", "Hi there"))
    assert await continued(store, ALICE, "Hello") == second

    CLOCK.advance(1)
    await ConversationsView(store, ALICE).append(first, [AssistantMessage(text="Anything else?")])
    assert await continued(store, ALICE, "Hello") == first


async def test_another_users_conversation_never_matches_not_even_for_a_platform_admin(
    store: ConversationsStore,
) -> None:
    alices = await conversation(store, ALICE, *turn("Reset my password", "Done."))
    admins_own = await conversation(store, ADMIN, *turn("Reset my password", "Done."))

    assert await continued(store, BOB, "Reset my password") is None
    assert await continued(store, member(ORG_B), "Reset my password") is None
    # an admin may read Alice's conversation, but only its owner continues it
    assert await continued(store, ADMIN, "Reset my password") == admins_own
    assert await continued(store, ADMIN.acting_in(ORG_A), "Reset my password") is None
    assert await continued(store, ALICE, "Reset my password") == alices


async def test_a_conversation_continues_only_in_the_scope_it_was_held_in(store: ConversationsStore) -> None:
    in_b = await conversation(store, ADMIN.acting_in(ORG_B), *turn("Which devices?", "Three."))

    assert await continued(store, ADMIN, "Which devices?") is None
    assert await continued(store, ADMIN.acting_in(ORG_A), "Which devices?") is None
    assert await continued(store, ADMIN.acting_in(ORG_B), "Which devices?") == in_b
