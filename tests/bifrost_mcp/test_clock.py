import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bifrost_mcp.clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock


def test_the_system_clock_reads_the_real_monotonic_and_utc_times() -> None:
    before_monotonic, before_now = time.monotonic(), datetime.now(UTC)
    clock: Clock = SystemClock()
    monotonic, now = clock.monotonic(), clock.now()
    assert before_monotonic <= monotonic <= time.monotonic()
    assert before_now <= now <= datetime.now(UTC)
    assert now.utcoffset() == timedelta(0)
    assert isinstance(SYSTEM_CLOCK, SystemClock)


def test_a_manual_clock_stands_still_until_advanced_and_then_moves_both_times_together() -> None:
    start = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    clock = ManualClock(start)
    origin = clock.monotonic()
    time.sleep(0.01)
    assert (clock.monotonic(), clock.now()) == (origin, start)

    clock.advance(90)
    clock.advance(0.25)
    assert clock.monotonic() == origin + 90.25
    assert clock.now() == start + timedelta(seconds=90.25)
    clock.advance(0)
    assert clock.now() == start + timedelta(seconds=90.25)


def test_a_manual_clock_starts_at_the_real_time_by_default() -> None:
    before = datetime.now(UTC)
    now = ManualClock().now()
    assert before <= now <= datetime.now(UTC)
    assert now.utcoffset() == timedelta(0)


def test_a_manual_clock_keeps_utc_so_iso_strings_compare_with_stored_ones() -> None:
    clock = ManualClock(datetime(2030, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now().isoformat() == "2030-01-01T12:00:00+00:00"


def test_a_manual_clock_needs_a_timezone_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2030, 1, 1))


@pytest.mark.parametrize(
    ("seconds", "error", "complaint"),
    [
        (-1, ValueError, "forward by a finite amount"),
        (float("nan"), ValueError, "forward by a finite amount"),
        (float("inf"), ValueError, "forward by a finite amount"),
        (True, TypeError, "number of seconds"),
        ("5", TypeError, "number of seconds"),
    ],
)
def test_a_manual_clock_only_moves_forward_by_a_number_of_seconds(
    seconds: object, error: type[Exception], complaint: str
) -> None:
    clock = ManualClock()
    before = (clock.monotonic(), clock.now())
    with pytest.raises(error, match=complaint):
        clock.advance(seconds)  # type: ignore[arg-type]
    assert (clock.monotonic(), clock.now()) == before
