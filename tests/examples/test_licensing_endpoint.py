"""examples/licensing.py as an async HTTP endpoint: 202 with a Location, then the record fetched by id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest

from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from tests.support.mcp import opened_app
from tests.support.poll import poll
from tests.support.server import LoopbackServer
from tests.support.workspace import EXAMPLES


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path / "data", workspace=EXAMPLES) as opened:
        yield opened


async def test_the_async_example_answers_202_and_its_result_is_fetched_by_id(app: App) -> None:
    acme, globex = await app.host.identity.create_org("Acme"), await app.host.identity.create_org("Globex")
    key = (await app.host.credentials.create_function_key(acme.id, "reporting")).token
    other = (await app.host.credentials.create_function_key(globex.id, "reporting")).token
    server = LoopbackServer()
    # served as `serve --http` serves it: the lifespan runs the dispatcher that picks up queued runs
    async with server.serve(build_asgi(app, port=server.port, watch=False)) as base, httpx2.AsyncClient() as http:
        arguments = {"departments": ["sales", "it"], "seconds_per_department": 0}
        queued = await http.post(f"{base}/api/workflows/license_report", headers={"X-Bifrost-Key": key},
                                 json=arguments)  # fmt: skip
        assert queued.status_code == 202, queued.text
        execution_id = queued.json()["execution_id"]
        assert queued.json() == {"execution_id": execution_id, "status": "Pending"}
        location = queued.headers["location"]
        assert location == f"/api/executions/{execution_id}"

        async def finished() -> dict[str, object] | None:
            response = await http.get(f"{base}{location}", headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 200, response.text
            record: dict[str, object] = response.json()
            return record if record["status"] not in ("Pending", "Running") else None

        record = await poll(finished, timeout=30, what="the queued license report to finish")
        foreign = await http.get(f"{base}{location}", headers={"Authorization": f"Bearer {other}"})

    assert record["status"] == "Completed"
    assert record["result"] == {"departments": {"sales": 45, "it": 24}, "total": 69}
    assert [log["message"] for log in record["logs"]] == ["counted sales: 45 licenses", "counted it: 24 licenses"]
    stored = await app.host.executions.get(execution_id)
    assert stored is not None and (stored.trigger, stored.org_id) == ("endpoint", acme.id)
    assert foreign.status_code == 404  # another organization's run reads as unknown
