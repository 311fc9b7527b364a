"""One chat turn for one caller: the agent, the conversation, the model, the tools, the record.

Every place people chat (the terminal, the web page, the OpenAI-compatible API, MCP) calls `Chat.turn`, so
the gate, the conversation's ownership and the execution records are the same whichever way they came in.
A turn may end on calls held for approval (`ChatTurn.pending`); `Chat.decide`, or a next message of
"approve"/"deny", releases them (see `agents.approvals`), and any other next message leaves them unanswered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import get_args

from bifrost.errors import NotFoundError, ValidationError
from bifrost.llm import ChatMessage
from bifrost.llm import ToolCall as ModelToolCall
from bifrost_mcp.agents import transcript
from bifrost_mcp.agents.approvals import NOT_RUN, PendingCall, Waiting, decision_in, waiting_in
from bifrost_mcp.agents.events import AgentEvent, ApprovalDecided, ToolFinished
from bifrost_mcp.agents.loop import run_calls, run_turn
from bifrost_mcp.agents.model import agent_model
from bifrost_mcp.agents.tools import AgentTool, ToolOutcome, workflow_tool
from bifrost_mcp.ai.knowledge import with_knowledge
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import (
    AssistantMessage,
    Conversation,
    Decision,
    Message,
    ToolResult,
    UserMessage,
)
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.errors import ConflictError
from bifrost_mcp.workspace.registry import RegisteredAgent

KNOWLEDGE_PASSAGES = 5
TITLE_CHARS = 80


@dataclass(slots=True)
class ChatTurn:
    """What one turn produced.

    The answer, the tool steps (call id → outcome), the tokens it took, and the calls it ended on, waiting for
    the person's approval.
    """

    conversation_id: str
    agent: str
    text: str
    steps: dict[str, ToolOutcome] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    step_limit_reached: bool = False
    pending: list[PendingCall] = field(default_factory=list)


OnEvent = Callable[[AgentEvent], Awaitable[None]]


@dataclass(slots=True)
class _Run:
    """One request's state: who chats, in which conversation, and the outcomes its tool steps produced."""

    caller: Caller
    agent: RegisteredAgent
    conversations: ConversationsView
    conversation: Conversation
    on_event: OnEvent | None
    outcomes: dict[str, ToolOutcome] = field(default_factory=dict)

    async def observe(self, event: AgentEvent) -> None:
        if isinstance(event, ToolFinished):
            self.outcomes[event.call_id] = event.outcome
        if self.on_event is not None:
            await self.on_event(event)

    def turn(self, text: str = "", *, pending: list[PendingCall] | None = None) -> ChatTurn:
        return ChatTurn(self.conversation.id, self.agent.name, text, self.outcomes, pending=pending or [])


@dataclass(slots=True)
class StartedTurn:
    """A turn whose message is stored, for `Chat.answer` to run (once); `Chat.start` makes it."""

    run: _Run
    text: str
    waiting: list[Waiting]  # the calls of the conversation that waited for approval when the message came
    decision: Decision | None  # what the message decided about them, when it is an "approve" or "deny"

    @property
    def conversation_id(self) -> str:
        return self.run.conversation.id

    @property
    def agent(self) -> str:
        return self.run.agent.name


