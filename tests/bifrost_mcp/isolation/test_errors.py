"""An error the host raises for an SDK call is raised in the worker as the same class, args and attributes."""

from __future__ import annotations

import sqlite3

from bifrost.errors import AccessDenied, AIRateLimitError, NotFoundError
from bifrost_mcp.isolation.errors import error_payload, rebuild_error
from bifrost_mcp.isolation.wire import HEADER, decode, encode


def across(exc: BaseException) -> Exception:
    """`exc` as the worker raises it: described, framed, decoded, rebuilt."""
    return rebuild_error(decode(encode(["err", 1, error_payload(exc)])[HEADER:])[2])


def test_sdk_errors_keep_their_class_message_and_attributes() -> None:
    limited = across(AIRateLimitError("slow down", retry_after=2.5))
    assert type(limited) is AIRateLimitError
    assert (str(limited), limited.retry_after) == ("slow down", 2.5)
    assert type(across(AccessDenied("not yours"))) is AccessDenied
    missing = across(NotFoundError("no such form"))
    assert isinstance(missing, LookupError) and isinstance(missing, ValueError)


def test_builtin_errors_keep_their_class_and_args() -> None:
    key = across(KeyError("tickets"))
    assert (type(key), key.args, str(key)) == (KeyError, ("tickets",), "'tickets'")
    gone = across(FileNotFoundError(2, "No such file", "a.txt"))
    assert (type(gone), gone.errno, gone.filename) == (FileNotFoundError, 2, "a.txt")


def test_other_errors_keep_their_name_under_the_nearest_class_both_sides_know() -> None:
    locked = across(sqlite3.OperationalError("database is locked"))
    assert type(locked).__name__ == "OperationalError"
    assert isinstance(locked, Exception) and not isinstance(locked, sqlite3.Error)
    assert str(locked) == "database is locked"
