"""examples/triage.py as an HTTP endpoint: the README's curl line, with a function key, over real HTTP."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx2
import pytest

from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.mcp import opened_app
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES

TICKET = {"subject": "VPN down", "body": "The VPN is down for the whole office", "priority": "low"}
ROUTED = {"success": True, "queue": "network", "priority": "critical", "sla_hours": 1, "customer": None}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", workspace=EXAMPLES) as opened:
        yield opened


async def acme_key(app: App) -> str:
    org = await app.host.identity.create_org("Acme")
    return (await app.host.credentials.create_function_key(org.id, "ticketing webhook")).token


async def test_a_function_key_posts_a_ticket_and_gets_its_route(app: App) -> None:
    key = await acme_key(app)
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base, httpx2.AsyncClient() as http:
        routed = await http.post(f"{base}/api/workflows/triage_ticket", headers={"X-Bifrost-Key": key}, json=TICKET)
        unroutable = await http.post(
            f"{base}/api/workflows/triage_ticket", headers={"X-Bifrost-Key": key}, json={"subject": "?", "body": "?"}
        )
        wrong = await http.post(f"{base}/api/workflows/triage_ticket", headers={"X-Bifrost-Key": key}, json={})

    assert routed.status_code == 200 and routed.json()["result"] == ROUTED
    record = await app.host.executions.get(routed.json()["execution_id"])
    assert record is not None and record.trigger == "endpoint" and record.result == ROUTED
    assert unroutable.status_code == 200 and unroutable.json()["status"] == "CompletedWithErrors"
    assert unroutable.json()["result"]["error"] == "no queue matches this ticket; route it by hand"
    assert wrong.status_code == 400
    assert [f["field"] for f in wrong.json()["fields"]] == ["subject", "body"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's line needs curl")
async def test_the_readme_curl_line_runs_the_example(app: App) -> None:
    key = await acme_key(app)
    server = LoopbackServer()
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base:
        command = ["curl", "-sS", "-X", "POST", "-H", f"X-Bifrost-Key: {key}", "-H", "Content-Type: application/json",
                   f"{base}/api/workflows/triage_ticket", "-d", json.dumps(TICKET)]  # fmt: skip
        finished = await anyio.run_process(command)
    assert json.loads(finished.stdout)["result"] == ROUTED
