"""Streamable HTTP under uvicorn on 127.0.0.1: the examples over both protocol eras, the bearer gate, metadata."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.examples import ONBOARD_ARGS, exercise_examples
from tests.support.mcp import MODES, execution_id_of, mcp_http_client, opened_app, text_of
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES

LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


@dataclass
class Served:
    app: App
    base: str
    token: str

    @property
    def mcp(self) -> str:
        return f"{self.base}/mcp"

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/.well-known/oauth-protected-resource/mcp"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES, progress_interval_seconds=0.05) as application:
        yield application


@asynccontextmanager
async def serving(app: App) -> AsyncIterator[Served]:
    """uvicorn serving the app, entered inside each test (its task group must not span fixture tasks)."""
    token = (await app.host.credentials.reset_owner_token()).token
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        yield Served(app, base, token)


async def post_raw(url: str, headers: dict[str, str]) -> Any:
    async with httpx2.AsyncClient(headers=headers) as http:
        return await http.post(url, json=LIST_TOOLS)


@pytest.mark.parametrize("mode", MODES)
async def test_the_examples_are_served_over_http(app: App, mode: str) -> None:
    async with serving(app) as served, mcp_http_client(served.mcp, served.token, mode=mode) as client:
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        await exercise_examples(client)
    owner = await app.host.callers.owner()
    records = await app.host.executions.query(workflow_name="onboard_user")
    assert [(r.executed_by, r.status) for r in records] == [(owner.user_id, ExecutionStatus.COMPLETED)]


@pytest.mark.parametrize("mode", MODES)
async def test_progress_reaches_an_http_client_during_a_long_call(app: App, mode: str) -> None:
    received: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        received.append(progress)

    async with serving(app) as served, mcp_http_client(served.mcp, served.token, mode=mode) as client:
        result = await client.call_tool(
            "patch_servers", {"servers": ["a", "b"], "seconds_per_server": 0.3}, progress_callback=on_progress
        )
    assert not result.is_error, text_of(result)
    assert received, "no progress notification arrived during a 0.6 s run with a 0.05 s keep-alive"
    assert received == sorted(received)


async def test_a_failed_call_over_http_is_an_error_result_with_the_execution_id(app: App) -> None:
    async with serving(app) as served, mcp_http_client(served.mcp, served.token, mode="legacy") as client:
        result = await client.call_tool("triage_ticket", {"subject": 1})
    assert result.is_error
    assert "subject: Input should be a valid string" in text_of(result)
    assert "body: required argument is missing" in text_of(result)
    assert f"(execution {execution_id_of(result)})" in text_of(result)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing bearer token"),
        ({"Authorization": "Bearer"}, "missing bearer token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing bearer token"),
        ({"Authorization": "Bearer bft_not-a-token-we-issued"}, "unknown token"),
        ({"Authorization": "Bearer something-else"}, "malformed token"),
    ],
)
async def test_a_missing_or_wrong_token_is_401_with_www_authenticate(
    app: App, headers: dict[str, str], reason: str
) -> None:
    async with serving(app) as served:
        response = await post_raw(served.mcp, headers)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token"')
    assert reason in challenge
    assert f'resource_metadata="{served.metadata_url}"' in challenge
    body = response.json()
    assert body["error"] == "invalid_token" and reason in body["error_description"]


async def test_a_revoked_token_is_refused_and_the_new_one_works(app: App) -> None:
    async with serving(app) as served:
        new_token = (await app.host.credentials.reset_owner_token()).token
        response = await post_raw(served.mcp, {"Authorization": f"Bearer {served.token}"})
        assert response.status_code == 401
        assert "token revoked" in response.headers["www-authenticate"]
        async with mcp_http_client(served.mcp, new_token) as client:
            assert "triage_ticket" in [t.name for t in (await client.list_tools()).tools]


async def test_healthz_answers_without_a_token(app: App) -> None:
    async with serving(app) as served, httpx2.AsyncClient() as http:
        response = await http.get(f"{served.base}/healthz")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["tools"] == len(app.registry.tools) >= 3
    assert health["workspace_errors"] == 0
    assert health["registry_version"] == 1


async def test_the_rfc_9728_protected_resource_metadata_is_published(app: App) -> None:
    async with serving(app) as served, httpx2.AsyncClient() as http:
        response = await http.get(served.metadata_url)
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["resource"] == served.mcp
    assert metadata["authorization_servers"]
    assert metadata["bearer_methods_supported"] == ["header"]
    assert metadata["resource_name"] == "bifrost-mcp"


async def test_a_platform_admin_can_act_in_an_organization_with_the_org_header(app: App) -> None:
    org = await app.host.identity.create_org("Contoso", domain="contoso.example")
    async with (
        serving(app) as served,
        mcp_http_client(served.mcp, served.token, headers={"X-Bifrost-Org": "Contoso"}) as client,
    ):
        result = await client.call_tool("onboard_user", ONBOARD_ARGS)
    assert result.structured_content is not None
    assert result.structured_content["work_email"] == "alovelace@contoso.example"
    record = await app.host.executions.get(execution_id_of(result))
    assert record is not None and (record.scope, record.org_id) == (org.id, org.id)


async def test_the_org_header_is_refused_for_non_admins_and_unknown_orgs(app: App) -> None:
    org = await app.host.identity.create_org("Fabrikam")
    user = await app.host.identity.create_user("u@fabrikam.example", "U", org_id=org.id)
    user_token = (await app.host.credentials.create_token(user.id)).token
    async with serving(app) as served:
        as_user = await post_raw(served.mcp, {"Authorization": f"Bearer {user_token}", "X-Bifrost-Org": "Fabrikam"})
        unknown = await post_raw(served.mcp, {"Authorization": f"Bearer {served.token}", "X-Bifrost-Org": "Nowhere"})
    assert as_user.status_code == 403
    assert "only platform admins" in as_user.json()["error_description"]
    assert unknown.status_code == 400
    assert "Nowhere" in unknown.json()["error_description"]


async def test_a_platform_admin_is_refused_in_a_deactivated_organization(app: App) -> None:
    org = await app.host.identity.create_org("Initech")
    await app.host.identity.update_org(org.id, {"is_active": False})
    async with serving(app) as served:
        response = await post_raw(served.mcp, {"Authorization": f"Bearer {served.token}", "X-Bifrost-Org": "Initech"})
    assert response.status_code == 403
    assert response.json() == {
        "error": "insufficient_scope",
        "error_description": f"organization 'Initech' ({org.id}) is deactivated: nobody acts in it, platform admins "
        "included; reactivate it first",
    }


async def test_an_organization_user_runs_in_their_own_scope(app: App) -> None:
    org = await app.host.identity.create_org("Northwind", domain="northwind.example")
    user = await app.host.identity.create_user("amy@northwind.example", "Amy", org_id=org.id)
    token = (await app.host.credentials.create_token(user.id)).token
    async with serving(app) as served, mcp_http_client(served.mcp, token) as client:
        result = await client.call_tool("onboard_user", ONBOARD_ARGS)
    assert result.structured_content is not None
    assert result.structured_content["work_email"] == "alovelace@northwind.example"
    record = await app.host.executions.get(execution_id_of(result))
    assert record is not None
    assert (record.executed_by, record.executed_by_email, record.scope) == (user.id, user.email, org.id)


@pytest.mark.parametrize("header", ["Authorization", "X-Bifrost-Org"])
@pytest.mark.parametrize("valid_first", [True, False])
async def test_a_repeated_authorization_or_org_header_is_400_whichever_copy_is_valid(
    app: App, header: str, valid_first: bool
) -> None:
    await app.host.identity.create_org("Contoso")
    async with serving(app) as served:
        valid, other = (
            (f"Bearer {served.token}", "Bearer bft_someone-else")
            if header == "Authorization"
            else ("Contoso", "Nowhere")
        )
        copies = [(header, valid), (header, other)] if valid_first else [(header, other), (header, valid)]
        headers = copies if header == "Authorization" else [("Authorization", f"Bearer {served.token}"), *copies]
        async with httpx2.AsyncClient() as http:
            response = await http.post(served.mcp, json=LIST_TOOLS, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": f"send one {header} header; this request has 2",
    }
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_request"')
