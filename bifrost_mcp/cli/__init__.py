"""The `bifrost-mcp` command line (typer)."""

from __future__ import annotations

import typer

from bifrost_mcp.cli import config_cmd, identity_cmd, integrations_cmd, knowledge_cmd, run_cmd, secrets_cmd

app = typer.Typer(
    name="bifrost-mcp",
    help="Host bifrost workflows as MCP tools for Claude and other LLM clients.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
run_cmd.register(app)
identity_cmd.register(app)
config_cmd.register(app)
secrets_cmd.register(app)
integrations_cmd.register(app)
knowledge_cmd.register(app)


def main() -> None:
    app()
