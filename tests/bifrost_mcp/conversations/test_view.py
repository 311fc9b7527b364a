"""Conversations through the gate: two organizations, plain users, platform admins in GLOBAL and in an org."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bifrost.errors import AccessDenied, BifrostError, NotFoundError, ValidationError
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Approval, AssistantMessage, Conversation, UserMessage
from bifrost_mcp.conversations.store import ConversationsStore
from bifrost_mcp.conversations.view import ConversationsView
from tests.support.callers import ORG_A, ORG_B, member, platform_admin
from tests.support.data_dir import opened_host

ALICE = member(ORG_A)
BOB = replace(member(ORG_A), user_id="bob", email="bob@org-a.test")  # Alice's colleague
CAROL = member(ORG_B)
ADMIN = platform_admin()
ADMIN_IN_B = ADMIN.acting_in(ORG_B)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ConversationsStore]:
    async with opened_host(tmp_path) as host:
        yield host.conversations


def view(store: ConversationsStore, caller: Caller) -> ConversationsView:
    return ConversationsView(store, caller)


async def started(store: ConversationsStore, caller: Caller, title: str) -> Conversation:
    conversation = await view(store, caller).start("helpdesk", title)
    await view(store, caller).append(conversation.id, [UserMessage(text=f"{title} question")], input_tokens=3)
    return conversation


def every_operation(conversations: ConversationsView, conversation_id: str) -> list[Callable[[], Awaitable[Any]]]:
    return [
        lambda: conversations.get(conversation_id),
        lambda: conversations.append(conversation_id, [UserMessage(text="let me in")]),
        lambda: conversations.replace(conversation_id, UserMessage(seq=1, text="rewritten")),
        lambda: conversations.set_title(conversation_id, "mine now"),
        lambda: conversations.delete(conversation_id),
    ]


async def answer(operation: Callable[[], Awaitable[Any]]) -> tuple[type[BifrostError], str]:
    with pytest.raises(BifrostError) as raised:
        await operation()
    return type(raised.value), str(raised.value)


async def test_a_conversation_belongs_to_the_caller_and_the_scope_they_act_in(store: ConversationsStore) -> None:
    mine = await view(store, ALICE).start("helpdesk", "VPN")
    assert (mine.user_id, mine.scope, mine.agent, mine.title) == (ALICE.user_id, "org-a", "helpdesk", "VPN")
    in_b = await view(store, ADMIN_IN_B).start("helpdesk")
    assert (in_b.user_id, in_b.scope, in_b.org_id) == ("admin", "org-b", "org-b")


async def test_users_list_only_their_own_conversations_newest_first(store: ConversationsStore) -> None:
    first = await started(store, ALICE, "first")
    await started(store, BOB, "bob's")
    await started(store, CAROL, "carol's")
    second = await started(store, ALICE, "second")
    assert [c.id for c in await view(store, ALICE).list()] == [second.id, first.id]
    assert [c.title for c in await view(store, BOB).list()] == ["bob's"]
    assert [c.title for c in await view(store, CAROL).list()] == ["carol's"]
    assert [c.id for c in await view(store, ALICE).list(limit=1, offset=1)] == [first.id]


async def test_another_users_conversation_answers_exactly_like_an_unknown_id(store: ConversationsStore) -> None:
    alices = await started(store, ALICE, "private")
    for intruder in (BOB, CAROL, ADMIN_IN_B):
        for theirs, unknown in zip(
            every_operation(view(store, intruder), alices.id),
            every_operation(view(store, intruder), "no-such-id"),
            strict=True,
        ):
            kind, message = await answer(theirs)
            assert (kind, message) == (NotFoundError, f"conversation {alices.id!r} not found")
            assert await answer(unknown) == (NotFoundError, "conversation 'no-such-id' not found")
    shown = await view(store, ALICE).get(alices.id)
    assert [m.text for m in shown.messages if isinstance(m, UserMessage)] == ["private question"]
    assert shown.title == "private"


async def test_the_owner_continues_renames_decides_and_deletes(store: ConversationsStore) -> None:
    mine = await started(store, ALICE, "printer")
    alice = view(store, ALICE)
    [pending] = await alice.append(mine.id, [Approval(tool_call_id="c1", arguments={"printer": "p2"})], output_tokens=4)
    await alice.replace(mine.id, pending.model_copy(update={"decision": "denied", "decided_by": ALICE.user_id}))
    await alice.append(mine.id, [AssistantMessage(text="Not restarted.")])
    renamed = await alice.set_title(mine.id, "Printer p2")
    assert (renamed.title, renamed.input_tokens, renamed.output_tokens, renamed.message_count) == (
        "Printer p2",
        3,
        4,
        3,
    )
    decided = (await alice.get(mine.id)).messages[1]
    assert isinstance(decided, Approval) and (decided.decision, decided.decided_by) == ("denied", ALICE.user_id)
    await alice.delete(mine.id)
    assert await answer(lambda: alice.get(mine.id)) == (NotFoundError, f"conversation {mine.id!r} not found")


async def test_admins_read_and_delete_in_the_scope_they_act_in_but_never_continue(store: ConversationsStore) -> None:
    alices = await started(store, ALICE, "alice's")
    carols = await started(store, CAROL, "carol's")
    admins_own = await started(store, ADMIN, "admin's")
    assert {c.id for c in await view(store, ADMIN).list()} == {alices.id, carols.id, admins_own.id}
    assert [c.id for c in await view(store, ADMIN_IN_B).list()] == [carols.id]
    shown = await view(store, ADMIN_IN_B).get(carols.id)
    assert shown.messages[0] == (await view(store, CAROL).get(carols.id)).messages[0]
    for refused in every_operation(view(store, ADMIN), alices.id)[1:4]:
        kind, message = await answer(refused)
        assert kind is AccessDenied and "only its owner may continue it" in message
    await view(store, ADMIN).delete(alices.id)
    assert [c.id for c in await view(store, ALICE).list()] == []


async def test_bad_arguments_say_what_is_wrong(store: ConversationsStore) -> None:
    alice = view(store, ALICE)
    with pytest.raises(ValidationError, match="agent must be a non-empty string"):
        await alice.start("  ")
    with pytest.raises(ValidationError, match="limit must be 1 to 1000"):
        await alice.list(limit=0)
    with pytest.raises(ValidationError, match="offset 0 or more"):
        await alice.list(offset=-1)
    with pytest.raises(ValidationError, match="conversation_id must be a non-empty string"):
        await alice.get("")
