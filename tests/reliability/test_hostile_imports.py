"""A workspace file that ends its process at import (os._exit) while `serve` runs workflows in worker processes:
the server stays up, serves the other workflows and reports the file, at start and at hot reload (issue 14: the
host imported the workspace itself to build its registry, so such a file ended the server)."""

from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.support.mcp import mcp_http_client
from tests.support.poll import poll
from tests.support.served import served_http
from tests.support.workspace import workspace_modules_dropped, write_files

GREETINGS = """
from bifrost import workflow


@workflow(is_tool=True)
async def {name}(who: str) -> str:
    return "{word}, " + who
"""


async def health(url: str) -> dict[str, Any]:
    async with httpx2.AsyncClient() as http:
        answer: dict[str, Any] = (await http.get(url.removesuffix("/mcp") + "/healthz")).json()
        return answer


@pytest.mark.slow
async def test_a_file_that_exits_at_import_leaves_the_server_serving_the_others(tmp_path: Path) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as workspace:
        write_files(workspace, {"hello.py": GREETINGS.format(name="hello", word="Hello"),
                                "exits.py": "import os\n\nos._exit(3)\n"})  # fmt: skip
        async with served_http(workspace, tmp_path / "data", tmp_path, env={"BIFROST_WORKERS": "2"}) as server:
            assert (await health(server.url))["workspace_errors"] == 1
            stderr = server.stderr.read_text()
            assert (
                "workspace error: exits.py: importing it ended the worker process that imported the workspace "
                "(its worker process exited with code 3)" in stderr
            )
            async with mcp_http_client(server.url, server.token) as client:
                result = await client.call_tool("hello", {"who": "Ada"})
                assert not result.is_error and result.structured_content == {"result": "Hello, Ada"}

                write_files(workspace, {"late.py": "import os\n\nos._exit(4)\n",
                                        "bye.py": GREETINGS.format(name="bye", word="Bye")})  # fmt: skip
                reloaded = await poll(
                    lambda: _version(server.url, 2), timeout=60, what="the server to serve registry version 2"
                )
                assert reloaded["workspace_errors"] == 2
                result = await client.call_tool("bye", {"who": "Ada"})
                assert not result.is_error and result.structured_content == {"result": "Bye, Ada"}
                result = await client.call_tool("hello", {"who": "Grace"})
                assert not result.is_error and result.structured_content == {"result": "Hello, Grace"}
            assert server.process.returncode is None
            assert b"late.py: importing it ended the worker process" in server.output()


async def _version(url: str, version: int) -> dict[str, Any] | None:
    answer = await health(url)
    return answer if answer["registry_version"] >= version else None
