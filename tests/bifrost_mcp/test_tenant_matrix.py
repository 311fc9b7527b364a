"""The tenant matrix: every kind of caller, over HTTP with real tokens and over stdio with --token.

The world is built with the admin CLI: two organizations, each with a role-holding technician, a plain user
and a function key, plus a platform admin; workflows that are open, role-gated and admin-only.
"""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from typer.testing import CliRunner

from bifrost_mcp.app import App
from bifrost_mcp.cli import cli
from bifrost_mcp.clock import ManualClock
from bifrost_mcp.server.http import build_asgi
from bifrost_mcp.settings import HostSettings
from tests.support.mcp import mcp_http_client
from tests.support.server import LoopbackServer

WORKFLOWS = '''
from bifrost import workflow, context

def _who():
    return {
        "user_id": context.user_id, "email": context.email, "name": context.name, "scope": context.scope,
        "org_id": context.org_id, "org_name": context.org_name, "is_platform_admin": context.is_platform_admin,
        "is_function_key": context.is_function_key, "is_global_scope": context.is_global_scope,
    }

@workflow(is_tool=True)
async def whoami() -> dict:
    """Who is calling."""
    return _who()

@workflow(is_tool=True, roles=["Technician"])
async def reset_password(user: str) -> dict:
    """Technicians only."""
    return {"reset": user, **_who()}

@workflow(is_tool=True, admin_only=True)
async def purge_tenant(org: str) -> dict:
    """Platform admins only."""
    return {"purged": org}
'''

SYSTEM = {"search_knowledge", "get_execution"}  # the host's own tools, visible to every authenticated caller
ADMIN_SYSTEM = {"list_workflows", "list_executions", "read_execution"}  # the host's read-only admin tools
ALL = {"whoami", "reset_password", "purge_tenant", *SYSTEM, *ADMIN_SYSTEM}


@dataclass(frozen=True)
class Who:
    label: str
    token: str
    tools: frozenset[str]
    context: dict[str, Any]


@dataclass
class World:
    data_dir: Path
    workspace: Path
    callers: dict[str, Who]
    orgs: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]


