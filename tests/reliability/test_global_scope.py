"""GLOBAL scope is written by platform admins only: every kind of caller times every write, over each path.

GLOBAL holds what every organization reads through (provider settings such as `openai_base_url`, whose GLOBAL
key then follows it; knowledge that ranks in every organization's searches; shared tables and files), so a
write there reaches everyone. A function key may write it only when created with `--global-write`; a user
without an organization has no scope to write in at all. Reads stay as they were.

The world is made with the admin CLI; the callers authenticate with their real tokens.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.cli import cli
from bifrost_mcp.data.tables.stores import store_name
from bifrost_mcp.knowledge.view import KnowledgeView
from bifrost_mcp.server.http import build_asgi
from bifrost_mcp.settings import HostSettings
from tests.support.mcp import mcp_http_client, text_of
from tests.support.server import LoopbackServer

WORKFLOWS = '''
from bifrost import config, files, knowledge, tables, workflow


@workflow(is_tool=True)
async def write_op(op: str, tag: str) -> str:
    """One write in the caller's scope (tables.insert_global names GLOBAL explicitly)."""
    if op == "config.set":
        await config.set("openai_base_url", f"https://{tag}.attacker.example/v1")
    elif op == "config.set_secret":
        await config.set("openai_api_key", f"sk-{tag}", is_secret=True)
    elif op == "config.delete":
        await config.delete("openai_base_url")
    elif op == "tables.create":
        await tables.create(f"made_by_{tag}")
    elif op == "tables.insert":
        await tables.insert("shared", {"by": tag})
    elif op == "tables.upsert":
        await tables.upsert("shared", "pinned", {"by": tag})
    elif op == "tables.update":
        await tables.update("shared", "pinned", {"by": tag})
    elif op == "tables.delete_document":
        await tables.delete_document("shared", "pinned")
    elif op == "tables.delete":
        await tables.delete(f"made_by_{tag}")
    elif op == "tables.insert_global":
        await tables.insert("shared", {"by": tag}, scope="GLOBAL")
    elif op == "files.write":
        await files.write(f"planted-{tag}.txt", tag)
    elif op == "files.delete":
        await files.delete(f"planted-{tag}.txt")
    elif op == "knowledge.store":
        await knowledge.store(f"To reset a password, call {tag}", namespace="runbooks", key=tag)
    elif op == "knowledge.delete":
        await knowledge.delete(tag, namespace="runbooks")
    elif op == "knowledge.delete_namespace":
        await knowledge.delete_namespace("runbooks")
    else:
        raise ValueError(op)
    return "done"


@workflow(is_tool=True)
async def read_all() -> dict:
    """What the caller reads of the shared settings and data."""
    found = await knowledge.search("how do I reset a password", namespace="runbooks")
    return {
        "openai_base_url": await config.get("openai_base_url"),
        "runbooks": [doc.key for doc in found],
        "shared_rows": await tables.count("shared"),
        "seed_file": await files.exists("seed.txt"),
    }


@workflow(is_tool=True)
async def seed() -> str:
    """GLOBAL data for the others to try to change (run by the local owner, a platform admin)."""
    await tables.upsert("shared", "pinned", {"by": "owner"})
    await files.write("seed.txt", "owner")
    return "seeded"
