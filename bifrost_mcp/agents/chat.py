"""One chat turn for one caller: the agent, the conversation, the model, the tools, the record.

Every place people chat (the terminal, the web page, the OpenAI-compatible API, MCP) calls `Chat.turn`, so
the gate, the conversation's ownership and the execution records are the same whichever way they came in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bifrost.errors import NotFoundError, ValidationError
from bifrost.llm import ChatMessage
from bifrost_mcp.agents import transcript
from bifrost_mcp.agents.events import AgentEvent, ToolFinished
from bifrost_mcp.agents.loop import run_turn
from bifrost_mcp.agents.model import agent_model
from bifrost_mcp.agents.tools import ToolOutcome, workflow_tool
from bifrost_mcp.ai.knowledge import with_knowledge
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.conversations.records import Conversation, UserMessage
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.workspace.registry import RegisteredAgent

KNOWLEDGE_PASSAGES = 5
TITLE_CHARS = 80


@dataclass(slots=True)
class ChatTurn:
    """What one turn produced: the answer, the tool steps (call id → outcome), and the tokens it took."""

    conversation_id: str
    agent: str
    text: str
    steps: dict[str, ToolOutcome] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    step_limit_reached: bool = False


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
        on_event: Callable[[AgentEvent], Awaitable[None]] | None = None,
    ) -> ChatTurn:
        """Answer `text` as the agent `agent_name`, in a new conversation or the caller's `conversation_id`."""
        if not text.strip():
            raise ValidationError("say something: the message is empty")
        agent = self.app.find_agent(caller, agent_name)
        if agent is None:  # a hidden agent answers exactly like an unknown one
            raise NotFoundError(f"no agent named {agent_name!r}; see the agents you may use")
        conversations = ConversationsView(self.app.host.conversations, caller)
        conversation = await self._conversation(conversations, agent, text, conversation_id)
        # the question is kept even if the turn fails or is cancelled
        await conversations.append(conversation.id, [UserMessage(text=text)])
        outcomes: dict[str, ToolOutcome] = {}

        async def observe(event: AgentEvent) -> None:
            if isinstance(event, ToolFinished):
                outcomes[event.call_id] = event.outcome
            if on_event is not None:
                await on_event(event)

        resolved = await agent_model(self.app.host, caller, agent.agent.model)
        # built per turn: a tool holds its registry entry, which a hot reload replaces
        tools = [
            workflow_tool(self.app, e, caller, session_id=conversation.id) for e in self.app.agent_tools(caller, agent)
        ]
        result = await run_turn(
            resolved.chat_model,
            model_name=resolved.name,
            system=await self._system(caller, agent, conversation.id, text),
            history=[*transcript.history(conversation.messages), ChatMessage("user", text)],
            tools=tools,
            max_steps=agent.agent.max_steps,
            on_event=observe,
        )
        await conversations.append(
            conversation.id,
            transcript.records(result.messages, outcomes),
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
        )
        return ChatTurn(
            conversation.id,
            agent.name,
            result.text,
            outcomes,
            result.input_tokens,
            result.output_tokens,
            result.step_limit_reached,
        )

    async def _conversation(
        self, conversations: ConversationsView, agent: RegisteredAgent, text: str, conversation_id: str | None
    ) -> Conversation:
        if conversation_id is None:
            return await conversations.start(agent.name, title=" ".join(text.split())[:TITLE_CHARS])
        conversation = await conversations.get(conversation_id)
        if conversation.agent != agent.name:
            raise ValidationError(
                f"conversation {conversation_id!r} is with agent {conversation.agent!r}, not {agent.name!r}: "
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
