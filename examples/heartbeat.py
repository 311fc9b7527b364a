"""A scheduled workflow: runs every minute while the host serves, and each run is its own heartbeat record.

Watch it with `bifrost-mcp executions` (trigger "schedule") and `bifrost-mcp schedules`; stop it with
`bifrost-mcp schedules pause heartbeat`. Scheduled runs act as the scheduler in GLOBAL scope: they read
config and call integrations, but do not write GLOBAL data, so the record itself is the heartbeat.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bifrost import context, workflow

logger = logging.getLogger(__name__)


@workflow(schedule="*/1 * * * *", category="Maintenance", timeout_seconds=30)
async def heartbeat() -> dict:
    """Log that the host is alive and return when and as whom the run happened."""
    beat = datetime.now(UTC).isoformat(timespec="seconds")
    logger.info("heartbeat at %s", beat)
    return {"alive": True, "at": beat, "run_by": context.user_id, "scope": context.scope}
