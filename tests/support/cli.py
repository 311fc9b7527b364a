"""Run the config, secrets and integrations commands (plus `orgs create`) against a temp data dir."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner, Result

from bifrost_mcp.cli import config_cmd, identity_cmd, integrations_cmd, secrets_cmd


def build_app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    for module in (identity_cmd, config_cmd, secrets_cmd, integrations_cmd):
        module.register(app)
    return app


@dataclass
class Cli:
    data_dir: Path
    app: typer.Typer

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(self.app, [*args, "--data-dir", str(self.data_dir)], input=input)

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
