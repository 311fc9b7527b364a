"""Run CLI commands in-process against a temp data dir: the data groups alone (DataCli), the whole command (or the
chat commands) over a workspace (WorkspaceCli), or one command by itself (alone).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner, Result

from bifrost_mcp.cli import chat, config, conversations, integrations, keys, orgs, roles, secrets, tokens, users
from bifrost_mcp.cli import cli as bifrost_cli
from tests.support.workspace import EXAMPLES


def data_groups() -> typer.Typer:
    """A CLI of the identity, config, secrets and integrations groups."""
    cli = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    identity = (orgs.orgs, users.users, tokens.tokens, keys.keys, roles.roles)
    for group in (*identity, config.config, secrets.secrets, integrations.integrations):
        cli.add_typer(group)
    return cli


def chat_commands() -> typer.Typer:
    """A CLI of `chat` and the `conversations` group, registered as bifrost-mcp registers them.

    For tests that run many of them: typer builds the whole command tree on every invoke, ~50 ms for all of
    bifrost-mcp and ~2 ms for these.
    """
    cli = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    cli.command("chat")(chat.chat)
    cli.add_typer(conversations.conversations)
    return cli


@dataclass
class DataCli:
    data_dir: Path
    commands: typer.Typer

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(self.commands, [*args, "--data-dir", str(self.data_dir)], input=input)

    def ok(self, *args: str, input: str | None = None) -> str:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
        return result.stdout

    def json(self, *args: str, input: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", input=input))

    def fails(self, *args: str, input: str | None = None) -> str:
        result = self(*args, input=input)
        assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
        return result.stderr


class WorkspaceCli:
    def __init__(self, data_dir: Path, workspace: Path = EXAMPLES, *, commands: typer.Typer = bifrost_cli) -> None:
        self.data_dir = data_dir
        self.workspace = workspace
        self.commands = commands

    def __call__(self, *args: str, workspace: bool = True) -> Result:
        options = ["--data-dir", str(self.data_dir)]
        if workspace:
            options += ["--workspace", str(self.workspace)]
        return CliRunner().invoke(self.commands, [*args, *options], env={"BIFROST_TOKEN": None})

    def ok(self, *args: str, workspace: bool = True) -> str:
        result = self(*args, workspace=workspace)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result.stdout

    def json(self, *args: str, workspace: bool = True) -> Any:
        return json.loads(self.ok(*args, "--json", workspace=workspace))

    def fails(self, *args: str, workspace: bool = True) -> Result:
        result = self(*args, workspace=workspace)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        return result


def alone(command: Callable[..., None]) -> typer.Typer:
    """A CLI of nothing but `command`: typer runs a lone command without its name being given."""
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    single.command()(command)
    return single
