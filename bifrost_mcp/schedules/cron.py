"""Cron expressions as `@workflow(schedule=...)` takes them, parsed once by croniter.

Five fields (minute hour day month weekday), or croniter's extensions: a sixth field is seconds, a seventh the
year, and the nicknames (@hourly, @daily, ...). Times are UTC unless the expression starts with a time zone,
`CRON_TZ=Europe/Paris 0 9 * * *` (or `TZ=...`), the prefix cronie and Kubernetes CronJobs read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from bifrost.errors import ValidationError

_ZONE_PREFIXES = ("CRON_TZ=", "TZ=")


class CronError(ValidationError):
    """A schedule that is not a cron expression croniter understands (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class Cron:
    expression: str  # as written, prefix included: what the workspace declares and the store keeps
    fields: str
    zone: tzinfo

    def next_after(self, moment: datetime) -> datetime:
        """The first due time strictly after `moment`, in UTC."""
        found: datetime = croniter(self.fields, moment.astimezone(self.zone)).get_next(datetime)
        return found.astimezone(UTC)

    def due_count(self, start: datetime, end: datetime, *, limit: int) -> int:
        """How many due times lie in [start, end], counting at most `limit` (a long downtime of a seconds schedule)."""
        if start > end:
            return 0
        count, moment = 1, start
        while count < limit:
            moment = self.next_after(moment)
            if moment > end:
                break
            count += 1
        return count


def parse(expression: object) -> Cron:
    """The schedule `expression`, checked.

    Raises:
        CronError: not a string, an unknown time zone, or fields croniter rejects.
    """
    if not isinstance(expression, str) or not expression.strip():
        raise CronError(f"schedule must be a cron expression such as '0 9 * * *', got {expression!r}")
    fields, zone = expression.strip(), "UTC"
    for prefix in _ZONE_PREFIXES:
        if fields.startswith(prefix):
            zone, _, fields = fields.removeprefix(prefix).partition(" ")
            fields = fields.strip()
            break
    try:
        tz: tzinfo = UTC if zone == "UTC" else ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(
            f"schedule {expression!r}: unknown time zone {zone!r}; use an IANA name such as 'Europe/Paris'"
        ) from None
    if not fields or not croniter.is_valid(fields):
        raise CronError(
            f"schedule {expression!r} is not a valid cron expression: give five fields (minute hour day month "
            "weekday) such as '0 9 * * *', optionally a sixth for seconds, or a nickname such as '@hourly'"
        )
    return Cron(expression, fields, tz)


__all__ = ["Cron", "CronError", "parse"]
