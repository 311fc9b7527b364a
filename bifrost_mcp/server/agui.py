"""The agent loop's events as AG-UI events, and a turn's end as AG-UI's run outcome.

Text between tool calls is one message per stretch. A call held for approval is announced like any call
(TOOL_CALL_START/ARGS/END, no result) and the run then finishes with AG-UI's interrupt outcome: one Interrupt
per held call, `reason` "tool_approval", answered by a next run whose `resume` entries carry
`{"approved": true|false}`.
"""

from __future__ import annotations

import json
import uuid

from ag_ui.core import (
    BaseEvent,
    CustomEvent,
    Interrupt,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    TokenUsage,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
)
from ag_ui.encoder import EventEncoder

from bifrost_mcp.agents.approvals import PendingCall
from bifrost_mcp.agents.chat import ChatTurn
from bifrost_mcp.agents.events import (
    AgentEvent,
    ApprovalDecided,
    ApprovalRequested,
    TextDelta,
    ToolFinished,
    ToolStarted,
    Usage,
)
from bifrost_mcp.server.api import Write

TOOL_STEP = "bifrost.tool_step"
USAGE = "bifrost.usage"
APPROVAL = "bifrost.approval"
APPROVAL_REASON = "tool_approval"
APPROVAL_SCHEMA = {
    "type": "object",
    "properties": {"approved": {"type": "boolean", "description": "Run the call with exactly these arguments"}},
    "required": ["approved"],
}


class Translation:
    """Writes each agent event as AG-UI events, and remembers the models that answered for the run's usage."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.encoder = EventEncoder()
        self.message_id: str | None = None
        self.models: set[str] = set()
        self.released: set[str] = set()  # calls announced by the run that ended on them

    async def emit(self, *events: BaseEvent) -> None:
        """Write `events` together: one write, and one read for the client, however many they are."""
        await self.write("".join(self.encoder.encode(event) for event in events))

    async def end_text(self) -> None:
        if self.message_id is not None:
            await self.emit(TextMessageEndEvent(message_id=self.message_id))
            self.message_id = None

    async def __call__(self, event: AgentEvent) -> None:
        if isinstance(event, TextDelta) and event.text:
            opening: list[BaseEvent] = []
            if self.message_id is None:
                self.message_id = uuid.uuid4().hex
                opening.append(TextMessageStartEvent(message_id=self.message_id, role="assistant"))
            await self.emit(*opening, TextMessageContentEvent(message_id=self.message_id, delta=event.text))
        elif isinstance(event, ToolStarted | ApprovalRequested):
            if event.call_id in self.released:
                return
            await self.end_text()
            await self.emit(
                ToolCallStartEvent(tool_call_id=event.call_id, tool_call_name=event.name),
                ToolCallArgsEvent(tool_call_id=event.call_id, delta=json.dumps(event.arguments)),
                ToolCallEndEvent(tool_call_id=event.call_id),
            )
        elif isinstance(event, ToolFinished):
            outcome = event.outcome
            step = {"toolCallId": event.call_id, "executionId": outcome.execution_id, "isError": outcome.is_error}
            await self.emit(
                ToolCallResultEvent(
                    message_id=uuid.uuid4().hex, tool_call_id=event.call_id, content=outcome.text, role="tool"
                ),
                CustomEvent(name=TOOL_STEP, value=step),
            )
        elif isinstance(event, ApprovalDecided):
            self.released.add(event.call_id)
            await self.emit(CustomEvent(name=APPROVAL, value={"toolCallId": event.call_id, "decision": event.decision}))
        elif isinstance(event, Usage) and event.model:
            self.models.add(event.model)

    async def finish(self, thread_id: str, run_id: str, turn: ChatTurn) -> None:
        """The turn's usage, then RUN_FINISHED: success, or the interrupts of the calls it ended on."""
        await self.end_text()
        usage = {
            "inputTokens": turn.input_tokens,
            "outputTokens": turn.output_tokens,
            "stepLimitReached": turn.step_limit_reached,
        }
        await self.emit(CustomEvent(name=USAGE, value=usage))
        tokens = TokenUsage(
            model=", ".join(sorted(self.models)) or None,
            input_tokens=turn.input_tokens,
            output_tokens=turn.output_tokens,
            total_tokens=turn.input_tokens + turn.output_tokens,
        )
        outcome = RunFinishedInterruptOutcome(interrupts=[interrupt(p) for p in turn.pending]) if turn.pending else None
        await self.emit(RunFinishedEvent(thread_id=thread_id, run_id=run_id, outcome=outcome, usage=[tokens]))


def interrupt(pending: PendingCall) -> Interrupt:
    arguments = json.dumps(pending.arguments, ensure_ascii=False, sort_keys=True)
    return Interrupt(
        id=pending.call_id,
        reason=APPROVAL_REASON,
        message=f"Run {pending.name} with {arguments}?",
        tool_call_id=pending.call_id,
        response_schema=APPROVAL_SCHEMA,
    )