'''

OPERATIONS = (
    "config.set",
    "config.set_secret",
    "config.delete",
    "tables.create",
    "tables.insert",
    "tables.upsert",
    "tables.update",
    "tables.delete_document",
    "tables.delete",
    "tables.insert_global",
    "files.write",
    "files.delete",
    "knowledge.store",
    "knowledge.delete",
    "knowledge.delete_namespace",
)
ORGLESS = (
    "PermissionError: user drifter@msp.test belongs to no organization, so has no scope to write in (GLOBAL scope"
    " is written by platform admins only): ask a platform admin to add you to an organization"
)
NOT_YOURS = "PermissionError: scope 'GLOBAL' is not yours: only platform admins may act in another organization's scope"


def key_refused(name: str) -> str:
    return (
        f"PermissionError: function key {name!r} may not write GLOBAL scope, which every organization reads:"
        " platform admins may, and keys created with `bifrost-mcp keys create --global --global-write`"
    )


@dataclass(frozen=True)
class Who:
    label: str
    tag: str
    token: str
    # None: every write succeeds; else the refusal of each write ("tables.insert_global" may differ)
    refusal: str | None
    global_insert_refusal: str | None


# Writes that fail are listed first: GLOBAL is checked unchanged before anyone allowed to write it does.
CALLERS = ("org-less user", "global key", "org user", "org key", "platform admin", "global key with the grant")


@dataclass
class World:
    data_dir: Path
    workspace: Path
    callers: dict[str, Who]


def _cli(data_dir: Path, workspace: Path | None, *args: str) -> Any:
    options = ["--data-dir", str(data_dir), *(["--workspace", str(workspace)] if workspace else [])]
    result = CliRunner().invoke(cli, [*args, *options, "--json"], env={"BIFROST_TOKEN": None})
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    data_dir = tmp_path_factory.mktemp("global") / "data"
    workspace = tmp_path_factory.mktemp("workspace")
    (workspace / "ops.py").write_text(textwrap.dedent(WORKFLOWS))
    runbooks = tmp_path_factory.mktemp("runbooks")
    (runbooks / "seed.md").write_text("To reset a password, open the identity portal and choose Reset.")

    def run(*args: str) -> Any:
        return _cli(data_dir, None, *args)

    run("orgs", "create", "Acme")
    run("users", "create", "admin@msp.test", "--name", "Admin", "--platform-admin")
    run("users", "create", "tech@acme.test", "--name", "Tech", "--org", "Acme")
    run("users", "create", "drifter@msp.test", "--name", "Drifter")
    run("config", "set", "--global", "openai_base_url", "https://api.openai.com/v1")
    run("knowledge", "ingest", "--global", str(runbooks), "--namespace", "runbooks")
    assert _cli(data_dir, workspace, "run", "seed")["result"] == "seeded"

    def token(email: str) -> str:
        return str(run("tokens", "create", email)["token"])

    def key(*args: str) -> str:
        return str(run("keys", "create", *args)["token"])

    callers = [
        Who("org-less user", "drifter", token("drifter@msp.test"), ORGLESS, ORGLESS),
        Who("global key", "monitoring", key("--global", "--name", "Monitoring"), key_refused("Monitoring"),
            key_refused("Monitoring")),
        Who("org user", "tech", token("tech@acme.test"), None, NOT_YOURS),
        Who("org key", "acme_rmm", key("--org", "Acme", "--name", "Acme RMM"), None, NOT_YOURS),
        Who("platform admin", "admin", token("admin@msp.test"), None, None),
        Who("global key with the grant", "provisioning",
            key("--global", "--global-write", "--name", "Provisioning"), None, None),
    ]  # fmt: skip
    return World(data_dir, workspace, {who.label: who for who in callers})


@pytest.fixture
async def app(world: World, tmp_path: Path) -> AsyncIterator[App]:
    """The world's data dir copied for one test, so each path starts from the same GLOBAL data."""
    data_dir = tmp_path / "data"
    shutil.copytree(world.data_dir, data_dir)
    async with App.opened(HostSettings(data_dir=data_dir, workspace=world.workspace)) as opened:
        yield opened


def expected(who: Who, op: str) -> str | None:
    return who.global_insert_refusal if op == "tables.insert_global" else who.refusal


async def global_state(app: App) -> dict[str, Any]:
    host = app.host
    base_url = await host.config.get(GLOBAL_SCOPE, "openai_base_url", fallback=False)
    api_key = await host.config.get(GLOBAL_SCOPE, "openai_api_key", fallback=False)
    tables = await host.db.fetchall("SELECT name FROM data_tables WHERE scope = ? ORDER BY name", (GLOBAL_SCOPE,))
    rows = await host.db.fetchall(f'SELECT id, data FROM "{store_name(GLOBAL_SCOPE)}" ORDER BY id')
    files = sorted(p.name for p in (host.settings.data_dir / "files" / GLOBAL_SCOPE).rglob("*") if p.is_file())
    documents = await KnowledgeView(host.knowledge, GLOBAL_SCOPE).list_documents("runbooks")
    return {
        "openai_base_url": base_url.value if base_url else None,
        "openai_api_key": api_key is not None,
        "tables": [row["name"] for row in tables],
        "rows": [(row["id"], json.loads(row["data"])) for row in rows],
        "files": files,
        "knowledge": [doc["key"] for doc in documents],
    }


SEEDED = {
    "openai_base_url": "https://api.openai.com/v1",
    "openai_api_key": False,
    "tables": ["shared"],
    "rows": [("pinned", {"by": "owner"})],
    "files": ["seed.txt"],
    "knowledge": ["seed.md"],
}


async def test_every_global_write_over_the_sdk_is_for_admins_and_granted_keys_only(app: App, world: World) -> None:
    assert await global_state(app) == SEEDED
    for label in CALLERS:
        who = world.callers[label]
        caller = await app.host.callers.for_token(who.token)
        for op in OPERATIONS:
            outcome = await app.run(app.registry.workflows["write_op"], {"op": op, "tag": who.tag}, caller)
            assert (outcome.value, outcome.message) == (("done", None) if expected(who, op) is None else
                                                        (None, expected(who, op))), (label, op)  # fmt: skip
        if label == "org key":  # everyone refused has had their try, and those allowed wrote their own org
            assert await global_state(app) == SEEDED
    # the admin and the granted key wrote GLOBAL: the base URL was set then deleted, the secret stays
    assert (await global_state(app))["openai_api_key"] is True


async def test_reads_of_global_data_are_unchanged_for_every_caller(app: App, world: World) -> None:
    seen = {}
    for label in CALLERS:
        caller: Caller = await app.host.callers.for_token(world.callers[label].token)
        outcome = await app.run(app.registry.workflows["read_all"], {}, caller)
        assert outcome.message is None, (label, outcome.message)
        seen[label] = outcome.value
    in_global = {
        "openai_base_url": "https://api.openai.com/v1",
        "runbooks": ["seed.md"],
        "shared_rows": 1,
        "seed_file": True,
    }
    # organizations read GLOBAL config and knowledge through; tables and files have no GLOBAL fallback
    in_org = {**in_global, "shared_rows": 0, "seed_file": False}
    assert seen == {
        "org-less user": in_global,
        "global key": in_global,
        "org user": in_org,
        "org key": in_org,
        "platform admin": in_global,
        "global key with the grant": in_global,
    }


async def test_every_global_write_over_http_is_for_admins_and_granted_keys_only(app: App, world: World) -> None:
    async with LoopbackServer().serve(build_asgi(app, watch=False)) as base:
        for label in CALLERS:
            who = world.callers[label]
            async with mcp_http_client(f"{base}/mcp", who.token) as client:
                for op in OPERATIONS:
                    result = await client.call_tool("write_op", {"op": op, "tag": who.tag})
                    refusal = expected(who, op)
                    if refusal is None:
                        assert (result.is_error, text_of(result)) == (False, "done"), (label, op)
                    else:
                        assert result.is_error, (label, op)
                        assert text_of(result).startswith(f"{refusal} (execution "), (label, op)
            if label == "org key":
                assert await global_state(app) == SEEDED


@pytest.mark.parametrize("label", ["org-less user", "global key", "global key with the grant"])
async def test_global_config_writes_through_cli_run_follow_the_same_rule(world: World, tmp_path: Path,
                                                                         label: str) -> None:  # fmt: skip
    data_dir = tmp_path / "data"
    shutil.copytree(world.data_dir, data_dir)
    who = world.callers[label]
    args = ["run", "write_op", "--arg", "op=config.set", "--arg", f"tag={who.tag}", "--token", who.token]
    options = ["--data-dir", str(data_dir), "--workspace", str(world.workspace)]
    result = await anyio.to_thread.run_sync(lambda: CliRunner().invoke(cli, [*args, *options]))
    if who.refusal is None:
        assert (result.exit_code, result.stdout) == (0, '"done"\n')
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: {who.refusal} (execution ")
