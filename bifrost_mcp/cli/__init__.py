"""The `bifrost-mcp` command line (typer): one module per command or command group, assembled here."""

from __future__ import annotations

import typer

from bifrost_mcp.cli import (
    chat,
    config,
    conversations,
    executions,
    integrations,
    keys,
    knowledge,
    orgs,
    roles,
    run,
    schedules,
    secrets,
    serve,
    token,
    tokens,
    tools,
    users,
)

cli = typer.Typer(
    name="bifrost-mcp",
    help="Host bifrost workflows as MCP tools for Claude and other LLM clients.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Registration order is the order `bifrost-mcp --help` lists them in.
cli.command("serve")(serve.serve)
cli.command("tools")(tools.tools)
cli.command("run")(run.run_)
cli.command("chat")(chat.chat)
cli.add_typer(executions.executions)
cli.add_typer(schedules.schedules)
cli.add_typer(conversations.conversations)
cli.add_typer(token.token)
cli.add_typer(orgs.orgs)
cli.add_typer(users.users)
cli.add_typer(tokens.tokens)
cli.add_typer(keys.keys)
cli.add_typer(roles.roles)
cli.add_typer(config.config)
cli.add_typer(secrets.secrets)
cli.add_typer(integrations.integrations)
cli.add_typer(knowledge.knowledge)


def main() -> None:
    cli()
