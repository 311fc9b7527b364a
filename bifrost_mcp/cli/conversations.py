"""conversations: chats with agents as the caller may see them (the owner by default, or --token's user)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, TokenOpt, emit, open_host, run, table
from bifrost_mcp.conversations.records import Conversation, Message
from bifrost_mcp.conversations.view import MAX_PAGE, ConversationsView

conversations = typer.Typer(name="conversations", help="Conversations with agents.", no_args_is_help=True)


@asynccontextmanager
async def _view(data_dir: Path | None, token: str | None, org: str | None) -> AsyncIterator[ConversationsView]:
    """The caller's view: the same gate as over MCP, so the CLI reaches no more than the caller could."""
    async with open_host(data_dir) as host:
        caller = await host.callers.resolve(token, org)
        yield ConversationsView(host.conversations, caller)


@conversations.command("list")
def list_(
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    org: OrgOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List conversations, most recently active first."""

    async def body() -> None:
        async with _view(data_dir, token, org) as view:
            found = await view.list(limit=limit, offset=offset)
            emit(
                found,
                as_json,
                lambda: table(
                    [[c.id, c.title or "(untitled)", c.agent, c.user_id, str(c.message_count),
                      c.updated_at.isoformat(timespec="seconds")] for c in found],
                    ["ID", "TITLE", "AGENT", "USER", "MESSAGES", "UPDATED"],
                ),
            )  # fmt: skip

    run(body)


@conversations.command("show")
def show(
    conversation_id: str,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One conversation's transcript: messages, tool steps with their executions, approvals."""

    async def body() -> None:
        async with _view(data_dir, token, org) as view:
            found = await view.get(conversation_id)
            emit(found, as_json, lambda: transcript(found))

    run(body)


@conversations.command("delete")
def delete(
    conversation_id: str,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete a conversation and its messages for good."""

    async def body() -> None:
        async with _view(data_dir, token, org) as view:
            await view.delete(conversation_id)
            emit({"id": conversation_id, "deleted": True}, as_json, f"deleted conversation {conversation_id}")

    run(body)


def transcript(conversation: Conversation) -> str:
    lines = [
        f"conversation {conversation.id}",
        f"  title:     {conversation.title or '(untitled)'}",
        f"  agent:     {conversation.agent}",
        f"  user:      {conversation.user_id} (scope {conversation.scope})",
        f"  created:   {conversation.created_at.isoformat()}",
        f"  updated:   {conversation.updated_at.isoformat()}",
        f"  tokens:    {conversation.input_tokens} in, {conversation.output_tokens} out",
        "  messages:",
    ]
    for message in conversation.messages:
        head, text = _step(message)
        body = text.splitlines() or [""]
        lines.append(f"    {message.seq:>4} {head:<12} {body[0]}".rstrip())
        lines += [f"{'':22}{line}".rstrip() for line in body[1:]]  # continuation lines under the first
    if not conversation.messages:
        lines.append("    (none)")
    return "\n".join(lines)


def _arguments(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, default=str, ensure_ascii=False)


def _step(message: Message) -> tuple[str, str]:
    """A message's label and text in the transcript."""
    if message.kind == "tool_call":
        execution = f" execution {message.execution_id}" if message.execution_id else ""
        return "tool call", (
            f"{message.name} {_arguments(message.arguments)} [{message.tool_call_id}]{execution} ({message.status})"
        )
    if message.kind == "tool_result":
        return ("tool error" if message.is_error else "tool result"), f"[{message.tool_call_id}] {message.text}"
    if message.kind == "approval":
        by = f" by {message.decided_by}" if message.decided_by else ""
        at = f" at {message.decided_at.isoformat()}" if message.decided_at else ""
        return "approval", f"{message.decision}{by}{at} [{message.tool_call_id}] {_arguments(message.arguments)}"
    return message.kind, message.text
