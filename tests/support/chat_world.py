"""The chat tenant matrix's world: who chats, with which agents, and whose conversations exist.

Two organizations; in Acme a plain user, a Technician (the role-gated agent's role) and a function key; in
Globex a plain user; a platform admin in GLOBAL scope. Agents: the built-in `assistant`, the role-gated
`technicians` and the admin_only `auditor`, every one with the tool `whoami`. Each caller starts with one
conversation of their own (`seeds`); every conversation a test starts is `register`ed, so each caller's
expected listing is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bifrost.llm import ToolCall
from bifrost.platform import GLOBAL_SCOPE
from bifrost.testing import TestModel
from bifrost_mcp.agents.chat import Chat
from bifrost_mcp.app import App
from bifrost_mcp.settings import HostSettings

WORKSPACE = {
    "chat_matrix.py": """
        from bifrost import Agent, context, workflow


        @workflow(is_tool=True)
        async def whoami() -> dict:
            '''Who is calling.'''
            return {"user_id": context.user_id, "org_id": context.org_id, "scope": context.scope}


        technicians = Agent("technicians", description="For technicians", tools=[whoami], roles=["Technician"])
        auditor = Agent("auditor", description="Platform audits", tools=[whoami], admin_only=True)
    """,
}
AGENTS = frozenset({"assistant", "technicians", "auditor"})
SYSTEM = frozenset({"search_knowledge", "get_execution"})  # the host's own tools, for every caller
ADMIN_SYSTEM = frozenset({"list_workflows", "list_executions", "read_execution"})
QUESTION = "Who am I?"
ANSWER = "You are who the tool says."


def model() -> TestModel:
    """Every turn: one `whoami` step, then ANSWER."""
    return TestModel(ANSWER, tool_calls=[ToolCall("c1", "whoami", {})])


@dataclass(frozen=True)
class Who:
    label: str
    token: str
    user_id: str
    org_id: str | None
    agents: frozenset[str]  # the agents the gate lets this caller chat with
    tools: frozenset[str]  # the workflow tools they may run (the assistant's toolset for them)
    admin: bool = False

    @property
    def scope(self) -> str:
        return self.org_id or GLOBAL_SCOPE


@dataclass(frozen=True)
class Started:
    id: str
    agent: str
    owner: str  # a caller's label


@dataclass
class World:
    data_dir: Path
    workspace: Path
    callers: dict[str, Who]
    seeds: dict[str, Started] = field(default_factory=dict)  # a caller's label -> their first conversation
    conversations: dict[str, Started] = field(default_factory=dict)

    @property
    def settings(self) -> HostSettings:
        return HostSettings(data_dir=self.data_dir, workspace=self.workspace)

    def register(self, who: Who, conversation_id: str, agent: str) -> None:
        self.conversations[conversation_id] = Started(conversation_id, agent, who.label)

    def visible_to(self, who: Who) -> set[str]:
        """The conversations `who` may list: their own; a platform admin in GLOBAL scope, every one."""
        return {c.id for c in self.conversations.values() if who.admin or c.owner == who.label}

    def others(self, who: Who) -> list[Started]:
        """One conversation of every other caller: in the same organization, in the other one, the admin's."""
        return [seed for label, seed in sorted(self.seeds.items()) if label != who.label]


async def build(world: World) -> None:
    """Create the callers, then a first conversation for each (answered by `model()`, set by the caller)."""
    async with App.opened(world.settings) as app:
        identity, credentials = app.host.identity, app.host.credentials
        acme, globex = await identity.create_org("Acme"), await identity.create_org("Globex")
        technician = await identity.create_role(acme.id, "Technician")
        everyone = SYSTEM | {"whoami"}
        people = [
            ("plain@acme", acme.id, frozenset({"assistant"}), everyone, False),
            ("tech@acme", acme.id, frozenset({"assistant", "technicians"}), everyone, False),
            ("plain@globex", globex.id, frozenset({"assistant"}), everyone, False),
            ("admin@msp", None, AGENTS, everyone | ADMIN_SYSTEM, True),
        ]
        for label, org_id, agents, tools, admin in people:
            user = await identity.create_user(f"{label}.test", label, org_id=org_id, is_superuser=admin)
            token = (await credentials.create_token(user.id)).token
            world.callers[label] = Who(label, token, user.id, org_id, agents, tools, admin)
        await identity.assign_users(technician.id, [world.callers["tech@acme"].user_id])
        key = await credentials.create_function_key(acme.id, "Acme RMM")
        world.callers["key:acme"] = Who(  # each key is its own identity, whatever its name
            "key:acme", key.token, f"function-key:{key.id}", acme.id, frozenset({"assistant"}), everyone
        )
        firsts = {"tech@acme": "technicians", "admin@msp": "auditor"}
        for who in world.callers.values():
            agent = firsts.get(who.label, "assistant")
            turn = await Chat(app).turn(await app.host.callers.for_token(who.token), agent, QUESTION)
            world.seeds[who.label] = Started(turn.conversation_id, agent, who.label)
            world.register(who, turn.conversation_id, agent)
