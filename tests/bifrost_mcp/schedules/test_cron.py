"""Cron expressions: croniter's fields in UTC, a CRON_TZ= prefix, seconds, and errors that say what to write."""

from datetime import UTC, datetime

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.schedules.cron import CronError, parse

MONDAY = datetime(2026, 3, 2, 8, 59, 30, tzinfo=UTC)


def test_five_fields_are_utc_and_the_next_due_time_is_strictly_after() -> None:
    daily = parse("0 9 * * *")
    assert daily.next_after(MONDAY) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert daily.next_after(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_a_time_zone_prefix_sets_the_zone_the_fields_are_read_in() -> None:
    paris = parse("CRON_TZ=Europe/Paris 0 9 * * *")
    assert paris.next_after(MONDAY) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 CET
    summer = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert parse("TZ=Europe/Paris 0 9 * * *").next_after(summer) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # CEST


def test_a_sixth_field_is_seconds_and_nicknames_work() -> None:
    assert parse("* * * * * */15").next_after(MONDAY) == datetime(2026, 3, 2, 8, 59, 45, tzinfo=UTC)
    assert parse("@hourly").next_after(MONDAY) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_due_times_in_a_span_are_counted_up_to_a_limit() -> None:
    minutely = parse("* * * * *")
    start = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    assert minutely.due_count(start, datetime(2026, 3, 2, 9, 11, 30, tzinfo=UTC), limit=1000) == 11
    assert minutely.due_count(start, start, limit=1000) == 1
    assert minutely.due_count(start, datetime(2026, 3, 9, tzinfo=UTC), limit=50) == 50


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("every day at nine", "'every day at nine' is not a valid cron expression: give five fields"),
        ("61 * * * *", "is not a valid cron expression"),
        ("CRON_TZ=Mars/Olympus 0 9 * * *", "unknown time zone 'Mars/Olympus'; use an IANA name"),
        ("CRON_TZ=Europe/Paris", "is not a valid cron expression"),
        ("", "schedule must be a cron expression such as '0 9 * * *', got ''"),
        (5, "schedule must be a cron expression such as '0 9 * * *', got 5"),
    ],
)
def test_a_bad_schedule_is_an_error_saying_what_to_write(expression: object, says: str) -> None:
    with pytest.raises(CronError) as error:
        parse(expression)
    assert says in str(error.value)
    assert isinstance(error.value, ValidationError)  # one error tree
