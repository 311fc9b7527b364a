"""An async workflow: a caller gets its execution id at once and reads the result once the run has finished.

Over MCP the tool answers `{execution_id, status: "Pending"}` (or a task, for clients that speak the Tasks
extension) and `get_execution` reads it back; over HTTP, `POST /api/workflows/license_report` answers 202 with
a `Location` to poll. The run is queued in the database and survives a restart.
"""

from __future__ import annotations

import asyncio
import logging

from bifrost import workflow

logger = logging.getLogger(__name__)


@workflow(is_tool=True, category="Reporting", execution_mode="async", timeout_seconds=900, endpoint_enabled=True)
async def license_report(departments: list[str], seconds_per_department: float = 0.05) -> dict:
    """Count the software licenses each department uses (a slow report, run in the background).

    Args:
        departments: Departments to count, such as "sales".
        seconds_per_department: How long counting one department takes (simulated).
    """
    counts = {}
    for department in departments:
        await asyncio.sleep(seconds_per_department)
        counts[department] = 10 + 7 * len(department)  # a stand-in for the license inventory
        logger.info("counted %s: %d licenses", department, counts[department])
    return {"departments": counts, "total": sum(counts.values())}
