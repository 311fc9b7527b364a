"""The in-memory form of one schedule's row."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ScheduleStatus = Literal["active", "running", "paused"]


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class ScheduleState:
    name: str  # the workflow's name
    expression: str
    next_due: datetime
    paused: bool
    lease_owner: str | None
    lease_until: datetime | None
    last_due: datetime | None
    last_started: datetime | None
    last_finished: datetime | None
    last_run_id: str | None
    last_status: str | None  # an ExecutionStatus value, "Running" while the run is in flight
    last_message: str | None
    skipped: int  # due times skipped because the previous run was still going
    missed: int  # due times no host was serving for, each coalesced into the next run

    def leased(self, now: datetime) -> bool:
        """Whether a run of this schedule is in flight on some host (its lease not yet expired)."""
        return self.lease_until is not None and self.lease_until > now

    def status(self, now: datetime) -> ScheduleStatus:
        if self.leased(now):
            return "running"
        return "paused" if self.paused else "active"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ScheduleState:
        return cls(
            name=row["name"],
            expression=row["expression"],
            next_due=datetime.fromisoformat(row["next_due"]),
            paused=bool(row["paused"]),
            lease_owner=row["lease_owner"],
            lease_until=_moment(row["lease_until"]),
            last_due=_moment(row["last_due"]),
            last_started=_moment(row["last_started"]),
            last_finished=_moment(row["last_finished"]),
            last_run_id=row["last_run_id"],
            last_status=row["last_status"],
            last_message=row["last_message"],
            skipped=row["skipped"],
            missed=row["missed"],
        )
