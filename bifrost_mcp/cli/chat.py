"""chat: talk with an agent from the terminal, as the owner or --token's user.

Every turn goes through `Chat.turn`, so the terminal reaches exactly the agents, tools and conversations the
caller would reach over MCP or the web page, and every tool run is recorded the same way. A call held for
approval is shown whole and asked as y/N (anything but y denies; end of input leaves it unanswered); with
--message the turn ends on it, and a next `--conversation ID --message approve|deny` decides.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from bifrost.errors import BifrostError, NotFoundError
from bifrost_mcp.agents.approvals import PendingCall, prompt
from bifrost_mcp.agents.chat import TITLE_CHARS, Chat, ChatTurn
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.cli._chat_view import TurnPrinter, turn_json
from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, OrgOpt, TokenOpt, WorkspaceOpt, fail, run, table
from bifrost_mcp.cli._interrupt import Interrupts, read_line
from bifrost_mcp.conversations.records import Decision
from bifrost_mcp.conversations.view import ConversationsView
from bifrost_mcp.settings import HostSettings

DEFAULT_AGENT = "assistant"
HELP = "/new starts a new conversation, /agents lists agents, /agent NAME switches, /exit quits"
INTERRUPTED = "(interrupted: the turn was stopped and its running tools cancelled; your question is kept)"


def chat(
    agent: Annotated[
        str | None, typer.Option("--agent", help=f"Agent to chat with (default {DEFAULT_AGENT!r}).")
    ] = None,
    message: Annotated[str | None, typer.Option("--message", "-m", help="Answer this once and exit.")] = None,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Continue this conversation (its agent by default).")
    ] = None,
    workspace: WorkspaceOpt = None,
    data_dir: DataDirOpt = None,
    token: TokenOpt = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Chat with an agent: interactively, or once with --message."""
    if as_json and message is None:
        fail("--json needs --message: an interactive session prints text")

    async def body() -> None:
        async with App.opened(HostSettings.from_env(data_dir=data_dir, workspace=workspace)) as application:
            caller = await application.host.callers.resolve(token, org)  # a refusal: one line, exit 1
            name = agent
            if name is None and conversation is not None:
                name = (await ConversationsView(application.host.conversations, caller).get(conversation)).agent
            session = Session(application, caller, name or DEFAULT_AGENT, conversation)
            if message is None:
                await session.interact()
            elif as_json:
                turn = await Chat(application).turn(caller, session.agent, message, conversation_id=conversation)
                sys.stdout.write(json.dumps(turn_json(turn), indent=2, ensure_ascii=False, default=str) + "\n")
            else:
                await session.say_once(message)

    run(body)


class Session:
    """One terminal chat: the agent and conversation the next line goes to."""

    def __init__(self, app: App, caller: Caller, agent: str, conversation_id: str | None) -> None:
        self.app = app
        self.caller = caller
        self.agent = agent
        self.conversation_id = conversation_id
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    async def say(self, text: str) -> ChatTurn:
        """One turn, streamed; errors propagate (the one-shot command exits 1 on them)."""
        printer = TurnPrinter(self.out)
        try:
            turn = await Chat(self.app).turn(
                self.caller, self.agent, text, conversation_id=self.conversation_id, on_event=printer
            )
        finally:
            printer.finish()
        self.conversation_id = turn.conversation_id
        return turn

    async def say_once(self, text: str) -> None:
        """The --message turn: a call it ends on is shown with how to decide it in the next command."""
        turn = await self.say(text)
        if turn.pending:
            self.out.print(prompt(turn.pending), markup=False)
            self.out.print(f"(decide with: --conversation {turn.conversation_id} --message approve|deny)", markup=False)

    async def converse(self, text: str) -> None:
        """One turn, then a y/N for each call it ended on, until the agent has answered."""
        turn = await self.say(text)
        while turn.pending:
            decisions = {p.call_id: await self.ask(p) for p in turn.pending}
            printer = TurnPrinter(self.out)
            try:
                turn = await Chat(self.app).decide(self.caller, turn.conversation_id, decisions, on_event=printer)
            finally:
                printer.finish()

    async def ask(self, pending: PendingCall) -> Decision:
        arguments = json.dumps(pending.arguments, indent=2, ensure_ascii=False, sort_keys=True)
        self.out.print(f"Run {pending.name} with these arguments?\n{arguments}", markup=False)
        try:
            answer = await read_line("approve? [y/N] ")
        except EOFError:
            return "unanswered"
        return "approved" if answer.strip().lower() in ("y", "yes") else "denied"

    async def interact(self) -> None:
        """Prompt, answer, repeat. Ctrl-C during a turn stops that turn only; at the prompt, Ctrl-C or Ctrl-D ends."""
        if self.app.find_agent(self.caller, self.agent) is None:  # before the first prompt, not after it
            raise NotFoundError(f"no agent named {self.agent!r}; see the agents you may use")
        self.out.print(f"chatting with {self.agent} ({HELP})", markup=False)
        interrupts = Interrupts()
        async with interrupts.handling():
            while True:
                line = await self._prompt(interrupts)
                if line is None:
                    self.out.print()
                    return
                if not line:
                    continue
                if line.startswith("/"):
                    if not self.command(line):
                        return
                    continue
                with interrupts.scope() as turn:
                    await self._turn(line)
                if turn.cancelled_caught:
                    self.out.print(INTERRUPTED, style="yellow", markup=False, highlight=False)

    async def _prompt(self, interrupts: Interrupts) -> str | None:
        """The next line, or None to end: at the end of input (Ctrl-D), or when Ctrl-C stops the wait."""
        line = None
        with interrupts.scope(), contextlib.suppress(EOFError):
            line = (await read_line(f"{self.agent}> ")).strip()
        return line

    async def _turn(self, text: str) -> None:
        """One turn of the interactive session; a failed turn is reported and the session goes on."""
        try:
            if self.conversation_id is None:
                # started before the turn, so a turn stopped by Ctrl-C leaves its question in this session's
                # conversation and the next line continues it
                title = " ".join(text.split())[:TITLE_CHARS]
                started = await ConversationsView(self.app.host.conversations, self.caller).start(self.agent, title)
                self.conversation_id = started.id
            await self.converse(text)
        except BifrostError as exc:  # one failed turn (no model, a gone conversation) does not end the session
            self.err.print(f"error: {exc or type(exc).__name__}", markup=False, highlight=False)

    def command(self, line: str) -> bool:
        """Carry out a /command; False when the session should end."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name in ("/exit", "/quit"):
            return False
        if name == "/new":
            self.conversation_id = None
            self.out.print("(new conversation)")
        elif name == "/agents":
            rows = [
                [("* " if a.name == self.agent else "  ") + a.name, a.agent.description or ""]
                for a in self.app.visible_agents(self.caller)
            ]
            self.out.print(table(rows, ["  AGENT", "DESCRIPTION"]), markup=False)
        elif name == "/agent" and argument:
            if self.app.find_agent(self.caller, argument) is None:  # a hidden agent reads like an unknown one
                self.err.print(
                    f"error: no agent named {argument!r}; /agents lists the agents you may use", markup=False
                )
            else:
                self.agent, self.conversation_id = argument, None  # a conversation belongs to one agent
                self.out.print(f"(chatting with {argument}, new conversation)", markup=False)
        else:
            self.out.print(HELP, markup=False)
        return True
