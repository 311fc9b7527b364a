"""A long-running workflow that logs its progress (captured into the execution's log stream)."""

from __future__ import annotations

import asyncio
import logging

from bifrost import context, workflow

logger = logging.getLogger(__name__)


@workflow(is_tool=True, category="Maintenance", timeout_seconds=600)
async def patch_servers(servers: list[str], reboot: bool = False, seconds_per_server: float = 0.05) -> dict:
    """Apply pending updates to servers one at a time, logging progress.

    Args:
        servers: Hostnames to patch.
        reboot: Reboot each server after patching.
        seconds_per_server: How long each (simulated) patch run takes.
    """
    if not servers:
        return {"success": False, "error": "no servers given"}
    done = []
    for index, server in enumerate(servers, start=1):
        logger.info("patching %s (%d/%d)", server, index, len(servers), extra={"execution_id": context.execution_id})
        await asyncio.sleep(seconds_per_server)
        if reboot:
            print(f"rebooting {server}")
        done.append(server)
    logger.info("patched %d server(s)", len(done))
    return {"success": True, "patched": done, "rebooted": reboot}
