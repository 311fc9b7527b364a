"""Document data <-> stored JSON text, and the timestamps kept beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bifrost.errors import ValidationError

MAX_NAME_LENGTH = 255
MAX_ID_LENGTH = 512


def encode_json(value: Any, what: str) -> str:
    """Compact JSON, as documents are stored, or a ValidationError saying what is not JSON."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{what} is not JSON-serializable: {exc}; convert it (e.g. datetime.isoformat())"
        ) from None


def encode_document(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`data` as stored JSON text, and that text decoded: exactly what a later read returns.

    Keys must be strings: json.dumps would silently turn 1 into "1". Comparing the round trip (C speed)
    finds any change; only then are the keys walked, since tuples becoming lists is a change we accept.
    """
    if not isinstance(data, dict):
        raise ValidationError(f"document data must be a dict, got {type(data).__name__}")
    text = encode_json(data, "document data")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                "document data contains a string that is not valid Unicode (lone surrogate)"
            ) from None
    stored = decode_document(text)
    if stored != data:
        _check_keys(data)
    return text, stored


def _check_keys(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(
                    f"document key {key!r} is a {type(key).__name__}; JSON object keys must be strings"
                )
            _check_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item)


def decode_document(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data


def check_name(value: object, what: str, max_length: int = MAX_NAME_LENGTH) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{what} must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise ValidationError(f"{what} {value[:40]!r}... is longer than {max_length} characters")
    if any(ord(char) < 32 or char == "\x7f" for char in value):
        raise ValidationError(f"{what} {value!r} contains a control character")
    return value


def now() -> tuple[datetime, str]:
    """The current UTC time and its stored text (fixed width, so text order is time order)."""
    moment = datetime.now(UTC)
    return moment, moment.isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
