"""The agent loop: a model chats with a caller and calls the caller's workflows as tools.

Above the App (tools run through App.run and its gate), below the entry points that hold conversations.
"""

from bifrost_mcp.agents.budget import DEFAULT_CONTEXT_BUDGET_CHARS
from bifrost_mcp.agents.events import (
    AgentEvent,
    ApprovalDecided,
    ApprovalRequested,
    HistoryTrimmed,
    OnEvent,
    StepLimit,
    TextDelta,
    ToolFinished,
    ToolStarted,
    Usage,
)
from bifrost_mcp.agents.loop import TurnResult, run_turn
from bifrost_mcp.agents.model import agent_model
from bifrost_mcp.agents.tools import AgentTool, ToolOutcome, WorkflowTool, workflow_tool, workflow_tools

__all__ = [
    "DEFAULT_CONTEXT_BUDGET_CHARS",
    "AgentEvent",
    "AgentTool",
    "ApprovalDecided",
    "ApprovalRequested",
    "HistoryTrimmed",
    "OnEvent",
    "StepLimit",
    "TextDelta",
    "ToolFinished",
    "ToolOutcome",
    "ToolStarted",
    "TurnResult",
    "Usage",
    "WorkflowTool",
    "agent_model",
    "run_turn",
    "workflow_tool",
    "workflow_tools",
]
