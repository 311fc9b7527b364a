"""The pool imports the workspace in its workers only: a file that exits, crashes or blocks at import is skipped
and reported, the others served; a described workflow's arguments are validated by its worker."""

from pathlib import Path

import pytest

from bifrost_mcp.isolation.pool import WorkerPool
from bifrost_mcp.workspace.registry import DescribedSignature
from tests.support.mcp import opened_app
from tests.support.workspace import workspace_modules_dropped, write_files

ECHO = """
from bifrost import workflow


@workflow(is_tool=True)
async def echo(text: str, times: int = 1) -> str:
    return text * times
"""
EXITS = "import os\n\nos._exit(3)\n"
CRASHES = "import ctypes\n\nctypes.string_at(0)\n"  # a segmentation fault in C code
BLOCKS = "import time\n\ntime.sleep(600)\n"


def error_of(errors: list, path: str) -> str:
    [message] = [error.message for error in errors if error.path == path]
    return str(message)


async def test_files_that_end_their_importer_are_skipped_and_reported_and_the_rest_is_served(tmp_path: Path) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, {"echo.py": ECHO, "exits.py": EXITS, "crashes.py": CRASHES})
        async with opened_app(tmp_path / "data", workspace=root, isolation="process", workers=2) as app:
            errors = app.registry.errors
            assert sorted(error.path for error in errors) == ["crashes.py", "exits.py"]
            assert (
                "importing it ended the worker process that imported the workspace (its worker process exited "
                "with code 3); module-level code must not exit, crash or block" in error_of(errors, "exits.py")
            )
            assert "killed by signal SIGSEGV" in error_of(errors, "crashes.py")
            entry = app.registry.tools["echo"]
            assert isinstance(entry.signature, DescribedSignature)  # the host never imported echo.py

            owner = await app.host.callers.owner()
            outcome = await app.run(entry, {"text": "ab", "times": 2}, owner)
            assert (outcome.ok, outcome.value) == (True, "abab")

            write_files(
                root, {"late.py": "import os\n\nos._exit(4)\n", "echo.py": ECHO.replace("text * times", "text.upper()")}
            )
            registry = await app.reload()
            assert registry.version == 2 and app.registry is registry
            assert sorted(error.path for error in registry.errors) == ["crashes.py", "exits.py", "late.py"]
            assert "exited with code 4" in error_of(registry.errors, "late.py")
            outcome = await app.run(app.registry.tools["echo"], {"text": "ab"}, owner)
            assert (outcome.ok, outcome.value) == (True, "AB")


async def test_a_file_that_blocks_at_import_is_skipped_once_its_importer_times_out(tmp_path: Path) -> None:
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, {"echo.py": ECHO, "blocks.py": BLOCKS})
        pool = WorkerPool(1, start_timeout=2)
        try:
            registry = await pool.open_workspace(root, 1)
        finally:
            await pool.aclose()
    assert "it did not import the workspace within 2 s" in error_of(registry.errors, "blocks.py")
    assert list(registry.tools) == ["echo"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"text": 7}, "Invalid arguments for 'echo': text: Input should be a valid string"),
        ({"text": "a", "bogus": 1}, "Invalid arguments for 'echo': bogus: unexpected argument; remove it"),
        ({}, "Invalid arguments for 'echo': text: required argument is missing"),
    ],
)
async def test_a_described_workflow_refuses_invalid_arguments_as_an_imported_one_does(
    tmp_path: Path, arguments: dict, message: str
) -> None:
    outcomes = []
    with workspace_modules_dropped(tmp_path / "ws") as root:
        write_files(root, {"echo.py": ECHO})
        for isolation in ("inline", "process"):
            async with opened_app(tmp_path / isolation, workspace=root, isolation=isolation, workers=1) as app:
                outcome = await app.run(app.registry.tools["echo"], arguments, await app.host.callers.owner())
                outcomes.append((outcome.ok, outcome.message, outcome.record.status.value))
    inline, isolated = outcomes
    assert inline == isolated
    assert isolated[0] is False and isolated[2] == "Failed"
    assert isolated[1] is not None and isolated[1].startswith(message)