class Chat:
    def __init__(self, app: App) -> None:
        self.app = app

    async def turn(
        self,
        caller: Caller,
        agent_name: str,
        text: str,
        *,
        conversation_id: str | None = None,
        on_event: OnEvent | None = None,
        typed_decisions: bool = True,
    ) -> ChatTurn:
        """Answer `text` as the agent `agent_name`, in a new conversation or the caller's `conversation_id`.

        `typed_decisions=False` where the message may come from a model rather than the person (MCP): an
        "approve" then decides nothing, and calls waiting for approval are left unanswered as by any message.
        """
        started = await self.start(
            caller, agent_name, text, conversation_id=conversation_id, typed_decisions=typed_decisions
        )
        return await self.answer(started, on_event=on_event)

    async def start(
        self,
        caller: Caller,
        agent_name: str,
        text: str,
        *,
        conversation_id: str | None = None,
        continuing: Conversation | None = None,
        seed: Sequence[UserMessage | AssistantMessage] = (),
        typed_decisions: bool = True,
    ) -> StartedTurn:
        """`turn`'s first half: every check a caller can fail, then the message stored.

        The message is kept even if the turn fails or is cancelled. A front end that streams calls this before
        its response starts, so that those mistakes get a status of their own, then `answer` while it streams.

        `continuing`: instead of `conversation_id`, the conversation as the caller's view just read it (messages
        included), not to read it twice. `seed`: for a new conversation, earlier messages a client resent (the
        OpenAI-compatible API's history), stored before `text` in the same transaction, so that the model reads
        them and the transcript shows them.
        """
        if not text.strip():
            raise ValidationError("say something: the message is empty")
        agent = self._agent(caller, agent_name)
        conversations = ConversationsView(self.app.host.conversations, caller)
        if conversation_id is None and continuing is None:
            first = next((m.text for m in seed if isinstance(m, UserMessage)), text)
            title = " ".join(first.split())[:TITLE_CHARS]
            started = await conversations.start(agent.name, title=title, messages=[*seed, UserMessage(text=text)])
            earlier = started.model_copy(update={"messages": started.messages[:-1]})
            return StartedTurn(_Run(caller, agent, conversations, earlier, None), text, [], None)
        if seed:
            raise ValueError("seed messages start a new conversation only")
        if continuing is not None:
            conversation = self._same_agent(conversations.continuing(continuing), agent)
        else:
            assert conversation_id is not None
            conversation = self._same_agent(await conversations.get(conversation_id), agent)
        waiting = waiting_in(conversation.messages)
        decision = decision_in(text) if waiting and typed_decisions else None
        await conversations.append(conversation.id, [UserMessage(text=text, approval_reply=decision is not None)])
        return StartedTurn(_Run(caller, agent, conversations, conversation, None), text, waiting, decision)

    async def answer(self, started: StartedTurn, *, on_event: OnEvent | None = None) -> ChatTurn:
        """`turn`'s second half: the agent answers the message `start` stored, or goes on after its decision."""
        run, text, waiting = started.run, started.text, started.waiting
        run.on_event = on_event
        if started.decision is not None:
            decisions = dict.fromkeys((w.call.tool_call_id for w in waiting), started.decision)
            return await self._release(run, waiting, decisions)
        closed = await self._decide(run, waiting, dict.fromkeys((w.call.tool_call_id for w in waiting), "unanswered"))
        history = transcript.history([*run.conversation.messages, *closed, UserMessage(text=text)])
        return await self._answer(run, history, text)

    async def decide(
        self,
        caller: Caller,
        conversation_id: str,
        decisions: Mapping[str, Decision],
        *,
        on_event: OnEvent | None = None,
        shown: Sequence[PendingCall] | None = None,
    ) -> ChatTurn:
        """Decide calls of the caller's conversation that wait for approval.

        `decisions`: call id → approved, denied or unanswered. Once none waits, the agent goes on with their
        results. `shown`: the calls as the person saw them when deciding, for a front end that asked earlier
        (an MCP client's elicitation); a call waiting under one of their ids with other arguments is refused.
        """
        conversations = ConversationsView(self.app.host.conversations, caller)
        conversation = await conversations.get(conversation_id)
        agent = self._agent(caller, conversation.agent)
        waiting = waiting_in(conversation.messages)
        ids = [w.call.tool_call_id for w in waiting]
        unknown = sorted(set(decisions) - set(ids))
        if unknown or not decisions:
            problem = (
                f"no call waiting for approval with id {', '.join(map(repr, unknown))}" if unknown else "no decision"
            )
            raise ValidationError(f"{problem}; waiting in this conversation: {', '.join(map(repr, ids)) or 'none'}")
        wrong = {d for d in decisions.values() if d not in get_args(Decision)}
        if wrong:
            raise ValidationError(f"a decision is one of {', '.join(get_args(Decision))}, got {sorted(wrong)}")
        current = {w.call.tool_call_id: w.pending for w in waiting}
        changed = [p.call_id for p in shown or () if p.call_id in decisions and current[p.call_id] != p]
        if changed:  # decided elsewhere meanwhile, and the model asked again under the same id
            raise ConflictError(f"call {', '.join(map(repr, changed))} changed since it was shown; decide it again")
        run = _Run(caller, agent, conversations, conversation, on_event)
        return await self._release(run, waiting, decisions)

    async def _release(self, run: _Run, waiting: list[Waiting], decisions: Mapping[str, Decision]) -> ChatTurn:
        results = await self._decide(run, waiting, decisions)
        still = [w.pending for w in waiting if w.call.tool_call_id not in decisions]
        if still:  # the agent goes on once every held call of the step has its result
            return run.turn(pending=still)
        messages = run.conversation.messages
        question = next((m.text for m in reversed(messages) if isinstance(m, UserMessage) and not m.approval_reply), "")
        return await self._answer(run, transcript.history([*messages, *results]), question)

    async def _decide(self, run: _Run, waiting: list[Waiting], decisions: Mapping[str, Decision]) -> list[Message]:
        """Record each decision, run the approved calls, store every decided call's result; returns the results."""
        chosen = [w for w in waiting if w.call.tool_call_id in decisions]
        if not chosen:
            return []
        now = self.app.host.clock.now()
        for w in chosen:
            approval, _ = w.decided(decisions[w.call.tool_call_id], run.caller.user_id, now)
            # conditional: of two decisions racing, one wins and the other gets a ConflictError, never a second run
            await run.conversations.replace(run.conversation.id, approval, expected=w.approval)
            await run.observe(ApprovalDecided(w.call.tool_call_id, w.call.name, approval.decision))
        calls = {
            w.call.tool_call_id: ModelToolCall(w.call.tool_call_id, w.call.name, dict(w.call.arguments))
            for w in chosen
            if decisions[w.call.tool_call_id] == "approved"
        }
        ran = {m.tool_call_id: m for m in await run_calls(list(calls.values()), self._tools(run), run.observe)}
        results: list[Message] = []
        for w in chosen:
            call_id = w.call.tool_call_id
            decision, answer, outcome = decisions[call_id], ran.get(call_id), run.outcomes.get(call_id)
            if answer is not None:
                call = transcript.call_record(calls[call_id], outcome).model_copy(update={"seq": w.call.seq})
                result = ToolResult(tool_call_id=call_id, text=answer.content, is_error=answer.is_error)
            else:
                call = w.decided(decision, run.caller.user_id, now)[1]
                result = ToolResult(tool_call_id=call_id, text=NOT_RUN[decision])
            await run.conversations.replace(run.conversation.id, call)
            results.append(result)
        await run.conversations.append(run.conversation.id, results)
        return results

    async def _answer(self, run: _Run, history: list[ChatMessage], question: str) -> ChatTurn:
        """Run the model from `history` and store what it said and did."""
        caller, agent, conversation = run.caller, run.agent, run.conversation
        resolved = await agent_model(self.app.host, caller, agent.agent.model)
        result = await run_turn(
            resolved.chat_model,
            model_name=resolved.name,
            system=await self._system(caller, agent, conversation.id, question),
            history=history,
            tools=list(self._tools(run).values()),
            max_steps=agent.agent.max_steps,
            on_event=run.observe,
        )
        held = [call.id for call in result.pending]
        await run.conversations.append(
            conversation.id,
            transcript.records(result.messages, run.outcomes, held),
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
        )
        answered = run.turn(result.text, pending=[PendingCall(c.id, c.name, dict(c.arguments)) for c in result.pending])
        answered.input_tokens, answered.output_tokens = result.input_tokens, result.output_tokens
        answered.step_limit_reached = result.step_limit_reached
        return answered

    def _agent(self, caller: Caller, agent_name: str) -> RegisteredAgent:
        agent = self.app.find_agent(caller, agent_name)
        if agent is None:  # a hidden agent answers exactly like an unknown one
            raise NotFoundError(f"no agent named {agent_name!r}; see the agents you may use")
        return agent

    def _tools(self, run: _Run) -> dict[str, AgentTool]:
        # built per request: a tool holds its registry entry, which a hot reload replaces; the gate decides
        entries = self.app.agent_tools(run.caller, run.agent)
        tools = [workflow_tool(self.app, e, run.caller, session_id=run.conversation.id) for e in entries]
        return {tool.name: tool for tool in tools}

    def _same_agent(self, conversation: Conversation, agent: RegisteredAgent) -> Conversation:
        if conversation.agent != agent.name:
            raise ValidationError(
                f"conversation {conversation.id!r} is with agent {conversation.agent!r}, not {agent.name!r}: "
                "continue it with that agent, or start a new conversation"
            )
        return conversation

    async def _system(self, caller: Caller, agent: RegisteredAgent, conversation_id: str, text: str) -> str | None:
        system = agent.render_instructions(caller.execution_context(conversation_id)) or None
        namespaces = list(agent.agent.knowledge)
        if not namespaces:
            return system
        from bifrost_mcp.knowledge.view import KnowledgeView  # Chroma and the embedder load only for such agents

        view = KnowledgeView(self.app.host.knowledge, caller.scope)
        readable = {info.name for info in await view.list_namespaces()}
        wanted = [n for n in namespaces if n in readable]  # a namespace nobody has filled yet is no error
        if not wanted:
            return system
        passages = await view.search(text, wanted, KNOWLEDGE_PASSAGES, None, None, True)
        return with_knowledge(system, passages)