def _cli(data_dir: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--data-dir", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def _acli(data_dir: Path, *args: str) -> Any:
    """The CLI runs its own event loop: call it from a worker thread inside async tests."""
    return await anyio.to_thread.run_sync(lambda: _cli(data_dir, *args))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    data_dir = tmp_path_factory.mktemp("data")
    workspace = tmp_path_factory.mktemp("workspace")
    (workspace / "matrix.py").write_text(textwrap.dedent(WORKFLOWS))
    orgs = {
        name: _cli(data_dir, "orgs", "create", name, "--domain", f"{name.lower()}.test") for name in ("Acme", "Globex")
    }
    users: dict[str, dict[str, Any]] = {}
    for org in ("Acme", "Globex"):
        for kind in ("tech", "plain"):
            email = f"{kind}@{org.lower()}.test"
            users[email] = _cli(data_dir, "users", "create", email, "--name", f"{kind} {org}", "--org", org)
        _cli(data_dir, "roles", "create", "Technician", "--org", org)
        _cli(data_dir, "roles", "assign", "Technician", "--users", f"tech@{org.lower()}.test", "--org", org)
    users["admin@msp.test"] = _cli(data_dir, "users", "create", "admin@msp.test", "--name", "Admin", "--platform-admin")
    callers: dict[str, Who] = {}
    for email, user in users.items():
        org = next((o for o in orgs.values() if o["id"] == user["organization_id"]), None)
        token = _cli(data_dir, "tokens", "create", email)["token"]
        admin = user["is_superuser"]
        tools = (
            ALL
            if admin
            else {"whoami", "reset_password", *SYSTEM}
            if email.startswith("tech@")
            else {"whoami", *SYSTEM}
        )
        callers[email] = Who(
            email,
            token,
            frozenset(tools),
            {
                "user_id": user["id"],
                "email": email,
                "scope": org["id"] if org else "GLOBAL",
                "org_id": org["id"] if org else None,
                "org_name": org["name"] if org else None,
                "is_platform_admin": admin,
                "is_function_key": False,
                "is_global_scope": org is None,
            },
        )
    for name, org in orgs.items():
        key = _cli(data_dir, "keys", "create", "--org", name, "--name", f"{name} RMM")
        callers[f"key:{name}"] = Who(
            f"key:{name}",
            key["token"],
            frozenset({"whoami", *SYSTEM}),
            {"scope": org["id"], "org_id": org["id"], "is_platform_admin": False, "is_function_key": True,
             "name": f"{name} RMM"},
        )  # fmt: skip
    return World(data_dir, workspace, callers, orgs, users)


def _settings(world: World) -> HostSettings:
    return HostSettings(data_dir=world.data_dir, workspace=world.workspace)


async def _check_caller(client: Client, who: Who) -> None:
    listed = {t.name for t in (await client.list_tools()).tools}
    assert "agent_assistant" in listed, who.label  # the built-in agent: anyone may chat with it
    assert listed - {"agent_assistant"} == who.tools, who.label
    result = await client.call_tool("whoami", {})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    for key, value in who.context.items():
        assert result.structured_content[key] == value, (who.label, key)
    for hidden in sorted(ALL - who.tools):
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("no_such_tool", {"org": "x", "user": "x"})
        with pytest.raises(MCPError) as refused:
            await client.call_tool(hidden, {"org": "x", "user": "x"})
        # A hidden tool answers exactly like an unknown one (same code, same message shape).
        assert refused.value.error.code == unknown.value.error.code
        assert str(refused.value).replace(hidden, "X") == str(unknown.value).replace("no_such_tool", "X")


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_every_caller_sees_exactly_its_tools_and_context_over_http(world: World, mode: str) -> None:
    async with App.opened(_settings(world)) as app, LoopbackServer().serve(build_asgi(app, watch=False)) as base:
        for who in world.callers.values():
            async with mcp_http_client(f"{base}/mcp", who.token, mode=mode) as client:
                await _check_caller(client, who)


@pytest.mark.slow
async def test_every_caller_sees_exactly_its_tools_and_context_over_stdio(world: World) -> None:
    exe = str(Path(sys.executable).with_name("bifrost-mcp"))
    for who in world.callers.values():
        params = StdioServerParameters(
            command=exe,
            args=[
                "serve",
                "--workspace",
                str(world.workspace),
                "--data-dir",
                str(world.data_dir),
                "--token",
                who.token,
            ],
        )
        async with Client(params) as client:
            await _check_caller(client, who)


async def _status(base: str, token: str | None, headers: dict[str, str] | None = None) -> httpx2.Response:
    all_headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if token is not None:
        all_headers["Authorization"] = token
    all_headers.update(headers or {})
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(f"{base}/mcp", headers=all_headers, json=body)


async def test_auth_failures_are_refused_with_a_reason_and_www_authenticate(world: World) -> None:
    tech = world.callers["tech@acme.test"]
    expired = await _acli(world.data_dir, "tokens", "create", "plain@acme.test", "--expires-days", "1")
    revoked = await _acli(world.data_dir, "tokens", "create", "plain@acme.test")
    await _acli(world.data_dir, "tokens", "revoke", revoked["id"])
    clock = ManualClock()
    clock.advance(2 * 24 * 3600)  # the expiring token's day has passed
    async with (
        App.opened(_settings(world), clock=clock) as app,
        LoopbackServer().serve(build_asgi(app, watch=False)) as base,
    ):
        cases = [
            (None, 401, "missing bearer token"),
            ("Basic abc", 401, "missing bearer token"),
            ("Bearer not-a-token", 401, "malformed token"),
            ("Bearer bft_" + "x" * 43, 401, "unknown token"),
            (f"Bearer {expired['token']}", 401, "token expired"),
            (f"Bearer {revoked['token']}", 401, "token revoked"),
        ]
        for header, status, reason in cases:
            response = await _status(base, header)
            assert response.status_code == status, header
            assert reason in response.json()["error_description"]
            assert response.headers["www-authenticate"].startswith("Bearer ")
            assert "resource_metadata=" in response.headers["www-authenticate"]
        # A non-admin naming another organization is refused, never honoured.
        response = await _status(base, f"Bearer {tech.token}", {"X-Bifrost-Org": world.orgs["Globex"]["id"]})
        assert response.status_code == 403
        assert "platform admins" in response.json()["error_description"]


async def test_deactivated_user_and_organization_are_refused_saying_which(world: World) -> None:
    user = await _acli(world.data_dir, "users", "create", "leaver@acme.test", "--name", "Leaver", "--org", "Acme")
    token = (await _acli(world.data_dir, "tokens", "create", user["email"]))["token"]
    org = await _acli(world.data_dir, "orgs", "create", "Initech")
    member = await _acli(world.data_dir, "users", "create", "peter@initech.test", "--name", "Peter", "--org", "Initech")
    member_token = (await _acli(world.data_dir, "tokens", "create", member["email"]))["token"]
    key = (await _acli(world.data_dir, "keys", "create", "--org", "Initech", "--name", "Initech sync"))["token"]
    await _acli(world.data_dir, "users", "deactivate", "leaver@acme.test")
    await _acli(world.data_dir, "orgs", "deactivate", org["id"])
    async with App.opened(_settings(world)) as app, LoopbackServer().serve(build_asgi(app, watch=False)) as base:
        response = await _status(base, f"Bearer {token}")
        assert response.status_code == 403
        assert "user leaver@acme.test is deactivated" in response.json()["error_description"]
        for credential in (member_token, key):
            response = await _status(base, f"Bearer {credential}")
            assert response.status_code == 403
            assert "organization 'Initech'" in response.json()["error_description"]


async def test_a_platform_admin_acts_in_an_organization_with_the_org_header(world: World) -> None:
    admin = world.callers["admin@msp.test"]
    globex = world.orgs["Globex"]
    async with (
        App.opened(_settings(world)) as app,
        LoopbackServer().serve(build_asgi(app, watch=False)) as base,
        mcp_http_client(f"{base}/mcp", admin.token, headers={"X-Bifrost-Org": "Globex"}) as client,
    ):
        result = await client.call_tool("whoami", {})
    assert result.structured_content is not None
    assert result.structured_content["scope"] == globex["id"]
    assert result.structured_content["org_name"] == "Globex"
    assert result.structured_content["is_platform_admin"] is True


def test_no_token_exists_in_plaintext_anywhere_in_the_data_dir(world: World) -> None:
    secrets = [who.token.encode() for who in world.callers.values()]
    for path in world.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(secret in content for secret in secrets), path
