"""Schedule rows in SQLite: kept in step with the registry, claimed one due time at a time, leased while running.

Every change that decides who fires is one conditional UPDATE on the row's current next_due: among hosts
sharing the data dir exactly one moves a due time on, so each due time is fired (or skipped) once.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bifrost_mcp.errors import NotFoundError
from bifrost_mcp.executions.records import iso
from bifrost_mcp.schedules.cron import Cron, parse
from bifrost_mcp.schedules.records import ScheduleState
from bifrost_mcp.schedules.schema import MIGRATIONS
from bifrost_mcp.storage import Database

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class SchedulesStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def list(self) -> builtins.list[ScheduleState]:
        rows = await self.db.fetchall("SELECT * FROM schedules ORDER BY name")
        return [ScheduleState.from_row(row) for row in rows]

    async def get(self, name: str) -> ScheduleState | None:
        row = await self.db.fetchone("SELECT * FROM schedules WHERE name = ?", (name,))
        return None if row is None else ScheduleState.from_row(row)

    async def sync(self, wanted: Mapping[str, Cron], now: datetime) -> SyncReport:
        """Make the rows the registry's schedules: new ones added, changed expressions re-timed, the rest removed.

        An unchanged schedule keeps its next_due, even one long past: after downtime it fires once, at once.
        """
        report = SyncReport()
        async with self.db.transaction() as conn:
            existing = {row["name"]: row["expression"] for row in await conn.execute_fetchall(
                "SELECT name, expression FROM schedules"
            )}  # fmt: skip
            for name, cron in sorted(wanted.items()):
                if existing.get(name) == cron.expression:
                    continue
                (report.changed if name in existing else report.added).append(name)
                await conn.execute(
                    "INSERT INTO schedules (name, expression, next_due, updated_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET expression = excluded.expression,"
                    " next_due = excluded.next_due, updated_at = excluded.updated_at",
                    (name, cron.expression, iso(cron.next_after(now)), iso(now)),
                )
            for name in sorted(set(existing) - set(wanted)):
                report.removed.append(name)
                await conn.execute("DELETE FROM schedules WHERE name = ?", (name,))
        return report

    async def claim(
        self, state: ScheduleState, *, now: datetime, owner: str, lease_until: datetime, next_due: datetime,
        missed: int,
    ) -> bool:  # fmt: skip
        """Take the due time `state.next_due` to fire it: True for exactly one host, while no run is in flight."""
        message = (
            f"{missed} earlier due time(s) passed with no host serving: coalesced into this run" if missed else None
        )
        rows = await self.db.write(
            "UPDATE schedules SET next_due = ?, lease_owner = ?, lease_until = ?, last_due = next_due,"
            " last_started = ?, last_finished = NULL, last_run_id = NULL, last_status = 'Running',"
            " last_message = ?, missed = missed + ?, updated_at = ?"
            " WHERE name = ? AND expression = ? AND next_due = ? AND paused = 0"
            " AND (lease_until IS NULL OR lease_until <= ?) RETURNING name",
            (iso(next_due), owner, iso(lease_until), iso(now), message, missed, iso(now),
             state.name, state.expression, iso(state.next_due), iso(now)),
        )  # fmt: skip
        return bool(rows)

    async def skip(self, state: ScheduleState, *, now: datetime, next_due: datetime) -> bool:
        """Pass over the due time `state.next_due` because a run is still in flight: True for exactly one host."""
        rows = await self.db.write(
            "UPDATE schedules SET next_due = ?, skipped = skipped + 1, updated_at = ?"
            " WHERE name = ? AND expression = ? AND next_due = ? AND paused = 0 AND lease_until > ?"
            " RETURNING name",
            (iso(next_due), iso(now), state.name, state.expression, iso(state.next_due), iso(now)),
        )
        return bool(rows)

    async def renew(self, owner: str, names: Iterable[str], lease_until: datetime) -> None:
        """Extend `owner`'s leases on `names`, the runs it still has in flight."""
        for name in names:
            await self.db.write(
                "UPDATE schedules SET lease_until = ? WHERE name = ? AND lease_owner = ?",
                (iso(lease_until), name, owner),
            )

    async def finish(
        self, name: str, owner: str, *, finished: datetime, run_id: str | None, status: str, message: str | None
    ) -> None:
        """Record the run's outcome and release `owner`'s lease (a lease that expired and was taken over stays)."""
        await self.db.write(
            "UPDATE schedules SET last_finished = ?, last_run_id = ?, last_status = ?,"
            " last_message = COALESCE(?, last_message), lease_owner = NULL, lease_until = NULL, updated_at = ?"
            " WHERE name = ? AND lease_owner = ?",
            (iso(finished), run_id, status, message, iso(finished), name, owner),
        )

    async def pause(self, name: str, now: datetime) -> ScheduleState:
        """Stop firing `name` until resumed (a run in flight finishes)."""
        await self._known(name)
        await self.db.write("UPDATE schedules SET paused = 1, updated_at = ? WHERE name = ?", (iso(now), name))
        return await self._known(name)

    async def resume(self, name: str, now: datetime) -> ScheduleState:
        """Fire `name` again from its next due time after `now`: the times passed while paused are not made up."""
        state = await self._known(name)
        if state.paused:
            next_due = parse(state.expression).next_after(now)
            await self.db.write(
                "UPDATE schedules SET paused = 0, next_due = ?, updated_at = ? WHERE name = ? AND paused = 1",
                (iso(next_due), iso(now), name),
            )
        return await self._known(name)

    async def _known(self, name: str) -> ScheduleState:
        state = await self.get(name)
        if state is None:
            raise NotFoundError(
                f"no schedule {name!r}: a workflow's schedule is listed once a serving host has loaded it; "
                "see `bifrost-mcp schedules`"
            )
        return state


__all__ = ["MIGRATIONS", "SchedulesStore", "SyncReport"]
