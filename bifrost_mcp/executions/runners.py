"""Runner leases: how a host tells the runs of a killed process from a live one's, on any machine sharing the data dir.

Every host registers its owner (`owners.Owner`) when its executions store starts, refreshes `last_seen` every
quarter of the lease while it runs, and removes the row when it stops. The owner of a run left Running is gone
when
- its lease expired: not refreshed for `lease_seconds` (killed, or its machine lost), wherever it ran;
- it ran on this machine (same boot, same pid namespace) and its pid no longer runs with that start time,
  which is known at once, without waiting for the lease;
- its lease row is gone: it stopped, or was found gone before;
- the record is from before leases (no runner id): then only its pid can be checked, from this machine.
Times are the host's clock (`clock.Clock`), so a test moves past a lease without waiting for it.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from bifrost_mcp.clock import Clock
from bifrost_mcp.executions import owners
from bifrost_mcp.executions.owners import Owner
from bifrost_mcp.executions.records import iso
from bifrost_mcp.settings import RUNNER_LEASE_SECONDS
from bifrost_mcp.storage import Database

logger = logging.getLogger(__name__)

_UNFINISHED_OWNERS = (
    "SELECT DISTINCT e.runner_id, e.runner_pid, e.runner_started, r.machine, r.last_seen "
    "FROM executions e LEFT JOIN execution_runners r ON r.id = e.runner_id "
    "WHERE e.status IN ('Pending', 'Running') AND e.runner_pid <> 0"  # pid 0: queued, nobody's run yet
)


class Leases:
    def __init__(
        self, db: Database, owner: Owner, clock: Clock, *, lease_seconds: float = RUNNER_LEASE_SECONDS
    ) -> None:
        self.db = db
        self.owner = owner
        self.clock = clock
        self.lease_seconds = lease_seconds

    @property
    def refresh_seconds(self) -> float:
        """How often the lease is refreshed (and others' looked at): four times within one lease."""
        return self.lease_seconds / 4

    async def register(self) -> None:
        owner = self.owner
        await self.db.execute(
            "INSERT OR REPLACE INTO execution_runners (id, pid, started, machine, last_seen) VALUES (?, ?, ?, ?, ?)",
            (owner.id, owner.pid, owner.started, owner.machine, iso(self.clock.now())),
        )

    async def refresh(self) -> None:
        changed = await self.db.execute(
            "UPDATE execution_runners SET last_seen = ? WHERE id = ?", (iso(self.clock.now()), self.owner.id)
        )
        if not changed:  # another host took this one for gone (its loop stalled past the lease): here again
            logger.warning("this process's runner lease had expired; its runs then may have been marked Failed")
            await self.register()

    async def release(self) -> None:
        await self.db.execute("DELETE FROM execution_runners WHERE id = ?", (self.owner.id,))

    async def gone_owners(self) -> list[Owner]:
        """The owners of runs still Pending/Running on disk that no longer run."""
        cutoff = iso(self.clock.now() - timedelta(seconds=self.lease_seconds)) or ""
        rows = await self.db.fetchall(_UNFINISHED_OWNERS)
        return [Owner(r["runner_pid"], r["runner_started"], r["runner_id"]) for r in rows if self._gone(r, cutoff)]

    def _gone(self, row: sqlite3.Row, cutoff: str) -> bool:
        runner_id, machine, last_seen = row["runner_id"], row["machine"], row["last_seen"]
        process = Owner(row["runner_pid"], row["runner_started"])
        if runner_id == self.owner.id:
            return False
        if runner_id is None:  # from before leases: only its pid (a reused one, when it is ours without a start time)
            return (process.started is None and process.pid == self.owner.pid) or not owners.alive(process)
        if last_seen is None or last_seen < cutoff:
            return True
        return machine == self.owner.machine and not owners.alive(process)

    async def forget(self, gone: Owner) -> None:
        """Remove a gone owner's lease, once its runs are marked."""
        await self.db.execute("DELETE FROM execution_runners WHERE id = ?", (gone.id,))
