"""What a workflow logs becomes its execution's log stream, at the level its own logger is set to."""

import logging
from pathlib import Path

import pytest

from bifrost import workflow
from tests.support.mcp import ISOLATIONS, opened_app


@workflow(name="debugging")
async def debugging(verbose: bool) -> None:
    log = logging.getLogger("workspace.debugging")
    log.setLevel(logging.DEBUG if verbose else logging.NOTSET)
    log.debug("row %d parsed", 1)
    log.info("imported %d rows", 1)


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_debug_lines_are_recorded_when_the_workflows_logger_is_at_debug_and_only_then(
    tmp_path: Path, isolation: str
) -> None:
    async with opened_app(tmp_path, functions=[debugging], isolation=isolation) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["debugging"]
        verbose = await app.run(entry, {"verbose": True}, owner)
        quiet = await app.run(entry, {"verbose": False}, owner)
        verbose_logs = await app.host.executions.logs(verbose.execution_id)
        quiet_logs = await app.host.executions.logs(quiet.execution_id)
    assert [(e.level, e.message) for e in verbose_logs] == [("DEBUG", "row 1 parsed"), ("INFO", "imported 1 rows")]
    assert [(e.level, e.message) for e in quiet_logs] == [("INFO", "imported 1 rows")]
