"""Approval over MCP: a workspace with a workflow that requires approval, and the person behind an MCP client.

`Person` is the client's elicitation callback: it answers every confirmation as the test says and keeps what
it was shown. A client built without one declares no elicitation capability. `deleting_model` is the chat
model of the chat front ends' approval tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mcp_types as types
from mcp.client.session import ClientRequestContext

from bifrost.llm import ChatRequest, ChatResult, ToolCall
from bifrost.testing import FunctionModel
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller

WORKSPACE = {
    "accounts.py": """
from bifrost import Agent, workflow


@workflow(is_tool=True, requires_approval=True)
async def disable_account(account: str, reason: str = "left the company") -> str:
    '''Disable a user account (locks the person out).'''
    return f"Disabled {account}: {reason}."


@workflow(is_tool=True)
async def lookup_account(account: str) -> dict:
    '''Look an account up.'''
    return {"account": account, "enabled": True}


helpdesk = Agent("helpdesk", description="Service desk", tools=[disable_account, lookup_account])
""",
}
DANA = {"account": "dana@acme.test", "reason": "left"}
APPROVE = types.ElicitResult(action="accept", content={"approve": True})
UNTICKED = types.ElicitResult(action="accept", content={"approve": False})
DECLINE = types.ElicitResult(action="decline")
CANCEL = types.ElicitResult(action="cancel")
SCHEMA = {
    "type": "object",
    "properties": {
        "approve": {
            "type": "boolean",
            "title": "Approve",
            "description": "Run it with exactly these arguments.",
            "default": False,
        }
    },
    "required": ["approve"],
}
DANA_QUESTION = (
    "disable_account requires your approval before it runs.\n"
    'Arguments:\n{\n  "account": "dana@acme.test",\n  "reason": "left"\n}\n'
    "Approve to run it with exactly these arguments; decline to leave it not run."
)
DECLINED = "disable_account was not run: the user declined to run it with these arguments."
NOT_ANSWERED = (
    "disable_account was not run: the user did not approve it (the confirmation was cancelled or not answered)."
)
CANNOT_ASK = (
    "disable_account was not run: the workflow 'disable_account' requires the user's approval of its exact "
    "arguments, and this MCP client cannot ask for it (it does not support elicitation). Use a client that "
    "supports elicitation, or a chat front end (the web chat at /chat, or `bifrost-mcp chat`), where the user "
    "can approve it."
)


@dataclass
class Person:
    """Answers each confirmation with `answers` in turn (the last one repeats) and records each question."""

    answers: list[types.ElicitResult]
    shown: list[types.ElicitRequestFormParams] = field(default_factory=list)

    async def __call__(self, _context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        assert isinstance(params, types.ElicitRequestFormParams), params
        self.shown.append(params)
        return self.answers[min(len(self.shown), len(self.answers)) - 1]

    @property
    def questions(self) -> list[str]:
        return [params.message for params in self.shown]


async def member(app: App, email: str) -> Caller:
    """A user of the organization Acme (created on first use), as a caller."""
    orgs = {o.name: o for o in await app.host.identity.list_orgs()}
    org = orgs.get("Acme") or await app.host.identity.create_org("Acme")
    user = await app.host.identity.create_user(email, email.split("@")[0], org_id=org.id)
    return await app.host.callers.for_user(user.id)


async def runs_of(app: App, workflow: str) -> list[Any]:
    return list(await app.host.executions.query(workflow_name=workflow))


def deleting_model(opening: str = "") -> FunctionModel:
    """Says `opening` and asks to delete T-7 (call id c<n> at the n-th message); once it has the result, repeats
    it; asked "What was that?", reads the earlier call's result back."""

    def reply(request: ChatRequest) -> ChatResult:
        last = request.messages[-1]
        if last.role == "tool":
            return ChatResult(text=f"Result: {last.content}")
        if last.content == "What was that?":
            return ChatResult(text=f"Result: {next(m.content for m in request.messages if m.role == 'tool')}")
        call = ToolCall(f"c{len(request.messages)}", "delete_ticket", {"ticket": "T-7"})
        return ChatResult(text=opening, tool_calls=(call,))

    return FunctionModel(reply)
