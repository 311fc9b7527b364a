"""`bifrost-mcp conversations list|show|delete`, invoked in-process against a temp data dir."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest

from bifrost_mcp.cli.conversations import conversations
from bifrost_mcp.conversations.records import Approval, AssistantMessage, ToolCall, ToolResult, UserMessage
from bifrost_mcp.conversations.view import ConversationsView
from tests.support.cli import DataCli, WorkspaceCli
from tests.support.data_dir import opened_host

DECIDED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@dataclass
class Seeded:
    cli: DataCli
    alice_token: str
    alice_id: str
    alices: str  # Alice's conversation, in Acme
    owners: str  # the owner's own, in GLOBAL


async def seed(data_dir: Path) -> Seeded:
    async with opened_host(data_dir) as host:
        acme = await host.identity.create_org("Acme")
        alice = await host.identity.create_user("alice@acme.test", "Alice", org_id=acme.id)
        token = (await host.credentials.create_token(alice.id)).token
        as_alice = ConversationsView(host.conversations, await host.callers.for_user(alice.id))
        chat = await as_alice.start("helpdesk", "VPN for Ada")
        await as_alice.append(
            chat.id,
            [
                UserMessage(text="Reset the VPN for Ada"),
                ToolCall(tool_call_id="call-1", name="reset_vpn", arguments={"user": "ada"},
                         execution_id="exec-42", status="Completed"),
                Approval(tool_call_id="call-1", arguments={"user": "ada"}, decision="approved",
                         decided_by=alice.id, decided_at=DECIDED_AT),
                ToolResult(tool_call_id="call-1", text="VPN reset\nsession closed"),
                AssistantMessage(text="Done: Ada's VPN is reset."),
            ],
            input_tokens=120,
            output_tokens=30,
        )  # fmt: skip
        owners = await ConversationsView(host.conversations, await host.callers.owner()).start("ops")
        return Seeded(DataCli(data_dir, conversations), token, alice.id, chat.id, owners.id)


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return anyio.run(seed, tmp_path / "data")


def test_the_owner_lists_every_conversation_and_an_org_lists_its_own(seeded: Seeded) -> None:
    listed = seeded.cli.json("list")
    assert [c["id"] for c in listed] == [seeded.owners, seeded.alices]
    assert listed[1]["title"] == "VPN for Ada" and listed[1]["message_count"] == 5 and listed[1]["messages"] == []
    assert [c["id"] for c in seeded.cli.json("list", "--org", "Acme")] == [seeded.alices]
    assert [c["id"] for c in seeded.cli.json("list", "--limit", "1", "--offset", "1")] == [seeded.alices]
    text = seeded.cli.ok("list")
    assert text.splitlines()[0].split() == ["ID", "TITLE", "AGENT", "USER", "MESSAGES", "UPDATED"]
    assert "VPN for Ada" in text and "(untitled)" in text


def test_a_token_lists_only_its_users_conversations(seeded: Seeded) -> None:
    assert [c["id"] for c in seeded.cli.json("list", "--token", seeded.alice_token)] == [seeded.alices]


def test_show_prints_the_transcript_with_tool_steps_and_decisions(seeded: Seeded) -> None:
    text = seeded.cli.ok("show", seeded.alices, "--token", seeded.alice_token)
    assert "  tokens:    120 in, 30 out" in text
    steps = text.split("  messages:\n")[1].splitlines()
    assert steps == [
        "       1 user         Reset the VPN for Ada",
        '       2 tool call    reset_vpn {"user": "ada"} [call-1] execution exec-42 (Completed)',
        f'       3 approval     approved by {seeded.alice_id} at 2026-12-01T09:30:00+00:00 [call-1] {{"user": "ada"}}',
        "       4 tool result  [call-1] VPN reset",
        "                      session closed",
        "       5 assistant    Done: Ada's VPN is reset.",
    ]


def test_show_json_is_the_stored_records(seeded: Seeded) -> None:
    shown = seeded.cli.json("show", seeded.alices)
    assert (shown["id"], shown["agent"], shown["input_tokens"], shown["output_tokens"]) == (
        seeded.alices, "helpdesk", 120, 30,
    )  # fmt: skip
    assert [m["kind"] for m in shown["messages"]] == ["user", "tool_call", "approval", "tool_result", "assistant"]
    assert shown["messages"][1]["execution_id"] == "exec-42"
    assert shown["messages"][2] | {"created_at": None} == {
        "kind": "approval", "seq": 3, "created_at": None, "tool_call_id": "call-1", "name": "",
        "arguments": {"user": "ada"}, "decision": "approved", "decided_by": seeded.alice_id,
        "decided_at": "2026-12-01T09:30:00Z",
    }  # fmt: skip


def test_another_users_conversation_fails_exactly_like_an_unknown_id(seeded: Seeded) -> None:
    theirs = seeded.cli.fails("show", seeded.owners, "--token", seeded.alice_token)
    unknown = seeded.cli.fails("show", "no-such-id", "--token", seeded.alice_token)
    assert theirs == f"error: conversation {seeded.owners!r} not found\n"
    assert unknown == "error: conversation 'no-such-id' not found\n"
    assert seeded.cli.fails("delete", seeded.owners, "--token", seeded.alice_token) == theirs
    assert [c["id"] for c in seeded.cli.json("list")] == [seeded.owners, seeded.alices]


def test_only_platform_admins_may_name_another_org(seeded: Seeded) -> None:
    refused = seeded.cli.fails("list", "--token", seeded.alice_token, "--org", "Acme")
    assert "only platform admins may act in another organization's scope" in refused


def test_delete_removes_the_conversation_for_good(seeded: Seeded) -> None:
    assert seeded.cli.json("delete", seeded.alices, "--token", seeded.alice_token) == {
        "id": seeded.alices, "deleted": True,
    }  # fmt: skip
    assert seeded.cli.fails("show", seeded.alices) == f"error: conversation {seeded.alices!r} not found\n"
    assert seeded.cli.ok("delete", seeded.owners) == f"deleted conversation {seeded.owners}\n"
    assert seeded.cli.ok("list") == "(none)\n"


def test_the_group_is_part_of_the_bifrost_mcp_command(tmp_path: Path) -> None:
    assert WorkspaceCli(tmp_path / "data").json("conversations", "list", workspace=False) == []
