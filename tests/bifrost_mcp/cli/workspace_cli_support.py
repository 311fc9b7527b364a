"""Run the whole `bifrost-mcp` command in-process against a temp data dir and a workspace (examples/ by default)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner, Result

from bifrost_mcp.cli import cli
from tests.bifrost_mcp.mcp_support import EXAMPLES


class Cli:
    def __init__(self, data_dir: Path, workspace: Path = EXAMPLES) -> None:
        self.data_dir = data_dir
        self.workspace = workspace

    def __call__(self, *args: str, workspace: bool = True) -> Result:
        options = ["--data-dir", str(self.data_dir)]
        if workspace:
            options += ["--workspace", str(self.workspace)]
        return CliRunner().invoke(cli, [*args, *options], env={"BIFROST_TOKEN": None})

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
