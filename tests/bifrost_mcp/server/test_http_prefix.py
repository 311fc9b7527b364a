"""The HTTP app mounted under a path prefix, and per-caller gating of resources and list caching hints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from bifrost import data_provider, workflow
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.mcp import mcp_http_client
from tests.support.server import LoopbackServer


@workflow(is_tool=True)
async def ping() -> str:
    return "pong"


@data_provider(name="sites")
async def sites() -> list[dict[str, str]]:
    return [{"label": "HQ", "value": "hq"}]


@data_provider(name="payroll_runs", admin_only=True)
async def payroll_runs() -> list[dict[str, str]]:
    return [{"label": "November", "value": "2026-11"}]


@pytest.fixture
async def app(tmp_path: Path) -> Any:
    registry = registry_from_functions([ping, sites, payroll_runs])
    async with App.opened(HostSettings(data_dir=tmp_path), registry=registry) as application:
        yield application


async def test_mounted_under_a_prefix_the_endpoint_and_its_metadata_move_with_it(app: App) -> None:
    server = LoopbackServer()
    token = (await app.host.credentials.reset_owner_token()).token
    starlette = build_asgi(app, port=server.port, prefix="/tools/bifrost", watch=False)
    async with server.serve(starlette) as base, httpx2.AsyncClient() as http:
        refused = await http.post(f"{base}/tools/bifrost/mcp", json={})
        assert refused.status_code == 401
        expected_metadata = f"{base}/.well-known/oauth-protected-resource/tools/bifrost/mcp"
        assert f'resource_metadata="{expected_metadata}"' in refused.headers["www-authenticate"]
        for url in (expected_metadata, f"{base}/tools/bifrost/.well-known/oauth-protected-resource"):
            metadata = (await http.get(url)).json()
            assert metadata["resource"] == f"{base}/tools/bifrost/mcp"
            assert metadata["bearer_methods_supported"] == ["header"]
        assert (await http.get(f"{base}/tools/bifrost/healthz")).json()["tools"] == 1
        assert (await http.get(f"{base}/mcp")).status_code == 404
        async with mcp_http_client(f"{base}/tools/bifrost/mcp", token) as client:
            result = await client.call_tool("ping", {})
            assert result.structured_content == {"result": "pong"}


async def test_resources_pass_the_same_gate_and_lists_are_marked_private(app: App) -> None:
    org = await app.host.identity.create_org("Acme")
    user = await app.host.identity.create_user("u@acme.test", "U", org_id=org.id)
    user_token = (await app.host.credentials.create_token(user.id)).token
    owner_token = (await app.host.credentials.reset_owner_token()).token
    async with LoopbackServer().serve(build_asgi(app, watch=False)) as base:
        async with mcp_http_client(f"{base}/mcp", user_token) as client:
            listed = await client.list_resources()
            assert [str(r.uri) for r in listed.resources] == ["bifrost://data-providers/sites"]
            assert listed.cache_scope == "private"
            assert (await client.list_tools()).cache_scope == "private"
            with pytest.raises(Exception, match="Resource not found"):
                await client.read_resource("bifrost://data-providers/payroll_runs")
        async with mcp_http_client(f"{base}/mcp", owner_token) as client:
            uris = sorted(str(r.uri) for r in (await client.list_resources()).resources)
            assert uris == ["bifrost://data-providers/payroll_runs", "bifrost://data-providers/sites"]
            content = await client.read_resource("bifrost://data-providers/payroll_runs")
            assert '"2026-11"' in content.contents[0].text  # type: ignore[union-attr]
