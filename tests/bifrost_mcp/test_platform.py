"""Every data module from one workflow over MCP, for two organizations, with secrets kept out of everything.

Inline and in worker processes alike: there, every SDK call crosses the worker's pipe to the same platform.

A secret read during a run (a config secret, an OAuth token) must not appear in the MCP result, the execution
record, its logs, the server's own log, or anywhere on disk in plaintext.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from bifrost import config, context, executions, files, integrations, tables, workflow, workflows
from bifrost_mcp import logs
from bifrost_mcp.app import App
from bifrost_mcp.caller import Caller
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.server.protocol import BifrostServer
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.mcp import ISOLATIONS

logger = logging.getLogger("workspace.everything")

SECRETS = {"Acme": "acme-vendor-key-7f3a9c2e", "Globex": "globex-vendor-key-51d0be44"}
TOKENS = {"Acme": "acme-oauth-access-0a9f8e7d", "Globex": "globex-oauth-access-6c5b4a39"}


@workflow(is_tool=True)
async def use_everything(note: str) -> dict[str, Any]:
    """Touch config, tables, files, integrations, executions and workflows."""
    api_key = await config.get("vendor_api_key")
    logger.info("calling the vendor with key %s", api_key)
    print(f"debug: key={api_key}")
    doc = await tables.insert("tickets", {"subject": note, "amount": 99.5})
    await files.write(f"notes/{doc.id}.txt", f"{context.org_name}: {note}")
    halo = await integrations.get("Halo")
    assert halo is not None and halo.oauth is not None
    return {
        "api_key": api_key,
        "token": halo.oauth.access_token,
        "vendor_url": await config.get("vendor_url"),
        "tickets": (await tables.query("tickets", where={"amount": {"lt": 100}})).total,
        "notes": await files.list("notes"),
        "entity": halo.entity_id,
        "my_executions": [e.workflow_name for e in await executions.list()],
        "workflows": [w.name for w in await workflows.list()],
    }


@workflow(is_tool=True)
async def leak_in_error() -> None:
    """Fails with the secret in its message."""
    raise RuntimeError(f"vendor refused key {await config.get('vendor_api_key')}")


@pytest.fixture(params=ISOLATIONS)
async def world(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[App, dict[str, Caller], io.StringIO]]:
    server_log = io.StringIO()
    logs.configure("DEBUG")
    handler = logging.getLogger().handlers[-1]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(server_log)
    registry = registry_from_functions([use_everything, leak_in_error])
    try:
        settings = HostSettings(data_dir=tmp_path / "data", isolation=request.param, workers=2)
        async with App.opened(settings, registry=registry) as app:
            admin = ConfigStore(app.host.db, app.host.secrets)
            await admin.set("GLOBAL", "vendor_url", "https://vendor.example")
            await app.host.integrations.create("Halo", token_url="https://halo.example/token", client_id="bifrost")
            callers = {}
            for name in ("Acme", "Globex"):
                org = await app.host.identity.create_org(name)
                await admin.set(org.id, "vendor_api_key", SECRETS[name], is_secret=True)
                await app.host.integrations.map("Halo", org.id, entity_id=f"{name.lower()}-tenant")
                await app.host.integrations.set_oauth(
                    "Halo", org.id, access_token=TOKENS[name], refresh_token=f"{name}-refresh-9d8c7b6a",
                    expires_at=datetime(2099, 1, 1, tzinfo=UTC),
                )  # fmt: skip
                user = await app.host.identity.create_user(f"tech@{name.lower()}.test", "Tech", org_id=org.id)
                callers[name] = await app.host.callers.for_user(user.id)
            yield app, callers, server_log
    finally:
        logging.getLogger().removeHandler(handler)


async def _call(app: App, caller: Caller, tool: str, arguments: dict[str, Any]) -> Any:
    async def resolve(_ctx: object) -> Caller:
        return caller

    async with Client(BifrostServer(app, resolve).server) as client:
        return await client.call_tool(tool, arguments)


async def test_every_module_works_per_organization_and_secrets_never_leave_the_run(world: Any) -> None:
    app, callers, server_log = world
    results = {}
    for name, caller in callers.items():
        for note in ("printer jam", "vpn down"):
            result = await _call(app, caller, "use_everything", {"note": note})
            assert not result.is_error, result.content
            results[name] = result
    for name, result in results.items():
        data = result.structured_content
        assert data["api_key"] == "[REDACTED]"
        assert data["token"] == "[REDACTED]"
        assert data["vendor_url"] == "https://vendor.example"  # GLOBAL fallback
        assert data["tickets"] == 2  # only this organization's two tickets
        assert len(data["notes"]) == 2
        assert data["entity"] == f"{name.lower()}-tenant"
        assert data["my_executions"] == ["use_everything", "use_everything"]  # its own two, this one Running
        assert data["workflows"] == ["leak_in_error", "use_everything"]
    failed = await _call(app, callers["Acme"], "leak_in_error", {})
    assert failed.is_error
    assert "vendor refused key [REDACTED]" in failed.content[0].text

    await app.host.executions.flush()
    records = await app.host.executions.query(limit=100)
    assert len(records) == 5
    plaintexts = [*SECRETS.values(), *TOKENS.values()]
    for record in records:
        record.logs = await app.host.executions.logs(record.id, 0, 100)
        rendered = record.public(with_logs=True).model_dump_json()
        assert not any(p in rendered for p in plaintexts), record.workflow_name
        if record.workflow_name == "use_everything":
            messages = [entry.message for entry in record.logs if "key" in entry.message]
            assert messages == ["calling the vendor with key [REDACTED]", "debug: key=[REDACTED]"]
    for result in (*results.values(), failed):
        assert not any(p in result.model_dump_json() for p in plaintexts)
    assert not any(p in server_log.getvalue() for p in plaintexts)
    for path in app.host.settings.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(p.encode() in content for p in plaintexts), path
