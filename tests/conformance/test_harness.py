"""The official MCP conformance harness, every server scenario, against the fixture workspace served over HTTP.

`make test` installs the harness and the Node.js it needs (>= 22) from the npm registry into
tests/conformance/node_modules (see package.json); the server is the real `bifrost-mcp serve --http`, reached
through a loopback proxy that adds the owner's bearer token, since the harness sends no credentials.
"""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import pytest

from tests.support.bearer_proxy import bearer_proxy
from tests.support.node_tools import HARNESS, installed, node_environment
from tests.support.served import served_http
from tests.support.server import LoopbackServer

WORKSPACE = Path(__file__).parent / "workspace"
# Every server scenario of @modelcontextprotocol/conformance 0.1.16 (`conformance list`), both spec versions.
SCENARIOS = 32
_RESULT = re.compile(r"^[✓✗] (?P<name>[\w-]+): (?P<passed>\d+) passed, (?P<failed>\d+) failed$", re.MULTILINE)

pytestmark = [pytest.mark.conformance, pytest.mark.slow, pytest.mark.timeout(600)]


def scenario_results(output: str) -> dict[str, tuple[int, int]]:
    """(passed, failed) checks per scenario, from the harness's SUMMARY."""
    return {m["name"]: (int(m["passed"]), int(m["failed"])) for m in _RESULT.finditer(output)}


async def test_the_official_harness_passes_every_server_scenario(tmp_path: Path) -> None:
    harness = installed(HARNESS)
    async with served_http(WORKSPACE, tmp_path / "data", tmp_path) as served:
        proxy = LoopbackServer()
        async with proxy.serve(bearer_proxy(served.url.removesuffix("/mcp"), served.token)) as url:
            run = await anyio.run_process(
                [str(harness), "server", "--url", f"{url}/mcp", "--suite", "all", "-o", str(tmp_path / "results")],
                env=node_environment(),
                cwd=tmp_path,
                check=False,
            )
    output = run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
    results = scenario_results(output)
    failed = {name: counts for name, counts in results.items() if counts[1]}
    assert not failed, f"scenarios with failed checks: {failed}\n{output[-6000:]}"
    assert len(results) == SCENARIOS, output[-6000:]
    assert run.returncode == 0, output[-6000:]
