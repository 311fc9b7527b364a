"""secrets: the Fernet key that encrypts config secrets and integration tokens at rest."""

from __future__ import annotations

import sys

import typer

from bifrost_mcp.cli._common import DataDirOpt, JsonOpt, emit, fail, open_host, run
from bifrost_mcp.data.secrets import ENV_VAR, KEY_FILENAME, RotationReport
from bifrost_mcp.data.secrets import generate_key as new_fernet_key

STDIN_MARKER = "-"

ROTATE_HELP = (
    "Re-encrypt every stored secret (config secrets, integration tokens, client secrets) under a new key.\n\n"
    f"With the key file (<data dir>/{KEY_FILENAME}, the default): one step, no downtime. A new key is put first "
    "in the file, every secret is re-encrypted in one transaction, then the old key is dropped. Running servers "
    "pick the new key up by themselves.\n\n"
    f"With {ENV_VAR} set, the key lives outside bifrost-mcp, so rotation takes three steps. "
    f"1. With one key in {ENV_VAR}, this command re-encrypts nothing: it prints a new key; set "
    f"{ENV_VAR}=<new key>,<current key> for every process and restart them (both keys decrypt, new secrets use "
    "the new key). 2. Run this command again: with two or more keys it re-encrypts everything under the first. "
    f"3. Set {ENV_VAR}=<new key> alone and restart."
)


def secret_value(value: str, option: str) -> str:
    """`value`, or with "-" one line read from stdin (keeps the secret out of shell history and `ps`)."""
    if value != STDIN_MARKER:
        return value
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail(f"{option} -: expected the value on stdin, got nothing")
    return line


def _report_text(report: RotationReport) -> str:
    lines = [f"re-encrypted {report.reencrypted} secret value(s) ({report.source} key)."]
    if report.new_key:
        lines.append(f"new key: {report.new_key}")
    lines.append(report.next_step)
    return "\n".join(lines)


secrets = typer.Typer(name="secrets", help="The encryption key of secrets at rest.", no_args_is_help=True)


@secrets.command("rotate-key", help=ROTATE_HELP)
def rotate_key(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    async def body() -> None:
        async with open_host(data_dir) as host:
            report = await host.rotate_secret_key()
            emit(report, as_json, lambda: _report_text(report))

    run(body)


@secrets.command("generate-key")
def generate_key(as_json: JsonOpt = False) -> None:
    """Print a new Fernet key, e.g. for BIFROST_SECRET_KEY. Nothing is stored."""
    key = new_fernet_key()
    emit({"key": key}, as_json, key)
