"""The time the host decides expiry and age by: the system's, or a test's that moves only when told to.

Durations measured for records (duration_ms, CPU time) and the event loop's timers stay on the real clocks:
only the checks "has this expired?" and "how old is this?" read a `Clock`, so a test can pass a TTL at once.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going backwards: for TTLs kept in this process's memory."""
        ...

    def now(self) -> datetime:
        """The current time in UTC (timezone-aware): for expiry times stored in the database or on disk."""
        ...


class SystemClock:
    """The real time; the default everywhere."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock for tests: both of its times move together, and only when `advance` is called.

    It starts at `start`, or at the real time of its creation: rows written without it (created_at, a token
    issued by another process) then compare with its `now()` as they would with the system clock.
    """

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.utcoffset() is None:
            raise ValueError(f"ManualClock(start=...) must be timezone-aware, got {start!r}")
        # UTC, so that ISO strings built from now() compare with stored ones character by character
        self._now = (start or datetime.now(UTC)).astimezone(UTC)
        self._monotonic = 0.0

    def monotonic(self) -> float:
        return self._monotonic

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError(f"ManualClock.advance() takes a number of seconds, got {seconds!r}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"ManualClock.advance() moves time forward by a finite amount, got {seconds!r}")
        self._monotonic += seconds
        self._now += timedelta(seconds=seconds)


__all__ = ["SYSTEM_CLOCK", "Clock", "ManualClock", "SystemClock"]
