"""The tools an agent may call: workflows run through the App's gate as the chatting caller.

A workflow tool is the same run an MCP tools/call makes (same gate, ExecutionContext, redaction and execution
record), with the record's session_id set to the conversation's id so its runs can be listed together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bifrost.llm import ToolDefinition
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.runner.rendering import outcome_text
from bifrost_mcp.workspace import RegisteredWorkflow
from bifrost_mcp.workspace.registry import tool_name_for


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What goes back to the model: `text` (redacted), whether it is an error to repair, and the run's id."""

    text: str
    is_error: bool = False
    execution_id: str | None = None


class AgentTool(Protocol):
    """A tool the agent loop can offer the model and call."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def input_schema(self) -> dict[str, Any]: ...

    @property
    def requires_approval(self) -> bool:
        """The loop holds such a call until the chatting person approves its exact arguments."""
        ...

    async def call(self, arguments: Mapping[str, Any]) -> ToolOutcome: ...


def definition(tool: AgentTool) -> ToolDefinition:
    return ToolDefinition(tool.name, tool.description, tool.input_schema)


@dataclass(frozen=True, slots=True)
class WorkflowTool:
    app: App
    entry: RegisteredWorkflow
    caller: Caller
    session_id: str | None

    @property
    def name(self) -> str:
        return self.entry.tool_name or tool_name_for(self.entry.name)  # providers accept [a-z0-9_] names

    @property
    def description(self) -> str:
        described = self.entry.spec.description or f"Runs the workflow {self.entry.spec.name!r}."
        if self.requires_approval:  # so the model tells the person why the call waits, instead of retrying it
            return f"{described} Runs only after the user approves the exact arguments."
        return described

    @property
    def input_schema(self) -> dict[str, Any]:
        return self.entry.signature.input_schema

    @property
    def requires_approval(self) -> bool:
        return self.entry.spec.requires_approval

    async def call(self, arguments: Mapping[str, Any]) -> ToolOutcome:
        """Never raises for a failed run: the failure is an error outcome the model can read and repair."""
        outcome = await self.app.run(self.entry, arguments, self.caller, session_id=self.session_id, trigger="agent")
        text, is_error = outcome_text(outcome)
        return ToolOutcome(text, is_error, outcome.execution_id)


def workflow_tool(app: App, entry: RegisteredWorkflow, caller: Caller, *, session_id: str | None) -> WorkflowTool:
    """`entry` as a tool run by `caller`; App.run checks the gate again on every call."""
    return WorkflowTool(app, entry, caller, session_id)


def workflow_tools(app: App, caller: Caller, *, session_id: str | None) -> list[WorkflowTool]:
    """Every MCP tool `caller` may use, as agent tools. Build them per turn: the registry reloads."""
    return [workflow_tool(app, entry, caller, session_id=session_id) for entry in app.visible_tools(caller)]
